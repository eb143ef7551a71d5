/*
 * semver: Semantic Versioning 2.0.0 (see semver.h).
 *
 * The grammar is checked identifier by identifier so that the error can
 * say exactly what is wrong ("leading zero in minor version"), which is
 * what a release manager needs when a manifest holds "1.02.0".
 */
#include "semver.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"

static bool is_ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '-';
}

static bool all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return n > 0;
}

/* One numeric core part ending at '.', '-', '+' or NUL; advances *p. */
static int parse_number(uint64_t *out, const char **p, const char *what, const char *text)
{
	const char *s = *p;
	uint64_t v = 0;
	size_t n = 0;

	while (isdigit((unsigned char)s[n])) {
		unsigned d = (unsigned)(s[n] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return rt_error_set(RT_ERR_INPUT, "invalid version '%s': %s version is too large",
					    text, what);
		v = v * 10 + d;
		n++;
	}
	if (n == 0)
		return rt_error_set(RT_ERR_INPUT,
				    "invalid version '%s': %s version must be a number (expected MAJOR.MINOR.PATCH)",
				    text, what);
	if (n > 1 && s[0] == '0')
		return rt_error_set(RT_ERR_INPUT, "invalid version '%s': leading zero in %s version",
				    text, what);
	*out = v;
	*p = s + n;
	return 0;
}

/* Dot-separated identifiers [0-9A-Za-z-]+; numeric ones without leading zeros when strict. */
static int check_identifiers(const char *s, size_t len, bool numeric_strict, const char *what,
			     const char *text)
{
	size_t start = 0, i;

	for (i = 0; i <= len; i++) {
		if (i < len && s[i] != '.') {
			if (!is_ident_char(s[i]))
				return rt_error_set(RT_ERR_INPUT,
						    "invalid version '%s': character '%c' is not allowed in the %s (only 0-9, A-Z, a-z, '-')",
						    text, s[i], what);
			continue;
		}
		if (i == start)
			return rt_error_set(RT_ERR_INPUT, "invalid version '%s': empty identifier in the %s",
					    text, what);
		if (numeric_strict && all_digits(s + start, i - start) && i - start > 1 && s[start] == '0')
			return rt_error_set(RT_ERR_INPUT,
					    "invalid version '%s': numeric identifier with a leading zero in the %s",
					    text, what);
		start = i + 1;
	}
	return 0;
}

int rt_semver_parse(rt_semver *out, const char *text)
{
	const char *p = text, *pre = NULL, *build = NULL;
	size_t pre_len = 0, build_len = 0;

	memset(out, 0, sizeof(*out));
	if (*p == 'v' || *p == 'V')
		return rt_error_set(RT_ERR_INPUT,
				    "invalid version '%s': write it without the leading 'v' (the tag format adds it)",
				    text);
	if (parse_number(&out->major, &p, "major", text) < 0)
		return -1;
	if (*p++ != '.')
		return rt_error_set(RT_ERR_INPUT, "invalid version '%s': expected MAJOR.MINOR.PATCH", text);
	if (parse_number(&out->minor, &p, "minor", text) < 0)
		return -1;
	if (*p++ != '.')
		return rt_error_set(RT_ERR_INPUT, "invalid version '%s': expected MAJOR.MINOR.PATCH", text);
	if (parse_number(&out->patch, &p, "patch", text) < 0)
		return -1;
	if (*p == '-') {
		pre = ++p;
		while (*p && *p != '+')
			p++;
		pre_len = (size_t)(p - pre);
		if (check_identifiers(pre, pre_len, true, "pre-release", text) < 0)
			return -1;
	}
	if (*p == '+') {
		build = ++p;
		build_len = strlen(build);
		if (check_identifiers(build, build_len, false, "build metadata", text) < 0)
			return -1;
		p += build_len;
	}
	if (*p)
		return rt_error_set(RT_ERR_INPUT,
				    "invalid version '%s': unexpected '%c' after MAJOR.MINOR.PATCH", text, *p);
	out->pre = pre ? rt_xstrndup(pre, pre_len) : NULL;
	out->build = build ? rt_xstrndup(build, build_len) : NULL;
	return 0;
}

/* Compare one pre-release identifier each (lengths given). */
static int compare_identifier(const char *a, size_t alen, const char *b, size_t blen)
{
	bool anum = all_digits(a, alen), bnum = all_digits(b, blen);
	int c;

	if (anum && bnum) {
		/* no leading zeros, so the longer number is the larger */
		if (alen != blen)
			return alen < blen ? -1 : 1;
		c = memcmp(a, b, alen);
		return c < 0 ? -1 : c > 0;
	}
	if (anum != bnum)
		return anum ? -1 : 1; /* numeric identifiers have lower precedence */
	c = memcmp(a, b, alen < blen ? alen : blen);
	if (c)
		return c < 0 ? -1 : 1;
	return alen == blen ? 0 : (alen < blen ? -1 : 1);
}

static int compare_prerelease(const char *a, const char *b)
{
	if (!a || !b)
		return !a && !b ? 0 : (a ? -1 : 1); /* a pre-release sorts before the release */
	while (*a && *b) {
		size_t alen = strcspn(a, "."), blen = strcspn(b, ".");
		int c = compare_identifier(a, alen, b, blen);
		if (c)
			return c;
		a += alen + (a[alen] == '.');
		b += blen + (b[blen] == '.');
	}
	return *a ? 1 : (*b ? -1 : 0); /* a larger set of identifiers wins */
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : (a > b);
}

int rt_semver_compare(const rt_semver *a, const rt_semver *b)
{
	int c = cmp_u64(a->major, b->major);

	if (!c)
		c = cmp_u64(a->minor, b->minor);
	if (!c)
		c = cmp_u64(a->patch, b->patch);
	if (!c)
		c = compare_prerelease(a->pre, b->pre);
	return c;
}

char *rt_semver_format(const rt_semver *v)
{
	rt_buf out = RT_BUF_INIT;

	rt_buf_printf(&out, "%llu.%llu.%llu", (unsigned long long)v->major,
		      (unsigned long long)v->minor, (unsigned long long)v->patch);
	if (v->pre)
		rt_buf_printf(&out, "-%s", v->pre);
	if (v->build)
		rt_buf_printf(&out, "+%s", v->build);
	return rt_buf_detach(&out);
}

int rt_semver_copy(rt_semver *out, const rt_semver *in)
{
	*out = *in;
	out->pre = in->pre ? rt_xstrdup(in->pre) : NULL;
	out->build = in->build ? rt_xstrdup(in->build) : NULL;
	return 0;
}

void rt_semver_free(rt_semver *v)
{
	free(v->pre);
	free(v->build);
	v->pre = v->build = NULL;
}

/* "rc.N" -> "rc.N+1"; any other pre-release -> error (we cannot guess its scheme). */
static int bump_rc(rt_semver *v, const char *text_for_errors)
{
	const char *n;
	char *end;
	unsigned long long num;

	if (!v->pre) {
		v->pre = rt_xstrdup("rc.1");
		return 0;
	}
	if (strncmp(v->pre, "rc.", 3) != 0 || !all_digits(v->pre + 3, strlen(v->pre + 3)))
		return rt_error_set(RT_ERR_INPUT,
				    "cannot apply level 'rc' to %s: its pre-release '%s' is not of the form rc.N; set the version explicitly with the 'version' input",
				    text_for_errors, v->pre);
	n = v->pre + 3;
	errno = 0;
	num = strtoull(n, &end, 10);
	if (errno || num == UINT64_MAX)
		return rt_error_set(RT_ERR_INPUT, "cannot apply level 'rc' to %s: number too large",
				    text_for_errors);
	free(v->pre);
	v->pre = rt_xsprintf("rc.%llu", num + 1);
	return 0;
}

/* Whether the part that level raises is already UINT64_MAX (it would wrap to 0). */
static bool bump_overflows(const rt_semver *v, rt_bump_level level)
{
	switch (level) {
	case RT_BUMP_MAJOR: return (v->major ? v->major : v->minor ? v->minor : v->patch) == UINT64_MAX;
	case RT_BUMP_MINOR: return v->minor == UINT64_MAX;
	case RT_BUMP_PATCH: return v->patch == UINT64_MAX;
	default: return false;
	}
}

int rt_semver_bump(rt_semver *out, const rt_semver *in, rt_bump_level level)
{
	char *text = rt_semver_format(in);
	int error = 0;

	if (bump_overflows(in, level)) {
		rt_error_set(RT_ERR_INPUT, "cannot bump %s: the number is too large", text);
		memset(out, 0, sizeof(*out));
		free(text);
		return -1;
	}
	rt_semver_copy(out, in);
	switch (level) {
	case RT_BUMP_MAJOR:
		/* Cargo's compatibility rule: the left-most non-zero part is the "major" one */
		if (out->major > 0) {
			out->major++;
			out->minor = out->patch = 0;
		} else if (out->minor > 0) {
			out->minor++;
			out->patch = 0;
		} else {
			out->patch++;
		}
		break;
	case RT_BUMP_MINOR:
		out->minor++;
		out->patch = 0;
		break;
	case RT_BUMP_PATCH:
		out->patch++;
		break;
	case RT_BUMP_RC:
		error = bump_rc(out, text);
		break;
	case RT_BUMP_RELEASE:
		if (!out->pre) {
			error = rt_error_set(RT_ERR_INPUT,
					     "cannot apply level 'release' to %s: it is not a pre-release",
					     text);
		}
		break;
	}
	if (level != RT_BUMP_RC) {
		free(out->pre);
		out->pre = NULL;
	}
	if (error)
		rt_semver_free(out);
	free(text);
	return error;
}

int rt_semver_bump_pre(rt_semver *out, const rt_semver *in, rt_bump_level level,
		       const char *prerelease_id)
{
	rt_semver core;
	int error;

	if (!prerelease_id || !*prerelease_id)
		return rt_semver_bump(out, in, level);
	if (check_identifiers(prerelease_id, strlen(prerelease_id), true, "pre-release",
			      prerelease_id) < 0)
		return rt_error_prefix("input 'prerelease-id'");
	switch (level) {
	case RT_BUMP_MAJOR:
	case RT_BUMP_MINOR:
		if (rt_semver_bump(out, in, level) < 0)
			return -1;
		out->pre = rt_xstrdup(prerelease_id);
		return 0;
	case RT_BUMP_PATCH:
		if (rt_semver_bump(out, in, level) < 0)
			return -1;
		out->pre = in->pre ? rt_xstrdup(in->pre) : NULL;
		return 0;
	case RT_BUMP_RC:
		rt_semver_copy(&core, in);
		if (core.pre && strcmp(core.pre, prerelease_id) == 0) {
			free(core.pre);
			core.pre = NULL;
		}
		error = rt_semver_bump(out, &core, RT_BUMP_RC);
		rt_semver_free(&core);
		return error;
	case RT_BUMP_RELEASE:
		return rt_semver_bump(out, in, level);
	}
	return rt_error_set(RT_ERR_INPUT, "unknown bump level");
}
