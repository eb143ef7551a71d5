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

#endif
