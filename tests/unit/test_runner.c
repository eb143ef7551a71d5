/*
 * runner: the exact bytes the GitHub Actions runner reads from us - workflow
 * commands on stdout, outputs in $GITHUB_OUTPUT (heredoc with a random
 * delimiter, LF only), the job summary under 1 MiB - and the plain words a
 * terminal gets instead. Secrets registered with rt_runner_mask never
 * appear in anything printed after.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"
#include "runner.h"

static char *dir, *output_path, *summary_path;

/* ---- capturing stdout/stderr at the file-descriptor level ---- */

typedef struct {
	int fd;    /* 1 or 2 */
	int saved; /* the original descriptor */
	char *path;
} capture;

static void capture_start(capture *c, int fd)
{
	int tmp;

	fflush(stdout);
	fflush(stderr);
	c->fd = fd;
	c->path = rt_xsprintf("%s/capture-%d", dir, fd);
	tmp = open(c->path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert_geq(tmp, 0);
	c->saved = dup(fd);
	cr_assert_geq(c->saved, 0);
	cr_assert_geq(dup2(tmp, fd), 0);
	close(tmp);
}

/* Restore the descriptor and return what was written (caller frees). */
static char *capture_end(capture *c)
{
	char *text;

	fflush(stdout);
	fflush(stderr);
	dup2(c->saved, c->fd);
	close(c->saved);
	text = test_slurp(c->path);
	unlink(c->path);
	free(c->path);
	return text;
}

typedef struct {
	capture out, err;
} captures;

static void both_start(captures *c)
{
	capture_start(&c->out, 1);
	capture_start(&c->err, 2);
}

static void both_end(captures *c, char **out, char **err)
{
	*err = capture_end(&c->err);
	*out = capture_end(&c->out);
}

/* ---- fixtures ---- */

static void setup_common(const char *actions)
{
	dir = test_tmpdir();
	cr_assert_not_null(dir);
	output_path = rt_xsprintf("%s/output", dir);
	summary_path = rt_xsprintf("%s/summary", dir);
	if (actions)
		setenv("GITHUB_ACTIONS", actions, 1);
	else
		unsetenv("GITHUB_ACTIONS");
	setenv("GITHUB_OUTPUT", output_path, 1);
	setenv("GITHUB_STEP_SUMMARY", summary_path, 1);
	unsetenv("RUNNER_DEBUG");
	rt_runner_init();
}

static void setup_actions(void)
{
	setup_common("true");
}

static void setup_terminal(void)
{
	setup_common(NULL);
	/* a terminal has no outputs file and no summary file */
	unsetenv("GITHUB_OUTPUT");
	unsetenv("GITHUB_STEP_SUMMARY");
	rt_runner_init();
}

static void teardown(void)
{
	DIR *d;
	struct dirent *e;

	rt_runner_shutdown();
	rt_error_clear();
	d = opendir(dir);
	while (d && (e = readdir(d)) != NULL) {
		if (e->d_name[0] != '.') {
			char *p = rt_xsprintf("%s/%s", dir, e->d_name);
			unlink(p);
			free(p);
		}
	}
	if (d)
		closedir(d);
	rmdir(dir);
	free(dir);
	free(output_path);
	free(summary_path);
	unsetenv("GITHUB_ACTIONS");
	unsetenv("GITHUB_OUTPUT");
	unsetenv("GITHUB_STEP_SUMMARY");
	unsetenv("RUNNER_DEBUG");
}

/* ---- parsing $GITHUB_OUTPUT back, the way the runner does ---- */

typedef struct {
	char *name;
	char *value;
	char *delimiter; /* NULL for name=value lines */
} parsed_output;

/* Parse the file into at most max entries; returns how many. Fails the test on a malformed file. */
static size_t parse_outputs(const char *text, parsed_output *out, size_t max)
{
	size_t n = 0;
	const char *p = text;

	while (*p) {
		const char *eol = strchr(p, '\n');
		const char *lt, *eq;
		size_t len;

		cr_assert_not_null(eol, "every line ends with LF: '%s'", p);
		cr_assert_lt(n, max);
		len = (size_t)(eol - p);
		lt = memmem(p, len, "<<", 2);
		eq = memchr(p, '=', len);
		if (lt && (!eq || lt < eq)) {
			rt_buf value = RT_BUF_INIT;
			char *delim = rt_xstrndup(lt + 2, len - (size_t)(lt - p) - 2);
			size_t dlen = strlen(delim);
			bool first = true;

			out[n].name = rt_xstrndup(p, (size_t)(lt - p));
			p = eol + 1;
			for (;;) {
				eol = strchr(p, '\n');
				cr_assert_not_null(eol, "heredoc of %s is closed by %s", out[n].name, delim);
				if ((size_t)(eol - p) == dlen && strncmp(p, delim, dlen) == 0)
					break;
				if (!first)
					rt_buf_putc(&value, '\n');
				rt_buf_put(&value, p, (size_t)(eol - p));
				first = false;
				p = eol + 1;
			}
			out[n].value = rt_buf_detach(&value);
			out[n].delimiter = delim;
		} else {
			cr_assert_not_null(eq, "a line is name=value or name<<DELIMITER: '%.*s'", (int)len,
					   p);
			out[n].name = rt_xstrndup(p, (size_t)(eq - p));
			out[n].value = rt_xstrndup(eq + 1, len - (size_t)(eq - p) - 1);
			out[n].delimiter = NULL;
		}
		n++;
		p = eol + 1;
	}
	return n;
}

static void free_outputs(parsed_output *o, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(o[i].name);
		free(o[i].value);
		free(o[i].delimiter);
	}
}

/* The delimiter is ghadelimiter_ and 32 lower-case hex digits. */
static void expect_random_delimiter(const char *d)
{
	size_t i;

	cr_assert_not_null(d);
	cr_expect_eq(strncmp(d, "ghadelimiter_", 13), 0, "delimiter %s", d);
	cr_expect_eq(strlen(d), 13 + 32, "delimiter %s", d);
	for (i = 13; d[i]; i++)
		cr_expect(strchr("0123456789abcdef", d[i]) != NULL, "delimiter %s", d);
}

/* ---- outputs ---- */

Test(runner_output, single_line_value, .init = setup_actions, .fini = teardown)
{
	char *text;

	cr_assert(rt_runner_in_actions());
	cr_assert_eq(rt_runner_set_output("version", "50.0.0"), 0);
	cr_assert_eq(rt_runner_set_output("previous-version", "49.0.0"), 0);
	cr_assert_eq(rt_runner_set_output("pr_number", ""), 0);
	cr_assert_eq(rt_runner_set_output("url", "https://x/?a=b&c=d"), 0);
	text = test_slurp(output_path);
	cr_expect_str_eq(text, "version=50.0.0\nprevious-version=49.0.0\npr_number=\n"
			       "url=https://x/?a=b&c=d\n");
	free(text);
}

Test(runner_output, multi_line_value_uses_a_random_heredoc, .init = setup_actions, .fini = teardown)
{
	const char *value = "Cargo.toml\ncrates/a/Cargo.toml\n\ncrates/b/Cargo.toml";
	parsed_output o[4];
	char *text;
	size_t n;

	cr_assert_eq(rt_runner_set_output("changed-files", value), 0);
	cr_assert_eq(rt_runner_set_output("plan", "{\n  \"x\": 1\n}\n"), 0);
	text = test_slurp(output_path);
	n = parse_outputs(text, o, 4);
	cr_assert_eq(n, 2, "%s", text);
	cr_expect_str_eq(o[0].name, "changed-files");
	cr_expect_str_eq(o[0].value, value);
	expect_random_delimiter(o[0].delimiter);
	cr_expect_str_eq(o[1].name, "plan");
	cr_expect_str_eq(o[1].value, "{\n  \"x\": 1\n}\n");
	expect_random_delimiter(o[1].delimiter);
	cr_expect_str_neq(o[0].delimiter, o[1].delimiter, "a fresh delimiter per value");
	/* exact layout: name<<D LF value LF D LF */
	{
		char *want = rt_xsprintf("changed-files<<%s\n%s\n%s\n", o[0].delimiter, value,
					 o[0].delimiter);
		cr_expect_eq(strncmp(text, want, strlen(want)), 0, "got:\n%s\nwant:\n%s", text, want);
		free(want);
	}
	free_outputs(o, n);
	free(text);
}

Test(runner_output, value_with_delimiter_like_text, .init = setup_actions, .fini = teardown)
{
	const char *value = "ghadelimiter_x\nEOF\nghadelimiter_\nversion=1.0.0\nname<<EOF";
	parsed_output o[2];
	char *text;
	size_t n;

	cr_assert_eq(rt_runner_set_output("notes", value), 0);
	text = test_slurp(output_path);
	n = parse_outputs(text, o, 2);
	cr_assert_eq(n, 1, "the value cannot end the block early or add outputs:\n%s", text);
	cr_expect_str_eq(o[0].name, "notes");
	cr_expect_str_eq(o[0].value, value);
	cr_expect_null(strstr(value, o[0].delimiter));
	free_outputs(o, n);
	free(text);
}

Test(runner_output, crlf_becomes_lf, .init = setup_actions, .fini = teardown)
{
	parsed_output o[2];
	char *text;
	size_t n;

	cr_assert_eq(rt_runner_set_output("body", "line 1\r\nline 2\r\n"), 0);
	cr_assert_eq(rt_runner_set_output("cr", "a\rb"), 0);
	text = test_slurp(output_path);
	cr_expect_null(strchr(text, '\r'), "no CR is written: %s", text);
	n = parse_outputs(text, o, 2);
	cr_assert_eq(n, 2);
	cr_expect_str_eq(o[0].value, "line 1\nline 2\n");
	cr_expect_str_eq(o[1].name, "cr");
	cr_expect_str_eq(o[1].value, "ab");
	free_outputs(o, n);
	free(text);
}

Test(runner_output, invalid_names_are_refused, .init = setup_actions, .fini = teardown)
{
	static const char *const bad[] = {"", "a=b", "a b", "a<<b", "x\ny", "é"};
	char *text;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rt_error_clear();
		cr_expect_eq(rt_runner_set_output(bad[i], "v"), -1, "'%s'", bad[i]);
		cr_assert_not_null(rt_error_last());
		cr_expect_eq(rt_error_last()->kind, RT_ERR_FAILED);
	}
	text = test_slurp(output_path);
	cr_expect_str_eq(text, "", "nothing written");
	free(text);
}

Test(runner_output, unwritable_outputs_file_is_an_error, .init = setup_actions, .fini = teardown)
{
	setenv("GITHUB_OUTPUT", "/nonexistent-rt-dir/output", 1);
	rt_runner_init();
	cr_expect_eq(rt_runner_set_output("version", "1"), -1);
	cr_assert_not_null(rt_error_last());
	cr_expect_not_null(strstr(rt_error_last()->message, "/nonexistent-rt-dir/output"), "%s",
			   rt_error_last()->message);
}

Test(runner_output, missing_outputs_file_in_actions_prints_nothing, .init = setup_actions,
     .fini = teardown)
{
	captures c;
	char *out, *err;

	unsetenv("GITHUB_OUTPUT");
	rt_runner_init();
	both_start(&c);
	cr_expect_eq(rt_runner_set_output("version", "1.0.0"), 0);
	both_end(&c, &out, &err);
	cr_expect_str_eq(out, "");
	cr_expect_str_eq(err, "");
	free(out);
	free(err);
}

/* ---- escaping ---- */

Test(runner_escape, data_and_property)
{
	char *d = rt_runner_escape_data("100% done\r\nfile: a,b");
	char *p = rt_runner_escape_property("100% done\r\nfile: a,b");
	char *e = rt_runner_escape_data("");
	char *pct = rt_runner_escape_property("%25");

	cr_expect_str_eq(d, "100%25 done%0D%0Afile: a,b");
	cr_expect_str_eq(p, "100%25 done%0D%0Afile%3A a%2Cb");
	cr_expect_str_eq(e, "");
	cr_expect_str_eq(pct, "%2525", "an already-escaped text is escaped again");
	free(d);
	free(p);
	free(e);
	free(pct);
}

/* ---- workflow commands in Actions ---- */

Test(runner_actions, error_with_file_and_line, .init = setup_actions, .fini = teardown)
{
	captures c;
	char *out, *err;

	rt_error_set_at(RT_ERR_INPUT, "crates/a:b,c/Cargo.toml", 7, "invalid version '1.02.0'\n50%% sure");
	both_start(&c);
	rt_runner_error(rt_error_last());
	both_end(&c, &out, &err);
	cr_expect_str_eq(out, "::error file=crates/a%3Ab%2Cc/Cargo.toml,line=7::invalid version "
			      "'1.02.0'%0A50%25 sure\n");
	cr_expect_str_eq(err, "", "commands go to stdout only");
	free(out);
	free(err);
}

Test(runner_actions, error_without_location, .init = setup_actions, .fini = teardown)
{
	captures c;
	char *out, *err;

	both_start(&c);
	rt_error_set(RT_ERR_FAILED, "push failed: HTTP 403");
	rt_runner_error(rt_error_last());
	rt_error_set_at(RT_ERR_INPUT, "VERSION", 0, "empty");
	rt_runner_error(rt_error_last());
	rt_runner_error(NULL);
	both_end(&c, &out, &err);
	cr_expect_str_eq(out, "::error::push failed: HTTP 403\n"
			      "::error file=VERSION::empty\n"
			      "::error::unknown error\n");
	cr_expect_str_eq(err, "");
	free(out);
	free(err);
}

Test(runner_actions, other_commands, .init = setup_actions, .fini = teardown)
{
	captures c;
	char *out, *err;

	both_start(&c);
	rt_runner_group("Bump: 3 crates");
	rt_runner_info("plain %s", "line");
	rt_runner_notice("tagged %s", "v50.0.0");
	rt_runner_warning("submodule %s is not checked out", "x");
	rt_runner_warning_at("Cargo.toml", 4, "odd, but %s", "fine");
	rt_runner_endgroup();
	both_end(&c, &out, &err);
	cr_expect_str_eq(out, "::group::Bump: 3 crates\n"
			      "plain line\n"
			      "::notice::tagged v50.0.0\n"
			      "::warning::submodule x is not checked out\n"
			      "::warning file=Cargo.toml,line=4::odd, but fine\n"
			      "::endgroup::\n");
	cr_expect_str_eq(err, "");
	free(out);
	free(err);
}

Test(runner_actions, debug_only_with_runner_debug_1, .init = setup_actions, .fini = teardown)
{
	captures c;
	char *out, *err;

	cr_expect_not(rt_runner_debug_enabled());
	both_start(&c);
	rt_runner_debug("hidden %d", 1);
	both_end(&c, &out, &err);
	cr_expect_str_eq(out, "");
	cr_expect_str_eq(err, "");
	free(out);
	free(err);

	setenv("RUNNER_DEBUG", "true", 1); /* the runner sets exactly "1" */
	rt_runner_init();
	cr_expect_not(rt_runner_debug_enabled());

	setenv("RUNNER_DEBUG", "1", 1);
	rt_runner_init();
	cr_expect(rt_runner_debug_enabled());
	both_start(&c);
	rt_runner_debug("GET %s -> %d", "/repos/o/r", 200);
	both_end(&c, &out, &err);
	cr_expect_str_eq(out, "::debug::GET /repos/o/r -> 200\n");
	cr_expect_str_eq(err, "");
	free(out);
	free(err);
}

#define SECRET "ghs_s3cr%t"

Test(runner_actions, mask_announces_and_redacts, .init = setup_actions, .fini = teardown)
{
	captures c;
	char *out, *err, *r;

	both_start(&c);
	rt_runner_mask("ghs_s3cr%t");
	rt_runner_mask("");
	rt_runner_mask(NULL);
	rt_runner_info("token=%s and again %s%s", SECRET, SECRET, SECRET);
	rt_runner_notice("n %s", SECRET);
	rt_runner_warning("w %s", SECRET);
	rt_runner_warning_at("f", 1, "wa %s", SECRET);
	rt_runner_group("g " SECRET);
	rt_error_set(RT_ERR_INPUT, "input 'dry-run' has the invalid value 'ghs_s3cr%%t'");
	rt_runner_error(rt_error_last());
	setenv("RUNNER_DEBUG", "1", 1);
	rt_runner_init(); /* a re-init forgets the secrets: register it again */
	rt_runner_mask("ghs_s3cr%t");
	rt_runner_debug("d %s", SECRET);
	both_end(&c, &out, &err);
	cr_expect_str_eq(out, "::add-mask::ghs_s3cr%25t\n"
			      "token=*** and again ******\n"
			      "::notice::n ***\n"
			      "::warning::w ***\n"
			      "::warning file=f,line=1::wa ***\n"
			      "::group::g ***\n"
			      "::error::input 'dry-run' has the invalid value '***'\n"
			      "::add-mask::ghs_s3cr%25t\n"
			      "::debug::d ***\n");
	cr_expect_str_eq(err, "");
	r = rt_runner_redact("a ghs_s3cr%t b");
	cr_expect_str_eq(r, "a *** b");
	free(r);
	free(out);
	free(err);
}

Test(runner_actions, redaction_of_several_and_overlapping_secrets, .init = setup_actions,
     .fini = teardown)
{
	captures c;
	char *out, *err, *r;

	both_start(&c);
	rt_runner_mask("abc");
	rt_runner_mask("abcdef"); /* contains the first: must still vanish whole */
	rt_runner_mask("xyz");
	both_end(&c, &out, &err);
	cr_expect_str_eq(out, "::add-mask::abc\n::add-mask::abcdef\n::add-mask::xyz\n");
	r = rt_runner_redact("1abcdef2 3abc4 5xyz6 abcxyz");
	cr_expect_str_eq(r, "1***2 3***4 5***6 ******");
	free(r);
	r = rt_runner_redact("");
	cr_expect_str_eq(r, "");
	free(r);
	free(out);
	free(err);
}

Test(runner_actions, multi_line_secret_is_masked_whole, .init = setup_actions, .fini = teardown)
{
	captures c;
	char *out, *err;

	both_start(&c);
	rt_runner_mask("line1\nline2");
	rt_runner_info("key: line1\nline2.");
	both_end(&c, &out, &err);
	cr_expect_str_eq(out, "::add-mask::line1%0Aline2\nkey: ***.\n");
	free(out);
	free(err);
}

/* ---- terminal ---- */

Test(runner_terminal, plain_words, .init = setup_terminal, .fini = teardown)
{
	captures c;
	char *out, *err;

	cr_assert_not(rt_runner_in_actions());
	both_start(&c);
	rt_runner_group("Bump");
	rt_runner_info("3 crates");
	rt_runner_notice("tagged v1");
	rt_runner_warning("careful: 50%%");
	rt_runner_warning_at("Cargo.toml", 3, "odd");
	rt_runner_warning_at("VERSION", 0, "odd");
	rt_runner_endgroup();
	rt_runner_debug("not shown");
	rt_error_set_at(RT_ERR_INPUT, "a,b:c.toml", 12, "bad\nversion");
	rt_runner_error(rt_error_last());
	rt_error_set(RT_ERR_FAILED, "no network");
	rt_runner_error(rt_error_last());
	rt_error_set_at(RT_ERR_INPUT, "VERSION", 0, "empty");
	rt_runner_error(rt_error_last());
	rt_runner_mask("tok3n");
	rt_runner_info("with tok3n");
	both_end(&c, &out, &err);
	cr_expect_str_eq(out, "==> Bump\n"
			      "3 crates\n"
			      "notice: tagged v1\n"
			      "with ***\n");
	cr_expect_str_eq(err, "warning: careful: 50%\n"
			      "warning: Cargo.toml:3: odd\n"
			      "warning: VERSION: odd\n"
			      "error: a,b:c.toml:12: bad\nversion\n"
			      "error: no network\n"
			      "error: VERSION: empty\n");
	cr_expect_null(strstr(out, "::"), "no workflow commands on a terminal");
	free(out);
	free(err);
}

Test(runner_terminal, github_actions_must_be_exactly_true, .fini = teardown)
{
	setup_common("false");
	cr_expect_not(rt_runner_in_actions());
	setenv("GITHUB_ACTIONS", "1", 1);
	rt_runner_init();
	cr_expect_not(rt_runner_in_actions());
	setenv("GITHUB_ACTIONS", "true", 1);
	rt_runner_init();
	cr_expect(rt_runner_in_actions());
}

Test(runner_terminal, debug_goes_to_stderr, .init = setup_terminal, .fini = teardown)
{
	captures c;
	char *out, *err;

	setenv("RUNNER_DEBUG", "1", 1);
	rt_runner_init();
	both_start(&c);
	rt_runner_debug("GET %s", "/x");
	both_end(&c, &out, &err);
	cr_expect_str_eq(out, "");
	cr_expect_str_eq(err, "debug: GET /x\n");
	free(out);
	free(err);
}

Test(runner_terminal, outputs_and_summary_are_printed, .init = setup_terminal, .fini = teardown)
{
	captures c;
	char *out, *err;

	both_start(&c);
	cr_expect_eq(rt_runner_set_output("version", "50.0.0"), 0);
	cr_expect_eq(rt_runner_summary("## Release\n"), 0);
	both_end(&c, &out, &err);
	cr_expect_str_eq(out, "output version: 50.0.0\n## Release\n");
	cr_expect_str_eq(err, "");
	free(out);
	free(err);
}

Test(runner_terminal, outputs_file_is_still_written_when_given, .fini = teardown)
{
	char *text;

	setup_common(NULL); /* a terminal run that sets GITHUB_OUTPUT by hand */
	cr_expect_eq(rt_runner_set_output("tag", "v1.0.0"), 0);
	text = test_slurp(output_path);
	cr_expect_str_eq(text, "tag=v1.0.0\n");
	free(text);
}

/* ---- job summary ---- */

Test(runner_summary, appends, .init = setup_actions, .fini = teardown)
{
	char *text;

	test_write(summary_path, "from an earlier step\n");
	cr_assert_eq(rt_runner_summary("## Release v1\n"), 0);
	cr_assert_eq(rt_runner_summary("| a | b |\n"), 0);
	cr_assert_eq(rt_runner_summary(""), 0);
	text = test_slurp(summary_path);
	cr_expect_str_eq(text, "from an earlier step\n## Release v1\n| a | b |\n");
	free(text);
}

static off_t file_size(const char *path)
{
	struct stat st;

	cr_assert_eq(stat(path, &st), 0);
	return st.st_size;
}

Test(runner_summary, stays_under_one_mib, .init = setup_actions, .fini = teardown)
{
	size_t chunk = 600 * 1024;
	char *big = rt_xmalloc(chunk + 1), *text;
	const char *note = "_(summary truncated at 1 MiB)_\n";

	memset(big, 'a', chunk);
	big[chunk] = '\0';
	cr_assert_eq(rt_runner_summary(big), 0);
	cr_expect_eq(file_size(summary_path), (off_t)chunk, "the first part fits whole");
	memset(big, 'b', chunk);
	cr_assert_eq(rt_runner_summary(big), 0);
	cr_expect_lt(file_size(summary_path), 1024 * 1024);
	cr_expect_gt(file_size(summary_path), 1024 * 1024 - 1024, "filled up to the limit");
	text = test_slurp(summary_path);
	cr_expect_eq(strspn(text, "a"), chunk, "the first part is intact");
	cr_expect_eq(strcmp(text + strlen(text) - strlen(note), note), 0, "ends with the note");
	free(text);

	/* later parts add nothing once the limit is reached */
	cr_assert_eq(rt_runner_summary("more\n"), 0);
	cr_expect_lt(file_size(summary_path), 1024 * 1024);
	text = test_slurp(summary_path);
	cr_expect_eq(strcmp(text + strlen(text) - strlen(note), note), 0, "still ends with the note");
	free(text);
	free(big);
}

Test(runner_summary, one_huge_part, .init = setup_actions, .fini = teardown)
{
	size_t size = 3 * 1024 * 1024;
	char *big = rt_xmalloc(size + 1), *text;

	memset(big, 'x', size);
	big[size] = '\0';
	cr_assert_eq(rt_runner_summary(big), 0);
	cr_expect_lt(file_size(summary_path), 1024 * 1024);
	text = test_slurp(summary_path);
	cr_expect_not_null(strstr(text, "summary truncated at 1 MiB"));
	free(text);
	free(big);
}

Test(runner_summary, exactly_at_the_limit, .init = setup_actions, .fini = teardown)
{
	/* a file already at 1 MiB (another step's) gets nothing more and no error */
	FILE *f = fopen(summary_path, "wb");
	char *text;

	for (int i = 0; i < 1024 * 1024; i++)
		fputc('z', f);
	fclose(f);
	cr_assert_eq(rt_runner_summary("tail\n"), 0);
	cr_expect_eq(file_size(summary_path), 1024 * 1024);
	text = test_slurp(summary_path);
	cr_expect_null(strstr(text, "tail"));
	free(text);
}
