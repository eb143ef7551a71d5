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
#include <strings.h>

#include <time.h>
#include <unistd.h>

#include <git2.h>
#include <git2/sys/mempack.h>
#include <git2/sys/odb_backend.h>

#include "error.h"
#include "http.h"
#include "runner.h"

struct rt_repo {
	git_repository *git;
	char *path;
	bool mempack; /* an in-memory object store sits in front (rt_repo_commit_files) */
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

/* Why a push failed, so that only transport failures are retried. */
typedef enum { PUSH_OK, PUSH_AUTH, PUSH_REJECTED, PUSH_TRANSPORT } push_outcome;

static int push_refspec(rt_repo *repo, const char *url, const char *refspec, const char *token,
			push_outcome *outcome)
{
	git_remote *remote = NULL;
	git_push_options opts = GIT_PUSH_OPTIONS_INIT;
	push_state auth = {token ? token : "", 0, RT_BUF_INIT};
	char *specs[] = {(char *)refspec};
	git_strarray refspecs = {specs, 1};
	int error = -1;

	*outcome = PUSH_TRANSPORT;
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
			*outcome = PUSH_AUTH;
			rt_error_set(RT_ERR_FAILED,
				     "the git server at %s refused the token (HTTP 401/403): the token needs the `contents: write` permission",
				     url);
		} else {
			git_fail("cannot push to %s", url);
		}
		goto cleanup;
	}
	if (auth.rejected.len) {
		*outcome = PUSH_REJECTED;
		rt_error_set(RT_ERR_FAILED, "the git server at %s rejected the push: %s", url,
			     rt_buf_cstr(&auth.rejected));
		goto cleanup;
	}
	*outcome = PUSH_OK;
	error = 0;

cleanup:
	rt_buf_free(&auth.rejected);
	git_remote_free(remote);
	return error;
}

int rt_repo_push(rt_repo *repo, const char *url, const char *refspec, const char *token)
{
	push_outcome outcome;

	return push_refspec(repo, url, refspec, token, &outcome);
}

/* --- new commits (bump) ---------------------------------------------------- */

int rt_repo_current_branch(char **out, rt_repo *repo)
{
	git_reference *head = NULL;
	int error;

	*out = NULL;
	error = git_repository_head(&head, repo->git);
	if (error == 0 && git_reference_is_branch(head)) {
		*out = rt_xstrdup(git_reference_shorthand(head));
	} else {
		git_error_clear();
		rt_error_set(RT_ERR_INPUT, "HEAD is not on a branch");
		error = RT_ENOTFOUND;
	}
	git_reference_free(head);
	return error;
}

static int lookup_commit(git_commit **out, rt_repo *repo, const char *sha)
{
	git_oid oid;

	if (git_oid_fromstr(&oid, sha) < 0 || git_commit_lookup(out, repo->git, &oid) < 0) {
		if (git_error_last() && git_error_last()->klass == GIT_ERROR_ODB)
			return missing_commit(sha);
		return git_fail("cannot read commit %s", sha);
	}
	return 0;
}

int rt_repo_commit_tree(rt_repo *repo, char out[41], const char *sha)
{
	git_commit *commit = NULL;

	if (lookup_commit(&commit, repo, sha) < 0)
		return -1;
	git_oid_tostr(out, 41, git_commit_tree_id(commit));
	git_commit_free(commit);
	return 0;
}

int rt_repo_file_mode(rt_repo *repo, unsigned *mode, const char *sha, const char *path)
{
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	git_tree_entry *entry = NULL;
	int error = -1;

	*mode = 0;
	if (lookup_commit(&commit, repo, sha) < 0)
		return -1;
	if (git_commit_tree(&tree, commit) < 0) {
		git_fail("cannot read the tree of %s", sha);
		goto cleanup;
	}
	if (git_tree_entry_bypath(&entry, tree, path) < 0) {
		git_error_clear();
		rt_error_set(RT_ERR_INPUT, "%s does not exist at commit %.12s", path, sha);
		error = RT_ENOTFOUND;
		goto cleanup;
	}
	*mode = (unsigned)git_tree_entry_filemode(entry);
	error = 0;

cleanup:
	git_tree_entry_free(entry);
	git_tree_free(tree);
	git_commit_free(commit);
	return error;
}

/* Put an in-memory object store in front of the repository's, once. */
static int use_mempack(rt_repo *repo)
{
	git_odb *odb = NULL;
	git_odb_backend *mem = NULL;
	int error = 0;

	if (repo->mempack)
		return 0;
	if (git_repository_odb(&odb, repo->git) < 0 || git_mempack_new(&mem) < 0 ||
	    git_odb_add_backend(odb, mem, 999) < 0) {
		error = git_fail("cannot set up an in-memory object store%s", "");
		if (mem && error < 0)
			mem->free(mem);
	} else {
		repo->mempack = true;
	}
	git_odb_free(odb);
	return error;
}

int rt_repo_commit_files(rt_repo *repo, char commit_out[41], char tree_out[41],
			 const char *parent_sha, const rt_repo_file *files, size_t nfiles,
			 const char *message, const char *name, const char *email)
{
	git_commit *parent = NULL;
	git_tree *base = NULL, *tree = NULL;
	git_tree_update *updates = rt_xcalloc(nfiles + 1, sizeof(*updates));
	git_signature *sig = NULL;
	git_oid tree_oid, commit_oid;
	const git_commit *parents[1];
	size_t i;
	int error = -1;

	if (use_mempack(repo) < 0 || lookup_commit(&parent, repo, parent_sha) < 0)
		goto cleanup;
	if (git_commit_tree(&base, parent) < 0) {
		git_fail("cannot read the tree of %s", parent_sha);
		goto cleanup;
	}
	for (i = 0; i < nfiles; i++) {
		git_tree_entry *old = NULL;

		updates[i].action = GIT_TREE_UPDATE_UPSERT;
		updates[i].path = files[i].path;
		updates[i].filemode = GIT_FILEMODE_BLOB;
		if (git_tree_entry_bypath(&old, base, files[i].path) == 0) {
			if (git_tree_entry_filemode(old) == GIT_FILEMODE_BLOB_EXECUTABLE)
				updates[i].filemode = GIT_FILEMODE_BLOB_EXECUTABLE;
			git_tree_entry_free(old);
		}
		git_error_clear();
		if (git_blob_create_from_buffer(&updates[i].id, repo->git, files[i].data, files[i].len) < 0) {
			git_fail("cannot store %s", files[i].path);
			goto cleanup;
		}
	}
	if (git_tree_create_updated(&tree_oid, repo->git, base, nfiles, updates) < 0 ||
	    git_tree_lookup(&tree, repo->git, &tree_oid) < 0) {
		git_fail("cannot build the new tree%s", "");
		goto cleanup;
	}
	if (git_signature_now(&sig, name, email) < 0) {
		git_fail("invalid author '%s'", name);
		goto cleanup;
	}
	parents[0] = parent;
	if (git_commit_create(&commit_oid, repo->git, NULL, sig, sig, NULL, message, tree, 1,
			      parents) < 0) {
		git_fail("cannot create the commit%s", "");
		goto cleanup;
	}
	git_oid_tostr(commit_out, 41, &commit_oid);
	if (tree_out)
		git_oid_tostr(tree_out, 41, &tree_oid);
	error = 0;

cleanup:
	git_signature_free(sig);
	git_tree_free(tree);
	git_tree_free(base);
	git_commit_free(parent);
	free(updates);
	return error;
}

static void backoff_sleep(int attempt)
{
	const char *env = getenv("RELEASE_TRAIN_BACKOFF_MS");
	long base = env && *env ? strtol(env, NULL, 10) : 1000;
	long ms = base << (attempt < 5 ? attempt : 5);
	struct timespec ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	nanosleep(&ts, NULL);
}

/* libgit2 1.5 does not know shallow clones: a push walks from the new
 * commit through HEAD (which the server has) to HEAD's parents, which a
 * depth-1 clone lacks, and fails with "object not found". So, for this
 * process only, each boundary commit named in .git/shallow is shadowed in
 * an in-memory object store by a copy without its parent lines, under its
 * own id - what git's own shallow grafts do. The shadows are only ever
 * read as uninteresting (the server has these commits), so none is sent;
 * the object cache is off while they exist, so no real copy read earlier
 * hides them. */
static int shadow_shallow_commits(rt_repo *repo)
{
	char *path = rt_xsprintf("%sshallow", git_repository_path(repo->git));
	rt_buf list = RT_BUF_INIT;
	git_odb *odb = NULL;
	git_odb_backend *mem = NULL;
	const char *p;
	int error = 0;

	if (rt_buf_read_file(&list, path) < 0) {
		rt_error_clear();
		goto cleanup; /* not shallow */
	}
	git_libgit2_opts(GIT_OPT_ENABLE_CACHING, 0);
	if (git_repository_odb(&odb, repo->git) < 0 || git_mempack_new(&mem) < 0 ||
	    git_odb_add_backend(odb, mem, 1000) < 0) {
		if (mem)
			mem->free(mem);
		error = git_fail("cannot prepare the shallow clone for the push%s", "");
		goto cleanup;
	}
	for (p = rt_buf_cstr(&list); *p; p += strcspn(p, "\n") + (p[strcspn(p, "\n")] != 0)) {
		git_oid oid;
		git_odb_object *obj = NULL;
		rt_buf copy = RT_BUF_INIT;
		const char *data, *end, *line;

		if (strcspn(p, "\n") < GIT_OID_HEXSZ || git_oid_fromstrn(&oid, p, GIT_OID_HEXSZ) < 0)
			continue;
		if (git_odb_read(&obj, odb, &oid) < 0 || git_odb_object_type(obj) != GIT_OBJECT_COMMIT) {
			git_odb_object_free(obj);
			git_error_clear();
			continue;
		}
		data = git_odb_object_data(obj);
		end = data + git_odb_object_size(obj);
		for (line = data; line < end;) {
			const char *nl = memchr(line, '\n', (size_t)(end - line));
			size_t n = nl ? (size_t)(nl - line) + 1 : (size_t)(end - line);
			if (n == 1) { /* headers end: the message follows as it is */
				rt_buf_put(&copy, line, (size_t)(end - line));
				break;
			}
			if (strncmp(line, "parent ", 7) != 0)
				rt_buf_put(&copy, line, n);
			line += n;
		}
		if (mem->write(mem, &oid, copy.ptr, copy.len, GIT_OBJECT_COMMIT) < 0)
			error = git_fail("cannot prepare the shallow clone for the push%s", "");
		rt_buf_free(&copy);
		git_odb_object_free(obj);
		if (error < 0)
			break;
	}

cleanup:
	git_odb_free(odb);
	rt_buf_free(&list);
	free(path);
	return error;
}

int rt_repo_push_commit(rt_repo *repo, const char *url, const char *sha, const char *branch,
			const char *token, bool force, int max_retries)
{
	/* libgit2 pushes references, not commits: a temporary one names it */
	char *local = rt_xsprintf("refs/release-train/push-%ld", (long)getpid());
	char *refspec = rt_xsprintf("%s%s:refs/heads/%s", force ? "+" : "", local, branch);
	git_reference *ref = NULL;
	git_oid oid;
	push_outcome outcome = PUSH_TRANSPORT;
	int attempt, error = -1;

	if (git_oid_fromstr(&oid, sha) < 0 ||
	    git_reference_create(&ref, repo->git, local, &oid, 1, "release-train push") < 0) {
		git_fail("cannot name commit %s for the push", sha);
		goto cleanup;
	}
	if (shadow_shallow_commits(repo) < 0)
		goto cleanup;
	for (attempt = 0; attempt <= max_retries; attempt++) {
		if (attempt > 0) {
			rt_runner_info("Push attempt %d failed (%s); retrying.", attempt,
				       rt_error_last() ? rt_error_last()->message : "?");
			backoff_sleep(attempt - 1);
		}
		error = push_refspec(repo, url, refspec, token, &outcome);
		if (error == 0 || outcome != PUSH_TRANSPORT)
			break;
	}
	if (error < 0 && outcome == PUSH_TRANSPORT && max_retries > 0)
		rt_error_prefix("after %d attempts", attempt);

cleanup:
	if (ref) {
		char *dir = rt_xsprintf("%srefs/release-train", git_repository_path(repo->git));
		git_reference_delete(ref);
		git_reference_free(ref);
		rmdir(dir); /* leave the repository as it was; fails harmlessly if not empty */
		free(dir);
	}
	git_libgit2_opts(GIT_OPT_ENABLE_CACHING, 1);
	git_error_clear();
	free(refspec);
	free(local);
	return error;
}

/* --- the repository a remote names (terminal use) ------------------------ */

static bool owner_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

static bool name_char(char c)
{
	return owner_char(c) || c == '.' || c == '_';
}

static int no_repository(const char *why)
{
	rt_error_set(RT_ERR_INPUT, "the remote URL names no GitHub repository (%s)", why);
	return RT_ENOTFOUND;
}

int rt_repo_parse_remote_url(char **out, const char *url)
{
	const char *path, *sep, *colon, *slash, *owner_end, *name, *end;
	static const char *const schemes[] = {"https", "http", "ssh", "git", "git+ssh", "ssh+git", NULL};
	size_t i;

	*out = NULL;
	if (!url || !*url)
		return no_repository("empty");
	sep = strstr(url, "://");
	colon = strchr(url, ':');
	slash = strchr(url, '/');
	if (sep) {
		size_t n = (size_t)(sep - url);
		for (i = 0; schemes[i]; i++)
			if (strlen(schemes[i]) == n && strncasecmp(url, schemes[i], n) == 0)
				break;
		if (!schemes[i])
			return no_repository("not an https, http, ssh or git URL");
		path = strchr(sep + 3, '/'); /* past user:password@host:port */
		if (!path || path == sep + 3)
			return no_repository("no host or no path");
	} else if (colon && colon != url && (!slash || colon < slash)) {
		path = colon + 1; /* scp form: [user@]host:owner/name */
	} else {
		return no_repository("a local path");
	}
	while (*path == '/')
		path++;
	end = path + strlen(path);
	while (end > path && end[-1] == '/')
		end--;
	for (owner_end = path; owner_end < end && owner_char(*owner_end); owner_end++)
		;
	if (owner_end == path || owner_end == end || *owner_end != '/')
		return no_repository("not owner/name");
	name = owner_end + 1;
	if ((size_t)(end - name) >= 4 && strncmp(end - 4, ".git", 4) == 0)
		end -= 4;
	if (name == end)
		return no_repository("not owner/name");
	for (const char *c = name; c < end; c++)
		if (!name_char(*c))
			return no_repository("not owner/name");
	if ((end - name == 1 && name[0] == '.') || (end - name == 2 && strncmp(name, "..", 2) == 0))
		return no_repository("not owner/name");
	*out = rt_xsprintf("%.*s/%.*s", (int)(owner_end - path), path, (int)(end - name), name);
	return 0;
}

/* remote.origin.url as git uses it: with the longest matching
 * url.<base>.insteadOf applied. Read by a plain walk of the configuration,
 * not git_remote_lookup: that one matches insteadOf through libgit2 1.5's
 * pcre2 wrapper, which leaks its match data on every miss (valgrind sees
 * it in Debian's build). NULL without an origin. */
static char *origin_url(git_repository *git)
{
	git_config *cfg = NULL;
	git_config_iterator *it = NULL;
	git_config_entry *e;
	git_buf url = {0};
	char *base = NULL, *out = NULL;
	size_t best = 0;

	if (git_repository_config(&cfg, git) < 0 ||
	    git_config_get_string_buf(&url, cfg, "remote.origin.url") < 0 || !url.ptr || !*url.ptr)
		goto cleanup;
	if (git_config_iterator_new(&it, cfg) == 0) {
		while (git_config_next(&e, it) == 0) {
			size_t n = strlen(e->name), v = e->value ? strlen(e->value) : 0;
			if (n > 14 && strncmp(e->name, "url.", 4) == 0 &&
			    strcmp(e->name + n - 10, ".insteadof") == 0 && v > best &&
			    strncmp(url.ptr, e->value, v) == 0) {
				free(base);
				base = rt_xstrndup(e->name + 4, n - 14);
				best = v;
			}
		}
	}
	out = base ? rt_xsprintf("%s%s", base, url.ptr + best) : rt_xstrdup(url.ptr);

cleanup:
	free(base);
	git_config_iterator_free(it);
	git_buf_dispose(&url);
	git_config_free(cfg);
	git_error_clear();
	return out;
}

int rt_repo_origin_repository(char **out, const char *path)
{
	git_repository *git = NULL;
	char *url = NULL;
	int error = RT_ENOTFOUND;

	*out = NULL;
	if (rt_repo_global_init() < 0)
		return -1;
	if (git_repository_open_ext(&git, path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0 ||
	    !(url = origin_url(git))) {
		git_error_clear();
		rt_error_set(RT_ERR_INPUT, "%s has no origin remote", path);
	} else {
		error = rt_repo_parse_remote_url(out, url);
	}
	free(url);
	git_repository_free(git);
	rt_repo_global_cleanup();
	return error;
}
