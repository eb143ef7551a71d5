/*
 * repo: the local git repository, on libgit2.
 *
 * Opens the checkout the runner gave us (owned by another uid, so owner
 * validation is off), reads files from git objects at a commit, walks
 * history with revwalk, and pushes over HTTPS authenticating with the
 * token itself: libgit2 does not read http.extraheader, and the token is
 * never written to .git/config.
 */
#ifndef RT_REPO_H
#define RT_REPO_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

typedef struct rt_repo rt_repo;

/* git_libgit2_init, owner validation off; the CA file from rt_http_ca_file()
 * is set at the first rt_repo_push. */
int rt_repo_global_init(void);
void rt_repo_global_cleanup(void);

int rt_repo_open(rt_repo **out, const char *path);
void rt_repo_free(rt_repo *repo);
/* rt_repo_free for a process about to exit: the repository is kept
 * (reachable, not leaked) and the kernel takes its memory back at once. */
void rt_repo_free_at_exit(rt_repo *repo);

/* Resolve a revision ("HEAD", a sha, "refs/tags/v1") to a commit sha (41 bytes with NUL). */
int rt_repo_resolve_commit(rt_repo *repo, char out[41], const char *rev);
/* Whether the object database holds this commit (false in a shallow clone's cut-off part). */
bool rt_repo_has_commit(rt_repo *repo, const char *sha);
bool rt_repo_is_shallow(rt_repo *repo);

/* The bytes of path in the tree of commit sha. RT_ENOTFOUND when absent. */
int rt_repo_read_file_at(rt_repo *repo, rt_buf *out, const char *sha, const char *path);

/* Called per commit, newest first, with its message (valid during the call
 * only); a non-zero return stops the walk and is returned. */
typedef int (*rt_repo_commit_cb)(const char *message, void *payload);
/* Walk commits reachable from `from` and not from any of `hide` (revwalk
 * push/hide). When cb stops the walk, the sha of the commit it stopped at
 * goes to stopped_at (41 bytes with NUL) unless that is NULL: a scan formats
 * one sha, not one per commit. */
int rt_repo_walk(rt_repo *repo, const char *from, const char *const *hide, size_t nhide,
		 rt_repo_commit_cb cb, void *payload, char *stopped_at);

/* The GitHub repository ("owner/name") a remote URL names, read as gh reads
 * it: https://host/owner/name, ssh://[user@]host[:port]/owner/name,
 * [user@]host:owner/name (scp form), git://, http://; a trailing ".git" or
 * "/" is dropped and any user or password in the URL is ignored.
 * RT_ENOTFOUND (error recorded) when the URL names no such pair: a local
 * path, file://, a deeper path, characters GitHub does not allow. Pure. */
int rt_repo_parse_remote_url(char **out, const char *url);
/* rt_repo_parse_remote_url of the `origin` remote of the repository at
 * path (after url.*.insteadOf); RT_ENOTFOUND without one. Initialises
 * libgit2 itself, so the configuration may call it before the modes do. */
int rt_repo_origin_repository(char **out, const char *path);

/* Push refspec to url with user x-access-token and the token. */
int rt_repo_push(rt_repo *repo, const char *url, const char *refspec, const char *token);

/* --- new commits (bump) --- */

/* One file of a new commit: its path from the repository root and bytes. */
typedef struct {
	const char *path;
	const char *data;
	size_t len;
} rt_repo_file;

/* The branch HEAD is on ("main"); RT_ENOTFOUND for a detached HEAD (caller frees). */
int rt_repo_current_branch(char **out, rt_repo *repo);
/* The tree of a commit (41 bytes with NUL). */
int rt_repo_commit_tree(rt_repo *repo, char out[41], const char *sha);
/* The file mode of path at commit sha (0100644, 0100755...); RT_ENOTFOUND when absent. */
int rt_repo_file_mode(rt_repo *repo, unsigned *mode, const char *sha, const char *path);

/* Make a commit on top of parent_sha whose tree is the parent's with
 * exactly these files replaced (their modes kept), with author and
 * committer name <email> (time now). The objects go to an in-memory
 * object store in front of the repository's: nothing is written under
 * .git, and a dry run can compute the same tree sha for free. The
 * commit and tree shas go to commit_out/tree_out (41 bytes with NUL). */
int rt_repo_commit_files(rt_repo *repo, char commit_out[41], char tree_out[41],
			 const char *parent_sha, const rt_repo_file *files, size_t nfiles,
			 const char *message, const char *name, const char *email);

/* Push commit sha to refs/heads/branch at url (force when asked), with
 * the token through the credential callback. Transport failures are
 * retried up to max_retries times with backoff; a refused token or a
 * rejected update is not. Works from a depth-1 clone: only objects the
 * server lacks are sent. */
int rt_repo_push_commit(rt_repo *repo, const char *url, const char *sha, const char *branch,
			const char *token, bool force, int max_retries);

#endif
