/*
 * mode_tag: tag the release commit when a push carries the marker
 * (SPEC.md, section tag).
 *
 * The design in one idea: decide from history, not from text dumps. The
 * commits to scan are "after minus everything reachable from before" (or
 * from every existing tag of this format, with scan: since-last-tag, so a
 * release whose tag run was cancelled is still tagged on the next push),
 * walked locally with libgit2 and, when the checkout is too shallow, taken
 * from the compare API instead. The version comes from git objects at the
 * target commit, never from the work tree. Everything is read and decided
 * before the one mutating request (create the ref), so a failed run
 * changes nothing and a re-run completes the work.
 */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "error.h"
#include "event.h"
#include "github.h"
#include "manifest.h"
#include "marker.h"
#include "modes.h"
#include "repo.h"
#include "runner.h"
#include "template.h"
#include "semver.h"

#define ZERO_SHA "0000000000000000000000000000000000000000"

/* What the push event (or the terminal flags) says: before is NULL for
 * none (terminal use) or a new branch; commits[] is the new-branch fallback. */
typedef rt_push_event push_range;

/* One existing tag of this tag-format. */
typedef struct {
	char *name;
	char *sha; /* the ref's target (a commit, or a tag object to peel) */
	bool annotated; /* sha names a tag object */
	rt_semver version;
} existing_tag;

typedef struct {
	existing_tag *items;
	size_t count;
} tag_list;

/* The whole decision, built before anything changes. */
typedef struct {
	const char *source;   /* "local history" or "the compare API" */
	char *range;          /* description of the scanned range */
	size_t scanned;       /* commits looked at */
	char *marker_sha;     /* newest commit carrying the marker, or NULL */
	char *target_sha;     /* the commit to tag */
	char *version;        /* version text at the target */
	char *version_file;   /* where it came from */
	char *tag;            /* tag name */
	char *existing_sha;   /* the commit the tag points at already, or NULL */
} tag_plan;

static void tag_list_free(tag_list *tags)
{
	size_t i;

	for (i = 0; i < tags->count; i++) {
		free(tags->items[i].name);
		free(tags->items[i].sha);
		rt_semver_free(&tags->items[i].version);
	}
	free(tags->items);
}

static void tag_plan_free(tag_plan *p)
{
	free(p->range);
	free(p->marker_sha);
	free(p->target_sha);
	free(p->version);
	free(p->version_file);
	free(p->tag);
	free(p->existing_sha);
}

static bool is_zero_sha(const char *sha)
{
	return sha && strcmp(sha, ZERO_SHA) == 0;
}

static const char *json_string(const cJSON *obj, const char *key)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsString(item) ? item->valuestring : NULL;
}

/* --- the push event ------------------------------------------------------- */

/* Event first, then flags, then HEAD. */
static int load_range(push_range *out, const rt_config *cfg, rt_repo *repo)
{
	char head[41];
	bool push_event = cfg->event_name && strcmp(cfg->event_name, "push") == 0;

	memset(out, 0, sizeof(*out));
	if (cfg->event_path && push_event && rt_event_push_read(out, cfg->event_path) < 0)
		return -1;
	if (cfg->before) {
		free(out->before);
		out->before = NULL;
		if (is_zero_sha(cfg->before))
			; /* a new branch */
		else if (rt_repo_resolve_commit(repo, head, cfg->before) == 0)
			out->before = rt_xstrdup(head);
		else if (strlen(cfg->before) == 40)
			out->before = rt_xstrdup(cfg->before), rt_error_clear(); /* maybe only on GitHub */
		else
			return -1;
	}
	if (cfg->after) {
		free(out->after);
		out->after = NULL;
		if (rt_repo_resolve_commit(repo, head, cfg->after) == 0)
			out->after = rt_xstrdup(head);
		else if (strlen(cfg->after) == 40)
			out->after = rt_xstrdup(cfg->after), rt_error_clear();
		else
			return -1;
		out->deleted = false;
	}
	if (!out->after && !out->deleted) {
		const char *rev = cfg->sha ? cfg->sha : "HEAD";
		if (rt_repo_resolve_commit(repo, head, rev) < 0)
			return rt_error_prefix("finding the pushed commit");
		out->after = rt_xstrdup(head);
	}
	return 0;
}

/* --- tags of this format -------------------------------------------------- */

/* The version in a tag name of this format ("v{version}"), or -1. */
static int version_from_tag_name(rt_semver *out, const char *format, const char *name)
{
	const char *slot = strstr(format, "{version}");
	size_t prefix = slot ? (size_t)(slot - format) : 0;
	size_t suffix = slot ? strlen(slot + 9) : 0;
	size_t len = strlen(name);
	char *middle;
	int error;

	if (!slot || len < prefix + suffix || strncmp(name, format, prefix) != 0 ||
	    strcmp(name + len - suffix, slot + 9) != 0)
		return -1;
	middle = rt_xstrndup(name + prefix, len - prefix - suffix);
	error = rt_semver_parse(out, middle);
	free(middle);
	rt_error_clear();
	return error;
}

static int compare_tags_newest_first(const void *a, const void *b)
{
	return rt_semver_compare(&((const existing_tag *)b)->version,
				 &((const existing_tag *)a)->version);
}

static void sort_newest_first(tag_list *tags)
{
	if (tags->count > 1)
		qsort(tags->items, tags->count, sizeof(existing_tag), compare_tags_newest_first);
}

static int list_tags(tag_list *out, rt_github *gh, const char *format)
{
	const char *slot = strstr(format, "{version}");
	char *prefix = rt_xstrndup(format, slot ? (size_t)(slot - format) : strlen(format));
	char *path = rt_xsprintf("%s/git/matching-refs/tags/%s", rt_github_repo_path(gh), prefix);
	cJSON *refs = NULL, *ref;
	int error;

	memset(out, 0, sizeof(*out));
	error = rt_github_get_all(gh, &refs, path, NULL, "contents: read");
	if (error < 0)
		goto cleanup;
	out->items = rt_xcalloc((size_t)cJSON_GetArraySize(refs) + 1, sizeof(existing_tag));
	cJSON_ArrayForEach(ref, refs) {
		const cJSON *object = cJSON_GetObjectItemCaseSensitive(ref, "object");
		const char *full = json_string(ref, "ref"), *sha = json_string(object, "sha");
		const char *type = json_string(object, "type");
		existing_tag *t = &out->items[out->count];

		if (!full || !sha || strncmp(full, "refs/tags/", 10) != 0 ||
		    version_from_tag_name(&t->version, format, full + 10) < 0)
			continue;
		t->name = rt_xstrdup(full + 10);
		t->sha = rt_xstrdup(sha);
		t->annotated = type && strcmp(type, "tag") == 0;
		out->count++;
	}
	sort_newest_first(out);

cleanup:
	cJSON_Delete(refs);
	free(path);
	free(prefix);
	return error;
}

/* --- scanning ------------------------------------------------------------- */

typedef struct {
	const char *marker;
	size_t scanned;
	char *newest_marker; /* first hit in newest-first order */
} scan_state;

/* A commit from a list (the API's, the push event's): all are counted. */
static void scan_commit(scan_state *st, const char *sha, const char *message)
{
	st->scanned++;
	if (!st->newest_marker && rt_marker_in_message(message, st->marker))
		st->newest_marker = rt_xstrdup(sha);
}

/* rt_repo_walk's callbacks: the walk names the commit they stop at. */
enum { WALK_ON = 0, WALK_MARKER = 1, WALK_DONE = 2 };

static int scan_walked(const char *message, void *payload)
{
	scan_state *st = payload;

	st->scanned++;
	/* newest first: the first marker decides both targets, the rest need not be read */
	return rt_marker_in_message(message, st->marker) ? WALK_MARKER : WALK_ON;
}

static int scan_walked_first(const char *message, void *payload)
{
	/* one commit only: stop either way */
	return scan_walked(message, payload) == WALK_MARKER ? WALK_MARKER : WALK_DONE;
}

/* Walk from after with scan_walked or scan_walked_first; the commit that
 * stopped the walk at a marker is the newest marker. */
static int scan_walk(scan_state *st, rt_repo *repo, const char *after, const char *const *hide,
		     size_t nhide, rt_repo_commit_cb cb)
{
	char sha[41];
	int error = rt_repo_walk(repo, after, hide, nhide, cb, st, sha);

	if (error == WALK_MARKER)
		st->newest_marker = rt_xstrdup(sha);
	return error > 0 ? 0 : error;
}

/* Local walk: after minus everything reachable from the hidden commits.
 * A hidden commit missing locally is skipped when missing_ok (a tag on
 * another branch cannot be an ancestor of a complete history) unless the
 * clone is shallow; otherwise RT_ENOTFOUND sends the caller to the API. */
static int scan_local(scan_state *st, rt_repo *repo, const char *after, const char *const *hide,
		      size_t nhide, bool missing_ok)
{
	const char **present = rt_xcalloc(nhide + 1, sizeof(char *));
	size_t i, n = 0;
	int error;

	for (i = 0; i < nhide; i++) {
		if (rt_repo_has_commit(repo, hide[i]))
			present[n++] = hide[i];
		else if (!missing_ok || rt_repo_is_shallow(repo)) {
			free(present);
			rt_error_set(RT_ERR_FAILED, "commit %s is not in the local repository", hide[i]);
			return RT_ENOTFOUND;
		}
	}
	error = scan_walk(st, repo, after, present, n, scan_walked);
	free(present);
	return error;
}

static int scan_api_range(scan_state *st, rt_github *gh, const char *base, const char *head)
{
	rt_github_commit_list list = {0};
	size_t i;

	if (rt_github_compare_commits(gh, &list, base, head) < 0)
		return -1;
	for (i = list.count; i-- > 0;) /* the API gives oldest first */
		scan_commit(st, list.items[i].sha, list.items[i].message);
	rt_github_commit_list_free(&list);
	return 0;
}

/* The new-branch case of scan: push: the event's own list of new commits. */
static void scan_event_commits(scan_state *st, const cJSON *commits)
{
	int i;

	for (i = cJSON_GetArraySize(commits); i-- > 0;) {
		const cJSON *c = cJSON_GetArrayItem(commits, i);
		const char *sha = json_string(c, "id"), *message = json_string(c, "message");
		if (sha && message)
			scan_commit(st, sha, message);
	}
}

/* The commit tag `name` points at on GitHub, peeled through an annotated
 * tag object; *out stays NULL when there is no such tag. */
static int github_tag_commit(char **out, rt_github *gh, const char *name)
{
	char *ref_name = rt_xsprintf("tags/%s", name);
	int error = rt_github_ref_commit(gh, out, ref_name);

	free(ref_name);
	return error;
}

/* API fallback for since-last-tag: the highest-version tag that is an
 * ancestor of after (compare status "ahead" or "identical"); a few tries,
 * since release branches carry tags that main never reaches. */
static int scan_api_since_tag(scan_state *st, rt_github *gh, const tag_list *tags,
			      const char *after, char **base_name)
{
	size_t i;
	int error = RT_ENOTFOUND;

	for (i = 0; i < tags->count && i < 10 && error == RT_ENOTFOUND; i++) {
		const existing_tag *t = &tags->items[i];
		char *path = rt_xsprintf("%s/compare/%s...%s?per_page=1", rt_github_repo_path(gh),
					 t->name, after);
		cJSON *cmp = NULL;
		const char *status;

		if (rt_github_call(gh, &cmp, NULL, "GET", path, NULL, "contents: read") < 0) {
			error = -1;
		} else {
			status = json_string(cmp, "status");
			if (status && (strcmp(status, "ahead") == 0 || strcmp(status, "identical") == 0)) {
				*base_name = rt_xstrdup(t->name);
				error = scan_api_range(st, gh, t->name, after);
			}
		}
		cJSON_Delete(cmp);
		free(path);
	}
	return error;
}

/* The commit each tag names, as far as the local repository can tell;
 * annotated tags whose object was not fetched are peeled through the API
 * (the newest few only: older tags sit behind them in history anyway). */
static size_t tag_commits(char **out, rt_repo *repo, rt_github *gh, const tag_list *tags)
{
	size_t i, n = 0, api_peels = 0;
	char sha[41];

	for (i = 0; i < tags->count; i++) {
		const existing_tag *t = &tags->items[i];
		char *commit = NULL;

		if (rt_repo_has_commit(repo, t->sha) && rt_repo_resolve_commit(repo, sha, t->sha) == 0)
			commit = rt_xstrdup(sha);
		else if (!t->annotated)
			commit = rt_xstrdup(t->sha);
		else if (gh && api_peels++ < 20)
			github_tag_commit(&commit, gh, t->name); /* a failure only hides less */
		rt_error_clear();
		if (commit)
			out[n++] = commit;
	}
	return n;
}

static int scan_since_last_tag(tag_plan *plan, scan_state *st, rt_repo *repo, rt_github *gh,
			       const tag_list *tags, const push_range *range)
{
	char **hide = rt_xcalloc(tags->count + 1, sizeof(char *));
	char *base = NULL;
	size_t i, n = tag_commits(hide, repo, gh, tags);
	int error;

	error = scan_local(st, repo, range->after, (const char *const *)hide, n, true);
	if (error == 0) {
		plan->source = "local history";
		plan->range = rt_xsprintf("%.12s back to the newest tag (%zu tags of this format)",
					  range->after, tags->count);
	} else if (error == RT_ENOTFOUND && gh) {
		rt_runner_info("The checkout is shallow: reading the commits from the compare API instead.");
		rt_error_clear();
		st->scanned = 0;
		free(st->newest_marker);
		st->newest_marker = NULL;
		plan->source = "the compare API";
		error = scan_api_since_tag(st, gh, tags, range->after, &base);
		if (error == 0) {
			plan->range = rt_xsprintf("%s...%.12s", base, range->after);
		} else if (error == RT_ENOTFOUND && range->before) {
			/* no tag is an ancestor: the push itself is all we can know */
			rt_error_clear();
			error = scan_api_range(st, gh, range->before, range->after);
			plan->range = rt_xsprintf("%.12s...%.12s (no earlier tag found)", range->before,
						  range->after);
		} else if (error == RT_ENOTFOUND) {
			rt_error_set(RT_ERR_FAILED,
				     "the checkout is shallow, no tag of this format is an ancestor of %.12s and the event names no earlier commit; check out with fetch-depth: 0",
				     range->after);
			error = -1;
		}
	}
	for (i = 0; i < n; i++)
		free(hide[i]);
	free(hide);
	free(base);
	return error;
}

static int scan_push(tag_plan *plan, scan_state *st, rt_repo *repo, rt_github *gh,
		     const push_range *range)
{
	const char *hide[1];
	int error;

	if (!range->before && range->commits && cJSON_GetArraySize(range->commits) > 0) {
		/* a new branch: GitHub's own list of what is new on it */
		plan->source = "the push event";
		plan->range = rt_xsprintf("the new branch's commits up to %.12s", range->after);
		scan_event_commits(st, range->commits);
		return 0;
	}
	if (!range->before) {
		/* no push range at all (a branch created at an existing commit, a
		 * dispatched run, a terminal): the head commit is the push */
		plan->source = "local history";
		plan->range = rt_xsprintf("the head commit %.12s", range->after);
		return scan_walk(st, repo, range->after, NULL, 0, scan_walked_first) < 0 ? -1 : 0;
	}
	hide[0] = range->before;
	plan->range = rt_xsprintf("%.12s..%.12s", range->before, range->after);
	plan->source = "local history";
	error = scan_local(st, repo, range->after, hide, 1, false);
	if (error == RT_ENOTFOUND && gh) {
		rt_runner_info("Commit %.12s or its history is not in the checkout: reading the pushed commits from the compare API instead.",
			       range->before);
		rt_error_clear();
		st->scanned = 0;
		free(st->newest_marker);
		st->newest_marker = NULL;
		plan->source = "the compare API";
		error = scan_api_range(st, gh, range->before, range->after);
	}
	return error < 0 ? -1 : 0;
}

/* --- the version ---------------------------------------------------------- */

/* From git objects when the checkout has the commit, else from the API. */
static int read_file_at(rt_buf *out, rt_repo *repo, rt_github *gh, const char *sha,
			const char *path)
{
	if (rt_repo_has_commit(repo, sha) || !gh)
		return rt_repo_read_file_at(repo, out, sha, path);
	return rt_github_file_get(gh, out, path, sha);
}

static int read_version(tag_plan *plan, rt_repo *repo, rt_github *gh, const rt_config *cfg)
{
	const char *const *files = rt_manifest_auto_files;
	const char *one[2] = {cfg->version_from, NULL};
	rt_buf text = RT_BUF_INIT, skipped = RT_BUF_INIT;
	size_t i;
	int error = RT_ENOTFOUND;

	if (cfg->version_from)
		files = one;
	for (i = 0; files[i] && error == RT_ENOTFOUND; i++) {
		rt_buf_truncate(&text, 0);
		error = read_file_at(&text, repo, gh, plan->target_sha, files[i]);
		if (error == RT_ENOTFOUND) {
			rt_error_clear();
			continue;
		}
		if (error == 0)
			error = rt_manifest_version(&plan->version, files[i], text.ptr, text.len);
		if (error == 0)
			plan->version_file = rt_xstrdup(files[i]);
		else if (error == RT_ENOTFOUND && !cfg->version_from) /* declares none: try the next */
			rt_buf_printf(&skipped, "%s%s", skipped.len ? ", " : " (", files[i]);
	}
	if (skipped.len)
		rt_buf_puts(&skipped, " declare no version)");
	if (error == RT_ENOTFOUND && !cfg->version_from)
		rt_error_set(RT_ERR_INPUT,
			     "no version in Cargo.toml, package.json or VERSION at the root of commit %.12s%s; name the file that holds the version with the version-from input",
			     plan->target_sha, rt_buf_cstr(&skipped));
	else if (error == RT_ENOTFOUND && !rt_error_last())
		rt_error_set(RT_ERR_INPUT, "version-from names %s, which does not exist at commit %.12s",
			     cfg->version_from, plan->target_sha);
	rt_buf_free(&skipped);
	rt_buf_free(&text);
	return error < 0 ? -1 : 0;
}

static int check_version(const tag_plan *plan, const rt_config *cfg)
{
	rt_semver v;

	/* the file at fault is named as at the target commit, usually the checkout's HEAD */
	if (rt_semver_parse(&v, plan->version) < 0) {
		rt_error_prefix("%s at commit %.12s", plan->version_file, plan->target_sha);
		return rt_error_locate(plan->version_file, 0);
	}
	if (v.pre && !cfg->allow_prerelease_versions) {
		rt_semver_free(&v);
		rt_error_set_at(RT_ERR_INPUT, plan->version_file, 0,
				"%s at commit %.12s has the pre-release version %s and allow-prerelease-versions is false; bump to a release version or allow pre-releases",
				plan->version_file, plan->target_sha, plan->version);
		return -1;
	}
	rt_semver_free(&v);
	return 0;
}


static const char *repo_name(const rt_config *cfg)
{
	const char *slash = cfg->repository ? strchr(cfg->repository, '/') : NULL;
	return slash ? slash + 1 : (cfg->repository ? cfg->repository : "release");
}

/* --- acting --------------------------------------------------------------- */

/* Does the tag exist, and on which commit? */
static int find_existing(tag_plan *plan, rt_github *gh)
{
	free(plan->existing_sha);
	return github_tag_commit(&plan->existing_sha, gh, plan->tag);
}

static int tag_conflict(const tag_plan *plan)
{
	return rt_error_set(RT_ERR_FAILED,
			    "tag %s already exists on commit %s, not on %s; delete the tag or bump the version",
			    plan->tag, plan->existing_sha, plan->target_sha);
}

static int create_tag(tag_plan *plan, rt_github *gh, const rt_config *cfg)
{
	char *full = rt_xsprintf("refs/tags/%s", plan->tag);
	char *object = NULL;
	int error = 0;

	if (cfg->annotated) {
		char *message = rt_xsprintf("Release %s %s\n", repo_name(cfg), plan->version);
		error = rt_github_tag_object_create(gh, &object, plan->tag, message, plan->target_sha,
						    "github-actions[bot]",
						    "41898282+github-actions[bot]@users.noreply.github.com");
		free(message);
	}
	if (error == 0)
		error = rt_github_ref_create(gh, full, object ? object : plan->target_sha);
	if (error == RT_EEXISTS) {
		/* a concurrent run may have won: the same commit is success */
		rt_error_clear();
		error = find_existing(plan, gh);
		if (error == 0 && plan->existing_sha && strcmp(plan->existing_sha, plan->target_sha) != 0)
			error = tag_conflict(plan);
	}
	free(object);
	free(full);
	return error;
}

static char *plan_json(const tag_plan *plan, const rt_config *cfg, bool will_tag)
{
	cJSON *j = cJSON_CreateObject();
	char *text;

	cJSON_AddStringToObject(j, "mode", "tag");
	cJSON_AddStringToObject(j, "source", plan->source ? plan->source : "");
	cJSON_AddStringToObject(j, "range", plan->range ? plan->range : "");
	cJSON_AddNumberToObject(j, "scanned", (double)plan->scanned);
	if (plan->marker_sha)
		cJSON_AddStringToObject(j, "marker-commit", plan->marker_sha);
	else
		cJSON_AddNullToObject(j, "marker-commit");
	if (plan->target_sha)
		cJSON_AddStringToObject(j, "sha", plan->target_sha);
	if (plan->version)
		cJSON_AddStringToObject(j, "version", plan->version);
	if (plan->tag)
		cJSON_AddStringToObject(j, "tag", plan->tag);
	cJSON_AddBoolToObject(j, "create-tag", will_tag);
	cJSON_AddBoolToObject(j, "annotated", cfg->annotated);
	if (cfg->dispatch && will_tag)
		cJSON_AddStringToObject(j, "dispatch", cfg->dispatch);
	text = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	return text;
}

static int write_outputs(const tag_plan *plan, bool tagged, bool dispatched)
{
	if (rt_runner_set_output("tagged", tagged ? "true" : "false") < 0 ||
	    rt_runner_set_output("tag", plan->tag ? plan->tag : "") < 0 ||
	    rt_runner_set_output("version", plan->version ? plan->version : "") < 0 ||
	    rt_runner_set_output("sha", plan->target_sha ? plan->target_sha : "") < 0 ||
	    rt_runner_set_output("dispatched", dispatched ? "true" : "false") < 0)
		return -1;
	return 0;
}

static int write_summary(const tag_plan *plan, const rt_config *cfg, bool tagged, bool dispatched)
{
	rt_buf md = RT_BUF_INIT;
	int error;

	if (!plan->marker_sha)
		rt_buf_printf(&md, "### release-train tag\n\nNo release: none of the %zu commits scanned (%s) carries the marker.\n",
			      plan->scanned, plan->range ? plan->range : "");
	else if (tagged)
		rt_buf_printf(&md, "### release-train tag\n\nTagged **%s** (version %s from `%s`) on `%.12s`%s.\n",
			      plan->tag, plan->version, plan->version_file, plan->target_sha,
			      dispatched ? ", and started the release workflow" : "");
	else if (cfg->dry_run)
		rt_buf_printf(&md, "### release-train tag (dry run)\n\nWould tag **%s** on `%.12s`.\n",
			      plan->tag, plan->target_sha);
	else
		rt_buf_printf(&md, "### release-train tag\n\n**%s** already exists on `%.12s`: nothing to do.\n",
			      plan->tag, plan->target_sha);
	error = rt_runner_summary(rt_buf_cstr(&md));
	rt_buf_free(&md);
	return error;
}

static int open_github(rt_github **gh, const rt_config *cfg)
{
	rt_github_options opts = {cfg->api_url, cfg->repository, cfg->token, cfg->max_retries};

	*gh = NULL;
	if (rt_config_require_github(cfg, "`contents: write`") < 0)
		return -1;
	return rt_github_new(gh, &opts);
}

static int decide(tag_plan *plan, rt_repo *repo, rt_github *gh, const rt_config *cfg,
		  const push_range *range)
{
	scan_state st = {cfg->marker, 0, NULL};
	tag_list tags = {0};
	rt_template_vars vars = {0};
	int error;

	rt_runner_group("Scan for the release marker");
	if (cfg->scan == RT_SCAN_SINCE_LAST_TAG) {
		error = list_tags(&tags, gh, cfg->tag_format);
		if (error == 0)
			error = scan_since_last_tag(plan, &st, repo, gh, &tags, range);
	} else {
		error = scan_push(plan, &st, repo, gh, range);
	}
	plan->scanned = st.scanned;
	plan->marker_sha = st.newest_marker;
	tag_list_free(&tags);
	if (error == 0)
		rt_runner_info("Scanned %zu commits (%s, from %s); marker %s.", plan->scanned,
			       plan->range ? plan->range : "", plan->source,
			       plan->marker_sha ? "found" : "not found");
	rt_runner_endgroup();
	if (error < 0 || !plan->marker_sha)
		return error < 0 ? -1 : 0;

	plan->target_sha = rt_xstrdup(cfg->target == RT_TARGET_MARKER ? plan->marker_sha : range->after);
	if (read_version(plan, repo, gh, cfg) < 0 || check_version(plan, cfg) < 0)
		return -1;
	vars.name = repo_name(cfg);
	vars.version = plan->version;
	vars.marker = cfg->marker;
	if (rt_template_expand(&plan->tag, cfg->tag_format, &vars, "tag-format") < 0)
		return -1;
	return find_existing(plan, gh);
}

/* Before any request: the format must hold the version, and no unknown placeholder. */
static int check_tag_format(const rt_config *cfg)
{
	rt_template_vars vars = {"name", "1.2.3", NULL, NULL, cfg->marker};
	char *sample = NULL;

	if (!strstr(cfg->tag_format, "{version}"))
		return rt_error_set(RT_ERR_INPUT, "tag-format '%s' has no {version}; use e.g. v{version}",
				    cfg->tag_format);
	if (rt_template_expand(&sample, cfg->tag_format, &vars, "tag-format") < 0)
		return -1;
	free(sample);
	return 0;
}

int rt_mode_tag(const rt_config *cfg)
{
	push_range range = {0};
	tag_plan plan = {0};
	rt_repo *repo = NULL;
	rt_github *gh = NULL;
	bool tagged = false, dispatched = false, will_tag;
	char *plan_text = NULL;
	int error = -1;

	if (check_tag_format(cfg) < 0)
		goto cleanup;
	if (open_github(&gh, cfg) < 0 || rt_repo_open(&repo, cfg->repo_dir) < 0 ||
	    load_range(&range, cfg, repo) < 0)
		goto cleanup;
	if (range.deleted) {
		rt_runner_notice("The push deleted %s: nothing to tag.", cfg->ref ? cfg->ref : "the ref");
		error = write_outputs(&plan, false, false);
		goto cleanup;
	}
	if (decide(&plan, repo, gh, cfg, &range) < 0)
		goto cleanup;

	will_tag = plan.marker_sha && !plan.existing_sha;
	if (plan.existing_sha && strcmp(plan.existing_sha, plan.target_sha) != 0) {
		tag_conflict(&plan);
		goto cleanup;
	}
	plan_text = plan_json(&plan, cfg, will_tag);
	if (cfg->dry_run) {
		rt_runner_info("Dry run: %s", will_tag ? "would create the tag" : "nothing to create");
		rt_runner_info("plan: %s", plan_text);
		if (rt_runner_set_output("plan", plan_text) < 0)
			goto cleanup;
	} else if (!plan.marker_sha) {
		rt_runner_notice("No pushed commit carries the marker line %s: nothing to tag.", cfg->marker);
	} else if (plan.existing_sha) {
		rt_runner_notice("Tag %s already exists on %.12s: nothing to do.", plan.tag, plan.target_sha);
	} else {
		rt_runner_group("Create the tag");
		if (create_tag(&plan, gh, cfg) < 0)
			goto cleanup;
		tagged = !plan.existing_sha;
		rt_runner_info("Created %s tag %s on %s.", cfg->annotated ? "annotated" : "lightweight",
			       plan.tag, plan.target_sha);
		if (cfg->dispatch && tagged) {
			if (rt_github_workflow_dispatch(gh, cfg->dispatch, plan.tag) < 0) {
				rt_error_prefix("tag %s was created, but starting %s failed", plan.tag, cfg->dispatch);
				write_outputs(&plan, tagged, false);
				rt_runner_endgroup();
				goto cleanup;
			}
			dispatched = true;
			rt_runner_info("Started workflow %s on %s.", cfg->dispatch, plan.tag);
		}
		rt_runner_endgroup();
	}
	if (write_outputs(&plan, tagged, dispatched) < 0 ||
	    write_summary(&plan, cfg, tagged, dispatched) < 0)
		goto cleanup;
	error = 0;

cleanup:
	free(plan_text);
	tag_plan_free(&plan);
	rt_event_push_free(&range);
	rt_github_free(gh);
	rt_repo_free_at_exit(repo); /* the process ends after a mode */
	return error;
}
