/* Shared helpers for the Criterion unit suites. */
#ifndef RT_TEST_HELPERS_H
#define RT_TEST_HELPERS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"

/* A fresh temporary directory (caller frees the string). */
static inline char *test_tmpdir(void)
{
	char tmpl[] = "/tmp/rt-unit-XXXXXX";
	char *dir = mkdtemp(tmpl);
	return dir ? rt_xstrdup(dir) : NULL;
}

/* Whole file as a string ("" when missing; caller frees). */
static inline char *test_slurp(const char *path)
{
	rt_buf b = RT_BUF_INIT;
	if (rt_buf_read_file(&b, path) < 0) {
		rt_error_clear();
		return rt_xstrdup("");
	}
	return rt_buf_detach(&b);
}

static inline void test_write(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

#endif
