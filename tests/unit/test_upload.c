/*
 * upload: the pure parts of the uploader (the upload URL from GitHub's
 * hypermedia template, content types from extensions, the check of
 * GitHub's answer: state, size and SHA-256 digest), and the transfer loop
 * against a scripted local server (tests/unit/servers/scripted.py): the
 * body and headers sent, retries after 5xx, resets and rate limits with
 * the recover callback called before each, an answer whose digest does
 * not match treated as a failed attempt, and a refusal not retried.
 */
#include <criterion/criterion.h>

#include "helpers.h"
#include "servers/server.h"
#include "upload.h"

Test(upload, base_url_drops_the_template)
{
	char *u = rt_upload_base_url("https://uploads.github.com/repos/o/r/releases/1/assets{?name,label}");
	cr_assert_str_eq(u, "https://uploads.github.com/repos/o/r/releases/1/assets");
	free(u);
	u = rt_upload_base_url("https://ghe.example/api/uploads/repos/o/r/releases/7/assets");
	cr_assert_str_eq(u, "https://ghe.example/api/uploads/repos/o/r/releases/7/assets");
	free(u);
}

Test(upload, content_types)
{
	cr_assert_str_eq(rt_upload_content_type("x.tar.gz"), "application/gzip");
	cr_assert_str_eq(rt_upload_content_type("X.TGZ"), "application/gzip");
	cr_assert_str_eq(rt_upload_content_type("wasmtime-v1-x86_64-linux.tar.xz"), "application/x-xz");
	cr_assert_str_eq(rt_upload_content_type("a.zip"), "application/zip");
	cr_assert_str_eq(rt_upload_content_type("a.msi"), "application/x-msi");
	cr_assert_str_eq(rt_upload_content_type("SHA256SUMS"), "text/plain");
	cr_assert_str_eq(rt_upload_content_type("a.wasm"), "application/wasm");
	cr_assert_str_eq(rt_upload_content_type("noext"), "application/octet-stream");
	cr_assert_str_eq(rt_upload_content_type("a.gz.bin"), "application/octet-stream");
}

static cJSON *asset(const char *state, double size, const char *digest)
{
	cJSON *a = cJSON_CreateObject();
	cJSON_AddStringToObject(a, "state", state);
	cJSON_AddNumberToObject(a, "size", size);
	if (digest)
		cJSON_AddStringToObject(a, "digest", digest);
	else
		cJSON_AddNullToObject(a, "digest");
	return a;
}

#define SHA "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

Test(upload, asset_matches_only_when_state_size_and_digest_agree)
{
	const char *why = NULL;
	cJSON *a = asset("uploaded", 3, "sha256:" SHA);

	cr_assert(rt_upload_asset_matches(a, 3, SHA, &why));
	cr_assert_null(why);
	cr_assert(!rt_upload_asset_matches(a, 4, SHA, &why));
	cr_assert_str_eq(why, "its size differs");
	cr_assert(!rt_upload_asset_matches(a, 3, "00a7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", &why));
	cr_assert_str_eq(why, "its SHA-256 digest differs");
	cJSON_Delete(a);
	a = asset("starter", 3, "sha256:" SHA);
	cr_assert(!rt_upload_asset_matches(a, 3, SHA, &why));
	cr_assert_str_eq(why, "its state is not uploaded");
	cJSON_Delete(a);
	a = asset("uploaded", 3, NULL);
	cr_assert(!rt_upload_asset_matches(a, 3, SHA, &why));
	cr_assert_str_eq(why, "GitHub gave no digest");
	cJSON_Delete(a);
	a = asset("uploaded", 3, "sha512:" SHA);
	cr_assert(!rt_upload_asset_matches(a, 3, SHA, NULL));
	cJSON_Delete(a);
}

Test(upload, no_jobs_is_success)
{
	rt_upload_options opts = {"http://127.0.0.1:1/x{?name,label}", NULL, 4, 0, NULL, NULL};
	cr_assert_eq(rt_upload_run(NULL, 0, &opts), 0);
}

Test(upload, unreachable_origin_fails_naming_the_asset)
{
	rt_upload_job job = {0};
	rt_upload_options opts = {"http://127.0.0.1:1/repos/o/r/releases/1/assets{?name,label}", "t", 2, 1,
				  NULL, NULL};

	setenv("RELEASE_TRAIN_BACKOFF_MS", "1", 1);
	job.data = "abc";
	job.size = 3;
	job.name = "a.txt";
	cr_assert_eq(rt_upload_run(&job, 1, &opts), -1);
	cr_assert_eq(job.state, RT_UPLOAD_FAILED);
	cr_assert_eq(job.attempts, 2);
	cr_assert_not_null(strstr(rt_error_last()->message, "a.txt"));
	rt_error_clear();
	rt_upload_job_free(&job);
}

/* --- against the scripted server ------------------------------------------ */

static test_server srv;

static void stop_server(void)
{
	test_server_stop(&srv);
}

typedef struct {
	int calls;
	long long bad_ids[8];
} recovered;

static int count_recover(rt_upload_job *job, long long bad_asset_id, void *payload)
{
	recovered *r = payload;

	(void)job;
	if (r->calls < 8)
		r->bad_ids[r->calls] = bad_asset_id;
	r->calls++;
	return 0;
}

#define ASSET_OK "{'id': 7, 'name': 'x.txt', 'state': 'uploaded', 'size': 3, 'digest': 'sha256:" SHA "'}"

static char *quotes(const char *s)
{
	char *out = rt_xstrdup(s);
	for (char *p = out; *p; p++)
		if (*p == '\'')
			*p = '"';
	return out;
}

static int run_one(rt_upload_job *job, recovered *rec, int retries)
{
	char *url = rt_xsprintf("%s/repos/o/r/releases/1/assets{?name,label}", srv.base);
	rt_upload_options opts = {url, "t0ken", 2, retries, count_recover, rec};
	int rc;

	memset(job, 0, sizeof(*job));
	job->data = "abc";
	job->size = 3;
	job->name = "x.txt";
	rc = rt_upload_run(job, 1, &opts);
	free(url);
	return rc;
}

Test(upload, retries_5xx_resets_and_rate_limits_then_verifies, .fini = stop_server)
{
	/* the reset first: on a fresh connection it is our attempt that fails
	 * (on a reused one libcurl itself would resend on a new connection) */
	char *js = quotes("[{'action': 'reset'}, {'status': 503, 'json': {'message': 'busy'}},"
			  " {'status': 403, 'headers': {'retry-after': '0'}, 'json': {'message': 'You have exceeded a secondary rate limit'}},"
			  " {'status': 201, 'json': " ASSET_OK "}]");
	rt_upload_job job;
	recovered rec = {0};
	cJSON *log, *req;
	int n = 0;

	test_http_env("1");
	cr_assert_eq(test_server_start(&srv, js), 0);
	cr_assert_eq(run_one(&job, &rec, 5), 0, "%s", rt_error_last() ? rt_error_last()->message : "");
	cr_assert_eq(job.state, RT_UPLOAD_DONE);
	cr_assert_eq(job.attempts, 4);
	cr_assert_eq(rec.calls, 3, "the name is freed before every retry");
	cr_assert_str_eq(job.sha256, SHA);
	cr_assert_not_null(job.asset);
	log = test_server_log(&srv);
	cJSON_ArrayForEach(req, log)
	{
		const cJSON *h = cJSON_GetObjectItem(req, "headers");
		cr_assert_str_eq(cJSON_GetObjectItem(req, "method")->valuestring, "POST");
		cr_assert_str_eq(cJSON_GetObjectItem(req, "path")->valuestring, "/repos/o/r/releases/1/assets?name=x.txt");
		cr_assert_str_eq(cJSON_GetObjectItem(h, "content-type")->valuestring, "text/plain");
		cr_assert_str_eq(cJSON_GetObjectItem(h, "content-length")->valuestring, "3");
		cr_assert_str_eq(cJSON_GetObjectItem(h, "authorization")->valuestring, "Bearer t0ken");
		n++;
	}
	cr_assert_eq(n, 4);
	cJSON_Delete(log);
	rt_upload_job_free(&job);
	free(js);
}

Test(upload, a_digest_that_does_not_match_is_a_failed_attempt, .fini = stop_server)
{
	char *js = quotes("[{'status': 201, 'json': {'id': 9, 'state': 'uploaded', 'size': 3, 'digest': 'sha256:00'}},"
			  " {'status': 201, 'json': " ASSET_OK "}]");
	rt_upload_job job;
	recovered rec = {0};

	test_http_env("1");
	cr_assert_eq(test_server_start(&srv, js), 0);
	cr_assert_eq(run_one(&job, &rec, 3), 0);
	cr_assert_eq(job.attempts, 2);
	cr_assert_eq(rec.calls, 1);
	cr_assert_eq(rec.bad_ids[0], 9, "the unverified asset is named for deletion");
	rt_upload_job_free(&job);
	free(js);
}

Test(upload, a_refusal_is_not_retried_and_names_the_permission, .fini = stop_server)
{
	char *js = quotes("[{'status': 403, 'json': {'message': 'Resource not accessible by integration'}}]");
	rt_upload_job job;
	recovered rec = {0};

	test_http_env("1");
	cr_assert_eq(test_server_start(&srv, js), 0);
	cr_assert_eq(run_one(&job, &rec, 5), -1);
	cr_assert_eq(job.state, RT_UPLOAD_FAILED);
	cr_assert_eq(job.attempts, 1);
	cr_assert_eq(rec.calls, 0);
	cr_assert_not_null(strstr(rt_error_last()->message, "x.txt"));
	cr_assert_not_null(strstr(rt_error_last()->message, "contents: write"));
	rt_error_clear();
	rt_upload_job_free(&job);
	free(js);
}
