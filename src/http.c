/*
 * http: every HTTP exchange of the program, on one libcurl easy handle.
 *
 * The idea: one send loop owns every cross-cutting rule, so no caller can
 * forget one. Each attempt resets the handle (which keeps its live
 * connections, so requests reuse one keep-alive connection) and applies
 * the same options: verified TLS 1.2+ against rt_http_ca_file(), GitHub's
 * headers, a whole-request timeout and a low-speed limit that aborts a
 * stalled transfer. After an attempt, classify() decides whether the
 * answer is final or transient and how long to wait: GitHub's own
 * instructions (retry-after, x-ratelimit-reset) win over our exponential
 * backoff with jitter, and a wait longer than max_wait_seconds fails at
 * once with a message instead of hanging the job. The token lives only in
 * the header list and is never formatted into a message or debug line.
 */
#include "http.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "error.h"
#include "runner.h"

#define DEFAULT_CA_FILE "/etc/ssl/certs/ca-certificates.crt"
#define DEFAULT_MAX_WAIT_S 300L
#define DEFAULT_BACKOFF_MS 1000L
#define DEFAULT_TIMEOUT_S 120L
#define DEFAULT_LOW_SPEED_LIMIT 1L
#define DEFAULT_LOW_SPEED_TIME 30L
#define CONNECT_TIMEOUT_S 30L
#define MAX_BODY_BYTES (256UL * 1024 * 1024)
/* GitHub's docs: without retry-after, wait at least a minute after a
 * secondary rate limit; counted in backoff steps so tests can shrink it. */
#define SECONDARY_MIN_STEPS 60L

struct rt_http {
	CURL *curl;
	char *token;
	int max_retries;
	long max_wait_s;
	long backoff_ms;
	long timeout_s;
	long low_speed_limit;
	long low_speed_time;
	uint64_t rng;
	bool verbose; /* RELEASE_TRAIN_CURL_VERBOSE=1: libcurl's trace, redacted, on stderr */
	char errbuf[CURL_ERROR_SIZE];
};

/* What to do after one attempt. */
typedef enum {
	NEXT_DONE,      /* final answer */
	NEXT_BACKOFF,   /* transient: our own backoff */
	NEXT_INSTRUCTED /* GitHub said how long to wait: over the bound means fail */
} next_step;

typedef struct {
	next_step step;
	long wait_ms;
	const char *why; /* for debug lines and messages */
} verdict;

static bool global_ready;

const char *rt_http_ca_file(void)
{
	const char *env = getenv("SSL_CERT_FILE");
	return (env && *env) ? env : DEFAULT_CA_FILE;
}

int rt_http_global_init(void)
{
	if (global_ready)
		return 0;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return rt_error_set(RT_ERR_FAILED, "libcurl could not be initialised");
	global_ready = true;
	return 0;
}

void rt_http_global_cleanup(void)
{
	if (!global_ready)
		return;
	curl_global_cleanup();
	global_ready = false;
}

/* A non-negative number from the environment (test knobs), else fallback. */
static long env_long(const char *name, long fallback)
{
	const char *env = getenv(name);
	char *end;
	long v;

	if (!env || !*env)
		return fallback;
	errno = 0;
	v = strtol(env, &end, 10);
	if (errno || *end || v < 0)
		return fallback;
	return v;
}

static uint64_t seed_rng(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^ ((uint64_t)getpid() << 40) ^
	       0x9E3779B97F4A7C15ULL;
}

/* xorshift64*: jitter only needs to spread clients apart, not be secret. */
static uint64_t next_random(rt_http *http)
{
	uint64_t x = http->rng;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	http->rng = x;
	return x * 0x2545F4914F6CDD1DULL;
}

int rt_http_new(rt_http **out, const rt_http_options *opts)
{
	rt_http *http;

	*out = NULL;
	if (rt_http_global_init() < 0)
		return -1;
	http = rt_xcalloc(1, sizeof(*http));
	http->curl = curl_easy_init();
	if (!http->curl) {
		free(http);
		return rt_error_set(RT_ERR_FAILED, "libcurl could not create a handle");
	}
	http->token = (opts && opts->token && *opts->token) ? rt_xstrdup(opts->token) : NULL;
	http->max_retries = (opts && opts->max_retries > 0) ? opts->max_retries : 0;
	http->max_wait_s = (opts && opts->max_wait_seconds > 0) ? opts->max_wait_seconds
								  : DEFAULT_MAX_WAIT_S;
	http->backoff_ms = env_long("RELEASE_TRAIN_BACKOFF_MS",
				    (opts && opts->backoff_base_ms > 0) ? opts->backoff_base_ms
									 : DEFAULT_BACKOFF_MS);
	http->timeout_s = (opts && opts->timeout_seconds > 0) ? opts->timeout_seconds
							       : DEFAULT_TIMEOUT_S;
	http->low_speed_limit = (opts && opts->low_speed_limit > 0) ? opts->low_speed_limit
								     : DEFAULT_LOW_SPEED_LIMIT;
	http->low_speed_time = env_long("RELEASE_TRAIN_LOW_SPEED_TIME",
					(opts && opts->low_speed_time > 0) ? opts->low_speed_time
									   : DEFAULT_LOW_SPEED_TIME);
	if (http->low_speed_time < 1)
		http->low_speed_time = 1;
	http->rng = seed_rng();
	http->verbose = env_long("RELEASE_TRAIN_CURL_VERBOSE", 0) > 0;
	*out = http;
	return 0;
}

void rt_http_free(rt_http *http)
{
	if (!http)
		return;
	curl_easy_cleanup(http->curl);
	if (http->token) {
		memset(http->token, 0, strlen(http->token));
		free(http->token);
	}
	free(http);
}

void rt_http_response_free(rt_http_response *resp)
{
	if (!resp)
		return;
	rt_buf_free(&resp->body);
	free(resp->link_next);
	free(resp->location);
	resp->link_next = NULL;
	resp->location = NULL;
}

/* --- Link header ------------------------------------------------------- */

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* Past the current link-value: to the next ',' outside a quoted string. */
static const char *skip_link_value(const char *p)
{
	bool quoted = false;

	for (; *p; p++) {
		if (quoted && *p == '\\' && p[1])
			p++;
		else if (*p == '"')
			quoted = !quoted;
		else if (!quoted && *p == ',')
			return p + 1;
	}
	return p;
}

/* A parameter value (token or quoted-string) into out; returns the end. */
static const char *parse_param_value(const char *p, rt_buf *out)
{
	if (*p != '"') {
		while (*p && *p != ';' && *p != ',' && *p != ' ' && *p != '\t')
			rt_buf_putc(out, *p++);
		return p;
	}
	for (p++; *p && *p != '"'; p++) {
		if (*p == '\\' && p[1])
			p++;
		rt_buf_putc(out, *p);
	}
	return *p == '"' ? p + 1 : p;
}

/* Whether a rel value (space-separated relation types) names "next". */
static bool rel_has_next(const char *rel)
{
	const char *p = rel;

	while (*p) {
		size_t n;
		while (*p == ' ' || *p == '\t')
			p++;
		n = strcspn(p, " \t");
		if (n == 4 && strncasecmp(p, "next", 4) == 0)
			return true;
		p += n;
	}
	return false;
}

/* Parameters after <url>: sets *is_next when rel names "next". */
static const char *parse_link_params(const char *p, bool *is_next)
{
	rt_buf name = RT_BUF_INIT, value = RT_BUF_INIT;

	for (;;) {
		p = skip_ws(p);
		if (*p != ';')
			break;
		p = skip_ws(p + 1);
		rt_buf_truncate(&name, 0);
		rt_buf_truncate(&value, 0);
		while (*p && *p != '=' && *p != ';' && *p != ',' && *p != ' ' && *p != '\t')
			rt_buf_putc(&name, *p++);
		p = skip_ws(p);
		if (*p == '=')
			p = parse_param_value(skip_ws(p + 1), &value);
		if (strcasecmp(rt_buf_cstr(&name), "rel") == 0 && rel_has_next(rt_buf_cstr(&value)))
			*is_next = true;
	}
	rt_buf_free(&name);
	rt_buf_free(&value);
	return p;
}

/* The URL between '<' and '>' without surrounding blanks, or NULL when it
 * is empty or holds a control character or blank (never a usable URL). */
static char *link_url(const char *start, const char *end)
{
	while (start < end && (*start == ' ' || *start == '\t'))
		start++;
	while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (start == end)
		return NULL;
	for (const char *c = start; c < end; c++)
		if ((unsigned char)*c <= 0x20 || (unsigned char)*c == 0x7f)
			return NULL;
	return rt_xstrndup(start, (size_t)(end - start));
}

char *rt_http_link_next(const char *link_header)
{
	const char *p = link_header;

	if (!p)
		return NULL;
	while (*p) {
		const char *url, *end;
		bool is_next = false;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p != '<') {
			p = skip_link_value(p);
			continue;
		}
		url = p + 1;
		end = strchr(url, '>');
		if (!end)
			return NULL;
		p = parse_link_params(end + 1, &is_next);
		if (is_next) {
			char *found = link_url(url, end);
			if (found)
				return found;
		}
		p = skip_link_value(p);
	}
	return NULL;
}

/* --- one attempt --------------------------------------------------------- */

static size_t write_body(char *data, size_t size, size_t nmemb, void *userdata)
{
	rt_buf *body = userdata;
	size_t n = size * nmemb;

	if (body->len + n > MAX_BODY_BYTES)
		return 0; /* CURLE_WRITE_ERROR: not retried */
	rt_buf_put(body, data, n);
	return n;
}

/* "Name: value"; a NULL value sends "Name:", which removes a default header. */
static struct curl_slist *append_header(struct curl_slist *list, const char *name,
					const char *value)
{
	char *line = value ? rt_xsprintf("%s: %s", name, value) : rt_xsprintf("%s:", name);
	struct curl_slist *next = curl_slist_append(list, line);

	memset(line, 0, strlen(line));
	free(line);
	if (!next) {
		curl_slist_free_all(list);
		abort(); /* out of memory, as rt_x* */
	}
	return next;
}

static struct curl_slist *build_headers(const rt_http *http, const rt_http_request *req)
{
	struct curl_slist *h = NULL;

	h = append_header(h, "Accept", req->accept ? req->accept : "application/vnd.github+json");
	h = append_header(h, "X-GitHub-Api-Version", "2022-11-28");
	if (req->body)
		h = append_header(h, "Content-Type",
				  req->content_type ? req->content_type : "application/json");
	h = append_header(h, "Expect", NULL); /* no 100-continue round trip */
	if (http->token) {
		char *auth = rt_xsprintf("Bearer %s", http->token);
		h = append_header(h, "Authorization", auth);
		memset(auth, 0, strlen(auth));
		free(auth);
	}
	return h;
}

static bool method_has_body(const char *method)
{
	return strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0 ||
	       strcmp(method, "PATCH") == 0;
}

static void set_method(CURL *c, const rt_http_request *req)
{
	if (strcmp(req->method, "HEAD") == 0) {
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	} else if (strcmp(req->method, "GET") != 0) {
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method);
	}
	/* POST/PUT/PATCH always carry a body, if empty: GitHub wants a
	 * Content-Length on them. */
	if (req->body || method_has_body(req->method)) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body ? req->body : "");
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)(req->body ? req->body_len : 0));
	}
}

static int trace(CURL *c, curl_infotype type, char *data, size_t size, void *userp);

static void set_options(rt_http *http, const rt_http_request *req, struct curl_slist *headers,
			rt_buf *body)
{
	CURL *c = http->curl;

	curl_easy_reset(c); /* keeps live connections: keep-alive across requests */
	curl_easy_setopt(c, CURLOPT_URL, req->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(c, CURLOPT_POSTREDIR, (long)CURL_REDIR_POST_ALL);
	curl_easy_setopt(c, CURLOPT_CAINFO, rt_http_ca_file());
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "release-train/" RT_VERSION);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_S);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, http->timeout_s);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, http->low_speed_limit);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, http->low_speed_time);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, http->errbuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
	if (http->verbose) {
		curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, trace);
		curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);
	}
	set_method(c, req);
}

/* --- transport rules ------------------------------------------------------ */

static bool is_loopback_host(const char *host, size_t n)
{
	unsigned a, b, c, d;
	char tail;
	char *h;
	bool loopback;

	if ((n == 9 && strncasecmp(host, "localhost", 9) == 0) ||
	    (n == 5 && strncmp(host, "[::1]", 5) == 0))
		return true;
	h = rt_xstrndup(host, n);
	loopback = sscanf(h, "%3u.%3u.%3u.%3u%c", &a, &b, &c, &d, &tail) == 4 && a == 127 &&
		   b < 256 && c < 256 && d < 256;
	free(h);
	return loopback;
}

int rt_http_check_transport(const char *url, const char *what)
{
	const char *host = url, *end, *at;

	if (strncasecmp(url, "https://", 8) == 0)
		return 0;
	if (strncasecmp(url, "http://", 7) == 0) {
		host = url + 7;
		end = host + strcspn(host, "/?#");
		at = memchr(host, '@', (size_t)(end - host));
		if (at)
			host = at + 1; /* a user:password never shows in the message */
		if (*host == '[')
			end = host + strcspn(host, "]/") + (host[strcspn(host, "]/")] == ']');
		else
			end = host + strcspn(host, ":/?#");
		if (is_loopback_host(host, (size_t)(end - host)))
			return 0;
		return rt_error_set(RT_ERR_INPUT,
				    "%s is plain http:// to %.*s: release-train sends the token only "
				    "over HTTPS (plain http:// only to a loopback address, such as "
				    "http://127.0.0.1:8080 for a local test server); use the https:// URL",
				    what, (int)(end - host), host);
	}
	return rt_error_set(RT_ERR_INPUT, "%s must start with https://", what);
}

/* RELEASE_TRAIN_CURL_VERBOSE=1: libcurl's own trace (connections, TLS,
 * headers both ways; never bodies) on stderr, each line redacted by the
 * runner, and the Authorization headers shown by their scheme only. */
static int trace(CURL *c, curl_infotype type, char *data, size_t size, void *userp)
{
	const char *prefix, *end = data + size;

	(void)c;
	(void)userp;
	switch (type) {
	case CURLINFO_TEXT: prefix = "*"; break;
	case CURLINFO_HEADER_OUT: prefix = ">"; break;
	case CURLINFO_HEADER_IN: prefix = "<"; break;
	default: return 0;
	}
	while (data < end) {
		const char *nl = memchr(data, '\n', (size_t)(end - data));
		size_t n = nl ? (size_t)(nl - data) : (size_t)(end - data);
		char *line = rt_xstrndup(data, n && data[n - 1] == '\r' ? n - 1 : n), *shown;

		if (strncasecmp(line, "authorization:", 14) == 0 ||
		    strncasecmp(line, "proxy-authorization:", 20) == 0) {
			char *v = strchr(line, ':') + 1;
			v += strspn(v, " ");
			v[strcspn(v, " ")] = '\0'; /* the scheme: "Bearer" */
			shown = rt_xsprintf("%.*s %s ***", (int)(strchr(line, ':') - line + 1), line, v);
		} else {
			shown = rt_runner_redact(line);
		}
		if (*shown)
			fprintf(stderr, "curl: %s %s\n", prefix, shown);
		free(shown);
		free(line);
		data += n + (nl ? 1 : 0);
	}
	return 0;
}

/* The value of a response header of the last response (after redirects). */
static const char *header_value(CURL *c, const char *name, size_t index)
{
	struct curl_header *h = NULL;

	if (curl_easy_header(c, name, index, CURLH_HEADER, -1, &h) != CURLHE_OK || !h)
		return NULL;
	return h->value;
}

static long parse_long(const char *s, long fallback)
{
	char *end;
	long v;

	if (!s)
		return fallback;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s)
		return fallback;
	return *skip_ws(end) ? fallback : v;
}

/* retry-after: delta-seconds or an HTTP-date. */
long rt_http_retry_after(const char *s)
{
	long v;
	time_t when, now;

	if (!s)
		return -1;
	v = parse_long(s, -1);
	if (v >= 0)
		return v < RT_HTTP_MAX_RETRY_AFTER ? v : RT_HTTP_MAX_RETRY_AFTER;
	when = curl_getdate(s, NULL);
	if (when == (time_t)-1)
		return -1;
	now = time(NULL);
	if (when <= now)
		return 0;
	return when - now < RT_HTTP_MAX_RETRY_AFTER ? (long)(when - now) : RT_HTTP_MAX_RETRY_AFTER;
}

long rt_http_ratelimit_reset(const char *s)
{
	long v = parse_long(s, -1);
	return v < RT_HTTP_MAX_RESET ? v : RT_HTTP_MAX_RESET;
}

static void read_headers(CURL *c, rt_http_response *resp)
{
	struct curl_header *h = NULL;
	const char *v;

	free(resp->link_next);
	free(resp->location);
	resp->link_next = NULL;
	resp->location = NULL;
	if (curl_easy_header(c, "link", 0, CURLH_HEADER, -1, &h) == CURLHE_OK && h) {
		size_t amount = h->amount;
		for (size_t i = 0; i < amount && !resp->link_next; i++) {
			v = header_value(c, "link", i);
			resp->link_next = v ? rt_http_link_next(v) : NULL;
		}
	}
	v = header_value(c, "location", 0);
	resp->location = (v && *v) ? rt_xstrdup(v) : NULL;
	resp->ratelimit_remaining = parse_long(header_value(c, "x-ratelimit-remaining", 0), -1);
	resp->ratelimit_reset = rt_http_ratelimit_reset(header_value(c, "x-ratelimit-reset", 0));
	resp->retry_after = rt_http_retry_after(header_value(c, "retry-after", 0));
}

/* --- retry policy -------------------------------------------------------- */

bool rt_http_curl_transient(int code)
{
	switch ((CURLcode)code) {
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_WEIRD_SERVER_REPLY:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_HTTP3:
		return true;
	default:
		return false;
	}
}

/* Exponential backoff with "equal jitter": half fixed, half random. */
static long backoff_ms(rt_http *http, int retry)
{
	long step = http->backoff_ms;
	long cap = http->max_wait_s * 1000;

	for (int i = 0; i < retry && step < cap; i++)
		step *= 2;
	if (step > cap)
		step = cap;
	if (step < 2)
		return step;
	return step / 2 + (long)(next_random(http) % (uint64_t)(step / 2 + 1));
}

/* GitHub's "message", or the raw body when it is not JSON. */
static bool body_mentions_rate_limit(const rt_buf *body)
{
	cJSON *json;
	const cJSON *msg;
	bool found = false;

	if (body->len == 0)
		return false;
	json = cJSON_ParseWithLength(body->ptr, body->len);
	msg = cJSON_GetObjectItemCaseSensitive(json, "message");
	if (cJSON_IsString(msg))
		found = strcasestr(msg->valuestring, "rate limit") != NULL;
	else if (!json)
		found = strcasestr(rt_buf_cstr(body), "rate limit") != NULL;
	cJSON_Delete(json);
	return found;
}

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* 403/429: primary limit, secondary limit, or (403 only) a final refusal. */
static verdict classify_limit(rt_http *http, rt_http_response *resp, int retry)
{
	verdict v = {NEXT_DONE, 0, NULL};

	if (resp->ratelimit_remaining == 0 && resp->ratelimit_reset > 0) {
		long wait = resp->ratelimit_reset * 1000 - now_ms();
		long margin = http->backoff_ms < 1000 ? http->backoff_ms : 1000;
		resp->rate_limited = true;
		return (verdict){NEXT_INSTRUCTED, (wait > 0 ? wait : 0) + margin,
				 "primary rate limit (x-ratelimit-remaining: 0)"};
	}
	if (resp->retry_after >= 0) {
		resp->rate_limited = true;
		return (verdict){NEXT_INSTRUCTED, resp->retry_after * 1000,
				 "secondary rate limit"};
	}
	if (body_mentions_rate_limit(&resp->body)) {
		resp->rate_limited = true;
		v = (verdict){NEXT_BACKOFF, backoff_ms(http, retry), "secondary rate limit"};
		if (v.wait_ms < SECONDARY_MIN_STEPS * http->backoff_ms)
			v.wait_ms = SECONDARY_MIN_STEPS * http->backoff_ms;
		return v;
	}
	if (resp->status == 429) {
		resp->rate_limited = true;
		return (verdict){NEXT_BACKOFF, backoff_ms(http, retry), "429 Too Many Requests"};
	}
	return v;
}

static verdict classify(rt_http *http, CURLcode rc, rt_http_response *resp, int retry)
{
	resp->rate_limited = false;
	if (rc != CURLE_OK) {
		if (rt_http_curl_transient(rc))
			return (verdict){NEXT_BACKOFF, backoff_ms(http, retry), "connection error"};
		return (verdict){NEXT_DONE, 0, NULL};
	}
	if (resp->status >= 500) {
		if (resp->retry_after >= 0)
			return (verdict){NEXT_INSTRUCTED, resp->retry_after * 1000,
					 "server error"};
		return (verdict){NEXT_BACKOFF, backoff_ms(http, retry), "server error"};
	}
	if (resp->status == 403 || resp->status == 429)
		return classify_limit(http, resp, retry);
	return (verdict){NEXT_DONE, 0, NULL};
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (ms > 0 && nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* "90 s", or "3599 s (about 60 min)" for waits a reader counts in minutes. */
static void format_wait(char *out, size_t size, long secs)
{
	if (secs >= 120)
		snprintf(out, size, "%ld s (about %ld min)", secs, (secs + 30) / 60);
	else
		snprintf(out, size, "%ld s", secs);
}

static int fail_wait_too_long(const rt_http *http, const rt_http_request *req,
			      const rt_http_response *resp, const verdict *v)
{
	char wait[64];

	format_wait(wait, sizeof(wait), (v->wait_ms + 999) / 1000);
	if (resp->rate_limited && resp->ratelimit_remaining == 0 && resp->ratelimit_reset > 0) {
		time_t reset = (time_t)resp->ratelimit_reset;
		char when[64] = "";
		struct tm tm;
		if (gmtime_r(&reset, &tm))
			strftime(when, sizeof(when), " (until %Y-%m-%d %H:%M:%S UTC)", &tm);
		return rt_error_set(RT_ERR_FAILED,
				    "GitHub asked to wait %s%s before retrying %s %s: the API rate "
				    "limit of this token is used up (x-ratelimit-remaining: 0). That "
				    "is longer than the %ld s this run may wait, so it stops here: "
				    "re-run the job after that time, or make fewer requests with "
				    "this token.",
				    wait, when, req->method, req->url, http->max_wait_s);
	}
	return rt_error_set(RT_ERR_FAILED,
			    "GitHub asked to wait %s (retry-after) before retrying %s %s "
			    "(HTTP %ld, %s). That is longer than the %ld s this run may wait, so "
			    "it stops here: re-run the job later, and avoid many jobs writing to "
			    "GitHub at the same time.",
			    wait, req->method, req->url, resp->status, v->why, http->max_wait_s);
}

static int fail_transport(const rt_http *http, const rt_http_request *req, CURLcode rc,
			  int attempts)
{
	const char *detail = http->errbuf[0] ? http->errbuf : curl_easy_strerror(rc);

	switch (rc) {
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_ISSUER_ERROR:
		return rt_error_set(RT_ERR_FAILED,
				    "%s %s: TLS verification failed (%s). The CA bundle used is "
				    "%s; set SSL_CERT_FILE to the bundle that signs this server.",
				    req->method, req->url, detail, rt_http_ca_file());
	case CURLE_WRITE_ERROR:
		return rt_error_set(RT_ERR_FAILED, "%s %s: the answer is larger than %lu MiB",
				    req->method, req->url, MAX_BODY_BYTES / (1024 * 1024));
	default:
		return rt_error_set(RT_ERR_FAILED,
				    "%s %s failed after %d attempt%s: %s. Check the network, the "
				    "API URL (GITHUB_API_URL) and HTTPS_PROXY/NO_PROXY.",
				    req->method, req->url, attempts, attempts == 1 ? "" : "s",
				    detail);
	}
}

static CURLcode attempt_once(rt_http *http, const rt_http_request *req,
			     struct curl_slist *headers, rt_http_response *resp)
{
	CURLcode rc;
	long status = 0;

	rt_buf_truncate(&resp->body, 0);
	http->errbuf[0] = '\0';
	set_options(http, req, headers, &resp->body);
	rc = curl_easy_perform(http->curl);
	curl_easy_getinfo(http->curl, CURLINFO_RESPONSE_CODE, &status);
	resp->status = rc == CURLE_OK ? status : 0;
	resp->attempts++;
	if (rc == CURLE_OK)
		read_headers(http->curl, resp);
	return rc;
}

static void debug_attempt(const rt_http *http, const rt_http_request *req,
			  const rt_http_response *resp, CURLcode rc)
{
	if (!rt_runner_debug_enabled())
		return;
	if (rc != CURLE_OK)
		rt_runner_debug("HTTP %s %s -> %s (attempt %d of %d)", req->method, req->url,
				curl_easy_strerror(rc), resp->attempts, http->max_retries + 1);
	else
		rt_runner_debug("HTTP %s %s -> %ld (attempt %d of %d)", req->method, req->url,
				resp->status, resp->attempts, http->max_retries + 1);
}

static void init_response(rt_http_response *resp)
{
	memset(resp, 0, sizeof(*resp));
	resp->ratelimit_remaining = -1;
	resp->ratelimit_reset = -1;
	resp->retry_after = -1;
}

int rt_http_send(rt_http *http, const rt_http_request *req, rt_http_response *resp)
{
	struct curl_slist *headers = NULL;
	CURLcode rc = CURLE_OK;
	int error = 0;

	init_response(resp);
	if (!req->method || !req->url)
		return rt_error_set(RT_ERR_FAILED, "internal: HTTP request without method or URL");
	if (http->token && rt_http_check_transport(req->url, "a request URL") < 0)
		return -1;
	headers = build_headers(http, req);
	for (int retry = 0;; retry++) {
		verdict v;

		rc = attempt_once(http, req, headers, resp);
		debug_attempt(http, req, resp, rc);
		v = classify(http, rc, resp, retry);
		if (v.step == NEXT_DONE || retry >= http->max_retries)
			break;
		if (v.step == NEXT_INSTRUCTED && v.wait_ms > http->max_wait_s * 1000) {
			error = fail_wait_too_long(http, req, resp, &v);
			goto cleanup;
		}
		if (v.wait_ms > http->max_wait_s * 1000)
			v.wait_ms = http->max_wait_s * 1000;
		rt_runner_debug("HTTP %s %s: %s, retrying in %ld ms", req->method, req->url, v.why,
				v.wait_ms);
		sleep_ms(v.wait_ms);
	}
	if (rc != CURLE_OK)
		error = fail_transport(http, req, rc, resp->attempts);

cleanup:
	curl_slist_free_all(headers);
	return error;
}
