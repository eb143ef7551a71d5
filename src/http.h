/*
 * http: every HTTP exchange of the program, on libcurl.
 *
 * One client applies the cross-cutting rules once, so that no caller can
 * forget them: TLS always verified against one CA file (rt_http_ca_file),
 * proxies from HTTPS_PROXY/NO_PROXY (libcurl's own handling), connection
 * reuse through one curl handle, and retries of transient failures
 * (connection errors, timeouts, 5xx, 429, GitHub's secondary rate limit)
 * with exponential backoff and jitter that honours retry-after and
 * x-ratelimit-reset, failing with a clear message instead of waiting
 * longer than a bound. The token goes only into the Authorization header
 * and never into a message.
 */
#ifndef RT_HTTP_H
#define RT_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

typedef struct rt_http rt_http;

typedef struct {
	int max_retries;        /* retries of one request on transient failures */
	const char *token;      /* sent as "Authorization: Bearer ..."; may be NULL */
	long max_wait_seconds;  /* longest wait for one retry before failing instead (default 300) */
	long backoff_base_ms;   /* first backoff step (default 1000; env RELEASE_TRAIN_BACKOFF_MS overrides) */
	long timeout_seconds;   /* whole-request timeout for API calls (default 120) */
	long low_speed_limit;   /* bytes/s below which a transfer counts as stalled (default 1) */
	long low_speed_time;    /* seconds of stall before the attempt is aborted and retried
				 * (default 30; env RELEASE_TRAIN_LOW_SPEED_TIME overrides) */
} rt_http_options;

typedef struct {
	const char *method;       /* "GET", "POST", ... */
	const char *url;          /* absolute */
	const char *body;         /* request body or NULL */
	size_t body_len;
	const char *content_type; /* default application/json when body is set */
	const char *accept;       /* default application/vnd.github+json */
} rt_http_request;

typedef struct {
	long status;              /* final HTTP status (after retries) */
	rt_buf body;
	char *link_next;          /* URL of Link rel="next", or NULL */
	char *location;           /* Location header, or NULL */
	long ratelimit_remaining; /* -1 when absent */
	long ratelimit_reset;     /* epoch seconds, -1 when absent */
	int attempts;             /* how many times the request was sent */
	long retry_after;         /* retry-after in seconds, -1 when absent */
	bool rate_limited;        /* the final answer was a (primary or secondary) rate limit */
} rt_http_response;

/* SSL_CERT_FILE when set, else /etc/ssl/certs/ca-certificates.crt. */
const char *rt_http_ca_file(void);
/* curl_global_init once per process. */
int rt_http_global_init(void);
void rt_http_global_cleanup(void);

int rt_http_new(rt_http **out, const rt_http_options *opts);
void rt_http_free(rt_http *http);

/* Send one request, retrying transient failures. Returns 0 when a final
 * response arrived (any status: the caller judges 4xx/5xx), -1 with an
 * error recorded when none did (connection failure after every retry, or a
 * rate-limit wait over the bound). resp need not be initialised; free it
 * with rt_http_response_free whatever the result. */
int rt_http_send(rt_http *http, const rt_http_request *req, rt_http_response *resp);
void rt_http_response_free(rt_http_response *resp);

/* Whether a libcurl result (a CURLcode) is a transient transport failure
 * worth retrying: connection errors, timeouts, resets. The upload engine
 * (upload.c) judges its own transfers by the same rule. */
bool rt_http_curl_transient(int code);

/* The URL of rel="next" in a Link header value, or NULL (caller frees). */
char *rt_http_link_next(const char *link_header);

/* Rate-limit header values as the retry policy reads them (pure, for the
 * fuzz target): retry-after in seconds (delta-seconds or an HTTP-date),
 * x-ratelimit-reset in epoch seconds; -1 when absent or unreadable. Both
 * are capped (RT_HTTP_MAX_RETRY_AFTER, RT_HTTP_MAX_RESET) so that a
 * hostile value cannot overflow the millisecond arithmetic. */
#define RT_HTTP_MAX_RETRY_AFTER 1000000000L /* about 31 years */
#define RT_HTTP_MAX_RESET 10000000000000L   /* far past any real epoch, even one in ms; x1000 still fits */
long rt_http_retry_after(const char *value);
long rt_http_ratelimit_reset(const char *value);

/* The token never crosses a network in clear: 0 for an https:// URL or an
 * http:// one whose host is a loopback address (localhost, 127.0.0.0/8,
 * [::1]); otherwise an RT_ERR_INPUT error that names `what` (e.g. "the
 * API URL (GITHUB_API_URL)") and says what to do. rt_http_send checks
 * every request that carries the token the same way. */
int rt_http_check_transport(const char *url, const char *what);

#endif
