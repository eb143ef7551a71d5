/*
 * inputs: the runner's INPUT_<NAME> variables (hyphens kept, empty = unset)
 * and terminal flags (which win) become one validated rt_config; bad values
 * are RT_ERR_INPUT errors that name the input and what it accepts; the
 * defaults are the SPEC's; the GITHUB_* context is read once.
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <unistd.h>

#include "helpers.h"
#include "inputs.h"

extern char **environ;

/* Every test starts from an environment with no INPUT_*, GITHUB_* or token variables,
 * whatever the shell that runs the suite exports. */
static void clean_env(void)
{
	static const char *const prefixes[] = {"INPUT_", "GITHUB_", "GH_TOKEN=", "RUNNER_"};
	size_t i, p;

	for (;;) {
		char *victim = NULL;
		for (i = 0; environ[i] && !victim; i++)
			for (p = 0; p < sizeof(prefixes) / sizeof(prefixes[0]); p++)
				if (strncmp(environ[i], prefixes[p], strlen(prefixes[p])) == 0) {
					victim = rt_xstrndup(environ[i], strcspn(environ[i], "="));
					break;
				}
		if (!victim)
			break;
		unsetenv(victim);
		free(victim);
	}
}

static void teardown(void)
{
	clean_env();
	rt_error_clear();
}

/* Load with the given arguments (argv[0] added); returns rt_config_load's result. */
#define LOAD(cfg, ...)                                                                  \
	({                                                                              \
		char *argv_[] = {"release-train", __VA_ARGS__};                         \
		rt_config_load((cfg), (int)(sizeof(argv_) / sizeof(argv_[0])), argv_); \
	})
#define LOAD0(cfg)                                     \
	({                                             \
		char *argv_[] = {"release-train", NULL}; \
		rt_config_load((cfg), 1, argv_);       \
	})

static void must_load(rt_config *cfg, int result)
{
	(void)cfg; /* named so that calls read must_load(&c, LOAD(&c, ...)) */
	cr_assert_eq(result, 0, "load failed: %s",
		     rt_error_last() ? rt_error_last()->message : "(no error recorded)");
}

/* The load failed with an input error whose message contains each given text. */
static void must_fail(int result, const char *a, const char *b, const char *c)
{
	const rt_error *e = rt_error_last();

	cr_assert_eq(result, -1, "load should fail");
	cr_assert_not_null(e, "an error is recorded");
	cr_expect_eq(e->kind, RT_ERR_INPUT, "kind %d: %s", e->kind, e->message);
	cr_expect_eq(rt_error_exit_status(), 2);
	if (a)
		cr_expect_not_null(strstr(e->message, a), "'%s' should contain '%s'", e->message, a);
	if (b)
		cr_expect_not_null(strstr(e->message, b), "'%s' should contain '%s'", e->message, b);
	if (c)
		cr_expect_not_null(strstr(e->message, c), "'%s' should contain '%s'", e->message, c);
	rt_error_clear();
}

TestSuite(inputs, .init = clean_env, .fini = teardown);

/* ---- the table ---- */

Test(inputs, table_defaults_are_the_specs)
{
	/* SPEC.md, the tables of common, bump, tag and release inputs */
	static const struct {
		const char *name, *def;
	} spec[] = {
		{"mode", NULL},
		{"token", "${{ github.token }}"},
		{"dry-run", "false"},
		{"working-directory", "."},
		{"marker", "[automatically-tag-and-release-this-commit]"},
		{"max-retries", "5"},
		{"level", "major"},
		{"prerelease-id", NULL},
		{"cut-branch", NULL},
		{"release-date", NULL},
		{"version", NULL},
		{"version-files", NULL},
		{"name", NULL},
		{"branch", "ci/bump-to-{version}"},
		{"base", NULL},
		{"commit-message", "Release {name} {version}\n\n{marker}"},
		{"author", "github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>"},
		{"push", "git"},
		{"pr-title", "Release {name} {version}"},
		{"pr-body", NULL},
		{"security-query", NULL},
		{"bump-unpublished", "false"},
		{"only-on", NULL},
		{"tag-format", "v{version}"},
		{"version-from", "auto"},
		{"target", "head"},
		{"scan", "since-last-tag"},
		{"annotated", "false"},
		{"dispatch", NULL},
		{"allow-prerelease-versions", "true"},
		{"before", NULL},
		{"after", NULL},
		{"tag", NULL},
		{"files", NULL},
		{"notes-file", NULL},
		{"generate-notes", "false"},
		{"draft", "false"},
		{"prerelease", "auto"},
		{"make-latest", "true"},
		{"overwrite", "true"},
		{"fail-on-unmatched", "true"},
		{"checksums", NULL},
		{"concurrency", "4"},
		{"rolling", NULL},
	};
	const size_t nspec = sizeof(spec) / sizeof(spec[0]);
	const rt_input_def *def;
	size_t i, rows = 0;

	for (def = rt_inputs_table(); def->name; def++, rows++) {
		for (i = 0; i < nspec; i++)
			if (strcmp(spec[i].name, def->name) == 0)
				break;
		cr_assert_lt(i, nspec, "input '%s' is not in the SPEC", def->name);
		if (spec[i].def)
			cr_expect(def->default_str && strcmp(def->default_str, spec[i].def) == 0,
				  "%s: default '%s', SPEC says '%s'", def->name,
				  def->default_str ? def->default_str : "(none)", spec[i].def);
		else
			cr_expect_null(def->default_str, "%s has no default in the SPEC", def->name);
		cr_expect(def->help && *def->help, "%s has help text", def->name);
		cr_expect_neq(def->modes, 0, "%s applies to some mode", def->name);
	}
	cr_expect_eq(rows, nspec, "every SPEC input has a row");
}

Test(inputs, table_is_well_formed)
{
	const rt_input_def *a, *b;

	for (a = rt_inputs_table(); a->name; a++) {
		for (const char *p = a->name; *p; p++)
			cr_expect((*p >= 'a' && *p <= 'z') || *p == '-', "name '%s' is lower-case kebab",
				  a->name);
		for (b = a + 1; b->name; b++)
			cr_expect_str_neq(a->name, b->name, "names are unique");
		if (a->kind == RT_INPUT_CHOICE)
			cr_expect_not_null(a->choices, "%s lists its choices", a->name);
		if (a->kind == RT_INPUT_INT)
			cr_expect_leq(a->min, a->max, "%s range", a->name);
	}
}

/* ---- defaults ---- */

Test(inputs, defaults_in_the_config)
{
	rt_config c;

	must_load(&c, LOAD(&c, "bump"));
	cr_expect_eq(c.mode, RT_MODE_BUMP);
	cr_expect_null(c.token, "no token anywhere");
	cr_expect_not(c.dry_run);
	cr_expect_str_eq(c.working_directory, ".");
	cr_expect_str_eq(c.marker, "[automatically-tag-and-release-this-commit]");
	cr_expect_eq(c.max_retries, 5);
	cr_expect_eq(c.level, RT_BUMP_MAJOR);
	cr_expect_null(c.version);
	cr_expect_null(c.version_files);
	cr_expect_null(c.name);
	cr_expect_str_eq(c.branch, "ci/bump-to-{version}");
	cr_expect_null(c.base);
	cr_expect_str_eq(c.commit_message, "Release {name} {version}\n\n{marker}");
	cr_expect_str_eq(c.author,
			 "github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>");
	cr_expect_eq(c.push, RT_PUSH_GIT);
	cr_expect_str_eq(c.pr_title, "Release {name} {version}");
	cr_expect_null(c.pr_body);
	cr_expect_null(c.security_query);
	cr_expect_not(c.bump_unpublished);
	cr_expect_null(c.only_on);
	cr_expect_str_eq(c.tag_format, "v{version}");
	cr_expect_null(c.version_from, "auto is NULL");
	cr_expect_eq(c.target, RT_TARGET_HEAD);
	cr_expect_eq(c.scan, RT_SCAN_SINCE_LAST_TAG);
	cr_expect_not(c.annotated);
	cr_expect_null(c.dispatch);
	cr_expect(c.allow_prerelease_versions);
	cr_expect_null(c.before);
	cr_expect_null(c.after);
	cr_expect_null(c.tag);
	cr_expect_null(c.files);
	cr_expect_null(c.notes_file);
	cr_expect_not(c.generate_notes);
	cr_expect_not(c.draft);
	cr_expect_eq(c.prerelease, RT_AUTO);
	cr_expect_eq(c.make_latest, RT_LATEST_TRUE);
	cr_expect(c.overwrite);
	cr_expect(c.fail_on_unmatched);
	cr_expect_null(c.checksums);
	cr_expect_eq(c.concurrency, 4);
	cr_expect_null(c.rolling);
	rt_config_free(&c);
	cr_expect_null(c.marker, "free resets the config");
	rt_config_free(&c); /* and a second free is harmless */
}

/* ---- the environment ---- */

Test(inputs, env_names_keep_hyphens)
{
	rt_config c;

	setenv("INPUT_MODE", "release", 1);
	setenv("INPUT_DRY-RUN", "true", 1);
	setenv("INPUT_FAIL-ON-UNMATCHED", "false", 1);
	setenv("INPUT_MAKE-LATEST", "legacy", 1);
	setenv("INPUT_NOTES-FILE", "RELEASES.md", 1);
	setenv("INPUT_WORKING_DIRECTORY", "not-this", 1); /* underscore: not ours */
	must_load(&c, LOAD0(&c));
	cr_expect_eq(c.mode, RT_MODE_RELEASE);
	cr_expect(c.dry_run);
	cr_expect_not(c.fail_on_unmatched);
	cr_expect_eq(c.make_latest, RT_LATEST_LEGACY);
	cr_expect_str_eq(c.notes_file, "RELEASES.md");
	cr_expect_str_eq(c.working_directory, ".");
	rt_config_free(&c);
}

Test(inputs, env_empty_means_unset)
{
	rt_config c;

	setenv("INPUT_MODE", "tag", 1);
	setenv("INPUT_MAX-RETRIES", "", 1);
	setenv("INPUT_MARKER", "", 1);
	setenv("INPUT_DRY-RUN", "", 1);
	setenv("INPUT_DISPATCH", "", 1);
	setenv("INPUT_TOKEN", "", 1);
	must_load(&c, LOAD0(&c));
	cr_expect_eq(c.max_retries, 5);
	cr_expect_str_eq(c.marker, "[automatically-tag-and-release-this-commit]");
	cr_expect_not(c.dry_run);
	cr_expect_null(c.dispatch);
	cr_expect_null(c.token);
	rt_config_free(&c);

	setenv("INPUT_MODE", "", 1);
	must_fail(LOAD0(&c), "input 'mode' is required", "bump, tag or release", NULL);
}

Test(inputs, env_values_are_kept_verbatim)
{
	rt_config c;

	setenv("INPUT_MODE", "bump", 1);
	setenv("INPUT_COMMIT-MESSAGE", "Release {version}\r\n\r\n{marker}\n", 1);
	setenv("INPUT_VERSION-FILES", "include/x.h\npackage.json\n", 1);
	setenv("INPUT_MARKER", "  [release]  ", 1);
	must_load(&c, LOAD0(&c));
	cr_expect_str_eq(c.commit_message, "Release {version}\r\n\r\n{marker}\n");
	cr_expect_str_eq(c.version_files, "include/x.h\npackage.json\n");
	cr_expect_str_eq(c.marker, "  [release]  ");
	rt_config_free(&c);
}

Test(inputs, env_inputs_of_other_modes_are_ignored)
{
	rt_config c;

	/* the runner passes every input of action.yml to every mode */
	setenv("INPUT_MODE", "tag", 1);
	setenv("INPUT_LEVEL", "not-a-level", 1);
	setenv("INPUT_CONCURRENCY", "999", 1);
	setenv("INPUT_DRAFT", "perhaps", 1);
	setenv("INPUT_FILES", "dist/*", 1);
	setenv("INPUT_DISPATCH", "release.yml", 1);
	must_load(&c, LOAD0(&c));
	cr_expect_eq(c.mode, RT_MODE_TAG);
	cr_expect_eq(c.level, RT_BUMP_MAJOR, "bump's level is not read in tag mode");
	cr_expect_eq(c.concurrency, 4);
	cr_expect_null(c.files);
	cr_expect_str_eq(c.dispatch, "release.yml");
	rt_config_free(&c);

	/* but the same bad value fails the mode it belongs to */
	setenv("INPUT_MODE", "bump", 1);
	must_fail(LOAD0(&c), "'level'", "not-a-level", "major, minor, patch, rc, release");
}

Test(inputs, env_of_other_mode_ignored_when_mode_is_a_flag)
{
	rt_config c;

	setenv("INPUT_LEVEL", "bogus", 1);
	setenv("INPUT_MODE", "bump", 1);
	must_load(&c, LOAD(&c, "release"));
	cr_expect_eq(c.mode, RT_MODE_RELEASE, "the argument wins over INPUT_MODE");
	rt_config_free(&c);
	must_load(&c, LOAD(&c, "--mode", "tag"));
	cr_expect_eq(c.mode, RT_MODE_TAG);
	rt_config_free(&c);
}

/* ---- flags ---- */

Test(inputs, flags_override_env)
{
	rt_config c;

	setenv("INPUT_MODE", "bump", 1);
	setenv("INPUT_LEVEL", "minor", 1);
	setenv("INPUT_MARKER", "[env]", 1);
	setenv("INPUT_DRY-RUN", "true", 1);
	setenv("INPUT_MAX-RETRIES", "7", 1);
	must_load(&c, LOAD(&c, "--level", "patch", "--marker=[flag]", "--dry-run=false"));
	cr_expect_eq(c.level, RT_BUMP_PATCH);
	cr_expect_str_eq(c.marker, "[flag]");
	cr_expect_not(c.dry_run);
	cr_expect_eq(c.max_retries, 7, "env still applies where no flag is given");
	rt_config_free(&c);
}

Test(inputs, flag_forms)
{
	rt_config c;

	must_load(&c, LOAD(&c, "release", "--tag", "v1.0.0", "--files=dist/*\nbuild/x", "--name=a=b",
			   "--concurrency", "8", "--rolling="));
	cr_expect_str_eq(c.tag, "v1.0.0");
	cr_expect_str_eq(c.files, "dist/*\nbuild/x");
	cr_expect_str_eq(c.name, "a=b", "only the first '=' separates");
	cr_expect_eq(c.concurrency, 8);
	cr_expect_str_eq(c.rolling, "", "an explicit empty flag value is kept");
	rt_config_free(&c);
}

Test(inputs, flag_may_repeat_last_wins)
{
	rt_config c;

	must_load(&c, LOAD(&c, "bump", "--level", "minor", "--level", "rc"));
	cr_expect_eq(c.level, RT_BUMP_RC);
	rt_config_free(&c);
}

Test(inputs, boolean_flag_alone_is_true)
{
	rt_config c;

	must_load(&c, LOAD(&c, "bump", "--dry-run"));
	cr_expect(c.dry_run);
	rt_config_free(&c);

	must_load(&c, LOAD(&c, "bump", "--dry-run", "--level", "minor", "--bump-unpublished"));
	cr_expect(c.dry_run);
	cr_expect(c.bump_unpublished);
	cr_expect_eq(c.level, RT_BUMP_MINOR);
	rt_config_free(&c);

	/* a boolean word after a boolean flag is its value */
	must_load(&c, LOAD(&c, "tag", "--annotated", "no", "--allow-prerelease-versions", "0"));
	cr_expect_not(c.annotated);
	cr_expect_not(c.allow_prerelease_versions);
	rt_config_free(&c);

	/* ... and any other word is not */
	must_fail(LOAD(&c, "tag", "--annotated", "maybe"), "unexpected argument 'maybe'", NULL, NULL);
}

Test(inputs, booleans_accept_only_true_false_yes_no_1_0)
{
	static const struct {
		const char *text;
		bool value;
	} good[] = {{"true", true}, {"false", false}, {"yes", true}, {"no", false},
		    {"1", true},    {"0", false},     {"TRUE", true}, {"False", false}};
	static const char *const bad[] = {"maybe", "on", "off", "y", "n", "2", "-1", "truee", " true"};
	rt_config c;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		setenv("INPUT_DRY-RUN", good[i].text, 1);
		must_load(&c, LOAD(&c, "bump"));
		cr_expect_eq(c.dry_run, good[i].value, "'%s'", good[i].text);
		rt_config_free(&c);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *quoted = rt_xsprintf("'%s'", bad[i]);
		setenv("INPUT_DRY-RUN", bad[i], 1);
		must_fail(LOAD(&c, "bump"), "input 'dry-run'", quoted, "true or false");
		free(quoted);
	}
	unsetenv("INPUT_DRY-RUN");
	must_fail(LOAD(&c, "bump", "--dry-run="), "input 'dry-run'", "true or false", NULL);
	must_fail(LOAD(&c, "release", "--draft=maybe"), "input 'draft'", "'maybe'", "yes/no, 1/0");
}

Test(inputs, integers_and_ranges)
{
	rt_config c;

	must_load(&c, LOAD(&c, "release", "--max-retries", "0", "--concurrency", "32"));
	cr_expect_eq(c.max_retries, 0);
	cr_expect_eq(c.concurrency, 32);
	rt_config_free(&c);
	must_load(&c, LOAD(&c, "release", "--max-retries", "20", "--concurrency", "1"));
	cr_expect_eq(c.max_retries, 20);
	cr_expect_eq(c.concurrency, 1);
	rt_config_free(&c);

	must_fail(LOAD(&c, "release", "--max-retries", "21"), "input 'max-retries'", "'21'",
		  "a whole number from 0 to 20");
	must_fail(LOAD(&c, "release", "--max-retries=-1"), "input 'max-retries'", "from 0 to 20", NULL);
	must_fail(LOAD(&c, "release", "--concurrency", "0"), "input 'concurrency'", "from 1 to 32", NULL);
	must_fail(LOAD(&c, "release", "--concurrency", "33"), "input 'concurrency'", NULL, NULL);
	must_fail(LOAD(&c, "release", "--concurrency", "4x"), "input 'concurrency'", "'4x'", NULL);
	must_fail(LOAD(&c, "release", "--concurrency", "four"), "input 'concurrency'", NULL, NULL);
	must_fail(LOAD(&c, "release", "--concurrency", "1.5"), "input 'concurrency'", NULL, NULL);
	must_fail(LOAD(&c, "release", "--concurrency", "99999999999999999999"), "input 'concurrency'",
		  NULL, NULL);
	setenv("INPUT_MAX-RETRIES", "lots", 1);
	must_fail(LOAD(&c, "tag"), "input 'max-retries'", "'lots'", "from 0 to 20");
}

Test(inputs, choices)
{
	static const struct {
		const char *text;
		rt_bump_level level;
	} levels[] = {{"major", RT_BUMP_MAJOR},
		      {"minor", RT_BUMP_MINOR},
		      {"patch", RT_BUMP_PATCH},
		      {"rc", RT_BUMP_RC},
		      {"release", RT_BUMP_RELEASE}};
	rt_config c;
	size_t i;

	for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		must_load(&c, LOAD(&c, "bump", "--level", (char *)levels[i].text));
		cr_expect_eq(c.level, levels[i].level, "%s", levels[i].text);
		rt_config_free(&c);
	}
	must_load(&c, LOAD(&c, "bump", "--push", "api"));
	cr_expect_eq(c.push, RT_PUSH_API);
	rt_config_free(&c);
	must_load(&c, LOAD(&c, "tag", "--target", "marker", "--scan", "push"));
	cr_expect_eq(c.target, RT_TARGET_MARKER);
	cr_expect_eq(c.scan, RT_SCAN_PUSH);
	rt_config_free(&c);
	must_load(&c, LOAD(&c, "release", "--prerelease", "true", "--make-latest", "false"));
	cr_expect_eq(c.prerelease, RT_TRUE);
	cr_expect_eq(c.make_latest, RT_LATEST_FALSE);
	rt_config_free(&c);
	must_load(&c, LOAD(&c, "release", "--prerelease", "false"));
	cr_expect_eq(c.prerelease, RT_FALSE);
	rt_config_free(&c);
	must_load(&c, LOAD(&c, "release", "--prerelease", "auto"));
	cr_expect_eq(c.prerelease, RT_AUTO);
	rt_config_free(&c);

	must_fail(LOAD(&c, "bump", "--level", "huge"), "input 'level'", "'huge'",
		  "one of major, minor, patch, rc, release");
	must_fail(LOAD(&c, "bump", "--level", "Major"), "input 'level'", NULL, NULL);
	must_fail(LOAD(&c, "bump", "--level", "maj"), "input 'level'", NULL, NULL);
	must_fail(LOAD(&c, "bump", "--push", "ssh"), "input 'push'", "one of git, api", NULL);
	must_fail(LOAD(&c, "tag", "--scan", "all"), "input 'scan'", "since-last-tag, push", NULL);
	must_fail(LOAD(&c, "release", "--make-latest", "yes"), "input 'make-latest'",
		  "true, false, legacy", NULL);
}

Test(inputs, version_from_auto_is_null_however_given)
{
	rt_config c;

	must_load(&c, LOAD(&c, "tag", "--version-from", "auto"));
	cr_expect_null(c.version_from, "--version-from auto means auto");
	rt_config_free(&c);
	setenv("INPUT_VERSION-FROM", "auto", 1);
	must_load(&c, LOAD(&c, "tag"));
	cr_expect_null(c.version_from);
	rt_config_free(&c);
	setenv("INPUT_VERSION-FROM", "crates/cli/Cargo.toml", 1);
	must_load(&c, LOAD(&c, "tag"));
	cr_expect_str_eq(c.version_from, "crates/cli/Cargo.toml");
	rt_config_free(&c);
	must_load(&c, LOAD(&c, "tag", "--version-from=auto"));
	cr_expect_null(c.version_from, "a flag auto wins over the env file");
	rt_config_free(&c);
}

Test(inputs, unknown_flag)
{
	rt_config c;

	must_fail(LOAD(&c, "bump", "--levle", "patch"), "unknown flag '--levle'", "--help", NULL);
	must_fail(LOAD(&c, "bump", "--levle=patch"), "unknown flag '--levle'", NULL, NULL);
	must_fail(LOAD(&c, "bump", "--"), "unknown flag '--'", NULL, NULL);
	must_fail(LOAD(&c, "bump", "-l", "patch"), "unexpected argument '-l'", NULL, NULL);
	must_fail(LOAD(&c, "bump", "patch"), "unexpected argument 'patch'", "--name value", NULL);
	must_fail(LOAD(&c, "bump", "--level"), "flag '--level' needs a value", NULL, NULL);
}

Test(inputs, flag_of_another_mode)
{
	rt_config c;

	must_fail(LOAD(&c, "tag", "--level", "patch"), "flag '--level' does not apply to mode 'tag'",
		  NULL, NULL);
	must_fail(LOAD(&c, "bump", "--files=x"), "flag '--files' does not apply to mode 'bump'", NULL,
		  NULL);
	must_fail(LOAD(&c, "release", "--dispatch", "x.yml"), "'--dispatch'", "'release'", NULL);
	must_fail(LOAD(&c, "tag", "--name", "x"), "'--name'", "'tag'", NULL);
	/* name belongs to bump and release */
	must_load(&c, LOAD(&c, "release", "--name", "Wasmtime 50"));
	cr_expect_str_eq(c.name, "Wasmtime 50");
	rt_config_free(&c);
	must_load(&c, LOAD(&c, "bump", "--name", "wasmtime"));
	rt_config_free(&c);
	/* common inputs belong to every mode */
	must_load(&c, LOAD(&c, "tag", "--marker", "[m]", "--max-retries", "1", "--dry-run",
			   "--working-directory", "sub", "--token", "t"));
	rt_config_free(&c);
}

Test(inputs, mode_is_required)
{
	rt_config c;

	must_fail(LOAD0(&c), "input 'mode' is required", "bump, tag or release", NULL);
	must_fail(LOAD(&c, "--dry-run"), "input 'mode' is required", NULL, NULL);
	must_fail(LOAD(&c, "--level", "patch"), "input 'mode' is required", NULL, NULL);
}

Test(inputs, mode_sources)
{
	rt_config c;

	must_load(&c, LOAD(&c, "release"));
	cr_expect_eq(c.mode, RT_MODE_RELEASE);
	rt_config_free(&c);
	must_load(&c, LOAD(&c, "--mode=tag"));
	cr_expect_eq(c.mode, RT_MODE_TAG);
	rt_config_free(&c);
	setenv("INPUT_MODE", "bump", 1);
	must_load(&c, LOAD0(&c));
	cr_expect_eq(c.mode, RT_MODE_BUMP);
	rt_config_free(&c);
	must_load(&c, LOAD(&c, "tag"));
	cr_expect_eq(c.mode, RT_MODE_TAG, "the argument wins over INPUT_MODE");
	rt_config_free(&c);

	must_fail(LOAD(&c, "deploy"), "unknown mode 'deploy'", "bump, tag or release", NULL);
	setenv("INPUT_MODE", "Deploy", 1);
	must_fail(LOAD0(&c), "input 'mode'", "'Deploy'", "one of bump, tag, release");
	/* the mode only as the first argument */
	unsetenv("INPUT_MODE");
	must_fail(LOAD(&c, "--dry-run", "true", "bump"), "unexpected argument 'bump'", NULL, NULL);
}

Test(inputs, mode_names)
{
	cr_expect_str_eq(rt_mode_name(RT_MODE_BUMP), "bump");
	cr_expect_str_eq(rt_mode_name(RT_MODE_TAG), "tag");
	cr_expect_str_eq(rt_mode_name(RT_MODE_RELEASE), "release");
	cr_expect_str_eq(rt_mode_name(RT_MODE_NONE), "none");
}

/* ---- GITHUB_* context ---- */

Test(inputs, context_defaults)
{
	rt_config c;
	char cwd[PATH_MAX];

	/* outside any repository: a CI clone's origin remote would name the repository */
	char *dir = test_tmpdir();
	cr_assert_eq(chdir(dir), 0);
	free(dir);
	cr_assert_not_null(getcwd(cwd, sizeof(cwd)));
	must_load(&c, LOAD(&c, "tag"));
	cr_expect_not(c.in_actions);
	cr_expect_str_eq(c.api_url, "https://api.github.com");
	cr_expect_str_eq(c.server_url, "https://github.com");
	cr_expect_null(c.repository);
	cr_expect_null(c.event_name);
	cr_expect_null(c.event_path);
	cr_expect_null(c.ref);
	cr_expect_null(c.sha);
	cr_expect_str_eq(c.workspace, cwd);
	cr_expect_str_eq(c.repo_dir, cwd);
	rt_config_free(&c);
}

Test(inputs, context_from_github_variables)
{
	rt_config c;

	setenv("GITHUB_ACTIONS", "true", 1);
	setenv("GITHUB_API_URL", "https://ghe.example.com/api/v3/", 1);
	setenv("GITHUB_SERVER_URL", "https://ghe.example.com//", 1);
	setenv("GITHUB_REPOSITORY", "bytecodealliance/wasmtime", 1);
	setenv("GITHUB_EVENT_NAME", "push", 1);
	setenv("GITHUB_EVENT_PATH", "/github/workflow/event.json", 1);
	setenv("GITHUB_REF", "refs/heads/main", 1);
	setenv("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567", 1);
	setenv("GITHUB_WORKSPACE", "/github/workspace", 1);
	setenv("INPUT_MODE", "tag", 1);
	must_load(&c, LOAD0(&c));
	cr_expect(c.in_actions);
	cr_expect_str_eq(c.api_url, "https://ghe.example.com/api/v3", "trailing slash stripped");
	cr_expect_str_eq(c.server_url, "https://ghe.example.com");
	cr_expect_str_eq(c.repository, "bytecodealliance/wasmtime");
	cr_expect_str_eq(c.event_name, "push");
	cr_expect_str_eq(c.event_path, "/github/workflow/event.json");
	cr_expect_str_eq(c.ref, "refs/heads/main");
	cr_expect_str_eq(c.sha, "0123456789abcdef0123456789abcdef01234567");
	cr_expect_str_eq(c.workspace, "/github/workspace");
	cr_expect_str_eq(c.repo_dir, "/github/workspace");
	rt_config_free(&c);
}

Test(inputs, context_empty_variables_are_unset)
{
	rt_config c;

	setenv("GITHUB_API_URL", "", 1);
	setenv("GITHUB_REPOSITORY", "", 1);
	setenv("GITHUB_ACTIONS", "false", 1);
	char *dir = test_tmpdir();
	cr_assert_eq(chdir(dir), 0); /* no origin remote to fall back to */
	free(dir);
	must_load(&c, LOAD(&c, "tag"));
	cr_expect_not(c.in_actions);
	cr_expect_str_eq(c.api_url, "https://api.github.com");
	cr_expect_null(c.repository);
	rt_config_free(&c);
}

Test(inputs, repo_dir_resolution)
{
	rt_config c;

	setenv("GITHUB_WORKSPACE", "/ws", 1);
	must_load(&c, LOAD(&c, "bump", "--working-directory", "crates/sub"));
	cr_expect_str_eq(c.repo_dir, "/ws/crates/sub");
	cr_expect_str_eq(c.working_directory, "crates/sub", "kept as given");
	rt_config_free(&c);
	must_load(&c, LOAD(&c, "bump", "--working-directory", "/abs/repo"));
	cr_expect_str_eq(c.repo_dir, "/abs/repo");
	rt_config_free(&c);
	setenv("INPUT_WORKING-DIRECTORY", ".", 1);
	must_load(&c, LOAD(&c, "bump"));
	cr_expect_str_eq(c.repo_dir, "/ws");
	rt_config_free(&c);
}

Test(inputs, token_sources)
{
	rt_config c;

	setenv("GITHUB_TOKEN", "from-github-token", 1);
	setenv("GH_TOKEN", "from-gh-token", 1);
	must_load(&c, LOAD(&c, "tag"));
	cr_expect_str_eq(c.token, "from-github-token", "GITHUB_TOKEN before GH_TOKEN");
	rt_config_free(&c);

	unsetenv("GITHUB_TOKEN");
	must_load(&c, LOAD(&c, "tag"));
	cr_expect_str_eq(c.token, "from-gh-token");
	rt_config_free(&c);

	setenv("GITHUB_TOKEN", "from-github-token", 1);
	setenv("INPUT_TOKEN", "from-input", 1);
	must_load(&c, LOAD(&c, "tag"));
	cr_expect_str_eq(c.token, "from-input", "the input wins over the fallbacks");
	rt_config_free(&c);

	must_load(&c, LOAD(&c, "tag", "--token", "from-flag"));
	cr_expect_str_eq(c.token, "from-flag", "the flag wins over everything");
	rt_config_free(&c);

	setenv("GITHUB_TOKEN", "", 1);
	unsetenv("GH_TOKEN");
	unsetenv("INPUT_TOKEN");
	must_load(&c, LOAD(&c, "tag"));
	cr_expect_null(c.token, "empty GITHUB_TOKEN is no token");
	rt_config_free(&c);
}

Test(inputs, failure_leaves_nothing_allocated)
{
	rt_config c;

	/* strings set before the failing value are freed (ASan's leak check watches) */
	setenv("INPUT_MARKER", "[m]", 1);
	setenv("INPUT_BRANCH", "b", 1);
	must_fail(LOAD(&c, "bump", "--pr-title", "t", "--level", "x"), "input 'level'", NULL, NULL);
	cr_expect_null(c.marker);
	cr_expect_null(c.pr_title);
}

/* ---- --help ---- */

Test(inputs, help_lists_every_input_with_defaults)
{
	char *dir = test_tmpdir(), *path = rt_xsprintf("%s/help", dir), *text;
	const rt_input_def *def;
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f);
	rt_inputs_print_help(f);
	fclose(f);
	text = test_slurp(path);
	cr_expect_not_null(strstr(text, "usage: release-train MODE"));
	for (def = rt_inputs_table(); def->name; def++) {
		char *flag = rt_xsprintf("  --%s ", def->name);
		cr_expect_not_null(strstr(text, flag), "--help lists --%s", def->name);
		free(flag);
	}
	cr_expect_not_null(strstr(text, "(default: 5)"));
	cr_expect_not_null(strstr(text, "(default: Release {name} {version}  {marker})"),
			   "multi-line defaults on one line");
	cr_expect_not_null(strstr(text, "[major|minor|patch|rc|release]") ||
				   strstr(text, "[major, minor, patch, rc, release]"),
			   "choices are listed");
	cr_expect_not_null(strstr(text, "exit status"));
	unlink(path);
	rmdir(dir);
	free(text);
	free(path);
	free(dir);
}
