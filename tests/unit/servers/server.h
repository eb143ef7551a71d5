/*
 * Start and stop the Python test servers from a Criterion test (the
 * scripted server tests/unit/servers/scripted.py, the replay server
 * tests/harness/replay.py): each test gets its own server on a free port
 * (the server writes it to a port file), its request log as cJSON, and a
 * bounded wait for start-up. A server also exits by itself when the test
 * process dies.
 */
#ifndef RT_TEST_SERVER_H
#define RT_TEST_SERVER_H

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "error.h"
#include "runner.h"

extern char **environ;

typedef struct {
	pid_t pid;
	char *dir;
	char *port_file;
	char *log_path;
	char base[64];
	int port;
} test_server;

/* The repository root: the nearest directory above the test binary that
 * holds tests/unit/servers (NULL if none; caller frees). */
/* The environment every suite that talks to a local server wants: short
 * retry backoffs, no proxy for loopback, plain terminal output. */
static inline void test_http_env(const char *backoff_ms)
{
	setenv("RELEASE_TRAIN_BACKOFF_MS", backoff_ms, 1);
	setenv("NO_PROXY", "127.0.0.1,localhost", 1);
	setenv("no_proxy", "127.0.0.1,localhost", 1);
	unsetenv("RUNNER_DEBUG");
	unsetenv("GITHUB_ACTIONS");
	rt_runner_init();
	rt_error_clear();
}

static inline char *test_repo_root(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	for (char *slash = strrchr(exe, '/'); slash; slash = strrchr(exe, '/')) {
		char probe[PATH_MAX + 32];
		struct stat st;
		*slash = '\0';
		snprintf(probe, sizeof(probe), "%s/tests/unit/servers", exe);
		if (stat(probe, &st) == 0 && S_ISDIR(st.st_mode))
			return rt_xstrdup(exe[0] ? exe : "/");
	}
	/* A binary built elsewhere: the current directory may be the root. */
	if (access("tests/unit/servers", F_OK) == 0 && getcwd(exe, sizeof(exe)))
		return rt_xstrdup(exe);
	return NULL;
}

static inline const char *test_python(void)
{
	const char *env = getenv("PYTHON");
	if (env && *env)
		return env;
	return access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
}

static inline long test_now_ms(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* Run <repository root>/<script> --port-file F --log L <args...> and wait
 * (at most 10 s) for its port. Returns 0 or -1. */
static inline int test_server_spawn(test_server *s, const char *script, const char *const *args)
{
	char *root = test_repo_root();
	char *script_path = NULL;
	const char *argv[32];
	size_t argc = 0;
	int rc = -1;

	memset(s, 0, sizeof(*s));
	s->pid = -1;
	if (!root)
		return -1;
	char tmpl[] = "/tmp/rt-server-XXXXXX";
	if (!mkdtemp(tmpl))
		goto done;
	s->dir = rt_xstrdup(tmpl);
	s->port_file = rt_xsprintf("%s/port", s->dir);
	s->log_path = rt_xsprintf("%s/log", s->dir);
	script_path = rt_xsprintf("%s/%s", root, script);
	argv[argc++] = test_python();
	argv[argc++] = script_path;
	argv[argc++] = "--port-file";
	argv[argc++] = s->port_file;
	argv[argc++] = "--log";
	argv[argc++] = s->log_path;
	for (size_t i = 0; args && args[i] && argc < 31; i++)
		argv[argc++] = args[i];
	argv[argc] = NULL;
	if (posix_spawnp(&s->pid, argv[0], NULL, NULL, (char *const *)argv, environ) != 0) {
		s->pid = -1;
		goto done;
	}
	for (long deadline = test_now_ms() + 10000; test_now_ms() < deadline;) {
		FILE *f = fopen(s->port_file, "r");
		int status;
		if (f) {
			if (fscanf(f, "%d", &s->port) == 1 && s->port > 0) {
				snprintf(s->base, sizeof(s->base), "http://127.0.0.1:%d", s->port);
				rc = 0;
			}
			fclose(f);
			if (rc == 0)
				break;
		}
		if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
			s->pid = -1;
			break;
		}
		usleep(10000);
	}
done:
	free(script_path);
	free(root);
	return rc;
}

/* The scripted server (servers/scripted.py) with a JSON script. */
static inline int test_server_start(test_server *s, const char *script_json)
{
	const char *args[] = {"--script", script_json, NULL};
	return test_server_spawn(s, "tests/unit/servers/scripted.py", args);
}

static inline void test_server_stop(test_server *s)
{
	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		waitpid(s->pid, NULL, 0);
		s->pid = -1;
	}
	if (s->dir) {
		unlink(s->port_file);
		unlink(s->log_path);
		rmdir(s->dir);
	}
	free(s->dir);
	free(s->port_file);
	free(s->log_path);
	s->dir = s->port_file = s->log_path = NULL;
}

/* Every request the server saw, oldest first (a cJSON array; caller deletes). */
static inline cJSON *test_server_log(const test_server *s)
{
	cJSON *all = cJSON_CreateArray();
	rt_buf text = RT_BUF_INIT;
	const char *line;

	if (rt_buf_read_file(&text, s->log_path) < 0) {
		rt_error_clear();
		return all;
	}
	for (line = rt_buf_cstr(&text); *line;) {
		const char *end = strchr(line, '\n');
		size_t n = end ? (size_t)(end - line) : strlen(line);
		cJSON *entry = cJSON_ParseWithLength(line, n);
		if (entry)
			cJSON_AddItemToArray(all, entry);
		line += n + (end ? 1 : 0);
	}
	rt_buf_free(&text);
	return all;
}

static inline int test_server_count(const test_server *s)
{
	cJSON *log = test_server_log(s);
	int n = cJSON_GetArraySize(log);
	cJSON_Delete(log);
	return n;
}

/* A string field of request i ("method", "path", "body"), or of its headers
 * when header is set; "" when absent. Valid while log lives. */
static inline const char *test_log_field(const cJSON *log, int i, const char *field,
					 const char *header)
{
	const cJSON *entry = cJSON_GetArrayItem(log, i);
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(entry, field);
	if (header)
		v = cJSON_GetObjectItemCaseSensitive(v, header);
	return cJSON_IsString(v) ? v->valuestring : "";
}

static inline double test_log_number(const cJSON *log, int i, const char *field)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(log, i), field);
	return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

#endif
