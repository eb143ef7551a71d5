/*
 * semver: Semantic Versioning 2.0.0 values: parse, compare, format, bump.
 *
 * Parsing is strict (no leading zeros, no empty identifiers, no "v"
 * prefix) because a version that goes into a tag and into Cargo.toml must
 * mean the same thing to cargo, to GitHub and to people. Bumping follows
 * the SPEC's levels, computed per crate from its own version, and keeps
 * build metadata.
 */
#ifndef RT_SEMVER_H
#define RT_SEMVER_H

#include <stdint.h>

typedef struct {
	uint64_t major, minor, patch;
	char *pre;   /* pre-release without '-', or NULL */
	char *build; /* build metadata without '+', or NULL */
} rt_semver;

typedef enum {
	RT_BUMP_MAJOR,
	RT_BUMP_MINOR,
	RT_BUMP_PATCH,
	RT_BUMP_RC,     /* add -rc.1, or raise -rc.N */
	RT_BUMP_RELEASE /* drop the pre-release */
} rt_bump_level;

/* Parse text (exactly, no surrounding space); records an RT_ERR_INPUT error saying why. */
int rt_semver_parse(rt_semver *out, const char *text);
/* SemVer 2.0 precedence: <0, 0, >0. Build metadata is ignored. */
int rt_semver_compare(const rt_semver *a, const rt_semver *b);
/* "X.Y.Z[-pre][+build]" (caller frees). */
char *rt_semver_format(const rt_semver *v);
int rt_semver_bump(rt_semver *out, const rt_semver *in, rt_bump_level level);
int rt_semver_copy(rt_semver *out, const rt_semver *in);
void rt_semver_free(rt_semver *v);

#endif
