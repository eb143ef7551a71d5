/*
 * github against recorded real GitHub traffic: the @octokit/fixtures
 * scenarios (npm, installed by scripts/setup) replayed in their recorded
 * order (--strict) by tests/harness/replay.py. The truth here is GitHub's own
 * payloads and headers: Link pagination as api.github.com sends it, the
 * 422 already_exists of a duplicate asset, hypermedia (upload_url), the
 * x-ratelimit-* headers, Git refs answers and a validation error. The
 * replay server also checks that our requests carry what GitHub was sent.
 */
#include <criterion/criterion.h>

#include "github.h"
#include "helpers.h"
#include "http.h"
#include "runner.h"
#include "servers/server.h"

#define TOKEN "ghs_fixtureToken42"
#define FIXTURES "node_modules/@octokit/fixtures/scenarios/api.github.com"

static test_server srv;
static rt_github *gh;
static char *fixture_path;

static void setup(void)
{
	setenv("RELEASE_TRAIN_BACKOFF_MS", "5", 1);
	setenv("NO_PROXY", "127.0.0.1,localhost", 1);
	setenv("no_proxy", "127.0.0.1,localhost", 1);
	rt_runner_init();
	rt_error_clear();
	gh = NULL;
	fixture_path = NULL;
}

static void teardown(void)
{
	rt_github_free(gh);
	test_server_stop(&srv);
	free(fixture_path);
	rt_runner_shutdown();
	rt_error_clear();
}

TestSuite(fixtures, .init = setup, .fini = teardown, .timeout = 60);

static const char *last_message(void)
{
	const rt_error *e = rt_error_last();
	return e && e->message ? e->message : "";
}

/* Replay SCENARIO and make a client for octokit-fixture-org/SCENARIO on it;
 * skips the test when the fixtures are not installed. */
static void replay(const char *scenario)
{
	char *root = test_repo_root();
	rt_github_options o = {.token = TOKEN, .max_retries = 0};
	char *repo;
	const char *args[] = {NULL, "--strict", "--timeout", "120", NULL};

	cr_assert_not_null(root);
	if (getenv("RT_OCTOKIT_FIXTURES")) /* another copy of scenarios/api.github.com */
		fixture_path = rt_xsprintf("%s/%s/normalized-fixture.json",
					   getenv("RT_OCTOKIT_FIXTURES"), scenario);
	else
		fixture_path = rt_xsprintf("%s/" FIXTURES "/%s/normalized-fixture.json", root,
					   scenario);
	free(root);
	if (access(fixture_path, R_OK) != 0)
		cr_skip_test("@octokit/fixtures is not installed (%s missing): run scripts/setup or "
			     "npm ci",
			     fixture_path);
	args[0] = fixture_path;
	cr_assert_eq(test_server_spawn(&srv, "tests/harness/replay.py", args), 0,
		     "the replay server did not start");
	repo = rt_xsprintf("octokit-fixture-org/%s", scenario);
	o.repository = repo;
	o.api_url = srv.base;
	cr_assert_eq(rt_github_new(&gh, &o), 0, "%s", last_message());
	free(repo);
}

/* The recording itself, to compare what we parsed with what GitHub sent. */
static cJSON *recording(void)
{
	rt_buf text = RT_BUF_INIT;
	cJSON *json;

	cr_assert_eq(rt_buf_read_file(&text, fixture_path), 0);
	json = cJSON_ParseWithLength(text.ptr, text.len);
	rt_buf_free(&text);
	cr_assert_not_null(json);
	return json;
}

/* Every request was the one GitHub got, and all were served. */
static void expect_replayed(int count)
{
	cJSON *log = test_server_log(&srv);
	const cJSON *entry;

	cr_expect_eq(cJSON_GetArraySize(log), count, "the server saw %d requests, want %d",
		     cJSON_GetArraySize(log), count);
	cJSON_ArrayForEach(entry, log)
	{
		cr_expect(cJSON_IsTrue(cJSON_GetObjectItem(entry, "matched")),
			  "unexpected request %s %s",
			  cJSON_GetObjectItem(entry, "method")->valuestring,
			  cJSON_GetObjectItem(entry, "path")->valuestring);
	}
	cJSON_Delete(log);
}

Test(fixtures, paginate_issues_follows_every_link)
{
	cJSON *issues = NULL, *rec, *entry, *item;
	int want = 0, i = 0;

	replay("paginate-issues");
	cr_assert_eq(rt_github_get_all(gh, &issues,
				       "/repos/octokit-fixture-org/paginate-issues/issues?per_page=3",
				       NULL, "issues: read"),
		     0, "%s", last_message());
	rec = recording();
	cJSON_ArrayForEach(entry, rec) want += cJSON_GetArraySize(cJSON_GetObjectItem(entry, "response"));
	cr_expect_eq(cJSON_GetArraySize(rec), 5);
	cr_expect_eq(cJSON_GetArraySize(issues), want);
	/* Same issues in the same order as GitHub sent them over the pages. */
	cJSON_ArrayForEach(entry, rec)
	{
		cJSON_ArrayForEach(item, cJSON_GetObjectItem(entry, "response"))
		{
			const cJSON *got = cJSON_GetArrayItem(issues, i++);
			cr_expect_eq(cJSON_GetObjectItem(got, "number")->valueint,
				     cJSON_GetObjectItem(item, "number")->valueint);
			cr_expect_str_eq(cJSON_GetObjectItem(got, "title")->valuestring,
					 cJSON_GetObjectItem(item, "title")->valuestring);
		}
	}
	cJSON_Delete(rec);
	cJSON_Delete(issues);
	expect_replayed(5);
}

Test(fixtures, paginate_issues_headers_at_the_http_layer)
{
	rt_http *http = NULL;
	rt_http_options o = {.token = TOKEN};
	rt_http_response resp;
	char *url, *next;

	replay("paginate-issues");
	cr_assert_eq(rt_http_new(&http, &o), 0);
	url = rt_xsprintf("%s/repos/octokit-fixture-org/paginate-issues/issues?per_page=3", srv.base);
	cr_assert_eq(rt_http_send(http, &(rt_http_request){.method = "GET", .url = url}, &resp), 0);
	cr_expect_eq(resp.status, 200);
	cr_expect_eq(resp.ratelimit_remaining, 4999);
	cr_expect_eq(resp.ratelimit_reset, 1507651200000L); /* as normalized by @octokit/fixtures */
	cr_expect_not(resp.rate_limited);
	next = rt_xsprintf("%s/repositories/1000/issues?per_page=3&page=2", srv.base);
	cr_expect_str_eq(resp.link_next, next);
	rt_http_response_free(&resp);
	/* The middle pages carry prev, next, last and first: next is the one taken. */
	cr_assert_eq(rt_http_send(http, &(rt_http_request){.method = "GET", .url = next}, &resp), 0);
	free(next);
	next = rt_xsprintf("%s/repositories/1000/issues?per_page=3&page=3", srv.base);
	cr_expect_str_eq(resp.link_next, next);
	rt_http_response_free(&resp);
	rt_http_free(http);
	free(next);
	free(url);
}

/* Release asset conflict: get the release, upload to its upload_url, get a
 * 422 already_exists, list the assets, delete the old one, upload again. */
Test(fixtures, release_assets_conflict)
{
	const char *repo = "/repos/octokit-fixture-org/release-assets-conflict";
	cJSON *release = NULL, *asset = NULL, *assets = NULL, *gone = (cJSON *)1;
	char *path, *upload;
	const char *template;
	long status = 0;

	replay("release-assets-conflict");
	path = rt_xsprintf("%s/releases/tags/v1.0.0", repo);
	cr_assert_eq(rt_github_call(gh, &release, &status, "GET", path, NULL, "contents: read"), 0,
		     "%s", last_message());
	free(path);
	cr_expect_eq(status, 200);
	cr_expect_str_eq(cJSON_GetObjectItem(release, "tag_name")->valuestring, "v1.0.0");
	cr_expect_eq(cJSON_GetObjectItem(release, "id")->valueint, 1000);
	cr_expect(cJSON_IsFalse(cJSON_GetObjectItem(release, "draft")));
	template = cJSON_GetObjectItem(release, "upload_url")->valuestring;
	cr_assert(strncmp(template, srv.base, strlen(srv.base)) == 0, "upload_url %s", template);
	cr_assert_not_null(strstr(template, "{?name,label}"));
	upload = rt_xsprintf("%.*s?name=test-upload.txt&label=test",
			     (int)(strstr(template, "{") - template), template);

	cr_expect_eq(rt_github_call(gh, &asset, &status, "POST", upload, NULL, "contents: write"),
		     RT_EEXISTS);
	cr_expect_eq(status, 422);
	cr_expect_null(asset);
	cr_expect(strstr(last_message(), "Validation Failed (ReleaseAsset.name already_exists)"),
		  "%s", last_message());
	rt_error_clear();

	path = rt_xsprintf("%s/releases/1000/assets", repo);
	cr_assert_eq(rt_github_get_all(gh, &assets, path, NULL, "contents: read"), 0, "%s",
		     last_message());
	free(path);
	cr_assert_eq(cJSON_GetArraySize(assets), 1);
	asset = cJSON_GetArrayItem(assets, 0);
	cr_expect_str_eq(cJSON_GetObjectItem(asset, "name")->valuestring, "test-upload.txt");
	cr_expect_str_eq(cJSON_GetObjectItem(asset, "state")->valuestring, "uploaded");
	cr_expect_eq(cJSON_GetObjectItem(asset, "size")->valueint, 14);

	path = rt_xsprintf("%s/releases/assets/%d", repo, cJSON_GetObjectItem(asset, "id")->valueint);
	cr_assert_eq(rt_github_call(gh, &gone, &status, "DELETE", path, NULL, "contents: write"), 0,
		     "%s", last_message());
	free(path);
	cr_expect_eq(status, 204);
	cr_expect_null(gone);

	asset = NULL;
	cr_assert_eq(rt_github_call(gh, &asset, &status, "POST", upload, NULL, "contents: write"), 0,
		     "%s", last_message());
	cr_expect_eq(status, 201);
	cr_expect_eq(cJSON_GetObjectItem(asset, "id")->valueint, 1001);
	cr_expect_str_eq(cJSON_GetObjectItem(asset, "name")->valuestring, "test-upload.txt");

	cJSON_Delete(asset);
	cJSON_Delete(assets);
	cJSON_Delete(release);
	free(upload);
	expect_replayed(5);
}

/* Git refs: list, create, update, list, delete; our bodies hold what the
 * recorded requests sent (the replay server checks each field). */
Test(fixtures, git_refs)
{
	const char *repo = "/repos/octokit-fixture-org/git-refs";
	cJSON *refs = NULL;
	char *path;

	replay("git-refs");
	path = rt_xsprintf("%s/git/refs/", repo);
	cr_assert_eq(rt_github_get_all(gh, &refs, path, NULL, "contents: read"), 0, "%s",
		     last_message());
	cr_expect_geq(cJSON_GetArraySize(refs), 1);
	cr_expect_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(refs, 0), "ref")->valuestring,
			 "refs/heads/main");
	cJSON_Delete(refs);
	refs = NULL;

	cr_assert_eq(rt_github_ref_create(gh, "refs/heads/test",
					  "0000000000000000000000000000000000000002"),
		     0, "%s", last_message());
	cr_assert_eq(rt_github_ref_update(gh, "heads/test", "0000000000000000000000000000000000000001",
					  false),
		     0, "%s", last_message());
	cr_assert_eq(rt_github_get_all(gh, &refs, path, NULL, "contents: read"), 0, "%s",
		     last_message());
	cJSON_Delete(refs);
	free(path);
	path = rt_xsprintf("%s/git/refs/heads/test", repo);
	cr_assert_eq(rt_github_call(gh, NULL, NULL, "DELETE", path, NULL, "contents: write"), 0, "%s",
		     last_message());
	free(path);
	expect_replayed(5);
}

Test(fixtures, validation_error_quotes_the_field)
{
	cJSON *body = cJSON_CreateObject();
	long status = 0;
	const char *msg;

	replay("errors");
	cJSON_AddStringToObject(body, "name", "foo");
	cJSON_AddStringToObject(body, "color", "invalid");
	cr_expect_eq(rt_github_call(gh, NULL, &status, "POST", "/repos/octokit-fixture-org/errors/labels",
				    body, "issues: write"),
		     -1);
	cr_expect_eq(status, 422);
	msg = last_message();
	cr_expect(strstr(msg, "GitHub answered 422 Unprocessable Entity to POST "
			      "/repos/octokit-fixture-org/errors/labels: Validation Failed "
			      "(Label.color invalid).") != NULL,
		  "%s", msg);
	cr_expect_null(strstr(msg, TOKEN));
	cJSON_Delete(body);
	expect_replayed(1);
}
