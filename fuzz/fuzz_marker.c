/* libFuzzer target: marker detection on arbitrary commit messages. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "marker.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int initialised;
	char *msg = malloc(size + 1);

	if (!initialised)
		initialised = git_libgit2_init();
	memcpy(msg, data, size);
	msg[size] = '\0';
	rt_marker_in_message(msg, "[automatically-tag-and-release-this-commit]");
	rt_marker_in_message(msg, "x");
	free(msg);
	return 0;
}
