/*
 * github: the GitHub REST API calls release-train makes, on rt_http and cJSON.
 *
 * URLs come from GITHUB_API_URL (so GitHub Enterprise Server's /api/v3
 * works unchanged) and from the hypermedia GitHub returns. A non-2xx
 * answer becomes one error that quotes GitHub's own message and, for
 * 401/403/404, names the likely missing permission that the caller passes
 * in ("contents: write", ...). Lookups that may legitimately find nothing
 * return RT_ENOTFOUND; creates that collide return RT_EEXISTS, so that the
 * modes can look the existing object up before calling it a failure.
 */
#ifndef RT_GITHUB_H
#define RT_GITHUB_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "http.h"

typedef struct rt_github rt_github;

typedef struct {
	const char *api_url;    /* e.g. https://api.github.com (no trailing slash needed) */
	const char *repository; /* owner/name */
	const char *token;
	int max_retries;
} rt_github_options;

int rt_github_new(rt_github **out, const rt_github_options *opts);
void rt_github_free(rt_github *gh);

/* One call. path is relative to the API URL ("/repos/o/r/git/refs") or an
 * absolute URL. body may be NULL. On 2xx: *out (if out) gets the parsed
 * JSON (NULL for an empty body) and 0 is returned. Otherwise an error is
 * recorded quoting GitHub's message; 404 returns RT_ENOTFOUND, 422 whose
 * message or errors say "already exists" returns RT_EEXISTS, others -1.
 * status (if not NULL) receives the final HTTP status. */
int rt_github_call(rt_github *gh, cJSON **out, long *status, const char *method,
		   const char *path, const cJSON *body, const char *permission);

/* How rt_github_call judges the final answer of its request, apart from
 * the transport (for the fuzz target): 2xx parses the body into *out (if
 * out; -1 when it is not JSON), anything else records the one error that
 * quotes GitHub's message, with the codes of rt_github_call. */
int rt_github_judge_answer(const rt_github *gh, cJSON **out, const char *method, const char *url,
			   const rt_http_response *resp, const char *permission);

/* GET every page (following Link rel="next", per_page=100) and concatenate
 * the arrays: the top-level array, or the array under items_key
 * ("commits" for compare, "items" for search). */
int rt_github_get_all(rt_github *gh, cJSON **out_array, const char *path, const char *items_key,
		      const char *permission);

/* "/repos/{owner}/{repo}" prefix for paths (owned by gh). */
const char *rt_github_repo_path(const rt_github *gh);

/* A path segment percent-encoded for a URL (everything but A-Z a-z 0-9 - . _ ~,
 * and '/' too when keep_slash, for refs like "tags/v1.0.0"). Caller frees. */
char *rt_github_escape(const char *segment, bool keep_slash);

/* The permission argument of the calls above names what a 403/404 most
 * likely lacks. A permissions-block scope ("contents: write") reads "The
 * token needs the `contents: write` permission (workflow `permissions:`
 * block)."; other text is quoted as it is, and ';' separates several
 * needs, e.g. "pull-requests: write; the \"Allow GitHub Actions to create
 * and approve pull requests\" setting (Settings > Actions > General)". */

/* --- git refs and tags --- */
typedef struct {
	char *sha;        /* what the ref points at */
	char *type;       /* "commit" or "tag" */
	char *commit_sha; /* the commit, peeled through annotated tag objects (NULL if a
			   * tag names a tree or blob) */
} rt_github_ref;

/* ref like "tags/v1.2.3" or "heads/main". RT_ENOTFOUND when absent. */
int rt_github_ref_get(rt_github *gh, rt_github_ref *out, const char *ref);
void rt_github_ref_free(rt_github_ref *ref);
/* The commit a ref ("tags/v1.2.3", "heads/main") names, peeled through an
 * annotated tag object; *out (caller frees) stays NULL, and no error is
 * recorded, when there is no such ref. */
int rt_github_ref_commit(rt_github *gh, char **out, const char *ref);
/* full like "refs/tags/v1.2.3". RT_EEXISTS when it exists already. */
int rt_github_ref_create(rt_github *gh, const char *full_ref, const char *sha);
int rt_github_ref_update(rt_github *gh, const char *ref, const char *sha, bool force);
/* An annotated tag object; *tag_sha_out receives its sha (caller frees). */
int rt_github_tag_object_create(rt_github *gh, char **tag_sha_out, const char *tag,
				const char *message, const char *object_sha, const char *tagger_name,
				const char *tagger_email);

/* --- history --- */
typedef struct {
	char *sha;
	char *message;
} rt_github_commit;

typedef struct {
	rt_github_commit *items;
	size_t count;
} rt_github_commit_list;

/* Commits in base...head (compare endpoint, every page), oldest first. */
int rt_github_compare_commits(rt_github *gh, rt_github_commit_list *out, const char *base,
			      const char *head);
void rt_github_commit_list_free(rt_github_commit_list *list);

/* The bytes of a file at ref (contents API, files up to 1 MB), for when
 * the commit is not in a shallow checkout. RT_ENOTFOUND when absent. */
int rt_github_file_get(rt_github *gh, rt_buf *out, const char *path, const char *ref);

/* --- workflows --- */
/* POST .../actions/workflows/{workflow}/dispatches with {"ref": ref}. */
int rt_github_workflow_dispatch(rt_github *gh, const char *workflow, const char *ref);

/* --- releases and assets (release) --- */
/* Release and asset objects are GitHub's JSON, as answered (caller frees). */
/* GET /releases/tags/{tag}: published releases only. RT_ENOTFOUND when none. */
int rt_github_release_by_tag(rt_github *gh, cJSON **out, const char *tag);
/* Every release, drafts included (paginated), newest first as GitHub lists them. */
int rt_github_releases_list(rt_github *gh, cJSON **out_array);
/* POST /releases with body (tag_name, name, body, draft, ...). */
int rt_github_release_create(rt_github *gh, cJSON **out, const cJSON *body);
/* PATCH /releases/{id}. */
int rt_github_release_update(rt_github *gh, cJSON **out, long long id, const cJSON *body);
int rt_github_release_delete(rt_github *gh, long long id);
/* Every asset of a release (paginated), in GitHub's order. */
int rt_github_assets_list(rt_github *gh, cJSON **out_array, long long release_id);
/* PATCH /releases/assets/{id} {"name": name}. RT_EEXISTS when the name is taken. */
int rt_github_asset_rename(rt_github *gh, cJSON **out, long long asset_id, const char *name);
int rt_github_asset_delete(rt_github *gh, long long asset_id);
/* The token given at rt_github_new (the upload origin needs it too). */
const char *rt_github_token(const rt_github *gh);

/* --- pull requests, search, git data (bump) --- */

/* Permission hint for pull request calls: the scope and the repository setting. */
#define RT_GITHUB_PR_PERMISSION                                                                \
	"pull-requests: write; the \"Allow GitHub Actions to create and approve pull requests\" " \
	"setting (Settings > Actions > General)"

typedef struct {
	long number;
	char *html_url;
	char *title;
	char *body; /* "" when GitHub has none */
	char *base;
	char *head_sha;
} rt_github_pull;

/* The open pull request from owner:branch (list with head= and state=open);
 * RT_ENOTFOUND (no error recorded) when there is none. */
int rt_github_pull_find(rt_github *gh, rt_github_pull *out, const char *branch);
/* Create it (maintainer_can_modify); RT_EEXISTS when one exists already. */
int rt_github_pull_create(rt_github *gh, rt_github_pull *out, const char *title, const char *branch,
			  const char *base, const char *body);
/* Update title, body and base. */
int rt_github_pull_update(rt_github *gh, rt_github_pull *out, long number, const char *title,
			  const char *body, const char *base);
void rt_github_pull_free(rt_github_pull *pr);

/* Search issues (one page of at most max items); *items is a cJSON array of
 * {number, title, html_url}; *total the total_count. The query gets
 * is:open unless it says is:open or state:, and repo:owner/name unless it
 * names a repo: itself. */
int rt_github_search_issues(rt_github *gh, cJSON **items, long *total, const char *query, int max);

/* Git Data: a blob from bytes (base64), a tree over base_tree, a commit
 * WITHOUT author and committer (GitHub then signs it). Shas: caller frees. */
int rt_github_blob_create(rt_github *gh, char **sha, const char *data, size_t len);
typedef struct {
	const char *path;
	const char *mode; /* "100644" / "100755" */
	const char *sha;  /* a blob */
} rt_github_tree_entry;
int rt_github_tree_create(rt_github *gh, char **sha, const char *base_tree,
			  const rt_github_tree_entry *entries, size_t count);
int rt_github_commit_create(rt_github *gh, char **sha, const char *message, const char *tree,
			    const char *parent);
/* A commit's message and tree (caller frees both). */
int rt_github_commit_get(rt_github *gh, char **message, char **tree, const char *sha);

#endif
