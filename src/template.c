/*
 * template: bump's placeholders (see template.h).
 *
 * One pass over the text; a placeholder is `{` + letters, digits and `-`
 * + `}`, so `{ "a": 1 }` or `fn f() {}` in a PR body stay literal.
 */
#include "template.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"

/* Length of the placeholder word at p (just after '{'), or 0 when p does
 * not start `word}`. */
static size_t word_len(const char *p)
{
	size_t n = 0;

	while (isalnum((unsigned char)p[n]) || p[n] == '-' || p[n] == '_')
		n++;
	return n > 0 && p[n] == '}' ? n : 0;
}

static const char *lookup(const rt_template_vars *v, const char *word, size_t n)
{
	static const char *const names[] = {"name", "version", "previous-version", "previous-core",
					    "marker"};
	const char *values[] = {v->name, v->version, v->previous_version, v->previous_core,
				v->marker};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == n && memcmp(names[i], word, n) == 0)
			return values[i] ? values[i] : "";
	return NULL;
}

int rt_template_expand(char **out, const char *tmpl, const rt_template_vars *vars,
		       const char *input)
{
	rt_buf b = RT_BUF_INIT;
	const char *p = tmpl ? tmpl : "";

	*out = NULL;
	while (*p) {
		size_t n = *p == '{' ? word_len(p + 1) : 0;
		const char *value;

		if (!n) {
			rt_buf_putc(&b, *p++);
			continue;
		}
		value = lookup(vars, p + 1, n);
		if (!value) {
			rt_buf_free(&b);
			return rt_error_set(RT_ERR_INPUT,
					    "input '%s' has the unknown placeholder {%.*s}; use {name}, {version}, {previous-version}, {previous-core} or {marker}",
					    input, (int)n, p + 1);
		}
		rt_buf_puts(&b, value);
		p += n + 2;
	}
	*out = rt_buf_detach(&b);
	if (!*out)
		*out = rt_xstrdup("");
	return 0;
}
