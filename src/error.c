/*
 * error: the single error record (see error.h for the convention).
 *
 * The program is single-threaded where errors are recorded (upload
 * workers report through their transfer results), so one static record
 * is enough and keeps every call site a one-liner.
 */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

static rt_error last_error;

static void error_reset(void)
{
	free(last_error.message);
	free(last_error.file);
	memset(&last_error, 0, sizeof(last_error));
}

static int error_vset(rt_error_kind kind, const char *file, int line, const char *fmt, va_list ap)
{
	rt_buf msg = RT_BUF_INIT;

	rt_buf_vprintf(&msg, fmt, ap);
	error_reset();
	last_error.kind = kind;
	last_error.message = rt_buf_detach(&msg);
	last_error.file = file ? rt_xstrdup(file) : NULL;
	last_error.line = line;
	return -1;
}

int rt_error_set(rt_error_kind kind, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	error_vset(kind, NULL, 0, fmt, ap);
	va_end(ap);
	return -1;
}

int rt_error_set_at(rt_error_kind kind, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	error_vset(kind, file, line, fmt, ap);
	va_end(ap);
	return -1;
}

int rt_error_prefix(const char *fmt, ...)
{
	rt_buf msg = RT_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	rt_buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	if (last_error.message) {
		rt_buf_puts(&msg, ": ");
		rt_buf_puts(&msg, last_error.message);
		free(last_error.message);
	} else {
		last_error.kind = RT_ERR_FAILED;
	}
	last_error.message = rt_buf_detach(&msg);
	return -1;
}

int rt_error_locate(const char *file, int line)
{
	if (last_error.message && !last_error.file && file) {
		last_error.file = rt_xstrdup(file);
		last_error.line = line;
	}
	return -1;
}

const rt_error *rt_error_last(void)
{
	return last_error.message ? &last_error : NULL;
}

void rt_error_clear(void)
{
	error_reset();
}

int rt_error_exit_status(void)
{
	return last_error.kind == RT_ERR_INPUT ? 2 : 1;
}
