/*
 * fuzz_cargo_edit: libFuzzer target for the manifest editor.
 *
 * Input: a manifest. The crates it names (its package, every dependency
 * key and `package =` rename) are all declared part of the workspace and
 * bumped to "77.0.0"; then the promises of the editor are checked: no
 * crash or leak; an input the scanner refuses is refused with file:line
 * and nothing produced; otherwise the output scans again, has exactly the
 * same entries in the same order, and differs from the input only inside
 * string values (every byte outside the replaced ranges is kept).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cargo.h"
#include "error.h"
#include "toml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_NAMES 64

typedef struct {
	char *names[MAX_NAMES];
	size_t nnames;
	size_t nentries;
	size_t starts[4096], ends[4096];
	rt_toml_kind kinds[4096];
} scan_state;

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_cargo_edit: broken promise: %s\n", what);
		abort();
	}
}

static void add_name(scan_state *st, const char *name)
{
	size_t i;

	for (i = 0; i < st->nnames; i++)
		if (strcmp(st->names[i], name) == 0)
			return;
	if (st->nnames < MAX_NAMES)
		st->names[st->nnames++] = rt_xstrdup(name);
}

static int collect(const rt_toml_entry *e, void *payload)
{
	scan_state *st = payload;

	if (st->nentries < 4096) {
		st->starts[st->nentries] = e->value_start;
		st->ends[st->nentries] = e->value_end;
		st->kinds[st->nentries] = e->kind;
	}
	st->nentries++;
	if (e->path_len >= 2 && e->path_len <= 4)
		add_name(st, e->path[e->path_len == 2 ? 1 : e->path_len - 2]);
	if (e->string && e->path_len >= 1 && strcmp(e->path[e->path_len - 1], "package") == 0)
		add_name(st, e->string);
	if (e->string && e->path_len == 2 && strcmp(e->path[1], "name") == 0)
		add_name(st, e->string);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	scan_state *before = calloc(1, sizeof(*before)), *after = calloc(1, sizeof(*after));
	rt_cargo_bump bumps[MAX_NAMES];
	rt_cargo_bumps all;
	rt_buf out = RT_BUF_INIT, warnings = RT_BUF_INIT;
	size_t i, edits = 0, pos_in = 0, pos_out = 0;
	int rc;

	rc = rt_toml_scan(text, size, "Cargo.toml", collect, before);
	if (rc != 0) {
		check(rt_error_last() && rt_error_last()->file, "a refused scan names the file");
		rt_error_clear();
		check(rt_cargo_edit_manifest(&out, &edits, text, size, "Cargo.toml", &(rt_cargo_bumps){NULL, 0, NULL},
					     NULL) == -1, "the editor refuses what the scanner refuses");
		check(out.len == 0, "nothing produced for a refused manifest");
		rt_error_clear();
		goto cleanup;
	}
	for (i = 0; i < before->nnames; i++) {
		bumps[i].name = before->names[i];
		bumps[i].old_version = "1.0.0";
		bumps[i].new_version = "77.0.0";
	}
	all.crates = bumps;
	all.count = before->nnames;
	all.ws_new_version = "77.0.0";
	check(rt_cargo_edit_manifest(&out, &edits, text, size, "Cargo.toml", &all, &warnings) == 0,
	      "a scannable manifest is edited");
	check(rt_toml_scan(out.ptr ? out.ptr : "", out.len, "Cargo.toml", collect, after) == 0,
	      "the output scans");
	check(after->nentries == before->nentries, "the same number of entries");
	/* outside the values, every byte is kept */
	for (i = 0; i < before->nentries && i < 4096; i++) {
		size_t gap_in = before->starts[i] - pos_in, gap_out = after->starts[i] - pos_out;
		check(after->kinds[i] == before->kinds[i], "the same kind of value");
		if (before->starts[i] < pos_in)
			continue; /* members of an inline table lie inside it */
		check(gap_in == gap_out && memcmp(text + pos_in, out.ptr + pos_out, gap_in) == 0,
		      "bytes between values are kept");
		if (before->kinds[i] != RT_TOML_INLINE_TABLE) {
			pos_in = before->ends[i];
			pos_out = after->ends[i];
		} else {
			pos_in = before->starts[i];
			pos_out = after->starts[i];
		}
	}
	if (before->nentries <= 4096)
		check(size - pos_in == out.len - pos_out &&
			      memcmp(text + pos_in, out.ptr + pos_out, size - pos_in) == 0,
		      "the tail is kept");

cleanup:
	for (i = 0; i < before->nnames; i++)
		free(before->names[i]);
	for (i = 0; i < after->nnames; i++)
		free(after->names[i]);
	free(before);
	free(after);
	rt_buf_free(&out);
	rt_buf_free(&warnings);
	rt_error_clear();
	return 0;
}
