/*
 * repo: the repository ("owner/name") a remote URL names, read as gh reads
 * it, for terminal use without GITHUB_REPOSITORY; and the origin remote of
 * a real repository, through the configuration.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <unistd.h>

#include <git2.h>

#include "helpers.h"
#include "inputs.h"
#include "repo.h"

static void teardown(void)
{
	rt_error_clear();
}

TestSuite(repo_url, .fini = teardown);

static void expect_repo(const char *url, const char *want)
{
	char *got = NULL;
	int error = rt_repo_parse_remote_url(&got, url);

	cr_expect_eq(error, 0, "%s: %s", url, rt_error_last() ? rt_error_last()->message : "");
	cr_expect_str_eq(got ? got : "(null)", want, "%s", url);
	free(got);
}

static void expect_none(const char *url)
{
	char *got = NULL;
	int error = rt_repo_parse_remote_url(&got, url);

	cr_expect_eq(error, RT_ENOTFOUND, "%s gave %s", url, got ? got : "(null)");
	cr_expect_null(got);
	cr_assert_not_null(rt_error_last());
	cr_expect_eq(rt_error_last()->kind, RT_ERR_INPUT);
	free(got);
	rt_error_clear();
}

Test(repo_url, https_forms)
{
	expect_repo("https://github.com/bytecodealliance/wasmtime", "bytecodealliance/wasmtime");
	expect_repo("https://github.com/bytecodealliance/wasmtime.git", "bytecodealliance/wasmtime");
	expect_repo("https://github.com/bytecodealliance/wasmtime/", "bytecodealliance/wasmtime");
	expect_repo("https://github.com/bytecodealliance/wasmtime.git/", "bytecodealliance/wasmtime");
	expect_repo("HTTPS://github.com/o/r", "o/r");
	expect_repo("http://127.0.0.1:8080/octo/demo-1", "octo/demo-1");
	expect_repo("https://ghe.example.com/o/r.git", "o/r");
}

Test(repo_url, credentials_in_the_url_are_ignored)
{
	expect_repo("https://x-access-token:ghs_secret@github.com/o/r.git", "o/r");
	expect_repo("https://user@github.com/o/r", "o/r");
}

Test(repo_url, ssh_forms)
{
	expect_repo("git@github.com:bytecodealliance/wasmtime.git", "bytecodealliance/wasmtime");
	expect_repo("git@github.com:o/r", "o/r");
	expect_repo("github.com:o/r.git", "o/r");
	expect_repo("ssh://git@github.com/o/r", "o/r");
	expect_repo("ssh://git@github.com/o/r.git", "o/r");
	expect_repo("ssh://git@ghe.example.com:2222/o/r.git", "o/r");
	expect_repo("git+ssh://git@github.com/o/r.git", "o/r");
	expect_repo("git://github.com/o/r.git", "o/r");
	expect_repo("git@github.com:/o/r.git", "o/r");
}

Test(repo_url, names_github_allows)
{
	expect_repo("https://github.com/rust-lang/rust.vim", "rust-lang/rust.vim");
	expect_repo("https://github.com/o/r_s.git", "o/r_s");
	expect_repo("https://github.com/o/.github", "o/.github");
	expect_repo("https://github.com/o/r.git.git", "o/r.git");
}

Test(repo_url, not_a_github_repository)
{
	expect_none("");
	expect_none("/srv/git/demo.git");
	expect_none("../demo");
	expect_none("file:///srv/git/o/r.git");
	expect_none("ftp://github.com/o/r");
	expect_none("https://github.com/o");
	expect_none("https://github.com/o/");
	expect_none("https://github.com/");
	expect_none("https://github.com");
	expect_none("https:///o/r");
	expect_none("https://github.com/o/r/tree/main");
	expect_none("https://github.com/group/sub/r.git");
	expect_none("https://github.com/o/.git");
	expect_none("https://github.com/o/..");
	expect_none("https://github.com/o/r?x=1");
	expect_none("https://github.com/o%2Fx/r");
	expect_none("https://github.com/o/r name");
	expect_none("git@github.com:o");
	expect_none("C:\\src\\demo");
}

Test(repo_url, message_never_quotes_the_url)
{
	char *got = NULL;

	cr_assert_eq(rt_repo_parse_remote_url(&got, "https://x:ghs_secret@github.com/o"), RT_ENOTFOUND);
	cr_expect_null(strstr(rt_error_last()->message, "ghs_secret"));
}

/* A real repository whose origin is url; cwd moves there. */
static char *repo_with_origin(const char *url)
{
	char *dir = test_tmpdir();
	git_repository *repo = NULL;
	git_remote *remote = NULL;

	cr_assert_not_null(dir);
	git_libgit2_init();
	cr_assert_eq(git_repository_init(&repo, dir, 0), 0);
	if (url)
		cr_assert_eq(git_remote_create(&remote, repo, "origin", url), 0);
	git_remote_free(remote);
	git_repository_free(repo);
	git_libgit2_shutdown();
	cr_assert_eq(chdir(dir), 0);
	return dir;
}

Test(repo_url, origin_of_a_repository)
{
	char *dir = repo_with_origin("git@github.com:bytecodealliance/wasmtime.git");
	char *got = NULL;

	cr_assert_eq(rt_repo_origin_repository(&got, dir), 0);
	cr_expect_str_eq(got, "bytecodealliance/wasmtime");
	free(got);
	free(dir);
}

/* url.<base>.insteadOf applies, the longest match winning, as in git. */
Test(repo_url, origin_with_insteadof)
{
	char *dir = repo_with_origin("work:tools");
	git_repository *repo = NULL;
	git_config *cfg = NULL;
	char *got = NULL;

	git_libgit2_init();
	cr_assert_eq(git_repository_open(&repo, dir), 0);
	cr_assert_eq(git_repository_config(&cfg, repo), 0);
	cr_assert_eq(git_config_set_string(cfg, "url.https://github.com/acme/.insteadOf", "work:"), 0);
	cr_assert_eq(git_config_set_string(cfg, "url.https://github.com/other/x/.insteadOf", "w"), 0);
	git_config_free(cfg);
	git_repository_free(repo);
	git_libgit2_shutdown();
	cr_assert_eq(rt_repo_origin_repository(&got, dir), 0, "%s", rt_error_last() ? rt_error_last()->message : "");
	cr_expect_str_eq(got, "acme/tools");
	free(got);
	free(dir);
}

Test(repo_url, no_origin)
{
	char *dir = repo_with_origin(NULL);
	char *got = NULL;

	cr_expect_eq(rt_repo_origin_repository(&got, dir), RT_ENOTFOUND);
	cr_expect_null(got);
	free(dir);
}

/* The configuration: GITHUB_REPOSITORY first, else the origin remote. */
Test(repo_url, config_falls_back_to_origin)
{
	char *dir = repo_with_origin("https://github.com/o/r.git");
	char *argv[] = {"release-train", "tag"};
	rt_config c;

	unsetenv("GITHUB_REPOSITORY");
	unsetenv("GITHUB_WORKSPACE");
	unsetenv("INPUT_WORKING-DIRECTORY");
	cr_assert_eq(rt_config_load(&c, 2, argv), 0);
	cr_expect_str_eq(c.repository, "o/r");
	rt_config_free(&c);
	setenv("GITHUB_REPOSITORY", "real/one", 1);
	cr_assert_eq(rt_config_load(&c, 2, argv), 0);
	cr_expect_str_eq(c.repository, "real/one", "GITHUB_REPOSITORY wins");
	rt_config_free(&c);
	unsetenv("GITHUB_REPOSITORY");
	free(dir);
}
