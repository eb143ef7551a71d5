/*
 * event: the push event payload that the runner hands over
 * (GITHUB_EVENT_PATH), read once into the few fields mode tag decides on.
 *
 * The payload is outside text: this module checks that before and after
 * are commit ids before anything puts them into an API path or a revwalk,
 * and turns GitHub's all-zero id into "none" (a new branch, a deleted ref).
 */
#ifndef RT_EVENT_H
#define RT_EVENT_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

typedef struct {
	char *before;   /* NULL: absent, or all zeros (a new branch) */
	char *after;    /* NULL: absent, or all zeros (a deleted ref) */
	bool deleted;   /* "deleted": true, or after all zeros */
	cJSON *commits; /* the payload's commits[] (owned by json), or NULL */
	cJSON *json;    /* the whole payload */
} rt_push_event;

/* Parse a push event payload (text, len); path names the file in errors.
 * RT_ERR_INPUT (with file=) when it is not a JSON object or before/after
 * are not commit ids (40 or 64 hex digits). */
int rt_event_push_parse(rt_push_event *out, const char *text, size_t len, const char *path);
int rt_event_push_read(rt_push_event *out, const char *path);
void rt_event_push_free(rt_push_event *ev);

#endif
