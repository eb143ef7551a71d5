/* libFuzzer target: rt_event_push_parse on arbitrary push event payloads.
 * Accepted: before and after are NULL or 40/64 hex digits, never all
 * zeros (GitHub's "none"), deleted whenever after is absent-as-zeros,
 * commits NULL or an array. Refused: one RT_ERR_INPUT error naming the
 * file. Never a crash or a leak. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "event.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_id(const char *id)
{
	size_t n;

	if (!id)
		return;
	n = strspn(id, "0123456789abcdefABCDEF");
	if (id[n] || (n != 40 && n != 64) || strspn(id, "0") == n)
		abort();
}

/* cJSON is not instrumented, so libFuzzer sees no way into a valid
 * object: half the inputs (first byte odd) are made into one, with
 * before/after/deleted/commits taken from the input's bytes. */
static char *structured(const uint8_t *data, size_t size)
{
	cJSON *o = cJSON_CreateObject();
	const char *keys[2] = {"before", "after"};
	const uint8_t *p = data + 1, *end = data + size;
	char *text;

	for (int i = 0; i < 2; i++) {
		const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *v = strndup((const char *)p, n);
		if (data[0] & (2 << i))
			cJSON_AddNullToObject(o, keys[i]);
		else if (data[0] & (8 << i))
			cJSON_AddNumberToObject(o, keys[i], (double)n);
		else
			cJSON_AddStringToObject(o, keys[i], v);
		free(v);
		p += n + (nl ? 1 : 0);
	}
	cJSON_AddBoolToObject(o, "deleted", data[0] & 32);
	if (data[0] & 64)
		cJSON_AddItemToObject(o, "commits", cJSON_CreateArray());
	else if (data[0] & 128)
		cJSON_AddStringToObject(o, "commits", "not a list");
	text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	rt_push_event ev;
	char *made = size > 0 && (data[0] & 1) ? structured(data, size) : NULL;

	if (made) {
		data = (const uint8_t *)made;
		size = strlen(made);
	}
	if (rt_event_push_parse(&ev, (const char *)data, size, "event.json") == 0) {
		check_id(ev.before);
		check_id(ev.after);
		if (!ev.json || (ev.commits && !cJSON_IsArray(ev.commits)))
			abort();
		rt_event_push_free(&ev);
	} else {
		const rt_error *e = rt_error_last();
		if (!e || e->kind != RT_ERR_INPUT || !e->file || strcmp(e->file, "event.json") != 0 ||
		    ev.json || ev.before || ev.after)
			abort();
	}
	rt_error_clear();
	free(made);
	return 0;
}
