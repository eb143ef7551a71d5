/*
 * error: one error record for the whole program.
 *
 * The idea (from libgit2): the function that finds a failure records one
 * human message here and returns -1; every caller above just propagates
 * the -1 (adding context with rt_error_prefix when it helps), and main
 * prints the record once as the single ::error:: line. The record's kind
 * is the exit status: 1 for a failed operation, 2 for bad input.
 */
#ifndef RT_ERROR_H
#define RT_ERROR_H

typedef enum {
	RT_ERR_NONE = 0,
	RT_ERR_FAILED = 1, /* an operation failed: exit 1 */
	RT_ERR_INPUT = 2   /* bad input or configuration: exit 2 */
} rt_error_kind;

typedef struct {
	rt_error_kind kind;
	char *message; /* what was wrong and what to do */
	char *file;    /* the file at fault, or NULL */
	int line;      /* its line (1-based), or 0 */
} rt_error;

/* Negative return codes besides -1 that callers test for (as libgit2's
 * GIT_ENOTFOUND / GIT_EEXISTS); an error is recorded with them too. */
#define RT_ENOTFOUND (-3)
#define RT_EEXISTS (-4)

#define RT_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* Record an error; always returns -1 so callers can `return rt_error_set(...)`. */
int rt_error_set(rt_error_kind kind, const char *fmt, ...) RT_PRINTF(2, 3);
/* The same, naming the file (and line, 0 if unknown) at fault. */
int rt_error_set_at(rt_error_kind kind, const char *file, int line, const char *fmt, ...)
	RT_PRINTF(4, 5);
/* Put context in front of the recorded message ("reading Cargo.toml: ..."); returns -1. */
int rt_error_prefix(const char *fmt, ...) RT_PRINTF(1, 2);
/* Name the file (and line, 0 if unknown) at fault for the recorded error,
 * unless it names one already; returns -1. */
int rt_error_locate(const char *file, int line);
/* The recorded error, or NULL when none. */
const rt_error *rt_error_last(void);
void rt_error_clear(void);
/* The exit status for the recorded error (1 when none was recorded). */
int rt_error_exit_status(void);

#endif
