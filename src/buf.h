/*
 * buf: a growable, always NUL-terminated byte buffer (after Redis' sds).
 *
 * Every string built from outside data (requests, paths, file edits) goes
 * through one of these instead of a fixed array. Allocation failure
 * aborts the program (rt_xmalloc): a release tool that cannot allocate a
 * few kilobytes has nothing sensible left to do, and not threading ENOMEM
 * through every caller keeps the real error paths readable.
 */
#ifndef RT_BUF_H
#define RT_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "error.h"

typedef struct {
	char *ptr;  /* NUL-terminated when cap > 0; may contain NULs */
	size_t len; /* bytes used, not counting the terminator */
	size_t cap; /* bytes allocated */
} rt_buf;

#define RT_BUF_INIT {NULL, 0, 0}

void *rt_xmalloc(size_t size);
void *rt_xcalloc(size_t n, size_t size);
void *rt_xrealloc(void *ptr, size_t size);
char *rt_xstrdup(const char *s);
char *rt_xstrndup(const char *s, size_t n);
char *rt_xsprintf(const char *fmt, ...) RT_PRINTF(1, 2);

void rt_buf_grow(rt_buf *buf, size_t extra);
void rt_buf_put(rt_buf *buf, const void *data, size_t len);
void rt_buf_puts(rt_buf *buf, const char *s);
void rt_buf_putc(rt_buf *buf, char c);
void rt_buf_printf(rt_buf *buf, const char *fmt, ...) RT_PRINTF(2, 3);
void rt_buf_vprintf(rt_buf *buf, const char *fmt, va_list ap) RT_PRINTF(2, 0);
/* The contents as a C string; "" for an empty, never-allocated buffer. */
const char *rt_buf_cstr(const rt_buf *buf);
/* Hand the allocation to the caller (who frees it) and reset the buffer. */
char *rt_buf_detach(rt_buf *buf);
void rt_buf_truncate(rt_buf *buf, size_t len);
void rt_buf_free(rt_buf *buf);
/* Read a whole file; on failure records an error naming the path and returns -1. */
int rt_buf_read_file(rt_buf *buf, const char *path);
/* Write a file atomically (temporary file in the same directory, then rename). */
int rt_buf_write_file_atomic(const char *path, const void *data, size_t len);

#endif
