/*
 * runner: the GitHub Actions runner protocol (see runner.h).
 *
 * In Actions every line goes to stdout as a workflow command, escaped the
 * way the runner un-escapes it (the runner reads commands from stdout;
 * mixing streams would reorder them in the log). On a terminal, messages
 * are plain words and problems go to stderr. Output values use the heredoc
 * form with a fresh random delimiter whenever they span lines, so no value
 * can end the block early or inject another output.
 */
#include "runner.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"

#define SUMMARY_LIMIT (1024 * 1024)

static struct {
	bool in_actions;
	bool debug;
	char *output_path;
	char *summary_path;
	char **secrets;
	size_t nsecrets;
} runner;

static char *env_dup(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? rt_xstrdup(v) : NULL;
}

void rt_runner_init(void)
{
	const char *actions = getenv("GITHUB_ACTIONS");
	const char *debug = getenv("RUNNER_DEBUG");

	rt_runner_shutdown();
	runner.in_actions = actions && strcmp(actions, "true") == 0;
	runner.debug = debug && strcmp(debug, "1") == 0;
	runner.output_path = env_dup("GITHUB_OUTPUT");
	runner.summary_path = env_dup("GITHUB_STEP_SUMMARY");
}

void rt_runner_shutdown(void)
{
	size_t i;

	for (i = 0; i < runner.nsecrets; i++)
		free(runner.secrets[i]);
	free(runner.secrets);
	free(runner.output_path);
	free(runner.summary_path);
	memset(&runner, 0, sizeof(runner));
}

bool rt_runner_in_actions(void)
{
	return runner.in_actions;
}

bool rt_runner_debug_enabled(void)
{
	return runner.debug;
}

static char *escape(const char *s, bool property)
{
	rt_buf out = RT_BUF_INIT;

	for (; *s; s++) {
		switch (*s) {
		case '%': rt_buf_puts(&out, "%25"); break;
		case '\r': rt_buf_puts(&out, "%0D"); break;
		case '\n': rt_buf_puts(&out, "%0A"); break;
		case ':': rt_buf_puts(&out, property ? "%3A" : ":"); break;
		case ',': rt_buf_puts(&out, property ? "%2C" : ","); break;
		default: rt_buf_putc(&out, *s); break;
		}
	}
	return rt_buf_detach(&out);
}

char *rt_runner_escape_data(const char *s)
{
	return escape(s, false);
}

char *rt_runner_escape_property(const char *s)
{
	return escape(s, true);
}

void rt_runner_mask(const char *secret)
{
	char *escaped;
	size_t i;

	if (!secret || !*secret)
		return;
	for (i = 0; i < runner.nsecrets; i++)
		if (strcmp(runner.secrets[i], secret) == 0)
			return; /* already masked (INPUT_TOKEN and the loaded token are often one) */
	/* longest first, so a secret that contains another is redacted whole */
	runner.secrets = rt_xrealloc(runner.secrets, (runner.nsecrets + 1) * sizeof(char *));
	for (i = runner.nsecrets; i > 0 && strlen(runner.secrets[i - 1]) < strlen(secret); i--)
		runner.secrets[i] = runner.secrets[i - 1];
	runner.secrets[i] = rt_xstrdup(secret);
	runner.nsecrets++;
	if (!runner.in_actions)
		return;
	/* The runner consumes this command: it is the one line that must carry the value. */
	escaped = rt_runner_escape_data(secret);
	printf("::add-mask::%s\n", escaped);
	fflush(stdout);
	free(escaped);
}

char *rt_runner_redact(const char *s)
{
	rt_buf out = RT_BUF_INIT;
	size_t i;

	rt_buf_puts(&out, s);
	for (i = 0; i < runner.nsecrets; i++) {
		const char *secret = runner.secrets[i];
		size_t slen = strlen(secret);
		rt_buf next = RT_BUF_INIT;
		const char *p = rt_buf_cstr(&out), *hit;

		while ((hit = strstr(p, secret)) != NULL) {
			rt_buf_put(&next, p, (size_t)(hit - p));
			rt_buf_puts(&next, "***");
			p = hit + slen;
		}
		rt_buf_puts(&next, p);
		rt_buf_free(&out);
		out = next;
	}
	return rt_buf_detach(&out);
}

/* Print one line: in Actions "::cmd props::escaped-text", else "prefix text". */
static void emit(FILE *terminal_stream, const char *command, const char *props,
		 const char *terminal_prefix, const char *text)
{
	char *clean = rt_runner_redact(text);

	if (runner.in_actions && command) {
		char *escaped = rt_runner_escape_data(clean);
		printf("::%s%s%s::%s\n", command, props && *props ? " " : "", props ? props : "",
		       escaped);
		free(escaped);
		fflush(stdout);
	} else {
		fprintf(terminal_stream, "%s%s\n", terminal_prefix, clean);
		fflush(terminal_stream);
	}
	free(clean);
}

static void vemit(FILE *stream, const char *command, const char *props, const char *prefix,
		  const char *fmt, va_list ap)
{
	rt_buf text = RT_BUF_INIT;

	rt_buf_vprintf(&text, fmt, ap);
	emit(stream, command, props, prefix, rt_buf_cstr(&text));
	rt_buf_free(&text);
}

/* "file=...,line=..." with property escaping, or "" (caller frees). */
static char *location_props(const char *file, int line)
{
	rt_buf props = RT_BUF_INIT;

	if (file) {
		char *f = rt_runner_escape_property(file);
		rt_buf_printf(&props, "file=%s", f);
		free(f);
		if (line > 0)
			rt_buf_printf(&props, ",line=%d", line);
	}
	return rt_buf_detach(&props);
}

/* "path:line: " for terminal messages (caller frees). */
static char *location_prefix(const char *kind, const char *file, int line)
{
	if (file && line > 0)
		return rt_xsprintf("%s: %s:%d: ", kind, file, line);
	if (file)
		return rt_xsprintf("%s: %s: ", kind, file);
	return rt_xsprintf("%s: ", kind);
}

void rt_runner_group(const char *title)
{
	if (runner.in_actions)
		emit(stdout, "group", NULL, "", title);
	else
		emit(stdout, NULL, NULL, "==> ", title);
}

void rt_runner_endgroup(void)
{
	if (runner.in_actions) {
		printf("::endgroup::\n");
		fflush(stdout);
	}
}

void rt_runner_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vemit(stdout, NULL, NULL, "", fmt, ap);
	va_end(ap);
}

void rt_runner_debug(const char *fmt, ...)
{
	va_list ap;

	if (!runner.debug)
		return;
	va_start(ap, fmt);
	vemit(stderr, "debug", NULL, "debug: ", fmt, ap);
	va_end(ap);
}

void rt_runner_notice(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vemit(stdout, "notice", NULL, "notice: ", fmt, ap);
	va_end(ap);
}

void rt_runner_warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vemit(stderr, "warning", NULL, "warning: ", fmt, ap);
	va_end(ap);
}

void rt_runner_warning_at(const char *file, int line, const char *fmt, ...)
{
	char *props = location_props(file, line);
	char *prefix = location_prefix("warning", file, line);
	va_list ap;

	va_start(ap, fmt);
	vemit(stderr, "warning", props, prefix, fmt, ap);
	va_end(ap);
	free(props);
	free(prefix);
}

void rt_runner_error(const rt_error *err)
{
	const char *message = err && err->message ? err->message : "unknown error";
	const char *file = err ? err->file : NULL;
	int line = err ? err->line : 0;
	char *props = location_props(file, line);
	char *prefix = location_prefix("error", file, line);

	emit(stderr, "error", props, prefix, message);
	free(props);
	free(prefix);
}

static int random_hex(char *out, size_t nbytes)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[32];
	size_t i;
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, raw, nbytes) : -1;

	if (fd >= 0)
		close(fd);
	if (n != (ssize_t)nbytes) {
		/* no /dev/urandom (an odd container): time and pid still differ per run */
		unsigned long seed = (unsigned long)time(NULL) ^ ((unsigned long)getpid() << 16);
		for (i = 0; i < nbytes; i++) {
			seed = seed * 6364136223846793005UL + 1442695040888963407UL;
			raw[i] = (unsigned char)(seed >> 56);
		}
	}
	for (i = 0; i < nbytes; i++) {
		out[2 * i] = hex[raw[i] >> 4];
		out[2 * i + 1] = hex[raw[i] & 15];
	}
	out[2 * nbytes] = '\0';
	return 0;
}

static int append_file(const char *path, const char *what, const char *data, size_t len)
{
	FILE *f = fopen(path, "ab");

	if (!f)
		return rt_error_set(RT_ERR_FAILED, "cannot open %s (%s): %s", what, path,
				    strerror(errno));
	if (fwrite(data, 1, len, f) != len || fclose(f) != 0)
		return rt_error_set(RT_ERR_FAILED, "cannot write %s (%s): %s", what, path,
				    strerror(errno));
	return 0;
}

static bool valid_output_name(const char *name)
{
	if (!*name)
		return false;
	for (; *name; name++)
		if (!(*name == '-' || *name == '_' || (*name >= 'a' && *name <= 'z') ||
		      (*name >= 'A' && *name <= 'Z') || (*name >= '0' && *name <= '9')))
			return false;
	return true;
}

int rt_runner_set_output(const char *name, const char *value)
{
	rt_buf line = RT_BUF_INIT;
	char delimiter[64];
	int error;

	if (!valid_output_name(name))
		return rt_error_set(RT_ERR_FAILED, "invalid output name '%s'", name);
	if (!runner.output_path) {
		if (runner.in_actions)
			rt_runner_debug("GITHUB_OUTPUT is not set; output %s not written", name);
		else
			printf("output %s: %s\n", name, value);
		return 0;
	}
	if (strchr(value, '\n') || strchr(value, '\r')) {
		do {
			strcpy(delimiter, "ghadelimiter_");
			random_hex(delimiter + strlen(delimiter), 16);
		} while (strstr(value, delimiter));
		rt_buf_printf(&line, "%s<<%s\n", name, delimiter);
		/* LF only: a CR would end up inside the value on Windows-style parsing */
		for (const char *p = value; *p; p++)
			if (*p != '\r')
				rt_buf_putc(&line, *p);
		rt_buf_printf(&line, "\n%s\n", delimiter);
	} else {
		rt_buf_printf(&line, "%s=%s\n", name, value);
	}
	error = append_file(runner.output_path, "the outputs file", line.ptr, line.len);
	rt_buf_free(&line);
	return error;
}

int rt_runner_summary(const char *markdown)
{
	static const char cut[] = "\n\n_(summary truncated at 1 MiB)_\n";
	struct stat st;
	size_t used = 0, len = strlen(markdown), room;

	if (!runner.summary_path) {
		if (!runner.in_actions)
			printf("%s", markdown);
		return 0;
	}
	if (stat(runner.summary_path, &st) == 0)
		used = (size_t)st.st_size;
	room = used + sizeof(cut) < SUMMARY_LIMIT ? SUMMARY_LIMIT - used - sizeof(cut) : 0;
	if (len <= room)
		return append_file(runner.summary_path, "the job summary", markdown, len);
	if (room > 0 && append_file(runner.summary_path, "the job summary", markdown, room) < 0)
		return -1;
	return room > 0 ? append_file(runner.summary_path, "the job summary", cut, sizeof(cut) - 1)
			: 0;
}
