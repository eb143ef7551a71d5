/*
 * buf: growable byte buffers and the allocation wrappers (see buf.h).
 */
#include "buf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void out_of_memory(size_t size)
{
	fprintf(stderr, "::error::release-train: out of memory allocating %zu bytes\n", size);
	abort();
}

void *rt_xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);
	if (!p)
		out_of_memory(size);
	return p;
}

void *rt_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		out_of_memory(n * size);
	return p;
}

void *rt_xrealloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);
	if (!p)
		out_of_memory(size);
	return p;
}

char *rt_xstrdup(const char *s)
{
	return rt_xstrndup(s, strlen(s));
}

char *rt_xstrndup(const char *s, size_t n)
{
	char *p = rt_xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *rt_xsprintf(const char *fmt, ...)
{
	rt_buf b = RT_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	rt_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	return rt_buf_detach(&b);
}

void rt_buf_grow(rt_buf *buf, size_t extra)
{
	size_t need = buf->len + extra + 1;
	size_t cap = buf->cap ? buf->cap : 64;

	if (need <= buf->cap)
		return;
	while (cap < need)
		cap *= 2;
	buf->ptr = rt_xrealloc(buf->ptr, cap);
	buf->cap = cap;
	buf->ptr[buf->len] = '\0'; /* a first allocation is terminated too */
}

void rt_buf_put(rt_buf *buf, const void *data, size_t len)
{
	rt_buf_grow(buf, len);
	if (len)
		memcpy(buf->ptr + buf->len, data, len);
	buf->len += len;
	buf->ptr[buf->len] = '\0';
}

void rt_buf_puts(rt_buf *buf, const char *s)
{
	rt_buf_put(buf, s, strlen(s));
}

void rt_buf_putc(rt_buf *buf, char c)
{
	rt_buf_put(buf, &c, 1);
}

void rt_buf_vprintf(rt_buf *buf, const char *fmt, va_list ap)
{
	va_list copy;
	int n;

	va_copy(copy, ap);
	n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n < 0)
		return;
	rt_buf_grow(buf, (size_t)n);
	vsnprintf(buf->ptr + buf->len, (size_t)n + 1, fmt, ap);
	buf->len += (size_t)n;
}

void rt_buf_printf(rt_buf *buf, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rt_buf_vprintf(buf, fmt, ap);
	va_end(ap);
}

const char *rt_buf_cstr(const rt_buf *buf)
{
	return buf->ptr ? buf->ptr : "";
}

char *rt_buf_detach(rt_buf *buf)
{
	char *p = buf->ptr ? buf->ptr : rt_xstrdup("");
	buf->ptr = NULL;
	buf->len = buf->cap = 0;
	return p;
}

void rt_buf_truncate(rt_buf *buf, size_t len)
{
	if (len < buf->len) {
		buf->len = len;
		buf->ptr[len] = '\0';
	}
}

void rt_buf_free(rt_buf *buf)
{
	free(buf->ptr);
	buf->ptr = NULL;
	buf->len = buf->cap = 0;
}

int rt_buf_read_file(rt_buf *buf, const char *path)
{
	char chunk[65536];
	FILE *f = fopen(path, "rb");
	size_t n;
	int error = 0;

	if (!f)
		return rt_error_set(RT_ERR_INPUT, "cannot open %s: %s", path, strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		rt_buf_put(buf, chunk, n);
	if (ferror(f))
		error = rt_error_set(RT_ERR_FAILED, "cannot read %s: %s", path, strerror(errno));
	else
		rt_buf_grow(buf, 0); /* an empty file still yields a terminated string */
	fclose(f);
	return error;
}

int rt_buf_write_file_atomic(const char *path, const void *data, size_t len)
{
	char *tmp = rt_xsprintf("%s.rt-tmp-XXXXXX", path);
	struct stat st;
	const char *p = data;
	int fd = mkstemp(tmp);
	int error = -1;

	if (fd < 0) {
		rt_error_set(RT_ERR_FAILED, "cannot create a temporary file beside %s: %s", path,
			     strerror(errno));
		goto cleanup;
	}
	/* keep the file's owner (root in the container edits the runner user's
	 * workspace) and permissions (mkstemp makes 0600) */
	if (stat(path, &st) == 0) {
		if (fchown(fd, st.st_uid, st.st_gid) < 0) {
			/* not root: the file becomes ours, as with any other write */
		}
		fchmod(fd, st.st_mode & 07777);
	} else
		fchmod(fd, 0644);
	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			rt_error_set(RT_ERR_FAILED, "cannot write %s: %s", path, strerror(errno));
			goto cleanup;
		}
		p += w;
		len -= (size_t)w;
	}
	if (fsync(fd) < 0) {
		rt_error_set(RT_ERR_FAILED, "cannot write %s: %s", path, strerror(errno));
		goto cleanup;
	}
	if (close(fd) < 0) {
		fd = -1;
		rt_error_set(RT_ERR_FAILED, "cannot write %s: %s", path, strerror(errno));
		goto cleanup;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		rt_error_set(RT_ERR_FAILED, "cannot replace %s: %s", path, strerror(errno));
		goto cleanup;
	}
	error = 0;

cleanup:
	if (fd >= 0)
		close(fd);
	if (error)
		unlink(tmp);
	free(tmp);
	return error;
}
