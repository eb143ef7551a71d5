/*
 * template: the placeholders of bump's templates (branch, cut-branch,
 * commit-message, pr-title, pr-body).
 *
 * The idea: a template is checked, not guessed at. `{name}`, `{version}`,
 * `{previous-version}`, `{previous-core}` and `{marker}` are replaced;
 * any other `{word}` is a typo that would otherwise end up in a branch
 * name or a commit message, so it is an exit-2 error naming the input and
 * the placeholders it may use. Braces that do not form `{word}` (JSON,
 * code in a PR body) are kept as they are.
 */
#ifndef RT_TEMPLATE_H
#define RT_TEMPLATE_H

typedef struct {
	const char *name;
	const char *version;          /* the new version */
	const char *previous_version; /* the version before the bump */
	const char *previous_core;    /* previous_version without pre-release and build */
	const char *marker;
} rt_template_vars;

/* Expand tmpl; *out (caller frees). An unknown {word} records an
 * RT_ERR_INPUT error naming input (e.g. "branch") and returns -1. */
int rt_template_expand(char **out, const char *tmpl, const rt_template_vars *vars,
		       const char *input);

#endif
