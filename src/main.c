/*
 * main: parse, validate, dispatch. No work happens here (OpenBSD style):
 * the token is masked before anything can be printed, the configuration is
 * loaded once, one mode runs, and a failure becomes the single ::error::
 * line with exit status 1 (operation failed) or 2 (bad input).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <git2.h>

#include "error.h"
#include "http.h"
#include "inputs.h"
#include "modes.h"
#include "repo.h"
#include "runner.h"

static const struct {
	rt_mode mode;
	int (*run)(const rt_config *cfg);
} mode_table[] = {
	{RT_MODE_BUMP, rt_mode_bump},
	{RT_MODE_TAG, rt_mode_tag},
	{RT_MODE_RELEASE, rt_mode_release},
};

static void print_version(void)
{
	int major, minor, rev;

	git_libgit2_version(&major, &minor, &rev);
	printf("release-train %s (libcurl %s, libgit2 %d.%d.%d, cJSON %s)\n", RT_VERSION,
	       curl_version_info(CURLVERSION_NOW)->version, major, minor, rev, cJSON_Version());
}

/* --help and --version work anywhere on the line, offline, with no environment. */
static int handle_info_flags(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			rt_inputs_print_help(stdout);
			return 1;
		}
		if (strcmp(argv[i], "--version") == 0 || strcmp(argv[i], "-V") == 0) {
			print_version();
			return 1;
		}
	}
	return 0;
}

static int run_mode(const rt_config *cfg)
{
	size_t i;

	for (i = 0; i < sizeof(mode_table) / sizeof(mode_table[0]); i++)
		if (mode_table[i].mode == cfg->mode)
			return mode_table[i].run(cfg);
	return rt_error_set(RT_ERR_INPUT, "unknown mode");
}

int main(int argc, char **argv)
{
	rt_config cfg;
	int status = 0;

	if (handle_info_flags(argc, argv))
		return 0;
	rt_runner_init();
	/* before anything else is printed, even an error about another input */
	rt_runner_mask(getenv("INPUT_TOKEN"));
	rt_runner_mask(getenv("GITHUB_TOKEN")); /* the terminal fallbacks of inputs.c */
	rt_runner_mask(getenv("GH_TOKEN"));
	if (rt_config_load(&cfg, argc, argv) < 0) {
		rt_runner_error(rt_error_last());
		status = rt_error_exit_status();
		goto cleanup;
	}
	rt_runner_mask(cfg.token);
	if (rt_http_global_init() < 0 || rt_repo_global_init() < 0 || run_mode(&cfg) < 0) {
		rt_runner_error(rt_error_last());
		status = rt_error_exit_status();
	}
	rt_repo_global_cleanup();
	rt_http_global_cleanup();
	rt_config_free(&cfg);

cleanup:
	rt_error_clear();
	rt_runner_shutdown();
	return status;
}
