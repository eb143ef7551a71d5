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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	rt_push_event ev;

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
	return 0;
}
