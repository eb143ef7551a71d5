/*
 * upload: release assets streamed from disk to GitHub's upload origin,
 * several at once on libcurl's multi interface.
 *
 * Every transfer reads its file in place (a read callback, Content-Length
 * from the file's size), so memory stays flat whatever the size, and
 * hashes what it sends, so the SHA-256 is known when GitHub answers and
 * is checked against the `digest` and `size` of the asset it returns. A
 * stalled transfer (below a minimum speed for a while), a dropped
 * connection, 5xx, 429 and the secondary rate limit are retried with
 * backoff (retry-after honoured); before each retry the caller's recover
 * callback frees the name (deletes the half-made `starter` asset, or
 * finds that a lost answer had in fact succeeded).
 */
#ifndef RT_UPLOAD_H
#define RT_UPLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "sha256.h"

typedef enum {
	RT_UPLOAD_PENDING = 0,
	RT_UPLOAD_DONE,   /* uploaded (or found uploaded) and verified */
	RT_UPLOAD_FAILED  /* gave up: error holds why */
} rt_upload_state;

typedef struct {
	/* in */
	const char *path;         /* the file to send, or NULL with data */
	const char *data;         /* an in-memory body (a checksums file) */
	uint64_t size;            /* bytes to send (the file's size) */
	const char *name;         /* the asset name to upload as */
	const char *content_type; /* NULL: from the name's extension */
	const char *label;        /* or NULL */

	/* out */
	rt_upload_state state;
	char sha256[RT_SHA256_HEX_LEN + 1]; /* of what was sent ("" until known) */
	cJSON *asset;             /* GitHub's answer for the verified asset (owned) */
	char *error;              /* why it failed (owned) */
	int attempts;
	double seconds;           /* time of the successful attempt */
} rt_upload_job;

/* After a failed attempt, before the next: make the name free again.
 * bad_asset_id is the id of an asset that GitHub accepted but that failed
 * verification (0 when none). Returns 0 to retry, 1 when the asset turns
 * out to be there and verified (job->asset set: a lost answer), or -1 to
 * give up (error recorded). */
typedef int (*rt_upload_recover_fn)(rt_upload_job *job, long long bad_asset_id, void *payload);

typedef struct {
	const char *upload_url;   /* the release's upload_url, template stripped or not */
	const char *token;
	int concurrency;          /* transfers in flight at once (>= 1) */
	int max_retries;          /* retries of one asset */
	rt_upload_recover_fn recover;
	void *payload;
} rt_upload_options;

/* Upload every job; returns 0 when all are DONE, else -1 with an error
 * naming each failed asset (the others finished or stay verified). */
int rt_upload_run(rt_upload_job *jobs, size_t count, const rt_upload_options *opts);
void rt_upload_job_free(rt_upload_job *job);

/* "https://uploads.github.com/repos/o/r/releases/1/assets" from an
 * upload_url with its {?name,label} template (caller frees). */
char *rt_upload_base_url(const char *upload_url);
/* A content type from a file name's extension (application/octet-stream
 * when unknown). */
const char *rt_upload_content_type(const char *name);
/* Does GitHub's answer for an asset say it holds exactly size bytes with
 * this SHA-256? why (if not NULL) receives a static reason when not. */
bool rt_upload_asset_matches(const cJSON *asset, uint64_t size, const char *sha256,
			     const char **why);

#endif
