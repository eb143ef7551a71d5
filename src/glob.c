/*
 * glob: patterns to files (see glob.h).
 *
 * The idea: split a pattern into segments and walk the tree with them,
 * one directory level per segment, reading a directory only when the
 * segment is a wildcard (a literal segment is one stat). `**` either
 * stops being used (zero segments) or descends one more level, staying on
 * the same segment; the duplicates that produces are removed at the end,
 * when the whole result is sorted. Symbolic links to directories are not
 * descended by `**`, so a link loop cannot make the walk endless.
 */
#include "glob.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "error.h"

/* --- matching ------------------------------------------------------------- */

/* A bracket expression at p (just after '['); *matched gets whether c is in
 * it. Returns the length consumed after '[' (through ']'), or 0 when the
 * bracket is not closed (then '[' is an ordinary character). */
static size_t match_bracket(const char *p, size_t n, char c, bool *matched)
{
	size_t i = 0;
	bool negate = false, in = false;

	if (i < n && (p[i] == '!' || p[i] == '^')) {
		negate = true;
		i++;
	}
	for (bool first = true; i < n; first = false) {
		char lo, hi;

		if (p[i] == ']' && !first) {
			*matched = in != negate;
			return i + 1;
		}
		lo = p[i];
		if (lo == '\\' && i + 1 < n)
			lo = p[++i];
		i++;
		hi = lo;
		if (i + 1 < n && p[i] == '-' && p[i + 1] != ']') {
			hi = p[i + 1];
			if (hi == '\\' && i + 2 < n)
				hi = p[++i + 1];
			i += 2;
		}
		if ((unsigned char)c >= (unsigned char)lo && (unsigned char)c <= (unsigned char)hi)
			in = true;
	}
	return 0;
}

/* One segment pattern (p, n) against one name (s, m), no '/' in either. */
static bool match_segment(const char *p, size_t n, const char *s, size_t m)
{
	size_t pi = 0, si = 0, star_p = (size_t)-1, star_s = 0;

	while (si < m) {
		if (pi < n && p[pi] == '*') {
			star_p = ++pi;
			star_s = si;
			continue;
		}
		if (pi < n) {
			bool ok = false;
			size_t step = 1;
			if (p[pi] == '?') {
				ok = true;
			} else if (p[pi] == '[') {
				bool in = false;
				size_t used = match_bracket(p + pi + 1, n - pi - 1, s[si], &in);
				if (used) {
					ok = in;
					step = used + 1;
				} else {
					ok = s[si] == '[';
				}
			} else if (p[pi] == '\\' && pi + 1 < n) {
				ok = p[pi + 1] == s[si];
				step = 2;
			} else {
				ok = p[pi] == s[si];
			}
			if (ok) {
				pi += step;
				si++;
				continue;
			}
		}
		if (star_p == (size_t)-1)
			return false;
		pi = star_p;
		si = ++star_s;
	}
	while (pi < n && p[pi] == '*')
		pi++;
	return pi == n;
}

static bool has_wildcard(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '*' || p[i] == '?' || p[i] == '[')
			return true;
		if (p[i] == '\\')
			i++;
	}
	return false;
}

static size_t seg_len(const char *s)
{
	return strcspn(s, "/");
}

static bool is_globstar(const char *p, size_t n)
{
	return n == 2 && p[0] == '*' && p[1] == '*';
}

typedef struct {
	const char *p;
	size_t n;
} segment;

/* The '/'-separated segments of s (an empty s is one empty segment). */
static segment *split_segments(const char *s, size_t *count)
{
	size_t n = 1, i = 0;
	segment *out;

	for (const char *c = s; *c; c++)
		n += *c == '/';
	out = rt_xcalloc(n, sizeof(segment));
	for (;;) {
		size_t len = seg_len(s);
		out[i++] = (segment){s, len};
		if (!s[len])
			break;
		s += len + 1;
	}
	*count = i;
	return out;
}

bool rt_glob_match(const char *pattern, const char *path)
{
	size_t np, ns, i = 0, j = 0, star = (size_t)-1, mark = 0;
	segment *ps, *ss;
	bool matched;

	if (!pattern || !path)
		return false;
	ps = split_segments(pattern, &np);
	ss = split_segments(path, &ns);
	/* The classic one-star backtracking, over segments: `**` is the star
	 * (any run of segments), every other segment matches exactly one.
	 * Going back only to the last `**` is enough, so the time is
	 * O(segments^2) whatever the number of `**`. */
	while (j < ns) {
		if (i < np && is_globstar(ps[i].p, ps[i].n)) {
			star = i++;
			mark = j;
		} else if (i < np && match_segment(ps[i].p, ps[i].n, ss[j].p, ss[j].n)) {
			i++;
			j++;
		} else if (star != (size_t)-1) {
			i = star + 1;
			j = ++mark;
		} else {
			break;
		}
	}
	while (j == ns && i < np && is_globstar(ps[i].p, ps[i].n))
		i++;
	matched = j == ns && i == np;
	free(ps);
	free(ss);
	return matched;
}

/* --- walking -------------------------------------------------------------- */

typedef struct {
	char **segs;
	size_t nsegs;
	const char *base; /* directory that relative paths are joined to, or NULL */
	char **found;
	size_t count, cap;
	int error;
} walk_state;

static void add_found(walk_state *st, const char *path)
{
	if (st->count == st->cap) {
		st->cap = st->cap ? st->cap * 2 : 16;
		st->found = rt_xrealloc(st->found, st->cap * sizeof(char *));
	}
	st->found[st->count++] = rt_xstrdup(path);
}

/* The path on disk for a path as the pattern spells it. */
static char *disk_path(const walk_state *st, const char *rel)
{
	if (rel[0] == '/' || !st->base || !*st->base)
		return rt_xstrdup(*rel ? rel : ".");
	return *rel ? rt_xsprintf("%s/%s", st->base, rel) : rt_xstrdup(st->base);
}

static char *join(const char *dir, const char *name)
{
	if (!*dir)
		return rt_xstrdup(name);
	if (strcmp(dir, "/") == 0)
		return rt_xsprintf("/%s", name);
	return rt_xsprintf("%s/%s", dir, name);
}

static void walk(walk_state *st, const char *rel, size_t i);

/* Is rel a directory on disk (following links when follow)? */
static bool is_dir(const walk_state *st, const char *rel, bool follow)
{
	struct stat sb;
	char *p = disk_path(st, rel);
	int rc = follow ? stat(p, &sb) : lstat(p, &sb);

	free(p);
	return rc == 0 && S_ISDIR(sb.st_mode);
}

static bool exists(const walk_state *st, const char *rel)
{
	struct stat sb;
	char *p = disk_path(st, rel);
	int rc = stat(p, &sb);

	free(p);
	return rc == 0;
}

/* Every entry of directory rel whose name matches segment i, walked on. */
static void walk_dir(walk_state *st, const char *rel, size_t i, bool globstar)
{
	char *p = disk_path(st, rel);
	DIR *d = opendir(p);
	const struct dirent *e;
	const char *seg = st->segs[i];

	if (!d) {
		if (errno != ENOENT && errno != ENOTDIR && errno != EACCES && !st->error)
			st->error = rt_error_set(RT_ERR_FAILED, "cannot read directory %s: %s", p,
						 strerror(errno));
		free(p);
		return;
	}
	free(p);
	while ((e = readdir(d)) != NULL) {
		char *child;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		child = join(rel, e->d_name);
		if (globstar) {
			if (is_dir(st, child, false))
				walk(st, child, i); /* ** eats this segment and stays */
		} else if (match_segment(seg, strlen(seg), e->d_name, strlen(e->d_name))) {
			if (i + 1 == st->nsegs) {
				if (!is_dir(st, child, true))
					add_found(st, child);
			} else {
				walk(st, child, i + 1);
			}
		}
		free(child);
	}
	closedir(d);
}

/* Every non-directory at any depth below rel (links to directories are
 * not descended). */
static void walk_all_files(walk_state *st, const char *rel)
{
	char *p = disk_path(st, rel);
	DIR *d = opendir(p);
	const struct dirent *e;

	free(p);
	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		char *child;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		child = join(rel, e->d_name);
		if (is_dir(st, child, false))
			walk_all_files(st, child);
		else if (!is_dir(st, child, true))
			add_found(st, child);
		free(child);
	}
	closedir(d);
}

/* rel matched segments [0, i); match the rest. */
static void walk(walk_state *st, const char *rel, size_t i)
{
	const char *seg;
	size_t n;

	if (i == st->nsegs) {
		/* defensive: the last segment is matched where it is read */
		if (*rel && !is_dir(st, rel, true))
			add_found(st, rel);
		return;
	}
	seg = st->segs[i];
	n = strlen(seg);
	if (is_globstar(seg, n)) {
		if (i + 1 == st->nsegs) {
			walk_all_files(st, rel); /* trailing **: every file below rel */
			return;
		}
		walk(st, rel, i + 1);       /* zero segments */
		walk_dir(st, rel, i, true); /* one more level */
		return;
	}
	if (!has_wildcard(seg, n)) {
		char *child = join(rel, seg);
		/* unescape a literal segment */
		char *w = child + strlen(child) - n, *r = w;
		for (; *r; r++) {
			if (*r == '\\' && r[1])
				r++;
			*w++ = *r;
		}
		*w = '\0';
		if (i + 1 == st->nsegs) {
			if (exists(st, child))
				add_found(st, child);
		} else if (is_dir(st, child, true)) {
			walk(st, child, i + 1);
		}
		free(child);
		return;
	}
	walk_dir(st, rel, i, false);
}

static int compare_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Split a pattern into segments; "a//b" and "./a" lose the empty and "." ones. */
static void split(walk_state *st, const char *pattern, char **root)
{
	const char *p = pattern;

	*root = rt_xstrdup(pattern[0] == '/' ? "/" : "");
	while (*p) {
		size_t n = seg_len(p);
		if (n && !(n == 1 && p[0] == '.')) {
			st->segs = rt_xrealloc(st->segs, (st->nsegs + 1) * sizeof(char *));
			st->segs[st->nsegs++] = rt_xstrndup(p, n);
		}
		p += n;
		if (*p)
			p++;
	}
}

static void free_segs(walk_state *st)
{
	for (size_t i = 0; i < st->nsegs; i++)
		free(st->segs[i]);
	free(st->segs);
	st->segs = NULL;
	st->nsegs = 0;
}

int rt_glob_expand(rt_glob_result *out, const char *base_dir, const char *patterns)
{
	walk_state st = {0};
	const char *line = patterns ? patterns : "";
	size_t unmatched_cap = 0, w = 0;

	memset(out, 0, sizeof(*out));
	st.base = base_dir;
	while (*line) {
		size_t n = strcspn(line, "\n");
		const char *s = line, *e = line + n;
		char *pattern, *root;
		size_t before = st.count;

		line = *e ? e + 1 : e;
		while (s < e && (*s == ' ' || *s == '\t' || *s == '\r'))
			s++;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
			e--;
		if (s == e)
			continue;
		pattern = rt_xstrndup(s, (size_t)(e - s));
		split(&st, pattern, &root);
		if (st.nsegs)
			walk(&st, root, 0);
		free_segs(&st);
		free(root);
		if (st.count == before) {
			if (out->unmatched_count == unmatched_cap) {
				unmatched_cap = unmatched_cap ? unmatched_cap * 2 : 4;
				out->unmatched = rt_xrealloc(out->unmatched, unmatched_cap * sizeof(char *));
			}
			out->unmatched[out->unmatched_count++] = pattern;
		} else {
			free(pattern);
		}
		if (st.error)
			break;
	}
	if (st.count)
		qsort(st.found, st.count, sizeof(char *), compare_str);
	for (size_t r = 0; r < st.count; r++) {
		if (w && strcmp(st.found[w - 1], st.found[r]) == 0)
			free(st.found[r]);
		else
			st.found[w++] = st.found[r];
	}
	out->paths = st.found;
	out->count = w;
	if (st.error) {
		rt_glob_result_free(out);
		return -1;
	}
	return 0;
}

void rt_glob_result_free(rt_glob_result *res)
{
	if (!res)
		return;
	for (size_t i = 0; i < res->count; i++)
		free(res->paths[i]);
	for (size_t i = 0; i < res->unmatched_count; i++)
		free(res->unmatched[i]);
	free(res->paths);
	free(res->unmatched);
	memset(res, 0, sizeof(*res));
}
