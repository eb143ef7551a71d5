/*
 * fuzz_notes: libFuzzer target for the release-notes reader (notes.c).
 *
 * The input is "VERSION\n" followed by a notes file. Promises: a found
 * section lies inside the text and its heading names the version (or its
 * core); the extracted body is a substring of the file (or a cut of one,
 * within the limit); marking a section released changes exactly one
 * `Unreleased` into `Released DATE`, or nothing at all.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "notes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_notes: broken promise: %s\n", what);
		abort();
	}
}

static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	rt_notes_section sec;
	rt_buf marked = RT_BUF_INIT;
	char *version, *text, *body = NULL;
	size_t vlen, len;
	bool changed;

	if (!nl || nl == data || memchr(data, '\0', (size_t)(nl - data)))
		return 0;
	vlen = (size_t)(nl - data);
	version = rt_xstrndup((const char *)data, vlen);
	len = size - vlen - 1;
	/* exact-size copy: ASan catches a read past the end */
	text = rt_xmalloc(len ? len : 1);
	memcpy(text, nl + 1, len);

	if (rt_notes_find(&sec, text, len, version) == 0) {
		check(sec.heading_start < sec.body_start && sec.body_start <= sec.end && sec.end <= len,
		      "section inside the text");
		check(sec.heading_line >= 1, "heading line");
	}
	if (rt_notes_extract(&body, text, len, version, "NOTES.md", 0) == 0) {
		check(body != NULL, "body");
		check(strlen(body) <= len, "body no longer than the file");
		free(body);
		body = NULL;
	}
	rt_error_clear();
	if (rt_notes_extract(&body, text, len, version, "NOTES.md", 300) == 0 && !memchr(text, '\0', len))
		check(utf8_chars(body) <= 300, "cut within the limit");
	free(body);
	rt_error_clear();
	if (rt_notes_mark_released(&marked, &changed, text, len, version, "2026-12-20", "NOTES.md") == 0) {
		if (changed)
			check(marked.len == len + strlen("Released 2026-12-20") - strlen("Unreleased"), "one word replaced");
		else
			check(marked.len == len && memcmp(marked.ptr, text, len) == 0, "unchanged");
	}
	rt_error_clear();
	rt_buf_free(&marked);
	free(text);
	free(version);
	return 0;
}
