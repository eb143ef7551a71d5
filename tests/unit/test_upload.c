/*
 * upload: the pure parts of the uploader: the upload URL from GitHub's
 * hypermedia template, content types from extensions, and the check of
 * GitHub's answer (state, size and SHA-256 digest) that decides whether
 * an asset is verified.
 */
#include <criterion/criterion.h>

#include "helpers.h"
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
