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
/* The same with a development suffix P (input prerelease-id; NULL or ""
 * gives rt_semver_bump): major/minor give the next version with -P
 * (49.0.0-dev -> 50.0.0-dev), patch raises the patch number and keeps any
 * pre-release, rc gives -rc.1 of the same core on -P or a plain version
 * and -rc.(N+1) on -rc.N, release drops the pre-release. */
int rt_semver_bump_pre(rt_semver *out, const rt_semver *in, rt_bump_level level,
		       const char *prerelease_id);
int rt_semver_copy(rt_semver *out, const rt_semver *in);
void rt_semver_free(rt_semver *v);

#endif
