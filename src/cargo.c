/*
 * cargo: workspace discovery and the format-preserving version editor
 * (see cargo.h).
 *
 * Each manifest is scanned once into a flat list of entries (key path,
 * value bytes, decoded string); discovery and editing then work on those
 * lists. A dependency is a group of entries under one key of a dependency
 * table - `foo = "1"`, `foo = { version = "1", path = ".." }`,
 * `foo.version = "1"`, `[dependencies.foo]` - which the scanner reports
 * with the same path whatever the syntax, so one rule covers every form.
 * An edit is (start, end, replacement) on the original bytes; the new text
 * is the old one with those ranges spliced, nothing else.
 */
#include "cargo.h"

#include <errno.h>
#include <dirent.h>
#include <fnmatch.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "error.h"
#include "toml.h"

/* --- one manifest, scanned ------------------------------------------------ */

typedef struct {
	char **path;
	size_t path_len;
	bool in_array_table;
	rt_toml_kind kind;
	size_t start, end;
	char *string; /* decoded, strings only */
	int line;
} entry;

typedef struct {
	entry *items;
	size_t count, cap;
} entry_list;

static int record_cb(const rt_toml_entry *e, void *payload)
{
	entry_list *l = payload;
	entry *n;
	size_t i;

	if (l->count == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->items = rt_xrealloc(l->items, l->cap * sizeof(*l->items));
	}
	n = &l->items[l->count++];
	n->path = rt_xmalloc((e->path_len + 1) * sizeof(char *));
	for (i = 0; i < e->path_len; i++)
		n->path[i] = rt_xstrdup(e->path[i]);
	n->path[e->path_len] = NULL;
	n->path_len = e->path_len;
	n->in_array_table = e->in_array_table;
	n->kind = e->kind;
	n->start = e->value_start;
	n->end = e->value_end;
	n->string = e->string ? rt_xstrdup(e->string) : NULL;
	n->line = e->line;
	return 0;
}

static void entries_free(entry_list *l)
{
	size_t i, j;

	for (i = 0; i < l->count; i++) {
		for (j = 0; j < l->items[i].path_len; j++)
			free(l->items[i].path[j]);
		free(l->items[i].path);
		free(l->items[i].string);
	}
	free(l->items);
	memset(l, 0, sizeof(*l));
}

static int scan_entries(entry_list *out, const char *text, size_t len, const char *filename)
{
	memset(out, 0, sizeof(*out));
	if (rt_toml_scan(text, len, filename, record_cb, out) != 0) {
		entries_free(out);
		return -1;
	}
	return 0;
}

/* Does e's path equal the given keys (NULL-terminated)? */
static bool path_is(const entry *e, const char *const *keys)
{
	size_t i;

	for (i = 0; keys[i]; i++)
		if (i >= e->path_len || strcmp(e->path[i], keys[i]) != 0)
			return false;
	return i == e->path_len && !e->in_array_table;
}

#define PATH_IS(e, ...) path_is((e), (const char *const[]){__VA_ARGS__, NULL})

static const entry *find_entry(const entry_list *l, const char *const *keys)
{
	size_t i;

	for (i = 0; i < l->count; i++)
		if (path_is(&l->items[i], keys))
			return &l->items[i];
	return NULL;
}

#define FIND(l, ...) find_entry((l), (const char *const[]){__VA_ARGS__, NULL})

static bool value_is(const entry *e, const char *text, const char *word)
{
	size_t n = strlen(word);
	return e && e->kind == RT_TOML_OTHER && e->end - e->start == n &&
	       memcmp(text + e->start, word, n) == 0;
}

/* An empty array "[ ]" (publish = []). */
static bool empty_array(const entry *e, const char *text)
{
	size_t i;

	if (!e || e->kind != RT_TOML_ARRAY)
		return false;
	for (i = e->start + 1; i + 1 < e->end; i++)
		if (text[i] != ' ' && text[i] != '\t' && text[i] != '\n' && text[i] != '\r')
			return false;
	return true;
}

/* --- dependencies --------------------------------------------------------- */

static bool is_dep_table(const char *key)
{
	return strcmp(key, "dependencies") == 0 || strcmp(key, "dev-dependencies") == 0 ||
	       strcmp(key, "build-dependencies") == 0 || strcmp(key, "dev_dependencies") == 0 ||
	       strcmp(key, "build_dependencies") == 0;
}

/* How many leading keys name the dependency table, 0 if e is not in one:
 * [dependencies], [target.X.dependencies], [workspace.dependencies]. */
static size_t dep_prefix(const entry *e)
{
	if (e->in_array_table)
		return 0;
	if (e->path_len >= 2 && is_dep_table(e->path[0]))
		return 1;
	if (e->path_len >= 4 && strcmp(e->path[0], "target") == 0 && is_dep_table(e->path[2]))
		return 3;
	if (e->path_len >= 3 && strcmp(e->path[0], "workspace") == 0 &&
	    strcmp(e->path[1], "dependencies") == 0)
		return 2;
	return 0;
}

typedef struct {
	const entry *first;    /* any entry of the group (its key path up to the name) */
	size_t prefix;         /* keys of the table */
	const entry *plain;    /* foo = "1" */
	const entry *version;  /* foo.version / { version = } */
	const char *package;   /* renamed: the real crate name */
	const char *path;      /* path = "..." */
	bool git, registry, workspace;
} dep;

typedef struct {
	dep *items;
	size_t count, cap;
} dep_list;

static bool same_dep(const entry *a, const entry *b, size_t prefix)
{
	size_t i;

	for (i = 0; i <= prefix; i++)
		if (strcmp(a->path[i], b->path[i]) != 0)
			return false;
	return true;
}

static void collect_deps(dep_list *out, const entry_list *l)
{
	size_t i, j;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < l->count; i++) {
		const entry *e = &l->items[i];
		size_t k = dep_prefix(e);
		dep *d = NULL;
		const char *field;

		if (!k)
			continue;
		for (j = out->count; j-- > 0;)
			if (out->items[j].prefix == k && same_dep(out->items[j].first, e, k)) {
				d = &out->items[j];
				break;
			}
		if (!d) {
			if (out->count == out->cap) {
				out->cap = out->cap ? out->cap * 2 : 16;
				out->items = rt_xrealloc(out->items, out->cap * sizeof(*out->items));
			}
			d = &out->items[out->count++];
			memset(d, 0, sizeof(*d));
			d->first = e;
			d->prefix = k;
		}
		if (e->path_len == k + 1) {
			if (e->kind == RT_TOML_STRING)
				d->plain = e;
			continue;
		}
		if (e->path_len != k + 2)
			continue; /* features.x = ... and the like */
		field = e->path[k + 1];
		if (strcmp(field, "version") == 0 && e->kind == RT_TOML_STRING)
			d->version = e;
		else if (strcmp(field, "package") == 0 && e->kind == RT_TOML_STRING)
			d->package = e->string;
		else if (strcmp(field, "path") == 0 && e->kind == RT_TOML_STRING)
			d->path = e->string;
		else if (strcmp(field, "git") == 0)
			d->git = true;
		else if (strcmp(field, "registry") == 0 || strcmp(field, "registry-index") == 0)
			d->registry = true;
		else if (strcmp(field, "workspace") == 0)
			d->workspace = true;
	}
}

static const char *dep_crate(const dep *d)
{
	return d->package ? d->package : d->first->path[d->prefix];
}

/* --- requirements ---------------------------------------------------------- */

/* The version of a requirement: 1 to 3 numeric parts and a pre-release. */
typedef struct {
	uint64_t part[3];
	int parts;
	char *pre; /* NULL when none */
} req_version;

static int parse_req_version(req_version *out, const char *v)
{
	const char *p = v;

	memset(out, 0, sizeof(*out));
	while (out->parts < 3) {
		char *end;
		if (*p < '0' || *p > '9')
			return -1;
		errno = 0;
		out->part[out->parts++] = strtoull(p, &end, 10);
		if (errno)
			return -1;
		p = end;
		if (*p != '.')
			break;
		p++;
	}
	if (*p == '-' && out->parts == 3) {
		size_t n = strcspn(p + 1, "+");
		out->pre = rt_xstrndup(p + 1, n);
		p += 1 + n;
	}
	if (*p == '+' && out->parts == 3)
		p += strlen(p); /* build metadata means nothing in a requirement */
	if (*p) {
		free(out->pre);
		out->pre = NULL;
		return -1;
	}
	return 0;
}

/* Does a single comparator (op, version) admit v? Cargo's rules, with its
 * pre-release rule: a pre-release matches only a comparator on the same
 * major.minor.patch that has a pre-release itself. */
static bool req_admits(const char *op, const req_version *r, const rt_semver *v)
{
	uint64_t x = r->part[0], y = r->parts > 1 ? r->part[1] : 0, z = r->parts > 2 ? r->part[2] : 0;
	rt_semver low = {x, y, z, r->pre, NULL}, high = {0, 0, 0, NULL, NULL};
	rt_semver core = {v->major, v->minor, v->patch, NULL, NULL};

	if (v->pre && !(r->parts == 3 && r->pre && v->major == x && v->minor == y && v->patch == z))
		return false;
	if (rt_semver_compare(v, &low) < 0)
		return false;
	if (strcmp(op, ">=") == 0)
		return true;
	if (strcmp(op, "=") == 0 && r->parts == 3)
		return rt_semver_compare(v, &low) == 0;
	if (r->parts == 1) {
		high.major = x + 1; /* =X, ~X, ^X: the major may not change */
	} else if (strcmp(op, "=") == 0 || strcmp(op, "~") == 0) {
		high.major = x;
		high.minor = y + 1;
	} else if (x > 0) { /* caret */
		high.major = x + 1;
	} else if (y > 0 || r->parts == 2) {
		high.minor = y + 1;
	} else {
		high.patch = z + 1;
	}
	return rt_semver_compare(&core, &high) < 0;
}

/* Did the requirement name this version (to its own precision)? */
static bool req_names(const req_version *r, const rt_semver *v)
{
	const uint64_t parts[3] = {v->major, v->minor, v->patch};
	int i;

	for (i = 0; i < r->parts; i++)
		if (r->part[i] != parts[i])
			return false;
	if (r->parts < 3)
		return v->pre == NULL;
	if (!r->pre || !v->pre)
		return !r->pre && !v->pre;
	return strcmp(r->pre, v->pre) == 0;
}

char *rt_cargo_requirement_bump(const char *requirement, const char *old_version,
				const char *new_version)
{
	const char *p = requirement, *v;
	char op[3] = "";
	size_t lead, oplen, gap;
	req_version r;
	rt_semver old = {0}, next = {0};
	char *out = NULL, *version_text = NULL;

	while (*p == ' ')
		p++;
	lead = (size_t)(p - requirement);
	if (strncmp(p, ">=", 2) == 0)
		oplen = 2;
	else if (*p == '=' || *p == '^' || *p == '~')
		oplen = 1;
	else if (*p == '<' || *p == '>')
		return NULL; /* a bound, not a version to follow */
	else
		oplen = 0;
	memcpy(op, p, oplen);
	p += oplen;
	v = p + strspn(p, " ");
	gap = (size_t)(v - p);
	if (strpbrk(v, ",*xX| ") || parse_req_version(&r, v) < 0)
		return NULL;
	if (rt_semver_parse(&old, old_version) < 0 || rt_semver_parse(&next, new_version) < 0) {
		rt_error_clear();
		goto cleanup;
	}
	if (!req_names(&r, &old) && req_admits(oplen ? op : "^", &r, &next)) {
		out = rt_xstrdup(requirement); /* deliberately loose and still true: kept */
		goto cleanup;
	}
	/* named the old version, or no longer admits the new one: follow it,
	 * keeping the operator and the precision ("0.1" -> "0.2") */
	if (r.parts == 3 || next.pre) {
		rt_semver bare = next;
		bare.build = NULL;
		version_text = rt_semver_format(&bare);
	} else if (r.parts == 2) {
		version_text = rt_xsprintf("%llu.%llu", (unsigned long long)next.major,
					   (unsigned long long)next.minor);
	} else {
		version_text = rt_xsprintf("%llu", (unsigned long long)next.major);
	}
	out = rt_xsprintf("%.*s%s%.*s%s", (int)lead, requirement, op, (int)gap, p, version_text);

cleanup:
	free(version_text);
	free(r.pre);
	rt_semver_free(&old);
	rt_semver_free(&next);
	return out;
}

/* The version part of a requirement ("=1.2.3" -> "1.2.3"), for comparing. */
static const char *requirement_version(const char *req)
{
	req += strspn(req, " ");
	req += strspn(req, "=^~>");
	return req + strspn(req, " ");
}

/* --- edits ----------------------------------------------------------------- */

typedef struct {
	size_t start, end;
	char *text;
} edit;

typedef struct {
	edit *items;
	size_t count, cap;
} edit_list;

static void edit_add(edit_list *l, size_t start, size_t end, char *text)
{
	if (l->count == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->items = rt_xrealloc(l->items, l->cap * sizeof(*l->items));
	}
	l->items[l->count].start = start;
	l->items[l->count].end = end;
	l->items[l->count].text = text;
	l->count++;
}

static void edits_free(edit_list *l)
{
	size_t i;

	for (i = 0; i < l->count; i++)
		free(l->items[i].text);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

static int edit_cmp(const void *a, const void *b)
{
	const edit *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

/* A string value replaced keeping its quotes ("...", '...', """...""", '''...'''). */
static void edit_string(edit_list *l, const char *text, const entry *e, const char *value)
{
	size_t q = 1;

	if (e->end - e->start >= 6 && (strncmp(text + e->start, "\"\"\"", 3) == 0 ||
				       strncmp(text + e->start, "'''", 3) == 0))
		q = 3;
	if (strcmp(e->string, value) == 0)
		return;
	edit_add(l, e->start + q, e->end - q, rt_xstrdup(value));
}

/* The text with every edit spliced in (edits sorted, never overlapping). */
static void apply_edits(rt_buf *out, const char *text, size_t len, edit_list *l)
{
	size_t pos = 0, i;

	if (l->count > 1)
		qsort(l->items, l->count, sizeof(*l->items), edit_cmp);
	for (i = 0; i < l->count; i++) {
		if (l->items[i].start < pos)
			continue; /* cannot happen: one value, one edit */
		rt_buf_put(out, text + pos, l->items[i].start - pos);
		rt_buf_puts(out, l->items[i].text);
		pos = l->items[i].end;
	}
	rt_buf_put(out, text + pos, len - pos);
}

static const rt_cargo_bump *find_bump(const rt_cargo_bumps *b, const char *name)
{
	size_t i;

	for (i = 0; i < b->count; i++)
		if (strcmp(b->crates[i].name, name) == 0)
			return &b->crates[i];
	return NULL;
}

/* One requirement on a bumped crate: follow the bump, keeping the operator. */
static void edit_requirement(edit_list *l, const char *text, const entry *e, const dep *d,
			     const rt_cargo_bump *b, const char *filename, rt_buf *warnings)
{
	char *req;

	/* without a path, a requirement may pin an older published release on
	 * purpose: it follows only when it named exactly the old version */
	if (!d->path && strcmp(requirement_version(e->string), b->old_version) != 0)
		return;
	req = rt_cargo_requirement_bump(e->string, b->old_version, b->new_version);
	if (!req) {
		if (warnings)
			rt_buf_printf(warnings, "%s:%d: the requirement \"%s\" on %s was left as it is (not a single version to follow)\n",
				      filename, e->line, e->string, b->name);
		return;
	}
	edit_string(l, text, e, req);
	free(req);
}

int rt_cargo_edit_manifest(rt_buf *out, size_t *edits, const char *text, size_t len,
			   const char *filename, const rt_cargo_bumps *bumps, rt_buf *warnings)
{
	entry_list l;
	dep_list deps;
	edit_list ed = {0};
	const entry *name, *version, *wsv;
	size_t i;

	*edits = 0;
	if (scan_entries(&l, text, len, filename) < 0)
		return -1;
	name = FIND(&l, "package", "name");
	version = FIND(&l, "package", "version");
	if (name && name->kind == RT_TOML_STRING && version && version->kind == RT_TOML_STRING) {
		const rt_cargo_bump *b = find_bump(bumps, name->string);
		if (b && b->new_version)
			edit_string(&ed, text, version, b->new_version);
	}
	wsv = FIND(&l, "workspace", "package", "version");
	if (wsv && wsv->kind == RT_TOML_STRING && bumps->ws_new_version)
		edit_string(&ed, text, wsv, bumps->ws_new_version);
	collect_deps(&deps, &l);
	for (i = 0; i < deps.count; i++) {
		const dep *d = &deps.items[i];
		const entry *req = d->version ? d->version : d->plain;
		const rt_cargo_bump *b;

		if (!req || d->git || d->registry || d->workspace)
			continue;
		b = find_bump(bumps, dep_crate(d));
		if (b && b->new_version)
			edit_requirement(&ed, text, req, d, b, filename, warnings);
	}
	*edits = ed.count;
	apply_edits(out, text, len, &ed);
	edits_free(&ed);
	free(deps.items);
	entries_free(&l);
	return 0;
}

/* --- Cargo.lock ------------------------------------------------------------ */

typedef struct {
	const entry *name, *version, *deps;
	bool source;
} lock_package;

/* "name version" strings inside a dependencies array, rewritten in place. */
static void edit_lock_refs(edit_list *ed, const char *text, const entry *arr,
			   const rt_cargo_bumps *bumps, const char *const *old_versions)
{
	size_t p = arr->start;

	while (p < arr->end) {
		const char *q = memchr(text + p, '"', arr->end - p), *close, *space;
		size_t i;

		if (!q)
			break;
		close = memchr(q + 1, '"', (size_t)(text + arr->end - (q + 1)));
		if (!close)
			break;
		space = memchr(q + 1, ' ', (size_t)(close - (q + 1)));
		p = (size_t)(close - text) + 1;
		if (!space || memchr(space + 1, ' ', (size_t)(close - space - 1)))
			continue; /* "name" alone, or "name version (source)" */
		for (i = 0; i < bumps->count; i++) {
			const rt_cargo_bump *b = &bumps->crates[i];
			size_t nlen = strlen(b->name), vlen;

			if (!b->new_version || !old_versions[i] || (size_t)(space - q - 1) != nlen ||
			    memcmp(q + 1, b->name, nlen) != 0)
				continue;
			vlen = strlen(old_versions[i]);
			if ((size_t)(close - space - 1) == vlen && memcmp(space + 1, old_versions[i], vlen) == 0)
				edit_add(ed, (size_t)(space - text) + 1, (size_t)(close - text),
					 rt_xstrdup(b->new_version));
		}
	}
}

int rt_cargo_edit_lock(rt_buf *out, size_t *edits, const char *text, size_t len,
		       const char *filename, const rt_cargo_bumps *bumps)
{
	entry_list l;
	edit_list ed = {0};
	lock_package *pkgs = NULL;
	const char **old_versions = rt_xcalloc(bumps->count + 1, sizeof(char *));
	size_t i, j, n = 0;

	*edits = 0;
	if (scan_entries(&l, text, len, filename) < 0) {
		free(old_versions);
		return -1;
	}
	pkgs = rt_xcalloc(l.count + 1, sizeof(*pkgs));
	for (i = 0; i < l.count; i++) {
		const entry *e = &l.items[i];

		if (!e->in_array_table || e->path_len != 2 || strcmp(e->path[0], "package") != 0)
			continue;
		if (strcmp(e->path[1], "name") == 0 && e->kind == RT_TOML_STRING)
			pkgs[n++].name = e; /* Cargo writes name first in each [[package]] */
		else if (n == 0)
			continue;
		else if (strcmp(e->path[1], "version") == 0 && e->kind == RT_TOML_STRING)
			pkgs[n - 1].version = e;
		else if (strcmp(e->path[1], "source") == 0)
			pkgs[n - 1].source = true;
		else if (strcmp(e->path[1], "dependencies") == 0 && e->kind == RT_TOML_ARRAY)
			pkgs[n - 1].deps = e;
	}
	for (i = 0; i < n; i++) {
		if (pkgs[i].source || !pkgs[i].version)
			continue;
		for (j = 0; j < bumps->count; j++) {
			const rt_cargo_bump *b = &bumps->crates[j];
			if (b->new_version && strcmp(b->name, pkgs[i].name->string) == 0) {
				old_versions[j] = pkgs[i].version->string;
				edit_string(&ed, text, pkgs[i].version, b->new_version);
			}
		}
	}
	for (i = 0; i < n; i++)
		if (pkgs[i].deps)
			edit_lock_refs(&ed, text, pkgs[i].deps, bumps, old_versions);
	*edits = ed.count;
	apply_edits(out, text, len, &ed);
	edits_free(&ed);
	free(pkgs);
	free(old_versions);
	entries_free(&l);
	return 0;
}

/* --- discovery ------------------------------------------------------------- */

typedef struct {
	rt_cargo_workspace *ws;
	entry_list *scans; /* parallel to ws->files (manifests only) */
	char **excludes;
	size_t nexcludes;
	size_t nscans;
	const char *root_text;
	dep_list root_deps; /* the root manifest's, for workspace = true */
	bool have_root_deps;
} loader;

static void warn(rt_cargo_workspace *ws, char *message)
{
	ws->warnings = rt_xrealloc(ws->warnings, (ws->nwarnings + 1) * sizeof(char *));
	ws->warnings[ws->nwarnings++] = message;
}

/* dir + "/" + rel, with "." and ".." resolved; NULL when it leaves the root. */
static char *join_rel(const char *dir, const char *rel)
{
	rt_buf b = RT_BUF_INIT;
	char *all = *dir ? rt_xsprintf("%s/%s", dir, rel) : rt_xstrdup(rel), *save = NULL, *part;
	char *result = NULL;

	for (part = strtok_r(all, "/", &save); part; part = strtok_r(NULL, "/", &save)) {
		if (strcmp(part, ".") == 0)
			continue;
		if (strcmp(part, "..") == 0) {
			char *slash;
			if (b.len == 0)
				goto cleanup;
			slash = strrchr(b.ptr, '/');
			rt_buf_truncate(&b, slash ? (size_t)(slash - b.ptr) : 0);
			continue;
		}
		if (b.len)
			rt_buf_putc(&b, '/');
		rt_buf_puts(&b, part);
	}
	result = b.len ? rt_buf_detach(&b) : rt_xstrdup("");

cleanup:
	rt_buf_free(&b);
	free(all);
	return result;
}

static char *manifest_of(const char *dir)
{
	return *dir ? rt_xsprintf("%s/Cargo.toml", dir) : rt_xstrdup("Cargo.toml");
}

static bool excluded(const loader *ld, const char *dir)
{
	size_t i;

	for (i = 0; i < ld->nexcludes; i++) {
		size_t n = strlen(ld->excludes[i]);
		if (n && strncmp(dir, ld->excludes[i], n) == 0 && (dir[n] == '\0' || dir[n] == '/'))
			return true;
	}
	return false;
}

static rt_cargo_file *find_file(const rt_cargo_workspace *ws, const char *path)
{
	size_t i;

	for (i = 0; i < ws->nfiles; i++)
		if (strcmp(ws->files[i].path, path) == 0)
			return &ws->files[i];
	return NULL;
}

/* Read root/rel into a new file slot; RT_ENOTFOUND when it cannot be read
 * (error recorded). */
static int read_file(rt_cargo_workspace *ws, const char *rel)
{
	char *full = rt_xsprintf("%s/%s", ws->root, rel);
	rt_cargo_file *f;
	rt_buf text = RT_BUF_INIT;
	int error = rt_buf_read_file(&text, full);

	free(full);
	if (error < 0) {
		rt_buf_free(&text);
		return RT_ENOTFOUND;
	}
	ws->files = rt_xrealloc(ws->files, (ws->nfiles + 1) * sizeof(*ws->files));
	f = &ws->files[ws->nfiles++];
	memset(f, 0, sizeof(*f));
	f->path = rt_xstrdup(rel);
	f->before = text;
	return 0;
}

static int add_member(loader *ld, const char *dir, const char *why_file, int why_line,
		      bool must_exist);

/* The crate of a member manifest already read and scanned. */
static int add_crate(loader *ld, size_t file_index)
{
	rt_cargo_workspace *ws = ld->ws;
	const rt_cargo_file *f = &ws->files[file_index];
	const entry_list *l = &ld->scans[file_index];
	const char *text = f->before.ptr ? f->before.ptr : "";
	const entry *name = FIND(l, "package", "name"), *version = FIND(l, "package", "version");
	const entry *inherit = FIND(l, "package", "version", "workspace");
	const entry *publish = FIND(l, "package", "publish");
	const entry *publish_ws = FIND(l, "package", "publish", "workspace");
	rt_cargo_crate *c;

	if (!name || name->kind != RT_TOML_STRING)
		return rt_error_set_at(RT_ERR_INPUT, f->path, 1,
				       "this workspace member has no [package] name; give it one or remove it from [workspace] members");
	ws->crates = rt_xrealloc(ws->crates, (ws->count + 1) * sizeof(*ws->crates));
	c = &ws->crates[ws->count++];
	memset(c, 0, sizeof(*c));
	c->name = rt_xstrdup(name->string);
	c->manifest = rt_xstrdup(f->path);
	c->publish = true;
	if (version && version->kind == RT_TOML_STRING) {
		c->version = rt_xstrdup(version->string);
		c->version_line = version->line;
	} else if (value_is(inherit, text, "true")) {
		c->inherits = true;
		if (!ws->ws_version)
			return rt_error_set_at(RT_ERR_INPUT, f->path, inherit->line,
					       "version.workspace = true, but the root Cargo.toml has no [workspace.package] version");
		c->version = rt_xstrdup(ws->ws_version);
		c->version_line = inherit->line;
	} else if (version) {
		return rt_error_set_at(RT_ERR_INPUT, f->path, version->line,
				       "package.version must be a quoted string or version.workspace = true");
	}
	if (value_is(publish, text, "false") || empty_array(publish, text))
		c->publish = false;
	if (value_is(publish_ws, text, "true")) {
		const entry *wp = FIND(&ld->scans[0], "workspace", "package", "publish");
		if (value_is(wp, ld->root_text, "false") || empty_array(wp, ld->root_text))
			c->publish = false;
	}
	if (!c->version)
		c->publish = false; /* no version: Cargo treats it as unpublishable 0.0.0 */
	return 0;
}

/* Follow the path dependencies of one manifest (workspace = true ones
 * through [workspace.dependencies]). The targets are listed first: adding
 * a member grows the arrays this manifest's entries live in. */
static int follow_paths(loader *ld, size_t file_index)
{
	char *dir, *slash, *from = rt_xstrdup(ld->ws->files[file_index].path);
	char **targets;
	int *lines;
	dep_list deps;
	const dep_list *root_deps = &ld->root_deps;
	size_t i, j, n = 0;
	int error = 0;

	dir = rt_xstrdup(from);
	slash = strrchr(dir, '/');
	*(slash ? slash : dir) = '\0';
	collect_deps(&deps, &ld->scans[file_index]);
	if (!ld->have_root_deps) {
		collect_deps(&ld->root_deps, &ld->scans[0]);
		ld->have_root_deps = true;
	}
	targets = rt_xcalloc(deps.count + 1, sizeof(char *));
	lines = rt_xcalloc(deps.count + 1, sizeof(int));
	for (i = 0; i < deps.count; i++) {
		const dep *d = &deps.items[i];
		const char *path = d->path, *base = dir;
		char *target;

		if (d->prefix == 2)
			continue; /* [workspace.dependencies]: only through members that use them */
		if (!path && d->workspace) {
			for (j = 0; j < root_deps->count; j++) {
				const dep *r = &root_deps->items[j];
				if (r->prefix == 2 && r->path &&
				    strcmp(r->first->path[2], d->first->path[d->prefix]) == 0) {
					path = r->path;
					base = "";
					break;
				}
			}
		}
		if (!path)
			continue;
		target = join_rel(base, path);
		if (target && !excluded(ld, target)) {
			lines[n] = d->first->line;
			targets[n++] = target;
		} else {
			free(target);
		}
	}
	free(deps.items);
	for (i = 0; i < n; i++) {
		if (error == 0)
			error = add_member(ld, targets[i], from, lines[i], false);
		free(targets[i]);
	}
	free(targets);
	free(lines);
	free(dir);
	free(from);
	return error;
}

static int add_member(loader *ld, const char *dir, const char *why_file, int why_line,
		      bool must_exist)
{
	rt_cargo_workspace *ws = ld->ws;
	char *manifest = manifest_of(dir);
	size_t index;
	int error = 0;

	if (find_file(ws, manifest))
		goto cleanup;
	if (read_file(ws, manifest) < 0) {
		if (must_exist) {
			error = rt_error_set_at(RT_ERR_INPUT, why_file, why_line,
						"workspace member %s has no readable Cargo.toml (%s); fix [workspace] members or add the crate",
						*dir ? dir : ".", rt_error_last() ? rt_error_last()->message : "");
		} else {
			rt_error_clear();
			warn(ws, rt_xsprintf("%s:%d: the path dependency %s cannot be read (a submodule that is not checked out?): requirements on it are left as they are",
					     why_file, why_line, manifest));
		}
		goto cleanup;
	}
	index = ws->nfiles - 1;
	ld->scans = rt_xrealloc(ld->scans, ws->nfiles * sizeof(*ld->scans));
	ld->nscans = ws->nfiles;
	if (scan_entries(&ld->scans[index], ws->files[index].before.ptr, ws->files[index].before.len,
			 manifest) < 0) {
		memset(&ld->scans[index], 0, sizeof(ld->scans[index]));
		error = -1;
		goto cleanup;
	}
	if (!must_exist && FIND(&ld->scans[index], "package", "name") == NULL) {
		goto cleanup; /* not a package (a nested virtual workspace): not ours */
	}
	error = add_crate(ld, index);
	if (error == 0)
		error = follow_paths(ld, index);

cleanup:
	free(manifest);
	return error;
}

/* The line of the string s inside the array value e (for messages). */
static int line_in_array(const char *text, const entry *e, const char *s)
{
	size_t n = strlen(s), i;
	int line = e->line;

	for (i = e->start; i + n < e->end; i++) {
		if (text[i] == '\n')
			line++;
		if ((text[i] == '"' || text[i] == '\'') && strncmp(text + i + 1, s, n) == 0 &&
		    text[i + 1 + n] == text[i])
			return line;
	}
	return e->line;
}

static bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Directories under root matching pattern (relative, '/'-separated; each
 * segment an fnmatch pattern), sorted. prefix is the part matched so far. */
static void glob_dirs(char ***out, size_t *count, const char *root, const char *prefix,
		      const char *pattern)
{
	size_t seg = strcspn(pattern, "/");
	char *segment = rt_xstrndup(pattern, seg), *dirpath;
	const char *rest = pattern[seg] ? pattern + seg + 1 : NULL;
	char **names = NULL;
	size_t n = 0, i;
	DIR *d;
	struct dirent *de;

	dirpath = *prefix ? rt_xsprintf("%s/%s", root, prefix) : rt_xstrdup(root);
	d = opendir(dirpath);
	while (d && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' && segment[0] != '.')
			continue;
		if (fnmatch(segment, de->d_name, FNM_PERIOD) != 0)
			continue;
		names = rt_xrealloc(names, (n + 1) * sizeof(char *));
		names[n++] = rt_xstrdup(de->d_name);
	}
	if (d)
		closedir(d);
	if (n > 1)
		qsort(names, n, sizeof(char *), str_cmp);
	for (i = 0; i < n; i++) {
		char *rel = *prefix ? rt_xsprintf("%s/%s", prefix, names[i]) : rt_xstrdup(names[i]);
		char *full = rt_xsprintf("%s/%s", root, rel);

		if (is_dir(full)) {
			if (rest) {
				glob_dirs(out, count, root, rel, rest);
			} else {
				*out = rt_xrealloc(*out, (*count + 1) * sizeof(char *));
				(*out)[(*count)++] = rel;
				rel = NULL;
			}
		}
		free(full);
		free(rel);
		free(names[i]);
	}
	free(names);
	free(dirpath);
	free(segment);
}

static int expand_members(loader *ld, const entry *members)
{
	rt_cargo_workspace *ws = ld->ws;
	char **patterns = NULL;
	size_t count = 0, i, j;
	int error;

	if (members->kind != RT_TOML_ARRAY)
		return rt_error_set_at(RT_ERR_INPUT, "Cargo.toml", members->line,
				       "workspace.members must be an array of paths");
	error = rt_toml_array_strings(&patterns, &count, ld->root_text, members->start, members->end,
				      "Cargo.toml", members->line);
	for (i = 0; i < count && error == 0; i++) {
		int line = line_in_array(ld->root_text, members, patterns[i]);
		char *rel = join_rel("", patterns[i]);

		if (!rel) {
			error = rt_error_set_at(RT_ERR_INPUT, "Cargo.toml", line,
						"workspace member '%s' is outside the workspace root", patterns[i]);
		} else if (strpbrk(rel, "*?[")) {
			char **dirs = NULL;
			size_t ndirs = 0;

			glob_dirs(&dirs, &ndirs, ws->root, "", rel);
			for (j = 0; j < ndirs; j++) {
				if (error == 0 && !excluded(ld, dirs[j]))
					error = add_member(ld, dirs[j], "Cargo.toml", line, true);
				free(dirs[j]);
			}
			free(dirs);
			if (error == 0 && ndirs == 0)
				error = rt_error_set_at(RT_ERR_INPUT, "Cargo.toml", line,
							"workspace member glob '%s' matches no directory; fix the pattern or remove it",
							patterns[i]);
		} else if (!excluded(ld, rel)) {
			error = add_member(ld, rel, "Cargo.toml", line, true);
		}
		free(rel);
	}
	rt_toml_strings_free(patterns);
	return error;
}

static int read_excludes(loader *ld, const entry *exclude)
{
	char **list = NULL;
	size_t count = 0, i;

	if (!exclude)
		return 0;
	if (exclude->kind != RT_TOML_ARRAY ||
	    rt_toml_array_strings(&list, &count, ld->root_text, exclude->start, exclude->end,
				  "Cargo.toml", exclude->line) < 0) {
		if (!rt_error_last())
			rt_error_set_at(RT_ERR_INPUT, "Cargo.toml", exclude->line,
					"workspace.exclude must be an array of paths");
		return -1;
	}
	ld->excludes = rt_xcalloc(count + 1, sizeof(char *));
	for (i = 0; i < count; i++) {
		char *rel = join_rel("", list[i]);
		if (rel)
			ld->excludes[ld->nexcludes++] = rel;
	}
	rt_toml_strings_free(list);
	return 0;
}

int rt_cargo_load(rt_cargo_workspace **out, const char *root_dir)
{
	rt_cargo_workspace *ws = rt_xcalloc(1, sizeof(*ws));
	loader ld;
	const entry *wsv, *members;
	size_t i;
	int error = -1;

	*out = NULL;
	memset(&ld, 0, sizeof(ld));
	ld.ws = ws;
	ws->root = rt_xstrdup(root_dir);
	if (read_file(ws, "Cargo.toml") < 0) {
		rt_error_set(RT_ERR_INPUT, "there is no Cargo.toml in %s", root_dir);
		error = RT_ENOTFOUND;
		goto cleanup;
	}
	ld.scans = rt_xcalloc(1, sizeof(*ld.scans));
	ld.nscans = 1;
	if (scan_entries(&ld.scans[0], ws->files[0].before.ptr, ws->files[0].before.len, "Cargo.toml") < 0)
		goto cleanup;
	ld.root_text = ws->files[0].before.ptr ? ws->files[0].before.ptr : "";
	wsv = FIND(&ld.scans[0], "workspace", "package", "version");
	if (wsv && wsv->kind != RT_TOML_STRING) {
		rt_error_set_at(RT_ERR_INPUT, "Cargo.toml", wsv->line,
				"workspace.package.version must be a quoted string");
		goto cleanup;
	}
	if (wsv) {
		ws->ws_version = rt_xstrdup(wsv->string);
		ws->ws_version_line = wsv->line;
	}
	if (read_excludes(&ld, FIND(&ld.scans[0], "workspace", "exclude")) < 0)
		goto cleanup;
	if (FIND(&ld.scans[0], "package", "name")) {
		if (add_crate(&ld, 0) < 0 || follow_paths(&ld, 0) < 0)
			goto cleanup;
	}
	members = FIND(&ld.scans[0], "workspace", "members");
	if (members && expand_members(&ld, members) < 0)
		goto cleanup;
	/* the lock file last: it is edited, never a source of members */
	if (read_file(ws, "Cargo.lock") < 0)
		rt_error_clear();
	*out = ws;
	ws = NULL;
	error = 0;

cleanup:
	for (i = 0; i < ld.nscans; i++)
		entries_free(&ld.scans[i]);
	free(ld.root_deps.items);
	free(ld.scans);
	for (i = 0; i < ld.nexcludes; i++)
		free(ld.excludes[i]);
	free(ld.excludes);
	rt_cargo_free(ws);
	return error;
}

void rt_cargo_free(rt_cargo_workspace *ws)
{
	size_t i;

	if (!ws)
		return;
	for (i = 0; i < ws->count; i++) {
		free(ws->crates[i].name);
		free(ws->crates[i].manifest);
		free(ws->crates[i].version);
		free(ws->crates[i].new_version);
	}
	for (i = 0; i < ws->nfiles; i++) {
		free(ws->files[i].path);
		rt_buf_free(&ws->files[i].before);
		rt_buf_free(&ws->files[i].after);
	}
	for (i = 0; i < ws->nwarnings; i++)
		free(ws->warnings[i]);
	free(ws->warnings);
	free(ws->crates);
	free(ws->files);
	free(ws->root);
	free(ws->ws_version);
	free(ws->ws_new_version);
	free(ws);
}

/* --- planning -------------------------------------------------------------- */

/* Record the last error again, naming file:line. */
static int error_at(const char *file, int line)
{
	const rt_error *e = rt_error_last();
	char *msg = rt_xstrdup(e && e->message ? e->message : "invalid version");
	rt_error_kind kind = e ? e->kind : RT_ERR_INPUT;

	rt_error_set_at(kind, file, line, "%s", msg);
	free(msg);
	return -1;
}

/* *out gets the new version; NULL (and 0) for level release on a version
 * that is not a pre-release: a crate already released stays as it is. */
static int bump_one(char **out, const char *version, const char *file, int line,
		    const rt_cargo_options *opts)
{
	rt_semver old, next;
	int error;

	*out = NULL;
	if (rt_semver_parse(&old, version) < 0)
		return error_at(file, line);
	if (opts->version) {
		*out = rt_xstrdup(opts->version);
		rt_semver_free(&old);
		return 0;
	}
	if (opts->level == RT_BUMP_RELEASE && !old.pre) {
		rt_semver_free(&old);
		return 0;
	}
	error = rt_semver_bump_pre(&next, &old, opts->level, opts->prerelease_id);
	if (error == 0) {
		*out = rt_semver_format(&next);
		rt_semver_free(&next);
	} else {
		error_at(file, line);
	}
	rt_semver_free(&old);
	return error;
}

int rt_cargo_plan(rt_cargo_workspace *ws, const rt_cargo_options *opts)
{
	size_t i, changed = 0;
	rt_semver check;

	if (opts->version) {
		const char *seen = ws->ws_version;
		if (rt_semver_parse(&check, opts->version) < 0)
			return rt_error_prefix("input 'version'");
		rt_semver_free(&check);
		for (i = 0; i < ws->count; i++) {
			const rt_cargo_crate *c = &ws->crates[i];
			if (!c->version || !(c->publish || opts->bump_unpublished))
				continue;
			if (seen && strcmp(seen, c->version) != 0)
				return rt_error_set(RT_ERR_INPUT,
						    "input 'version' sets one version, but this workspace has crates at %s and %s (%s); use level instead",
						    seen, c->version, c->name);
			seen = c->version;
		}
	}
	if (ws->ws_version &&
	    bump_one(&ws->ws_new_version, ws->ws_version, "Cargo.toml", ws->ws_version_line, opts) < 0)
		return -1;
	for (i = 0; i < ws->count; i++) {
		rt_cargo_crate *c = &ws->crates[i];

		free(c->new_version);
		c->new_version = NULL;
		if (!c->version)
			continue;
		if (c->inherits)
			c->new_version = ws->ws_new_version ? rt_xstrdup(ws->ws_new_version) : NULL;
		else if ((c->publish || opts->bump_unpublished) &&
			 bump_one(&c->new_version, c->version, c->manifest, c->version_line, opts) < 0)
			return -1;
		changed += c->new_version != NULL;
	}
	if (opts->level == RT_BUMP_RELEASE && !opts->version && changed == 0 && !ws->ws_new_version)
		return rt_error_set(RT_ERR_INPUT,
				    "level 'release' drops the pre-release, but no crate of this workspace has one; use major, minor or patch");
	return 0;
}

int rt_cargo_edit(rt_cargo_workspace *ws)
{
	rt_cargo_bump *list = rt_xcalloc(ws->count + 1, sizeof(*list));
	rt_cargo_bumps bumps;
	rt_buf warnings = RT_BUF_INIT;
	size_t i;
	int error = 0;

	for (i = 0; i < ws->count; i++) {
		list[i].name = ws->crates[i].name;
		list[i].old_version = ws->crates[i].version;
		list[i].new_version = ws->crates[i].new_version;
	}
	bumps.crates = list;
	bumps.count = ws->count;
	bumps.ws_new_version = ws->ws_new_version;
	for (i = 0; i < ws->nfiles && error == 0; i++) {
		rt_cargo_file *f = &ws->files[i];
		const char *text = f->before.ptr ? f->before.ptr : "";

		rt_buf_truncate(&f->after, 0);
		if (strcmp(f->path, "Cargo.lock") == 0)
			error = rt_cargo_edit_lock(&f->after, &f->edits, text, f->before.len, f->path, &bumps);
		else
			error = rt_cargo_edit_manifest(&f->after, &f->edits, text, f->before.len, f->path,
						       &bumps, &warnings);
	}
	if (warnings.len) {
		char *save = NULL, *line;
		for (line = strtok_r(warnings.ptr, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
			warn(ws, rt_xstrdup(line));
	}
	rt_buf_free(&warnings);
	free(list);
	return error;
}

/* --- the workspace's version ---------------------------------------------- */

void rt_cargo_primary_version(const rt_cargo_workspace *ws, const char **old_version,
			      const char **new_version)
{
	size_t i, j, best = 0, best_count = 0;
	bool have = false;

	*old_version = *new_version = NULL;
	if (ws->ws_version && ws->ws_new_version) {
		*old_version = ws->ws_version;
		*new_version = ws->ws_new_version;
		return;
	}
	if (ws->count && strcmp(ws->crates[0].manifest, "Cargo.toml") == 0 && ws->crates[0].version &&
	    ws->crates[0].new_version) {
		*old_version = ws->crates[0].version;
		*new_version = ws->crates[0].new_version;
		return;
	}
	for (i = 0; i < ws->count; i++) {
		size_t n = 0;
		if (!ws->crates[i].new_version)
			continue;
		for (j = 0; j < ws->count; j++)
			if (ws->crates[j].new_version &&
			    strcmp(ws->crates[j].version, ws->crates[i].version) == 0)
				n++;
		if (!have || n > best_count) {
			best = i;
			best_count = n;
			have = true;
		} else if (n == best_count) {
			rt_semver a, b;
			if (rt_semver_parse(&a, ws->crates[i].version) == 0) {
				if (rt_semver_parse(&b, ws->crates[best].version) == 0) {
					if (rt_semver_compare(&a, &b) > 0)
						best = i;
					rt_semver_free(&b);
				}
				rt_semver_free(&a);
			}
			rt_error_clear();
		}
	}
	if (have) {
		*old_version = ws->crates[best].version;
		*new_version = ws->crates[best].new_version;
	}
}
