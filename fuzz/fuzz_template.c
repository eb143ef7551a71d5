/*
 * fuzz_template: libFuzzer target for the bump templates.
 *
 * Promises: no crash or leak; an expansion either succeeds or fails with
 * an input error naming the placeholder; a template without '{' comes
 * back unchanged; and with every value set to "" the output is never
 * longer than the template.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_template: broken promise: %s\n", what);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *tmpl = rt_xstrndup((const char *)data, size), *out = NULL;
	rt_template_vars vars = {"wasmtime", "50.0.0-dev", "49.0.0-dev", "49.0.0", "[marker]"};
	rt_template_vars empty = {"", "", "", "", ""};
	int rc = rt_template_expand(&out, tmpl, &vars, "branch");

	if (rc < 0) {
		check(out == NULL, "nothing returned on failure");
		check(rt_error_last() && rt_error_last()->kind == RT_ERR_INPUT, "an input error");
		check(strstr(rt_error_last()->message, "placeholder") != NULL, "the message names the placeholder");
	} else {
		check(out != NULL, "a result");
		if (!strchr(tmpl, '{'))
			check(strcmp(out, tmpl) == 0, "no placeholder, no change");
		free(out);
		out = NULL;
		check(rt_template_expand(&out, tmpl, &empty, "branch") == 0, "empty values expand too");
		check(strlen(out) <= strlen(tmpl), "empty values never lengthen");
	}
	free(out);
	free(tmpl);
	rt_error_clear();
	return 0;
}
