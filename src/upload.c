/*
 * upload: parallel, streaming, verified asset uploads (see upload.h).
 *
 * The idea: one curl multi handle drives up to `concurrency` easy handles,
 * each reading its file through a callback that also feeds SHA-256, so a
 * byte is read from disk once, hashed once and sent once, and memory is a
 * few upload buffers whatever the asset sizes. When a transfer ends, its
 * answer is judged here (GitHub's own retry instructions first, then
 * exponential backoff with jitter); a job that must be retried goes back
 * to the queue with a time before which it does not start, after the
 * caller's recover callback has cleared the name on GitHub, while the
 * other transfers keep running. Connections stay in the multi handle's
 * cache, so consecutive uploads reuse them.
 */
#include "upload.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "buf.h"
#include "error.h"
#include "github.h"
#include "http.h"
#include "runner.h"

#define UPLOAD_BUFFER (512L * 1024)
#define MAX_ANSWER (1024 * 1024)
#define DEFAULT_BACKOFF_MS 1000L
#define MAX_BACKOFF_MS 60000L
#define MAX_WAIT_MS 300000L
#define DEFAULT_LOW_SPEED_TIME 30L
#define LOW_SPEED_LIMIT 1024L
#define CONNECT_TIMEOUT_S 30L
#define PROGRESS_EVERY_S 5L /* env RELEASE_TRAIN_PROGRESS_S overrides (tests) */

typedef struct {
	rt_upload_job *job;
	CURL *easy;
	int fd;
	size_t mem_off;
	rt_sha256 sha;
	uint64_t sent;        /* bytes handed to libcurl this attempt */
	rt_buf answer;
	struct curl_slist *headers;
	char errbuf[CURL_ERROR_SIZE];
	long started_ms;
	long progress_ms;     /* last progress line */
} transfer;

typedef struct {
	long next_at_ms;      /* do not start before */
	int retries;
	transfer *running;
} job_slot;

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long env_long(const char *name, long fallback)
{
	const char *v = getenv(name);
	char *end;
	long n;

	if (!v || !*v)
		return fallback;
	errno = 0;
	n = strtol(v, &end, 10);
	return (errno || *end || n < 0) ? fallback : n;
}

/* --- small pure helpers ----------------------------------------------------- */

char *rt_upload_base_url(const char *upload_url)
{
	const char *brace = strchr(upload_url, '{');
	return brace ? rt_xstrndup(upload_url, (size_t)(brace - upload_url)) : rt_xstrdup(upload_url);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

const char *rt_upload_content_type(const char *name)
{
	static const struct {
		const char *ext, *type;
	} table[] = {
		{".tar.gz", "application/gzip"}, {".tgz", "application/gzip"},
		{".gz", "application/gzip"}, {".tar.xz", "application/x-xz"},
		{".xz", "application/x-xz"}, {".tar.zst", "application/zstd"},
		{".zst", "application/zstd"}, {".bz2", "application/x-bzip2"},
		{".tar", "application/x-tar"}, {".zip", "application/zip"},
		{".7z", "application/x-7z-compressed"}, {".json", "application/json"},
		{".txt", "text/plain"}, {".md", "text/markdown"}, {".sha256", "text/plain"},
		{".asc", "application/pgp-signature"}, {".sig", "application/pgp-signature"},
		{".pem", "application/x-pem-file"}, {".wasm", "application/wasm"},
		{".deb", "application/vnd.debian.binary-package"}, {".rpm", "application/x-rpm"},
		{".msi", "application/x-msi"}, {".exe", "application/vnd.microsoft.portable-executable"},
		{".dmg", "application/x-apple-diskimage"}, {".pdf", "application/pdf"},
		{".html", "text/html"}, {".xml", "application/xml"}, {".yaml", "application/yaml"},
		{".yml", "application/yaml"},
	};

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (ends_with(name, table[i].ext))
			return table[i].type;
	if (strcasecmp(name, "SHA256SUMS") == 0 || ends_with(name, "SUMS"))
		return "text/plain";
	return "application/octet-stream";
}

bool rt_upload_asset_matches(const cJSON *asset, uint64_t size, const char *sha256,
			     const char **why)
{
	const cJSON *jsize = cJSON_GetObjectItemCaseSensitive(asset, "size");
	const cJSON *digest = cJSON_GetObjectItemCaseSensitive(asset, "digest");
	const cJSON *state = cJSON_GetObjectItemCaseSensitive(asset, "state");
	const char *reason = NULL;

	if (cJSON_IsString(state) && strcmp(state->valuestring, "uploaded") != 0)
		reason = "its state is not uploaded";
	else if (!cJSON_IsNumber(jsize) || jsize->valuedouble != (double)size)
		reason = "its size differs";
	else if (!cJSON_IsString(digest))
		reason = "GitHub gave no digest";
	else if (strncmp(digest->valuestring, "sha256:", 7) != 0 || !sha256 ||
		 strcasecmp(digest->valuestring + 7, sha256) != 0)
		reason = "its SHA-256 digest differs";
	if (why)
		*why = reason;
	return reason == NULL;
}

/* --- one transfer ------------------------------------------------------------ */

static size_t read_body(char *buf, size_t size, size_t nitems, void *userdata)
{
	transfer *t = userdata;
	size_t want = size * nitems, got = 0;
	uint64_t left = t->job->size - t->sent;

	if (want > left)
		want = (size_t)left;
	if (want == 0)
		return 0;
	if (t->job->data) {
		memcpy(buf, t->job->data + t->mem_off, want);
		t->mem_off += want;
		got = want;
	} else {
		while (got < want) {
			ssize_t n = read(t->fd, buf + got, want - got);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			got += (size_t)n;
		}
		if (got == 0)
			return CURL_READFUNC_ABORT; /* the file shrank under us */
	}
	rt_sha256_update(&t->sha, buf, got);
	t->sent += got;
	return got;
}

/* libcurl rewinds to 0 before it re-sends a body (e.g. on a redirect). */
static int seek_body(void *userdata, curl_off_t offset, int origin)
{
	transfer *t = userdata;

	if (offset != 0 || origin != SEEK_SET)
		return CURL_SEEKFUNC_CANTSEEK;
	if (!t->job->data && lseek(t->fd, 0, SEEK_SET) < 0)
		return CURL_SEEKFUNC_FAIL;
	t->mem_off = 0;
	t->sent = 0;
	rt_sha256_init(&t->sha);
	return CURL_SEEKFUNC_OK;
}

static size_t write_answer(char *data, size_t size, size_t nmemb, void *userdata)
{
	rt_buf *answer = userdata;
	size_t n = size * nmemb;

	if (answer->len + n > MAX_ANSWER)
		return 0;
	rt_buf_put(answer, data, n);
	return n;
}

static struct curl_slist *add_header(struct curl_slist *list, const char *line)
{
	struct curl_slist *next = curl_slist_append(list, line);

	if (!next)
		abort(); /* out of memory, as rt_x* */
	return next;
}

static void transfer_free(transfer *t)
{
	if (!t)
		return;
	if (t->easy)
		curl_easy_cleanup(t->easy);
	if (t->fd >= 0)
		close(t->fd);
	curl_slist_free_all(t->headers);
	rt_buf_free(&t->answer);
	free(t);
}

static char *asset_url(const char *base, const rt_upload_job *job)
{
	char *name = rt_github_escape(job->name, false);
	char *url;

	if (job->label && *job->label) {
		char *label = rt_github_escape(job->label, false);
		url = rt_xsprintf("%s%cname=%s&label=%s", base, strchr(base, '?') ? '&' : '?', name, label);
		free(label);
	} else {
		url = rt_xsprintf("%s%cname=%s", base, strchr(base, '?') ? '&' : '?', name);
	}
	free(name);
	return url;
}

static int transfer_start(transfer **out, rt_upload_job *job, const char *base,
			  const char *token, long low_speed_time)
{
	transfer *t = rt_xcalloc(1, sizeof(*t));
	char *url = NULL, *line;
	CURL *c;

	*out = NULL;
	t->job = job;
	t->fd = -1;
	if (!job->data) {
		t->fd = open(job->path, O_RDONLY | O_CLOEXEC);
		if (t->fd < 0) {
			rt_error_set_at(RT_ERR_FAILED, job->path, 0, "cannot open %s: %s", job->path,
					strerror(errno));
			transfer_free(t);
			return -1;
		}
	}
	rt_sha256_init(&t->sha);
	t->easy = c = curl_easy_init();
	if (!c) {
		transfer_free(t);
		return rt_error_set(RT_ERR_FAILED, "libcurl could not create a handle");
	}
	line = rt_xsprintf("Content-Type: %s",
			   job->content_type ? job->content_type : rt_upload_content_type(job->name));
	t->headers = add_header(t->headers, line);
	free(line);
	t->headers = add_header(t->headers, "Accept: application/vnd.github+json");
	t->headers = add_header(t->headers, "X-GitHub-Api-Version: 2022-11-28");
	t->headers = add_header(t->headers, "Expect:");
	if (token && *token) {
		line = rt_xsprintf("Authorization: Bearer %s", token);
		t->headers = add_header(t->headers, line);
		memset(line, 0, strlen(line));
		free(line);
	}
	url = asset_url(base, job);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_CAINFO, rt_http_ca_file());
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "release-train/" RT_VERSION);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, t->headers);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_S);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, LOW_SPEED_LIMIT);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, low_speed_time);
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)job->size);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, read_body);
	curl_easy_setopt(c, CURLOPT_READDATA, t);
	curl_easy_setopt(c, CURLOPT_SEEKFUNCTION, seek_body);
	curl_easy_setopt(c, CURLOPT_SEEKDATA, t);
	curl_easy_setopt(c, CURLOPT_UPLOAD_BUFFERSIZE, UPLOAD_BUFFER);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_answer);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &t->answer);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, t->errbuf);
	curl_easy_setopt(c, CURLOPT_PRIVATE, t);
	free(url);
	t->started_ms = t->progress_ms = now_ms();
	*out = t;
	return 0;
}

/* --- judging an attempt --------------------------------------------------------- */

typedef enum { OUTCOME_DONE, OUTCOME_RETRY, OUTCOME_FAIL } outcome;

typedef struct {
	outcome what;
	long wait_ms;         /* RETRY: GitHub's instruction, or -1 for our backoff */
	long long bad_asset;  /* an accepted asset that failed verification */
	char *why;            /* RETRY/FAIL: a reason (owned) */
} verdict;

static const char *header_of(CURL *c, const char *name)
{
	struct curl_header *h = NULL;

	if (curl_easy_header(c, name, 0, CURLH_HEADER, -1, &h) != CURLHE_OK || !h)
		return NULL;
	return h->value;
}

/* GitHub's message (and the errors[] codes) from an error answer. */
static char *github_message(const rt_buf *answer)
{
	cJSON *json = answer->len ? cJSON_ParseWithLength(answer->ptr, answer->len) : NULL;
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(json, "message");
	const cJSON *errors = cJSON_GetObjectItemCaseSensitive(json, "errors"), *e;
	rt_buf out = RT_BUF_INIT;

	if (cJSON_IsString(msg))
		rt_buf_puts(&out, msg->valuestring);
	else if (answer->len)
		rt_buf_printf(&out, "%.200s", rt_buf_cstr(answer));
	else
		rt_buf_puts(&out, "(no message)");
	cJSON_ArrayForEach(e, errors)
	{
		const cJSON *code = cJSON_GetObjectItemCaseSensitive(e, "code");
		const cJSON *field = cJSON_GetObjectItemCaseSensitive(e, "field");
		const cJSON *emsg = cJSON_GetObjectItemCaseSensitive(e, "message");
		rt_buf_printf(&out, "; %s%s%s", cJSON_IsString(field) ? field->valuestring : "",
			      cJSON_IsString(field) ? " " : "",
			      cJSON_IsString(emsg) ? emsg->valuestring
						   : cJSON_IsString(code) ? code->valuestring : "");
	}
	cJSON_Delete(json);
	return rt_buf_detach(&out);
}

static long retry_after_ms(CURL *c)
{
	const char *v = header_of(c, "retry-after");
	char *end;
	long s;

	if (!v)
		return -1;
	errno = 0;
	s = strtol(v, &end, 10);
	if (errno || end == v || s < 0)
		return -1;
	return s * 1000;
}

/* x-ratelimit-remaining: 0 with a reset time: wait until then. */
static long primary_limit_ms(CURL *c)
{
	const char *rem = header_of(c, "x-ratelimit-remaining");
	const char *reset = header_of(c, "x-ratelimit-reset");
	long wait;

	if (!rem || strcmp(rem, "0") != 0 || !reset)
		return -1;
	wait = (strtol(reset, NULL, 10) - (long)time(NULL)) * 1000;
	return wait > 0 ? wait + 1000 : 1000;
}

static verdict judge(transfer *t, CURLcode rc)
{
	rt_upload_job *job = t->job;
	verdict v = {OUTCOME_FAIL, -1, 0, NULL};
	long status = 0;

	if (rc != CURLE_OK) {
		const char *detail = t->errbuf[0] ? t->errbuf : curl_easy_strerror(rc);
		if (rc == CURLE_OPERATION_TIMEDOUT)
			v.why = rt_xsprintf("stalled (%s)", detail);
		else
			v.why = rt_xstrdup(detail);
		v.what = rt_http_curl_transient(rc) ? OUTCOME_RETRY : OUTCOME_FAIL;
		return v;
	}
	curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
	if (status == 201 || status == 200) {
		cJSON *asset = cJSON_ParseWithLength(t->answer.ptr, t->answer.len);
		const char *why = NULL;
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(asset, "id");

		if (!cJSON_IsObject(asset) || !cJSON_IsNumber(id)) {
			cJSON_Delete(asset);
			v.what = OUTCOME_RETRY;
			v.why = rt_xsprintf("GitHub answered %ld without an asset", status);
			return v;
		}
		if (t->sent == job->size && rt_upload_asset_matches(asset, job->size, job->sha256, &why)) {
			job->asset = asset;
			v.what = OUTCOME_DONE;
			return v;
		}
		if (!why)
			why = "not every byte was sent";
		v.what = OUTCOME_RETRY;
		v.bad_asset = (long long)id->valuedouble;
		v.why = rt_xsprintf("GitHub stored it, but %s (sent %llu bytes with SHA-256 %s)", why,
				    (unsigned long long)t->sent, job->sha256);
		cJSON_Delete(asset);
		return v;
	}
	{
		char *msg = github_message(&t->answer);
		long ra = retry_after_ms(t->easy), pl = primary_limit_ms(t->easy);
		bool limited = (status == 403 || status == 429) &&
			       (ra >= 0 || pl >= 0 || status == 429 || strcasestr(msg, "rate limit"));

		v.why = rt_xsprintf("GitHub answered %ld: %s", status, msg);
		free(msg);
		if (status >= 500 || limited) {
			v.what = OUTCOME_RETRY;
			v.wait_ms = ra >= 0 ? ra : pl;
		} else if (status == 422 && strstr(v.why, "already_exists")) {
			v.what = OUTCOME_RETRY; /* a starter asset, or our own lost answer */
			v.wait_ms = 0;
		} else if (status == 401 || status == 403 || status == 404) {
			char *hint = rt_xsprintf("%s. The token needs the `contents: write` permission (workflow `permissions:` block)",
						 v.why);
			free(v.why);
			v.why = hint;
		}
	}
	return v;
}

/* --- the loop ---------------------------------------------------------------------- */

typedef struct {
	rt_upload_job *jobs;
	job_slot *slots;
	size_t count;
	const rt_upload_options *opts;
	char *base;
	CURLM *multi;
	size_t running, left;
	long backoff_ms, low_speed_time, progress_ms;
	uint64_t rng;
} uploader;

static long backoff(uploader *u, int retry)
{
	long step = u->backoff_ms;

	for (int i = 0; i < retry && step < MAX_BACKOFF_MS; i++)
		step *= 2;
	if (step > MAX_BACKOFF_MS)
		step = MAX_BACKOFF_MS;
	u->rng ^= u->rng << 13;
	u->rng ^= u->rng >> 7;
	u->rng ^= u->rng << 17;
	return step / 2 + (long)(u->rng % (uint64_t)(step / 2 + 1));
}

static void fail_job(uploader *u, rt_upload_job *job, const char *why)
{
	job->state = RT_UPLOAD_FAILED;
	free(job->error);
	job->error = rt_xstrdup(why);
	u->left--;
	rt_runner_warning("Upload of %s failed: %s", job->name, why);
}

static void finish(uploader *u, transfer *t, CURLcode rc)
{
	rt_upload_job *job = t->job;
	job_slot *slot = &u->slots[job - u->jobs];
	verdict v;

	job->attempts++;
	if (t->sent == job->size)
		rt_sha256_final_hex(&t->sha, job->sha256);
	else
		job->sha256[0] = '\0';
	v = judge(t, rc);
	curl_multi_remove_handle(u->multi, t->easy);
	slot->running = NULL;
	u->running--;
	if (v.what == OUTCOME_DONE) {
		job->state = RT_UPLOAD_DONE;
		job->seconds = (double)(now_ms() - t->started_ms) / 1000.0;
		u->left--;
		rt_runner_info("Uploaded %s (%llu bytes, sha256 %s) in %.1f s.", job->name,
			       (unsigned long long)job->size, job->sha256, job->seconds);
	} else if (v.what == OUTCOME_FAIL || slot->retries >= u->opts->max_retries) {
		char *why = rt_xsprintf("%s%s", v.why,
					v.what == OUTCOME_RETRY ? " (no retries left)" : "");
		fail_job(u, job, why);
		free(why);
	} else {
		long wait = v.wait_ms >= 0 ? v.wait_ms : backoff(u, slot->retries);
		int recovered = 0;

		if (wait > MAX_WAIT_MS) {
			char *why = rt_xsprintf("%s; GitHub asked to wait %ld s, longer than this run may wait",
						v.why, wait / 1000);
			fail_job(u, job, why);
			free(why);
		} else {
			rt_runner_info("Upload of %s: %s; retrying in %ld ms (attempt %d of %d).", job->name,
				       v.why, wait, job->attempts + 1, u->opts->max_retries + 1);
			slot->retries++;
			if (u->opts->recover)
				recovered = u->opts->recover(job, v.bad_asset, u->opts->payload);
			if (recovered < 0) {
				const rt_error *e = rt_error_last();
				fail_job(u, job, e && e->message ? e->message : "the name could not be freed");
				rt_error_clear();
			} else if (recovered > 0) {
				job->state = RT_UPLOAD_DONE;
				u->left--;
				rt_runner_info("%s is on GitHub after all, verified.", job->name);
			} else {
				slot->next_at_ms = now_ms() + wait;
			}
		}
	}
	free(v.why);
	transfer_free(t);
}

static void print_progress(uploader *u)
{
	long now = now_ms();

	for (size_t i = 0; i < u->count; i++) {
		transfer *t = u->slots[i].running;
		double secs;

		if (!t || now - t->progress_ms < u->progress_ms)
			continue;
		t->progress_ms = now;
		secs = (double)(now - t->started_ms) / 1000.0;
		rt_runner_info("Uploading %s: %3.0f%% (%.1f of %.1f MiB), %.1f MiB/s", t->job->name,
			       t->job->size ? 100.0 * (double)t->sent / (double)t->job->size : 100.0,
			       (double)t->sent / 1048576.0, (double)t->job->size / 1048576.0,
			       secs > 0 ? (double)t->sent / 1048576.0 / secs : 0.0);
	}
}

static int start_ready(uploader *u, long *sleep_ms)
{
	long now = now_ms();

	*sleep_ms = 1000;
	for (size_t i = 0; i < u->count && u->running < (size_t)u->opts->concurrency; i++) {
		job_slot *slot = &u->slots[i];
		rt_upload_job *job = &u->jobs[i];
		transfer *t;

		if (job->state != RT_UPLOAD_PENDING || slot->running)
			continue;
		if (slot->next_at_ms > now) {
			if (slot->next_at_ms - now < *sleep_ms)
				*sleep_ms = slot->next_at_ms - now;
			continue;
		}
		if (transfer_start(&t, job, u->base, u->opts->token, u->low_speed_time) < 0) {
			const rt_error *e = rt_error_last();
			fail_job(u, job, e && e->message ? e->message : "cannot start");
			rt_error_clear();
			continue;
		}
		slot->running = t;
		u->running++;
		curl_multi_add_handle(u->multi, t->easy);
	}
	return 0;
}

int rt_upload_run(rt_upload_job *jobs, size_t count, const rt_upload_options *opts)
{
	uploader u = {0};
	rt_buf failed = RT_BUF_INIT;
	int error = 0;

	if (count == 0)
		return 0;
	if (rt_http_global_init() < 0)
		return -1;
	u.jobs = jobs;
	u.count = count;
	u.opts = opts;
	u.slots = rt_xcalloc(count, sizeof(job_slot));
	u.base = rt_upload_base_url(opts->upload_url);
	u.multi = curl_multi_init();
	u.left = 0;
	u.backoff_ms = env_long("RELEASE_TRAIN_BACKOFF_MS", DEFAULT_BACKOFF_MS);
	u.low_speed_time = env_long("RELEASE_TRAIN_LOW_SPEED_TIME", DEFAULT_LOW_SPEED_TIME);
	if (u.low_speed_time < 1)
		u.low_speed_time = 1;
	u.progress_ms = env_long("RELEASE_TRAIN_PROGRESS_S", PROGRESS_EVERY_S) * 1000;
	if (u.progress_ms < 1000)
		u.progress_ms = 1000;
	u.rng = (uint64_t)now_ms() * 0x9E3779B97F4A7C15ULL ^ (uint64_t)getpid();
	if (!u.rng)
		u.rng = 1;
	for (size_t i = 0; i < count; i++)
		if (jobs[i].state == RT_UPLOAD_PENDING)
			u.left++;
	curl_multi_setopt(u.multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)opts->concurrency);
	/* one connection per transfer: HTTP/2 multiplexing would squeeze every
	 * upload through one TCP window */
	curl_multi_setopt(u.multi, CURLMOPT_PIPELINING, (long)CURLPIPE_NOTHING);
	while (u.left > 0) {
		long sleep_ms;
		int still = 0;
		CURLMsg *msg;
		int left_msgs;

		start_ready(&u, &sleep_ms);
		if (u.running == 0) {
			if (u.left == 0)
				break;
			struct timespec ts = {sleep_ms / 1000, (sleep_ms % 1000) * 1000000L};
			nanosleep(&ts, NULL);
			continue;
		}
		curl_multi_perform(u.multi, &still);
		while ((msg = curl_multi_info_read(u.multi, &left_msgs)) != NULL) {
			transfer *t = NULL;
			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&t);
			finish(&u, t, msg->data.result);
		}
		print_progress(&u);
		if (u.running > 0)
			curl_multi_poll(u.multi, NULL, 0, (int)(sleep_ms < 200 ? sleep_ms : 200), NULL);
	}
	for (size_t i = 0; i < count; i++) {
		if (jobs[i].state == RT_UPLOAD_FAILED)
			rt_buf_printf(&failed, "%s%s (%s)", failed.len ? "; " : "", jobs[i].name,
				      jobs[i].error ? jobs[i].error : "failed");
	}
	if (failed.len)
		error = rt_error_set(RT_ERR_FAILED,
				     "uploading failed for %s. Every other asset is uploaded and verified; re-run the job to finish (nothing is lost or duplicated).",
				     rt_buf_cstr(&failed));
	rt_buf_free(&failed);
	curl_multi_cleanup(u.multi);
	free(u.base);
	free(u.slots);
	return error;
}

void rt_upload_job_free(rt_upload_job *job)
{
	if (!job)
		return;
	cJSON_Delete(job->asset);
	free(job->error);
	job->asset = NULL;
	job->error = NULL;
}
