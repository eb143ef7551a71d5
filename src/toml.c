/*
 * toml: a lossless, single-pass scanner of TOML text (see toml.h).
 *
 * The idea: a manifest editor needs positions, not a tree. So the scanner
 * is a plain recursive-descent walk over the original bytes that keeps
 * only two pieces of state - the current key path (the [header] keys at
 * the bottom of a stack, the dotted key and inline-table keys pushed and
 * popped above them) and the current line - and hands every key/value to
 * a callback with the exact byte range of its value. Nothing is copied
 * except decoded keys and strings, so offsets always refer to the text
 * the caller holds, and an editor that splices new bytes into exactly
 * [value_start, value_end) keeps every other byte as it was.
 *
 * An inline table is reported before its members (its end is found by a
 * silent pass over it first); elements of arrays are checked and skipped
 * but not reported. Nesting is bounded so hostile input cannot exhaust
 * the stack. The accepted language is TOML 1.0 plus the TOML 1.1
 * relaxations that newer Cargo accepts (newlines and a trailing comma in
 * inline tables, \e and \xHH escapes, seconds-less times); errors name
 * the line where the broken construct starts and say how to fix it.
 * Line breaks inside multi-line strings decode as LF (as Cargo and Python's
 * tomllib read them); offsets still cover the original CRLF bytes.
 *
 * Deliberately not checked, because they need a tree and cannot make a
 * reported offset wrong: duplicate keys and redefined tables, UTF-8
 * validity, control characters in strings and comments. Cargo rejects
 * such files anyway; this scanner is not the place to lint them.
 */
#include "toml.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"

/* Deeper nesting than this is certainly not a manifest. */
#define TOML_MAX_DEPTH 100

typedef struct {
	char **items; /* NULL-terminated when cap > 0 */
	size_t len;
	size_t cap;
} str_list;

typedef struct {
	const char *text;
	size_t len;
	size_t pos;
	int line;
	const char *filename;
	rt_toml_cb cb;
	void *payload;
	str_list path; /* header keys (table_len of them), then the current key's */
	size_t table_len;
	bool in_array_table;
	int depth;
} scanner;

static int parse_value(scanner *s, bool report, int key_line);

/* --- small helpers ------------------------------------------------------ */

static void list_push(str_list *l, char *item)
{
	if (l->len + 2 > l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->items = rt_xrealloc(l->items, l->cap * sizeof(*l->items));
	}
	l->items[l->len++] = item;
	l->items[l->len] = NULL;
}

static void list_truncate(str_list *l, size_t len)
{
	while (l->len > len) {
		free(l->items[--l->len]);
		l->items[l->len] = NULL;
	}
}

static void list_free(str_list *l)
{
	list_truncate(l, 0);
	free(l->items);
	l->items = NULL;
	l->cap = 0;
}

/* The byte at pos+off, or -1 past the end. */
static int peek(const scanner *s, size_t off)
{
	if (s->pos >= s->len || off >= s->len - s->pos)
		return -1;
	return (unsigned char)s->text[s->pos + off];
}

static const char *fname(const scanner *s)
{
	return s->filename ? s->filename : "TOML text";
}

static int syntax_error_at(const scanner *s, int line, const char *what)
{
	return rt_error_set_at(RT_ERR_INPUT, fname(s), line, "%s", what);
}

/* A printable description of the byte at pos, for "found ..." messages. */
static const char *describe(int c)
{
	switch (c) {
	case -1:
		return "the end of the file";
	case '\n':
	case '\r':
		return "the end of the line";
	case '=':
		return "'='";
	case ']':
		return "']'";
	case '}':
		return "'}'";
	case ',':
		return "','";
	case '#':
		return "a comment";
	default:
		return "an unexpected character";
	}
}

/* Length of the line break at pos (LF or CRLF), or 0. */
static size_t newline_len(const scanner *s)
{
	int c = peek(s, 0);
	if (c == '\n')
		return 1;
	if (c == '\r' && peek(s, 1) == '\n')
		return 2;
	return 0;
}

static void skip_ws(scanner *s)
{
	int c;
	while ((c = peek(s, 0)) == ' ' || c == '\t')
		s->pos++;
}

static void skip_comment(scanner *s)
{
	if (peek(s, 0) != '#')
		return;
	while (s->pos < s->len && s->text[s->pos] != '\n')
		s->pos++;
	/* A CRLF's CR is now behind us: leave pos on the LF itself. */
}

/* Blanks, comments and line breaks (between array or inline-table items). */
static void skip_blank(scanner *s)
{
	for (;;) {
		size_t nl;
		skip_ws(s);
		skip_comment(s);
		nl = newline_len(s);
		if (nl == 0)
			return;
		s->pos += nl;
		s->line++;
	}
}

static bool at_line_end(const scanner *s)
{
	int c = peek(s, 0);
	return c == -1 || c == '#' || newline_len(s) > 0;
}

/* After a header or key/value: only blanks and a comment may follow. */
static int expect_line_end(scanner *s, const char *after)
{
	size_t nl;

	skip_ws(s);
	skip_comment(s);
	if (peek(s, 0) == -1)
		return 0;
	nl = newline_len(s);
	if (nl == 0)
		return rt_error_set_at(RT_ERR_INPUT, fname(s), s->line,
				       "unexpected text after %s; put each key = value and "
				       "each [table] header on its own line",
				       after);
	s->pos += nl;
	s->line++;
	return 0;
}

static bool is_bare_key_char(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

static int hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void put_utf8(rt_buf *out, uint32_t cp)
{
	if (cp < 0x80) {
		rt_buf_putc(out, (char)cp);
	} else if (cp < 0x800) {
		rt_buf_putc(out, (char)(0xC0 | (cp >> 6)));
		rt_buf_putc(out, (char)(0x80 | (cp & 0x3F)));
	} else if (cp < 0x10000) {
		rt_buf_putc(out, (char)(0xE0 | (cp >> 12)));
		rt_buf_putc(out, (char)(0x80 | ((cp >> 6) & 0x3F)));
		rt_buf_putc(out, (char)(0x80 | (cp & 0x3F)));
	} else {
		rt_buf_putc(out, (char)(0xF0 | (cp >> 18)));
		rt_buf_putc(out, (char)(0x80 | ((cp >> 12) & 0x3F)));
		rt_buf_putc(out, (char)(0x80 | ((cp >> 6) & 0x3F)));
		rt_buf_putc(out, (char)(0x80 | (cp & 0x3F)));
	}
}

/* --- strings ------------------------------------------------------------ */

/* \uXXXX, \UXXXXXXXX or \xHH after the backslash and letter; pos on the first digit. */
static int parse_hex_escape(scanner *s, rt_buf *out, size_t digits)
{
	uint32_t cp = 0;

	for (size_t i = 0; i < digits; i++) {
		int h = hex_value(peek(s, i));
		if (h < 0)
			return syntax_error_at(s, s->line,
					       "bad unicode escape in string; write \\uXXXX or "
					       "\\UXXXXXXXX with hexadecimal digits");
		cp = cp * 16 + (uint32_t)h;
	}
	if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return syntax_error_at(s, s->line,
				       "unicode escape in string is not a Unicode scalar value");
	s->pos += digits;
	put_utf8(out, cp);
	return 0;
}

/* One escape sequence; pos on the backslash. */
static int parse_escape(scanner *s, rt_buf *out)
{
	int c = peek(s, 1);
	const char *simple = NULL;

	switch (c) {
	case 'b':
		simple = "\b";
		break;
	case 't':
		simple = "\t";
		break;
	case 'n':
		simple = "\n";
		break;
	case 'f':
		simple = "\f";
		break;
	case 'r':
		simple = "\r";
		break;
	case 'e':
		simple = "\x1b";
		break;
	case '"':
		simple = "\"";
		break;
	case '\\':
		simple = "\\";
		break;
	case 'u':
	case 'U':
	case 'x':
		s->pos += 2;
		return parse_hex_escape(s, out, c == 'u' ? 4 : c == 'U' ? 8 : 2);
	default:
		return syntax_error_at(s, s->line,
				       "invalid escape sequence in string; write \\\\ for a "
				       "backslash, or use a 'literal string'");
	}
	s->pos += 2;
	rt_buf_puts(out, simple);
	return 0;
}

/* "basic string"; pos on the opening quote. */
static int parse_basic(scanner *s, rt_buf *out)
{
	int open_line = s->line;

	s->pos++;
	for (;;) {
		int c = peek(s, 0);
		if (c == -1 || c == '\n' || newline_len(s) > 0)
			return syntax_error_at(s, open_line,
					       "unterminated string; close it with \" on the same "
					       "line, or use \"\"\" for a multi-line string");
		if (c == '"') {
			s->pos++;
			return 0;
		}
		if (c == '\\') {
			if (parse_escape(s, out) < 0)
				return -1;
			continue;
		}
		rt_buf_putc(out, (char)c);
		s->pos++;
	}
}

/* 'literal string'; pos on the opening quote. */
static int parse_literal(scanner *s, rt_buf *out)
{
	int open_line = s->line;

	s->pos++;
	for (;;) {
		int c = peek(s, 0);
		if (c == -1 || c == '\n' || newline_len(s) > 0)
			return syntax_error_at(s, open_line,
					       "unterminated string; close it with ' on the same "
					       "line, or use ''' for a multi-line string");
		if (c == '\'') {
			s->pos++;
			return 0;
		}
		rt_buf_putc(out, (char)c);
		s->pos++;
	}
}

/*
 * At a run of quote characters inside a multi-line string: 1 when it
 * closes the string (up to two quotes before the closing three belong to
 * the content), 0 when it is content, -1 when it is too long.
 */
static int ml_close(scanner *s, rt_buf *out, int quote)
{
	size_t n = 0;

	while (peek(s, n) == quote)
		n++;
	if (n < 3) {
		for (size_t i = 0; i < n; i++)
			rt_buf_putc(out, (char)quote);
		s->pos += n;
		return 0;
	}
	if (n > 5)
		return rt_error_set_at(RT_ERR_INPUT, fname(s), s->line,
				       "too many quotes in a row in a multi-line string; escape "
				       "them or split the string");
	for (size_t i = 3; i < n; i++)
		rt_buf_putc(out, (char)quote);
	s->pos += n;
	return 1;
}

/* A backslash at the end of a line in a """ string: skip it and all
 * blanks and line breaks after it. Returns false if this backslash is not
 * a line-ending one. */
static bool ml_line_continuation(scanner *s)
{
	size_t off = 1;
	int c;

	while ((c = peek(s, off)) == ' ' || c == '\t')
		off++;
	if (c != '\n' && !(c == '\r' && peek(s, off + 1) == '\n'))
		return false;
	s->pos += off;
	for (;;) {
		size_t nl;
		skip_ws(s);
		nl = newline_len(s);
		if (nl == 0)
			return true;
		s->pos += nl;
		s->line++;
	}
}

/* """multi-line""" or '''multi-line'''; pos on the opening quotes. */
static int parse_multiline(scanner *s, rt_buf *out, int quote)
{
	int open_line = s->line;
	size_t nl;

	s->pos += 3;
	nl = newline_len(s); /* a line break right after the opening quotes is trimmed */
	if (nl) {
		s->pos += nl;
		s->line++;
	}
	for (;;) {
		int c = peek(s, 0);
		if (c == -1)
			return syntax_error_at(
			    s, open_line,
			    quote == '"' ? "unterminated multi-line string; close it with \"\"\""
					 : "unterminated multi-line string; close it with '''");
		if (c == quote) {
			int closed = ml_close(s, out, quote);
			if (closed != 0)
				return closed < 0 ? -1 : 0;
			continue;
		}
		if (c == '\\' && quote == '"') {
			if (ml_line_continuation(s))
				continue;
			if (parse_escape(s, out) < 0)
				return -1;
			continue;
		}
		nl = newline_len(s);
		if (nl) { /* decoded as LF, as Cargo and tomllib do */
			rt_buf_putc(out, '\n');
			s->pos += nl;
			s->line++;
			continue;
		}
		rt_buf_putc(out, (char)c);
		s->pos++;
	}
}

/* Any string value or quoted key; pos on the quote. */
static int parse_string(scanner *s, rt_buf *out, bool allow_multiline)
{
	int q = peek(s, 0);

	if (allow_multiline && peek(s, 1) == q && peek(s, 2) == q)
		return parse_multiline(s, out, q);
	return q == '"' ? parse_basic(s, out) : parse_literal(s, out);
}

/* --- keys --------------------------------------------------------------- */

static int parse_key_segment(scanner *s, char **out)
{
	rt_buf b = RT_BUF_INIT;
	int c = peek(s, 0);

	if (c == '"' || c == '\'') {
		if (parse_string(s, &b, false) < 0) {
			rt_buf_free(&b);
			return -1;
		}
	} else if (is_bare_key_char(c)) {
		size_t start = s->pos;
		while (is_bare_key_char(peek(s, 0)))
			s->pos++;
		rt_buf_put(&b, s->text + start, s->pos - start);
	} else {
		return rt_error_set_at(RT_ERR_INPUT, fname(s), s->line,
				       "expected a key but found %s; keys are bare words "
				       "(letters, digits, _ and -) or quoted strings",
				       describe(c));
	}
	*out = b.ptr ? rt_buf_detach(&b) : rt_xstrdup("");
	return 0;
}

/* A possibly dotted key (a . "b" . 'c'); pushes its segments onto s->path. */
static int parse_key(scanner *s)
{
	for (;;) {
		char *seg = NULL;
		skip_ws(s);
		if (parse_key_segment(s, &seg) < 0)
			return -1;
		list_push(&s->path, seg);
		skip_ws(s);
		if (peek(s, 0) != '.')
			return 0;
		s->pos++;
	}
}

/* --- values ------------------------------------------------------------- */

static bool is_token_char(int c)
{
	return is_bare_key_char(c) || c == '+' || c == '.' || c == ':';
}

static bool starts_with_digits(const scanner *s, size_t off, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int c = peek(s, off + i);
		if (c < '0' || c > '9')
			return false;
	}
	return true;
}

static bool is_digit_in(int c, int base)
{
	switch (base) {
	case 2:
		return c == '0' || c == '1';
	case 8:
		return c >= '0' && c <= '7';
	case 16:
		return hex_value(c) >= 0;
	default:
		return c >= '0' && c <= '9';
	}
}

/* One or more digits, single underscores only between digits (1_000). */
static bool match_digits(const char *t, size_t n, size_t *i, int base)
{
	size_t from = *i;

	while (*i < n && (is_digit_in(t[*i], base) || (t[*i] == '_' && *i > from && *i + 1 < n &&
						       is_digit_in(t[*i + 1], base))))
		(*i)++;
	return *i > from;
}

/* Exactly count decimal digits. */
static bool match_fixed(const char *t, size_t n, size_t *i, size_t count)
{
	for (size_t k = 0; k < count; k++, (*i)++)
		if (*i >= n || !is_digit_in(t[*i], 10))
			return false;
	return true;
}

static bool match_char(const char *t, size_t n, size_t *i, const char *set)
{
	if (*i < n && t[*i] != '\0' && strchr(set, t[*i])) {
		(*i)++;
		return true;
	}
	return false;
}

static bool is_number(const char *t, size_t n)
{
	size_t i = 0, int_start;

	if (n > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'o' || t[1] == 'b')) {
		i = 2;
		return match_digits(t, n, &i, t[1] == 'x' ? 16 : t[1] == 'o' ? 8 : 2) && i == n;
	}
	match_char(t, n, &i, "+-");
	if (i + 3 == n && (memcmp(t + i, "inf", 3) == 0 || memcmp(t + i, "nan", 3) == 0))
		return true;
	int_start = i;
	if (!match_digits(t, n, &i, 10) || (t[int_start] == '0' && i - int_start > 1))
		return false; /* no leading zeros */
	if (match_char(t, n, &i, ".") && !match_digits(t, n, &i, 10))
		return false;
	if (match_char(t, n, &i, "eE")) {
		match_char(t, n, &i, "+-");
		if (!match_digits(t, n, &i, 10))
			return false;
	}
	return i == n;
}

/* HH:MM[:SS[.frac]] (seconds optional as in TOML 1.1). */
static bool match_time(const char *t, size_t n, size_t *i)
{
	if (!match_fixed(t, n, i, 2) || !match_char(t, n, i, ":") || !match_fixed(t, n, i, 2))
		return false;
	if (match_char(t, n, i, ":")) {
		if (!match_fixed(t, n, i, 2))
			return false;
		if (match_char(t, n, i, ".") && !match_digits(t, n, i, 10))
			return false;
	}
	return true;
}

/* Offset date-time, local date-time, local date or local time. */
static bool is_datetime(const char *t, size_t n)
{
	size_t i = 0;

	if (n >= 3 && t[2] == ':')
		return match_time(t, n, &i) && i == n;
	if (!match_fixed(t, n, &i, 4) || !match_char(t, n, &i, "-") || !match_fixed(t, n, &i, 2) ||
	    !match_char(t, n, &i, "-") || !match_fixed(t, n, &i, 2))
		return false;
	if (i == n)
		return true;
	if (!match_char(t, n, &i, "Tt ") || !match_time(t, n, &i))
		return false;
	if (match_char(t, n, &i, "Zz"))
		return i == n;
	if (match_char(t, n, &i, "+-") &&
	    (!match_fixed(t, n, &i, 2) || !match_char(t, n, &i, ":") || !match_fixed(t, n, &i, 2)))
		return false;
	return i == n;
}

/* Integer, float, boolean or date-time: validated, kept as bytes. */
static int parse_other(scanner *s)
{
	size_t start = s->pos;
	const char *t = s->text + start;
	size_t n;
	int c = peek(s, 0);

	while (is_token_char(peek(s, 0)))
		s->pos++;
	/* A date and a time may be separated by one space: 1979-05-27 07:32:00Z. */
	if (s->pos - start == 10 && t[4] == '-' && peek(s, 0) == ' ' &&
	    starts_with_digits(s, 1, 2) && peek(s, 3) == ':') {
		s->pos++;
		while (is_token_char(peek(s, 0)))
			s->pos++;
	}
	n = s->pos - start;
	if (n == 0)
		return rt_error_set_at(RT_ERR_INPUT, fname(s), s->line,
				       "expected a value but found %s; write a quoted string, "
				       "number, boolean, date, [array] or {inline table}",
				       describe(c));
	if ((n == 4 && memcmp(t, "true", 4) == 0) || (n == 5 && memcmp(t, "false", 5) == 0) ||
	    is_number(t, n) || is_datetime(t, n))
		return 0;
	return rt_error_set_at(RT_ERR_INPUT, fname(s), s->line,
			       "invalid value '%.*s'; strings must be quoted (\"...\")",
			       n > 40 ? 40 : (int)n, t);
}

static int enter(scanner *s)
{
	if (++s->depth > TOML_MAX_DEPTH)
		return rt_error_set_at(RT_ERR_INPUT, fname(s), s->line,
				       "arrays and inline tables are nested more than %d deep",
				       TOML_MAX_DEPTH);
	return 0;
}

/*
 * [ ... ]; pos on '['. Elements are checked and skipped; with collect,
 * every element must be a string and is appended to it decoded.
 */
static int parse_array(scanner *s, str_list *collect)
{
	int open_line = s->line;
	int rc;

	if ((rc = enter(s)) != 0)
		return rc;
	s->pos++;
	for (;;) {
		int c;
		skip_blank(s);
		c = peek(s, 0);
		if (c == -1)
			break;
		if (c == ']') {
			s->pos++;
			s->depth--;
			return 0;
		}
		if (collect) {
			rt_buf b = RT_BUF_INIT;
			if (c != '"' && c != '\'')
				return rt_error_set_at(RT_ERR_INPUT, fname(s), s->line,
						       "expected a quoted string in this array");
			if (parse_string(s, &b, true) < 0) {
				rt_buf_free(&b);
				return -1;
			}
			list_push(collect, b.ptr ? rt_buf_detach(&b) : rt_xstrdup(""));
		} else if ((rc = parse_value(s, false, s->line)) != 0) {
			return rc;
		}
		skip_blank(s);
		c = peek(s, 0);
		if (c == ',') {
			s->pos++;
			continue;
		}
		if (c == ']')
			continue;
		if (c == -1)
			break;
		return rt_error_set_at(RT_ERR_INPUT, fname(s), s->line,
				       "expected ',' or ']' in the array opened on line %d but "
				       "found %s",
				       open_line, describe(c));
	}
	return syntax_error_at(s, open_line, "unterminated array; close it with ']'");
}

/* One key = value inside { }; its entry is reported when report is set. */
static int parse_inline_member(scanner *s, bool report)
{
	size_t base = s->path.len;
	int key_line = s->line;
	int rc;

	if (parse_key(s) < 0)
		return -1;
	skip_ws(s);
	if (peek(s, 0) != '=')
		return rt_error_set_at(RT_ERR_INPUT, fname(s), s->line,
				       "expected '=' after key '%s' in inline table but found %s",
				       s->path.items[s->path.len - 1], describe(peek(s, 0)));
	s->pos++;
	skip_ws(s);
	rc = parse_value(s, report, key_line);
	list_truncate(&s->path, base);
	return rc;
}

/* { ... }; pos on '{'. */
static int parse_inline_table(scanner *s, bool report)
{
	int open_line = s->line;
	int rc;

	if ((rc = enter(s)) != 0)
		return rc;
	s->pos++;
	for (;;) {
		int c;
		skip_blank(s);
		if (peek(s, 0) == -1)
			break;
		if (peek(s, 0) == '}') { /* {} or after a trailing comma */
			s->pos++;
			s->depth--;
			return 0;
		}
		if ((rc = parse_inline_member(s, report)) != 0)
			return rc;
		skip_blank(s);
		c = peek(s, 0);
		if (c == ',') {
			s->pos++;
			continue;
		}
		if (c == '}') {
			s->pos++;
			s->depth--;
			return 0;
		}
		if (c == -1)
			break;
		return rt_error_set_at(RT_ERR_INPUT, fname(s), s->line,
				       "expected ',' or '}' in the inline table opened on line %d "
				       "but found %s",
				       open_line, describe(c));
	}
	return syntax_error_at(s, open_line, "unterminated inline table; close it with '}'");
}

static int emit(scanner *s, rt_toml_kind kind, size_t start, const char *string, int key_line)
{
	rt_toml_entry e;

	if (!s->cb)
		return 0;
	e.path = (const char *const *)s->path.items;
	e.path_len = s->path.len;
	e.table_len = s->table_len;
	e.in_array_table = s->in_array_table;
	e.kind = kind;
	e.value_start = start;
	e.value_end = s->pos;
	e.string = string;
	e.line = key_line;
	return s->cb(&e, s->payload);
}

/* An inline table: find its end silently, report it, then report its members. */
static int report_inline_table(scanner *s, int key_line)
{
	size_t start = s->pos;
	int line = s->line;
	int depth = s->depth;
	int rc;

	if ((rc = parse_inline_table(s, false)) != 0)
		return rc;
	if ((rc = emit(s, RT_TOML_INLINE_TABLE, start, NULL, key_line)) != 0)
		return rc;
	s->pos = start;
	s->line = line;
	s->depth = depth;
	return parse_inline_table(s, true);
}

/* Any value; pos on its first byte. */
static int parse_value(scanner *s, bool report, int key_line)
{
	size_t start = s->pos;
	rt_buf str = RT_BUF_INIT;
	rt_toml_kind kind;
	int c = peek(s, 0);
	int rc;

	if (c == '{') {
		if (report)
			return report_inline_table(s, key_line);
		return parse_inline_table(s, false);
	}
	if (c == '"' || c == '\'') {
		kind = RT_TOML_STRING;
		rc = parse_string(s, &str, true);
	} else if (c == '[') {
		kind = RT_TOML_ARRAY;
		rc = parse_array(s, NULL);
	} else {
		kind = RT_TOML_OTHER;
		rc = parse_other(s);
	}
	if (rc == 0 && report)
		rc = emit(s, kind, start, kind == RT_TOML_STRING ? rt_buf_cstr(&str) : NULL,
			  key_line);
	rt_buf_free(&str);
	return rc;
}

/* --- lines -------------------------------------------------------------- */

/* [table] or [[array.of.tables]]; pos on '['. */
static int parse_header(scanner *s)
{
	int line = s->line;
	bool array = peek(s, 1) == '[';

	s->pos += array ? 2 : 1;
	list_truncate(&s->path, 0);
	s->table_len = 0;
	s->in_array_table = array;
	skip_ws(s);
	if (peek(s, 0) == ']' || at_line_end(s))
		return syntax_error_at(s, line,
				       "bad table header: no table name; write [name] or "
				       "[[name]]");
	if (parse_key(s) < 0)
		return -1;
	if (peek(s, 0) != ']' || (array && peek(s, 1) != ']'))
		return syntax_error_at(s, line,
				       array
					   ? "bad table header; close [[name with ]] and quote "
					     "names that are not bare words"
					   : "bad table header; close [name with ] and quote names "
					     "that are not bare words");
	s->pos += array ? 2 : 1;
	s->table_len = s->path.len;
	return expect_line_end(s, "the table header");
}

/* key = value at the top level of a table; pos on the key. */
static int parse_keyval(scanner *s)
{
	size_t base = s->path.len;
	int line = s->line;
	const char *key;
	int rc;

	if (parse_key(s) < 0)
		return -1;
	key = s->path.items[s->path.len - 1];
	if (peek(s, 0) != '=')
		return rt_error_set_at(
		    RT_ERR_INPUT, fname(s), line,
		    "expected '=' after key '%s' but found %s; write key = value", key,
		    describe(peek(s, 0)));
	s->pos++;
	skip_ws(s);
	if (at_line_end(s))
		return rt_error_set_at(RT_ERR_INPUT, fname(s), line,
				       "key '%s' has no value; write key = value on one line", key);
	if ((rc = parse_value(s, true, line)) != 0)
		return rc;
	list_truncate(&s->path, base);
	return expect_line_end(s, "the value");
}

static int scan_document(scanner *s)
{
	int rc;

	if (s->len >= 3 && memcmp(s->text, "\xEF\xBB\xBF", 3) == 0)
		s->pos = 3; /* a UTF-8 byte order mark */
	for (;;) {
		size_t nl;
		int c;
		skip_ws(s);
		skip_comment(s);
		c = peek(s, 0);
		if (c == -1)
			return 0;
		nl = newline_len(s);
		if (nl) {
			s->pos += nl;
			s->line++;
			continue;
		}
		if (c == '\r')
			return syntax_error_at(s, s->line,
					       "carriage return without a line feed; use LF or "
					       "CRLF line ends");
		rc = c == '[' ? parse_header(s) : parse_keyval(s);
		if (rc != 0)
			return rc;
	}
}

/* --- public ------------------------------------------------------------- */

int rt_toml_scan(const char *text, size_t len, const char *filename, rt_toml_cb cb, void *payload)
{
	scanner s;
	int rc;

	memset(&s, 0, sizeof(s));
	s.text = text;
	s.len = text ? len : 0;
	s.line = 1;
	s.filename = filename;
	s.cb = cb;
	s.payload = payload;
	rc = scan_document(&s);
	list_free(&s.path);
	return rc;
}

typedef struct {
	const char *const *path;
	size_t path_len;
	bool found;
	rt_toml_kind kind;
	char *value;
	int line;
} lookup;

static bool path_equal(const rt_toml_entry *e, const char *const *path, size_t path_len)
{
	if (e->path_len != path_len)
		return false;
	for (size_t i = 0; i < path_len; i++)
		if (strcmp(e->path[i], path[i]) != 0)
			return false;
	return true;
}

/* Entries under [[array.of.tables]] have no single address: they never match. */
static int lookup_cb(const rt_toml_entry *e, void *payload)
{
	lookup *l = payload;

	if (l->found || e->in_array_table || !path_equal(e, l->path, l->path_len))
		return 0;
	l->found = true;
	l->kind = e->kind;
	l->line = e->line;
	if (e->kind == RT_TOML_STRING)
		l->value = rt_xstrdup(e->string);
	return 0;
}

static char *dotted(const char *const *path, size_t path_len)
{
	rt_buf b = RT_BUF_INIT;

	for (size_t i = 0; i < path_len; i++) {
		if (i)
			rt_buf_putc(&b, '.');
		rt_buf_puts(&b, path[i]);
	}
	return b.ptr ? rt_buf_detach(&b) : rt_xstrdup("");
}

int rt_toml_get_string(char **out, int *line, const char *text, size_t len, const char *filename,
		       const char *const *path, size_t path_len)
{
	lookup l;
	char *name = NULL;
	int error = 0;

	*out = NULL;
	memset(&l, 0, sizeof(l));
	l.path = path;
	l.path_len = path_len;
	/* The whole text is scanned: a broken file is an error even after the match. */
	if (rt_toml_scan(text, len, filename, lookup_cb, &l) != 0) {
		error = -1;
		goto cleanup;
	}
	if (!l.found) {
		error = RT_ENOTFOUND;
		goto cleanup;
	}
	if (l.kind != RT_TOML_STRING) {
		name = dotted(path, path_len);
		error = rt_error_set_at(RT_ERR_INPUT, filename ? filename : "TOML text", l.line,
					"%s must be a quoted string", name);
		goto cleanup;
	}
	*out = l.value;
	l.value = NULL;
	if (line)
		*line = l.line;
cleanup:
	free(name);
	free(l.value);
	return error;
}

int rt_toml_array_strings(char ***out, size_t *count, const char *text, size_t start, size_t end,
			  const char *filename, int line)
{
	scanner s;
	str_list list = {NULL, 0, 0};
	int error = 0;

	*out = NULL;
	*count = 0;
	memset(&s, 0, sizeof(s));
	s.text = text;
	s.len = end;
	s.pos = start;
	s.line = line > 0 ? line : 1;
	s.filename = filename;
	if (!text || start >= end || text[start] != '[') {
		error = syntax_error_at(&s, s.line, "expected an array of strings [\"...\", ...]");
		goto cleanup;
	}
	if (parse_array(&s, &list) != 0) {
		error = -1;
		goto cleanup;
	}
	skip_ws(&s);
	if (s.pos != end) {
		error = syntax_error_at(&s, s.line, "unexpected text after the array");
		goto cleanup;
	}
	if (!list.items)
		list.items = rt_xcalloc(1, sizeof(*list.items));
	*out = list.items;
	*count = list.len;
	list.items = NULL;
	list.len = 0;
cleanup:
	list_free(&list);
	return error;
}

void rt_toml_strings_free(char **strings)
{
	if (!strings)
		return;
	for (char **p = strings; *p; p++)
		free(*p);
	free(strings);
}
