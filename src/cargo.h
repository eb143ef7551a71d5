/*
 * cargo: a Cargo workspace read and bumped without cargo.
 *
 * The idea: Cargo's own rules, applied to the bytes. The workspace is
 * found as Cargo finds it (the root manifest's [workspace] members globs
 * minus exclude, the root package, and every path dependency inside the
 * root directory), and each manifest is edited through the lossless TOML
 * scanner: only the bytes of version strings change - a crate's own
 * version, [workspace.package] version, and requirements that name a
 * workspace crate, with their operator kept - so comments, order,
 * quoting, CRLF and a missing final newline survive. Cargo.lock entries of
 * workspace crates (no `source`) follow. Every edit of every file is
 * computed before anything is written, so a file Cargo would reject
 * stops the run with its file:line and leaves the tree as it was.
 */
#ifndef RT_CARGO_H
#define RT_CARGO_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "semver.h"

typedef struct {
	char *name;          /* package.name */
	char *manifest;      /* its Cargo.toml, relative to the root ("Cargo.toml" for the root package) */
	char *version;       /* its version (literal, or inherited from [workspace.package]); NULL: none */
	int version_line;    /* the line of that version in its manifest (or the root's), 0 if none */
	bool inherits;       /* version.workspace = true */
	bool publish;        /* false for publish = false / publish = [] */
	char *new_version;   /* set by rt_cargo_plan; NULL: not bumped */
} rt_cargo_crate;

typedef struct {
	char *path;    /* relative to the root */
	rt_buf before; /* the text as read */
	rt_buf after;  /* the text to write (equal to before when nothing changed) */
	size_t edits;  /* version strings replaced */
} rt_cargo_file;

typedef struct {
	char *root;                /* the directory that holds the root Cargo.toml */
	char *ws_version;          /* [workspace.package] version, or NULL */
	int ws_version_line;
	char *ws_new_version;      /* after rt_cargo_plan */
	rt_cargo_crate *crates;    /* members, in discovery order (root package first) */
	size_t count;
	rt_cargo_file *files;      /* every manifest read, then Cargo.lock if present */
	size_t nfiles;
	char **warnings;           /* path dependencies left alone, requirements not understood */
	size_t nwarnings;
} rt_cargo_workspace;

typedef struct {
	rt_bump_level level;
	const char *prerelease_id; /* NULL: none */
	const char *version;       /* explicit new version (single-version workspaces), or NULL */
	bool bump_unpublished;
} rt_cargo_options;

/* Read the workspace whose root manifest is root_dir/Cargo.toml.
 * RT_ENOTFOUND (error recorded) when there is no root Cargo.toml. Errors
 * name file:line (RT_ERR_INPUT): a members glob that matches nothing, a
 * member without a readable manifest, a manifest that is not TOML. */
int rt_cargo_load(rt_cargo_workspace **out, const char *root_dir);
void rt_cargo_free(rt_cargo_workspace *ws);

/* Compute every crate's new version (each from its own version). */
int rt_cargo_plan(rt_cargo_workspace *ws, const rt_cargo_options *opts);

/* Compute the new text of every manifest and of Cargo.lock (files[].after).
 * Nothing is written. */
int rt_cargo_edit(rt_cargo_workspace *ws);

/* The workspace's version for outputs and templates: [workspace.package]
 * version, else the root package's, else the most common version among
 * bumped crates (the highest on a tie). Old and new; NULL when none. */
void rt_cargo_primary_version(const rt_cargo_workspace *ws, const char **old_version,
			      const char **new_version);

/* --- the editor alone (unit tests, fuzzing) --- */
typedef struct {
	const char *name;        /* package name */
	const char *old_version;
	const char *new_version; /* NULL: not bumped (requirements on it stay) */
} rt_cargo_bump;

typedef struct {
	const rt_cargo_bump *crates;
	size_t count;
	const char *ws_new_version; /* new [workspace.package] version, or NULL */
} rt_cargo_bumps;

/* Replace, in one manifest's text, its own package version (when its
 * package is in bumps), [workspace.package] version, and every
 * requirement on a bumped crate. out receives the whole new text; *edits
 * the number of strings replaced. warnings (may be NULL) collects
 * requirements left alone. */
int rt_cargo_edit_manifest(rt_buf *out, size_t *edits, const char *text, size_t len,
			   const char *filename, const rt_cargo_bumps *bumps, rt_buf *warnings);

/* The same for Cargo.lock: `version` of [[package]] entries without
 * `source` whose name is bumped, and "name version" references to them. */
int rt_cargo_edit_lock(rt_buf *out, size_t *edits, const char *text, size_t len,
		       const char *filename, const rt_cargo_bumps *bumps);

/* A requirement on a crate that moves from old_version to new_version
 * (caller frees). It follows the bump, operator and precision kept
 * ("=49.0.0" -> "=50.0.0", "0.1" -> "0.2"), when it named the old version
 * or no longer admits the new one; a deliberately loose requirement that
 * still admits the new version (tokio's `version = "1.0.0"` on 1.53.2) is
 * returned as it is. NULL when it is not one comparator that can follow a
 * bump (">=1, <2", "*", "<2"). */
char *rt_cargo_requirement_bump(const char *requirement, const char *old_version,
				const char *new_version);

#endif
