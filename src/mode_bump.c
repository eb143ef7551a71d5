/*
 * mode_bump: the first step of the release train (SPEC.md, section bump):
 * bump every version, commit with the marker, push a branch, open or
 * update the release pull request.
 *
 * The design in one idea: decide everything, then change things in one
 * fixed order. Every file edit (manifests, Cargo.lock, version-files,
 * notes-file), every template, the new commit's tree (built in memory by
 * libgit2, so a dry run computes it too) and every remote fact (the branch
 * and whose it is, the cut branch, the open PR, security issues) are known
 * before the first write. Then: the work-tree files, the cut branch, the
 * push, the pull request - each step skipped when the remote already holds
 * its result, so a re-run after success makes no mutating request and a
 * re-run after a failure finishes the work.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "calendar.h"
#include "cargo.h"
#include "error.h"
#include "github.h"
#include "http.h"
#include "marker.h"
#include "modes.h"
#include "notes.h"
#include "repo.h"
#include "runner.h"
#include "semver.h"
#include "template.h"
#include "versionfile.h"

#define PR_BODY_LIMIT 65536
#define SECURITY_MAX 20
#define TABLE_NAMES 6

/* One file the bump rewrites. */
typedef struct {
	char *path; /* relative to the repository root */
	const char *before;
	size_t before_len;
	const char *after;
	size_t after_len;
	rt_buf own_before, own_after; /* storage for files not held by the cargo workspace */
} change;

typedef struct {
	rt_cargo_workspace *ws; /* NULL without a root Cargo.toml */
	change *changes;
	size_t nchanges;
	char *old_version, *new_version, *previous_core;
	char *name, *branch, *base, *message, *title, *body, *cut_branch;
	char *author_name, *author_email;
	char *date;
	char head[41];
	char tree[41];   /* the new commit's tree */
	char commit[41]; /* the local commit (push: git) */
	char *branch_sha;    /* the pushed branch's head on GitHub, or NULL */
	char *branch_tree;
	char *cut_sha;       /* where the cut branch is on GitHub, or NULL */
	rt_github_pull pr;
	bool have_pr;
	cJSON *security;     /* matching open issues, or NULL */
	long security_total;
	bool up_to_date;     /* the branch already holds this tree */
} bump_plan;

static void plan_free(bump_plan *p)
{
	size_t i;

	for (i = 0; i < p->nchanges; i++) {
		free(p->changes[i].path);
		rt_buf_free(&p->changes[i].own_before);
		rt_buf_free(&p->changes[i].own_after);
	}
	free(p->changes);
	rt_cargo_free(p->ws);
	free(p->old_version);
	free(p->new_version);
	free(p->previous_core);
	free(p->name);
	free(p->branch);
	free(p->base);
	free(p->message);
	free(p->title);
	free(p->body);
	free(p->cut_branch);
	free(p->author_name);
	free(p->author_email);
	free(p->date);
	free(p->branch_sha);
	free(p->branch_tree);
	free(p->cut_sha);
	rt_github_pull_free(&p->pr);
	cJSON_Delete(p->security);
}

static change *add_change(bump_plan *p, const char *path)
{
	change *c;

	p->changes = rt_xrealloc(p->changes, (p->nchanges + 1) * sizeof(*p->changes));
	c = &p->changes[p->nchanges++];
	memset(c, 0, sizeof(*c));
	c->path = rt_xstrdup(path);
	return c;
}

static bool has_change(const bump_plan *p, const char *path)
{
	size_t i;

	for (i = 0; i < p->nchanges; i++)
		if (strcmp(p->changes[i].path, path) == 0)
			return true;
	return false;
}

/* --- dates ----------------------------------------------------------------- */

/* Today in UTC as YYYY-MM-DD (RELEASE_TRAIN_TODAY overrides, for tests). */
static char *today(void)
{
	const char *fixed = getenv("RELEASE_TRAIN_TODAY");
	time_t now = time(NULL);
	struct tm tm;
	char buf[16];

	if (fixed && *fixed)
		return rt_xstrdup(fixed);
	gmtime_r(&now, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%d", &tm);
	return rt_xstrdup(buf);
}

static int parse_date(int *y, int *m, int *d, const char *text, const char *input)
{
	char extra;

	if (sscanf(text, "%4d-%2d-%2d%c", y, m, d, &extra) != 3 || strlen(text) != 10 || *m < 1 ||
	    *m > 12 || *d < 1 || *d > 31)
		return rt_error_set(RT_ERR_INPUT, "%s '%s' is not a date of the form YYYY-MM-DD", input, text);
	return 0;
}

/* only-on: on a schedule event, is today the day? */
static int check_only_on(bool *skip, const rt_config *cfg)
{
	char *day;
	int y, m, d, error;
	bool match = false;

	*skip = false;
	if (!cfg->only_on)
		return 0;
	if (rt_calendar_check(cfg->only_on) < 0)
		return -1;
	if (!cfg->event_name || strcmp(cfg->event_name, "schedule") != 0)
		return 0; /* a run started by hand always runs */
	day = today();
	error = parse_date(&y, &m, &d, day, "RELEASE_TRAIN_TODAY");
	if (error == 0)
		error = rt_calendar_matches(&match, cfg->only_on, y, m, d);
	if (error == 0 && !match) {
		rt_runner_notice("Today (%s) is not '%s' (only-on): nothing to do on this scheduled run.",
				 day, cfg->only_on);
		*skip = true;
	}
	free(day);
	return error;
}

/* --- versions and files ---------------------------------------------------- */

static char *core_of(const char *version)
{
	rt_semver v;
	char *out;

	if (rt_semver_parse(&v, version) < 0) {
		rt_error_clear();
		return rt_xstrndup(version, strcspn(version, "-+"));
	}
	free(v.pre);
	free(v.build);
	v.pre = v.build = NULL;
	out = rt_semver_format(&v);
	return out;
}

static char *path_in_repo(const rt_config *cfg, const char *rel)
{
	return rt_xsprintf("%s/%s", cfg->repo_dir, rel);
}

static int read_repo_file(rt_buf *out, const rt_config *cfg, const char *rel, const char *input)
{
	char *full = path_in_repo(cfg, rel);
	int error = rt_buf_read_file(out, full);

	free(full);
	if (error < 0) {
		rt_error_clear();
		return rt_error_set_at(RT_ERR_INPUT, rel, 0,
				       "%s names %s, which cannot be read in the checkout", input, rel);
	}
	return 0;
}

/* The next lines of a newline-separated input, trimmed; NULL at the end. */
static char *next_line(const char **p)
{
	while (**p) {
		size_t n = strcspn(*p, "\n");
		const char *s = *p, *e = *p + n;

		*p += n + (e[0] == '\n');
		while (s < e && isspace((unsigned char)*s))
			s++;
		while (e > s && isspace((unsigned char)e[-1]))
			e--;
		if (e > s)
			return rt_xstrndup(s, (size_t)(e - s));
	}
	return NULL;
}

/* Without a Cargo workspace, the first version file holds the version. */
static int plan_without_cargo(bump_plan *p, const rt_config *cfg)
{
	const char *list = cfg->version_files ? cfg->version_files : "";
	char *first = next_line(&list);
	rt_buf text = RT_BUF_INIT;
	rt_semver old, next;
	int error = -1;

	if (!first)
		return rt_error_set(RT_ERR_INPUT,
				    "there is no Cargo.toml in %s and version-files is empty: nothing holds a version to bump",
				    cfg->working_directory);
	if (read_repo_file(&text, cfg, first, "version-files") < 0 ||
	    rt_versionfile_read(&p->old_version, first, text.ptr ? text.ptr : "", text.len) < 0)
		goto cleanup;
	if (rt_semver_parse(&old, p->old_version) < 0) {
		rt_error_prefix("%s", first);
		goto cleanup;
	}
	if (cfg->version) {
		p->new_version = rt_xstrdup(cfg->version);
		error = 0;
	} else if (rt_semver_bump_pre(&next, &old, cfg->level, cfg->prerelease_id) == 0) {
		p->new_version = rt_semver_format(&next);
		rt_semver_free(&next);
		error = 0;
	}
	rt_semver_free(&old);

cleanup:
	rt_buf_free(&text);
	free(first);
	return error;
}

static int plan_cargo(bump_plan *p, const rt_config *cfg)
{
	rt_cargo_options opts = {cfg->level, cfg->prerelease_id, cfg->version, cfg->bump_unpublished};
	const char *old_v, *new_v;
	size_t i;
	int error = rt_cargo_load(&p->ws, cfg->repo_dir);

	if (error == RT_ENOTFOUND) {
		rt_error_clear();
		return plan_without_cargo(p, cfg);
	}
	if (error < 0 || rt_cargo_plan(p->ws, &opts) < 0 || rt_cargo_edit(p->ws) < 0)
		return -1;
	for (i = 0; i < p->ws->nwarnings; i++)
		rt_runner_warning("%s", p->ws->warnings[i]);
	rt_cargo_primary_version(p->ws, &old_v, &new_v);
	if (!old_v || !new_v)
		return rt_error_set_at(RT_ERR_INPUT, "Cargo.toml", 0,
				       "no crate of this workspace has a version to bump (every crate has publish = false or no version); set bump-unpublished: true or add [workspace.package] version");
	p->old_version = rt_xstrdup(old_v);
	p->new_version = rt_xstrdup(new_v);
	for (i = 0; i < p->ws->nfiles; i++) {
		rt_cargo_file *f = &p->ws->files[i];
		change *c;

		if (f->edits == 0 || (f->after.len == f->before.len &&
				      memcmp(f->after.ptr, f->before.ptr, f->before.len) == 0))
			continue;
		c = add_change(p, f->path);
		c->before = f->before.ptr;
		c->before_len = f->before.len;
		c->after = f->after.ptr;
		c->after_len = f->after.len;
	}
	return 0;
}

static int plan_version_files(bump_plan *p, const rt_config *cfg)
{
	const char *list = cfg->version_files ? cfg->version_files : "";
	char *path;
	int error = 0;

	while (error == 0 && (path = next_line(&list)) != NULL) {
		change *c;

		if (has_change(p, path)) {
			free(path);
			continue;
		}
		c = add_change(p, path);
		error = read_repo_file(&c->own_before, cfg, path, "version-files");
		if (error == 0)
			error = rt_versionfile_edit(&c->own_after, path, rt_buf_cstr(&c->own_before),
						    c->own_before.len, p->new_version);
		c->before = rt_buf_cstr(&c->own_before);
		c->before_len = c->own_before.len;
		c->after = rt_buf_cstr(&c->own_after);
		c->after_len = c->own_after.len;
		free(path);
	}
	return error;
}

static int plan_notes(bump_plan *p, const rt_config *cfg)
{
	rt_semver v;
	change *c;
	bool changed = false;
	int y, m, d;
	bool pre;

	p->date = cfg->release_date ? rt_xstrdup(cfg->release_date) : today();
	if (parse_date(&y, &m, &d, p->date, "input 'release-date'") < 0)
		return -1;
	if (!cfg->notes_file)
		return 0;
	if (rt_semver_parse(&v, p->new_version) < 0)
		return -1;
	pre = v.pre != NULL;
	rt_semver_free(&v);
	if (pre) {
		rt_runner_info("%s is a pre-release: %s keeps its Unreleased line.", p->new_version,
			       cfg->notes_file);
		return 0;
	}
	c = add_change(p, cfg->notes_file);
	if (read_repo_file(&c->own_before, cfg, cfg->notes_file, "notes-file") < 0 ||
	    rt_notes_mark_released(&c->own_after, &changed, rt_buf_cstr(&c->own_before),
				   c->own_before.len, p->new_version, p->date, cfg->notes_file) < 0)
		return -1;
	c->before = rt_buf_cstr(&c->own_before);
	c->before_len = c->own_before.len;
	c->after = rt_buf_cstr(&c->own_after);
	c->after_len = c->own_after.len;
	if (!changed) {
		rt_runner_info("%s: the section of %s is not marked Unreleased; left as it is.",
			       cfg->notes_file, p->new_version);
		free(c->path);
		rt_buf_free(&c->own_before);
		rt_buf_free(&c->own_after);
		p->nchanges--;
	}
	return 0;
}

/* --- templates and the pull request body ----------------------------------- */

static const char *repo_name(const rt_config *cfg)
{
	const char *slash = cfg->repository ? strchr(cfg->repository, '/') : NULL;
	return slash ? slash + 1 : (cfg->repository ? cfg->repository : "release");
}

/* "Name <email>" */
static int parse_author(bump_plan *p, const char *author)
{
	const char *lt = strchr(author, '<'), *gt = lt ? strchr(lt, '>') : NULL;
	const char *e = lt;

	while (e && e > author && e[-1] == ' ')
		e--;
	if (!lt || !gt || gt[1] || e == author || gt == lt + 1)
		return rt_error_set(RT_ERR_INPUT,
				    "input 'author' must read 'Name <email>', got '%s'", author);
	p->author_name = rt_xstrndup(author, (size_t)(e - author));
	p->author_email = rt_xstrndup(lt + 1, (size_t)(gt - lt - 1));
	return 0;
}

typedef struct {
	const char *old_v, *new_v;
	rt_buf names;
	size_t count;
} crate_group;

/* The bumped crates grouped by (old -> new), in first-seen order. */
static size_t group_crates(crate_group **out, const bump_plan *p)
{
	crate_group *g = NULL;
	size_t n = 0, i, j;

	*out = NULL;
	for (i = 0; p->ws && i < p->ws->count; i++) {
		const rt_cargo_crate *c = &p->ws->crates[i];

		if (!c->new_version || strcmp(c->version, c->new_version) == 0)
			continue;
		for (j = 0; j < n; j++)
			if (strcmp(g[j].old_v, c->version) == 0 && strcmp(g[j].new_v, c->new_version) == 0)
				break;
		if (j == n) {
			g = rt_xrealloc(g, (n + 1) * sizeof(*g));
			memset(&g[n], 0, sizeof(*g));
			g[n].old_v = c->version;
			g[n].new_v = c->new_version;
			n++;
		}
		if (g[j].count < TABLE_NAMES)
			rt_buf_printf(&g[j].names, "%s`%s`", g[j].count ? ", " : "", c->name);
		g[j].count++;
	}
	*out = g;
	return n;
}

static void put_crates_table(rt_buf *md, const bump_plan *p)
{
	crate_group *g;
	size_t n = group_crates(&g, p), i, total = 0;

	for (i = 0; i < n; i++)
		total += g[i].count;
	if (n == 0) {
		rt_buf_printf(md, "Version: %s → **%s**\n", p->old_version, p->new_version);
		return;
	}
	rt_buf_printf(md, "| crates (%zu) | from | to |\n|---|---|---|\n", total);
	for (i = 0; i < n; i++) {
		rt_buf_printf(md, "| %s", rt_buf_cstr(&g[i].names));
		if (g[i].count > TABLE_NAMES)
			rt_buf_printf(md, " and %zu more", g[i].count - TABLE_NAMES);
		rt_buf_printf(md, " | %s | **%s** |\n", g[i].old_v, g[i].new_v);
		rt_buf_free(&g[i].names);
	}
	free(g);
}

static void put_security(rt_buf *md, const bump_plan *p, const rt_config *cfg)
{
	const cJSON *item;

	if (!p->security || p->security_total == 0)
		return;
	rt_buf_printf(md, "\n> [!WARNING]\n> %ld open issue%s match%s `%s`: check %s before merging.\n>\n",
		      p->security_total, p->security_total == 1 ? "" : "s",
		      p->security_total == 1 ? "es" : "", cfg->security_query,
		      p->security_total == 1 ? "it" : "them");
	cJSON_ArrayForEach(item, p->security)
	{
		const cJSON *num = cJSON_GetObjectItemCaseSensitive(item, "number");
		const char *title = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(item, "title"));
		rt_buf_printf(md, "> - #%ld %s\n", cJSON_IsNumber(num) ? (long)num->valuedouble : 0L,
			      title ? title : "");
	}
	if (p->security_total > cJSON_GetArraySize(p->security))
		rt_buf_printf(md, "> - and %ld more\n",
			      p->security_total - cJSON_GetArraySize(p->security));
}

static const char default_body[] =
	"Release {name} {version} (from {previous-version}).\n\n"
	"Merging this pull request releases it: the commit carries the marker line, so the tag "
	"workflow tags the merge and the release workflow publishes it.\n\n"
	"### Before merging\n"
	"- [ ] The release notes describe this release\n"
	"- [ ] No open security advisory must go into this release first\n"
	"- [ ] CI is green on this pull request\n";

/* The body: the template, then the crates and the security warning; cut to
 * GitHub's limit with a note. */
static int build_body(bump_plan *p, const rt_config *cfg, const rt_template_vars *vars)
{
	rt_buf md = RT_BUF_INIT;
	char *head = NULL;
	static const char cut_note[] =
		"\n\n*(cut: the full list is longer than GitHub's 65,536-character limit)*\n";

	if (rt_template_expand(&head, cfg->pr_body ? cfg->pr_body : default_body, vars, "pr-body") < 0)
		return -1;
	rt_buf_puts(&md, head);
	free(head);
	rt_buf_puts(&md, "\n### Versions\n");
	put_crates_table(&md, p);
	put_security(&md, p, cfg);
	if (md.len > PR_BODY_LIMIT) {
		size_t keep = PR_BODY_LIMIT - sizeof(cut_note) + 1;
		while (keep > 0 && (md.ptr[keep] & 0xC0) == 0x80)
			keep--; /* never split a UTF-8 sequence */
		rt_buf_truncate(&md, keep);
		rt_buf_puts(&md, cut_note);
	}
	p->body = rt_buf_detach(&md);
	return 0;
}

static int expand_all(bump_plan *p, const rt_config *cfg)
{
	rt_template_vars vars;
	rt_template_vars cut_vars;

	p->previous_core = core_of(p->old_version);
	vars.name = p->name;
	vars.version = p->new_version;
	vars.previous_version = p->old_version;
	vars.previous_core = p->previous_core;
	vars.marker = cfg->marker;
	cut_vars = vars;
	if (rt_template_expand(&p->branch, cfg->branch, &vars, "branch") < 0 ||
	    rt_template_expand(&p->message, cfg->commit_message, &vars, "commit-message") < 0 ||
	    rt_template_expand(&p->title, cfg->pr_title, &vars, "pr-title") < 0 ||
	    (cfg->cut_branch &&
	     rt_template_expand(&p->cut_branch, cfg->cut_branch, &cut_vars, "cut-branch") < 0))
		return -1;
	if (!rt_marker_in_message(p->message, cfg->marker))
		rt_runner_warning("The commit message has no marker line %s: the tag mode will not release this commit.",
				  cfg->marker);
	return 0;
}

static int expand_body(bump_plan *p, const rt_config *cfg)
{
	rt_template_vars vars = {p->name, p->new_version, p->old_version, p->previous_core, cfg->marker};

	return build_body(p, cfg, &vars);
}

/* --- the remote ------------------------------------------------------------ */

static int find_base(bump_plan *p, const rt_config *cfg, rt_repo *repo)
{
	if (cfg->base) {
		p->base = rt_xstrdup(cfg->base);
		return 0;
	}
	if (cfg->ref && strncmp(cfg->ref, "refs/heads/", 11) == 0) {
		p->base = rt_xstrdup(cfg->ref + 11);
		return 0;
	}
	if (rt_repo_current_branch(&p->base, repo) == 0)
		return 0;
	return rt_error_set(RT_ERR_INPUT,
			    "cannot tell the pull request's base branch (the run is not on a branch); set the base input");
}

/* Where a branch is on GitHub (NULL when absent). */
static int remote_branch(char **sha, rt_github *gh, const char *branch)
{
	char *name = rt_xsprintf("heads/%s", branch);
	int error = rt_github_ref_commit(gh, sha, name);

	free(name);
	return error;
}

static int foreign_branch(const bump_plan *p, const rt_config *cfg)
{
	return rt_error_set(RT_ERR_FAILED,
			    "branch %s exists on GitHub at %.12s, and its head commit does not carry the marker line %s: release-train did not make it and will not overwrite it; delete the branch or choose another with the branch input",
			    p->branch, p->branch_sha, cfg->marker);
}

/* The pushed branch: absent, ours (head carries the marker) or foreign. */
static int read_branch(bump_plan *p, rt_github *gh, const rt_config *cfg)
{
	char *message = NULL;
	int error;

	free(p->branch_sha);
	free(p->branch_tree);
	p->branch_sha = p->branch_tree = NULL;
	if (remote_branch(&p->branch_sha, gh, p->branch) < 0)
		return -1;
	if (!p->branch_sha)
		return 0;
	error = rt_github_commit_get(gh, &message, &p->branch_tree, p->branch_sha);
	if (error == 0 && !rt_marker_in_message(message, cfg->marker))
		error = foreign_branch(p, cfg);
	free(message);
	return error;
}

static int cut_conflict(const bump_plan *p)
{
	return rt_error_set(RT_ERR_FAILED,
			    "cut-branch %s already exists at commit %s, not at the checked-out commit %s; delete it or check out the commit it was cut from",
			    p->cut_branch, p->cut_sha, p->head);
}

static int read_remote(bump_plan *p, rt_github *gh, const rt_config *cfg)
{
	int error;

	if (read_branch(p, gh, cfg) < 0)
		return -1;
	if (p->cut_branch) {
		if (remote_branch(&p->cut_sha, gh, p->cut_branch) < 0)
			return -1;
		if (p->cut_sha && strcmp(p->cut_sha, p->head) != 0)
			return cut_conflict(p);
	}
	error = rt_github_pull_find(gh, &p->pr, p->branch);
	if (error == RT_ENOTFOUND) {
		rt_error_clear();
		error = 0;
	} else if (error == 0) {
		p->have_pr = true;
	}
	if (error == 0 && cfg->security_query)
		error = rt_github_search_issues(gh, &p->security, &p->security_total,
						cfg->security_query, SECURITY_MAX);
	return error;
}

/* --- the diff of a dry run ------------------------------------------------- */

typedef struct {
	const char *start;
	size_t len;
} line_ref;

static size_t split_lines(line_ref **out, const char *text, size_t len)
{
	size_t n = 0, cap = 64, pos = 0;

	*out = rt_xmalloc(cap * sizeof(line_ref));
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t l = nl ? (size_t)(nl - (text + pos)) + 1 : len - pos;
		if (n == cap)
			*out = rt_xrealloc(*out, (cap *= 2) * sizeof(line_ref));
		(*out)[n].start = text + pos;
		(*out)[n].len = l;
		n++;
		pos += l;
	}
	return n;
}

static void put_line(rt_buf *out, char sign, const line_ref *l)
{
	size_t len = l->len;

	rt_buf_putc(out, sign);
	while (len && (l->start[len - 1] == '\n' || l->start[len - 1] == '\r'))
		len--;
	rt_buf_put(out, l->start, len);
	rt_buf_putc(out, '\n');
	if (l->start[l->len - 1] != '\n')
		rt_buf_puts(out, "\\ No newline at end of file\n");
}

/* A unified diff; the bump never adds or removes lines, so lines pair up
 * one to one (a file whose line count changed is shown whole). */
static void unified_diff(rt_buf *out, const change *c)
{
	line_ref *a, *b;
	size_t na = split_lines(&a, c->before, c->before_len);
	size_t nb = split_lines(&b, c->after, c->after_len);
	size_t i = 0;

	rt_buf_printf(out, "--- a/%s\n+++ b/%s\n", c->path, c->path);
	if (na != nb) {
		rt_buf_printf(out, "@@ -1,%zu +1,%zu @@\n", na, nb);
		for (i = 0; i < na; i++)
			put_line(out, '-', &a[i]);
		for (i = 0; i < nb; i++)
			put_line(out, '+', &b[i]);
		goto done;
	}
	while (i < na) {
		size_t start, end, j, last;

		while (i < na && a[i].len == b[i].len && memcmp(a[i].start, b[i].start, a[i].len) == 0)
			i++;
		if (i == na)
			break;
		start = i >= 3 ? i - 3 : 0;
		last = i;
		for (j = i; j < na && j <= last + 6; j++)
			if (a[j].len != b[j].len || memcmp(a[j].start, b[j].start, a[j].len) != 0)
				last = j;
		end = last + 4 < na ? last + 4 : na;
		rt_buf_printf(out, "@@ -%zu,%zu +%zu,%zu @@\n", start + 1, end - start, start + 1,
			      end - start);
		for (j = start; j < end; j++) {
			if (a[j].len == b[j].len && memcmp(a[j].start, b[j].start, a[j].len) == 0) {
				put_line(out, ' ', &a[j]);
			} else {
				put_line(out, '-', &a[j]);
				put_line(out, '+', &b[j]);
			}
		}
		i = end;
	}
done:
	free(a);
	free(b);
}

/* --- acting ---------------------------------------------------------------- */

static int write_files(const bump_plan *p, const rt_config *cfg)
{
	size_t i;

	for (i = 0; i < p->nchanges; i++) {
		char *full = path_in_repo(cfg, p->changes[i].path);
		int error = rt_buf_write_file_atomic(full, p->changes[i].after, p->changes[i].after_len);
		free(full);
		if (error < 0)
			return -1;
	}
	return 0;
}

static int build_commit(bump_plan *p, rt_repo *repo)
{
	rt_repo_file *files = rt_xcalloc(p->nchanges + 1, sizeof(*files));
	size_t i;
	int error;

	for (i = 0; i < p->nchanges; i++) {
		files[i].path = p->changes[i].path;
		files[i].data = p->changes[i].after;
		files[i].len = p->changes[i].after_len;
	}
	error = rt_repo_commit_files(repo, p->commit, p->tree, p->head, files, p->nchanges, p->message,
				     p->author_name, p->author_email);
	free(files);
	return error;
}

/* Name the ruleset cause of GitHub's "Reference update failed". */
static int ruleset_hint(int error, const char *what)
{
	const rt_error *e = rt_error_last();

	if (error < 0 && e && e->message && strstr(e->message, "Reference update failed"))
		rt_error_set(RT_ERR_FAILED,
			     "%s: GitHub refused it with \"Reference update failed\", which a repository ruleset (or branch protection) that blocks creating or updating this branch answers; allow the workflow's token to push it (ruleset bypass) or choose a branch the rules allow (input branch / cut-branch). %s",
			     what, e->message);
	return error;
}

static int create_cut_branch(bump_plan *p, rt_github *gh)
{
	char *full;
	int error;

	if (!p->cut_branch || p->cut_sha)
		return 0;
	full = rt_xsprintf("refs/heads/%s", p->cut_branch);
	error = rt_github_ref_create(gh, full, p->head);
	free(full);
	if (error == RT_EEXISTS) {
		rt_error_clear();
		error = remote_branch(&p->cut_sha, gh, p->cut_branch);
		if (error == 0 && p->cut_sha && strcmp(p->cut_sha, p->head) != 0)
			return cut_conflict(p);
		return error;
	}
	if (error == 0)
		rt_runner_info("Created branch %s at %s.", p->cut_branch, p->head);
	return ruleset_hint(error, "creating the cut branch");
}

static int push_api(bump_plan *p, rt_github *gh, rt_repo *repo, const rt_config *cfg,
		    char **commit_out)
{
	rt_github_tree_entry *entries = rt_xcalloc(p->nchanges + 1, sizeof(*entries));
	char **blobs = rt_xcalloc(p->nchanges + 1, sizeof(char *));
	char base_tree[41], *tree = NULL, *full = NULL;
	size_t i;
	int error = rt_repo_commit_tree(repo, base_tree, p->head);

	for (i = 0; i < p->nchanges && error == 0; i++) {
		unsigned mode = 0;
		if (rt_repo_file_mode(repo, &mode, p->head, p->changes[i].path) < 0)
			rt_error_clear();
		error = rt_github_blob_create(gh, &blobs[i], p->changes[i].after, p->changes[i].after_len);
		entries[i].path = p->changes[i].path;
		entries[i].mode = mode == 0100755 ? "100755" : "100644";
		entries[i].sha = blobs[i];
	}
	if (error == 0)
		error = rt_github_tree_create(gh, &tree, base_tree, entries, p->nchanges);
	if (error == 0)
		error = rt_github_commit_create(gh, commit_out, p->message, tree, p->head);
	if (error < 0)
		goto cleanup;
	full = rt_xsprintf("refs/heads/%s", p->branch);
	if (p->branch_sha) {
		error = rt_github_ref_update(gh, full, *commit_out, true);
	} else {
		error = rt_github_ref_create(gh, full, *commit_out);
		if (error == RT_EEXISTS) {
			/* made meanwhile: ours (a lost answer, a concurrent run) or not */
			rt_error_clear();
			error = read_branch(p, gh, cfg);
			if (error == 0)
				error = rt_github_ref_update(gh, full, *commit_out, true);
		}
	}
	error = ruleset_hint(error, "updating the branch");

cleanup:
	for (i = 0; i < p->nchanges; i++)
		free(blobs[i]);
	free(blobs);
	free(entries);
	free(tree);
	free(full);
	return error;
}

static int open_pull_request(bump_plan *p, rt_github *gh, bool *changed)
{
	rt_github_pull pr = {0};
	int error;

	*changed = false;
	if (p->have_pr) {
		if (strcmp(p->pr.title ? p->pr.title : "", p->title) == 0 &&
		    strcmp(p->pr.body, p->body) == 0 && p->pr.base && strcmp(p->pr.base, p->base) == 0)
			return 0;
		error = rt_github_pull_update(gh, &pr, p->pr.number, p->title, p->body, p->base);
		if (error == 0) {
			rt_github_pull_free(&p->pr);
			p->pr = pr;
			*changed = true;
			rt_runner_info("Updated pull request #%ld.", p->pr.number);
		}
		return error;
	}
	error = rt_github_pull_create(gh, &pr, p->title, p->branch, p->base, p->body);
	if (error == RT_EEXISTS) {
		/* another run opened it meanwhile: update that one */
		rt_error_clear();
		error = rt_github_pull_find(gh, &p->pr, p->branch);
		if (error == 0) {
			p->have_pr = true;
			return open_pull_request(p, gh, changed);
		}
		return error;
	}
	if (error < 0) {
		const rt_error *e = rt_error_last();
		if (e && e->message && strstr(e->message, "not permitted to create or approve pull requests"))
			rt_error_set(RT_ERR_FAILED,
				     "GitHub Actions may not create pull requests in this repository: turn on \"Allow GitHub Actions to create and approve pull requests\" (Settings > Actions > General > Workflow permissions), or pass a token that may. Branch %s was pushed; re-run the job once the setting is on. (%s)",
				     p->branch, e->message);
		return -1;
	}
	p->pr = pr;
	p->have_pr = true;
	*changed = true;
	rt_runner_info("Opened pull request #%ld: %s", p->pr.number, p->pr.html_url ? p->pr.html_url : "");
	return 0;
}

/* --- reporting ------------------------------------------------------------- */

static char *changed_files(const bump_plan *p)
{
	rt_buf b = RT_BUF_INIT;
	size_t i;

	for (i = 0; i < p->nchanges; i++)
		rt_buf_printf(&b, "%s%s", i ? "\n" : "", p->changes[i].path);
	return b.ptr ? rt_buf_detach(&b) : rt_xstrdup("");
}

static char *plan_json(const bump_plan *p, const rt_config *cfg, bool will_push)
{
	cJSON *j = cJSON_CreateObject(), *files, *crates;
	size_t i;
	char *text;

	cJSON_AddStringToObject(j, "mode", "bump");
	cJSON_AddStringToObject(j, "previous-version", p->old_version);
	cJSON_AddStringToObject(j, "version", p->new_version);
	cJSON_AddStringToObject(j, "base", p->base);
	cJSON_AddStringToObject(j, "branch", p->branch);
	cJSON_AddStringToObject(j, "head", p->head);
	cJSON_AddStringToObject(j, "tree", p->tree);
	cJSON_AddStringToObject(j, "push", cfg->push == RT_PUSH_API ? "api" : "git");
	cJSON_AddBoolToObject(j, "will-push", will_push);
	if (p->cut_branch)
		cJSON_AddStringToObject(j, "cut-branch", p->cut_branch);
	cJSON_AddBoolToObject(j, "create-cut-branch", p->cut_branch && !p->cut_sha);
	cJSON_AddStringToObject(j, "commit-message", p->message);
	cJSON_AddStringToObject(j, "pr-title", p->title);
	if (p->have_pr)
		cJSON_AddNumberToObject(j, "pr-number", (double)p->pr.number);
	else
		cJSON_AddNullToObject(j, "pr-number");
	files = cJSON_AddArrayToObject(j, "changed-files");
	for (i = 0; i < p->nchanges; i++)
		cJSON_AddItemToArray(files, cJSON_CreateString(p->changes[i].path));
	crates = cJSON_AddArrayToObject(j, "crates");
	for (i = 0; p->ws && i < p->ws->count; i++) {
		const rt_cargo_crate *c = &p->ws->crates[i];
		cJSON *o;
		if (!c->new_version)
			continue;
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", c->name);
		cJSON_AddStringToObject(o, "from", c->version);
		cJSON_AddStringToObject(o, "to", c->new_version);
		cJSON_AddItemToArray(crates, o);
	}
	text = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	return text;
}

static int write_outputs(const bump_plan *p, const char *commit, bool skipped, const char *plan)
{
	char *files = changed_files(p);
	char number[32] = "";
	int error;

	if (p->have_pr)
		snprintf(number, sizeof(number), "%ld", p->pr.number);
	error = rt_runner_set_output("version", p->new_version ? p->new_version : "") < 0 ||
		rt_runner_set_output("previous-version", p->old_version ? p->old_version : "") < 0 ||
		rt_runner_set_output("branch", p->branch ? p->branch : "") < 0 ||
		rt_runner_set_output("commit", commit ? commit : "") < 0 ||
		rt_runner_set_output("pr-number", number) < 0 ||
		rt_runner_set_output("pr-url", p->have_pr && p->pr.html_url ? p->pr.html_url : "") < 0 ||
		rt_runner_set_output("changed-files", files) < 0 ||
		rt_runner_set_output("cut-branch", p->cut_branch ? p->cut_branch : "") < 0 ||
		rt_runner_set_output("skipped", skipped ? "true" : "false") < 0 ||
		(plan && rt_runner_set_output("plan", plan) < 0);
	free(files);
	return error ? -1 : 0;
}

static int write_summary(const bump_plan *p, const rt_config *cfg, const char *what)
{
	rt_buf md = RT_BUF_INIT;
	int error;

	rt_buf_printf(&md, "### release-train bump%s\n\n%s\n\n", cfg->dry_run ? " (dry run)" : "", what);
	if (p->have_pr && p->pr.html_url)
		rt_buf_printf(&md, "Pull request: [#%ld %s](%s)\n\n", p->pr.number, p->title, p->pr.html_url);
	if (p->cut_branch)
		rt_buf_printf(&md, "Release branch: `%s` at `%.12s`\n\n", p->cut_branch, p->head);
	put_crates_table(&md, p);
	put_security(&md, p, cfg);
	error = rt_runner_summary(rt_buf_cstr(&md));
	rt_buf_free(&md);
	return error;
}

static int open_github(rt_github **gh, const rt_config *cfg)
{
	rt_github_options opts = {cfg->api_url, cfg->repository, cfg->token, cfg->max_retries};

	*gh = NULL;
	if (rt_config_require_github(cfg, "`contents: write`, `pull-requests: write`") < 0)
		return -1;
	return rt_github_new(gh, &opts);
}

/* Everything that can be known before changing anything. */
static int decide(bump_plan *p, rt_repo *repo, rt_github *gh, const rt_config *cfg)
{
	size_t i;

	rt_runner_group("Plan the bump");
	if (rt_repo_resolve_commit(repo, p->head, "HEAD") < 0 || parse_author(p, cfg->author) < 0 ||
	    plan_cargo(p, cfg) < 0 || plan_version_files(p, cfg) < 0 || plan_notes(p, cfg) < 0 ||
	    find_base(p, cfg, repo) < 0)
		goto fail;
	p->name = rt_xstrdup(cfg->name ? cfg->name : repo_name(cfg));
	rt_runner_info("Version %s -> %s; %zu file%s to change:", p->old_version, p->new_version,
		       p->nchanges, p->nchanges == 1 ? "" : "s");
	for (i = 0; i < p->nchanges; i++)
		rt_runner_info("  %s", p->changes[i].path);
	if (expand_all(p, cfg) < 0 || read_remote(p, gh, cfg) < 0 || expand_body(p, cfg) < 0 ||
	    build_commit(p, repo) < 0)
		goto fail;
	p->up_to_date = p->branch_tree && strcmp(p->branch_tree, p->tree) == 0;
	rt_runner_endgroup();
	return 0;

fail:
	rt_runner_endgroup();
	return -1;
}

int rt_mode_bump(const rt_config *cfg)
{
	bump_plan plan;
	rt_repo *repo = NULL;
	rt_github *gh = NULL;
	char *plan_text = NULL, *api_commit = NULL;
	const char *commit = NULL;
	bool skip, pr_changed = false;
	rt_buf report = RT_BUF_INIT;
	int error = -1;

	memset(&plan, 0, sizeof(plan));
	if (check_only_on(&skip, cfg) < 0)
		goto cleanup;
	if (skip) {
		error = write_outputs(&plan, NULL, true, NULL);
		if (error == 0)
			error = rt_runner_summary("### release-train bump\n\nSkipped: today is not the day only-on names.\n");
		goto cleanup;
	}
	/* push: git sends the token to the git server too: HTTPS only (or loopback) */
	if (cfg->push == RT_PUSH_GIT &&
	    rt_http_check_transport(cfg->server_url, "the git server URL (GITHUB_SERVER_URL)") < 0)
		goto cleanup;
	if (open_github(&gh, cfg) < 0 || rt_repo_open(&repo, cfg->repo_dir) < 0 ||
	    decide(&plan, repo, gh, cfg) < 0)
		goto cleanup;
	if (plan.nchanges == 0) {
		rt_runner_notice("Nothing to bump: no file would change.");
		error = write_outputs(&plan, NULL, true, NULL);
		goto cleanup;
	}

	plan_text = plan_json(&plan, cfg, !plan.up_to_date);
	if (cfg->dry_run) {
		size_t i;
		for (i = 0; i < plan.nchanges; i++)
			unified_diff(&report, &plan.changes[i]);
		rt_runner_group("Dry run: the changes");
		rt_runner_info("%s", rt_buf_cstr(&report));
		rt_runner_endgroup();
		rt_runner_info("plan: %s", plan_text);
		if (write_outputs(&plan, NULL, false, plan_text) < 0 ||
		    write_summary(&plan, cfg, "Dry run: nothing was changed.") < 0)
			goto cleanup;
		error = 0;
		goto cleanup;
	}

	rt_runner_group("Commit, push and open the pull request");
	if (create_cut_branch(&plan, gh) < 0)
		goto fail_group;
	if (plan.up_to_date) {
		commit = plan.branch_sha;
		rt_runner_info("Branch %s already holds this bump (%.12s): nothing to push.", plan.branch,
			       plan.branch_sha);
	} else if (cfg->push == RT_PUSH_API) {
		if (push_api(&plan, gh, repo, cfg, &api_commit) < 0)
			goto fail_group;
		commit = api_commit;
		rt_runner_info("Pushed %s to %s through the API.", commit, plan.branch);
	} else {
		char *url = rt_xsprintf("%s/%s", cfg->server_url, cfg->repository);
		int perror = rt_repo_push_commit(repo, url, plan.commit, plan.branch, cfg->token,
						 plan.branch_sha != NULL, cfg->max_retries < 3 ? cfg->max_retries : 3);
		free(url);
		if (perror < 0) {
			const rt_error *e = rt_error_last();
			if (e && e->message && (strstr(e->message, "GH013") || strstr(e->message, "rule")))
				rt_error_prefix("pushing %s was refused by a repository ruleset or branch protection (allow the workflow's token to bypass it for this branch, or use push: api if the rule requires signed commits)",
						plan.branch);
			goto fail_group;
		}
		commit = plan.commit;
		rt_runner_info("Pushed %s to %s.", commit, plan.branch);
	}
	if (open_pull_request(&plan, gh, &pr_changed) < 0)
		goto fail_group;
	/* the work tree last: a run that failed on GitHub leaves the checkout as
	 * it was, so running it again locally does not bump twice */
	if (write_files(&plan, cfg) < 0)
		goto fail_group;
	rt_runner_endgroup();
	if (write_outputs(&plan, commit, false, NULL) < 0)
		goto cleanup;
	rt_buf_printf(&report, "%s %s → %s on `%s`%s.", plan.up_to_date ? "Already bumped:" : "Bumped",
		      plan.old_version, plan.new_version, plan.branch,
		      plan.up_to_date && !pr_changed ? ", nothing changed" : "");
	if (write_summary(&plan, cfg, rt_buf_cstr(&report)) < 0)
		goto cleanup;
	error = 0;
	goto cleanup;

fail_group:
	rt_runner_endgroup();
cleanup:
	rt_buf_free(&report);
	free(plan_text);
	free(api_commit);
	plan_free(&plan);
	rt_github_free(gh);
	rt_repo_free_at_exit(repo);
	return error;
}
