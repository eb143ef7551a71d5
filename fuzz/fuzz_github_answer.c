/* libFuzzer target: how every GitHub call judges GitHub's answer
 * (rt_github_judge_answer: the status, the rate-limit state and the body
 * as GitHub sent it). The input is status (2 bytes), flags (1 byte) and
 * the body. A 2xx answer parses (or fails as "not JSON"); any other
 * answer becomes exactly one error message that is one line without
 * control characters, never contains the token (even when the body
 * quotes it), returns RT_ENOTFOUND exactly for 404 and RT_EEXISTS only
 * for 422. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "github.h"
#include "http.h"

#define TOKEN "ghs_FuzzT0kenFuzzT0kenFuzzT0kenFuzz0123"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static rt_github *gh;
	static const char *const permissions[] = {"contents: write", RT_GITHUB_PR_PERMISSION, NULL};
	rt_github_options opts = {"https://api.github.com", "octo/demo", TOKEN, 0};
	rt_http_response resp;
	cJSON *json = NULL;
	int error;

	if (size < 3)
		return 0;
	if (!gh && rt_github_new(&gh, &opts) < 0)
		abort();
	memset(&resp, 0, sizeof(resp));
	resp.status = 100 + (long)(((unsigned)data[0] << 8 | data[1]) % 500);
	resp.attempts = 1 + (data[2] & 7);
	resp.rate_limited = data[2] & 8;
	resp.ratelimit_remaining = (data[2] & 16) ? 0 : -1;
	resp.ratelimit_reset = (data[2] & 32) ? 1700000000 : -1;
	resp.retry_after = -1;
	rt_buf_put(&resp.body, data + 3, size - 3);
	error = rt_github_judge_answer(gh, (data[2] & 64) ? NULL : &json, "POST",
				       "https://api.github.com/repos/octo/demo/git/refs", &resp,
				       permissions[(data[2] >> 6) % 3]);
	if (resp.status >= 200 && resp.status <= 299) {
		if (error == 0 && rt_error_last())
			abort();
	} else {
		const rt_error *e = rt_error_last();
		if (!e || !e->message || strstr(e->message, TOKEN))
			abort();
		for (const char *c = e->message; *c; c++)
			if ((unsigned char)*c < 0x20 || (unsigned char)*c == 0x7f)
				abort();
		if ((error == RT_ENOTFOUND) != (resp.status == 404))
			abort();
		if (error == RT_EEXISTS && resp.status != 422)
			abort();
		if (error != RT_ENOTFOUND && error != RT_EEXISTS && error != -1)
			abort();
		if (json)
			abort();
	}
	cJSON_Delete(json);
	rt_buf_free(&resp.body);
	rt_error_clear();
	return 0;
}
