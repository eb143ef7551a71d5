/*
 * fuzz_manifest: libFuzzer target for rt_manifest_version.
 *
 * The first byte picks the file name (and so the format), the rest is the
 * file. A success must give a non-empty version without line breaks; a
 * failure must record an input error naming that file.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_manifest: broken promise: %s\n", what);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {"Cargo.toml", "package.json",	 "pyproject.toml",
					    "VERSION",	  "crates/x/Cargo.toml", "version.txt"};
	const char *name;
	char *text, *version = NULL;
	int rc;

	if (size == 0)
		return 0;
	name = names[data[0] % (sizeof(names) / sizeof(names[0]))];
	/* An exact-size copy: ASan catches any read past the end. */
	text = rt_xmalloc(size - 1);
	memcpy(text, data + 1, size - 1);
	rc = rt_manifest_version(&version, name, text, size - 1);
	if (rc == 0) {
		check(version != NULL && version[0] != '\0', "non-empty version");
		if (strcmp(name, "VERSION") == 0 || strcmp(name, "version.txt") == 0)
			check(strpbrk(version, "\r\n") == NULL, "one line");
	} else {
		const rt_error *err = rt_error_last();
		check(version == NULL, "no version on failure");
		check(err != NULL && err->kind == RT_ERR_INPUT, "input error recorded");
		check(err->file != NULL && strcmp(err->file, name) == 0, "error names the file");
		check(err->line >= 0, "line");
	}
	rt_error_clear();
	free(version);
	free(text);
	return 0;
}
