/*
 * manifest: the version a project declares in its root file (see manifest.h).
 *
 * The one idea: read each format with a reader that understands it, and
 * address the version by its full path, so no other `version` can be
 * mistaken for it. A grep for the first `version =` line picks up a
 * dependency's requirement, or text inside a string, and once tagged a
 * Wasmtime release `vrt-multi-thread] }`. Cargo.toml and pyproject.toml go
 * through the TOML scanner (one pass that notes every candidate path),
 * package.json through cJSON, and a plain VERSION file must be exactly one
 * line. When the version is missing the error says which file and what to
 * set instead, because the caller (the tag mode) has nothing to fall back on.
 */
#include "manifest.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "toml.h"

const char *const rt_manifest_auto_files[] = {"Cargo.toml", "package.json", "VERSION", NULL};

/* One value the reader looks for, as the scanner reported it. */
typedef struct {
	const char *const *path;
	size_t path_len;
	bool found;
	rt_toml_kind kind;
	char *string; /* decoded, for RT_TOML_STRING */
	size_t start, end;
	int line;
} wanted;

typedef struct {
	wanted *items;
	size_t count;
} wanted_set;

static const char *basename_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

static bool entry_is(const rt_toml_entry *e, const char *const *path, size_t path_len)
{
	if (e->in_array_table || e->path_len != path_len)
		return false;
	for (size_t i = 0; i < path_len; i++)
		if (strcmp(e->path[i], path[i]) != 0)
			return false;
	return true;
}

/* Notes the first occurrence of each wanted path. */
static int collect_cb(const rt_toml_entry *e, void *payload)
{
	wanted_set *set = payload;

	for (size_t i = 0; i < set->count; i++) {
		wanted *w = &set->items[i];
		if (w->found || !entry_is(e, w->path, w->path_len))
			continue;
		w->found = true;
		w->kind = e->kind;
		w->start = e->value_start;
		w->end = e->value_end;
		w->line = e->line;
		if (e->kind == RT_TOML_STRING)
			w->string = rt_xstrdup(e->string);
	}
	return 0;
}

static void wanted_free(wanted_set *set)
{
	for (size_t i = 0; i < set->count; i++) {
		free(set->items[i].string);
		set->items[i].string = NULL;
	}
}

/* Takes w's string as the version; an empty or non-string value is an error. */
static int take_version(char **out, wanted *w, const char *file, const char *what)
{
	if (w->kind != RT_TOML_STRING)
		return rt_error_set_at(RT_ERR_INPUT, file, w->line,
				       "%s must be a quoted string such as \"1.2.3\"", what);
	if (w->string[0] == '\0')
		return rt_error_set_at(RT_ERR_INPUT, file, w->line,
				       "%s is empty; write the version there, e.g. \"1.2.3\"",
				       what);
	*out = w->string;
	w->string = NULL;
	return 0;
}

static bool value_is_true(const wanted *w, const char *text)
{
	return w->found && w->kind == RT_TOML_OTHER && w->end - w->start == 4 &&
	       memcmp(text + w->start, "true", 4) == 0;
}

/* Cargo.toml: [workspace.package] version, then [package] version. */
static int cargo_version(char **out, const char *file, const char *text, size_t len)
{
	static const char *const ws_path[] = {"workspace", "package", "version"};
	static const char *const pkg_path[] = {"package", "version"};
	static const char *const inherit_path[] = {"package", "version", "workspace"};
	wanted items[] = {
	    {.path = ws_path, .path_len = 3},	   /* [workspace.package] version */
	    {.path = pkg_path, .path_len = 2},	   /* [package] version */
	    {.path = inherit_path, .path_len = 3}, /* [package] version.workspace = true */
	};
	wanted_set set = {items, 3};
	wanted *ws = &items[0], *pkg = &items[1], *inherit = &items[2];
	int error = 0;

	if (rt_toml_scan(text, len, file, collect_cb, &set) != 0) {
		error = -1;
		goto cleanup;
	}
	if (ws->found) {
		error = take_version(out, ws, file, "[workspace.package] version");
		goto cleanup;
	}
	if (pkg->found && pkg->kind == RT_TOML_STRING) {
		error = take_version(out, pkg, file, "[package] version");
		goto cleanup;
	}
	if (inherit->found) {
		if (!value_is_true(inherit, text))
			error = rt_error_set_at(RT_ERR_INPUT, file, inherit->line,
						"[package] version.workspace must be true or the "
						"version must be a string such as \"1.2.3\"");
		else
			error = rt_error_set_at(
			    RT_ERR_INPUT, file, inherit->line,
			    "[package] takes its version from the workspace "
			    "(version.workspace = true), but this file has no "
			    "[workspace.package] version; set it there, or set version-from "
			    "to the workspace's root Cargo.toml");
		goto cleanup;
	}
	if (pkg->found) {
		error = take_version(out, pkg, file, "[package] version");
		goto cleanup;
	}
	rt_error_set_at(RT_ERR_INPUT, file, 0,
				"no version in this Cargo.toml; set [workspace.package] version "
				"(or [package] version) in it, or set the version-from input to "
				"the file that holds the version");
	error = RT_ENOTFOUND;
cleanup:
	wanted_free(&set);
	return error;
}

/* pyproject.toml: [project] version, then [tool.poetry] version. */
static int pyproject_version(char **out, const char *file, const char *text, size_t len)
{
	static const char *const project_path[] = {"project", "version"};
	static const char *const poetry_path[] = {"tool", "poetry", "version"};
	static const char *const dynamic_path[] = {"project", "dynamic"};
	wanted items[] = {
	    {.path = project_path, .path_len = 2},
	    {.path = poetry_path, .path_len = 3},
	    {.path = dynamic_path, .path_len = 2},
	};
	wanted_set set = {items, 3};
	char **dynamic = NULL;
	size_t ndynamic = 0;
	int error = 0;

	if (rt_toml_scan(text, len, file, collect_cb, &set) != 0) {
		error = -1;
		goto cleanup;
	}
	if (items[0].found) {
		error = take_version(out, &items[0], file, "[project] version");
		goto cleanup;
	}
	if (items[1].found) {
		error = take_version(out, &items[1], file, "[tool.poetry] version");
		goto cleanup;
	}
	if (items[2].found && items[2].kind == RT_TOML_ARRAY &&
	    rt_toml_array_strings(&dynamic, &ndynamic, text, items[2].start, items[2].end, file,
				  items[2].line) == 0) {
		for (size_t i = 0; i < ndynamic; i++) {
			if (strcmp(dynamic[i], "version") != 0)
				continue;
			error =
			    rt_error_set_at(RT_ERR_INPUT, file, items[2].line,
					    "[project] version is dynamic (computed by the build "
					    "backend); set the version-from input to the file that "
					    "holds the version");
			goto cleanup;
		}
	}
	rt_error_clear(); /* a malformed dynamic list only loses the hint */
	rt_error_set_at(RT_ERR_INPUT, file, 0,
				"no version in this pyproject.toml; set [project] version (or "
				"[tool.poetry] version) in it, or set the version-from input to "
				"the file that holds the version");
	error = RT_ENOTFOUND;
cleanup:
	rt_toml_strings_free(dynamic);
	wanted_free(&set);
	return error;
}

static int line_at(const char *text, const char *pos)
{
	int line = 1;
	for (const char *p = text; p < pos; p++)
		if (*p == '\n')
			line++;
	return line;
}

static size_t skip_bom(const char *text, size_t len)
{
	return len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool only_space(const char *p, const char *end)
{
	for (; p < end; p++)
		if (!is_space(*p))
			return false;
	return true;
}

/* package.json: the top-level "version" string. */
static int json_version(char **out, const char *file, const char *text, size_t len)
{
	size_t bom = skip_bom(text, len);
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithLengthOpts(text + bom, len - bom, &end, false);
	const cJSON *version;
	int error = 0;

	if (!root) {
		int line = 0;
		if (end && end >= text + bom && end <= text + len)
			line = line_at(text, end);
		error = rt_error_set_at(RT_ERR_INPUT, file, line,
					"not valid JSON%s; fix the syntax or set version-from to "
					"another file",
					line ? " (error near this line)" : "");
		goto cleanup;
	}
	if (!only_space(end, text + len)) {
		error = rt_error_set_at(RT_ERR_INPUT, file, line_at(text, end),
					"not valid JSON: text after the top-level object; fix the "
					"syntax or set version-from to another file");
		goto cleanup;
	}
	if (!cJSON_IsObject(root)) {
		error = rt_error_set_at(RT_ERR_INPUT, file, 1,
					"the top level must be a JSON object with a \"version\" "
					"field");
		goto cleanup;
	}
	version = cJSON_GetObjectItemCaseSensitive(root, "version");
	if (!version) {
		rt_error_set_at(RT_ERR_INPUT, file, 0,
				"no top-level \"version\" field; add one (\"version\": "
				"\"1.2.3\") or set version-from to the file that holds the "
				"version");
		error = RT_ENOTFOUND;
		goto cleanup;
	}
	if (!cJSON_IsString(version) || !version->valuestring || !version->valuestring[0]) {
		error = rt_error_set_at(RT_ERR_INPUT, file, 0,
					"\"version\" must be a non-empty string such as \"1.2.3\"");
		goto cleanup;
	}
	*out = rt_xstrdup(version->valuestring);
cleanup:
	cJSON_Delete(root);
	return error;
}

static const char *line_break(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == '\n' || s[i] == '\r')
			return s + i;
	return NULL;
}

/* VERSION, version.txt...: one line, surrounding whitespace ignored. */
static int plain_version(char **out, const char *file, const char *text, size_t len)
{
	size_t start = skip_bom(text, len), end = len;
	const char *nl;

	while (start < end && is_space(text[start]))
		start++;
	while (end > start && is_space(text[end - 1]))
		end--;
	if (start == end)
		return rt_error_set_at(RT_ERR_INPUT, file, 0,
				       "the version file is empty; write the version (e.g. 1.2.3) "
				       "on its one line");
	if (memchr(text + start, '\0', end - start))
		return rt_error_set_at(RT_ERR_INPUT, file, line_at(text, text + start),
				       "NUL byte in the version file; it must be a one-line text "
				       "file");
	nl = line_break(text + start, end - start);
	if (nl) {
		while (is_space(*nl))
			nl++; /* to the second non-empty line: trimming guarantees one */
		return rt_error_set_at(RT_ERR_INPUT, file, line_at(text, nl),
				       "more than one line; a version file must hold only the "
				       "version (e.g. 1.2.3)");
	}
	*out = rt_xstrndup(text + start, end - start);
	return 0;
}

int rt_manifest_version(char **out, const char *display_path, const char *text, size_t len)
{
	const char *base = basename_of(display_path);

	*out = NULL;
	if (!text) {
		text = "";
		len = 0;
	}
	if (strcmp(base, "Cargo.toml") == 0)
		return cargo_version(out, display_path, text, len);
	if (strcmp(base, "pyproject.toml") == 0)
		return pyproject_version(out, display_path, text, len);
	if (strcmp(base, "package.json") == 0)
		return json_version(out, display_path, text, len);
	return plain_version(out, display_path, text, len);
}
