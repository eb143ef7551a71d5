/* libFuzzer target: rt_http_link_next on arbitrary Link header values. A
 * found URL must be non-empty, without blanks or control characters, and
 * must occur in the input (the parser only copies, never invents). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *header = malloc(size + 1);
	char *next;

	memcpy(header, data, size);
	header[size] = '\0';
	next = rt_http_link_next(header);
	if (next) {
		if (!*next || !strstr(header, next))
			abort();
		for (const char *c = next; *c; c++)
			if ((unsigned char)*c <= 0x20 || (unsigned char)*c == 0x7f)
				abort();
	}
	free(next);
	free(header);
	return 0;
}
