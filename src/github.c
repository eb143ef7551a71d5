/*
 * github: the GitHub REST API calls release-train makes, on rt_http and cJSON.
 *
 * The idea: every call funnels through one function, call_url(), so every
 * failure reads the same way: "GitHub answered 403 Forbidden to POST
 * /repos/o/r/git/refs: <GitHub's own message>." followed by what to do
 * about it (the permission the caller names, a bad token, an outage that
 * survived the retries). The answers that the modes act on are return
 * codes, not strings to match: RT_ENOTFOUND for 404 and RT_EEXISTS for a
 * 422 that says the object already exists. Pagination follows the Link
 * header GitHub sends, only to the same origin, so the token is never
 * sent anywhere a page did not come from.
 */
#include "github.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "buf.h"
#include "error.h"
#include "http.h"
#include "runner.h"

#define DEFAULT_API_URL "https://api.github.com"
#define PER_PAGE "per_page=100"
#define MAX_PAGES 1000
#define MAX_PEEL 8
#define MAX_QUOTE 600

struct rt_github {
	rt_http *http;
	char *api_url;   /* without trailing slash */
	char *repo_path; /* "/repos/owner/name", escaped */
	char *token;     /* only to scrub it out of quoted answers */
	int max_retries;
};

/* --- paths --------------------------------------------------------------- */

static bool is_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

static void put_escaped(rt_buf *out, const char *s, bool keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (is_unreserved(*p) || (keep_slash && *p == '/')) {
			rt_buf_putc(out, (char)*p);
		} else {
			rt_buf_putc(out, '%');
			rt_buf_putc(out, hex[*p >> 4]);
			rt_buf_putc(out, hex[*p & 15]);
		}
	}
}

char *rt_github_escape(const char *segment, bool keep_slash)
{
	rt_buf b = RT_BUF_INIT;

	put_escaped(&b, segment ? segment : "", keep_slash);
	return rt_buf_detach(&b);
}

/* "tags/v1" from "refs/tags/v1" or "tags/v1". */
static const char *short_ref(const char *ref)
{
	return strncmp(ref, "refs/", 5) == 0 ? ref + 5 : ref;
}

static bool is_absolute(const char *path)
{
	return strncasecmp(path, "https://", 8) == 0 || strncasecmp(path, "http://", 7) == 0;
}

static char *full_url(const rt_github *gh, const char *path)
{
	if (is_absolute(path))
		return rt_xstrdup(path);
	return rt_xsprintf("%s%s%s", gh->api_url, path[0] == '/' ? "" : "/", path);
}

/* The URL as messages show it: relative to the API URL when it is under it. */
static const char *shown_path(const rt_github *gh, const char *url)
{
	size_t n = strlen(gh->api_url);

	if (strncmp(url, gh->api_url, n) == 0 && url[n] == '/')
		return url + n;
	return url;
}

/* Length of "scheme://authority" at the start of url (0 when none). */
static size_t origin_len(const char *url)
{
	const char *p = strstr(url, "://");

	if (!p)
		return 0;
	p += 3;
	return (size_t)(p - url) + strcspn(p, "/?#");
}

static bool same_origin(const char *a, const char *b)
{
	size_t n = origin_len(a);

	return n > 0 && n == origin_len(b) && strncasecmp(a, b, n) == 0;
}

/* --- life cycle ---------------------------------------------------------- */

static int check_repository(const char *repo)
{
	const char *slash = repo ? strchr(repo, '/') : NULL;

	if (!slash || slash == repo || !slash[1] || strchr(slash + 1, '/'))
		return rt_error_set(RT_ERR_INPUT,
				    "the repository must be given as owner/name (GITHUB_REPOSITORY), "
				    "got \"%s\"",
				    repo ? repo : "");
	return 0;
}

static char *make_repo_path(const char *repo)
{
	rt_buf b = RT_BUF_INIT;
	const char *slash = strchr(repo, '/');
	char *owner = rt_xstrndup(repo, (size_t)(slash - repo));

	rt_buf_puts(&b, "/repos/");
	put_escaped(&b, owner, false);
	rt_buf_putc(&b, '/');
	put_escaped(&b, slash + 1, false);
	free(owner);
	return rt_buf_detach(&b);
}

int rt_github_new(rt_github **out, const rt_github_options *opts)
{
	rt_http_options hopts = {0};
	const char *api = opts->api_url && *opts->api_url ? opts->api_url : DEFAULT_API_URL;
	rt_github *gh;
	size_t n;

	*out = NULL;
	if (check_repository(opts->repository) < 0)
		return -1;
	if (!is_absolute(api))
		return rt_error_set(RT_ERR_INPUT,
				    "the API URL (GITHUB_API_URL) must start with https:// or "
				    "http://, got \"%s\"",
				    api);
	if (rt_http_check_transport(api, "the API URL (GITHUB_API_URL)") < 0)
		return -1;
	gh = rt_xcalloc(1, sizeof(*gh));
	hopts.max_retries = opts->max_retries;
	hopts.token = opts->token;
	if (rt_http_new(&gh->http, &hopts) < 0) {
		free(gh);
		return -1;
	}
	n = strlen(api);
	while (n > 0 && api[n - 1] == '/')
		n--;
	gh->api_url = rt_xstrndup(api, n);
	gh->repo_path = make_repo_path(opts->repository);
	gh->token = opts->token && *opts->token ? rt_xstrdup(opts->token) : NULL;
	gh->max_retries = opts->max_retries > 0 ? opts->max_retries : 0;
	*out = gh;
	return 0;
}

void rt_github_free(rt_github *gh)
{
	if (!gh)
		return;
	rt_http_free(gh->http);
	free(gh->api_url);
	free(gh->repo_path);
	if (gh->token) {
		memset(gh->token, 0, strlen(gh->token));
		free(gh->token);
	}
	free(gh);
}

const char *rt_github_repo_path(const rt_github *gh)
{
	return gh->repo_path;
}

/* --- failures ------------------------------------------------------------ */

static const char *reason_phrase(long status)
{
	switch (status) {
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 410: return "Gone";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Entity";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return status >= 500 ? "Server Error" : "Error";
	}
}

/* One line of outside text, bounded, with the token cut out. */
static void put_quoted(const rt_github *gh, rt_buf *out, const char *text, size_t len)
{
	size_t tlen = gh->token ? strlen(gh->token) : 0;
	size_t start = out->len, i = 0;

	while (i < len && out->len - start < MAX_QUOTE) {
		unsigned char c = (unsigned char)text[i];
		if (tlen && len - i >= tlen && memcmp(text + i, gh->token, tlen) == 0) {
			rt_buf_puts(out, "***");
			i += tlen;
			continue;
		}
		rt_buf_putc(out, (c < 0x20 || c == 0x7f) ? ' ' : (char)c);
		i++;
	}
	if (i < len)
		rt_buf_puts(out, "...");
}

static void put_quoted_str(const rt_github *gh, rt_buf *out, const char *s)
{
	put_quoted(gh, out, s, strlen(s));
}

/* One entry of GitHub's errors[]: a string, or {resource, field, code, message}. */
static void put_error_entry(const rt_github *gh, rt_buf *out, const cJSON *e)
{
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(e, "message");
	const char *parts[3] = {"resource", "field", "code"};

	if (cJSON_IsString(e)) {
		put_quoted_str(gh, out, e->valuestring);
		return;
	}
	if (cJSON_IsString(msg)) {
		put_quoted_str(gh, out, msg->valuestring);
		return;
	}
	for (size_t i = 0; i < 3; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, parts[i]);
		if (!cJSON_IsString(v))
			continue;
		if (out->len && out->ptr[out->len - 1] != '(' && out->ptr[out->len - 1] != ' ')
			rt_buf_putc(out, i == 1 ? '.' : ' ');
		put_quoted_str(gh, out, v->valuestring);
	}
}

/* GitHub's message and errors[] details, or the raw body when not JSON. */
static void put_github_message(const rt_github *gh, rt_buf *out, const rt_http_response *resp,
			       const cJSON *json)
{
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(json, "message");
	const cJSON *errors = cJSON_GetObjectItemCaseSensitive(json, "errors");
	const cJSON *e;
	bool first = true;

	if (cJSON_IsString(msg) && *msg->valuestring)
		put_quoted_str(gh, out, msg->valuestring);
	else if (resp->body.len)
		put_quoted(gh, out, resp->body.ptr, resp->body.len);
	else
		rt_buf_puts(out, "(no message)");
	if (!cJSON_IsArray(errors) || cJSON_GetArraySize(errors) == 0)
		return;
	rt_buf_puts(out, " (");
	cJSON_ArrayForEach(e, errors)
	{
		if (!first)
			rt_buf_puts(out, "; ");
		first = false;
		put_error_entry(gh, out, e);
	}
	rt_buf_putc(out, ')');
}

static bool says_exists(const char *s)
{
	return s && (strcasestr(s, "already exists") || strcasestr(s, "already_exists"));
}

/* 422 "Reference already exists", errors[].code "already_exists", or
 * errors[].message "A pull request already exists for ...". */
static bool answer_says_exists(const cJSON *json)
{
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(json, "message");
	const cJSON *errors = cJSON_GetObjectItemCaseSensitive(json, "errors");
	const cJSON *e;

	if (cJSON_IsString(msg) && says_exists(msg->valuestring))
		return true;
	cJSON_ArrayForEach(e, errors)
	{
		const cJSON *code = cJSON_GetObjectItemCaseSensitive(e, "code");
		const cJSON *emsg = cJSON_GetObjectItemCaseSensitive(e, "message");
		if ((cJSON_IsString(e) && says_exists(e->valuestring)) ||
		    (cJSON_IsString(code) && says_exists(code->valuestring)) ||
		    (cJSON_IsString(emsg) && says_exists(emsg->valuestring)))
			return true;
	}
	return false;
}

/* A permissions-block scope such as "contents: write". */
static bool is_scope(const char *s, size_t n)
{
	size_t name = 0, level;

	while (name < n && ((s[name] >= 'a' && s[name] <= 'z') || s[name] == '-' || s[name] == '_'))
		name++;
	if (name == 0 || name >= n || s[name] != ':')
		return false;
	for (level = name + 1; level < n && s[level] == ' ';)
		level++;
	return (n - level == 4 && memcmp(s + level, "read", 4) == 0) ||
	       (n - level == 5 && memcmp(s + level, "write", 5) == 0);
}

/* "The token needs the `contents: write` permission (workflow `permissions:`
 * block)." from "contents: write"; ';' separates several needs. */
static void put_needs(rt_buf *out, const char *permission)
{
	const char *p = permission;
	bool first = true;

	if (!p || !*p) {
		rt_buf_puts(out, " Check the token's permissions (workflow `permissions:` block).");
		return;
	}
	rt_buf_puts(out, " The token needs ");
	while (*p) {
		size_t n = strcspn(p, ";");
		const char *s = p;
		p += n;
		if (*p)
			p++;
		while (n && (*s == ' ' || *s == '\t'))
			s++, n--;
		while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		if (!n)
			continue;
		if (!first)
			rt_buf_puts(out, " and ");
		first = false;
		if (is_scope(s, n))
			rt_buf_printf(out, "the `%.*s` permission (workflow `permissions:` block)",
				      (int)n, s);
		else
			rt_buf_put(out, s, n);
	}
	rt_buf_putc(out, '.');
}

static void put_rate_limit_hint(rt_buf *out, const rt_http_response *resp)
{
	char when[48] = "";

	if (resp->ratelimit_remaining == 0 && resp->ratelimit_reset > 0) {
		time_t reset = (time_t)resp->ratelimit_reset;
		struct tm tm;
		if (gmtime_r(&reset, &tm))
			strftime(when, sizeof(when), " until %Y-%m-%d %H:%M:%S UTC", &tm);
	}
	rt_buf_printf(out,
		      " GitHub's rate limit stopped the request after %d %s; wait%s and re-run "
		      "the job, and avoid many jobs writing to GitHub at the same time.",
		      resp->attempts - 1, resp->attempts == 2 ? "retry" : "retries", when);
}

static void put_hint(rt_buf *out, const rt_http_response *resp, const char *permission)
{
	long st = resp->status;

	if (resp->rate_limited) {
		put_rate_limit_hint(out, resp);
	} else if (st == 401) {
		rt_buf_puts(out, " The token was rejected (missing, malformed, expired or revoked): "
				 "pass a valid token in the `token` input; the default "
				 "`${{ github.token }}` works for the workflow's own repository.");
	} else if (st == 403) {
		put_needs(out, permission);
	} else if (st == 404) {
		rt_buf_puts(out, " Either it does not exist, or the token cannot see it.");
		put_needs(out, permission);
	} else if (st >= 500) {
		rt_buf_printf(out,
			      " It was retried %d time%s; GitHub may be having an outage "
			      "(https://www.githubstatus.com): re-run the job later.",
			      resp->attempts - 1, resp->attempts == 2 ? "" : "s");
	}
}

/* Record the error for a non-2xx answer; returns the code for it. */
static int fail_answer(const rt_github *gh, const char *method, const char *url,
		       const rt_http_response *resp, const char *permission)
{
	rt_buf msg = RT_BUF_INIT;
	cJSON *json = resp->body.len ? cJSON_ParseWithLength(resp->body.ptr, resp->body.len) : NULL;
	int code = -1;

	if (resp->status == 404)
		code = RT_ENOTFOUND;
	else if (resp->status == 422 && answer_says_exists(json))
		code = RT_EEXISTS;
	rt_buf_printf(&msg, "GitHub answered %ld %s to %s ", resp->status,
		      reason_phrase(resp->status), method);
	put_quoted_str(gh, &msg, shown_path(gh, url));
	rt_buf_puts(&msg, ": ");
	put_github_message(gh, &msg, resp, json);
	if (msg.ptr[msg.len - 1] != '.')
		rt_buf_putc(&msg, '.');
	put_hint(&msg, resp, permission);
	rt_error_set(RT_ERR_FAILED, "%s", rt_buf_cstr(&msg));
	rt_buf_free(&msg);
	cJSON_Delete(json);
	return code;
}

/* --- calls --------------------------------------------------------------- */

static int parse_answer(const rt_github *gh, cJSON **out, const char *method, const char *url,
			const rt_http_response *resp)
{
	*out = NULL;
	if (resp->body.len == 0)
		return 0;
	*out = cJSON_ParseWithLength(resp->body.ptr, resp->body.len);
	if (*out)
		return 0;
	return rt_error_set(RT_ERR_FAILED,
			    "GitHub answered %ld to %s %s with a body that is not JSON "
			    "(check GITHUB_API_URL)",
			    resp->status, method, shown_path(gh, url));
}

/* One request to an absolute URL; resp is left for the caller to read. */
static int call_url(rt_github *gh, cJSON **out, rt_http_response *resp, const char *method,
		    const char *url, const cJSON *body, const char *permission)
{
	rt_http_request req = {0};
	char *text = NULL;
	int error;

	if (out)
		*out = NULL;
	req.method = method;
	req.url = url;
	if (body) {
		text = cJSON_PrintUnformatted(body);
		if (!text)
			abort(); /* out of memory, as rt_x* */
		req.body = text;
		req.body_len = strlen(text);
	}
	error = rt_http_send(gh->http, &req, resp);
	free(text);
	if (error < 0)
		return error;
	return rt_github_judge_answer(gh, out, method, url, resp, permission);
}

int rt_github_judge_answer(const rt_github *gh, cJSON **out, const char *method, const char *url,
			   const rt_http_response *resp, const char *permission)
{
	if (resp->status < 200 || resp->status > 299)
		return fail_answer(gh, method, url, resp, permission);
	if (out)
		return parse_answer(gh, out, method, url, resp);
	return 0;
}

int rt_github_call(rt_github *gh, cJSON **out, long *status, const char *method,
		   const char *path, const cJSON *body, const char *permission)
{
	rt_http_response resp;
	char *url = full_url(gh, path);
	int error = call_url(gh, out, &resp, method, url, body, permission);

	if (status)
		*status = resp.status;
	rt_http_response_free(&resp);
	free(url);
	return error;
}

/* The first page's URL: per_page=100 unless the caller chose a page size. */
static char *first_page_url(const rt_github *gh, const char *path)
{
	char *url = full_url(gh, path);
	const char *query = strchr(url, '?');
	char *with;

	if (query && (strstr(query, "?per_page=") || strstr(query, "&per_page=")))
		return url;
	with = rt_xsprintf("%s%c%s", url, query ? '&' : '?', PER_PAGE);
	free(url);
	return with;
}

/* Move every element of the page's array to the end of all. */
static int take_items(const rt_github *gh, cJSON *all, cJSON *page, const char *items_key,
		      const char *url)
{
	cJSON *items = items_key ? cJSON_GetObjectItemCaseSensitive(page, items_key) : page;

	if (!cJSON_IsArray(items))
		return rt_error_set(RT_ERR_FAILED,
				    "GitHub's answer to GET %s has no %s%s%s array",
				    shown_path(gh, url), items_key ? "\"" : "top-level",
				    items_key ? items_key : "", items_key ? "\"" : "");
	while (items->child)
		cJSON_AddItemToArray(all, cJSON_DetachItemFromArray(items, 0));
	return 0;
}

int rt_github_get_all(rt_github *gh, cJSON **out_array, const char *path, const char *items_key,
		      const char *permission)
{
	cJSON *all = cJSON_CreateArray();
	char *url = first_page_url(gh, path);
	int error = 0, pages = 0;

	*out_array = NULL;
	while (url) {
		rt_http_response resp;
		cJSON *page = NULL;
		char *next;

		if (++pages > MAX_PAGES) {
			error = rt_error_set(RT_ERR_FAILED, "GET %s: more than %d pages",
					     shown_path(gh, url), MAX_PAGES);
			goto cleanup;
		}
		error = call_url(gh, &page, &resp, "GET", url, NULL, permission);
		if (error == 0)
			error = take_items(gh, all, page, items_key, url);
		next = resp.link_next;
		resp.link_next = NULL;
		rt_http_response_free(&resp);
		cJSON_Delete(page);
		if (error == 0 && next && (!same_origin(next, url) || strcmp(next, url) == 0))
			error = rt_error_set(RT_ERR_FAILED,
					     "GET %s: refusing to follow the next-page link to "
					     "another server or to the same page",
					     shown_path(gh, url));
		free(url);
		url = next;
		if (error < 0)
			goto cleanup;
	}
	rt_runner_debug("GitHub: %s: %d item%s in %d page%s", path, cJSON_GetArraySize(all),
			cJSON_GetArraySize(all) == 1 ? "" : "s", pages, pages == 1 ? "" : "s");
	*out_array = all;
	all = NULL;

cleanup:
	free(url);
	cJSON_Delete(all);
	return error;
}

/* --- git refs and tags --------------------------------------------------- */

static char *json_string(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsString(v) ? rt_xstrdup(v->valuestring) : NULL;
}

/* {"object": {"sha": ..., "type": ...}} of a ref or a tag object. */
static int read_object(char **sha, char **type, const cJSON *answer, const char *what)
{
	const cJSON *obj = cJSON_GetObjectItemCaseSensitive(answer, "object");

	*sha = json_string(obj, "sha");
	*type = json_string(obj, "type");
	if (*sha && *type)
		return 0;
	free(*sha);
	free(*type);
	*sha = *type = NULL;
	return rt_error_set(RT_ERR_FAILED, "GitHub's answer for %s has no object sha and type",
			    what);
}

static char *repo_url_path(const rt_github *gh, const char *middle, const char *tail,
			   bool keep_slash)
{
	rt_buf b = RT_BUF_INIT;

	rt_buf_puts(&b, gh->repo_path);
	rt_buf_puts(&b, middle);
	put_escaped(&b, tail, keep_slash);
	return rt_buf_detach(&b);
}

/* Follow annotated tag objects (GET /git/tags/{sha}) down to the commit. */
static int peel_tag(rt_github *gh, char **commit_sha, const char *tag_sha, const char *ref)
{
	char *sha = rt_xstrdup(tag_sha), *type = rt_xstrdup("tag");
	int error = 0;

	*commit_sha = NULL;
	for (int depth = 0; strcmp(type, "tag") == 0; depth++) {
		cJSON *answer = NULL;
		char *path = repo_url_path(gh, "/git/tags/", sha, false);

		if (depth == MAX_PEEL) {
			error = rt_error_set(RT_ERR_FAILED, "%s: tag objects nest deeper than %d",
					     ref, MAX_PEEL);
		} else {
			error = rt_github_call(gh, &answer, NULL, "GET", path, NULL,
					       "contents: read");
			free(sha);
			free(type);
			sha = type = NULL;
			if (error == 0)
				error = read_object(&sha, &type, answer, ref);
		}
		cJSON_Delete(answer);
		free(path);
		if (error < 0)
			goto cleanup;
	}
	if (strcmp(type, "commit") == 0) {
		*commit_sha = sha;
		sha = NULL;
	}

cleanup:
	free(sha);
	free(type);
	return error;
}

int rt_github_ref_get(rt_github *gh, rt_github_ref *out, const char *ref)
{
	cJSON *answer = NULL;
	char *path = repo_url_path(gh, "/git/ref/", short_ref(ref), true);
	int error;

	memset(out, 0, sizeof(*out));
	error = rt_github_call(gh, &answer, NULL, "GET", path, NULL, "contents: read");
	if (error < 0)
		goto cleanup;
	error = read_object(&out->sha, &out->type, answer, ref);
	if (error < 0)
		goto cleanup;
	if (strcmp(out->type, "commit") == 0)
		out->commit_sha = rt_xstrdup(out->sha);
	else if (strcmp(out->type, "tag") == 0)
		error = peel_tag(gh, &out->commit_sha, out->sha, ref);

cleanup:
	if (error < 0)
		rt_github_ref_free(out);
	cJSON_Delete(answer);
	free(path);
	return error;
}

void rt_github_ref_free(rt_github_ref *ref)
{
	if (!ref)
		return;
	free(ref->sha);
	free(ref->type);
	free(ref->commit_sha);
	memset(ref, 0, sizeof(*ref));
}

int rt_github_ref_commit(rt_github *gh, char **out, const char *ref)
{
	rt_github_ref found = {0};
	int error = rt_github_ref_get(gh, &found, ref);

	*out = NULL;
	if (error == RT_ENOTFOUND) {
		rt_error_clear();
		error = 0;
	} else if (error == 0) {
		*out = rt_xstrdup(found.commit_sha ? found.commit_sha : found.sha);
	}
	rt_github_ref_free(&found);
	return error;
}

int rt_github_ref_create(rt_github *gh, const char *full_ref, const char *sha)
{
	cJSON *body = cJSON_CreateObject();
	char *path = rt_xsprintf("%s/git/refs", gh->repo_path);
	char *ref = strncmp(full_ref, "refs/", 5) == 0 ? rt_xstrdup(full_ref)
							: rt_xsprintf("refs/%s", full_ref);
	int error;

	cJSON_AddStringToObject(body, "ref", ref);
	cJSON_AddStringToObject(body, "sha", sha);
	error = rt_github_call(gh, NULL, NULL, "POST", path, body, "contents: write");
	cJSON_Delete(body);
	free(path);
	free(ref);
	return error;
}

int rt_github_ref_update(rt_github *gh, const char *ref, const char *sha, bool force)
{
	cJSON *body = cJSON_CreateObject();
	char *path = repo_url_path(gh, "/git/refs/", short_ref(ref), true);
	int error;

	cJSON_AddStringToObject(body, "sha", sha);
	cJSON_AddBoolToObject(body, "force", force);
	error = rt_github_call(gh, NULL, NULL, "PATCH", path, body, "contents: write");
	cJSON_Delete(body);
	free(path);
	return error;
}

int rt_github_tag_object_create(rt_github *gh, char **tag_sha_out, const char *tag,
				const char *message, const char *object_sha, const char *tagger_name,
				const char *tagger_email)
{
	cJSON *body = cJSON_CreateObject(), *answer = NULL;
	char *path = rt_xsprintf("%s/git/tags", gh->repo_path);
	int error;

	*tag_sha_out = NULL;
	cJSON_AddStringToObject(body, "tag", tag);
	cJSON_AddStringToObject(body, "message", message ? message : "");
	cJSON_AddStringToObject(body, "object", object_sha);
	cJSON_AddStringToObject(body, "type", "commit");
	if (tagger_name && tagger_email) {
		cJSON *tagger = cJSON_AddObjectToObject(body, "tagger");
		cJSON_AddStringToObject(tagger, "name", tagger_name);
		cJSON_AddStringToObject(tagger, "email", tagger_email);
	}
	error = rt_github_call(gh, &answer, NULL, "POST", path, body, "contents: write");
	if (error == 0) {
		*tag_sha_out = json_string(answer, "sha");
		if (!*tag_sha_out)
			error = rt_error_set(RT_ERR_FAILED,
					     "GitHub's answer to POST %s has no tag sha", path);
	}
	cJSON_Delete(answer);
	cJSON_Delete(body);
	free(path);
	return error;
}

/* --- history ------------------------------------------------------------- */

static int read_commit(rt_github_commit *out, const cJSON *item)
{
	const cJSON *commit = cJSON_GetObjectItemCaseSensitive(item, "commit");

	out->sha = json_string(item, "sha");
	out->message = json_string(commit, "message");
	if (out->sha && out->message)
		return 0;
	return rt_error_set(RT_ERR_FAILED,
			    "GitHub's compare answer has a commit without sha or commit.message");
}

int rt_github_compare_commits(rt_github *gh, rt_github_commit_list *out, const char *base,
			      const char *head)
{
	rt_buf path = RT_BUF_INIT;
	cJSON *commits = NULL;
	const cJSON *item;
	int error;

	memset(out, 0, sizeof(*out));
	rt_buf_puts(&path, gh->repo_path);
	rt_buf_puts(&path, "/compare/");
	put_escaped(&path, base, true);
	rt_buf_puts(&path, "...");
	put_escaped(&path, head, true);
	error = rt_github_get_all(gh, &commits, rt_buf_cstr(&path), "commits", "contents: read");
	if (error < 0)
		goto cleanup;
	out->items = rt_xcalloc((size_t)cJSON_GetArraySize(commits) + 1, sizeof(*out->items));
	cJSON_ArrayForEach(item, commits)
	{
		error = read_commit(&out->items[out->count++], item);
		if (error < 0)
			goto cleanup;
	}

cleanup:
	if (error < 0)
		rt_github_commit_list_free(out);
	cJSON_Delete(commits);
	rt_buf_free(&path);
	return error;
}

/* Standard base64 with the line breaks GitHub puts in "content". */
static int base64_decode(rt_buf *out, const char *in)
{
	unsigned acc = 0;
	int bits = 0;

	for (; *in && *in != '='; in++) {
		const char *alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
		const char *pos;

		if (*in == '\n' || *in == '\r')
			continue;
		pos = strchr(alphabet, *in);
		if (!pos)
			return -1;
		acc = (acc << 6) | (unsigned)(pos - alphabet);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			rt_buf_putc(out, (char)((acc >> bits) & 0xff));
		}
	}
	return 0;
}

int rt_github_file_get(rt_github *gh, rt_buf *out, const char *path, const char *ref)
{
	rt_buf url = RT_BUF_INIT;
	cJSON *answer = NULL;
	const char *content, *encoding;
	int error;

	rt_buf_puts(&url, gh->repo_path);
	rt_buf_puts(&url, "/contents/");
	put_escaped(&url, path, true);
	rt_buf_puts(&url, "?ref=");
	put_escaped(&url, ref, false);
	error = rt_github_call(gh, &answer, NULL, "GET", rt_buf_cstr(&url), NULL, "contents: read");
	if (error < 0)
		goto cleanup;
	content = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(answer, "content"));
	encoding = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(answer, "encoding"));
	if (!content || !encoding || strcmp(encoding, "base64") != 0 ||
	    base64_decode(out, content) < 0)
		error = rt_error_set(RT_ERR_FAILED,
				     "GitHub's answer for %s at %s is not a base64-encoded file", path, ref);

cleanup:
	cJSON_Delete(answer);
	rt_buf_free(&url);
	return error;
}

void rt_github_commit_list_free(rt_github_commit_list *list)
{
	if (!list)
		return;
	for (size_t i = 0; i < list->count; i++) {
		free(list->items[i].sha);
		free(list->items[i].message);
	}
	free(list->items);
	list->items = NULL;
	list->count = 0;
}

/* --- workflows ----------------------------------------------------------- */

int rt_github_workflow_dispatch(rt_github *gh, const char *workflow, const char *ref)
{
	const char *slash = strrchr(workflow, '/');
	const char *file = slash ? slash + 1 : workflow; /* ".github/workflows/x.yml" too */
	cJSON *body = cJSON_CreateObject();
	char *path = repo_url_path(gh, "/actions/workflows/", file, false);
	char *full = rt_xsprintf("%s/dispatches", path);
	int error;

	cJSON_AddStringToObject(body, "ref", ref);
	error = rt_github_call(gh, NULL, NULL, "POST", full, body, "actions: write");
	cJSON_Delete(body);
	free(full);
	free(path);
	return error;
}

/* --- releases and assets (release) --- */

int rt_github_release_by_tag(rt_github *gh, cJSON **out, const char *tag)
{
	char *path = repo_url_path(gh, "/releases/tags/", tag, false);
	int error = rt_github_call(gh, out, NULL, "GET", path, NULL, "contents: read");

	free(path);
	return error;
}

int rt_github_releases_list(rt_github *gh, cJSON **out_array)
{
	char *path = rt_xsprintf("%s/releases", gh->repo_path);
	int error = rt_github_get_all(gh, out_array, path, NULL, "contents: read");

	free(path);
	return error;
}

int rt_github_release_create(rt_github *gh, cJSON **out, const cJSON *body)
{
	char *path = rt_xsprintf("%s/releases", gh->repo_path);
	int error = rt_github_call(gh, out, NULL, "POST", path, body, "contents: write");

	free(path);
	return error;
}

/* One write to a release or an asset by id: "releases" or "releases/assets". */
static int call_by_id(rt_github *gh, cJSON **out, const char *method, const char *collection, long long id,
		      const cJSON *body)
{
	char *path = rt_xsprintf("%s/%s/%lld", gh->repo_path, collection, id);
	int error = rt_github_call(gh, out, NULL, method, path, body, "contents: write");

	free(path);
	return error;
}

int rt_github_release_update(rt_github *gh, cJSON **out, long long id, const cJSON *body)
{
	return call_by_id(gh, out, "PATCH", "releases", id, body);
}

int rt_github_release_delete(rt_github *gh, long long id)
{
	return call_by_id(gh, NULL, "DELETE", "releases", id, NULL);
}

int rt_github_assets_list(rt_github *gh, cJSON **out_array, long long release_id)
{
	char *path = rt_xsprintf("%s/releases/%lld/assets", gh->repo_path, release_id);
	int error = rt_github_get_all(gh, out_array, path, NULL, "contents: read");

	free(path);
	return error;
}

int rt_github_asset_rename(rt_github *gh, cJSON **out, long long asset_id, const char *name)
{
	cJSON *body = cJSON_CreateObject();
	int error;

	cJSON_AddStringToObject(body, "name", name);
	error = call_by_id(gh, out, "PATCH", "releases/assets", asset_id, body);
	cJSON_Delete(body);
	return error;
}

int rt_github_asset_delete(rt_github *gh, long long asset_id)
{
	return call_by_id(gh, NULL, "DELETE", "releases/assets", asset_id, NULL);
}

const char *rt_github_token(const rt_github *gh)
{
	return gh->token;
}

/* --- pull requests, search, git data (bump) ------------------------------ */

static int read_pull(rt_github_pull *out, const cJSON *pr)
{
	const cJSON *number = cJSON_GetObjectItemCaseSensitive(pr, "number");
	const cJSON *base = cJSON_GetObjectItemCaseSensitive(pr, "base");
	const cJSON *head = cJSON_GetObjectItemCaseSensitive(pr, "head");

	memset(out, 0, sizeof(*out));
	if (!cJSON_IsNumber(number))
		return rt_error_set(RT_ERR_FAILED, "GitHub's pull request answer has no number");
	out->number = (long)number->valuedouble;
	out->html_url = json_string(pr, "html_url");
	out->title = json_string(pr, "title");
	out->body = json_string(pr, "body");
	if (!out->body)
		out->body = rt_xstrdup("");
	out->base = json_string(base, "ref");
	out->head_sha = json_string(head, "sha");
	return 0;
}

void rt_github_pull_free(rt_github_pull *pr)
{
	if (!pr)
		return;
	free(pr->html_url);
	free(pr->title);
	free(pr->body);
	free(pr->base);
	free(pr->head_sha);
	memset(pr, 0, sizeof(*pr));
}

static char *repo_owner(const rt_github *gh)
{
	const char *p = gh->repo_path + strlen("/repos/");
	return rt_xstrndup(p, strcspn(p, "/"));
}

int rt_github_pull_find(rt_github *gh, rt_github_pull *out, const char *branch)
{
	char *owner = repo_owner(gh), *head = rt_xsprintf("%s:%s", owner, branch);
	char *escaped = rt_github_escape(head, false);
	char *path = rt_xsprintf("%s/pulls?head=%s&state=open&per_page=10", gh->repo_path, escaped);
	cJSON *list = NULL;
	int error;

	memset(out, 0, sizeof(*out));
	error = rt_github_call(gh, &list, NULL, "GET", path, NULL, RT_GITHUB_PR_PERMISSION);
	if (error == 0 && cJSON_GetArraySize(list) > 0)
		error = read_pull(out, cJSON_GetArrayItem(list, 0));
	else if (error == 0)
		error = RT_ENOTFOUND;
	cJSON_Delete(list);
	free(path);
	free(escaped);
	free(head);
	free(owner);
	return error;
}

int rt_github_pull_create(rt_github *gh, rt_github_pull *out, const char *title, const char *branch,
			  const char *base, const char *body)
{
	cJSON *req = cJSON_CreateObject(), *answer = NULL;
	char *path = rt_xsprintf("%s/pulls", gh->repo_path);
	int error;

	memset(out, 0, sizeof(*out));
	cJSON_AddStringToObject(req, "title", title);
	cJSON_AddStringToObject(req, "head", branch);
	cJSON_AddStringToObject(req, "base", base);
	cJSON_AddStringToObject(req, "body", body);
	cJSON_AddBoolToObject(req, "maintainer_can_modify", true);
	error = rt_github_call(gh, &answer, NULL, "POST", path, req, RT_GITHUB_PR_PERMISSION);
	if (error == 0)
		error = read_pull(out, answer);
	cJSON_Delete(answer);
	cJSON_Delete(req);
	free(path);
	return error;
}

int rt_github_pull_update(rt_github *gh, rt_github_pull *out, long number, const char *title,
			  const char *body, const char *base)
{
	cJSON *req = cJSON_CreateObject(), *answer = NULL;
	char *path = rt_xsprintf("%s/pulls/%ld", gh->repo_path, number);
	int error;

	memset(out, 0, sizeof(*out));
	cJSON_AddStringToObject(req, "title", title);
	cJSON_AddStringToObject(req, "body", body);
	if (base)
		cJSON_AddStringToObject(req, "base", base);
	error = rt_github_call(gh, &answer, NULL, "PATCH", path, req, RT_GITHUB_PR_PERMISSION);
	if (error == 0)
		error = read_pull(out, answer);
	cJSON_Delete(answer);
	cJSON_Delete(req);
	free(path);
	return error;
}

int rt_github_search_issues(rt_github *gh, cJSON **items, long *total, const char *query, int max)
{
	/* only open issues count, and only this repository's unless the query says otherwise */
	char *full = rt_xsprintf("%s%s%s%s", query, strstr(query, "is:open") || strstr(query, "state:") ? "" : " is:open",
				 strstr(query, "repo:") ? "" : " repo:", strstr(query, "repo:") ? "" : gh->repo_path + 7);
	char *escaped = rt_github_escape(full, false);
	char *path = rt_xsprintf("/search/issues?q=%s&per_page=%d", escaped, max);
	cJSON *answer = NULL, *list;
	const cJSON *count;
	int error;

	*items = NULL;
	*total = 0;
	error = rt_github_call(gh, &answer, NULL, "GET", path, NULL, "issues: read");
	if (error == 0) {
		list = cJSON_DetachItemFromObjectCaseSensitive(answer, "items");
		count = cJSON_GetObjectItemCaseSensitive(answer, "total_count");
		if (!cJSON_IsArray(list)) {
			cJSON_Delete(list);
			error = rt_error_set(RT_ERR_FAILED, "GitHub's search answer has no items array");
		} else {
			*items = list;
			*total = cJSON_IsNumber(count) ? (long)count->valuedouble : cJSON_GetArraySize(list);
		}
	}
	cJSON_Delete(answer);
	free(path);
	free(escaped);
	free(full);
	return error;
}

static char *base64_encode(const char *data, size_t len)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = rt_xmalloc((len + 2) / 3 * 4 + 1), *p = out;
	const unsigned char *in = (const unsigned char *)data;
	size_t i;

	for (i = 0; i + 2 < len; i += 3) {
		*p++ = alphabet[in[i] >> 2];
		*p++ = alphabet[((in[i] & 3) << 4) | (in[i + 1] >> 4)];
		*p++ = alphabet[((in[i + 1] & 15) << 2) | (in[i + 2] >> 6)];
		*p++ = alphabet[in[i + 2] & 63];
	}
	if (i < len) {
		*p++ = alphabet[in[i] >> 2];
		if (i + 1 < len) {
			*p++ = alphabet[((in[i] & 3) << 4) | (in[i + 1] >> 4)];
			*p++ = alphabet[(in[i + 1] & 15) << 2];
		} else {
			*p++ = alphabet[(in[i] & 3) << 4];
			*p++ = '=';
		}
		*p++ = '=';
	}
	*p = '\0';
	return out;
}

/* POST path with body; *sha from the answer's "sha". */
static int create_object(rt_github *gh, char **sha, const char *what, cJSON *body)
{
	char *path = rt_xsprintf("%s/git/%s", gh->repo_path, what);
	cJSON *answer = NULL;
	int error;

	*sha = NULL;
	error = rt_github_call(gh, &answer, NULL, "POST", path, body, "contents: write");
	if (error == 0) {
		*sha = json_string(answer, "sha");
		if (!*sha)
			error = rt_error_set(RT_ERR_FAILED, "GitHub's answer to POST %s has no sha", path);
	}
	cJSON_Delete(answer);
	cJSON_Delete(body);
	free(path);
	return error;
}

int rt_github_blob_create(rt_github *gh, char **sha, const char *data, size_t len)
{
	cJSON *body = cJSON_CreateObject();
	char *content = base64_encode(data, len);

	cJSON_AddStringToObject(body, "content", content);
	cJSON_AddStringToObject(body, "encoding", "base64");
	free(content);
	return create_object(gh, sha, "blobs", body);
}

int rt_github_tree_create(rt_github *gh, char **sha, const char *base_tree,
			  const rt_github_tree_entry *entries, size_t count)
{
	cJSON *body = cJSON_CreateObject(), *tree;
	size_t i;

	cJSON_AddStringToObject(body, "base_tree", base_tree);
	tree = cJSON_AddArrayToObject(body, "tree");
	for (i = 0; i < count; i++) {
		cJSON *e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "path", entries[i].path);
		cJSON_AddStringToObject(e, "mode", entries[i].mode);
		cJSON_AddStringToObject(e, "type", "blob");
		cJSON_AddStringToObject(e, "sha", entries[i].sha);
		cJSON_AddItemToArray(tree, e);
	}
	return create_object(gh, sha, "trees", body);
}

int rt_github_commit_create(rt_github *gh, char **sha, const char *message, const char *tree,
			    const char *parent)
{
	cJSON *body = cJSON_CreateObject(), *parents;

	/* no author, no committer: only then does GitHub sign the commit */
	cJSON_AddStringToObject(body, "message", message);
	cJSON_AddStringToObject(body, "tree", tree);
	parents = cJSON_AddArrayToObject(body, "parents");
	cJSON_AddItemToArray(parents, cJSON_CreateString(parent));
	return create_object(gh, sha, "commits", body);
}

int rt_github_commit_get(rt_github *gh, char **message, char **tree, const char *sha)
{
	char *path = repo_url_path(gh, "/git/commits/", sha, false);
	cJSON *answer = NULL;
	int error;

	*message = *tree = NULL;
	error = rt_github_call(gh, &answer, NULL, "GET", path, NULL, "contents: read");
	if (error == 0) {
		*message = json_string(answer, "message");
		*tree = json_string(cJSON_GetObjectItemCaseSensitive(answer, "tree"), "sha");
		if (!*message || !*tree) {
			free(*message);
			free(*tree);
			*message = *tree = NULL;
			error = rt_error_set(RT_ERR_FAILED, "GitHub's answer for commit %s has no message or tree", sha);
		}
	}
	cJSON_Delete(answer);
	free(path);
	return error;
}
