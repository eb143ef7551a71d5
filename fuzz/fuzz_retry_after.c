/* libFuzzer target: the rate-limit headers the retry policy reads
 * (rt_http_retry_after: delta-seconds or an HTTP-date through
 * curl_getdate; rt_http_ratelimit_reset: epoch seconds). Results are -1
 * or within the caps, so the millisecond arithmetic of the retry policy
 * cannot overflow (UBSan would stop the run), and a plain number of
 * seconds reads as itself. */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *value = malloc(size + 1);
	long after, reset;
	volatile long ms;

	memcpy(value, data, size);
	value[size] = '\0';
	after = rt_http_retry_after(value);
	reset = rt_http_ratelimit_reset(value);
	if (after < -1 || after > RT_HTTP_MAX_RETRY_AFTER || reset > RT_HTTP_MAX_RESET)
		abort();
	ms = after * 1000; /* as classify() does */
	if (reset > LONG_MIN / 1000)
		ms = reset * 1000;
	(void)ms;
	if (size > 0 && size < 10 && strspn(value, "0123456789") == size && after != atol(value))
		abort();
	free(value);
	return 0;
}
