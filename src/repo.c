/*
 * repo: the local repository through libgit2 (see repo.h).
 *
 * History is read raw: the walk takes each commit's bytes straight from
 * the object database (where the revwalk's own read left them, in the
 * object cache) and hands the message (everything after the first blank
 * line) to the caller in place, without building a git_commit, copying
 * it or formatting a sha, which is what makes scanning 100,000 commits
 * cheaper than `git log | grep`.
 */
#include "repo.h"

#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "error.h"
#include "http.h"
#include "runner.h"

struct rt_repo {
	git_repository *git;
	char *path;
};

/* Record libgit2's last message as ours, with context. */
static int git_fail(const char *fmt, const char *arg) RT_PRINTF(1, 0);
static int git_fail(const char *fmt, const char *arg)
{
	const git_error *e = git_error_last();
	rt_buf msg = RT_BUF_INIT;

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	rt_buf_printf(&msg, fmt, arg);
#pragma GCC diagnostic pop
	if (e && e->message)
		rt_buf_printf(&msg, ": %s", e->message);
	rt_error_set(RT_ERR_FAILED, "%s", rt_buf_cstr(&msg));
	rt_buf_free(&msg);
	return -1;
}

static bool ca_loaded;

/* The CA file, set at the first push only: with mbedTLS, setting it parses
 * the whole bundle at once (about 55 million instructions, 4 ms), a cost
 * that every run without a push (a tag scan, say) would pay for nothing. */
static void load_ca_file(void)
{
	const char *ca = rt_http_ca_file();

	if (ca_loaded)
		return;
	ca_loaded = true;
	if (git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, ca, NULL) < 0) {
		/* not fatal here: an HTTPS push will fail and say why */
		rt_runner_debug("libgit2 could not load the CA file %s", ca);
		git_error_clear();
	}
}

/* RT_ENOTFOUND for a commit the object database lacks (a shallow clone's
 * cut, a force-pushed-away commit): callers fall back to the API. */
static int missing_commit(const char *rev)
{
	git_error_clear();
	rt_error_set(RT_ERR_FAILED, "commit %s is not in the local repository", rev);
	return RT_ENOTFOUND;
}

int rt_repo_global_init(void)
{
	if (git_libgit2_init() < 0)
		return git_fail("cannot initialise libgit2%s", "");
	/* The runner's workspace belongs to another uid while the container runs
	 * as root; libgit2 1.5 refuses such a repository unless told not to. */
	git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 0);
	/* Re-hashing every object read (SHA-1 with collision detection) costs
	 * about a tenth of a history scan; git itself does not do it on read,
	 * and objects we create are hashed by their writer anyway. */
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
	/* A scan reads each commit twice, once in the revwalk and once for its
	 * message (see rt_repo_walk), and only the object cache saves the second
	 * inflate; libgit2 caches no commit over 4 KB, which long messages
	 * (dependency bumps with release notes, squash merges) exceed. Measured
	 * on 20,000 commits of 6 KB: 5.8 billion instructions and 0.73 s down
	 * to 3.1 billion and 0.48 s (git log | grep: 0.55 s). The cache's total
	 * budget (256 MB) still bounds the memory. */
	git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_COMMIT, (size_t)1 << 20);
	return 0;
}

void rt_repo_global_cleanup(void)
{
	git_libgit2_shutdown();
	ca_loaded = false; /* a new init starts from libgit2's defaults again */
}

int rt_repo_open(rt_repo **out, const char *path)
{
	rt_repo *repo = rt_xcalloc(1, sizeof(*repo));

	if (git_repository_open_ext(&repo->git, path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0) {
		const git_error *e = git_error_last();
		rt_error_set(RT_ERR_INPUT,
			     "%s is not a git repository (%s); check out the repository first (actions/checkout) or set working-directory",
			     path, e && e->message ? e->message : "not found");
		free(repo);
		return -1;
	}
	repo->path = rt_xstrdup(path);
	*out = repo;
	return 0;
}

void rt_repo_free(rt_repo *repo)
{
	if (!repo)
		return;
	git_repository_free(repo->git);
	free(repo->path);
	free(repo);
}

/* A walk leaves every commit it read in libgit2's object cache (the walk
 * reads the whole range before it yields the first commit, and the scan
 * reads each one again from there): ~40 MB in 200,000 blocks for 100,000
 * commits. Freeing them one by one at exit touches all of it again and
 * took 45-60 ms, 8% of such a scan, in the glibc and the musl build alike
 * (musl also unmaps thousands of emptied groups); exit(2) drops it at
 * once. Kept in a static, the repository stays reachable: memcheck
 * counts it as "still reachable", not as a leak. */
static rt_repo *kept_until_exit;

void rt_repo_free_at_exit(rt_repo *repo)
{
	if (!repo)
		return;
	rt_repo_free(kept_until_exit); /* only one is ever kept */
	kept_until_exit = repo;
}

int rt_repo_resolve_commit(rt_repo *repo, char out[41], const char *rev)
{
	git_object *obj = NULL;
	int error;

	error = git_revparse_single(&obj, repo->git, rev);
	if (error == 0) {
		git_object *commit = NULL;
		error = git_object_peel(&commit, obj, GIT_OBJECT_COMMIT);
		if (error == 0) {
			git_oid_tostr(out, 41, git_object_id(commit));
			git_object_free(commit);
		}
	}
	git_object_free(obj);
	if (error == GIT_ENOTFOUND)
		return missing_commit(rev);
	return error < 0 ? git_fail("cannot resolve %s", rev) : 0;
}

bool rt_repo_has_commit(rt_repo *repo, const char *sha)
{
	git_oid oid;
	git_odb *odb = NULL;
	bool found = false;

	if (git_oid_fromstr(&oid, sha) == 0 && git_repository_odb(&odb, repo->git) == 0)
		found = git_odb_exists(odb, &oid) != 0;
	git_odb_free(odb);
	git_error_clear();
	return found;
}

bool rt_repo_is_shallow(rt_repo *repo)
{
	return git_repository_is_shallow(repo->git) == 1;
}

int rt_repo_read_file_at(rt_repo *repo, rt_buf *out, const char *sha, const char *path)
{
	git_oid oid;
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	git_tree_entry *entry = NULL;
	git_blob *blob = NULL;
	int error = -1;

	if (git_oid_fromstr(&oid, sha) < 0 || git_commit_lookup(&commit, repo->git, &oid) < 0 ||
	    git_commit_tree(&tree, commit) < 0) {
		git_fail("cannot read commit %s", sha);
		goto cleanup;
	}
	if (git_tree_entry_bypath(&entry, tree, path) < 0 ||
	    git_tree_entry_type(entry) != GIT_OBJECT_BLOB) {
		git_error_clear();
		rt_error_set(RT_ERR_INPUT, "%s does not exist at commit %.12s", path, sha);
		error = RT_ENOTFOUND;
		goto cleanup;
	}
	if (git_blob_lookup(&blob, repo->git, git_tree_entry_id(entry)) < 0) {
		git_fail("cannot read %s", path);
		goto cleanup;
	}
	rt_buf_put(out, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob));
	error = 0;

cleanup:
	git_blob_free(blob);
	git_tree_entry_free(entry);
	git_tree_free(tree);
	git_commit_free(commit);
	return error;
}

/* The message of a raw commit object: after the first empty line (the
 * object's end, an empty string, when there is none). */
static const char *raw_message(const char *data, size_t len)
{
	const char *end = data + len, *p = data;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			break;
		if (nl == p) /* empty line: headers are over */
			return nl + 1;
		p = nl + 1;
	}
	return end;
}

static int walk_setup(git_revwalk **out, rt_repo *repo, const char *from, const char *const *hide,
		      size_t nhide)
{
	git_revwalk *walk = NULL;
	git_oid oid;
	size_t i;

	if (git_revwalk_new(&walk, repo->git) < 0)
		return git_fail("cannot walk history%s", "");
	/* No re-sort: a walk with hidden commits is always "limited" in
	 * libgit2 (limit_list), which already yields the range newest first,
	 * each commit before its parents, in commit-time order across
	 * branches (git log's default order). GIT_SORT_TIME would then push
	 * every commit through a priority queue again: ~80 million more
	 * instructions and 15-40 ms for 100,000 commits, and commits of the
	 * same second come out of it in heap order, not newest first (c7 c2
	 * c3 c4 c5 c6 for seven commits of one second), where this order
	 * keeps them child before parent. Without hidden commits, the walk
	 * is lazy and the first commit is `from` itself. */
	git_revwalk_sorting(walk, GIT_SORT_NONE);
	if (git_oid_fromstr(&oid, from) < 0 || git_revwalk_push(walk, &oid) < 0) {
		git_revwalk_free(walk);
		return missing_commit(from);
	}
	for (i = 0; i < nhide; i++) {
		if (git_oid_fromstr(&oid, hide[i]) < 0 || git_revwalk_hide(walk, &oid) < 0) {
			git_revwalk_free(walk);
			return missing_commit(hide[i]);
		}
	}
	*out = walk;
	return 0;
}

int rt_repo_walk(rt_repo *repo, const char *from, const char *const *hide, size_t nhide,
		 rt_repo_commit_cb cb, void *payload, char *stopped_at)
{
	git_revwalk *walk = NULL;
	git_odb *odb = NULL;
	git_oid oid;
	int error;

	if ((error = walk_setup(&walk, repo, from, hide, nhide)) < 0)
		return error;
	if (git_repository_odb(&odb, repo->git) < 0) {
		error = git_fail("cannot open the object database%s", "");
		goto cleanup;
	}
	while ((error = git_revwalk_next(&oid, walk)) == 0) {
		git_odb_object *obj = NULL;

		if (git_odb_read(&obj, odb, &oid) < 0) {
			error = git_fail("cannot read commit %s", git_oid_tostr_s(&oid));
			goto cleanup;
		}
		/* The message is handed over in place, as a C string: libgit2 1.5
		 * NUL-terminates every object it reads (it allocates size + 1 and
		 * zeroes or sets data[size]: pack.c packfile_unpack_compressed and
		 * its delta-base cache copy, delta.c git_delta_apply, odb_loose.c
		 * read_loose_standard and read_loose_packlike via git_str). */
		error = cb(raw_message(git_odb_object_data(obj), git_odb_object_size(obj)), payload);
		git_odb_object_free(obj);
		if (error != 0) {
			if (stopped_at)
				git_oid_tostr(stopped_at, GIT_OID_HEXSZ + 1, &oid);
			goto cleanup;
		}
	}
	if (error == GIT_ITEROVER) {
		error = 0;
	} else if (error == GIT_ENOTFOUND) {
		/* a parent is missing: the history here is cut (shallow clone) */
		git_error_clear();
		rt_error_set(RT_ERR_FAILED, "the history below %s is not in the local repository", from);
		error = RT_ENOTFOUND;
	} else {
		error = git_fail("cannot walk history from %s", from);
	}

cleanup:
	git_odb_free(odb);
	git_revwalk_free(walk);
	return error;
}

/* Shared by the push callbacks (libgit2 gives them one payload). */
typedef struct {
	const char *token;
	int attempts;
	rt_buf rejected; /* refs the server refused, with its reasons */
} push_state;

static int push_credentials(git_credential **out, const char *url, const char *user_from_url,
			    unsigned int allowed, void *payload)
{
	push_state *auth = payload;

	(void)url;
	(void)user_from_url;
	/* libgit2 replays credentials many times on a 401: give up after one */
	if (auth->attempts++ > 0 || !(allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT))
		return GIT_EUSER;
	return git_credential_userpass_plaintext_new(out, "x-access-token", auth->token);
}

static int push_update_reference(const char *refname, const char *status, void *payload)
{
	push_state *state = payload;

	if (status)
		rt_buf_printf(&state->rejected, "%s%s (%s)", state->rejected.len ? ", " : "", refname,
			      status);
	return 0;
}

int rt_repo_push(rt_repo *repo, const char *url, const char *refspec, const char *token)
{
	git_remote *remote = NULL;
	git_push_options opts = GIT_PUSH_OPTIONS_INIT;
	push_state auth = {token ? token : "", 0, RT_BUF_INIT};
	char *specs[] = {(char *)refspec};
	git_strarray refspecs = {specs, 1};
	int error = -1;

	load_ca_file();
	/* anonymous remote: the URL (and never the token) stays out of .git/config */
	if (git_remote_create_anonymous(&remote, repo->git, url) < 0) {
		git_fail("cannot use the remote %s", url);
		goto cleanup;
	}
	opts.callbacks.credentials = push_credentials;
	opts.callbacks.push_update_reference = push_update_reference;
	opts.callbacks.payload = &auth;
	opts.proxy_opts.type = GIT_PROXY_AUTO;
	if (git_remote_push(remote, &refspecs, &opts) < 0) {
		if (auth.attempts > 1 || git_error_last() == NULL) {
			git_error_clear();
			rt_error_set(RT_ERR_FAILED,
				     "the git server at %s refused the token (HTTP 401/403): the token needs the `contents: write` permission",
				     url);
		} else {
			git_fail("cannot push to %s", url);
		}
		goto cleanup;
	}
	if (auth.rejected.len) {
		rt_error_set(RT_ERR_FAILED, "the git server at %s rejected the push: %s", url,
			     rt_buf_cstr(&auth.rejected));
		goto cleanup;
	}
	error = 0;

cleanup:
	rt_buf_free(&auth.rejected);
	git_remote_free(remote);
	return error;
}
