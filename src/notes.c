/*
 * notes: the section of a RELEASES.md / CHANGELOG.md-style file that
 * belongs to one version (see notes.h).
 *
 * The file is read line by line as Markdown would read it, as far as
 * sections go: ATX headings outside fenced code blocks open sections, and
 * a section closes at the next heading of the same or a higher level or
 * at a thematic break (Wasmtime separates versions with a line of dashes,
 * and its current file puts the archive links after one). A version
 * matches only as a whole token of the heading, so that `7.0.4` never
 * picks the notes of `47.0.4`.
 */
#include "notes.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

typedef struct {
	size_t start, end; /* the line without its end of line */
	size_t next;       /* offset of the next line */
} line_span;

static line_span next_line(const char *text, size_t len, size_t at)
{
	line_span l;
	const char *nl = memchr(text + at, '\n', len - at);

	l.start = at;
	l.next = nl ? (size_t)(nl - text) + 1 : len;
	l.end = nl ? (size_t)(nl - text) : len;
	if (l.end > l.start && text[l.end - 1] == '\r')
		l.end--;
	return l;
}

/* Up to three spaces of indentation, as CommonMark allows before a block. */
static size_t skip_indent(const char *text, line_span l)
{
	size_t p = l.start;
	while (p < l.end && p - l.start < 3 && text[p] == ' ')
		p++;
	return p;
}

/* An opening or closing code fence (``` or ~~~, three or more). */
static bool is_fence(const char *text, line_span l)
{
	size_t p = skip_indent(text, l), n = 0;
	char c = p < l.end ? text[p] : 0;

	if (c != '`' && c != '~')
		return false;
	while (p + n < l.end && text[p + n] == c)
		n++;
	return n >= 3;
}

/* The ATX heading level (1-6) of a line, 0 when it is not a heading; the
 * heading's text goes to [*text_start, *text_end). */
static int heading_level(const char *text, line_span l, size_t *text_start, size_t *text_end)
{
	size_t p = skip_indent(text, l);
	int level = 0;

	while (p < l.end && text[p] == '#' && level < 7) {
		p++;
		level++;
	}
	if (level == 0 || level > 6 || (p < l.end && text[p] != ' ' && text[p] != '\t'))
		return 0;
	*text_start = p;
	*text_end = l.end;
	return level;
}

/* A thematic break: three or more of one of - * _, spaces allowed between. */
static bool is_break(const char *text, line_span l)
{
	size_t p = skip_indent(text, l), n = 0;
	char c = p < l.end ? text[p] : 0;

	if (c != '-' && c != '*' && c != '_')
		return false;
	for (; p < l.end; p++) {
		if (text[p] == c)
			n++;
		else if (text[p] != ' ' && text[p] != '\t')
			return false;
	}
	return n >= 3;
}

static bool is_word_char(char c)
{
	return isalnum((unsigned char)c) || c == '+' || c == '_';
}

/* Does [s, e) name version as a whole token? A 'v' right before it is
 * allowed (v1.2.3); a '.' or '-' is part of the token only when a word
 * character follows it (so "1.2.3." and "1.2.3 - date" match, "1.2.3-rc.1",
 * "1.2.3.4" and "11.2.3" do not). */
static bool names_version(const char *text, size_t s, size_t e, const char *version)
{
	size_t vlen = strlen(version), p;

	for (p = s; p + vlen <= e; p++) {
		size_t after = p + vlen;
		if (memcmp(text + p, version, vlen) != 0)
			continue;
		if (p > s) {
			char b = text[p - 1];
			if (b == 'v' || b == 'V') {
				if (p - 1 > s && (is_word_char(text[p - 2]) || text[p - 2] == '.' || text[p - 2] == '-'))
					continue;
			} else if (is_word_char(b) || b == '.' || b == '-') {
				continue;
			}
		}
		if (after < e) {
			char a = text[after];
			if (is_word_char(a))
				continue;
			if ((a == '.' || a == '-') && after + 1 < e && is_word_char(text[after + 1]))
				continue;
		}
		return true;
	}
	return false;
}

/* The section whose heading names exactly this version string. */
static int find_exact(rt_notes_section *out, const char *text, size_t len, const char *version)
{
	size_t at = 0, ts, te;
	int lineno = 0, level = 0;
	bool in_fence = false, found = false;

	while (at < len) {
		line_span l = next_line(text, len, at);
		int h;

		lineno++;
		at = l.next;
		if (is_fence(text, l)) {
			in_fence = !in_fence;
			continue;
		}
		if (in_fence)
			continue;
		h = heading_level(text, l, &ts, &te);
		if (found) {
			if ((h > 0 && h <= level) || is_break(text, l)) {
				out->end = l.start;
				return 0;
			}
			continue;
		}
		if (h > 0 && names_version(text, ts, te, version)) {
			found = true;
			level = h;
			out->heading_start = l.start;
			out->body_start = l.next;
			out->heading_line = lineno;
			out->core_fallback = false;
		}
	}
	if (!found)
		return RT_ENOTFOUND;
	out->end = len;
	return 0;
}

int rt_notes_find(rt_notes_section *out, const char *text, size_t len, const char *version)
{
	size_t core_len = strcspn(version, "-+");
	char *core;
	int error;

	error = find_exact(out, text, len, version);
	if (error != RT_ENOTFOUND || version[core_len] == '\0')
		return error;
	core = rt_xstrndup(version, core_len);
	error = find_exact(out, text, len, core);
	free(core);
	if (error == 0)
		out->core_fallback = true;
	return error;
}

/* Offset of the n-th character (UTF-8 code point) from start, or end. */
static size_t char_offset(const char *text, size_t start, size_t end, size_t n)
{
	size_t p = start;

	while (p < end && n > 0) {
		p++;
		while (p < end && ((unsigned char)text[p] & 0xC0) == 0x80)
			p++;
		n--;
	}
	return p;
}

int rt_notes_extract(char **out, const char *text, size_t len, const char *version,
		     const char *filename, size_t max_chars)
{
	rt_notes_section sec;
	rt_buf body = RT_BUF_INIT;
	size_t s, e;
	int error;

	*out = NULL;
	error = rt_notes_find(&sec, text, len, version);
	if (error == RT_ENOTFOUND) {
		rt_error_set_at(RT_ERR_INPUT, filename, 0,
				"%s has no section for version %s: add a heading that names it (e.g. `## %s`), or leave notes-file unset",
				filename, version, version);
		return RT_ENOTFOUND;
	}
	if (error < 0)
		return error;
	/* drop blank lines around the body */
	s = sec.body_start;
	e = sec.end;
	while (s < e) {
		line_span l = next_line(text, e, s);
		size_t p = l.start;
		while (p < l.end && isspace((unsigned char)text[p]))
			p++;
		if (p < l.end)
			break;
		s = l.next;
	}
	while (e > s && isspace((unsigned char)text[e - 1]))
		e--;
	if (max_chars > 0 && char_offset(text, s, e, max_chars) < e) {
		static const char note[] = "\n\n*(These notes were cut to GitHub's length limit; the full text is in %s.)*";
		size_t room = max_chars > 200 + strlen(filename) ? max_chars - 200 - strlen(filename) : max_chars / 2;
		size_t cut = char_offset(text, s, e, room), nl = cut;
		/* end at a line break when there is one in the last tenth */
		while (nl > s && text[nl - 1] != '\n' && cut - nl < room / 10)
			nl--;
		if (nl > s && text[nl - 1] == '\n')
			cut = nl - 1;
		rt_buf_put(&body, text + s, cut - s);
		rt_buf_printf(&body, note, filename);
	} else {
		rt_buf_put(&body, text + s, e - s);
	}
	*out = rt_buf_detach(&body);
	return 0;
}

/* The line holds "Unreleased" (any trailing dots) and nothing else but blanks. */
static bool unreleased_word(const char *text, line_span l, size_t *word)
{
	static const char kw[] = "Unreleased";
	size_t p = l.start, n = sizeof(kw) - 1;

	while (p < l.end && (text[p] == ' ' || text[p] == '\t'))
		p++;
	if (l.end - p < n || memcmp(text + p, kw, n) != 0)
		return false;
	*word = p;
	for (p += n; p < l.end; p++)
		if (text[p] != '.' && text[p] != ' ' && text[p] != '\t')
			return false;
	return true;
}

int rt_notes_mark_released(rt_buf *out, bool *changed, const char *text, size_t len,
			   const char *version, const char *date, const char *filename)
{
	rt_notes_section sec;
	size_t at, word = 0;
	bool in_fence = false;
	int error;

	*changed = false;
	rt_buf_truncate(out, 0);
	error = find_exact(&sec, text, len, version);
	if (error == RT_ENOTFOUND) {
		rt_error_set_at(RT_ERR_INPUT, filename, 0,
				"%s has no section for version %s: add a heading that names it (e.g. `## %s` with a line `Unreleased.` under it), or leave notes-file unset",
				filename, version, version);
		return RT_ENOTFOUND;
	}
	if (error < 0)
		return error;
	for (at = sec.body_start; at < sec.end;) {
		line_span l = next_line(text, sec.end, at);
		at = l.next;
		if (is_fence(text, l))
			in_fence = !in_fence;
		else if (!in_fence && unreleased_word(text, l, &word)) {
			*changed = true;
			break;
		}
	}
	if (!*changed) {
		rt_buf_put(out, text, len);
		return 0;
	}
	rt_buf_put(out, text, word);
	rt_buf_printf(out, "Released %s", date);
	rt_buf_put(out, text + word + strlen("Unreleased"), len - word - strlen("Unreleased"));
	return 0;
}
