"""shapes: GitHub's JSON objects, as GitHub's OpenAPI description has them.

Every builder returns the full object the real API returns (every
required property, the right nullability, URLs in GitHub's forms), so
that Prism, checking the fake's answers against the description, finds
nothing to say. URLs are built from the API, server and upload bases the
fake is given, so every link a client follows leads back to the harness.
"""
import base64
import hashlib
import urllib.parse

from .util import iso8601

BOT_LOGIN = "github-actions[bot]"
BOT_ID = 41898282
BOT_NAME = "github-actions[bot]"
BOT_EMAIL = "41898282+github-actions[bot]@users.noreply.github.com"

DOCS = "https://docs.github.com/rest"


def node_id(kind, ident):
    raw = f"0{len(kind)}:{kind}{ident}".encode()
    return base64.b64encode(raw).decode().rstrip("=")


def stable_id(text, mod=10_000_000):
    return int(hashlib.sha1(text.encode()).hexdigest()[:8], 16) % mod + 1000


def q(segment):
    return urllib.parse.quote(segment, safe="")


class Shapes:
    def __init__(self, api, server, uploads):
        self.api = api.rstrip("/")
        self.server = server.rstrip("/")
        self.uploads = uploads.rstrip("/")

    # --- users ---
    def user(self, login, uid=None, kind="User"):
        uid = uid or stable_id(login)
        u = f"{self.api}/users/{q(login)}"
        return {
            "login": login, "id": uid, "node_id": node_id("User", uid),
            "avatar_url": f"https://avatars.githubusercontent.com/u/{uid}?v=4", "gravatar_id": "",
            "url": u, "html_url": f"{self.server}/{q(login)}",
            "followers_url": f"{u}/followers", "following_url": f"{u}/following{{/other_user}}",
            "gists_url": f"{u}/gists{{/gist_id}}", "starred_url": f"{u}/starred{{/owner}}{{/repo}}",
            "subscriptions_url": f"{u}/subscriptions", "organizations_url": f"{u}/orgs",
            "repos_url": f"{u}/repos", "events_url": f"{u}/events{{/privacy}}",
            "received_events_url": f"{u}/received_events", "type": kind, "user_view_type": "public",
            "site_admin": False,
        }

    def bot(self):
        return self.user(BOT_LOGIN, BOT_ID, "Bot")

    def private_user(self):
        u = self.bot()
        u.update({
            "name": None, "company": None, "blog": "", "location": None, "email": None,
            "hireable": None, "bio": None, "twitter_username": None, "public_repos": 0,
            "public_gists": 0, "followers": 0, "following": 0,
            "created_at": "2018-09-18T22:45:59Z", "updated_at": "2024-01-01T00:00:00Z",
            "private_gists": 0, "total_private_repos": 0, "owned_private_repos": 0, "disk_usage": 0,
            "collaborators": 0, "two_factor_authentication": False,
        })
        return u

    # --- repositories ---
    def repository(self, repo, full=False):
        owner, name = repo.full_name.split("/", 1)
        a = f"{self.api}/repos/{repo.full_name}"
        h = f"{self.server}/{repo.full_name}"
        r = {
            "id": repo.id, "node_id": node_id("Repository", repo.id), "name": name,
            "full_name": repo.full_name, "private": False,
            "owner": self.user(owner, kind="Organization"), "html_url": h, "description": None,
            "fork": False, "url": a,
            "archive_url": f"{a}/{{archive_format}}{{/ref}}", "assignees_url": f"{a}/assignees{{/user}}",
            "blobs_url": f"{a}/git/blobs{{/sha}}", "branches_url": f"{a}/branches{{/branch}}",
            "collaborators_url": f"{a}/collaborators{{/collaborator}}",
            "comments_url": f"{a}/comments{{/number}}", "commits_url": f"{a}/commits{{/sha}}",
            "compare_url": f"{a}/compare/{{base}}...{{head}}", "contents_url": f"{a}/contents/{{+path}}",
            "contributors_url": f"{a}/contributors", "deployments_url": f"{a}/deployments",
            "downloads_url": f"{a}/downloads", "events_url": f"{a}/events", "forks_url": f"{a}/forks",
            "git_commits_url": f"{a}/git/commits{{/sha}}", "git_refs_url": f"{a}/git/refs{{/sha}}",
            "git_tags_url": f"{a}/git/tags{{/sha}}", "git_url": f"{h}.git",
            "issue_comment_url": f"{a}/issues/comments{{/number}}",
            "issue_events_url": f"{a}/issues/events{{/number}}", "issues_url": f"{a}/issues{{/number}}",
            "keys_url": f"{a}/keys{{/key_id}}", "labels_url": f"{a}/labels{{/name}}",
            "languages_url": f"{a}/languages", "merges_url": f"{a}/merges",
            "milestones_url": f"{a}/milestones{{/number}}",
            "notifications_url": f"{a}/notifications{{?since,all,participating}}",
            "pulls_url": f"{a}/pulls{{/number}}", "releases_url": f"{a}/releases{{/id}}",
            "ssh_url": f"git@localhost:{repo.full_name}.git", "stargazers_url": f"{a}/stargazers",
            "statuses_url": f"{a}/statuses/{{sha}}", "subscribers_url": f"{a}/subscribers",
            "subscription_url": f"{a}/subscription", "tags_url": f"{a}/tags", "teams_url": f"{a}/teams",
            "trees_url": f"{a}/git/trees{{/sha}}", "clone_url": h, "mirror_url": None,
            "hooks_url": f"{a}/hooks", "svn_url": h, "homepage": None, "language": None,
            "forks_count": 0, "forks": 0, "stargazers_count": 0, "watchers_count": 0, "watchers": 0,
            "size": 0, "default_branch": repo.default_branch, "open_issues_count": repo.open_issues(),
            "open_issues": repo.open_issues(), "is_template": False, "topics": [],
            "has_issues": True, "has_projects": False, "has_wiki": False, "has_pages": False,
            "has_downloads": True, "has_discussions": False, "archived": False, "disabled": False,
            "visibility": "public", "pushed_at": iso8601(repo.created), "created_at": iso8601(repo.created),
            "updated_at": iso8601(repo.created), "license": None, "allow_forking": True,
            "web_commit_signoff_required": False,
            "permissions": {"admin": False, "maintain": False, "push": True, "triage": True, "pull": True},
        }
        if full:
            r.update({"network_count": 0, "subscribers_count": 0, "temp_clone_token": None,
                      "allow_squash_merge": True, "allow_merge_commit": True, "allow_rebase_merge": True,
                      "allow_auto_merge": False, "delete_branch_on_merge": False,
                      "allow_update_branch": False})
        return r

    # --- git ---
    def git_ref(self, repo, refname, sha, typ):
        a = f"{self.api}/repos/{repo.full_name}"
        kind = "tags" if typ == "tag" else "commits"
        if typ not in ("tag", "commit"):
            kind = typ + "s"
        return {"ref": refname, "node_id": node_id("Ref", f"{repo.id}:{refname}"),
                "url": f"{a}/git/{refname}", "object": {"sha": sha, "type": typ, "url": f"{a}/git/{kind}/{sha}"}}

    @staticmethod
    def unverified():
        return {"verified": False, "reason": "unsigned", "signature": None, "payload": None,
                "verified_at": None}

    @staticmethod
    def verified(at):
        return {"verified": True, "reason": "valid", "signature": "-----BEGIN PGP SIGNATURE-----\n\n"
                "(signed by the release-train test fake)\n-----END PGP SIGNATURE-----\n",
                "payload": "", "verified_at": iso8601(at)}

    def git_tag(self, repo, tag):
        a = f"{self.api}/repos/{repo.full_name}"
        t = tag["tagger"]
        kind = {"commit": "commits", "tree": "trees", "blob": "blobs", "tag": "tags"}[tag["type"]]
        return {"node_id": node_id("Tag", tag["sha"]), "tag": tag["tag"], "sha": tag["sha"],
                "url": f"{a}/git/tags/{tag['sha']}", "message": tag["message"],
                "tagger": {"name": t["name"], "email": t["email"], "date": iso8601(t["time"])},
                "object": {"sha": tag["object"], "type": tag["type"], "url": f"{a}/git/{kind}/{tag['object']}"},
                "verification": self.unverified()}

    def git_person(self, p):
        return {"name": p["name"], "email": p["email"], "date": iso8601(p["time"])}

    def git_commit(self, repo, c, verification=None):
        a = f"{self.api}/repos/{repo.full_name}"
        h = f"{self.server}/{repo.full_name}"
        return {
            "sha": c["sha"], "node_id": node_id("Commit", c["sha"]), "url": f"{a}/git/commits/{c['sha']}",
            "html_url": f"{h}/commit/{c['sha']}",
            "author": self.git_person(c["author"]), "committer": self.git_person(c["committer"]),
            "tree": {"sha": c["tree"], "url": f"{a}/git/trees/{c['tree']}"},
            "message": c["message"].rstrip("\n"),
            "parents": [{"sha": p, "url": f"{a}/git/commits/{p}", "html_url": f"{h}/commit/{p}"}
                        for p in c["parents"]],
            "verification": verification or self.unverified(),
        }

    def commit(self, repo, c, verification=None):
        """The REST `commit` object (compare, list commits)."""
        a = f"{self.api}/repos/{repo.full_name}"
        h = f"{self.server}/{repo.full_name}"
        return {
            "url": f"{a}/commits/{c['sha']}", "sha": c["sha"], "node_id": node_id("Commit", c["sha"]),
            "html_url": f"{h}/commit/{c['sha']}", "comments_url": f"{a}/commits/{c['sha']}/comments",
            "commit": {
                "url": f"{a}/git/commits/{c['sha']}",
                "author": self.git_person(c["author"]), "committer": self.git_person(c["committer"]),
                "message": c["message"].rstrip("\n"), "comment_count": 0,
                "tree": {"sha": c["tree"], "url": f"{a}/git/trees/{c['tree']}"},
                "verification": verification or self.unverified(),
            },
            "author": None, "committer": None,
            "parents": [{"sha": p, "url": f"{a}/commits/{p}", "html_url": f"{h}/commit/{p}"}
                        for p in c["parents"]],
        }

    def tree(self, repo, sha, entries):
        a = f"{self.api}/repos/{repo.full_name}"
        items = []
        for mode, typ, esha, size, path in entries:
            item = {"path": path, "mode": mode, "type": typ, "sha": esha}
            if typ == "blob":
                item["size"] = size
                item["url"] = f"{a}/git/blobs/{esha}"
            elif typ == "tree":
                item["url"] = f"{a}/git/trees/{esha}"
            items.append(item)
        return {"sha": sha, "url": f"{a}/git/trees/{sha}", "tree": items, "truncated": False}

    def blob(self, repo, sha, data):
        a = f"{self.api}/repos/{repo.full_name}"
        b64 = base64.b64encode(data).decode()
        content = "\n".join(b64[i:i + 60] for i in range(0, len(b64), 60)) + ("\n" if b64 else "")
        return {"sha": sha, "node_id": node_id("Blob", sha), "size": len(data), "url": f"{a}/git/blobs/{sha}",
                "content": content, "encoding": "base64"}

    # --- contents ---
    def content_entry(self, repo, path, ref, mode, typ, sha, size):
        a = f"{self.api}/repos/{repo.full_name}"
        h = f"{self.server}/{repo.full_name}"
        kind = {"blob": "symlink" if mode == "120000" else "file", "tree": "dir", "commit": "submodule"}[typ]
        qpath = urllib.parse.quote(path)
        url = f"{a}/contents/{qpath}?ref={q(ref)}"
        git_url = f"{a}/git/{'trees' if typ == 'tree' else 'blobs'}/{sha}"
        html = f"{h}/{'tree' if typ == 'tree' else 'blob'}/{q(ref)}/{qpath}"
        return {"type": kind, "size": size or 0, "name": path.rsplit("/", 1)[-1], "path": path, "sha": sha,
                "url": url, "git_url": git_url, "html_url": html,
                "download_url": f"{h}/raw/{q(ref)}/{qpath}" if typ == "blob" else None,
                "_links": {"self": url, "git": git_url, "html": html}}

    def content_file(self, repo, path, ref, sha, data):
        d = self.content_entry(repo, path, ref, "100644", "blob", sha, len(data))
        b64 = base64.b64encode(data).decode()
        d["content"] = "\n".join(b64[i:i + 60] for i in range(0, len(b64), 60)) + ("\n" if b64 else "")
        d["encoding"] = "base64"
        return d

    # --- pulls and issues ---
    def _labels(self, repo, names):
        a = f"{self.api}/repos/{repo.full_name}"
        return [{"id": stable_id(n), "node_id": node_id("Label", stable_id(n)), "url": f"{a}/labels/{q(n)}",
                 "name": n, "description": None, "color": "ededed", "default": False} for n in names]

    def _branch_side(self, repo, ref, sha):
        owner = repo.full_name.split("/")[0]
        return {"label": f"{owner}:{ref}", "ref": ref, "sha": sha,
                "user": self.user(owner, kind="Organization"), "repo": self.repository(repo)}

    def pull(self, repo, pr, head_sha, base_sha, simple=False):
        a = f"{self.api}/repos/{repo.full_name}"
        h = f"{self.server}/{repo.full_name}"
        n = pr["number"]
        d = {
            "url": f"{a}/pulls/{n}", "id": pr["id"], "node_id": node_id("PullRequest", pr["id"]),
            "html_url": f"{h}/pull/{n}", "diff_url": f"{h}/pull/{n}.diff", "patch_url": f"{h}/pull/{n}.patch",
            "issue_url": f"{a}/issues/{n}", "commits_url": f"{a}/pulls/{n}/commits",
            "review_comments_url": f"{a}/pulls/{n}/comments",
            "review_comment_url": f"{a}/pulls/comments{{/number}}",
            "comments_url": f"{a}/issues/{n}/comments", "statuses_url": f"{a}/statuses/{head_sha}",
            "number": n, "state": pr["state"], "locked": False, "title": pr["title"],
            "user": self.bot(), "body": pr["body"], "labels": self._labels(repo, pr.get("labels", [])),
            "milestone": None, "active_lock_reason": None,
            "created_at": iso8601(pr["created"]), "updated_at": iso8601(pr["updated"]),
            "closed_at": iso8601(pr["closed"]) if pr.get("closed") else None, "merged_at": None,
            "merge_commit_sha": None, "assignee": None, "assignees": [], "requested_reviewers": [],
            "requested_teams": [],
            "head": self._branch_side(repo, pr["head"], head_sha),
            "base": self._branch_side(repo, pr["base"], base_sha),
            "_links": {k: {"href": v} for k, v in {
                "self": f"{a}/pulls/{n}", "html": f"{h}/pull/{n}", "issue": f"{a}/issues/{n}",
                "comments": f"{a}/issues/{n}/comments", "review_comments": f"{a}/pulls/{n}/comments",
                "review_comment": f"{a}/pulls/comments{{/number}}", "commits": f"{a}/pulls/{n}/commits",
                "statuses": f"{a}/statuses/{head_sha}"}.items()},
            "author_association": "NONE", "auto_merge": None, "draft": bool(pr.get("draft")),
        }
        if not simple:
            d.update({"merged": False, "mergeable": True, "rebaseable": True, "mergeable_state": "clean",
                      "merged_by": None, "comments": 0, "review_comments": 0,
                      "maintainer_can_modify": bool(pr.get("maintainer_can_modify", True)),
                      "commits": pr.get("commits", 1), "additions": 0, "deletions": 0,
                      "changed_files": pr.get("changed_files", 0)})
        return d

    def issue_search_item(self, repo, issue):
        a = f"{self.api}/repos/{repo.full_name}"
        h = f"{self.server}/{repo.full_name}"
        n = issue["number"]
        is_pr = issue.get("pull_request", False)
        d = {
            "url": f"{a}/issues/{n}", "repository_url": a, "labels_url": f"{a}/issues/{n}/labels{{/name}}",
            "comments_url": f"{a}/issues/{n}/comments", "events_url": f"{a}/issues/{n}/events",
            "html_url": f"{h}/{'pull' if is_pr else 'issues'}/{n}", "id": issue["id"],
            "node_id": node_id("Issue", issue["id"]), "number": n, "title": issue["title"],
            "user": self.user(issue.get("author", "octocat")), "labels": self._labels(repo, issue.get("labels", [])),
            "state": issue["state"], "locked": False, "assignee": None, "assignees": [], "milestone": None,
            "comments": 0, "created_at": iso8601(issue["created"]), "updated_at": iso8601(issue["created"]),
            "closed_at": iso8601(issue["closed"]) if issue.get("closed") else None,
            "author_association": "NONE", "active_lock_reason": None, "body": issue.get("body") or "",
            "score": 1.0, "timeline_url": f"{a}/issues/{n}/timeline", "state_reason": None,
        }
        if is_pr:
            d["pull_request"] = {"url": f"{a}/pulls/{n}", "html_url": f"{h}/pull/{n}",
                                 "diff_url": f"{h}/pull/{n}.diff", "patch_url": f"{h}/pull/{n}.patch",
                                 "merged_at": None}
            d["draft"] = False
        return d

    # --- releases ---
    def asset(self, repo, release, asset):
        a = f"{self.api}/repos/{repo.full_name}"
        tag = release["tag_name"] if not release["draft"] else release["untagged"]
        return {
            "url": f"{a}/releases/assets/{asset['id']}",
            "browser_download_url": f"{self.uploads}/{repo.full_name}/releases/download/{q(tag)}/{q(asset['name'])}",
            "id": asset["id"], "node_id": node_id("ReleaseAsset", asset["id"]), "name": asset["name"],
            "label": asset.get("label") or "", "state": asset["state"], "content_type": asset["content_type"],
            "size": asset["size"], "digest": asset.get("digest"), "download_count": asset.get("downloads", 0),
            "created_at": iso8601(asset["created"]), "updated_at": iso8601(asset["updated"]),
            "uploader": self.bot(),
        }

    def release(self, repo, rel, assets):
        a = f"{self.api}/repos/{repo.full_name}"
        h = f"{self.server}/{repo.full_name}"
        tag_in_url = rel["untagged"] if rel["draft"] else rel["tag_name"]
        return {
            "url": f"{a}/releases/{rel['id']}", "html_url": f"{h}/releases/tag/{q(tag_in_url)}",
            "assets_url": f"{a}/releases/{rel['id']}/assets",
            "upload_url": f"{self.uploads}/repos/{repo.full_name}/releases/{rel['id']}/assets{{?name,label}}",
            "tarball_url": None if rel["draft"] else f"{a}/tarball/{q(rel['tag_name'])}",
            "zipball_url": None if rel["draft"] else f"{a}/zipball/{q(rel['tag_name'])}",
            "id": rel["id"], "node_id": node_id("Release", rel["id"]), "tag_name": rel["tag_name"],
            "target_commitish": rel["target_commitish"], "name": rel["name"], "body": rel["body"],
            "draft": rel["draft"], "prerelease": rel["prerelease"], "immutable": rel.get("immutable", False),
            "created_at": iso8601(rel["created"]),
            "published_at": iso8601(rel["published"]) if rel.get("published") else None,
            "updated_at": iso8601(rel["updated"]),
            "author": self.bot(), "assets": [self.asset(repo, rel, x) for x in assets],
        }


def error(message, doc=DOCS, status=None, errors=None):
    body = {"message": message, "documentation_url": doc}
    if errors is not None:
        body["errors"] = errors
    if status is not None:
        body["status"] = str(status)
    return body
