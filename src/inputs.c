/*
 * inputs: environment and flags -> a validated rt_config (see inputs.h).
 *
 * One table drives everything. Each row names an input, the modes it
 * applies to, its kind and the field of rt_config that receives it; the
 * same rows print --help, so the documentation cannot drift from the
 * parser. The runner passes every input of action.yml (with its default)
 * to every mode, so values of inputs that belong to other modes are
 * ignored when they come from the environment, but a flag that does not
 * apply to the chosen mode is an error: on a terminal it is a typo.
 */
#include "inputs.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "buf.h"
#include "error.h"
#include "repo.h"

#define ALL (RT_MODE_BUMP | RT_MODE_TAG | RT_MODE_RELEASE)
#define BUMP RT_MODE_BUMP
#define TAG RT_MODE_TAG
#define RELEASE RT_MODE_RELEASE
#define AT(field) offsetof(rt_config, field)

#define STR(name, modes, def, field, help) {name, modes, RT_INPUT_STRING, def, NULL, 0, 0, 0, AT(field), help}
#define BOOL(name, modes, def, field, help) {name, modes, RT_INPUT_BOOL, def, NULL, 0, 0, 0, AT(field), help}
#define INT(name, modes, def, lo, hi, field, help) {name, modes, RT_INPUT_INT, def, NULL, 0, lo, hi, AT(field), help}
#define CHOICE(name, modes, def, choices, base, field, help) \
	{name, modes, RT_INPUT_CHOICE, def, choices, base, 0, 0, AT(field), help}

static const rt_input_def input_table[] = {
	CHOICE("mode", ALL, NULL, "bump|tag|release", 0, mode,
	       "what to run: bump (version PR), tag (tag the release commit), release (publish assets); required"),
	STR("token", ALL, "${{ github.token }}", token,
	    "REST API and push credential; masked, never printed or written to disk"),
	BOOL("dry-run", ALL, "false", dry_run, "do every read and computation, print the plan, change nothing"),
	STR("working-directory", ALL, ".", working_directory, "repository root, relative to the workspace"),
	STR("marker", ALL, "[automatically-tag-and-release-this-commit]", marker,
	    "the line that marks a release commit"),
	INT("max-retries", ALL, "5", 0, 20, max_retries, "retries of one request on transient failures"),

	CHOICE("level", BUMP, "major", "major|minor|patch|rc|release", 0, level,
	       "version bump level, applied to each crate's own version"),
	STR("prerelease-id", BUMP, NULL, prerelease_id,
	    "development suffix such as 'dev': major/minor bumps then give X.Y.Z-dev"),
	STR("cut-branch", BUMP, NULL, cut_branch,
	    "branch template such as 'release-{previous-core}', created at the checked-out commit before the bump"),
	STR("release-date", BUMP, NULL, release_date, "the date (YYYY-MM-DD) for notes-file (default: today, UTC)"),
	STR("version", BUMP, NULL, version, "explicit new version for a single-version workspace (overrides level)"),
	STR("version-files", BUMP, NULL, version_files,
	    "extra files to bump, one per line (C headers, package.json, pyproject.toml, VERSION)"),
	STR("name", BUMP | RELEASE, NULL, name,
	    "bump: {name} in templates (default: the repository name); release: the release title (default: the tag)"),
	STR("branch", BUMP, "ci/bump-to-{version}", branch, "the branch to push"),
	STR("base", BUMP, NULL, base, "pull request base (default: the triggering branch)"),
	STR("commit-message", BUMP, "Release {name} {version}\n\n{marker}", commit_message,
	    "commit message template"),
	STR("author", BUMP, "github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>", author,
	    "author and committer"),
	CHOICE("push", BUMP, "git", "git|api", 0, push,
	       "git: push with libgit2 over HTTPS; api: create the commit through the Git Data API (signed by GitHub)"),
	STR("pr-title", BUMP, "Release {name} {version}", pr_title, "pull request title template"),
	STR("pr-body", BUMP, NULL, pr_body, "pull request body template (default: a release checklist)"),
	STR("security-query", BUMP, NULL, security_query,
	    "issue search query; open matches are listed in the PR body as a warning"),
	BOOL("bump-unpublished", BUMP, "false", bump_unpublished, "also bump crates with publish = false"),
	STR("only-on", BUMP, NULL, only_on, "calendar guard for scheduled runs, e.g. '2nd monday'"),

	STR("tag-format", TAG, "v{version}", tag_format, "the tag name template"),
	STR("version-from", TAG, "auto", version_from,
	    "file to read the version from at the target commit (auto: Cargo.toml, package.json, VERSION)"),
	CHOICE("target", TAG, "head", "head|marker", 0, target,
	       "head: tag the pushed head; marker: tag the newest commit that carries the marker"),
	CHOICE("scan", TAG, "since-last-tag", "since-last-tag|push", 0, scan,
	       "push: only the pushed commits; since-last-tag: every commit since the newest tag"),
	BOOL("annotated", TAG, "false", annotated, "create an annotated tag object"),
	STR("dispatch", TAG, NULL, dispatch, "workflow file to start with workflow_dispatch on the new tag"),
	BOOL("allow-prerelease-versions", TAG, "true", allow_prerelease_versions,
	     "allow tagging pre-release versions such as 1.0.0-dev"),
	STR("before", TAG, NULL, before, "oldest end of the push (default: the push event's before)"),
	STR("after", TAG, NULL, after, "newest end of the push (default: the push event's after, else HEAD)"),

	STR("tag", RELEASE, NULL, tag, "the release tag (default: from GITHUB_REF refs/tags/...)"),
	STR("files", RELEASE, NULL, files, "newline-separated globs of files to upload"),
	STR("notes-file", BUMP | RELEASE, NULL, notes_file,
	    "bump: mark this version's section Released YYYY-MM-DD; release: the body from this version's section"),
	BOOL("generate-notes", RELEASE, "false", generate_notes, "ask GitHub to generate release notes"),
	BOOL("draft", RELEASE, "false", draft, "leave the release as a draft"),
	CHOICE("prerelease", RELEASE, "auto", "auto|false|true", -1, prerelease,
	       "mark as pre-release (auto: when the version has a semver pre-release)"),
	CHOICE("make-latest", RELEASE, "true", "true|false|legacy", 0, make_latest,
	       "mark the release as latest"),
	BOOL("overwrite", RELEASE, "true", overwrite, "replace an asset of the same name (identical ones are kept)"),
	BOOL("fail-on-unmatched", RELEASE, "true", fail_on_unmatched, "a glob that matches nothing is an error"),
	STR("checksums", RELEASE, NULL, checksums, "name of a SHA256SUMS-style file to generate and upload"),
	INT("concurrency", RELEASE, "4", 1, 32, concurrency, "uploads in flight at once"),
	STR("rolling", RELEASE, NULL, rolling, "a rolling tag such as 'dev': move it and replace the assets"),
	{NULL, 0, RT_INPUT_STRING, NULL, NULL, 0, 0, 0, 0, NULL},
};

const rt_input_def *rt_inputs_table(void)
{
	return input_table;
}

const char *rt_mode_name(rt_mode mode)
{
	switch (mode) {
	case RT_MODE_BUMP: return "bump";
	case RT_MODE_TAG: return "tag";
	case RT_MODE_RELEASE: return "release";
	default: return "none";
	}
}

static const rt_input_def *find_input(const char *name, size_t len)
{
	const rt_input_def *def;

	for (def = input_table; def->name; def++)
		if (strlen(def->name) == len && strncmp(def->name, name, len) == 0)
			return def;
	return NULL;
}

/* "a|b|c" -> "a, b, c" for messages (caller frees). */
static char *choice_list(const char *choices)
{
	rt_buf out = RT_BUF_INIT;

	for (; *choices; choices++) {
		if (*choices == '|')
			rt_buf_puts(&out, ", ");
		else
			rt_buf_putc(&out, *choices);
	}
	return rt_buf_detach(&out);
}

static int parse_bool(bool *out, const char *value)
{
	static const char *const yes[] = {"true", "yes", "1"}, *const no[] = {"false", "no", "0"};
	size_t i;

	for (i = 0; i < 3; i++) {
		if (strcasecmp(value, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(value, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

static int parse_choice(int *out, const char *choices, const char *value)
{
	size_t vlen = strlen(value);
	int index = 0;
	const char *p = choices;

	while (*p) {
		size_t n = strcspn(p, "|");
		if (n == vlen && strncmp(p, value, n) == 0) {
			*out = index;
			return 0;
		}
		p += n + (p[n] == '|');
		index++;
	}
	return -1;
}

static int bad_value(const rt_input_def *def, const char *value, const char *accepted)
{
	return rt_error_set(RT_ERR_INPUT, "input '%s' has the invalid value '%s': use %s", def->name,
			    value, accepted);
}

/* Store one textual value into its typed field. */
static int set_value(rt_config *cfg, const rt_input_def *def, const char *value)
{
	char *field = (char *)cfg + def->offset;
	char *list, *end;
	long n;
	int index;
	bool b;

	switch (def->kind) {
	case RT_INPUT_STRING:
		free(*(char **)field);
		/* version-from "auto" is represented by NULL, however it is given */
		if (strcmp(def->name, "version-from") == 0 && strcmp(value, "auto") == 0)
			*(char **)field = NULL;
		else
			*(char **)field = rt_xstrdup(value);
		return 0;
	case RT_INPUT_BOOL:
		if (parse_bool(&b, value) < 0)
			return bad_value(def, value, "true or false (also yes/no, 1/0)");
		*(bool *)field = b;
		return 0;
	case RT_INPUT_INT:
		errno = 0;
		n = strtol(value, &end, 10);
		if (errno || end == value || *end || n < def->min || n > def->max) {
			char *range = rt_xsprintf("a whole number from %d to %d", def->min, def->max);
			bad_value(def, value, range);
			free(range);
			return -1;
		}
		*(int *)field = (int)n;
		return 0;
	case RT_INPUT_CHOICE:
		if (parse_choice(&index, def->choices, value) < 0) {
			char *accepted;
			list = choice_list(def->choices);
			accepted = rt_xsprintf("one of %s", list);
			bad_value(def, value, accepted);
			free(accepted);
			free(list);
			return -1;
		}
		*(int *)field = index + def->choice_base;
		return 0;
	}
	return -1;
}

/* INPUT_<NAME>: upper-cased, spaces to '_', hyphens kept (as the runner does). */
static const char *input_env(const char *name)
{
	rt_buf var = RT_BUF_INIT;
	const char *value;

	rt_buf_puts(&var, "INPUT_");
	for (; *name; name++)
		rt_buf_putc(&var, *name == ' ' ? '_' : (char)toupper((unsigned char)*name));
	value = getenv(rt_buf_cstr(&var));
	rt_buf_free(&var);
	return value && *value ? value : NULL; /* empty means "not set" */
}

static int apply_defaults(rt_config *cfg)
{
	const rt_input_def *def;

	memset(cfg, 0, sizeof(*cfg));
	for (def = input_table; def->name; def++) {
		if (!def->default_str || strncmp(def->default_str, "${{", 3) == 0)
			continue;
		if (set_value(cfg, def, def->default_str) < 0)
			return -1;
	}
	return 0;
}

/* Only the inputs of this mode: the runner passes every input to every mode. */
static int apply_environment(rt_config *cfg, unsigned mode)
{
	const rt_input_def *def;

	for (def = input_table; def->name; def++) {
		const char *value = input_env(def->name);
		if (!value || !(def->modes & mode))
			continue;
		if (set_value(cfg, def, value) < 0)
			return -1;
	}
	return 0;
}

/* --name value, --name=value; a boolean flag alone means true. A first
 * argument that is not a flag is the mode. */
static int apply_flags(rt_config *cfg, int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *arg = argv[i], *eq, *value;
		const rt_input_def *def;
		size_t len;
		bool b;

		if (i == 1 && arg[0] != '-') {
			if (set_value(cfg, find_input("mode", 4), arg) < 0)
				return rt_error_set(RT_ERR_INPUT,
						    "unknown mode '%s': use bump, tag or release (see --help)", arg);
			continue;
		}
		if (strncmp(arg, "--", 2) != 0)
			return rt_error_set(RT_ERR_INPUT,
					    "unexpected argument '%s': inputs are given as --name value (see --help)",
					    arg);
		arg += 2;
		eq = strchr(arg, '=');
		len = eq ? (size_t)(eq - arg) : strlen(arg);
		def = find_input(arg, len);
		if (!def)
			return rt_error_set(RT_ERR_INPUT, "unknown flag '--%.*s' (see --help for the inputs)",
					    (int)len, arg);
		if (eq)
			value = eq + 1;
		else if (def->kind == RT_INPUT_BOOL && (i + 1 >= argc || parse_bool(&b, argv[i + 1]) < 0))
			value = "true";
		else if (i + 1 < argc)
			value = argv[++i];
		else
			return rt_error_set(RT_ERR_INPUT, "flag '--%s' needs a value", def->name);
		if (set_value(cfg, def, value) < 0)
			return -1;
	}
	return 0;
}

static char *env_or(const char *name, const char *fallback)
{
	const char *v = getenv(name);
	return v && *v ? rt_xstrdup(v) : (fallback ? rt_xstrdup(fallback) : NULL);
}

static char *strip_trailing_slash(char *url)
{
	size_t n = url ? strlen(url) : 0;
	while (n > 0 && url[n - 1] == '/')
		url[--n] = '\0';
	return url;
}

static void load_context(rt_config *cfg)
{
	const char *actions = getenv("GITHUB_ACTIONS");
	char cwd[PATH_MAX];

	cfg->in_actions = actions && strcmp(actions, "true") == 0;
	cfg->api_url = strip_trailing_slash(env_or("GITHUB_API_URL", "https://api.github.com"));
	cfg->server_url = strip_trailing_slash(env_or("GITHUB_SERVER_URL", "https://github.com"));
	cfg->repository = env_or("GITHUB_REPOSITORY", NULL);
	cfg->event_name = env_or("GITHUB_EVENT_NAME", NULL);
	cfg->event_path = env_or("GITHUB_EVENT_PATH", NULL);
	cfg->ref = env_or("GITHUB_REF", NULL);
	cfg->sha = env_or("GITHUB_SHA", NULL);
	cfg->workspace = env_or("GITHUB_WORKSPACE", getcwd(cwd, sizeof(cwd)) ? cwd : ".");
	if (!cfg->token) {
		/* terminal use: the usual variables, so the token need not sit in argv */
		cfg->token = env_or("GITHUB_TOKEN", NULL);
		if (!cfg->token)
			cfg->token = env_or("GH_TOKEN", NULL);
	}
	if (cfg->working_directory[0] == '/')
		cfg->repo_dir = rt_xstrdup(cfg->working_directory);
	else if (strcmp(cfg->working_directory, ".") == 0)
		cfg->repo_dir = rt_xstrdup(cfg->workspace);
	else
		cfg->repo_dir = rt_xsprintf("%s/%s", cfg->workspace, cfg->working_directory);
	/* terminal use: the repository the origin remote names, as gh finds it;
	 * without one the mode says what to set */
	if (!cfg->repository && rt_repo_origin_repository(&cfg->repository, cfg->repo_dir) < 0)
		rt_error_clear();
}

/* Flags that name inputs of another mode are typos, not defaults. */
static int check_flag_modes(const rt_config *cfg, int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];
		const rt_input_def *def;

		if (strncmp(arg, "--", 2) != 0)
			continue;
		arg += 2;
		def = find_input(arg, strcspn(arg, "="));
		if (def && !(def->modes & cfg->mode))
			return rt_error_set(RT_ERR_INPUT, "flag '--%s' does not apply to mode '%s' (see --help)",
					    def->name, rt_mode_name(cfg->mode));
	}
	return 0;
}

/* The mode decides which INPUT_ variables count, so find it first: from
 * INPUT_MODE and the flags (which win), parsed on a scratch configuration.
 * *mode is the choice index, or -1 when the mode was given nowhere. */
static int find_mode(int *mode, int argc, char **argv)
{
	rt_config scratch;
	const char *env = input_env("mode");
	int error = apply_defaults(&scratch);

	scratch.mode = (rt_mode)-1;
	if (!error && env)
		error = set_value(&scratch, find_input("mode", 4), env);
	if (!error)
		error = apply_flags(&scratch, argc, argv);
	*mode = (int)scratch.mode;
	rt_config_free(&scratch);
	return error;
}

int rt_config_load(rt_config *out, int argc, char **argv)
{
	int mode;

	memset(out, 0, sizeof(*out));
	if (find_mode(&mode, argc, argv) < 0)
		goto fail;
	/* mode has no default: a sentinel tells "never set" apart from index 0 */
	if (mode < 0) {
		rt_error_set(RT_ERR_INPUT,
			     "input 'mode' is required: set it to bump, tag or release (`with: mode: ...` in the workflow, or the first argument on a terminal)");
		goto fail;
	}
	if (apply_defaults(out) < 0)
		goto fail;
	out->mode = (rt_mode)-1;
	if (apply_environment(out, 1u << (unsigned)mode) < 0 || apply_flags(out, argc, argv) < 0)
		goto fail;
	out->mode = (rt_mode)(1u << (unsigned)out->mode); /* the CHOICE row stored an index */
	if (check_flag_modes(out, argc, argv) < 0)
		goto fail;
	load_context(out);
	return 0;

fail:
	rt_config_free(out);
	return -1;
}

int rt_config_require_github(const rt_config *cfg, const char *permissions)
{
	if (!cfg->repository)
		return rt_error_set(RT_ERR_INPUT,
				    "the repository is unknown: GITHUB_REPOSITORY is not set and %s has no origin remote that names a GitHub repository (https://HOST/owner/name or git@HOST:owner/name); on a terminal run inside a clone or export GITHUB_REPOSITORY=owner/name",
				    cfg->repo_dir);
	if (!cfg->token && !cfg->dry_run)
		return rt_error_set(RT_ERR_INPUT,
				    "the token input is empty; pass `token: ${{ github.token }}` (the default) or a PAT, with the %s permission%s",
				    permissions, strchr(permissions, ',') ? "s" : "");
	return 0;
}

void rt_config_free(rt_config *cfg)
{
	const rt_input_def *def;

	for (def = input_table; def->name; def++)
		if (def->kind == RT_INPUT_STRING) {
			char **field = (char **)((char *)cfg + def->offset);
			free(*field);
			*field = NULL;
		}
	free(cfg->api_url);
	free(cfg->server_url);
	free(cfg->repository);
	free(cfg->event_name);
	free(cfg->event_path);
	free(cfg->ref);
	free(cfg->sha);
	free(cfg->workspace);
	free(cfg->repo_dir);
	memset(cfg, 0, sizeof(*cfg));
}

static void print_group(FILE *out, const char *title, unsigned modes)
{
	const rt_input_def *def;

	fprintf(out, "\n%s:\n", title);
	for (def = input_table; def->name; def++) {
		if (def->modes != modes && !(modes != ALL && def->modes != ALL && (def->modes & modes)))
			continue;
		fprintf(out, "  --%-26s %s", def->name, def->help);
		if (def->kind == RT_INPUT_CHOICE && strcmp(def->name, "mode") != 0) {
			char *list = choice_list(def->choices);
			fprintf(out, " [%s]", list);
			free(list);
		}
		if (def->default_str) {
			char *oneline = rt_xstrdup(def->default_str);
			for (char *p = oneline; *p; p++)
				if (*p == '\n')
					*p = ' ';
			fprintf(out, " (default: %s)", oneline);
			free(oneline);
		}
		fputc('\n', out);
	}
}

void rt_inputs_print_help(FILE *out)
{
	fprintf(out,
		"usage: release-train MODE [--input-name value ...]\n"
		"       release-train --help | --version\n"
		"\n"
		"Runs a project's release train. In GitHub Actions the inputs come from\n"
		"INPUT_<NAME> variables; on a terminal every input is also a flag, and a\n"
		"flag wins over the environment. The token may also come from GITHUB_TOKEN.\n"
		"\n"
		"modes:\n"
		"  bump      bump every version, commit with the marker, push a branch, open the PR\n"
		"  tag       when pushed commits carry the marker, create the version tag\n"
		"  release   get or create the release for a tag and upload its assets\n");
	print_group(out, "inputs of every mode", ALL);
	print_group(out, "bump", BUMP);
	print_group(out, "tag", TAG);
	print_group(out, "release", RELEASE);
	fprintf(out, "\nexit status: 0 done (also \"nothing to do\"), 1 an operation failed, 2 bad input\n");
}
