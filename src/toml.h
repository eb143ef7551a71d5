/*
 * toml: a lossless scanner of TOML documents (Cargo manifests, pyproject).
 *
 * It does not build a tree: it walks the text once and reports every
 * key/value with its full key path and the byte offsets of the value in
 * the original text. Readers look values up by path; editors (the bump
 * mode) replace exactly those bytes and keep every other byte - comments,
 * order, spacing, quoting, CRLF, a missing final newline - untouched.
 */
#ifndef RT_TOML_H
#define RT_TOML_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
	RT_TOML_STRING,       /* basic, literal or multi-line string */
	RT_TOML_INLINE_TABLE, /* { ... }: its members are reported too, after it */
	RT_TOML_ARRAY,        /* [ ... ] */
	RT_TOML_OTHER         /* integer, float, boolean, date-time */
} rt_toml_kind;

typedef struct {
	/* Full key path: the [table] header's keys, then the dotted key, then
	 * the keys inside inline tables. `[workspace.package]\nversion = "1"`
	 * and `[workspace]\npackage.version = "1"` both give
	 * {"workspace","package","version"}. Keys are unquoted/unescaped. */
	const char *const *path;
	size_t path_len;
	size_t table_len;     /* how many leading path elements come from the [header] */
	bool in_array_table;  /* the header was [[...]] */
	rt_toml_kind kind;
	size_t value_start;   /* offset of the value's first byte (the quote, for strings) */
	size_t value_end;     /* offset one past its last byte */
	const char *string;   /* RT_TOML_STRING: the decoded value, else NULL */
	int line;             /* 1-based line of the key */
} rt_toml_entry;

/* Called for each entry; a non-zero return stops the scan and is returned. */
typedef int (*rt_toml_cb)(const rt_toml_entry *entry, void *payload);

/* Scan text; a syntax error records an RT_ERR_INPUT error at filename:line
 * and returns -1. Table headers alone produce no entry. */
int rt_toml_scan(const char *text, size_t len, const char *filename, rt_toml_cb cb, void *payload);

/* The decoded string at a full path ("workspace", "package", "version").
 * 0 and *out (caller frees) when found as a string; RT_ENOTFOUND (no error
 * recorded) when absent; -1 on a syntax error or when the value there is
 * not a string (error names filename:line). line may be NULL. */
int rt_toml_get_string(char **out, int *line, const char *text, size_t len, const char *filename,
		       const char *const *path, size_t path_len);

/* The strings of an array value text[start,end) ("[\"a\", 'b']"); non-string
 * elements are an error. *out is a NULL-terminated array (free with
 * rt_toml_strings_free). */
int rt_toml_array_strings(char ***out, size_t *count, const char *text, size_t start, size_t end,
			  const char *filename, int line);
void rt_toml_strings_free(char **strings);

#endif
