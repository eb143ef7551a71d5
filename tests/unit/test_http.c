/*
 * http: the Link parser on edge cases, and the send loop against a scripted
 * local server (tests/unit/servers/scripted.py): headers, keep-alive, each
 * kind of retry and its wait, the bounded waits that fail at once, resets,
 * stalls, and the token kept out of messages and debug lines.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdarg.h>
#include <time.h>

#include "helpers.h"
#include "http.h"
#include "runner.h"
#include "servers/server.h"

#define TOKEN "ghs_SECRETtoken0123456789"

static test_server srv;

static void setup(void)
{
	test_http_env("10");
}

static void teardown(void)
{
	test_server_stop(&srv);
	rt_runner_shutdown();
	rt_error_clear();
}

TestSuite(http, .init = setup, .fini = teardown, .timeout = 60);

/* A JSON script written with single quotes (turned into double quotes). */
static char *script(const char *fmt, ...) RT_PRINTF(1, 2);
static char *script(const char *fmt, ...)
{
	rt_buf b = RT_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	rt_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	for (size_t i = 0; i < b.len; i++)
		if (b.ptr[i] == '\'')
			b.ptr[i] = '"';
	return rt_buf_detach(&b);
}

static void start(const char *json)
{
	cr_assert_eq(test_server_start(&srv, json), 0, "the scripted server did not start");
}

static rt_http *client(int retries, const char *token)
{
	rt_http *http = NULL;
	rt_http_options o = {.max_retries = retries, .token = token, .low_speed_time = 5};
	cr_assert_eq(rt_http_new(&http, &o), 0);
	return http;
}

static char *url(const char *path)
{
	return rt_xsprintf("%s%s", srv.base, path);
}

/* GET base+path with the given client; returns rt_http_send's result. */
static int get(rt_http *http, const char *path, rt_http_response *resp)
{
	char *u = url(path);
	rt_http_request req = {.method = "GET", .url = u};
	int rc = rt_http_send(http, &req, resp);
	free(u);
	return rc;
}

static const char *last_message(void)
{
	const rt_error *e = rt_error_last();
	return e && e->message ? e->message : "";
}

/* --- Link ---------------------------------------------------------------- */

static void expect_next(const char *header, const char *want)
{
	char *got = rt_http_link_next(header);
	if (want)
		cr_expect(got && strcmp(got, want) == 0, "Link %s: got %s, want %s", header,
			  got ? got : "(null)", want);
	else
		cr_expect_null(got, "Link %s: got %s, want none", header, got);
	free(got);
}

Test(http, link_github_headers)
{
	expect_next("<https://api.github.com/repositories/1/issues?per_page=3&page=2>; rel=\"next\", "
		    "<https://api.github.com/repositories/1/issues?per_page=3&page=5>; rel=\"last\"",
		    "https://api.github.com/repositories/1/issues?per_page=3&page=2");
	expect_next("<https://a/?page=1>; rel=\"prev\", <https://a/?page=3>; rel=\"next\", "
		    "<https://a/?page=5>; rel=\"last\", <https://a/?page=1>; rel=\"first\"",
		    "https://a/?page=3");
	expect_next("<https://a/?page=4>; rel=\"prev\", <https://a/?page=1>; rel=\"first\"", NULL);
}

Test(http, link_edge_cases)
{
	expect_next(NULL, NULL);
	expect_next("", NULL);
	expect_next("   ,, ,", NULL);
	expect_next("<https://a/n>;rel=next", "https://a/n");
	expect_next("<https://a/n> ; REL = \"Next\"", "https://a/n");
	expect_next("<https://a/n>; rel=\"prev next\"", "https://a/n");
	expect_next("<https://a/n>; rel=\"nextpage\"", NULL);
	expect_next("<https://a/n>; rel=\"next-page\"", NULL);
	expect_next("<https://a/x>; title=\"a, <https://evil/>; rel=next\"; rel=\"last\", "
		    "<https://a/n>; rel=\"next\"",
		    "https://a/n");
	expect_next("<https://a/x>; title=\"quote \\\" and, comma\", <https://a/n>; rel=next",
		    "https://a/n");
	expect_next("garbage; rel=next, <https://a/n>; rel=\"next\"", "https://a/n");
	expect_next("<https://a/n; rel=\"next\"", NULL);
	expect_next("<>; rel=\"next\", <https://a/second>; rel=\"next\"", "https://a/second");
	expect_next("<https://a/with space>; rel=\"next\"", NULL);
	expect_next("< https://a/n >; rel=\"next\"", "https://a/n");
	expect_next("<https://a/first>; rel=\"next\", <https://a/second>; rel=\"next\"",
		    "https://a/first");
	expect_next("<https://a/n>; rel=\"next", "https://a/n");
	expect_next("<https://a/n>; rel", NULL);
	expect_next("<https://a/n>; rel=", NULL);
	expect_next("<https://a/n>;;; rel=next", "https://a/n");
	expect_next("<https://a/n?a=1,2>; rel=next", "https://a/n?a=1,2");
}

Test(http, ca_file_from_env)
{
	setenv("SSL_CERT_FILE", "/tmp/some-bundle.pem", 1);
	cr_expect_str_eq(rt_http_ca_file(), "/tmp/some-bundle.pem");
	setenv("SSL_CERT_FILE", "", 1);
	cr_expect_str_eq(rt_http_ca_file(), "/etc/ssl/certs/ca-certificates.crt");
	unsetenv("SSL_CERT_FILE");
	cr_expect_str_eq(rt_http_ca_file(), "/etc/ssl/certs/ca-certificates.crt");
}

/* --- requests ------------------------------------------------------------ */

Test(http, sends_github_headers_and_keeps_the_connection)
{
	rt_http_response resp;
	rt_http *http;
	cJSON *log;

	start("[{\"json\": {\"ok\": 1}, \"repeat\": 2}]");
	http = client(0, TOKEN);
	cr_assert_eq(get(http, "/one", &resp), 0, "%s", last_message());
	cr_expect_eq(resp.status, 200);
	cr_expect_str_eq(rt_buf_cstr(&resp.body), "{\"ok\": 1}");
	cr_expect_eq(resp.attempts, 1);
	rt_http_response_free(&resp);
	cr_assert_eq(get(http, "/two", &resp), 0);
	rt_http_response_free(&resp);
	rt_http_free(http);

	log = test_server_log(&srv);
	cr_assert_eq(cJSON_GetArraySize(log), 2);
	cr_expect_str_eq(test_log_field(log, 0, "headers", "user-agent"), "release-train/" RT_VERSION);
	cr_expect_str_eq(test_log_field(log, 0, "headers", "x-github-api-version"), "2022-11-28");
	cr_expect_str_eq(test_log_field(log, 0, "headers", "accept"), "application/vnd.github+json");
	cr_expect_str_eq(test_log_field(log, 0, "headers", "authorization"), "Bearer " TOKEN);
	cr_expect_str_eq(test_log_field(log, 0, "headers", "expect"), "");
	cr_expect_eq(test_log_number(log, 0, "port"), test_log_number(log, 1, "port"),
		     "the second request did not reuse the connection");
	cJSON_Delete(log);
}

Test(http, no_authorization_without_token)
{
	rt_http_response resp;
	rt_http *http;
	cJSON *log;

	start("[{\"status\": 204}]");
	http = client(0, NULL);
	cr_assert_eq(get(http, "/", &resp), 0);
	cr_expect_eq(resp.status, 204);
	cr_expect_eq(resp.body.len, 0);
	rt_http_response_free(&resp);
	rt_http_free(http);
	log = test_server_log(&srv);
	cr_expect_null(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetArrayItem(log, 0), "headers"),
					   "authorization"));
	cJSON_Delete(log);
}

Test(http, methods_bodies_and_content_types)
{
	rt_http_response resp;
	rt_http *http;
	cJSON *log;
	char *u;

	start("[{\"status\": 201, \"repeat\": 4}]");
	http = client(0, TOKEN);
	u = url("/x");
	{
		rt_http_request req = {.method = "POST", .url = u, .body = "{\"a\":1}", .body_len = 7};
		cr_assert_eq(rt_http_send(http, &req, &resp), 0);
		rt_http_response_free(&resp);
	}
	{
		rt_http_request req = {.method = "PUT", .url = u};
		cr_assert_eq(rt_http_send(http, &req, &resp), 0);
		rt_http_response_free(&resp);
	}
	{
		rt_http_request req = {.method = "PATCH", .url = u, .body = "abc", .body_len = 3,
				       .content_type = "text/plain", .accept = "application/json"};
		cr_assert_eq(rt_http_send(http, &req, &resp), 0);
		rt_http_response_free(&resp);
	}
	{
		rt_http_request req = {.method = "DELETE", .url = u};
		cr_assert_eq(rt_http_send(http, &req, &resp), 0);
		rt_http_response_free(&resp);
	}
	free(u);
	rt_http_free(http);

	log = test_server_log(&srv);
	cr_assert_eq(cJSON_GetArraySize(log), 4);
	cr_expect_str_eq(test_log_field(log, 0, "method", NULL), "POST");
	cr_expect_str_eq(test_log_field(log, 0, "body", NULL), "{\"a\":1}");
	cr_expect_str_eq(test_log_field(log, 0, "headers", "content-type"), "application/json");
	cr_expect_str_eq(test_log_field(log, 1, "method", NULL), "PUT");
	cr_expect_str_eq(test_log_field(log, 1, "headers", "content-length"), "0");
	cr_expect_str_eq(test_log_field(log, 2, "method", NULL), "PATCH");
	cr_expect_str_eq(test_log_field(log, 2, "body", NULL), "abc");
	cr_expect_str_eq(test_log_field(log, 2, "headers", "content-type"), "text/plain");
	cr_expect_str_eq(test_log_field(log, 2, "headers", "accept"), "application/json");
	cr_expect_str_eq(test_log_field(log, 3, "method", NULL), "DELETE");
	cJSON_Delete(log);
}

Test(http, reads_link_location_and_rate_limit_headers)
{
	rt_http_response resp;
	rt_http *http;
	char *s = script("[{'status': 201, 'headers': {'Link': '<{base}/p?page=1>; rel=\\'prev\\', "
			 "<{base}/p?page=3>; rel=\\'next\\'', 'Location': '{base}/created/1', "
			 "'X-RateLimit-Remaining': '4999', 'X-RateLimit-Reset': '1700000000', "
			 "'Retry-After': '7'}, 'json': {}}]");

	start(s);
	http = client(0, TOKEN);
	cr_assert_eq(get(http, "/p?page=2", &resp), 0);
	{
		char *want_next = url("/p?page=3"), *want_loc = url("/created/1");
		cr_expect_str_eq(resp.link_next, want_next);
		cr_expect_str_eq(resp.location, want_loc);
		free(want_next);
		free(want_loc);
	}
	cr_expect_eq(resp.ratelimit_remaining, 4999);
	cr_expect_eq(resp.ratelimit_reset, 1700000000L);
	cr_expect_eq(resp.retry_after, 7);
	rt_http_response_free(&resp);
	rt_http_free(http);
	free(s);
}

Test(http, absent_headers_read_as_minus_one)
{
	rt_http_response resp;
	rt_http *http;

	start("[{\"json\": []}]");
	http = client(0, NULL);
	cr_assert_eq(get(http, "/", &resp), 0);
	cr_expect_null(resp.link_next);
	cr_expect_null(resp.location);
	cr_expect_eq(resp.ratelimit_remaining, -1);
	cr_expect_eq(resp.ratelimit_reset, -1);
	cr_expect_eq(resp.retry_after, -1);
	cr_expect_not(resp.rate_limited);
	rt_http_response_free(&resp);
	rt_http_free(http);
}

Test(http, follows_a_redirect_on_the_same_server)
{
	rt_http_response resp;
	rt_http *http;
	cJSON *log;

	start("[{\"status\": 301, \"headers\": {\"Location\": \"{base}/new\"}}, {\"json\": {\"id\": 1}}]");
	http = client(0, TOKEN);
	cr_assert_eq(get(http, "/old", &resp), 0);
	cr_expect_eq(resp.status, 200);
	rt_http_response_free(&resp);
	rt_http_free(http);
	log = test_server_log(&srv);
	cr_assert_eq(cJSON_GetArraySize(log), 2);
	cr_expect_str_eq(test_log_field(log, 1, "path", NULL), "/new");
	cr_expect_str_eq(test_log_field(log, 1, "headers", "authorization"), "Bearer " TOKEN);
	cJSON_Delete(log);
}

/* --- retries --------------------------------------------------------------- */

Test(http, retries_5xx_then_succeeds)
{
	rt_http_response resp;
	rt_http *http;

	start("[{\"status\": 500}, {\"status\": 502}, {\"status\": 503}, {\"json\": {\"ok\": true}}]");
	http = client(5, TOKEN);
	cr_assert_eq(get(http, "/", &resp), 0, "%s", last_message());
	cr_expect_eq(resp.status, 200);
	cr_expect_eq(resp.attempts, 4);
	cr_expect_str_eq(rt_buf_cstr(&resp.body), "{\"ok\": true}");
	cr_expect_eq(test_server_count(&srv), 4);
	rt_http_response_free(&resp);
	rt_http_free(http);
}

Test(http, gives_the_last_5xx_after_every_retry)
{
	rt_http_response resp;
	rt_http *http;

	start("[{\"status\": 503, \"json\": {\"message\": \"down\"}, \"repeat\": 10}]");
	http = client(2, TOKEN);
	cr_assert_eq(get(http, "/", &resp), 0);
	cr_expect_eq(resp.status, 503);
	cr_expect_eq(resp.attempts, 3);
	cr_expect_eq(test_server_count(&srv), 3);
	rt_http_response_free(&resp);
	rt_http_free(http);
}

Test(http, no_retry_when_max_retries_is_zero)
{
	rt_http_response resp;
	rt_http *http;

	start("[{\"status\": 500, \"repeat\": 3}]");
	http = client(0, TOKEN);
	cr_assert_eq(get(http, "/", &resp), 0);
	cr_expect_eq(resp.status, 500);
	cr_expect_eq(test_server_count(&srv), 1);
	rt_http_response_free(&resp);
	rt_http_free(http);
}

Test(http, honours_retry_after_on_429)
{
	rt_http_response resp;
	rt_http *http;
	cJSON *log;

	start("[{\"status\": 429, \"headers\": {\"Retry-After\": \"1\"}}, {\"json\": {}}]");
	http = client(3, TOKEN);
	cr_assert_eq(get(http, "/", &resp), 0, "%s", last_message());
	cr_expect_eq(resp.status, 200);
	cr_expect_eq(resp.attempts, 2);
	cr_expect_not(resp.rate_limited);
	rt_http_response_free(&resp);
	rt_http_free(http);
	log = test_server_log(&srv);
	cr_assert_eq(cJSON_GetArraySize(log), 2);
	cr_expect_geq(test_log_number(log, 1, "t") - test_log_number(log, 0, "t"), 0.95,
		      "retry-after: 1 was not honoured");
	cJSON_Delete(log);
}

Test(http, retry_after_as_http_date)
{
	rt_http_response resp;
	rt_http *http;

	start("[{\"status\": 503, \"headers\": {\"Retry-After\": \"Wed, 21 Oct 2015 07:28:00 GMT\"}}, "
	      "{\"json\": {}}]");
	http = client(1, TOKEN);
	cr_assert_eq(get(http, "/", &resp), 0);
	cr_expect_eq(resp.status, 200);
	cr_expect_eq(resp.retry_after, -1);
	cr_expect_eq(test_server_count(&srv), 2);
	rt_http_response_free(&resp);
	rt_http_free(http);
}

Test(http, secondary_rate_limit_403_with_retry_after)
{
	rt_http_response resp;
	rt_http *http;
	cJSON *log;

	start("[{\"status\": 403, \"headers\": {\"Retry-After\": \"1\"}, \"json\": {\"message\": "
	      "\"You have exceeded a secondary rate limit. Please wait a few minutes before you try "
	      "again.\"}}, {\"status\": 201, \"json\": {\"ref\": \"refs/tags/v1\"}}]");
	http = client(3, TOKEN);
	cr_assert_eq(get(http, "/", &resp), 0, "%s", last_message());
	cr_expect_eq(resp.status, 201);
	rt_http_response_free(&resp);
	rt_http_free(http);
	log = test_server_log(&srv);
	cr_assert_eq(cJSON_GetArraySize(log), 2);
	cr_expect_geq(test_log_number(log, 1, "t") - test_log_number(log, 0, "t"), 0.95);
	cJSON_Delete(log);
}

Test(http, secondary_rate_limit_message_waits_at_least_sixty_steps)
{
	rt_http_response resp;
	rt_http *http;
	cJSON *log;

	/* No retry-after: GitHub asks for at least a minute, i.e. 60 backoff
	 * steps, 600 ms with RELEASE_TRAIN_BACKOFF_MS=10. */
	start("[{\"status\": 403, \"json\": {\"message\": \"You have exceeded a secondary rate "
	      "limit.\"}}, {\"json\": {}}]");
	http = client(3, TOKEN);
	cr_assert_eq(get(http, "/", &resp), 0);
	cr_expect_eq(resp.status, 200);
	rt_http_response_free(&resp);
	rt_http_free(http);
	log = test_server_log(&srv);
	cr_assert_eq(cJSON_GetArraySize(log), 2);
	cr_expect_geq(test_log_number(log, 1, "t") - test_log_number(log, 0, "t"), 0.55);
	cJSON_Delete(log);
}

Test(http, plain_403_is_final)
{
	rt_http_response resp;
	rt_http *http;

	start("[{\"status\": 403, \"json\": {\"message\": \"Resource not accessible by "
	      "integration\"}, \"repeat\": 3}]");
	http = client(3, TOKEN);
	cr_assert_eq(get(http, "/", &resp), 0);
	cr_expect_eq(resp.status, 403);
	cr_expect_eq(resp.attempts, 1);
	cr_expect_not(resp.rate_limited);
	cr_expect_eq(test_server_count(&srv), 1);
	rt_http_response_free(&resp);
	rt_http_free(http);
}

Test(http, not_found_is_final)
{
	rt_http_response resp;
	rt_http *http;

	start("[{\"status\": 404, \"json\": {\"message\": \"Not Found\"}, \"repeat\": 3}]");
	http = client(3, TOKEN);
	cr_assert_eq(get(http, "/", &resp), 0);
	cr_expect_eq(resp.status, 404);
	cr_expect_eq(test_server_count(&srv), 1);
	rt_http_response_free(&resp);
	rt_http_free(http);
}

Test(http, primary_rate_limit_waits_for_a_near_reset)
{
	rt_http_response resp;
	rt_http *http;
	cJSON *log;
	long reset = (long)time(NULL) + 1;
	char *s = script("[{'status': 403, 'headers': {'X-RateLimit-Remaining': '0', "
			 "'X-RateLimit-Reset': '%ld'}, 'json': {'message': 'API rate limit exceeded "
			 "for installation ID 1.'}}, {'json': {}}]",
			 reset);

	start(s);
	http = client(3, TOKEN);
	cr_assert_eq(get(http, "/", &resp), 0, "%s", last_message());
	cr_expect_eq(resp.status, 200);
	cr_expect_eq(resp.attempts, 2);
	rt_http_response_free(&resp);
	rt_http_free(http);
	log = test_server_log(&srv);
	cr_assert_eq(cJSON_GetArraySize(log), 2);
	cr_expect_geq(test_log_number(log, 1, "t"), (double)reset - 0.05,
		      "retried before x-ratelimit-reset");
	cJSON_Delete(log);
	free(s);
}

Test(http, primary_rate_limit_far_reset_fails_at_once)
{
	rt_http_response resp;
	rt_http *http;
	long reset = (long)time(NULL) + 3600, t0 = test_now_ms();
	char *s = script("[{'status': 429, 'headers': {'X-RateLimit-Remaining': '0', "
			 "'X-RateLimit-Reset': '%ld'}, 'json': {'message': 'API rate limit "
			 "exceeded'}, 'repeat': 5}]",
			 reset);
	const char *msg;

	start(s);
	http = client(5, TOKEN);
	cr_assert_lt(get(http, "/repos/o/r/releases", &resp), 0);
	cr_expect_lt(test_now_ms() - t0, 3000, "it waited instead of failing at once");
	cr_expect_eq(test_server_count(&srv), 1);
	msg = last_message();
	cr_expect(strstr(msg, "GitHub asked to wait 3") != NULL, "%s", msg);
	cr_expect(strstr(msg, "(about 60 min) (until ") != NULL, "%s", msg);
	cr_expect(strstr(msg, "x-ratelimit-remaining: 0") != NULL, "%s", msg);
	cr_expect(strstr(msg, "/repos/o/r/releases") != NULL, "%s", msg);
	cr_expect(strstr(msg, "longer than the 300 s") != NULL, "%s", msg);
	cr_expect(strstr(msg, "re-run the job") != NULL, "%s", msg);
	cr_expect(strstr(msg, " UTC") != NULL, "%s", msg);
	cr_expect_null(strstr(msg, TOKEN));
	cr_expect_eq(rt_error_last()->kind, RT_ERR_FAILED);
	rt_http_response_free(&resp);
	rt_http_free(http);
	free(s);
}

Test(http, retry_after_over_the_bound_fails_at_once)
{
	rt_http_response resp;
	rt_http *http = NULL;
	rt_http_options o = {.max_retries = 3, .token = TOKEN, .max_wait_seconds = 30};
	const char *msg;

	start("[{\"status\": 403, \"headers\": {\"Retry-After\": \"600\"}, \"json\": {\"message\": "
	      "\"You have exceeded a secondary rate limit.\"}}]");
	cr_assert_eq(rt_http_new(&http, &o), 0);
	cr_assert_lt(get(http, "/x", &resp), 0);
	msg = last_message();
	cr_expect(strstr(msg, "wait 600 s (about 10 min) (retry-after)") != NULL, "%s", msg);
	cr_expect(strstr(msg, "longer than the 30 s") != NULL, "%s", msg);
	cr_expect_eq(test_server_count(&srv), 1);
	rt_http_response_free(&resp);
	rt_http_free(http);
}

Test(http, rate_limit_after_every_retry_is_reported_as_such)
{
	rt_http_response resp;
	rt_http *http;

	start("[{\"status\": 429, \"headers\": {\"Retry-After\": \"0\"}, \"repeat\": 5}]");
	http = client(2, TOKEN);
	cr_assert_eq(get(http, "/", &resp), 0);
	cr_expect_eq(resp.status, 429);
	cr_expect_eq(resp.attempts, 3);
	cr_expect(resp.rate_limited);
	rt_http_response_free(&resp);
	rt_http_free(http);
}

Test(http, retries_a_connection_reset)
{
	rt_http_response resp;
	rt_http *http;

	start("[{\"action\": \"reset\"}, {\"json\": {\"ok\": 1}}]");
	http = client(2, TOKEN);
	cr_assert_eq(get(http, "/", &resp), 0, "%s", last_message());
	cr_expect_eq(resp.status, 200);
	cr_expect_eq(resp.attempts, 2);
	cr_expect_eq(test_server_count(&srv), 2);
	rt_http_response_free(&resp);
	rt_http_free(http);
}

Test(http, connection_refused_fails_after_every_retry)
{
	rt_http_response resp;
	rt_http *http;
	rt_http_request req = {.method = "GET", .url = NULL};
	char *u;
	const char *msg;

	/* A port that was just free: start and stop a server to learn one. */
	start("[]");
	u = url("/repos/o/r");
	test_server_stop(&srv);
	req.url = u;
	http = client(2, TOKEN);
	cr_assert_lt(rt_http_send(http, &req, &resp), 0);
	cr_expect_eq(resp.attempts, 3);
	msg = last_message();
	cr_expect(strstr(msg, "GET http://127.0.0.1:") != NULL, "%s", msg);
	cr_expect(strstr(msg, "failed after 3 attempts") != NULL, "%s", msg);
	cr_expect(strstr(msg, "HTTPS_PROXY") != NULL, "%s", msg);
	cr_expect_null(strstr(msg, TOKEN));
	rt_http_response_free(&resp);
	rt_http_free(http);
	free(u);
}

Test(http, stalled_response_is_aborted_and_retried)
{
	rt_http_response resp;
	rt_http *http = NULL;
	rt_http_options o = {.max_retries = 2, .token = TOKEN, .low_speed_limit = 100,
			     .low_speed_time = 1};
	long t0;

	start("[{\"action\": \"stall\", \"body\": \"{\\\"partial\\\": \", \"stall_seconds\": 8}, "
	      "{\"json\": {\"whole\": true}}]");
	cr_assert_eq(rt_http_new(&http, &o), 0);
	t0 = test_now_ms();
	cr_assert_eq(get(http, "/", &resp), 0, "%s", last_message());
	cr_expect_lt(test_now_ms() - t0, 6000, "the stall was not cut short");
	cr_expect_eq(resp.status, 200);
	cr_expect_eq(resp.attempts, 2);
	cr_expect_str_eq(rt_buf_cstr(&resp.body), "{\"whole\": true}");
	rt_http_response_free(&resp);
	rt_http_free(http);
}

Test(http, low_speed_time_from_the_environment)
{
	rt_http_response resp;
	rt_http *http = NULL;
	rt_http_options o = {.max_retries = 1, .token = TOKEN};
	long t0;

	setenv("RELEASE_TRAIN_LOW_SPEED_TIME", "1", 1);
	start("[{\"action\": \"stall\", \"body\": \"[\", \"stall_seconds\": 8}, {\"json\": []}]");
	cr_assert_eq(rt_http_new(&http, &o), 0);
	unsetenv("RELEASE_TRAIN_LOW_SPEED_TIME");
	t0 = test_now_ms();
	cr_assert_eq(get(http, "/", &resp), 0, "%s", last_message());
	cr_expect_lt(test_now_ms() - t0, 6000);
	cr_expect_eq(resp.attempts, 2);
	rt_http_response_free(&resp);
	rt_http_free(http);
}

Test(http, whole_request_timeout_is_retried_then_reported)
{
	rt_http_response resp;
	rt_http *http = NULL;
	rt_http_options o = {.max_retries = 1, .token = TOKEN, .timeout_seconds = 1};
	const char *msg;

	start("[{\"action\": \"stall\", \"body\": \"{\", \"stall_seconds\": 8, \"repeat\": 2}]");
	cr_assert_eq(rt_http_new(&http, &o), 0);
	cr_assert_lt(get(http, "/slow", &resp), 0);
	cr_expect_eq(resp.attempts, 2);
	msg = last_message();
	cr_expect(strstr(msg, "/slow failed after 2 attempts") != NULL, "%s", msg);
	rt_http_response_free(&resp);
	rt_http_free(http);
}

/* --- the token stays secret ---------------------------------------------- */

Test(http, debug_lines_name_the_request_but_not_the_token)
{
	rt_http_response resp;
	rt_http *http;
	char path[] = "/tmp/rt-http-debug-XXXXXX";
	int fd = mkstemp(path), saved;
	char *text;

	cr_assert_geq(fd, 0);
	setenv("RUNNER_DEBUG", "1", 1);
	rt_runner_init();
	start("[{\"status\": 502}, {\"json\": {}}]");
	http = client(2, TOKEN);
	fflush(stderr);
	saved = dup(2);
	dup2(fd, 2);
	cr_assert_eq(get(http, "/debugged", &resp), 0);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	close(fd);
	text = test_slurp(path);
	unlink(path);
	cr_expect(strstr(text, "GET http://127.0.0.1:") != NULL, "%s", text);
	cr_expect(strstr(text, "/debugged -> 502 (attempt 1 of 3)") != NULL, "%s", text);
	cr_expect(strstr(text, "/debugged -> 200 (attempt 2 of 3)") != NULL, "%s", text);
	cr_expect_null(strstr(text, TOKEN), "the token is in the debug output");
	cr_expect_null(strstr(text, "Bearer"));
	free(text);
	rt_http_response_free(&resp);
	rt_http_free(http);
}
