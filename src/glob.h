/*
 * glob: the files a release uploads, from newline-separated patterns.
 *
 * Patterns are matched segment by segment against the directory tree, so
 * only the directories a pattern can reach are read: `*`, `?` and `[...]`
 * (ranges, `!`/`^` negation) match within one path segment, and a segment
 * that is exactly `**` matches any number of segments, none included.
 * Wildcards match dot files too. A pattern without wildcards names one
 * path, which may be a directory (the release's preflight refuses it);
 * wildcards only ever yield non-directories. The result is de-duplicated
 * and sorted bytewise, and every pattern that matched nothing is named.
 */
#ifndef RT_GLOB_H
#define RT_GLOB_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
	char **paths;       /* matched paths as the patterns spell them, sorted, unique */
	size_t count;
	char **unmatched;   /* patterns (trimmed) that matched nothing, in input order */
	size_t unmatched_count;
} rt_glob_result;

/* Does pattern match path (both '/'-separated)? */
bool rt_glob_match(const char *pattern, const char *path);

/* Expand newline-separated patterns (blank lines ignored, surrounding
 * blanks trimmed) relative to base_dir (absolute patterns as they are).
 * Fails (-1, error recorded) only when a directory cannot be read for a
 * reason other than its absence. */
int rt_glob_expand(rt_glob_result *out, const char *base_dir, const char *patterns);
void rt_glob_result_free(rt_glob_result *res);

#endif
