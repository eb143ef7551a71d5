/*
 * versionfile: versions outside Cargo manifests (see versionfile.h).
 *
 * Each reader returns the byte ranges to replace; reading and editing use
 * the same ranges, so what is reported is exactly what gets rewritten.
 */
#include "versionfile.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "semver.h"
#include "toml.h"

typedef enum { PART_STRING, PART_MAJOR, PART_MINOR, PART_PATCH } part_kind;

typedef struct {
	part_kind kind;
	size_t start, end;
} span;

typedef struct {
	span items[8];
	size_t count;
} span_list;

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static void add_span(span_list *l, part_kind kind, size_t start, size_t end)
{
	if (l->count < sizeof(l->items) / sizeof(l->items[0])) {
		l->items[l->count].kind = kind;
		l->items[l->count].start = start;
		l->items[l->count].end = end;
		l->count++;
	}
}

/* #define X_VERSION "1.2.3" and X_VERSION_MAJOR/_MINOR/_PATCH N. */
static int header_spans(span_list *out, const char *text, size_t len)
{
	size_t pos = 0;

	while (pos < len) {
		const char *line = text + pos, *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos, i = 0, name_start, name_end;

		pos += n + (nl != NULL);
		while (i < n && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i >= n || line[i] != '#')
			continue;
		i++;
		while (i < n && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (n - i < 7 || strncmp(line + i, "define", 6) != 0 || !isspace((unsigned char)line[i + 6]))
			continue;
		i += 6;
		while (i < n && (line[i] == ' ' || line[i] == '\t'))
			i++;
		name_start = i;
		while (i < n && (isalnum((unsigned char)line[i]) || line[i] == '_'))
			i++;
		name_end = i;
		while (i < n && (line[i] == ' ' || line[i] == '\t'))
			i++;
		{
			char *name = rt_xstrndup(line + name_start, name_end - name_start);
			size_t base = (size_t)(line - text);
			if (ends_with(name, "_VERSION") && i < n && line[i] == '"') {
				const char *close = memchr(line + i + 1, '"', n - i - 1);
				if (close)
					add_span(out, PART_STRING, base + i + 1, base + (size_t)(close - line));
			} else if (i < n && isdigit((unsigned char)line[i])) {
				size_t j = i;
				part_kind kind = PART_STRING;
				while (j < n && isdigit((unsigned char)line[j]))
					j++;
				if (ends_with(name, "_VERSION_MAJOR"))
					kind = PART_MAJOR;
				else if (ends_with(name, "_VERSION_MINOR"))
					kind = PART_MINOR;
				else if (ends_with(name, "_VERSION_PATCH"))
					kind = PART_PATCH;
				if (kind != PART_STRING)
					add_span(out, kind, base + i, base + j);
			}
			free(name);
		}
	}
	return 0;
}

/* The top-level "version" of a JSON object: a small scanner that tracks
 * depth and skips strings, so a nested "version" never matches. */
static int json_spans(span_list *out, const char *text, size_t len)
{
	size_t i = 0;
	int depth = 0;
	bool expect_key = false;

	while (i < len) {
		char c = text[i];
		if (c == '"') {
			size_t start = ++i;
			while (i < len && text[i] != '"')
				i += text[i] == '\\' ? 2 : 1;
			if (i >= len)
				break;
			if (depth == 1 && expect_key && i - start == 7 && memcmp(text + start, "version", 7) == 0) {
				size_t j = i + 1;
				while (j < len && isspace((unsigned char)text[j]))
					j++;
				if (j < len && text[j] == ':') {
					j++;
					while (j < len && isspace((unsigned char)text[j]))
						j++;
					if (j < len && text[j] == '"') {
						size_t vs = j + 1, ve = vs;
						while (ve < len && text[ve] != '"' && text[ve] != '\\')
							ve++;
						if (ve < len && text[ve] == '"') {
							add_span(out, PART_STRING, vs, ve);
							return 0;
						}
					}
				}
			}
			expect_key = false;
			i++;
			continue;
		}
		if (c == '{') {
			depth++;
			expect_key = depth == 1;
		} else if (c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			depth--;
		} else if (c == ',') {
			expect_key = depth == 1;
		}
		i++;
	}
	return 0;
}

typedef struct {
	const char *section;
	bool found;
	size_t start, end;
	bool is_string;
	int line;
} toml_find;

static int pyproject_cb(const rt_toml_entry *e, void *payload)
{
	toml_find *f = payload;

	if (f->found || e->in_array_table)
		return 0;
	if ((e->path_len == 2 && strcmp(e->path[0], "project") == 0 && strcmp(e->path[1], "version") == 0) ||
	    (e->path_len == 3 && strcmp(e->path[0], "tool") == 0 && strcmp(e->path[1], "poetry") == 0 &&
	     strcmp(e->path[2], "version") == 0)) {
		f->found = true;
		f->is_string = e->kind == RT_TOML_STRING;
		f->start = e->value_start;
		f->end = e->value_end;
		f->line = e->line;
	}
	return 0;
}

static int pyproject_spans(span_list *out, const char *path, const char *text, size_t len)
{
	toml_find f = {0};

	if (rt_toml_scan(text, len, path, pyproject_cb, &f) != 0)
		return -1;
	if (f.found && !f.is_string)
		return rt_error_set_at(RT_ERR_INPUT, path, f.line, "project.version must be a quoted string");
	if (f.found) {
		size_t q = (f.end - f.start >= 6 && (strncmp(text + f.start, "\"\"\"", 3) == 0 ||
						     strncmp(text + f.start, "'''", 3) == 0)) ? 3 : 1;
		add_span(out, PART_STRING, f.start + q, f.end - q);
	}
	return 0;
}

/* The one line of a VERSION file, without surrounding blanks. */
static int plain_spans(span_list *out, const char *text, size_t len)
{
	size_t s = 0, e = len;

	while (s < e && isspace((unsigned char)text[s]))
		s++;
	while (e > s && isspace((unsigned char)text[e - 1]))
		e--;
	if (e > s && !memchr(text + s, '\n', e - s))
		add_span(out, PART_STRING, s, e);
	return 0;
}

static int find_spans(span_list *out, const char *path, const char *text, size_t len)
{
	const char *name = base_name(path);
	int error;

	memset(out, 0, sizeof(*out));
	if (ends_with(name, ".h") || ends_with(name, ".hpp") || ends_with(name, ".hh"))
		error = header_spans(out, text, len);
	else if (strcmp(name, "package.json") == 0)
		error = json_spans(out, text, len);
	else if (strcmp(name, "pyproject.toml") == 0)
		error = pyproject_spans(out, path, text, len);
	else
		error = plain_spans(out, text, len);
	if (error == 0 && (out->count == 0 || out->items[0].kind != PART_STRING)) {
		size_t i;
		bool have_string = false;
		for (i = 0; i < out->count; i++)
			have_string |= out->items[i].kind == PART_STRING;
		if (!have_string)
			return rt_error_set_at(RT_ERR_INPUT, path, 0,
					       "version-files lists %s, but no version was found in it (expected %s)",
					       path,
					       ends_with(name, ".h") ? "#define NAME_VERSION \"x.y.z\"" :
					       strcmp(name, "package.json") == 0 ? "a top-level \"version\"" :
					       strcmp(name, "pyproject.toml") == 0 ? "[project] version" :
					       "one line holding the version");
	}
	return error;
}

int rt_versionfile_read(char **out, const char *path, const char *text, size_t len)
{
	span_list spans;
	size_t i;

	*out = NULL;
	if (find_spans(&spans, path, text, len) < 0)
		return -1;
	for (i = 0; i < spans.count; i++)
		if (spans.items[i].kind == PART_STRING) {
			*out = rt_xstrndup(text + spans.items[i].start,
					   spans.items[i].end - spans.items[i].start);
			return 0;
		}
	return -1;
}

static int span_cmp(const void *a, const void *b)
{
	const span *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

int rt_versionfile_edit(rt_buf *out, const char *path, const char *text, size_t len,
			const char *new_version)
{
	span_list spans;
	rt_semver v;
	size_t i, pos = 0;

	if (rt_semver_parse(&v, new_version) < 0)
		return -1;
	if (find_spans(&spans, path, text, len) < 0) {
		rt_semver_free(&v);
		return -1;
	}
	qsort(spans.items, spans.count, sizeof(span), span_cmp);
	for (i = 0; i < spans.count; i++) {
		const span *s = &spans.items[i];
		rt_buf_put(out, text + pos, s->start - pos);
		switch (s->kind) {
		case PART_STRING: rt_buf_puts(out, new_version); break;
		case PART_MAJOR: rt_buf_printf(out, "%llu", (unsigned long long)v.major); break;
		case PART_MINOR: rt_buf_printf(out, "%llu", (unsigned long long)v.minor); break;
		case PART_PATCH: rt_buf_printf(out, "%llu", (unsigned long long)v.patch); break;
		}
		pos = s->end;
	}
	rt_buf_put(out, text + pos, len - pos);
	rt_semver_free(&v);
	return 0;
}
