/*
 * manifest: the version a project declares in its root file.
 *
 * Used by the tag mode on file contents read from git objects (not the
 * work tree), so it takes text, not paths. The format follows the file's
 * name: Cargo.toml ([workspace.package] version, then [package] version;
 * a TOML-aware read, never a grep for the first `version =` line),
 * package.json (top-level "version"), or a plain VERSION file (its one
 * line).
 */
#ifndef RT_MANIFEST_H
#define RT_MANIFEST_H

#include <stddef.h>

/* The files tried, in order, when version-from is auto. NULL-terminated. */
extern const char *const rt_manifest_auto_files[];

/* *out (caller frees) receives the version text, not yet validated as
 * semver. Errors (RT_ERR_INPUT) name display_path and the line. The format
 * is chosen by the basename of display_path. A well-formed file that
 * declares no version at all (a private package.json, a virtual workspace)
 * returns RT_ENOTFOUND, its error recorded, so that auto detection can go
 * on to the next file. */
int rt_manifest_version(char **out, const char *display_path, const char *text, size_t len);

#endif
