/* libFuzzer target: the glob matcher on arbitrary patterns and paths.
 * Input: pattern, a NUL byte, path. Invariants checked on every input:
 * a path matches itself as a pattern when neither has a special
 * character; `**` matches every path; `*` matches every single segment;
 * and the matcher never reads past either string (ASan). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "glob.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int plain(const char *s)
{
	return strpbrk(s, "*?[\\") == NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 2);
	const char *pattern, *path;
	size_t n;

	memcpy(buf, data, size);
	buf[size] = '\0';
	buf[size + 1] = '\0';
	pattern = buf;
	n = strlen(buf);
	path = n < size ? buf + n + 1 : buf + size + 1;
	(void)rt_glob_match(pattern, path);
	if (plain(path) && !rt_glob_match(path, path))
		abort();
	if (plain(pattern) && plain(path) && rt_glob_match(pattern, path) != (strcmp(pattern, path) == 0))
		abort();
	if (!rt_glob_match("**", path) && *path)
		abort();
	if (*path && !strchr(path, '/') && !rt_glob_match("*", path))
		abort();
	free(buf);
	return 0;
}
