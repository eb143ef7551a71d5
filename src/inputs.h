/*
 * inputs: the one place where outside configuration becomes typed values.
 *
 * Inputs come from the runner's INPUT_<NAME> variables (upper-cased,
 * hyphens kept, empty meaning "not set") and from --name value flags on a
 * terminal; a flag wins over the environment. One table describes every
 * input (name, modes, default, kind, help text), so parsing, --help and
 * the action.yml consistency test all read the same truth. Every value is
 * checked here, once; the modes trust rt_config.
 */
#ifndef RT_INPUTS_H
#define RT_INPUTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "semver.h"

typedef enum { RT_MODE_NONE = 0, RT_MODE_BUMP = 1, RT_MODE_TAG = 2, RT_MODE_RELEASE = 4 } rt_mode;
typedef enum { RT_PUSH_GIT, RT_PUSH_API } rt_push_method;
typedef enum { RT_TARGET_HEAD, RT_TARGET_MARKER } rt_tag_target;
typedef enum { RT_SCAN_SINCE_LAST_TAG, RT_SCAN_PUSH } rt_tag_scan;
typedef enum { RT_AUTO = -1, RT_FALSE = 0, RT_TRUE = 1 } rt_tristate;
typedef enum { RT_LATEST_TRUE, RT_LATEST_FALSE, RT_LATEST_LEGACY } rt_make_latest;

typedef struct {
	rt_mode mode;

	/* common */
	char *token;
	bool dry_run;
	char *working_directory; /* as given (default ".") */
	char *marker;
	int max_retries;

	/* bump */
	rt_bump_level level;
	char *prerelease_id;
	char *cut_branch;
	char *release_date;
	char *version;
	char *version_files;
	char *name; /* NULL: the mode's default (repository name / the tag) */
	char *branch;
	char *base;
	char *commit_message;
	char *author;
	rt_push_method push;
	char *pr_title;
	char *pr_body;
	char *security_query;
	bool bump_unpublished;
	char *only_on;

	/* tag */
	char *tag_format;
	char *version_from; /* NULL: auto */
	rt_tag_target target;
	rt_tag_scan scan;
	bool annotated;
	char *dispatch;
	bool allow_prerelease_versions;
	char *before; /* terminal use: overrides the event's before */
	char *after;  /* terminal use: overrides the event's after */

	/* bump and release */
	char *notes_file;

	/* release */
	char *tag;
	char *files;
	bool generate_notes;
	bool draft;
	rt_tristate prerelease;
	rt_make_latest make_latest;
	bool overwrite;
	bool fail_on_unmatched;
	char *checksums;
	int concurrency;
	char *rolling;

	/* context from GITHUB_* (never from flags) */
	bool in_actions;
	char *api_url;    /* GITHUB_API_URL, default https://api.github.com */
	char *server_url; /* GITHUB_SERVER_URL, default https://github.com */
	char *repository; /* owner/name, GITHUB_REPOSITORY */
	char *event_name;
	char *event_path;
	char *ref;
	char *sha;
	char *workspace;
	char *repo_dir; /* working-directory resolved against GITHUB_WORKSPACE */
} rt_config;

typedef enum { RT_INPUT_STRING, RT_INPUT_BOOL, RT_INPUT_INT, RT_INPUT_CHOICE } rt_input_kind;

typedef struct {
	const char *name;        /* as in action.yml, e.g. "dry-run" */
	unsigned modes;          /* RT_MODE_* bits this input applies to */
	rt_input_kind kind;
	const char *default_str; /* SPEC default shown in --help and action.yml, or NULL */
	const char *choices;     /* RT_INPUT_CHOICE: "a|b|c", stored as index + choice_base */
	int choice_base;         /* RT_INPUT_CHOICE: value of the first choice */
	int min, max;            /* RT_INPUT_INT: accepted range */
	size_t offset;           /* where the value lives in rt_config */
	const char *help;
} rt_input_def;

/* The table of every input, terminated by a {NULL} row. */
const rt_input_def *rt_inputs_table(void);

/* Build the configuration from the environment and argv (argv[0] is the
 * program; a first non-flag argument is the mode). RT_ERR_INPUT on any bad
 * value, unknown flag or missing required input. */
int rt_config_load(rt_config *out, int argc, char **argv);
void rt_config_free(rt_config *cfg);

/* What a mode needs to talk to GitHub: the repository (GITHUB_REPOSITORY,
 * or on a terminal the origin remote) and, unless dry-run, the token.
 * RT_ERR_INPUT saying where each comes from and, for the token, the
 * permissions it needs (e.g. "`contents: write`"). */
int rt_config_require_github(const rt_config *cfg, const char *permissions);

const char *rt_mode_name(rt_mode mode);
void rt_inputs_print_help(FILE *out);

#endif
