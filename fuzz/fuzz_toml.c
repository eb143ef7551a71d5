/*
 * fuzz_toml: libFuzzer target for the TOML scanner.
 *
 * Besides "no crash, no leak, no undefined behaviour", it checks the
 * promises the bump mode relies on: every reported value range lies
 * inside the text and starts and ends with its delimiters, a failed scan
 * always leaves an error naming file:line, and replacing every string
 * value's bytes with "x" (what an editor does) gives a text that still
 * scans, with the same entries, each string now reading "x".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "toml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct {
	const char *text;
	size_t len;
	size_t *starts, *ends; /* string value ranges, in scan order */
	size_t nstrings;
	size_t nentries;
	int replaced;	 /* second pass: every string must now read "x" */
	size_t bad_ends; /* values followed by something that cannot follow a value */
} state;

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_toml: broken promise: %s\n", what);
		abort();
	}
}

/* Only a blank, a separator, a comment or a line end may follow a value. */
static int ends_value(const state *st, size_t end)
{
	char c;

	if (end == st->len)
		return 1;
	c = st->text[end];
	return c != '\0' && strchr(" \t\r\n,}#", c) != NULL;
}

static void check_array(const state *st, const rt_toml_entry *e)
{
	char **strings = NULL;
	size_t count = 0;

	if (rt_toml_array_strings(&strings, &count, st->text, e->value_start, e->value_end,
				  "fuzz.toml", e->line) == 0) {
		check(strings != NULL && strings[count] == NULL, "array_strings NULL-terminated");
		rt_toml_strings_free(strings);
	} else {
		check(strings == NULL && rt_error_last() != NULL, "array_strings error recorded");
		rt_error_clear();
	}
}

static int entry_cb(const rt_toml_entry *e, void *payload)
{
	state *st = payload;
	char first, last;

	check(e->value_start < e->value_end && e->value_end <= st->len, "range inside the text");
	check(e->path_len > 0 && e->table_len <= e->path_len, "path lengths");
	for (size_t i = 0; i < e->path_len; i++)
		check(e->path[i] != NULL, "path segments");
	check(e->path[e->path_len] == NULL, "path NULL-terminated");
	check(e->line >= 1, "line");
	first = st->text[e->value_start];
	last = st->text[e->value_end - 1];
	/* Checked only if the scan succeeds: the line's end is checked after the callback. */
	if (!ends_value(st, e->value_end))
		st->bad_ends++;
	switch (e->kind) {
	case RT_TOML_STRING:
		check(e->string != NULL, "decoded string");
		check((first == '"' || first == '\'') && last == first, "string delimiters");
		if (st->replaced) {
			check(strcmp(e->string, "x") == 0, "replaced string reads x");
		} else {
			st->starts = rt_xrealloc(st->starts, (st->nstrings + 1) * sizeof(size_t));
			st->ends = rt_xrealloc(st->ends, (st->nstrings + 1) * sizeof(size_t));
			st->starts[st->nstrings] = e->value_start;
			st->ends[st->nstrings] = e->value_end;
			st->nstrings++;
		}
		break;
	case RT_TOML_ARRAY:
		check(first == '[' && last == ']', "array delimiters");
		check(e->string == NULL, "no string for arrays");
		check_array(st, e);
		break;
	case RT_TOML_INLINE_TABLE:
		check(first == '{' && last == '}', "inline table delimiters");
		break;
	case RT_TOML_OTHER:
		check(e->string == NULL, "no string for other values");
		check(strchr(" \t\r\n,}]#=\"'{[", first) == NULL &&
			  strchr(" \t\r\n,}]#=\"'{[", last) == NULL,
		      "other values are one token");
		break;
	}
	st->nentries++;
	return 0;
}

/* What an editor does: splice new bytes into every string's range. */
static void check_replacement(const state *st)
{
	rt_buf out = RT_BUF_INIT;
	state again;
	size_t at = 0;

	for (size_t i = 0; i < st->nstrings; i++) {
		check(st->starts[i] >= at, "string ranges ordered and disjoint");
		rt_buf_put(&out, st->text + at, st->starts[i] - at);
		rt_buf_puts(&out, "\"x\"");
		at = st->ends[i];
	}
	rt_buf_put(&out, st->text + at, st->len - at);
	memset(&again, 0, sizeof(again));
	again.text = rt_buf_cstr(&out);
	again.len = out.len;
	again.replaced = 1;
	check(rt_toml_scan(again.text, again.len, "fuzz.toml", entry_cb, &again) == 0,
	      "replaced text still scans");
	check(again.nentries == st->nentries, "replaced text has the same entries");
	rt_buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const path[] = {"package", "version"};
	/* An exact-size copy: ASan catches any read past the end. */
	char *text = rt_xmalloc(size);
	char *value = NULL;
	state st;
	int rc;

	memcpy(text, data, size);
	memset(&st, 0, sizeof(st));
	st.text = text;
	st.len = size;
	rc = rt_toml_scan(text, size, "fuzz.toml", entry_cb, &st);
	if (rc == 0) {
		check(st.bad_ends == 0,
		      "value followed by a blank, separator, comment or line end");
		check_replacement(&st);
	} else {
		const rt_error *err = rt_error_last();
		check(rc == -1 && err != NULL, "failed scan records an error");
		check(err->kind == RT_ERR_INPUT && err->file && err->line >= 1,
		      "error at file:line");
		rt_error_clear();
	}
	rc = rt_toml_get_string(&value, NULL, text, size, "fuzz.toml", path, 2);
	check((rc == 0) == (value != NULL), "get_string result");
	free(value);
	rt_error_clear();
	free(st.starts);
	free(st.ends);
	free(text);
	return 0;
}
