/*
 * github: calls against a scripted local server (tests/unit/servers/
 * scripted.py): the requests each function sends (method, escaped path,
 * JSON body), how answers are read (peeling tags, pages, compare), and the
 * one error message per failure: GitHub's words, the permission to grant,
 * RT_ENOTFOUND / RT_EEXISTS, retries counted, the token never shown.
 */
#include <criterion/criterion.h>
#include <stdarg.h>

#include "github.h"
#include "helpers.h"
#include "runner.h"
#include "servers/server.h"

#define TOKEN "ghs_SECRETtoken0123456789"
#define SHA1 "1111111111111111111111111111111111111111"
#define SHA2 "2222222222222222222222222222222222222222"
#define SHA3 "3333333333333333333333333333333333333333"

static test_server srv;
static rt_github *gh;

static void setup(void)
{
	test_http_env("5");
	gh = NULL;
}

static void teardown(void)
{
	rt_github_free(gh);
	test_server_stop(&srv);
	rt_runner_shutdown();
	rt_error_clear();
}

TestSuite(github, .init = setup, .fini = teardown, .timeout = 60);

/* Start the server with a single-quoted script and a client for o/r on it. */
static void serve(int retries, const char *fmt, ...) RT_PRINTF(2, 3);
static void serve(int retries, const char *fmt, ...)
{
	rt_buf b = RT_BUF_INIT;
	va_list ap;
	rt_github_options o = {.repository = "o/r", .token = TOKEN, .max_retries = retries};

	va_start(ap, fmt);
	rt_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	for (size_t i = 0; i < b.len; i++)
		if (b.ptr[i] == '\'')
			b.ptr[i] = '"';
	cr_assert_eq(test_server_start(&srv, rt_buf_cstr(&b)), 0, "the scripted server did not start");
	rt_buf_free(&b);
	o.api_url = srv.base;
	cr_assert_eq(rt_github_new(&gh, &o), 0);
}

static const char *last_message(void)
{
	const rt_error *e = rt_error_last();
	return e && e->message ? e->message : "";
}

#define expect_in(msg, needle) \
	cr_expect(strstr((msg), (needle)) != NULL, "\"%s\" is not in: %s", (needle), (msg))

/* --- set-up and paths ---------------------------------------------------- */

Test(github, rejects_a_repository_that_is_not_owner_slash_name)
{
	const char *bad[] = {NULL, "", "owner", "/r", "o/", "o/r/x"};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rt_github_options o = {.repository = bad[i]};
		rt_github *g = NULL;
		rt_error_clear();
		cr_expect_lt(rt_github_new(&g, &o), 0, "accepted %s", bad[i] ? bad[i] : "NULL");
		cr_expect_null(g);
		cr_expect_eq(rt_error_last()->kind, RT_ERR_INPUT);
		expect_in(last_message(), "owner/name");
	}
}

Test(github, rejects_an_api_url_without_scheme)
{
	rt_github_options o = {.repository = "o/r", .api_url = "api.github.com"};
	rt_github *g = NULL;

	cr_expect_lt(rt_github_new(&g, &o), 0);
	expect_in(last_message(), "GITHUB_API_URL");
}

Test(github, repo_path_and_escape)
{
	rt_github_options o = {.repository = "my-org/my.repo_1"};
	char *e;

	cr_assert_eq(rt_github_new(&gh, &o), 0);
	cr_expect_str_eq(rt_github_repo_path(gh), "/repos/my-org/my.repo_1");
	e = rt_github_escape("tags/v1.0.0+build.1", true);
	cr_expect_str_eq(e, "tags/v1.0.0%2Bbuild.1");
	free(e);
	e = rt_github_escape("a b/c?d#e%f~", false);
	cr_expect_str_eq(e, "a%20b%2Fc%3Fd%23e%25f~");
	free(e);
	e = rt_github_escape("é", false);
	cr_expect_str_eq(e, "%C3%A9");
	free(e);
}

Test(github, enterprise_api_prefix_and_trailing_slash)
{
	rt_github_options o = {.repository = "o/r", .token = TOKEN};
	char *api;
	cJSON *out = NULL, *log;

	cr_assert_eq(test_server_start(&srv, "[{\"json\": {\"id\": 7}}, {\"status\": 404, \"json\": "
					     "{\"message\": \"Not Found\"}}]"),
		     0);
	api = rt_xsprintf("%s/api/v3/", srv.base);
	o.api_url = api;
	cr_assert_eq(rt_github_new(&gh, &o), 0);
	cr_assert_eq(rt_github_call(gh, &out, NULL, "GET", "/repos/o/r", NULL, NULL), 0);
	cr_expect_eq(cJSON_GetObjectItem(out, "id")->valueint, 7);
	cJSON_Delete(out);
	cr_expect_eq(rt_github_call(gh, NULL, NULL, "GET", "repos/o/r/x", NULL, "contents: read"),
		     RT_ENOTFOUND);
	/* Messages show the path under the API URL. */
	expect_in(last_message(), "to GET /repos/o/r/x:");
	log = test_server_log(&srv);
	cr_expect_str_eq(test_log_field(log, 0, "path", NULL), "/api/v3/repos/o/r");
	cr_expect_str_eq(test_log_field(log, 1, "path", NULL), "/api/v3/repos/o/r/x");
	cJSON_Delete(log);
	free(api);
}

/* --- rt_github_call ------------------------------------------------------ */

Test(github, call_parses_json_and_sends_the_body)
{
	cJSON *out = NULL, *body = cJSON_CreateObject(), *log;
	long status = 0;

	serve(0, "[{'status': 201, 'json': {'id': 42, 'name': 'x'}}]");
	cJSON_AddStringToObject(body, "name", "v1.0.0");
	cr_assert_eq(rt_github_call(gh, &out, &status, "POST", "/repos/o/r/releases", body,
				    "contents: write"),
		     0, "%s", last_message());
	cr_expect_eq(status, 201);
	cr_expect_eq(cJSON_GetObjectItem(out, "id")->valueint, 42);
	log = test_server_log(&srv);
	cr_expect_str_eq(test_log_field(log, 0, "method", NULL), "POST");
	cr_expect_str_eq(test_log_field(log, 0, "path", NULL), "/repos/o/r/releases");
	cr_expect_str_eq(test_log_field(log, 0, "body", NULL), "{\"name\":\"v1.0.0\"}");
	cr_expect_str_eq(test_log_field(log, 0, "headers", "content-type"), "application/json");
	cr_expect_str_eq(test_log_field(log, 0, "headers", "authorization"), "Bearer " TOKEN);
	cJSON_Delete(log);
	cJSON_Delete(out);
	cJSON_Delete(body);
}

Test(github, call_with_an_absolute_url)
{
	cJSON *log;
	char *u;

	serve(0, "[{'status': 204}]");
	u = rt_xsprintf("%s/uploads/thing?name=a.txt", srv.base);
	cr_assert_eq(rt_github_call(gh, NULL, NULL, "DELETE", u, NULL, NULL), 0);
	log = test_server_log(&srv);
	cr_expect_str_eq(test_log_field(log, 0, "method", NULL), "DELETE");
	cr_expect_str_eq(test_log_field(log, 0, "path", NULL), "/uploads/thing?name=a.txt");
	cJSON_Delete(log);
	free(u);
}

Test(github, empty_answer_gives_null)
{
	cJSON *out = (cJSON *)1;
	long status = 0;

	serve(0, "[{'status': 204}]");
	cr_assert_eq(rt_github_call(gh, &out, &status, "DELETE", "/repos/o/r/git/refs/tags/v1", NULL,
				    "contents: write"),
		     0);
	cr_expect_null(out);
	cr_expect_eq(status, 204);
}

Test(github, answer_that_is_not_json_is_an_error)
{
	cJSON *out = NULL;

	serve(0, "[{'body': '<html>proxy login</html>', 'headers': {'Content-Type': 'text/html'}}]");
	cr_expect_lt(rt_github_call(gh, &out, NULL, "GET", "/repos/o/r", NULL, NULL), 0);
	cr_expect_null(out);
	expect_in(last_message(), "not JSON");
}

Test(github, unauthorized_says_the_token_was_rejected)
{
	long status = 0;
	const char *msg;

	serve(0, "[{'status': 401, 'json': {'message': 'Bad credentials', 'documentation_url': "
		 "'https://docs.github.com/rest'}}]");
	cr_expect_eq(rt_github_call(gh, NULL, &status, "GET", "/repos/o/r", NULL, "contents: read"), -1);
	cr_expect_eq(status, 401);
	msg = last_message();
	expect_in(msg, "GitHub answered 401 Unauthorized to GET /repos/o/r: Bad credentials.");
	expect_in(msg, "token was rejected");
	expect_in(msg, "`token` input");
	cr_expect_eq(rt_error_last()->kind, RT_ERR_FAILED);
}

Test(github, forbidden_names_the_permission_and_quotes_github)
{
	const char *msg;

	serve(0, "[{'status': 403, 'json': {'message': 'Resource not accessible by integration', "
		 "'documentation_url': 'https://docs.github.com/rest/git/refs#create-a-reference'}}]");
	cr_expect_eq(rt_github_ref_create(gh, "refs/tags/v1.0.0", SHA1), -1);
	msg = last_message();
	expect_in(msg, "GitHub answered 403 Forbidden to POST /repos/o/r/git/refs: Resource not "
		       "accessible by integration. The token needs the `contents: write` permission "
		       "(workflow `permissions:` block).");
	cr_expect_eq(test_server_count(&srv), 1);
}

Test(github, forbidden_pull_request_names_the_setting)
{
	cJSON *body = cJSON_CreateObject();
	const char *msg;

	serve(0, "[{'status': 403, 'json': {'message': 'GitHub Actions is not permitted to create or "
		 "approve pull requests.'}}]");
	cr_expect_eq(rt_github_call(gh, NULL, NULL, "POST", "/repos/o/r/pulls", body,
				    "pull-requests: write; the \"Allow GitHub Actions to create and "
				    "approve pull requests\" setting (Settings > Actions > General)"),
		     -1);
	msg = last_message();
	expect_in(msg, "GitHub Actions is not permitted to create or approve pull requests.");
	expect_in(msg, "The token needs the `pull-requests: write` permission (workflow "
		       "`permissions:` block) and the \"Allow GitHub Actions to create and approve "
		       "pull requests\" setting (Settings > Actions > General).");
	cJSON_Delete(body);
}

Test(github, forbidden_without_permission_text)
{
	serve(0, "[{'status': 403, 'body': ''}]");
	cr_expect_eq(rt_github_call(gh, NULL, NULL, "GET", "/repos/o/r", NULL, NULL), -1);
	expect_in(last_message(), "403 Forbidden to GET /repos/o/r: (no message). Check the token's "
				  "permissions");
}

Test(github, not_found_returns_enotfound_and_names_the_permission)
{
	const char *msg;

	serve(0, "[{'status': 404, 'json': {'message': 'Not Found'}}]");
	cr_expect_eq(rt_github_call(gh, NULL, NULL, "GET", "/repos/o/r/releases/tags/v1", NULL,
				    "contents: read"),
		     RT_ENOTFOUND);
	msg = last_message();
	expect_in(msg, "GitHub answered 404 Not Found to GET /repos/o/r/releases/tags/v1: Not Found.");
	expect_in(msg, "does not exist, or the token cannot see it");
	expect_in(msg, "`contents: read` permission");
}

Test(github, existing_reference_returns_eexists)
{
	cJSON *log;

	serve(3, "[{'status': 422, 'json': {'message': 'Reference already exists', "
		 "'documentation_url': 'https://docs.github.com/rest/git/refs#create-a-reference'}}]");
	cr_expect_eq(rt_github_ref_create(gh, "tags/v1.0.0", SHA1), RT_EEXISTS);
	expect_in(last_message(), "422 Unprocessable Entity to POST /repos/o/r/git/refs: Reference "
				  "already exists.");
	log = test_server_log(&srv);
	cr_assert_eq(cJSON_GetArraySize(log), 1, "a 422 was retried");
	cr_expect_str_eq(test_log_field(log, 0, "body", NULL),
			 "{\"ref\":\"refs/tags/v1.0.0\",\"sha\":\"" SHA1 "\"}");
	cJSON_Delete(log);
}

Test(github, existing_asset_code_returns_eexists)
{
	long status = 0;

	serve(0, "[{'status': 422, 'json': {'message': 'Validation Failed', 'errors': [{'resource': "
		 "'ReleaseAsset', 'code': 'already_exists', 'field': 'name'}]}}]");
	cr_expect_eq(rt_github_call(gh, NULL, &status, "POST", "/upload?name=a.txt", NULL,
				    "contents: write"),
		     RT_EEXISTS);
	cr_expect_eq(status, 422);
	expect_in(last_message(), "Validation Failed (ReleaseAsset.name already_exists).");
}

Test(github, existing_pull_request_returns_eexists)
{
	cJSON *body = cJSON_CreateObject();

	serve(0, "[{'status': 422, 'json': {'message': 'Validation Failed', 'errors': [{'resource': "
		 "'PullRequest', 'code': 'custom', 'message': 'A pull request already exists for "
		 "o:ci/bump-to-2.0.0.'}]}}]");
	cr_expect_eq(rt_github_call(gh, NULL, NULL, "POST", "/repos/o/r/pulls", body,
				    "pull-requests: write"),
		     RT_EEXISTS);
	expect_in(last_message(), "Validation Failed (A pull request already exists for "
				  "o:ci/bump-to-2.0.0.)");
	cJSON_Delete(body);
}

Test(github, other_422_is_a_plain_failure_with_details)
{
	serve(0, "[{'status': 422, 'json': {'message': 'Validation Failed', 'errors': [{'resource': "
		 "'Release', 'code': 'invalid', 'field': 'target_commitish'}, 'tag_name is not a "
		 "valid tag']}}]");
	cr_expect_eq(rt_github_call(gh, NULL, NULL, "POST", "/repos/o/r/releases", NULL,
				    "contents: write"),
		     -1);
	expect_in(last_message(), "Validation Failed (Release.target_commitish invalid; tag_name is "
				  "not a valid tag).");
}

Test(github, server_errors_say_how_often_they_were_retried)
{
	long status = 0;
	const char *msg;

	serve(2, "[{'status': 502, 'json': {'message': 'Server Error'}, 'repeat': 5}]");
	cr_expect_eq(rt_github_call(gh, NULL, &status, "GET", "/repos/o/r", NULL, NULL), -1);
	cr_expect_eq(status, 502);
	msg = last_message();
	expect_in(msg, "GitHub answered 502 Bad Gateway to GET /repos/o/r: Server Error.");
	expect_in(msg, "retried 2 times");
	expect_in(msg, "githubstatus.com");
	cr_expect_eq(test_server_count(&srv), 3);
}

Test(github, rate_limit_after_retries_says_so)
{
	const char *msg;

	serve(1, "[{'status': 403, 'headers': {'Retry-After': '0'}, 'json': {'message': 'You have "
		 "exceeded a secondary rate limit.'}, 'repeat': 3}]");
	cr_expect_eq(rt_github_call(gh, NULL, NULL, "POST", "/repos/o/r/git/refs", NULL,
				    "contents: write"),
		     -1);
	msg = last_message();
	expect_in(msg, "secondary rate limit");
	expect_in(msg, "rate limit stopped the request after 1 retry");
	cr_expect_null(strstr(msg, "permission"), "a rate limit is not a permission problem: %s", msg);
}

Test(github, html_error_page_is_quoted_on_one_line)
{
	serve(0, "[{'status': 400, 'body': '<html>\\n<b>bad</b>\\r\\n</html>', 'headers': "
		 "{'Content-Type': 'text/html'}}]");
	cr_expect_eq(rt_github_call(gh, NULL, NULL, "GET", "/x", NULL, NULL), -1);
	expect_in(last_message(), "400 Bad Request to GET /x: <html> <b>bad</b>  </html>.");
	cr_expect_null(strchr(last_message(), '\n'));
}

Test(github, token_never_appears_in_error_messages)
{
	serve(0, "[{'status': 401, 'action': 'echo_auth'}, {'status': 403, 'action': 'echo_auth'}, "
		 "{'status': 500, 'body': 'upstream said Bearer " TOKEN "'}]");
	cr_expect_eq(rt_github_call(gh, NULL, NULL, "GET", "/a", NULL, NULL), -1);
	expect_in(last_message(), "you sent Bearer ***");
	cr_expect_null(strstr(last_message(), TOKEN));
	cr_expect_eq(rt_github_call(gh, NULL, NULL, "GET", "/b", NULL, "contents: read"), -1);
	cr_expect_null(strstr(last_message(), TOKEN));
	cr_expect_eq(rt_github_call(gh, NULL, NULL, "GET", "/c", NULL, NULL), -1);
	expect_in(last_message(), "upstream said Bearer ***");
	cr_expect_null(strstr(last_message(), TOKEN));
}

/* --- refs and tags ------------------------------------------------------- */

Test(github, ref_get_lightweight_tag)
{
	rt_github_ref ref;
	cJSON *log;

	serve(0, "[{'json': {'ref': 'refs/tags/v1.0.0', 'object': {'sha': '" SHA1 "', 'type': "
		 "'commit', 'url': 'x'}}}]");
	cr_assert_eq(rt_github_ref_get(gh, &ref, "tags/v1.0.0"), 0, "%s", last_message());
	cr_expect_str_eq(ref.sha, SHA1);
	cr_expect_str_eq(ref.type, "commit");
	cr_expect_str_eq(ref.commit_sha, SHA1);
	rt_github_ref_free(&ref);
	log = test_server_log(&srv);
	cr_expect_str_eq(test_log_field(log, 0, "path", NULL), "/repos/o/r/git/ref/tags/v1.0.0");
	cJSON_Delete(log);
}

Test(github, ref_get_peels_annotated_tags)
{
	rt_github_ref ref;
	cJSON *log;

	serve(0, "[{'json': {'ref': 'refs/tags/v2', 'object': {'sha': '" SHA1 "', 'type': 'tag'}}}, "
		 "{'json': {'sha': '" SHA1 "', 'tag': 'v2', 'object': {'sha': '" SHA2 "', 'type': "
		 "'tag'}}}, "
		 "{'json': {'sha': '" SHA2 "', 'tag': 'v2-inner', 'object': {'sha': '" SHA3 "', "
		 "'type': 'commit'}}}]");
	cr_assert_eq(rt_github_ref_get(gh, &ref, "refs/tags/v2"), 0, "%s", last_message());
	cr_expect_str_eq(ref.sha, SHA1);
	cr_expect_str_eq(ref.type, "tag");
	cr_expect_str_eq(ref.commit_sha, SHA3);
	rt_github_ref_free(&ref);
	log = test_server_log(&srv);
	cr_assert_eq(cJSON_GetArraySize(log), 3);
	cr_expect_str_eq(test_log_field(log, 0, "path", NULL), "/repos/o/r/git/ref/tags/v2");
	cr_expect_str_eq(test_log_field(log, 1, "path", NULL), "/repos/o/r/git/tags/" SHA1);
	cr_expect_str_eq(test_log_field(log, 2, "path", NULL), "/repos/o/r/git/tags/" SHA2);
	cJSON_Delete(log);
}

Test(github, ref_get_missing_is_enotfound)
{
	rt_github_ref ref;

	serve(0, "[{'status': 404, 'json': {'message': 'Not Found'}}]");
	cr_expect_eq(rt_github_ref_get(gh, &ref, "tags/v9"), RT_ENOTFOUND);
	cr_expect_null(ref.sha);
	cr_expect_null(ref.type);
	cr_expect_null(ref.commit_sha);
	rt_github_ref_free(&ref);
}

Test(github, ref_get_escapes_but_keeps_slashes)
{
	rt_github_ref ref;
	cJSON *log;

	serve(0, "[{'status': 404, 'json': {'message': 'Not Found'}}]");
	cr_expect_eq(rt_github_ref_get(gh, &ref, "tags/release/v1.0.0+build.1"), RT_ENOTFOUND);
	log = test_server_log(&srv);
	cr_expect_str_eq(test_log_field(log, 0, "path", NULL),
			 "/repos/o/r/git/ref/tags/release/v1.0.0%2Bbuild.1");
	cJSON_Delete(log);
}

Test(github, ref_get_answer_without_object_is_an_error)
{
	rt_github_ref ref;

	serve(0, "[{'json': {'ref': 'refs/tags/v1'}}]");
	cr_expect_eq(rt_github_ref_get(gh, &ref, "tags/v1"), -1);
	cr_expect_null(ref.sha);
	expect_in(last_message(), "no object sha");
}

Test(github, ref_update_patches_with_force)
{
	cJSON *log;

	serve(0, "[{'json': {'ref': 'refs/heads/ci/bump-to-2.0.0', 'object': {'sha': '" SHA2
		 "', 'type': 'commit'}}}]");
	cr_assert_eq(rt_github_ref_update(gh, "heads/ci/bump-to-2.0.0", SHA2, true), 0);
	log = test_server_log(&srv);
	cr_expect_str_eq(test_log_field(log, 0, "method", NULL), "PATCH");
	cr_expect_str_eq(test_log_field(log, 0, "path", NULL),
			 "/repos/o/r/git/refs/heads/ci/bump-to-2.0.0");
	cr_expect_str_eq(test_log_field(log, 0, "body", NULL),
			 "{\"sha\":\"" SHA2 "\",\"force\":true}");
	cJSON_Delete(log);
}

Test(github, ref_update_not_fast_forward)
{
	serve(0, "[{'status': 422, 'json': {'message': 'Update is not a fast forward'}}]");
	cr_expect_eq(rt_github_ref_update(gh, "refs/heads/main", SHA2, false), -1);
	expect_in(last_message(), "PATCH /repos/o/r/git/refs/heads/main: Update is not a fast forward.");
}

Test(github, tag_object_create)
{
	char *sha = NULL;
	cJSON *log, *body;

	serve(0, "[{'status': 201, 'json': {'sha': '" SHA3 "', 'tag': 'v1.0.0'}}]");
	cr_assert_eq(rt_github_tag_object_create(gh, &sha, "v1.0.0", "Release x 1.0.0", SHA1,
						 "github-actions[bot]",
						 "41898282+github-actions[bot]@users.noreply.github.com"),
		     0, "%s", last_message());
	cr_expect_str_eq(sha, SHA3);
	free(sha);
	log = test_server_log(&srv);
	cr_expect_str_eq(test_log_field(log, 0, "path", NULL), "/repos/o/r/git/tags");
	body = cJSON_Parse(test_log_field(log, 0, "body", NULL));
	cr_assert_not_null(body);
	cr_expect_str_eq(cJSON_GetObjectItem(body, "tag")->valuestring, "v1.0.0");
	cr_expect_str_eq(cJSON_GetObjectItem(body, "message")->valuestring, "Release x 1.0.0");
	cr_expect_str_eq(cJSON_GetObjectItem(body, "object")->valuestring, SHA1);
	cr_expect_str_eq(cJSON_GetObjectItem(body, "type")->valuestring, "commit");
	cr_expect_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(body, "tagger"), "name")->valuestring,
			 "github-actions[bot]");
	cJSON_Delete(body);
	cJSON_Delete(log);
}

/* --- pages --------------------------------------------------------------- */

Test(github, get_all_follows_links_and_concatenates)
{
	cJSON *all = NULL, *log;

	serve(0, "[{'json': [{'n': 1}, {'n': 2}], 'headers': {'Link': '<{base}/repositories/9/"
		 "releases?per_page=100&page=2>; rel=\\'next\\', <{base}/repositories/9/releases?"
		 "per_page=100&page=3>; rel=\\'last\\''}}, "
		 "{'json': [{'n': 3}], 'headers': {'Link': '<{base}/repositories/9/releases?per_page="
		 "100&page=3>; rel=\\'next\\''}}, "
		 "{'json': [{'n': 4}]}]");
	cr_assert_eq(rt_github_get_all(gh, &all, "/repos/o/r/releases", NULL, "contents: read"), 0,
		     "%s", last_message());
	cr_assert_eq(cJSON_GetArraySize(all), 4);
	for (int i = 0; i < 4; i++)
		cr_expect_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(all, i), "n")->valueint, i + 1);
	log = test_server_log(&srv);
	cr_assert_eq(cJSON_GetArraySize(log), 3);
	cr_expect_str_eq(test_log_field(log, 0, "path", NULL), "/repos/o/r/releases?per_page=100");
	cr_expect_str_eq(test_log_field(log, 1, "path", NULL),
			 "/repositories/9/releases?per_page=100&page=2");
	cr_expect_str_eq(test_log_field(log, 2, "path", NULL),
			 "/repositories/9/releases?per_page=100&page=3");
	cJSON_Delete(log);
	cJSON_Delete(all);
}

Test(github, get_all_items_key_and_existing_query)
{
	cJSON *all = NULL, *log;

	serve(0, "[{'json': {'total_count': 3, 'items': [{'number': 5}, {'number': 6}]}, 'headers': "
		 "{'Link': '<{base}/search/issues?q=x&per_page=2&page=2>; rel=\\'next\\''}}, "
		 "{'json': {'total_count': 3, 'items': [{'number': 7}]}}]");
	cr_assert_eq(rt_github_get_all(gh, &all, "/search/issues?q=x&per_page=2", "items", NULL), 0,
		     "%s", last_message());
	cr_expect_eq(cJSON_GetArraySize(all), 3);
	log = test_server_log(&srv);
	cr_expect_str_eq(test_log_field(log, 0, "path", NULL), "/search/issues?q=x&per_page=2");
	cJSON_Delete(log);
	cJSON_Delete(all);
}

Test(github, get_all_empty_list)
{
	cJSON *all = NULL;

	serve(0, "[{'json': []}]");
	cr_assert_eq(rt_github_get_all(gh, &all, "/repos/o/r/releases?direction=asc", NULL, NULL), 0);
	cr_expect(cJSON_IsArray(all));
	cr_expect_eq(cJSON_GetArraySize(all), 0);
	cJSON_Delete(all);
}

Test(github, get_all_refuses_a_next_link_to_another_server)
{
	cJSON *all = NULL;

	serve(0, "[{'json': [1], 'headers': {'Link': '<http://127.0.0.2:9/steal?page=2>; "
		 "rel=\\'next\\''}}]");
	cr_expect_lt(rt_github_get_all(gh, &all, "/repos/o/r/tags", NULL, NULL), 0);
	cr_expect_null(all);
	expect_in(last_message(), "refusing to follow the next-page link");
}

Test(github, get_all_refuses_a_link_to_the_same_page)
{
	cJSON *all = NULL;

	serve(0, "[{'json': [1], 'headers': {'Link': '<{base}/repos/o/r/tags?per_page=100>; "
		 "rel=\\'next\\''}}]");
	cr_expect_lt(rt_github_get_all(gh, &all, "/repos/o/r/tags", NULL, NULL), 0);
	cr_expect_null(all);
}

Test(github, get_all_fails_on_a_later_page)
{
	cJSON *all = NULL;

	serve(0, "[{'json': [1], 'headers': {'Link': '<{base}/p2>; rel=\\'next\\''}}, "
		 "{'status': 404, 'json': {'message': 'Not Found'}}]");
	cr_expect_eq(rt_github_get_all(gh, &all, "/repos/o/r/tags", NULL, "contents: read"),
		     RT_ENOTFOUND);
	cr_expect_null(all);
	expect_in(last_message(), "GET ");
	expect_in(last_message(), "/p2: Not Found.");
}

Test(github, get_all_wrong_shape)
{
	cJSON *all = NULL;

	serve(0, "[{'json': {'message': 'hello'}}, {'json': [1]}]");
	cr_expect_lt(rt_github_get_all(gh, &all, "/x", "commits", NULL), 0);
	expect_in(last_message(), "no \"commits\" array");
	cr_expect_lt(rt_github_get_all(gh, &all, "/y", "items", NULL), 0);
}

Test(github, compare_commits_every_page_oldest_first)
{
	rt_github_commit_list list;
	cJSON *log;

	serve(0, "[{'json': {'status': 'ahead', 'total_commits': 3, 'commits': ["
		 "{'sha': '" SHA1 "', 'commit': {'message': 'first\\n\\nbody'}}, "
		 "{'sha': '" SHA2 "', 'commit': {'message': 'second'}}]}, "
		 "'headers': {'Link': '<{base}/repos/o/r/compare/v1.0.0...main?per_page=100&page=2>; "
		 "rel=\\'next\\''}}, "
		 "{'json': {'status': 'ahead', 'total_commits': 3, 'commits': ["
		 "{'sha': '" SHA3 "', 'commit': {'message': 'Release x 2.0.0\\n\\n"
		 "[automatically-tag-and-release-this-commit]'}}]}}]");
	cr_assert_eq(rt_github_compare_commits(gh, &list, "v1.0.0", "main"), 0, "%s", last_message());
	cr_assert_eq(list.count, 3);
	cr_expect_str_eq(list.items[0].sha, SHA1);
	cr_expect_str_eq(list.items[0].message, "first\n\nbody");
	cr_expect_str_eq(list.items[1].sha, SHA2);
	cr_expect_str_eq(list.items[2].sha, SHA3);
	cr_expect(strstr(list.items[2].message, "[automatically-tag-and-release-this-commit]"));
	rt_github_commit_list_free(&list);
	log = test_server_log(&srv);
	cr_expect_str_eq(test_log_field(log, 0, "path", NULL),
			 "/repos/o/r/compare/v1.0.0...main?per_page=100");
	cJSON_Delete(log);
}

Test(github, compare_escapes_refs)
{
	rt_github_commit_list list;
	cJSON *log;

	serve(0, "[{'json': {'commits': []}}]");
	cr_assert_eq(rt_github_compare_commits(gh, &list, SHA1, "release-1.2/x+y"), 0);
	cr_expect_eq(list.count, 0);
	rt_github_commit_list_free(&list);
	log = test_server_log(&srv);
	cr_expect_str_eq(test_log_field(log, 0, "path", NULL),
			 "/repos/o/r/compare/" SHA1 "...release-1.2/x%2By?per_page=100");
	cJSON_Delete(log);
}

Test(github, compare_commit_without_message_is_an_error)
{
	rt_github_commit_list list;

	serve(0, "[{'json': {'commits': [{'sha': '" SHA1 "'}]}}]");
	cr_expect_lt(rt_github_compare_commits(gh, &list, "a", "b"), 0);
	cr_expect_eq(list.count, 0);
	cr_expect_null(list.items);
}

/* --- workflows ----------------------------------------------------------- */

Test(github, workflow_dispatch)
{
	cJSON *log;

	serve(0, "[{'status': 204}, {'status': 204}]");
	cr_assert_eq(rt_github_workflow_dispatch(gh, "release.yml", "v1.0.0"), 0);
	cr_assert_eq(rt_github_workflow_dispatch(gh, ".github/workflows/release.yml", "v1.0.0"), 0);
	log = test_server_log(&srv);
	for (int i = 0; i < 2; i++) {
		cr_expect_str_eq(test_log_field(log, i, "method", NULL), "POST");
		cr_expect_str_eq(test_log_field(log, i, "path", NULL),
				 "/repos/o/r/actions/workflows/release.yml/dispatches");
		cr_expect_str_eq(test_log_field(log, i, "body", NULL), "{\"ref\":\"v1.0.0\"}");
	}
	cJSON_Delete(log);
}

Test(github, workflow_dispatch_forbidden_names_actions_write)
{
	serve(0, "[{'status': 403, 'json': {'message': 'Resource not accessible by integration'}}]");
	cr_expect_eq(rt_github_workflow_dispatch(gh, "release.yml", "v1.0.0"), -1);
	expect_in(last_message(), "`actions: write` permission");
}
