/*
 * mode_release: get or create the GitHub release of a tag and upload the
 * release artifacts (SPEC.md, section release).
 *
 * The design in one idea: check everything, then mutate in an order in
 * which every intermediate state is safe to stop in. Files, names, sizes
 * and notes are checked before any request; the release and its assets
 * are read and a plan is made (keep, upload, replace, delete) before any
 * request that changes something, so an immutable release is refused
 * before its first upload and a dry run is the plan itself. A new release
 * is a draft until every asset is verified (size and SHA-256 digest);
 * a replaced asset is uploaded under a temporary name, verified, and only
 * then does the old one go; publishing is the last request. A run killed
 * anywhere leaves a state that the next run recognises and completes:
 * a `starter` asset is deleted and uploaded again, a left-over temporary
 * asset of ours is deleted, an identical asset is kept.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "error.h"
#include "github.h"
#include "glob.h"
#include "modes.h"
#include "notes.h"
#include "runner.h"
#include "semver.h"
#include "sha256.h"
#include "upload.h"

#define MAX_ASSET_SIZE (2ULL * 1024 * 1024 * 1024) /* GitHub: under 2 GiB per asset */
#define MAX_ASSETS 1000
#define MAX_BODY_CHARS 125000
#define TMP_PREFIX "rt-tmp-"
/* A release object embeds its assets (every one, as far as releases of a
 * few dozen assets show); from this many on, the paginated list is read
 * instead, in case a very long embedded list were cut. */
#define EMBEDDED_ASSETS_TRUSTED 100

typedef enum { ACT_UPLOAD, ACT_KEEP, ACT_REPLACE } asset_action;

/* One asset this run produces: a local file, or the checksums file. */
typedef struct {
	char *path;             /* local file, or NULL for the checksums file */
	char *shown;            /* the file as the patterns spell it, for messages */
	char *name;             /* asset name */
	uint64_t size;
	char sha[RT_SHA256_HEX_LEN + 1]; /* "" until hashed */
	asset_action action;
	long long existing_id;  /* the asset of that name now, or 0 */
	bool existing_starter;  /* ... and it is a half-made one */
	char *tmp_name;         /* ACT_REPLACE: uploaded under this name first */
	char *url;              /* browser_download_url at the end */
	long long final_id;
	char *data;             /* the checksums file's text */
} item;

/* An asset of the release that this run does not produce. */
typedef struct {
	long long id;
	char *name;
	uint64_t size;
	char *digest; /* "sha256:..." or NULL */
	bool starter;
	bool ours_tmp; /* a left-over temporary of one of our names */
} other_asset;

typedef struct {
	const rt_config *cfg;
	rt_github *gh;
	char *tag;
	char *version;        /* the tag without its prefix, for notes and pre-release */
	bool prerelease;      /* what the release should say */
	char *notes;          /* body for a new release, or NULL */

	cJSON *release;       /* GitHub's release, or NULL: to be created */
	long long release_id;
	bool draft, immutable;
	bool created;

	item *items;
	size_t count;
	other_asset *others;
	size_t other_count;
	item checksums;       /* name NULL when not asked for */
	bool has_checksums;
	cJSON *checksums_asset; /* the asset of the checksums name when the run began */
} release_run;

static const char *jstr(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static long long jid(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsNumber(v) ? (long long)v->valuedouble : 0;
}

static bool jtrue(const cJSON *obj, const char *key)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(obj, key));
}

static void item_free(item *it)
{
	free(it->path);
	free(it->shown);
	free(it->name);
	free(it->tmp_name);
	free(it->url);
	free(it->data);
}

static void others_clear(release_run *run)
{
	for (size_t i = 0; i < run->other_count; i++) {
		free(run->others[i].name);
		free(run->others[i].digest);
	}
	free(run->others);
	run->others = NULL;
	run->other_count = 0;
}

static void run_free(release_run *run)
{
	for (size_t i = 0; i < run->count; i++)
		item_free(&run->items[i]);
	free(run->items);
	if (run->has_checksums)
		item_free(&run->checksums);
	others_clear(run);
	cJSON_Delete(run->checksums_asset);
	cJSON_Delete(run->release);
	free(run->tag);
	free(run->version);
	free(run->notes);
}

/* --- the tag and its version ---------------------------------------------- */

static int resolve_tag(release_run *run)
{
	const rt_config *cfg = run->cfg;
	const char *t = NULL;
	rt_semver v;

	if (cfg->rolling)
		t = cfg->rolling;
	else if (cfg->tag)
		t = cfg->tag;
	else if (cfg->ref && strncmp(cfg->ref, "refs/tags/", 10) == 0)
		t = cfg->ref + 10;
	if (!t || !*t)
		return rt_error_set(RT_ERR_INPUT,
				    "no release tag: run on a tag push (GITHUB_REF refs/tags/...) or set the tag input");
	run->tag = rt_xstrdup(t);
	/* v1.2.3, release-1.2.3, 1.2.3: the version starts at the first digit */
	t = run->tag;
	while (*t && !(*t >= '0' && *t <= '9'))
		t++;
	run->version = rt_xstrdup(*t ? t : run->tag);
	if (cfg->rolling) {
		run->prerelease = cfg->prerelease != RT_FALSE;
	} else if (cfg->prerelease == RT_AUTO) {
		run->prerelease = false;
		if (rt_semver_parse(&v, run->version) == 0) {
			run->prerelease = v.pre != NULL;
			rt_semver_free(&v);
		}
		rt_error_clear();
	} else {
		run->prerelease = cfg->prerelease == RT_TRUE;
	}
	return 0;
}

/* --- local files and preflight ----------------------------------------------- */

/* The name GitHub gives an asset uploaded as name (tests/harness/names.py:
 * runs outside [A-Za-z0-9._-] become one '.', dots collapse, leading and
 * trailing dots go; non-ASCII bytes are treated as outside). */
static char *github_name(const char *name)
{
	rt_buf b = RT_BUF_INIT;
	size_t start, end;
	char *out;

	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		bool ok = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
			  (*p >= '0' && *p <= '9') || *p == '_' || *p == '-';
		char c = ok ? (char)*p : '.';
		if (c == '.' && b.len && b.ptr[b.len - 1] == '.')
			continue;
		rt_buf_putc(&b, c);
	}
	start = 0;
	end = b.len;
	while (start < end && b.ptr[start] == '.')
		start++;
	while (end > start && b.ptr[end - 1] == '.')
		end--;
	out = end > start ? rt_xstrndup(b.ptr + start, end - start) : rt_xstrdup("default");
	rt_buf_free(&b);
	return out;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

static char *disk_path(const rt_config *cfg, const char *path)
{
	if (path[0] == '/' || !cfg->repo_dir || !*cfg->repo_dir)
		return rt_xstrdup(path);
	return rt_xsprintf("%s/%s", cfg->repo_dir, path);
}

static void offend(rt_buf *msg, size_t *n, const char *fmt, ...) RT_PRINTF(3, 4);

/* One more line of the preflight's list of offenders. */
static void offend(rt_buf *msg, size_t *n, const char *fmt, ...)
{
	va_list ap;

	rt_buf_puts(msg, "\n  - ");
	va_start(ap, fmt);
	rt_buf_vprintf(msg, fmt, ap);
	va_end(ap);
	(*n)++;
}

/* Files from the globs, each checked: exit 2 naming every offender. */
static int collect_files(release_run *run)
{
	const rt_config *cfg = run->cfg;
	rt_glob_result g = {0};
	rt_buf msg = RT_BUF_INIT;
	size_t offenders = 0, i, j, total;
	char **rewritten = NULL;
	int error = -1;

	if (rt_glob_expand(&g, cfg->repo_dir, cfg->files) < 0)
		goto cleanup;
	if (g.unmatched_count) {
		rt_buf list = RT_BUF_INIT;
		for (i = 0; i < g.unmatched_count; i++)
			rt_buf_printf(&list, "%s`%s`", i ? ", " : "", g.unmatched[i]);
		if (cfg->fail_on_unmatched) {
			rt_error_set(RT_ERR_INPUT,
				     "files: %zu pattern%s matched nothing in %s: %s. Check that the build jobs produced them (and that the artifacts were downloaded), or set fail-on-unmatched: false",
				     g.unmatched_count, g.unmatched_count == 1 ? "" : "s",
				     cfg->repo_dir ? cfg->repo_dir : ".", rt_buf_cstr(&list));
			rt_buf_free(&list);
			goto cleanup;
		}
		rt_runner_warning("files: nothing matched %s", rt_buf_cstr(&list));
		rt_buf_free(&list);
	}
	run->items = rt_xcalloc(g.count + 1, sizeof(item));
	for (i = 0; i < g.count; i++) {
		item *it = &run->items[run->count++];
		char *p = disk_path(cfg, g.paths[i]);
		struct stat sb;

		it->path = p;
		it->shown = rt_xstrdup(g.paths[i]);
		it->name = rt_xstrdup(base_name(g.paths[i]));
		if (stat(p, &sb) < 0) {
			offend(&msg, &offenders, "`%s`: cannot be read (%s)", g.paths[i], strerror(errno));
		} else if (S_ISDIR(sb.st_mode)) {
			offend(&msg, &offenders, "`%s`: is a directory (name the files in it, e.g. `%s/*`)",
			       g.paths[i], g.paths[i]);
		} else if (!S_ISREG(sb.st_mode)) {
			offend(&msg, &offenders, "`%s`: is not a regular file", g.paths[i]);
		} else if (sb.st_size == 0) {
			offend(&msg, &offenders, "`%s`: is empty (GitHub refuses empty assets)", g.paths[i]);
		} else if ((uint64_t)sb.st_size >= MAX_ASSET_SIZE) {
			char size[32];
			snprintf(size, sizeof(size), "%.2f GiB", (double)sb.st_size / (1024.0 * 1024 * 1024));
			offend(&msg, &offenders, "`%s`: is %s; GitHub takes assets under 2 GiB (split it)",
			       g.paths[i], size);
		}
		it->size = (uint64_t)sb.st_size;
	}
	/* names: as GitHub would store them, and unique after that */
	total = run->count + (cfg->checksums ? 1 : 0);
	rewritten = rt_xcalloc(total + 1, sizeof(char *));
	for (i = 0; i < total; i++) {
		const char *name = i < run->count ? run->items[i].name : cfg->checksums;
		rewritten[i] = github_name(name);
		if (strcmp(rewritten[i], name) != 0)
			offend(&msg, &offenders, "`%s`: GitHub would rename it to `%s`; rename the file",
			       name, rewritten[i]);
		if (strncmp(name, TMP_PREFIX, strlen(TMP_PREFIX)) == 0)
			offend(&msg, &offenders, "`%s`: names starting with `" TMP_PREFIX "` are this tool's temporary names",
			       name);
	}
	for (i = 0; i < total; i++) {
		for (j = 0; j < i; j++) {
			const char *a = j < run->count ? run->items[j].shown : cfg->checksums;
			const char *b = i < run->count ? run->items[i].shown : cfg->checksums;
			if (strcmp(rewritten[i], rewritten[j]) != 0)
				continue;
			rt_buf_printf(&msg, "\n  - `%s` and `%s` would both be the asset `%s`", a, b,
				      rewritten[i]);
			offenders++;
			break;
		}
	}
	if (offenders) {
		rt_error_set(RT_ERR_INPUT, "%zu file%s cannot be release assets; nothing was changed:%s",
			     offenders, offenders == 1 ? "" : "s", rt_buf_cstr(&msg));
		goto cleanup;
	}
	error = 0;

cleanup:
	if (rewritten)
		for (i = 0; i < total; i++)
			free(rewritten[i]);
	free(rewritten);
	rt_buf_free(&msg);
	rt_glob_result_free(&g);
	return error;
}

static int read_notes(release_run *run)
{
	const rt_config *cfg = run->cfg;
	rt_buf text = RT_BUF_INIT;
	char *path;
	int error;

	if (!cfg->notes_file)
		return 0;
	path = disk_path(cfg, cfg->notes_file);
	error = rt_buf_read_file(&text, path);
	if (error == 0)
		error = rt_notes_extract(&run->notes, text.ptr ? text.ptr : "", text.len, run->version,
					 cfg->notes_file, MAX_BODY_CHARS);
	if (error < 0) {
		const rt_error *e = rt_error_last();
		if (e && e->kind != RT_ERR_INPUT)
			rt_error_set_at(RT_ERR_INPUT, cfg->notes_file, 0, "notes-file: %s", e->message);
	}
	rt_buf_free(&text);
	free(path);
	return error < 0 ? -1 : 0;
}

/* --- the release on GitHub ----------------------------------------------------- */

static void take_release(release_run *run, cJSON *rel)
{
	cJSON_Delete(run->release);
	run->release = rel;
	run->release_id = rel ? jid(rel, "id") : 0;
	run->draft = rel ? jtrue(rel, "draft") : false;
	run->immutable = rel ? (jtrue(rel, "immutable") && !run->draft) : false;
}

/* Every release of the tag in a list: the published one if any, else the
 * draft with the lowest id. */
static cJSON *pick_release(cJSON *list, const char *tag, long long *lowest_draft)
{
	cJSON *r, *best = NULL;

	*lowest_draft = 0;
	cJSON_ArrayForEach(r, list)
	{
		const char *t = jstr(r, "tag_name");
		if (!t || strcmp(t, tag) != 0)
			continue;
		if (!jtrue(r, "draft"))
			return r;
		if (!best || jid(r, "id") < jid(best, "id"))
			best = r;
	}
	if (best)
		*lowest_draft = jid(best, "id");
	return best;
}

static int find_release(release_run *run)
{
	cJSON *rel = NULL, *list = NULL, *picked;
	long long lowest;
	int error = rt_github_release_by_tag(run->gh, &rel, run->tag);

	if (error == 0) {
		take_release(run, rel);
		return 0;
	}
	if (error != RT_ENOTFOUND)
		return -1;
	rt_error_clear();
	/* drafts are invisible to get-by-tag */
	if (rt_github_releases_list(run->gh, &list) < 0)
		return -1;
	picked = pick_release(list, run->tag, &lowest);
	if (picked)
		take_release(run, cJSON_Duplicate(picked, true));
	cJSON_Delete(list);
	return 0;
}

/* --- the plan --------------------------------------------------------------------- */

static bool is_our_tmp(const release_run *run, const char *name)
{
	size_t n = strlen(TMP_PREFIX);
	const char *dash;

	if (strncmp(name, TMP_PREFIX, n) != 0 || !(dash = strchr(name + n, '-')))
		return false;
	for (size_t i = 0; i < run->count; i++)
		if (strcmp(run->items[i].name, dash + 1) == 0)
			return true;
	return run->has_checksums && strcmp(run->checksums.name, dash + 1) == 0;
}

static item *find_item(release_run *run, const char *name)
{
	for (size_t i = 0; i < run->count; i++)
		if (strcmp(run->items[i].name, name) == 0)
			return &run->items[i];
	if (run->has_checksums && strcmp(run->checksums.name, name) == 0)
		return &run->checksums;
	return NULL;
}

static int hash_item(item *it)
{
	uint64_t size;

	if (it->sha[0])
		return 0;
	if (!it->path) {
		rt_sha256 ctx;
		rt_sha256_init(&ctx);
		rt_sha256_update(&ctx, it->data, it->size);
		rt_sha256_final_hex(&ctx, it->sha);
		return 0;
	}
	if (rt_sha256_file(it->sha, &size, it->path) < 0)
		return -1;
	if (size != it->size)
		return rt_error_set_at(RT_ERR_FAILED, it->path, 0,
				       "%s changed size while it was read; is a build still writing it?",
				       it->path);
	return 0;
}

/* Decide keep/upload/replace for one item against the asset of its name. */
static int plan_item(item *it, const cJSON *asset)
{
	const char *why = NULL;

	it->action = ACT_UPLOAD;
	it->existing_id = 0;
	it->existing_starter = false;
	if (!asset)
		return 0;
	it->existing_id = jid(asset, "id");
	if (jstr(asset, "state") && strcmp(jstr(asset, "state"), "uploaded") != 0) {
		it->existing_starter = true; /* a half-made asset: delete, then upload */
		return 0;
	}
	it->action = ACT_REPLACE;
	if (!cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(asset, "size")) ||
	    cJSON_GetObjectItemCaseSensitive(asset, "size")->valuedouble != (double)it->size)
		return 0; /* a different size: different, no need to hash */
	if (!jstr(asset, "digest"))
		return 0; /* an asset from before digests: cannot prove it identical */
	if (hash_item(it) < 0)
		return -1;
	if (rt_upload_asset_matches(asset, it->size, it->sha, &why)) {
		it->action = ACT_KEEP;
		free(it->url);
		it->url = jstr(asset, "browser_download_url") ? rt_xstrdup(jstr(asset, "browser_download_url")) : NULL;
		it->final_id = it->existing_id;
	}
	return 0;
}

static int plan_assets(release_run *run, const cJSON *assets)
{
	const cJSON *a;
	size_t n = 0;

	others_clear(run);
	cJSON_Delete(run->checksums_asset);
	run->checksums_asset = NULL;
	for (size_t i = 0; i < run->count; i++)
		if (plan_item(&run->items[i], NULL) < 0)
			return -1;
	if (run->has_checksums)
		plan_item(&run->checksums, NULL);
	run->others = rt_xcalloc((size_t)cJSON_GetArraySize(assets) + 1, sizeof(other_asset));
	cJSON_ArrayForEach(a, assets)
	{
		const char *name = jstr(a, "name");
		item *it;

		if (!name)
			continue;
		it = find_item(run, name);
		if (it) {
			if (it == &run->checksums) {
				/* decided when its text is known */
				it->existing_id = jid(a, "id");
				cJSON_Delete(run->checksums_asset);
				run->checksums_asset = cJSON_Duplicate(a, true);
			} else if (plan_item(it, a) < 0)
				return -1;
			continue;
		}
		{
			other_asset *o = &run->others[n++];
			const cJSON *size = cJSON_GetObjectItemCaseSensitive(a, "size");
			o->id = jid(a, "id");
			o->name = rt_xstrdup(name);
			o->size = cJSON_IsNumber(size) ? (uint64_t)size->valuedouble : 0;
			o->digest = jstr(a, "digest") ? rt_xstrdup(jstr(a, "digest")) : NULL;
			o->starter = jstr(a, "state") && strcmp(jstr(a, "state"), "uploaded") != 0;
			o->ours_tmp = is_our_tmp(run, name);
		}
	}
	run->other_count = n;
	return 0;
}

static bool deletes_other(const release_run *run, const other_asset *o)
{
	return o->ours_tmp || run->cfg->rolling;
}

/* More than 1000 assets at the end, and overwrite: false conflicts. */
static int check_plan(const release_run *run)
{
	size_t end = 0;
	rt_buf bad = RT_BUF_INIT;
	int error = 0;

	for (size_t i = 0; i < run->other_count; i++)
		if (!deletes_other(run, &run->others[i]))
			end++;
	end += run->count + (run->has_checksums ? 1 : 0);
	if (end > MAX_ASSETS)
		return rt_error_set(RT_ERR_INPUT,
				    "release %s would hold %zu assets; GitHub allows %d per release. Nothing was changed: upload fewer files (e.g. archive them)",
				    run->tag, end, MAX_ASSETS);
	if (!run->cfg->overwrite) {
		for (size_t i = 0; i < run->count; i++)
			if (run->items[i].action == ACT_REPLACE)
				rt_buf_printf(&bad, "%s`%s`", bad.len ? ", " : "", run->items[i].name);
		if (bad.len)
			error = rt_error_set(RT_ERR_FAILED,
					     "release %s already has different assets named %s and overwrite is false; nothing was changed. Delete them, or set overwrite: true",
					     run->tag, rt_buf_cstr(&bad));
	}
	rt_buf_free(&bad);
	return error;
}

/* On an immutable published release, anything but keeping is an error
 * before the first upload (GitHub would answer 422 "Cannot upload assets
 * to an immutable release" after some of them). */
static int check_immutable(const release_run *run)
{
	rt_buf bad = RT_BUF_INIT;
	int error = 0;

	if (!run->immutable)
		return 0;
	for (size_t i = 0; i < run->count; i++) {
		const item *it = &run->items[i];
		if (it->action == ACT_KEEP)
			continue;
		rt_buf_printf(&bad, "\n  - `%s`: %s", it->name,
			      it->existing_starter || !it->existing_id ? "missing from the release"
								       : "differs from the asset on the release");
	}
	if (run->has_checksums && run->checksums.action != ACT_KEEP)
		rt_buf_printf(&bad, "\n  - `%s`: %s", run->checksums.name,
			      run->checksums.existing_id ? "differs from the asset on the release"
							 : "missing from the release");
	for (size_t i = 0; i < run->other_count; i++)
		if (deletes_other(run, &run->others[i]))
			rt_buf_printf(&bad, "\n  - `%s`: would be deleted", run->others[i].name);
	if (bad.len)
		error = rt_error_set(RT_ERR_FAILED,
				     "release %s is published and immutable (GitHub's immutable releases): its assets cannot change, and nothing was uploaded. These differ:%s\nPublish a new version instead, or re-run with the very files it was released with.",
				     run->tag, rt_buf_cstr(&bad));
	rt_buf_free(&bad);
	return error;
}

/* --- checksums ------------------------------------------------------------------------ */

typedef struct {
	const char *name;
	const char *sha;
} sum_line;

static int compare_sum(const void *a, const void *b)
{
	return strcmp(((const sum_line *)a)->name, ((const sum_line *)b)->name);
}

/* `sha256  name` for every asset of the release at the end but the
 * checksums file itself, sorted by name. */
static void build_checksums(release_run *run)
{
	sum_line *lines = rt_xcalloc(run->count + run->other_count + 1, sizeof(sum_line));
	size_t n = 0;
	rt_buf text = RT_BUF_INIT;

	for (size_t i = 0; i < run->count; i++)
		lines[n++] = (sum_line){run->items[i].name, run->items[i].sha};
	for (size_t i = 0; i < run->other_count; i++) {
		const other_asset *o = &run->others[i];
		if (deletes_other(run, o) || o->starter || !o->digest || strncmp(o->digest, "sha256:", 7) != 0)
			continue;
		lines[n++] = (sum_line){o->name, o->digest + 7};
	}
	qsort(lines, n, sizeof(sum_line), compare_sum);
	for (size_t i = 0; i < n; i++)
		rt_buf_printf(&text, "%s  %s\n", lines[i].sha, lines[i].name);
	free(lines);
	free(run->checksums.data);
	run->checksums.size = text.len;
	run->checksums.data = rt_buf_detach(&text);
	run->checksums.sha[0] = '\0';
	hash_item(&run->checksums);
}

/* Keep or (re)upload the checksums file against the asset of its name
 * (once every hash is known). */
static int plan_checksums(release_run *run)
{
	build_checksums(run);
	return plan_item(&run->checksums, run->checksums_asset);
}

static bool all_hashed(const release_run *run)
{
	for (size_t i = 0; i < run->count; i++)
		if (!run->items[i].sha[0])
			return false;
	return true;
}

/* --- mutations --------------------------------------------------------------------------- */

static int move_rolling_tag(release_run *run)
{
	rt_github_ref ref = {0};
	char *short_ref = rt_xsprintf("tags/%s", run->tag);
	const char *sha = run->cfg->sha;
	int error;

	if (!sha || !*sha) {
		free(short_ref);
		return rt_error_set(RT_ERR_INPUT, "rolling: GITHUB_SHA is not set, so there is no commit to move %s to",
				    run->tag);
	}
	error = rt_github_ref_get(run->gh, &ref, short_ref);
	if (error == RT_ENOTFOUND) {
		rt_error_clear();
		char *full = rt_xsprintf("refs/%s", short_ref);
		error = rt_github_ref_create(run->gh, full, sha);
		free(full);
		if (error == RT_EEXISTS) {
			/* a concurrent job created it: move it to this commit anyway */
			rt_error_clear();
			error = rt_github_ref_update(run->gh, short_ref, sha, true);
		}
		if (error == 0)
			rt_runner_info("Created tag %s on %.12s.", run->tag, sha);
	} else if (error == 0 && strcmp(ref.sha, sha) != 0) {
		error = rt_github_ref_update(run->gh, short_ref, sha, true);
		if (error == 0)
			rt_runner_info("Moved tag %s from %.12s to %.12s.", run->tag, ref.sha, sha);
	}
	rt_github_ref_free(&ref);
	free(short_ref);
	return error < 0 ? -1 : 0;
}

/* The commit the release should name: the tag's, else the run's commit. */
static char *target_commit(release_run *run)
{
	rt_github_ref ref = {0};
	char *short_ref = rt_xsprintf("tags/%s", run->tag);
	char *out = NULL;

	if (rt_github_ref_get(run->gh, &ref, short_ref) == 0 && (ref.commit_sha || ref.sha))
		out = rt_xstrdup(ref.commit_sha ? ref.commit_sha : ref.sha);
	rt_error_clear();
	rt_github_ref_free(&ref);
	free(short_ref);
	if (!out && run->cfg->sha && *run->cfg->sha)
		out = rt_xstrdup(run->cfg->sha);
	return out;
}

static int create_release(release_run *run, const char *target)
{
	const rt_config *cfg = run->cfg;
	cJSON *body = cJSON_CreateObject(), *rel = NULL, *list = NULL, *picked;
	long long lowest, ours;
	int error;

	cJSON_AddStringToObject(body, "tag_name", run->tag);
	if (target)
		cJSON_AddStringToObject(body, "target_commitish", target);
	cJSON_AddStringToObject(body, "name", cfg->name ? cfg->name : run->tag);
	if (run->notes)
		cJSON_AddStringToObject(body, "body", run->notes);
	cJSON_AddBoolToObject(body, "draft", true);
	cJSON_AddBoolToObject(body, "prerelease", run->prerelease);
	if (cfg->generate_notes)
		cJSON_AddBoolToObject(body, "generate_release_notes", true);
	error = rt_github_release_create(run->gh, &rel, body);
	cJSON_Delete(body);
	if (error == RT_EEXISTS) {
		rt_error_clear(); /* a concurrent job was faster: use its release */
		error = find_release(run);
		if (error == 0 && !run->release)
			error = rt_error_set(RT_ERR_FAILED, "GitHub says a release of %s exists, but it cannot be found",
					     run->tag);
		return error;
	}
	if (error < 0)
		return -1;
	ours = jid(rel, "id");
	run->created = true;
	take_release(run, rel);
	rt_runner_info("Created draft release %s (id %lld).", run->tag, ours);
	/* A build matrix creates drafts concurrently, and drafts do not
	 * collide: every job looks again, and all of them keep the same one
	 * (a published release, else the lowest id); the others delete their
	 * own empty draft. Ids grow, so the lowest was there for everyone. */
	if (rt_github_releases_list(run->gh, &list) < 0)
		return -1;
	picked = pick_release(list, run->tag, &lowest);
	if (picked && jid(picked, "id") != ours) {
		rt_runner_info("Another job created release %s first (id %lld): using it and deleting the duplicate draft %lld.",
			       run->tag, jid(picked, "id"), ours);
		take_release(run, cJSON_Duplicate(picked, true));
		run->created = false;
		if (rt_github_release_delete(run->gh, ours) < 0) {
			rt_runner_warning("Could not delete the duplicate draft release %lld: %s", ours,
					  rt_error_last() ? rt_error_last()->message : "");
			rt_error_clear();
		}
	}
	cJSON_Delete(list);
	return 0;
}

/* The upload jobs' recover callback: free the name for the next attempt. */
static int recover_upload(rt_upload_job *job, long long bad_asset_id, void *payload)
{
	release_run *run = payload;
	cJSON *assets = NULL, *a;
	int result = 0;

	if (rt_github_assets_list(run->gh, &assets, run->release_id) < 0)
		return -1;
	cJSON_ArrayForEach(a, assets)
	{
		const char *name = jstr(a, "name"), *state = jstr(a, "state");
		long long id = jid(a, "id");

		if (!name || strcmp(name, job->name) != 0)
			continue;
		if (id != bad_asset_id && state && strcmp(state, "uploaded") == 0) {
			/* a lost answer: was it our upload that arrived? */
			if (!job->sha256[0]) {
				if (job->data) {
					rt_sha256 ctx;
					rt_sha256_init(&ctx);
					rt_sha256_update(&ctx, job->data, job->size);
					rt_sha256_final_hex(&ctx, job->sha256);
				} else if (rt_sha256_file(job->sha256, NULL, job->path) < 0) {
					result = -1;
					break;
				}
			}
			if (rt_upload_asset_matches(a, job->size, job->sha256, NULL)) {
				job->asset = cJSON_Duplicate(a, true);
				result = 1;
				break;
			}
			if (strncmp(name, TMP_PREFIX, strlen(TMP_PREFIX)) != 0) {
				result = rt_error_set(RT_ERR_FAILED,
						      "an asset named %s with other content appeared on release %s while uploading it; is another job uploading the same name?",
						      job->name, run->tag);
				break;
			}
		}
		rt_runner_info("Deleting the %s asset %s (id %lld) before retrying.",
			       id == bad_asset_id ? "unverified" : state ? state : "half-made", name, id);
		{
			int rc = rt_github_asset_delete(run->gh, id);
			if (rc == RT_ENOTFOUND) {
				rt_error_clear(); /* already gone */
			} else if (rc < 0) {
				result = -1;
				break;
			}
		}
	}
	cJSON_Delete(assets);
	return result;
}

static void finish_item(item *it, const rt_upload_job *job)
{
	const char *url = jstr(job->asset, "browser_download_url");

	memcpy(it->sha, job->sha256, sizeof(it->sha));
	it->final_id = jid(job->asset, "id");
	free(it->url);
	it->url = url ? rt_xstrdup(url) : NULL;
}

static void job_for(rt_upload_job *job, item *it)
{
	memset(job, 0, sizeof(*job));
	job->path = it->path;
	job->data = it->data;
	job->size = it->size;
	job->name = it->action == ACT_REPLACE ? it->tmp_name : it->name;
}

/* Upload a set of items (UPLOAD to their names, REPLACE to temporary
 * names), then swap the replacements in. */
static int upload_items(release_run *run, item **items, size_t n)
{
	rt_upload_job *jobs = rt_xcalloc(n + 1, sizeof(rt_upload_job));
	rt_upload_options opts = {0};
	const char *upload_url = jstr(run->release, "upload_url");
	int error = 0;

	if (n == 0) {
		free(jobs);
		return 0;
	}
	if (!upload_url) {
		free(jobs);
		return rt_error_set(RT_ERR_FAILED, "GitHub's release %s has no upload_url", run->tag);
	}
	/* half-made assets block their names */
	for (size_t i = 0; i < n; i++) {
		if (!items[i]->existing_starter)
			continue;
		rt_runner_info("Deleting the half-made (starter) asset %s left by an earlier run.", items[i]->name);
		error = rt_github_asset_delete(run->gh, items[i]->existing_id);
		if (error == RT_ENOTFOUND) {
			rt_error_clear(); /* already gone */
			error = 0;
		} else if (error < 0) {
			free(jobs);
			return -1;
		}
		items[i]->existing_starter = false;
		items[i]->existing_id = 0;
	}
	for (size_t i = 0; i < n; i++) {
		if (items[i]->action == ACT_REPLACE && !items[i]->tmp_name)
			items[i]->tmp_name = rt_xsprintf(TMP_PREFIX "%08lx-%s",
							 (unsigned long)((unsigned)getpid() ^ (unsigned)time(NULL)) & 0xffffffffUL,
							 items[i]->name);
		job_for(&jobs[i], items[i]);
	}
	opts.upload_url = upload_url;
	opts.token = rt_github_token(run->gh);
	opts.concurrency = run->cfg->concurrency > 0 ? run->cfg->concurrency : 4;
	opts.max_retries = run->cfg->max_retries;
	opts.recover = recover_upload;
	opts.payload = run;
	error = rt_upload_run(jobs, n, &opts);
	for (size_t i = 0; i < n; i++)
		if (jobs[i].state == RT_UPLOAD_DONE)
			finish_item(items[i], &jobs[i]);
	/* swap in the verified replacements: delete the old, rename the new */
	for (size_t i = 0; i < n; i++) {
		item *it = items[i];
		cJSON *renamed = NULL;

		if (it->action != ACT_REPLACE || jobs[i].state != RT_UPLOAD_DONE)
			continue;
		error = rt_github_asset_delete(run->gh, it->existing_id);
		if (error == RT_ENOTFOUND) {
			rt_error_clear(); /* already gone */
			error = 0;
		} else if (error < 0) {
			error = rt_error_prefix("%s is uploaded and verified as %s, but deleting the old asset failed",
						it->name, it->tmp_name);
			break;
		}
		if (rt_github_asset_rename(run->gh, &renamed, it->final_id, it->name) < 0) {
			error = rt_error_prefix("%s is uploaded and verified as %s, but renaming it failed", it->name,
						it->tmp_name);
			break;
		}
		free(it->url);
		it->url = jstr(renamed, "browser_download_url") ? rt_xstrdup(jstr(renamed, "browser_download_url")) : NULL;
		rt_runner_info("Replaced %s (old asset %lld deleted after the new one was verified).", it->name,
			       it->existing_id);
		cJSON_Delete(renamed);
	}
	for (size_t i = 0; i < n; i++)
		rt_upload_job_free(&jobs[i]);
	free(jobs);
	return error;
}

static int delete_stale(release_run *run)
{
	for (size_t i = 0; i < run->other_count; i++) {
		const other_asset *o = &run->others[i];
		if (!deletes_other(run, o))
			continue;
		rt_runner_info("Deleting %s %s (id %lld).", o->ours_tmp ? "the left-over temporary asset" : "the asset no longer produced",
			       o->name, o->id);
		int error = rt_github_asset_delete(run->gh, o->id);
		if (error == RT_ENOTFOUND)
			rt_error_clear(); /* already gone */
		else if (error < 0)
			return -1;
	}
	return 0;
}

static const char *latest_value(const rt_config *cfg)
{
	switch (cfg->make_latest) {
	case RT_LATEST_FALSE: return "false";
	case RT_LATEST_LEGACY: return "legacy";
	default: return "true";
	}
}

/* Download URLs change when a draft is published (untagged-... becomes
 * the tag): take them from the release GitHub answered with. */
static void refresh_urls(release_run *run)
{
	const cJSON *a;

	cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(run->release, "assets"))
	{
		const char *name = jstr(a, "name"), *url = jstr(a, "browser_download_url");
		item *it = name && url ? find_item(run, name) : NULL;
		if (!it)
			continue;
		free(it->url);
		it->url = rt_xstrdup(url);
	}
}

/* Publish last: flags only where they differ; never back to a draft. */
static int publish(release_run *run)
{
	const rt_config *cfg = run->cfg;
	cJSON *body = cJSON_CreateObject(), *rel = NULL;
	bool want_draft = cfg->draft && !cfg->rolling;
	bool change = false;
	int error = 0;

	if (want_draft && !run->draft)
		rt_runner_warning("Release %s is published; draft: true does not turn it back into a draft.", run->tag);
	if (run->draft && !want_draft) {
		cJSON_AddBoolToObject(body, "draft", false);
		cJSON_AddStringToObject(body, "make_latest",
					run->prerelease || cfg->rolling ? "false" : latest_value(cfg));
		change = true;
	}
	if (jtrue(run->release, "prerelease") != run->prerelease && !run->immutable) {
		cJSON_AddBoolToObject(body, "prerelease", run->prerelease);
		change = true;
	}
	if (change) {
		error = rt_github_release_update(run->gh, &rel, run->release_id, body);
		if (error == 0) {
			rt_runner_info("%s release %s.", run->draft && !want_draft ? "Published" : "Updated", run->tag);
			take_release(run, rel);
			refresh_urls(run);
		}
	}
	cJSON_Delete(body);
	return error;
}

/* --- outputs ---------------------------------------------------------------------------- */

static const char *action_name(const item *it, bool done)
{
	switch (it->action) {
	case ACT_KEEP: return done ? "kept" : "keep";
	case ACT_REPLACE: return done ? "replaced" : "replace";
	default: return done ? "uploaded" : "upload";
	}
}

static void add_item_json(cJSON *arr, const item *it, bool done)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "name", it->name);
	cJSON_AddNumberToObject(o, "size", (double)it->size);
	if (it->sha[0])
		cJSON_AddStringToObject(o, "sha256", it->sha);
	else
		cJSON_AddNullToObject(o, "sha256");
	if (done) {
		if (it->url)
			cJSON_AddStringToObject(o, "url", it->url);
		else
			cJSON_AddNullToObject(o, "url");
	}
	cJSON_AddStringToObject(o, "action", action_name(it, done));
	if (!done && it->existing_starter)
		cJSON_AddBoolToObject(o, "delete-starter", true);
	cJSON_AddItemToArray(arr, o);
}

static cJSON *assets_json(const release_run *run, bool done)
{
	cJSON *arr = cJSON_CreateArray();

	for (size_t i = 0; i < run->count; i++)
		add_item_json(arr, &run->items[i], done);
	if (run->has_checksums)
		add_item_json(arr, &run->checksums, done);
	return arr;
}

static char *plan_json(const release_run *run)
{
	cJSON *j = cJSON_CreateObject(), *del = cJSON_CreateArray();
	char *text;

	cJSON_AddStringToObject(j, "mode", "release");
	cJSON_AddStringToObject(j, "tag", run->tag);
	cJSON_AddStringToObject(j, "release", !run->release ? "create" : run->draft ? "existing-draft" : "existing");
	if (run->release_id)
		cJSON_AddNumberToObject(j, "release-id", (double)run->release_id);
	cJSON_AddBoolToObject(j, "immutable", run->immutable);
	cJSON_AddBoolToObject(j, "prerelease", run->prerelease);
	cJSON_AddBoolToObject(j, "publish", !(run->cfg->draft && !run->cfg->rolling) && (!run->release || run->draft));
	if (run->cfg->rolling)
		cJSON_AddStringToObject(j, "move-tag-to", run->cfg->sha ? run->cfg->sha : "");
	cJSON_AddItemToObject(j, "assets", assets_json(run, false));
	for (size_t i = 0; i < run->other_count; i++)
		if (deletes_other(run, &run->others[i]))
			cJSON_AddItemToArray(del, cJSON_CreateString(run->others[i].name));
	cJSON_AddItemToObject(j, "delete", del);
	text = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	return text;
}

static void human_size(char *out, size_t n, uint64_t size)
{
	if (size >= 1024ULL * 1024 * 1024)
		snprintf(out, n, "%.2f GiB", (double)size / (1024.0 * 1024 * 1024));
	else if (size >= 1024 * 1024)
		snprintf(out, n, "%.1f MiB", (double)size / (1024.0 * 1024));
	else if (size >= 1024)
		snprintf(out, n, "%.1f KiB", (double)size / 1024.0);
	else
		snprintf(out, n, "%llu B", (unsigned long long)size);
}

static void summary_row(rt_buf *md, const item *it, bool done)
{
	char size[32];

	human_size(size, sizeof(size), it->size);
	rt_buf_printf(md, "| `%s` | %s | `%s` | %s |\n", it->name, size, it->sha[0] ? it->sha : "(while uploading)",
		      action_name(it, done));
}

static int write_summary(const release_run *run, bool done)
{
	rt_buf md = RT_BUF_INIT;
	const char *url = jstr(run->release, "html_url");
	int error;

	rt_buf_printf(&md, "### release-train release%s\n\n", done ? "" : " (dry run)");
	if (done)
		rt_buf_printf(&md, "Release [%s](%s)%s.\n\n", run->tag, url ? url : "",
			      run->draft ? " (draft)" : run->prerelease ? " (pre-release)" : "");
	else
		rt_buf_printf(&md, "Would %s release **%s**.\n\n", run->release ? "update" : "create", run->tag);
	rt_buf_puts(&md, "| asset | size | sha256 | action |\n|---|---|---|---|\n");
	for (size_t i = 0; i < run->count; i++)
		summary_row(&md, &run->items[i], done);
	if (run->has_checksums)
		summary_row(&md, &run->checksums, done);
	for (size_t i = 0; i < run->other_count; i++)
		if (deletes_other(run, &run->others[i]))
			rt_buf_printf(&md, "| `%s` | | | %s |\n", run->others[i].name, done ? "deleted" : "delete");
	error = rt_runner_summary(rt_buf_cstr(&md));
	rt_buf_free(&md);
	return error;
}

static int write_outputs(const release_run *run, bool done)
{
	char id[32] = "";
	char *upload = jstr(run->release, "upload_url") ? rt_upload_base_url(jstr(run->release, "upload_url")) : NULL;
	cJSON *assets = assets_json(run, done);
	char *assets_text = cJSON_PrintUnformatted(assets);
	int error = 0;

	if (run->release_id)
		snprintf(id, sizeof(id), "%lld", run->release_id);
	if (rt_runner_set_output("release-id", id) < 0 ||
	    rt_runner_set_output("release-url", jstr(run->release, "html_url") ? jstr(run->release, "html_url") : "") < 0 ||
	    rt_runner_set_output("upload-url", upload ? upload : "") < 0 ||
	    rt_runner_set_output("assets", assets_text) < 0)
		error = -1;
	free(assets_text);
	cJSON_Delete(assets);
	free(upload);
	return error;
}

static void print_plan(const release_run *run)
{
	rt_runner_info("Release %s: %s.", run->tag,
		       !run->release ? "to be created as a draft" : run->draft ? "an existing draft" : "published");
	for (size_t i = 0; i < run->count; i++) {
		const item *it = &run->items[i];
		rt_runner_info("  %-8s %s%s", action_name(it, false), it->name,
			       it->existing_starter ? " (after deleting a half-made asset)" : "");
	}
	if (run->has_checksums)
		rt_runner_info("  %-8s %s (checksums)", action_name(&run->checksums, false), run->checksums.name);
	for (size_t i = 0; i < run->other_count; i++)
		if (deletes_other(run, &run->others[i]))
			rt_runner_info("  delete   %s", run->others[i].name);
}

/* --- the mode ----------------------------------------------------------------------------- */

static int open_github(rt_github **gh, const rt_config *cfg)
{
	rt_github_options opts = {cfg->api_url, cfg->repository, cfg->token, cfg->max_retries};

	*gh = NULL;
	if (rt_config_require_github(cfg, "`contents: write`") < 0)
		return -1;
	return rt_github_new(gh, &opts);
}

/* Read the release and its assets, and plan against them. */
static int read_and_plan(release_run *run)
{
	cJSON *assets = NULL;
	int error = 0;

	const cJSON *embedded = cJSON_GetObjectItemCaseSensitive(run->release, "assets");

	if (run->release && cJSON_IsArray(embedded) && cJSON_GetArraySize(embedded) < EMBEDDED_ASSETS_TRUSTED) {
		/* the release object lists its assets: no second request */
		assets = cJSON_Duplicate(embedded, true);
		error = plan_assets(run, assets);
	} else if (run->release) {
		error = rt_github_assets_list(run->gh, &assets, run->release_id);
		if (error == 0)
			error = plan_assets(run, assets);
	} else {
		assets = cJSON_CreateArray();
		error = plan_assets(run, assets);
	}
	if (error == 0 && run->has_checksums && all_hashed(run))
		error = plan_checksums(run); /* e.g. everything kept: known now */
	cJSON_Delete(assets);
	return error;
}

static int upload_all(release_run *run)
{
	item **todo = rt_xcalloc(run->count + 2, sizeof(item *));
	size_t n = 0;
	int error;

	for (size_t i = 0; i < run->count; i++)
		if (run->items[i].action != ACT_KEEP)
			todo[n++] = &run->items[i];
	rt_runner_group("Upload the assets");
	error = upload_items(run, todo, n);
	if (error == 0 && run->has_checksums) {
		/* its text needs every hash, known now */
		error = plan_checksums(run);
		if (error == 0 && run->checksums.action != ACT_KEEP) {
			todo[0] = &run->checksums;
			error = upload_items(run, todo, 1);
		} else if (error == 0) {
			rt_runner_info("%s is unchanged: kept.", run->checksums.name);
		}
	}
	rt_runner_endgroup();
	free(todo);
	return error;
}

int rt_mode_release(const rt_config *cfg)
{
	release_run run = {0};
	char *plan_text = NULL, *target = NULL;
	int error = -1;

	run.cfg = cfg;
	if (resolve_tag(&run) < 0)
		goto cleanup;
	rt_runner_group("Check the files");
	if (cfg->checksums) {
		run.has_checksums = true;
		run.checksums.name = rt_xstrdup(cfg->checksums);
	}
	if (collect_files(&run) < 0 || read_notes(&run) < 0) {
		rt_runner_endgroup();
		goto cleanup;
	}
	rt_runner_info("%zu file%s to release as %s.", run.count, run.count == 1 ? "" : "s", run.tag);
	rt_runner_endgroup();
	if (open_github(&run.gh, cfg) < 0)
		goto cleanup;

	rt_runner_group("Plan");
	if (find_release(&run) < 0 || read_and_plan(&run) < 0 || check_plan(&run) < 0 ||
	    check_immutable(&run) < 0) {
		rt_runner_endgroup();
		goto cleanup;
	}
	if (cfg->rolling && run.immutable && run.release) {
		rt_error_set(RT_ERR_FAILED, "the rolling release %s is immutable: its tag and assets cannot change; turn immutable releases off for it",
			     run.tag);
		rt_runner_endgroup();
		goto cleanup;
	}
	print_plan(&run);
	rt_runner_endgroup();
	if (cfg->dry_run) {
		plan_text = plan_json(&run);
		rt_runner_info("Dry run: nothing was changed.");
		rt_runner_info("plan: %s", plan_text);
		if (rt_runner_set_output("plan", plan_text) < 0 || write_outputs(&run, false) < 0 ||
		    write_summary(&run, false) < 0)
			goto cleanup;
		error = 0;
		goto cleanup;
	}

	rt_runner_group("Release");
	if (cfg->rolling && move_rolling_tag(&run) < 0) {
		rt_runner_endgroup();
		goto cleanup;
	}
	if (!run.release) {
		target = target_commit(&run);
		if (create_release(&run, target) < 0 || (!run.created && read_and_plan(&run) < 0) ||
		    check_plan(&run) < 0) {
			rt_runner_endgroup();
			goto cleanup;
		}
	}
	rt_runner_endgroup();
	if (upload_all(&run) < 0)
		goto cleanup;
	if (delete_stale(&run) < 0 || publish(&run) < 0)
		goto cleanup;
	if (write_outputs(&run, true) < 0 || write_summary(&run, true) < 0)
		goto cleanup;
	error = 0;

cleanup:
	free(target);
	free(plan_text);
	run_free(&run);
	rt_github_free(run.gh);
	return error;
}
