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

/* Push refspec to url with user x-access-token and the token. */
int rt_repo_push(rt_repo *repo, const char *url, const char *refspec, const char *token);

#endif
