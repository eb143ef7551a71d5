/* libFuzzer target: rt_runner_escape_data / rt_runner_escape_property
 * against the runner's own parser (actions/runner ActionCommand.cs:
 * "::name key=value,...::data", properties split at ',' and the first
 * '=', then unescaped by sequential replacement: %0D, %0A, (property:
 * %3A, %2C,) %25 last). The input splits at its first NUL into a
 * property value and the data; both must come back byte for byte from a
 * ::error file=...::data line, which must be one line. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "runner.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* string.Replace(from, to) of .NET: left to right, non-overlapping. */
static char *replace_all(const char *s, const char *from, const char *to)
{
	rt_buf out = RT_BUF_INIT;
	size_t n = strlen(from);
	const char *hit;

	while ((hit = strstr(s, from)) != NULL) {
		rt_buf_put(&out, s, (size_t)(hit - s));
		rt_buf_puts(&out, to);
		s = hit + n;
	}
	rt_buf_puts(&out, s);
	return rt_buf_detach(&out);
}

static char *unescape(const char *s, bool property)
{
	static const char *const data_map[][2] = {{"%0D", "\r"}, {"%0A", "\n"}, {"%25", "%"}};
	static const char *const prop_map[][2] = {
		{"%0D", "\r"}, {"%0A", "\n"}, {"%3A", ":"}, {"%2C", ","}, {"%25", "%"}};
	const char *const(*map)[2] = property ? prop_map : data_map;
	size_t n = property ? 5 : 3;
	char *cur = rt_xstrdup(s);

	for (size_t i = 0; i < n; i++) {
		char *next = replace_all(cur, map[i][0], map[i][1]);
		free(cur);
		cur = next;
	}
	return cur;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *input = malloc(size + 1), *prop_in, *data_in, *ep, *ed, *line, *end, *props, *eq;
	char *prop_out, *data_out;
	size_t split;

	memcpy(input, data, size);
	input[size] = '\0';
	split = strlen(input);
	prop_in = input;
	data_in = split < size ? input + split + 1 : input + size;
	ep = rt_runner_escape_property(prop_in);
	ed = rt_runner_escape_data(data_in);
	line = rt_xsprintf("::error file=%s::%s", ep, ed);
	if (strchr(line, '\n') || strchr(line, '\r') || strchr(ep, ',') || strchr(ep, ':'))
		abort();
	/* the runner's parse */
	end = strstr(line + 2, "::");
	if (!end)
		abort();
	*end = '\0';
	props = strchr(line + 2, ' ');
	if (!props || strchr(props + 1, ','))
		abort();
	eq = strchr(props + 1, '=');
	if (!eq || strncmp(props + 1, "file", (size_t)(eq - props - 1)) != 0)
		abort();
	prop_out = unescape(eq + 1, true);
	data_out = unescape(end + 2, false);
	if (strcmp(prop_out, prop_in) != 0 || strcmp(data_out, data_in) != 0)
		abort();
	free(prop_out);
	free(data_out);
	free(line);
	free(ep);
	free(ed);
	free(input);
	return 0;
}
