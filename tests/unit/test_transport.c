/*
 * http: the token crosses no network in clear (rt_http_check_transport),
 * and the rate-limit header values the retry policy reads are bounded.
 */
#include <criterion/criterion.h>
#include <limits.h>

#include "error.h"
#include "http.h"

static void teardown(void)
{
	rt_error_clear();
}

TestSuite(transport, .fini = teardown);

static void allowed(const char *url)
{
	cr_expect_eq(rt_http_check_transport(url, "the API URL (GITHUB_API_URL)"), 0, "%s: %s", url,
		     rt_error_last() ? rt_error_last()->message : "");
	rt_error_clear();
}

static void refused(const char *url)
{
	cr_expect_eq(rt_http_check_transport(url, "the API URL (GITHUB_API_URL)"), -1, "%s", url);
	cr_assert_not_null(rt_error_last(), "%s", url);
	cr_expect_eq(rt_error_last()->kind, RT_ERR_INPUT);
	cr_expect_not_null(strstr(rt_error_last()->message, "GITHUB_API_URL"));
	cr_expect_null(strstr(rt_error_last()->message, "s3cret"), "no password in %s", rt_error_last()->message);
	rt_error_clear();
}

Test(transport, https_anywhere)
{
	allowed("https://api.github.com");
	allowed("HTTPS://ghe.example.com/api/v3");
	allowed("https://10.0.0.1:8443/api/v3");
}

Test(transport, plain_http_only_to_loopback)
{
	allowed("http://127.0.0.1:8080");
	allowed("http://127.1.2.3/api/v3");
	allowed("http://localhost:3000/");
	allowed("http://LOCALHOST");
	allowed("http://[::1]:8080/api/v3");
	allowed("http://user@127.0.0.1:8080");
	refused("http://api.github.com");
	refused("http://10.0.0.1:8080/api/v3");
	refused("http://127.0.0.1.example.com/");
	refused("http://127.0.0.1@evil.example.com/");
	refused("http://user:s3cret@ghe.example.com/api/v3");
	refused("http://localhost.example.com");
	refused("http://[::2]:8080");
	refused("http://256.0.0.1");
	refused("ftp://127.0.0.1");
	refused("");
}

Test(transport, retry_after_forms)
{
	cr_expect_eq(rt_http_retry_after(NULL), -1);
	cr_expect_eq(rt_http_retry_after("0"), 0);
	cr_expect_eq(rt_http_retry_after("60"), 60);
	cr_expect_eq(rt_http_retry_after("soon"), -1);
	cr_expect_eq(rt_http_retry_after("Sun, 06 Nov 1994 08:49:37 GMT"), 0, "a past date: at once");
	cr_expect_eq(rt_http_retry_after("9223372036854775807"), RT_HTTP_MAX_RETRY_AFTER, "capped");
	cr_expect_eq(rt_http_retry_after("Fri, 31 Dec 9999 23:59:59 GMT"), RT_HTTP_MAX_RETRY_AFTER);
	cr_expect_eq(rt_http_ratelimit_reset("1700000000"), 1700000000L);
	cr_expect_eq(rt_http_ratelimit_reset("9223372036854775807"), RT_HTTP_MAX_RESET);
	cr_expect_eq(rt_http_ratelimit_reset(NULL), -1);
}
