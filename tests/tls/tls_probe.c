/*
 * tls-probe: the program's own HTTPS paths, one call each, for the TLS
 * end-to-end test (tests/e2e/test_tls.py).
 *
 * It links the same library objects as release-train (src/http.c,
 * src/repo.c, ...) and initialises them the same way, so what it proves
 * about TLS holds for the binary: libcurl and libgit2 both verify the
 * server against rt_http_ca_file() (SSL_CERT_FILE, else the system
 * bundle). It exists because a real mode cannot yet be pointed at one
 * request or one push alone.
 *
 *   tls-probe get URL            one GET through rt_http_send; prints the status
 *   tls-probe push DIR URL REFSPEC
 *                                one push of DIR's REFSPEC through rt_repo_push,
 *                                token from the environment variable PROBE_TOKEN
 *
 * Exit status: 0 when the request got a 2xx answer or the push was
 * accepted, 1 otherwise, with the recorded error printed the way
 * release-train prints it (one line).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "http.h"
#include "repo.h"
#include "runner.h"

static int probe_get(const char *url)
{
	rt_http *http = NULL;
	rt_http_options opts = {0};
	rt_http_request req = {0};
	rt_http_response resp = {0};
	int error = -1;

	opts.max_retries = 0;
	opts.token = getenv("PROBE_TOKEN");
	opts.timeout_seconds = 20;
	req.method = "GET";
	req.url = url;
	if (rt_http_new(&http, &opts) < 0)
		goto cleanup;
	if (rt_http_send(http, &req, &resp) < 0)
		goto cleanup;
	printf("status %ld\n", resp.status);
	if (resp.status >= 200 && resp.status < 300)
		error = 0;
	else
		rt_error_set(RT_ERR_FAILED, "GET %s answered HTTP %ld", url, resp.status);

cleanup:
	rt_http_response_free(&resp);
	rt_http_free(http);
	return error;
}

static int probe_push(const char *dir, const char *url, const char *refspec)
{
	rt_repo *repo = NULL;
	const char *token = getenv("PROBE_TOKEN");
	int error = -1;

	if (rt_repo_open(&repo, dir) < 0)
		goto cleanup;
	if (rt_repo_push(repo, url, refspec, token ? token : "") < 0)
		goto cleanup;
	printf("pushed %s\n", refspec);
	error = 0;

cleanup:
	rt_repo_free(repo);
	return error;
}

int main(int argc, char **argv)
{
	int get = argc == 3 && strcmp(argv[1], "get") == 0;
	int push = argc == 5 && strcmp(argv[1], "push") == 0;
	int error;

	if (!get && !push) {
		fprintf(stderr, "usage: tls-probe get URL | tls-probe push DIR URL REFSPEC\n");
		return 2;
	}
	rt_runner_init();
	rt_runner_mask(getenv("PROBE_TOKEN"));
	if (rt_http_global_init() < 0 || rt_repo_global_init() < 0)
		error = -1;
	else if (get)
		error = probe_get(argv[2]);
	else
		error = probe_push(argv[2], argv[3], argv[4]);
	if (error < 0)
		rt_runner_error(rt_error_last());
	rt_repo_global_cleanup();
	rt_http_global_cleanup();
	rt_runner_shutdown();
	return error < 0 ? 1 : 0;
}
