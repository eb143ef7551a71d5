/*
 * event: the push event payload (see event.h).
 */
#include "event.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"

static bool is_zero_id(const char *s)
{
	return *s && strspn(s, "0") == strlen(s);
}

/* 40 (SHA-1) or 64 (SHA-256) hex digits. */
static bool is_commit_id(const char *s)
{
	size_t n = strspn(s, "0123456789abcdefABCDEF");
	return s[n] == '\0' && (n == 40 || n == 64);
}

static int read_id(char **out, const cJSON *json, const char *key, const char *path)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(json, key);

	*out = NULL;
	if (!item || cJSON_IsNull(item))
		return 0;
	if (!cJSON_IsString(item) || !is_commit_id(item->valuestring))
		return rt_error_set_at(RT_ERR_INPUT, path, 0,
				       "the event's \"%s\" is not a commit id (40 hex digits); GITHUB_EVENT_PATH must name the runner's push event payload",
				       key);
	if (!is_zero_id(item->valuestring))
		*out = rt_xstrdup(item->valuestring);
	return 0;
}

int rt_event_push_parse(rt_push_event *out, const char *text, size_t len, const char *path)
{
	const cJSON *after;

	memset(out, 0, sizeof(*out));
	out->json = cJSON_ParseWithLength(text, len);
	if (!cJSON_IsObject(out->json)) {
		rt_event_push_free(out);
		return rt_error_set_at(RT_ERR_INPUT, path, 0,
				       "the event file is not a JSON object; GITHUB_EVENT_PATH must name the runner's event payload");
	}
	if (read_id(&out->before, out->json, "before", path) < 0 ||
	    read_id(&out->after, out->json, "after", path) < 0) {
		rt_event_push_free(out);
		return -1;
	}
	after = cJSON_GetObjectItemCaseSensitive(out->json, "after");
	out->deleted = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(out->json, "deleted")) ||
		       (cJSON_IsString(after) && is_zero_id(after->valuestring));
	out->commits = cJSON_GetObjectItemCaseSensitive(out->json, "commits");
	if (!cJSON_IsArray(out->commits))
		out->commits = NULL;
	return 0;
}

int rt_event_push_read(rt_push_event *out, const char *path)
{
	rt_buf text = RT_BUF_INIT;
	int error;

	memset(out, 0, sizeof(*out));
	if (rt_buf_read_file(&text, path) < 0)
		return rt_error_prefix("reading the event (GITHUB_EVENT_PATH)");
	error = rt_event_push_parse(out, text.ptr, text.len, path);
	rt_buf_free(&text);
	return error;
}

void rt_event_push_free(rt_push_event *ev)
{
	free(ev->before);
	free(ev->after);
	cJSON_Delete(ev->json);
	memset(ev, 0, sizeof(*ev));
}
