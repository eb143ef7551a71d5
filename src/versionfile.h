/*
 * versionfile: the version in files that are not Cargo manifests (input
 * version-files): a C header, package.json, pyproject.toml, a plain
 * VERSION file.
 *
 * The idea, as in cargo: find the exact bytes of the version and replace
 * only those. The format follows the file name: `*.h`/`*.hpp` holds
 * `#define NAME_VERSION "x.y.z"` and, when present, `NAME_VERSION_MAJOR`,
 * `_MINOR` and `_PATCH` numbers (Wasmtime's crates/c-api/include/wasmtime.h);
 * `package.json` its top-level "version"; `pyproject.toml` its [project]
 * version (or [tool.poetry] version); anything else is a VERSION file whose
 * one line is the version. A file in which no version is found is an error
 * naming it: a listed file that silently stays behind is a broken release.
 */
#ifndef RT_VERSIONFILE_H
#define RT_VERSIONFILE_H

#include <stddef.h>

#include "buf.h"

/* The version the file declares now (caller frees). */
int rt_versionfile_read(char **out, const char *path, const char *text, size_t len);

/* out receives the whole text with the version set to new_version
 * (a semver; the header's numbers get its major, minor and patch). */
int rt_versionfile_edit(rt_buf *out, const char *path, const char *text, size_t len,
			const char *new_version);

#endif
