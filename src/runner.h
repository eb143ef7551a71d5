/*
 * runner: the GitHub Actions runner protocol, and its plain-terminal twin.
 *
 * Everything the program tells the world goes through here: workflow
 * commands (::error::, ::group::, ::add-mask:: ...) with the escaping the
 * runner undoes, step outputs in $GITHUB_OUTPUT with a random heredoc
 * delimiter, and the Markdown job summary. Outside Actions (no
 * GITHUB_ACTIONS=true) the same calls print plain readable lines instead.
 * Every secret registered with rt_runner_mask is replaced by *** in
 * everything printed, as a second line of defence.
 */
#ifndef RT_RUNNER_H
#define RT_RUNNER_H

#include <stdbool.h>

#include "error.h"

/* Read GITHUB_ACTIONS, RUNNER_DEBUG, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY. */
void rt_runner_init(void);
void rt_runner_shutdown(void);
bool rt_runner_in_actions(void);
bool rt_runner_debug_enabled(void);

/* Register a secret: ::add-mask:: in Actions, and redaction in our own output. */
void rt_runner_mask(const char *secret);
/* Copy of s with every registered secret replaced by "***" (caller frees). */
char *rt_runner_redact(const char *s);

void rt_runner_group(const char *title);
void rt_runner_endgroup(void);
void rt_runner_info(const char *fmt, ...) RT_PRINTF(1, 2);
void rt_runner_debug(const char *fmt, ...) RT_PRINTF(1, 2);
void rt_runner_notice(const char *fmt, ...) RT_PRINTF(1, 2);
void rt_runner_warning(const char *fmt, ...) RT_PRINTF(1, 2);
void rt_runner_warning_at(const char *file, int line, const char *fmt, ...) RT_PRINTF(3, 4);
/* Print the recorded error as the one ::error:: line (or "error: ..." on a terminal). */
void rt_runner_error(const rt_error *err);

/* Append name=value to $GITHUB_OUTPUT (heredoc form with a random delimiter
 * when the value has a newline); on a terminal print "name: value". */
int rt_runner_set_output(const char *name, const char *value);
/* Append Markdown to $GITHUB_STEP_SUMMARY (kept under 1 MiB in total). */
int rt_runner_summary(const char *markdown);

/* Escaping as the runner un-escapes it (caller frees). */
char *rt_runner_escape_data(const char *s);     /* % CR LF */
char *rt_runner_escape_property(const char *s); /* % CR LF : , */

#endif
