/*
 * notes: the section of a RELEASES.md / CHANGELOG.md-style file that
 * belongs to one version.
 *
 * A section starts at a Markdown ATX heading (`#` .. `######`) whose text
 * names the version as a whole token: `## 49.0.0`, `## [1.2.3] - 2024-01-01`,
 * `# v7.0.4 (2024-05-01)`. Token boundaries are what keep `7.0.4` from
 * matching `47.0.4`, `7.0.41` or `7.0.4-rc.1`. The section ends before the
 * next heading of the same or a higher level. A pre-release without a
 * section of its own uses its core version's (Wasmtime heads the notes of
 * `48.0.0-rc.1` with `## 48.0.0`). Both the bump mode (mark a section
 * released) and the release mode (the release body) use this one reader.
 */
#ifndef RT_NOTES_H
#define RT_NOTES_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

typedef struct {
	size_t heading_start; /* offset of the heading line */
	size_t body_start;    /* offset just after the heading line's end of line */
	size_t end;           /* offset of the next heading of the same or higher level, or len */
	int heading_line;     /* 1-based line of the heading */
	bool core_fallback;   /* found under the core version of a pre-release */
} rt_notes_section;

/* Find the section of version (exact token; for a pre-release, else the
 * core version's section). RT_ENOTFOUND (no error recorded) when there is
 * none. */
int rt_notes_find(rt_notes_section *out, const char *text, size_t len, const char *version);

/* The body of version's section, trimmed of blank lines and of a trailing
 * thematic break (`-----`), cut to max_chars characters (0: no cut) with a
 * closing note when cut. RT_ENOTFOUND (error recorded naming filename) when
 * the file has no section for the version. Caller frees *out. */
int rt_notes_extract(char **out, const char *text, size_t len, const char *version,
		     const char *filename, size_t max_chars);

/* In version's own section (no core fallback: only a release is dated),
 * the line `Unreleased` (any trailing `.`, surrounding blanks and CR kept)
 * becomes `Released DATE`. *changed tells whether a line was rewritten;
 * out receives the whole new text either way. RT_ENOTFOUND (error
 * recorded naming filename) when there is no section for the version. */
int rt_notes_mark_released(rt_buf *out, bool *changed, const char *text, size_t len,
			   const char *version, const char *date, const char *filename);

#endif
