"""fake: a stateful GitHub REST API for end-to-end tests, on the stdlib.

Three listening sockets, one state:
  front    what the tool is given as GITHUB_API_URL. Logs every request,
           applies the faults a test armed (connection resets, stalls,
           5xx, rate limits), then passes the request through Prism (the
           contract checker, when the World runs one) or straight to the app,
           and records any contract violation Prism reports.
  backend  the app itself: Prism's upstream. Checks the token, answers as
           GitHub does (documented bodies and errors, rate-limit headers on
           every response), keeps pull requests, releases, assets and
           dispatches in memory and git data in the bare repositories
           that the git server serves (through git plumbing).
  uploads  the upload origin named by each release's upload_url (its own
           port, as uploads.github.com is its own host): streams asset
           bodies to disk and computes their digest; also serves
           browser_download_url.

Control: `GET/POST/DELETE /_control/faults`, `GET /_control/state`,
`GET /_control/requests`, `POST /_control/reset` on the front port (never
through Prism, no token needed: loopback only), and the same as Python
methods on FakeGitHub for tests in the same process.
"""
import base64
import datetime
import hashlib
import http.client
import itertools
import json
import os
import re
import secrets
import shutil
import subprocess
import threading
import time
import traceback
import urllib.parse

from . import shapes as S
from .faults import FaultSet
from .gitrepo import SHA_RE, GitRepo
from .httpbase import BaseHandler, ThreadedServer
from .names import github_asset_name
from .util import LOOPBACK, ZERO_SHA, RequestLog, classify_auth, redact_headers

MAX_ASSETS = 1000
MAX_ASSET_SIZE = 2 * 1024 ** 3
LEVELS = {"none": 0, "read": 1, "write": 2}
DEFAULT_PERMISSIONS = {"contents": "write", "pull_requests": "write", "actions": "write", "issues": "write",
                       "metadata": "read"}
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "expect",
              "proxy-authorization", "proxy-authenticate", "content-length", "host"}


class HttpError(Exception):
    def __init__(self, status, body, headers=None):
        super().__init__(f"{status} {body.get('message') if isinstance(body, dict) else body}")
        self.status = status
        self.body = body
        self.headers = headers or {}


def _doc(section):
    return f"https://docs.github.com/rest/{section}"


def not_found(section="", message="Not Found"):
    return HttpError(404, S.error(message, _doc(section), 404))


def _by_id(table, key, section):
    """table[int(key)] (a pull, release or asset by its number or id), else GitHub's 404."""
    found = table.get(int(key))
    if found is None:
        raise not_found(section)
    return found


def _app_body(obj, headers):
    """An answer of the app as bytes: None is empty, bytes stay, anything else
    is JSON (and gets its Content-Type in headers)."""
    if obj is None:
        return b""
    if isinstance(obj, bytes):
        return obj
    headers.setdefault("Content-Type", "application/json; charset=utf-8")
    return json.dumps(obj).encode()


def invalid(message, section="", errors=None):
    return HttpError(422, S.error(message, _doc(section), 422, errors))


def validation(section, *errors):
    return invalid("Validation Failed", section, list(errors))


def parse_date(value):
    """ISO 8601 -> epoch seconds (GitHub accepts `Z` and offsets)."""
    try:
        return int(datetime.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())
    except (ValueError, AttributeError):
        raise invalid(f"Invalid date: {value}")


class Repo:
    """One repository's state beside its bare git repository."""

    def __init__(self, fake, full_name, path, rid, default_branch="main"):
        self.full_name = full_name
        self.path = path
        self.git = GitRepo(path)
        self.id = rid
        self.default_branch = default_branch
        self.created = time.time()
        self.lock = threading.RLock()
        self.settings = {"immutable_releases": False, "actions_can_create_prs": True}
        self.permissions = dict(DEFAULT_PERMISSIONS)
        self.pulls = {}      # number -> pr
        self.issues = {}     # number -> issue (pull requests too, for search)
        self.releases = {}   # id -> release
        self.assets = {}     # id -> asset
        self.dispatches = []
        self.verified = set()  # commits made through the API (GitHub signs them)
        self.latest_release_id = None
        self._numbers = itertools.count(1)

    def next_number(self):
        return next(self._numbers)

    def open_issues(self):
        return sum(1 for i in self.issues.values() if i["state"] == "open")


class App:
    """The REST API proper: routes, state, GitHub's answers."""

    def __init__(self, fake):
        self.fake = fake
        self._ids = itertools.count(1001)
        self._ids_lock = threading.Lock()
        self.routes = []
        r = "/repos/(?P<owner>[^/]+)/(?P<name>[^/]+)"
        for method, pattern, fn, perm in [
            ("GET", "/user", self.get_user, None),
            ("GET", r, self.get_repo, ("metadata", "read")),
            ("GET", r + "/git/ref/(?P<ref>.+)", self.get_ref, ("contents", "read")),
            ("GET", r + "/git/matching-refs/(?P<ref>.*)", self.matching_refs, ("contents", "read")),
            ("POST", r + "/git/refs", self.create_ref, ("contents", "write")),
            ("PATCH", r + "/git/refs/(?P<ref>.+)", self.update_ref, ("contents", "write")),
            ("DELETE", r + "/git/refs/(?P<ref>.+)", self.delete_ref, ("contents", "write")),
            ("POST", r + "/git/tags", self.create_tag, ("contents", "write")),
            ("GET", r + "/git/tags/(?P<sha>[^/]+)", self.get_tag, ("contents", "read")),
            ("POST", r + "/git/blobs", self.create_blob, ("contents", "write")),
            ("GET", r + "/git/blobs/(?P<sha>[^/]+)", self.get_blob, ("contents", "read")),
            ("POST", r + "/git/trees", self.create_tree, ("contents", "write")),
            ("GET", r + "/git/trees/(?P<sha>[^/]+)", self.get_tree, ("contents", "read")),
            ("POST", r + "/git/commits", self.create_commit, ("contents", "write")),
            ("GET", r + "/git/commits/(?P<sha>[^/]+)", self.get_commit, ("contents", "read")),
            ("GET", r + "/compare/(?P<basehead>.+)", self.compare, ("contents", "read")),
            ("GET", r + "/contents/(?P<path>.*)", self.get_contents, ("contents", "read")),
            ("GET", r + "/pulls", self.list_pulls, ("pull_requests", "read")),
            ("POST", r + "/pulls", self.create_pull, ("pull_requests", "write")),
            ("GET", r + "/pulls/(?P<number>\\d+)", self.get_pull, ("pull_requests", "read")),
            ("PATCH", r + "/pulls/(?P<number>\\d+)", self.update_pull, ("pull_requests", "write")),
            ("GET", "/search/issues", self.search_issues, None),
            ("POST", r + "/actions/workflows/(?P<workflow>[^/]+)/dispatches", self.dispatch, ("actions", "write")),
            ("GET", r + "/releases", self.list_releases, ("contents", "read")),
            ("POST", r + "/releases", self.create_release, ("contents", "write")),
            ("GET", r + "/releases/latest", self.latest_release, ("contents", "read")),
            ("GET", r + "/releases/tags/(?P<tag>.+)", self.release_by_tag, ("contents", "read")),
            ("GET", r + "/releases/assets/(?P<asset_id>\\d+)", self.get_asset, ("contents", "read")),
            ("PATCH", r + "/releases/assets/(?P<asset_id>\\d+)", self.update_asset, ("contents", "write")),
            ("DELETE", r + "/releases/assets/(?P<asset_id>\\d+)", self.delete_asset, ("contents", "write")),
            ("GET", r + "/releases/(?P<release_id>\\d+)", self.get_release, ("contents", "read")),
            ("PATCH", r + "/releases/(?P<release_id>\\d+)", self.update_release, ("contents", "write")),
            ("DELETE", r + "/releases/(?P<release_id>\\d+)", self.delete_release, ("contents", "write")),
            ("GET", r + "/releases/(?P<release_id>\\d+)/assets", self.list_assets, ("contents", "read")),
        ]:
            self.routes.append((method, re.compile("^" + pattern + "$"), fn, perm))

    def new_id(self):
        with self._ids_lock:
            return next(self._ids)

    @property
    def shapes(self):
        return self.fake.shapes

    # --- request entry ---
    def handle(self, method, path, query, headers, body):
        """-> (status, body object | bytes | None, headers dict). Never raises."""
        resource = "search" if path.startswith("/search/") else "core"
        out = self.fake.standard_headers(resource)
        try:
            if out["x-ratelimit-remaining"] == "0" and int(out["x-ratelimit-used"]) > self.fake.rate_limit[resource]:
                # Over the primary limit, as GitHub answers it (the request is not served).
                raise HttpError(403, S.error(
                    "API rate limit exceeded for installation ID 1000. If you reach out to GitHub Support for help, "
                    "please include the request ID " + out["x-github-request-id"] + ".",
                    "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-primary-rate-limits"))
            status, obj, hdrs = self._handle(method, path, query, headers, body)
        except HttpError as e:
            status, obj, hdrs = e.status, e.body, e.headers
        except Exception as e:  # noqa: BLE001 - a fake bug must show as a 500, not a hang
            self.fake.errors.append(traceback.format_exc())
            status, obj, hdrs = 500, S.error(f"fake GitHub bug: {e}"), {}
        out.update(hdrs or {})
        return status, obj, out

    def _handle(self, method, path, query, headers, body):
        if not headers.get("User-Agent"):
            raise HttpError(403, S.error("Request forbidden by administrative rules. Please make sure your "
                                         "request has a User-Agent header (https://docs.github.com/en/rest/"
                                         "overview/resources-in-the-rest-api#user-agent-required). Check "
                                         "https://developer.github.com for other possible causes."))
        auth, _ = classify_auth(headers.get("Authorization"), self.fake.token)
        if auth == "none":
            raise HttpError(401, S.error("Requires authentication", _doc(""), 401))
        if auth != "token":
            raise HttpError(401, S.error("Bad credentials", _doc(""), 401))
        path = path.rstrip("/") or "/"
        allowed = []
        for m, rx, fn, perm in self.routes:
            match = rx.match(path)
            if not match:
                continue
            if m != method:
                allowed.append(m)
                continue
            groups = {k: urllib.parse.unquote(v) for k, v in match.groupdict().items()}
            repo = None
            if "owner" in groups:
                repo = self.fake.repo(f"{groups.pop('owner')}/{groups.pop('name')}")
                if repo is None:
                    raise not_found()
                if perm:
                    have = repo.permissions.get(perm[0], "none")
                    if LEVELS[have] < LEVELS[perm[1]]:
                        raise HttpError(403, S.error("Resource not accessible by integration", _doc(""), 403),
                                        {"x-accepted-github-permissions": f"{perm[0]}={perm[1]}"})
            req = _Req(method, path, query, headers, body)
            return fn(req, repo, **groups)
        if allowed:
            raise HttpError(404, S.error("Not Found", _doc(""), 404))
        raise not_found()

    # --- users and repositories ---
    def get_user(self, req, repo):
        return 200, self.shapes.private_user(), {}

    def get_repo(self, req, repo):
        return 200, self.shapes.repository(repo, full=True), {}

    # --- refs ---
    def _ref_obj(self, repo, refname):
        found = repo.git.ref(refname)
        if not found:
            return None
        return self.shapes.git_ref(repo, refname, found[0], found[1])

    def get_ref(self, req, repo, ref):
        obj = self._ref_obj(repo, "refs/" + ref)
        if obj is None:
            raise not_found("git/refs#get-a-reference")
        return 200, obj, {}

    def matching_refs(self, req, repo, ref):
        prefix = "refs/" + ref
        return 200, [self.shapes.git_ref(repo, n, s, t) for n, s, t in repo.git.refs("refs/")
                     if n.startswith(prefix)], {}

    def _check_ref_name(self, refname, section):
        if not refname.startswith("refs/") or refname.count("/") < 2 or _bad_ref(refname):
            raise invalid("Reference name is invalid", section)

    def _immutable_tag(self, repo, refname):
        if not refname.startswith("refs/tags/"):
            return False
        tag = refname[len("refs/tags/"):]
        return any(r["tag_name"] == tag and r.get("immutable") and not r["draft"] for r in repo.releases.values())

    def create_ref(self, req, repo):
        section = "git/refs#create-a-reference"
        data = req.json()
        refname, sha = data.get("ref", ""), data.get("sha", "")
        self._check_ref_name(refname, section)
        if not SHA_RE.match(sha or "") or repo.git.object_type(sha) is None:
            raise invalid("Object does not exist", section)
        with repo.lock:
            if not repo.git.update_ref(refname, sha, ZERO_SHA):
                raise invalid("Reference already exists", section)
        obj = self._ref_obj(repo, refname)
        return 201, obj, {"Location": obj["url"]}

    def update_ref(self, req, repo, ref):
        section = "git/refs#update-a-reference"
        refname = "refs/" + ref
        data = req.json()
        sha, force = data.get("sha", ""), bool(data.get("force", False))
        with repo.lock:
            cur = repo.git.ref(refname)
            if cur is None:
                raise invalid("Reference does not exist", section)
            if not SHA_RE.match(sha or "") or repo.git.object_type(sha) is None:
                raise invalid("Object does not exist", section)
            if self._immutable_tag(repo, refname):
                raise invalid("Cannot update or delete the tag of an immutable release", section)
            if not force and cur[0] != sha:
                old_c, new_c = repo.git.resolve(cur[0]), repo.git.resolve(sha)
                if not old_c or not new_c or not repo.git.is_ancestor(old_c, new_c):
                    raise invalid("Update is not a fast forward", section)
            if not repo.git.update_ref(refname, sha, cur[0]):
                raise HttpError(409, S.error("Reference update failed", _doc(section), 409))
        return 200, self._ref_obj(repo, refname), {}

    def delete_ref(self, req, repo, ref):
        section = "git/refs#delete-a-reference"
        refname = "refs/" + ref
        with repo.lock:
            cur = repo.git.ref(refname)
            if cur is None:
                raise invalid("Reference does not exist", section)
            if self._immutable_tag(repo, refname):
                raise invalid("Cannot update or delete the tag of an immutable release", section)
            repo.git.delete_ref(refname, cur[0])
        return 204, None, {}

    # --- annotated tags, blobs, trees, commits ---
    def _person(self, data, default_time=None):
        t = parse_date(data["date"]) if data.get("date") else int(default_time or time.time())
        return {"name": data.get("name") or S.BOT_NAME, "email": data.get("email") or S.BOT_EMAIL, "time": t}

    def create_tag(self, req, repo):
        section = "git/tags#create-a-tag-object"
        data = req.json()
        obj, typ = data.get("object", ""), data.get("type", "commit")
        if repo.git.object_type(obj) != typ or not SHA_RE.match(obj):
            raise invalid("Object does not exist", section)
        tagger = self._person(data.get("tagger") or {"name": S.BOT_NAME, "email": S.BOT_EMAIL})
        try:
            sha = repo.git.mktag(obj, typ, data.get("tag", ""),
                                 f"{tagger['name']} <{tagger['email']}> {tagger['time']} +0000",
                                 data.get("message", ""))
        except Exception:  # noqa: BLE001 - git mktag refused it
            raise invalid("Tag name is invalid", section)
        body = self.shapes.git_tag(repo, repo.git.tag(sha))
        return 201, body, {"Location": body["url"]}

    def get_tag(self, req, repo, sha):
        if repo.git.object_type(sha) != "tag":
            raise not_found("git/tags#get-a-tag")
        return 200, self.shapes.git_tag(repo, repo.git.tag(repo.git.resolve(sha, peel=None))), {}

    def create_blob(self, req, repo):
        section = "git/blobs#create-a-blob"
        data = req.json()
        content, enc = data.get("content"), (data.get("encoding") or "utf-8").lower()
        if content is None:
            raise validation(section, {"resource": "Blob", "code": "missing_field", "field": "content"})
        if enc == "base64":
            try:
                raw = base64.b64decode(content, validate=False)
            except ValueError:
                raise invalid("Invalid Base64 content", section)
        elif enc in ("utf-8", "utf8"):
            raw = content.encode()
        else:
            raise invalid(f"encoding must be utf-8 or base64, not {enc}", section)
        sha = repo.git.hash_object(raw)
        url = f"{self.shapes.api}/repos/{repo.full_name}/git/blobs/{sha}"
        return 201, {"url": url, "sha": sha}, {"Location": url}

    def get_blob(self, req, repo, sha):
        if repo.git.object_type(sha) != "blob":
            raise not_found("git/blobs#get-a-blob")
        full = repo.git.resolve(sha, peel=None)
        return 200, self.shapes.blob(repo, full, repo.git.cat("blob", full)), {}

    def create_tree(self, req, repo):
        section = "git/trees#create-a-tree"
        data = req.json()
        base = data.get("base_tree")
        if base and repo.git.object_type(base) not in ("tree", "commit"):
            raise invalid("base_tree is not a valid tree oid", section)
        if base:
            base = repo.git.resolve(base, peel="tree")
        entries = []
        for i, e in enumerate(data.get("tree") or []):
            path = (e.get("path") or "").strip("/")
            mode = e.get("mode") or "100644"
            typ = e.get("type") or {"040000": "tree", "160000": "commit"}.get(mode, "blob")
            if not path:
                raise invalid(f"tree.path is required (entry {i})", section)
            if "content" in e and e.get("sha"):
                raise invalid("Must supply either tree.sha or tree.content, but not both", section)
            if "content" in e:
                sha = repo.git.hash_object((e.get("content") or "").encode())
            elif "sha" in e and e["sha"] is None:
                sha = None
            else:
                sha = e.get("sha") or ""
                if typ != "commit" and (not SHA_RE.match(sha) or repo.git.object_type(sha) != typ):
                    raise invalid(f"tree.sha {sha} is not a valid {typ}", section)
            entries.append((path, mode, typ, sha))
        tree = repo.git.build_tree(base, entries)
        body = self.shapes.tree(repo, tree, repo.git.ls_tree(tree))
        return 201, body, {"Location": body["url"]}

    def get_tree(self, req, repo, sha):
        if repo.git.object_type(sha) not in ("tree", "commit"):
            raise not_found("git/trees#get-a-tree")
        tree = repo.git.resolve(sha, peel="tree")
        recursive = req.query.get("recursive") not in (None, "", "0", "false")
        return 200, self.shapes.tree(repo, tree, repo.git.ls_tree(tree, recursive)), {}

    def create_commit(self, req, repo):
        section = "git/commits#create-a-commit"
        data = req.json()
        tree = data.get("tree", "")
        if not SHA_RE.match(tree) or repo.git.object_type(tree) != "tree":
            raise invalid("Tree SHA does not exist", section)
        parents = data.get("parents") or []
        for p in parents:
            if not SHA_RE.match(p or "") or repo.git.object_type(p) != "commit":
                raise invalid("Parent SHA does not exist or is not a commit object", section)
        now = time.time()
        author = self._person(data.get("author") or {}, now)
        committer = self._person(data.get("committer") or data.get("author") or {}, now)
        sha = repo.git.commit_tree(
            tree, parents, data.get("message", ""),
            {"name": author["name"], "email": author["email"], "date": f"{author['time']} +0000"},
            {"name": committer["name"], "email": committer["email"], "date": f"{committer['time']} +0000"})
        if not data.get("signature"):
            # GitHub signs commits it creates for the API caller (web-flow key).
            repo.verified.add(sha)
        body = self._git_commit(repo, sha)
        return 201, body, {"Location": body["url"]}

    def _verification(self, repo, sha):
        return self.shapes.verified(time.time()) if sha in repo.verified else None

    def _git_commit(self, repo, sha):
        return self.shapes.git_commit(repo, repo.git.commit(sha), self._verification(repo, sha))

    def get_commit(self, req, repo, sha):
        if repo.git.object_type(sha) != "commit":
            raise not_found("git/commits#get-a-commit-object")
        return 200, self._git_commit(repo, repo.git.resolve(sha)), {}

    # --- compare ---
    def _commitish(self, repo, name):
        if ":" in name:
            owner, _, name = name.partition(":")
        return repo.git.resolve_commitish(name)

    def compare(self, req, repo, basehead):
        section = "commits/commits#compare-two-commits"
        if "..." in basehead:
            base_name, _, head_name = basehead.partition("...")
        elif ".." in basehead:
            base_name, _, head_name = basehead.partition("..")
        else:
            raise not_found(section)
        base, head = self._commitish(repo, base_name), self._commitish(repo, head_name)
        if not base or not head:
            raise not_found(section)
        merge_base = repo.git.merge_base(base, head)
        if merge_base is None:
            raise not_found(section, f"No common ancestor between {base_name} and {head_name}.")
        behind = repo.git.count([base, "^" + head])
        commits = repo.git.log([head, "^" + base])
        ahead = len(commits)
        status = "identical" if ahead == 0 and behind == 0 else "ahead" if behind == 0 else \
            "behind" if ahead == 0 else "diverged"
        page_items, links = self.fake.paginate(req, commits, default=250 if not (
            "page" in req.query or "per_page" in req.query) else 30, maximum=250)
        a = f"{self.shapes.api}/repos/{repo.full_name}"
        h = f"{self.shapes.server}/{repo.full_name}"
        owner = repo.full_name.split("/")[0]
        body = {
            "url": f"{a}/compare/{urllib.parse.quote(basehead)}",
            "html_url": f"{h}/compare/{urllib.parse.quote(basehead)}",
            "permalink_url": f"{h}/compare/{owner}:{base[:7]}...{owner}:{head[:7]}",
            "diff_url": f"{h}/compare/{urllib.parse.quote(basehead)}.diff",
            "patch_url": f"{h}/compare/{urllib.parse.quote(basehead)}.patch",
            "base_commit": self.shapes.commit(repo, repo.git.commit(base)),
            "merge_base_commit": self.shapes.commit(repo, repo.git.commit(merge_base)),
            "status": status, "ahead_by": ahead, "behind_by": behind, "total_commits": ahead,
            "commits": [self.shapes.commit(repo, c, self._verification(repo, c["sha"])) for c in page_items],
            "files": [],
        }
        return 200, body, links

    # --- repository contents ---
    def get_contents(self, req, repo, path):
        section = "repos/contents#get-repository-content"
        ref = req.query.get("ref") or repo.default_branch
        commit = repo.git.resolve_commitish(ref)
        if not commit:
            raise not_found(section, f"No commit found for the ref {ref}")
        path = path.strip("/")
        spec = f"{commit}:{path}"
        kind = repo.git.object_type(repo.git.resolve(spec, peel=None) or "") if path else "tree"
        if kind is None:
            raise not_found(section)
        accept = req.headers.get("Accept") or ""
        if kind == "blob":
            sha = repo.git.resolve(spec, peel=None)
            data = repo.git.cat("blob", sha)
            if "vnd.github.raw" in accept:
                return 200, data, {"Content-Type": "application/vnd.github.raw; charset=utf-8"}
            return 200, self.shapes.content_file(repo, path, ref, sha, data), {}
        tree = repo.git.resolve(spec, peel=None) if path else repo.git.resolve(commit, peel="tree")
        entries = repo.git.ls_tree(tree)
        return 200, [self.shapes.content_entry(repo, f"{path}/{name}" if path else name, ref, mode, typ, sha, size)
                     for mode, typ, sha, size, name in entries], {}

    # --- pull requests ---
    def _pull_body(self, repo, pr, simple=False):
        head = repo.git.ref("refs/heads/" + pr["head"])
        if head and pr["state"] == "open":
            pr["head_sha"] = head[0]
        base = repo.git.ref("refs/heads/" + pr["base"])
        return self.shapes.pull(repo, pr, pr["head_sha"], base[0] if base else pr["base_sha"], simple)

    def _head_branch(self, repo, head, section):
        owner = repo.full_name.split("/")[0]
        if ":" in head:
            h_owner, _, head = head.partition(":")
            if h_owner != owner:
                raise validation(section, {"resource": "PullRequest", "field": "head", "code": "invalid"})
        return head

    def list_pulls(self, req, repo):
        state = req.query.get("state", "open")
        head = req.query.get("head")
        base = req.query.get("base")
        pulls = sorted(repo.pulls.values(), key=lambda p: p["number"],
                       reverse=req.query.get("direction", "desc") == "desc")
        out = []
        for pr in pulls:
            if state != "all" and pr["state"] != state:
                continue
            if head:
                h_owner, _, h_ref = head.partition(":")
                if not h_ref:
                    # GitHub wants user:ref-name; a bare branch matches nothing.
                    continue
                if h_owner != repo.full_name.split("/")[0] or h_ref != pr["head"]:
                    continue
            if base and pr["base"] != base:
                continue
            out.append(pr)
        page, links = self.fake.paginate(req, out)
        return 200, [self._pull_body(repo, p, simple=True) for p in page], links

    def create_pull(self, req, repo):
        section = "pulls/pulls#create-a-pull-request"
        if not repo.settings["actions_can_create_prs"]:
            raise HttpError(403, S.error("GitHub Actions is not permitted to create or approve pull requests.",
                                         _doc(section), 403))
        data = req.json()
        title = data.get("title")
        if not title:
            raise validation(section, {"resource": "PullRequest", "code": "missing_field", "field": "title"})
        head = self._head_branch(repo, data.get("head") or "", section)
        base = data.get("base") or ""
        owner = repo.full_name.split("/")[0]
        with repo.lock:
            base_ref = repo.git.ref("refs/heads/" + base)
            if not base_ref:
                raise validation(section, {"resource": "PullRequest", "field": "base", "code": "invalid"})
            head_ref = repo.git.ref("refs/heads/" + head)
            if not head_ref:
                raise validation(section, {"resource": "PullRequest", "field": "head", "code": "invalid"})
            for pr in repo.pulls.values():
                if pr["state"] == "open" and pr["head"] == head and pr["base"] == base:
                    raise validation(section, {"resource": "PullRequest", "code": "custom",
                                               "message": f"A pull request already exists for {owner}:{head}."})
            ahead = repo.git.count([head_ref[0], "^" + base_ref[0]])
            if ahead == 0:
                raise validation(section, {"resource": "PullRequest", "code": "custom",
                                           "message": f"No commits between {base} and {head}"})
            now = time.time()
            number = repo.next_number()
            pr = {"number": number, "id": self.new_id(), "title": title, "body": data.get("body"),
                  "head": head, "base": base, "state": "open", "draft": bool(data.get("draft")),
                  "maintainer_can_modify": data.get("maintainer_can_modify", True),
                  "head_sha": head_ref[0], "base_sha": base_ref[0], "created": now, "updated": now,
                  "closed": None, "commits": ahead}
            repo.pulls[number] = pr
            repo.issues[number] = {"number": number, "id": pr["id"], "title": title, "body": pr["body"] or "",
                                   "state": "open", "labels": [], "created": now, "pull_request": True,
                                   "author": S.BOT_LOGIN}
        body = self._pull_body(repo, pr)
        return 201, body, {"Location": body["url"]}

    def _pull(self, repo, number):
        return _by_id(repo.pulls, number, "pulls/pulls#get-a-pull-request")

    def get_pull(self, req, repo, number):
        return 200, self._pull_body(repo, self._pull(repo, number)), {}

    def update_pull(self, req, repo, number):
        section = "pulls/pulls#update-a-pull-request"
        data = req.json()
        with repo.lock:
            pr = self._pull(repo, number)
            if "base" in data and not repo.git.ref("refs/heads/" + data["base"]):
                raise validation(section, {"resource": "PullRequest", "field": "base", "code": "invalid"})
            if data.get("state") == "open" and pr["state"] == "closed":
                for other in repo.pulls.values():
                    if other is not pr and other["state"] == "open" and other["head"] == pr["head"] \
                            and other["base"] == data.get("base", pr["base"]):
                        owner = repo.full_name.split("/")[0]
                        message = f"A pull request already exists for {owner}:{pr['head']}."
                        raise validation(section, {"resource": "PullRequest", "code": "custom", "message": message})
            for key in ("title", "body", "base", "maintainer_can_modify"):
                if key in data:
                    pr[key] = data[key]
            if data.get("state") in ("open", "closed"):
                pr["state"] = data["state"]
                pr["closed"] = time.time() if pr["state"] == "closed" else None
            pr["updated"] = time.time()
            issue = repo.issues[pr["number"]]
            issue.update({"title": pr["title"], "body": pr["body"] or "", "state": pr["state"],
                          "closed": pr["closed"]})
        return 200, self._pull_body(repo, pr), {}

    # --- search ---
    def search_issues(self, req, repo):
        query = req.query.get("q", "")
        try:
            terms = _split_query(query)
        except ValueError:
            raise invalid("Validation Failed", "search/search#search-issues-and-pull-requests",
                          [{"resource": "Search", "field": "q", "code": "invalid"}])
        found = []
        for r in self.fake.all_repos():
            for issue in sorted(r.issues.values(), key=lambda i: -i["number"]):
                if _issue_matches(r, issue, terms):
                    found.append((r, issue))
        page, links = self.fake.paginate(req, found)
        return 200, {"total_count": len(found), "incomplete_results": False, "search_type": "lexical",
                     "items": [self.shapes.issue_search_item(r, i) for r, i in page]}, links

    # --- workflows ---
    def dispatch(self, req, repo, workflow):
        section = "actions/workflows#create-a-workflow-dispatch-event"
        data = req.json()
        ref = data.get("ref", "")
        path = f".github/workflows/{workflow}"
        content = None
        try:
            content = repo.git.cat("blob", f"refs/heads/{repo.default_branch}:{path}")
        except Exception:  # noqa: BLE001 - no such file
            pass
        if content is None:
            raise not_found(section)
        if b"workflow_dispatch" not in content:
            raise invalid("Workflow does not have 'workflow_dispatch' trigger", section)
        short = ref[len("refs/heads/"):] if ref.startswith("refs/heads/") else \
            ref[len("refs/tags/"):] if ref.startswith("refs/tags/") else ref
        sha = None
        for candidate in ([ref] if ref.startswith("refs/") else [f"refs/heads/{short}", f"refs/tags/{short}"]):
            sha = repo.git.resolve(candidate)
            if sha:
                break
        if not sha:
            raise invalid(f"No ref found for: {ref}", section)
        inputs = data.get("inputs") or {}
        run_id = self.new_id()
        with repo.lock:
            repo.dispatches.append({"workflow": workflow, "ref": ref, "sha": sha, "inputs": inputs,
                                    "time": time.time(), "run_id": run_id})
        if data.get("return_run_details"):
            a = f"{self.shapes.api}/repos/{repo.full_name}"
            return 200, {"workflow_run_id": run_id, "run_url": f"{a}/actions/runs/{run_id}",
                         "html_url": f"{self.shapes.server}/{repo.full_name}/actions/runs/{run_id}"}, {}
        return 204, None, {}

    # --- releases ---
    def _release_body(self, repo, rel):
        assets = sorted((a for a in repo.assets.values() if a["release_id"] == rel["id"]), key=lambda a: a["id"])
        return self.shapes.release(repo, rel, assets)

    def _release(self, repo, release_id):
        return _by_id(repo.releases, release_id, "releases/releases#get-a-release")

    def _publish(self, repo, rel, section):
        """Create the tag if needed; refuse a second published release of one tag."""
        for other in repo.releases.values():
            if other is not rel and not other["draft"] and other["tag_name"] == rel["tag_name"]:
                raise validation(section, {"resource": "Release", "code": "already_exists", "field": "tag_name"})
        refname = "refs/tags/" + rel["tag_name"]
        if repo.git.ref(refname) is None:
            target = repo.git.resolve_commitish(rel["target_commitish"])
            if not target:
                raise validation(section, {"resource": "Release", "code": "invalid", "field": "target_commitish"})
            repo.git.update_ref(refname, target, ZERO_SHA)
        rel["draft"] = False
        rel["published"] = time.time()
        if repo.settings["immutable_releases"]:
            rel["immutable"] = True

    def _make_latest(self, repo, rel, make_latest):
        if not rel["draft"] and not rel["prerelease"] and make_latest != "false":
            repo.latest_release_id = rel["id"]

    def list_releases(self, req, repo):
        rels = sorted(repo.releases.values(), key=lambda r: (r["created"], r["id"]), reverse=True)
        page, links = self.fake.paginate(req, rels)
        return 200, [self._release_body(repo, r) for r in page], links

    def create_release(self, req, repo):
        section = "releases/releases#create-a-release"
        data = req.json()
        tag = data.get("tag_name", "")
        if not tag or _bad_ref(f"refs/tags/{tag}"):
            raise validation(section, {"resource": "Release", "code": "invalid", "field": "tag_name"})
        target = data.get("target_commitish") or repo.default_branch
        now = time.time()
        with repo.lock:
            if repo.git.ref("refs/tags/" + tag) is None and not repo.git.resolve_commitish(target):
                raise validation(section, {"resource": "Release", "code": "invalid", "field": "target_commitish"})
            body = data.get("body")
            name = data.get("name")
            if data.get("generate_release_notes"):
                name = name or tag
                body = (body + "\n\n" if body else "") + self._generated_notes(repo, tag, target)
            rel = {"id": self.new_id(), "tag_name": tag, "target_commitish": target, "name": name,
                   "body": body, "draft": True, "prerelease": bool(data.get("prerelease", False)),
                   "created": now, "updated": now, "published": None,
                   "untagged": "untagged-" + secrets.token_hex(10), "immutable": False}
            if not data.get("draft", False):
                self._publish(repo, rel, section)
            repo.releases[rel["id"]] = rel
            self._make_latest(repo, rel, data.get("make_latest", "true"))
        body = self._release_body(repo, rel)
        return 201, body, {"Location": body["url"]}

    def _generated_notes(self, repo, tag, target):
        prev = [r for r in repo.releases.values() if not r["draft"] and r["tag_name"] != tag]
        owner_repo = repo.full_name
        if prev:
            last = max(prev, key=lambda r: r["created"])["tag_name"]
            cl = f"{self.shapes.server}/{owner_repo}/compare/{last}...{tag}"
        else:
            cl = f"{self.shapes.server}/{owner_repo}/commits/{tag}"
        return f"## What's Changed\n* Release {tag}\n\n\n**Full Changelog**: {cl}"

    def get_release(self, req, repo, release_id):
        return 200, self._release_body(repo, self._release(repo, release_id)), {}

    def release_by_tag(self, req, repo, tag):
        for rel in sorted(repo.releases.values(), key=lambda r: r["id"]):
            if not rel["draft"] and rel["tag_name"] == tag:
                return 200, self._release_body(repo, rel), {}
        raise not_found("releases/releases#get-a-release-by-tag-name")

    def latest_release(self, req, repo):
        rel = repo.releases.get(repo.latest_release_id or -1)
        if rel is None or rel["draft"]:
            raise not_found("releases/releases#get-the-latest-release")
        return 200, self._release_body(repo, rel), {}

    def update_release(self, req, repo, release_id):
        section = "releases/releases#update-a-release"
        data = req.json()
        with repo.lock:
            rel = self._release(repo, release_id)
            immutable = rel.get("immutable") and not rel["draft"]
            if immutable and (("tag_name" in data and data["tag_name"] != rel["tag_name"]) or data.get("draft")):
                raise invalid("Cannot modify an immutable release", section)
            if "tag_name" in data and (not data["tag_name"] or _bad_ref("refs/tags/" + data["tag_name"])):
                raise validation(section, {"resource": "Release", "code": "invalid", "field": "tag_name"})
            for key in ("tag_name", "target_commitish", "name", "body", "prerelease"):
                if key in data:
                    rel[key] = data[key]
            if data.get("draft") is False and rel["draft"]:
                self._publish(repo, rel, section)
            elif data.get("draft") is True and not rel["draft"]:
                rel["draft"] = True
                rel["published"] = None
            rel["updated"] = time.time()
            self._make_latest(repo, rel, data.get("make_latest", "true"))
        return 200, self._release_body(repo, rel), {}

    def delete_release(self, req, repo, release_id):
        with repo.lock:
            rel = self._release(repo, release_id)
            del repo.releases[rel["id"]]
            for aid in [a["id"] for a in repo.assets.values() if a["release_id"] == rel["id"]]:
                self.fake.drop_asset(repo, aid)
        return 204, None, {}

    # --- assets ---
    def list_assets(self, req, repo, release_id):
        rel = self._release(repo, release_id)
        assets = sorted((a for a in repo.assets.values() if a["release_id"] == rel["id"]), key=lambda a: a["id"])
        page, links = self.fake.paginate(req, assets)
        return 200, [self.shapes.asset(repo, rel, a) for a in page], links

    def _asset(self, repo, asset_id):
        return _by_id(repo.assets, asset_id, "releases/assets#get-a-release-asset")

    def get_asset(self, req, repo, asset_id):
        asset = self._asset(repo, asset_id)
        rel = repo.releases[asset["release_id"]]
        body = self.shapes.asset(repo, rel, asset)
        if "application/octet-stream" in (req.headers.get("Accept") or ""):
            return 302, None, {"Location": body["browser_download_url"]}
        return 200, body, {}

    def update_asset(self, req, repo, asset_id):
        section = "releases/assets#update-a-release-asset"
        data = req.json()
        with repo.lock:
            asset = self._asset(repo, asset_id)
            rel = repo.releases[asset["release_id"]]
            if rel.get("immutable") and not rel["draft"]:
                raise invalid("Cannot modify an asset of an immutable release", section)
            if "name" in data:
                new = github_asset_name(data["name"])
                for other in repo.assets.values():
                    if other is not asset and other["release_id"] == rel["id"] and other["name"] == new:
                        raise validation(section, {"resource": "ReleaseAsset", "code": "already_exists",
                                                   "field": "name"})
                asset["name"] = new
            if "label" in data:
                asset["label"] = data["label"]
            if data.get("state") in ("uploaded", "starter", "open"):
                asset["state"] = data["state"]
            asset["updated"] = time.time()
        return 200, self.shapes.asset(repo, rel, asset), {}

    def delete_asset(self, req, repo, asset_id):
        section = "releases/assets#delete-a-release-asset"
        with repo.lock:
            asset = self._asset(repo, asset_id)
            rel = repo.releases[asset["release_id"]]
            if rel.get("immutable") and not rel["draft"]:
                raise invalid("Cannot delete an asset of an immutable release", section)
            self.fake.drop_asset(repo, asset["id"])
        return 204, None, {}


def _bad_ref(refname):
    """Whether git refuses the name (as GitHub does)."""
    return subprocess.run(["git", "check-ref-format", refname], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode != 0


class _Req:
    def __init__(self, method, path, query, headers, body):
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self._json = None

    def json(self):
        if self._json is None:
            if not self.body:
                self._json = {}
            else:
                try:
                    self._json = json.loads(self.body)
                except ValueError:
                    raise HttpError(400, S.error("Problems parsing JSON", _doc(""), 400))
                if not isinstance(self._json, dict):
                    raise HttpError(400, S.error("Problems parsing JSON", _doc(""), 400))
        return self._json


def _split_query(q):
    """GitHub search syntax -> [(negated, key or None, value)]."""
    out = []
    for m in re.finditer(r'(-?)(?:(\w+):)?("([^"]*)"|\S+)', q):
        neg, key, raw, quoted = m.group(1), m.group(2), m.group(3), m.group(4)
        value = quoted if quoted is not None else raw
        if key is None and raw.startswith('"') and quoted is None:
            raise ValueError(q)
        out.append((bool(neg), key.lower() if key else None, value))
    return out


def _issue_matches(repo, issue, terms):
    fields = {"title", "body"}
    for neg, key, value in terms:
        if key == "in":
            fields = set(value.lower().split(","))
    for neg, key, value in terms:
        v = value.lower()
        if key is None:
            hay = " ".join(issue.get(f) or "" for f in fields if f in ("title", "body")).lower()
            ok = v in hay
        elif key == "repo":
            ok = repo.full_name.lower() == v
        elif key in ("is", "state", "type"):
            if v in ("open", "closed"):
                ok = issue["state"] == v
            elif v in ("pr", "pull-request"):
                ok = bool(issue.get("pull_request"))
            elif v == "issue":
                ok = not issue.get("pull_request")
            else:
                ok = True
        elif key == "label":
            ok = v in [x.lower() for x in issue.get("labels", [])]
        elif key == "author":
            ok = (issue.get("author") or "").lower() == v
        elif key == "in":
            continue
        else:
            ok = True  # qualifiers the fake does not model do not filter
        if ok == neg:
            return False
    return True


# ---------------------------------------------------------------------------
# HTTP front ends

class _BackendHandler(BaseHandler):
    """Prism's upstream: the app, with nothing in between."""

    def dispatch(self):
        fake = self.server.owner
        url = urllib.parse.urlsplit(self.path)
        body = self.read_body_or_close()
        if body is None:
            return
        query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        status, obj, headers = fake.app.handle(self.command, url.path, query, self.headers, body)
        fake.send_app_response(self, status, obj, headers)


class _FrontHandler(BaseHandler):
    """The API origin the tool talks to: log, faults, then Prism or the app."""

    def dispatch(self):
        fake = self.server.owner
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        if path.startswith("/_control/"):
            return fake.control(self, path, url.query)
        target = self.path
        if fake.api_prefix:
            # GitHub Enterprise Server: https://HOST/api/v3/...
            if not (path + "/").startswith(fake.api_prefix + "/"):
                self.read_body()
                return self.send_json(404, S.error("Not Found", S.DOCS, 404))
            path = path[len(fake.api_prefix):] or "/"
            target = target[len(fake.api_prefix):] or "/"
        started = time.time()
        entry = fake.log.add({
            "origin": "api", "method": self.command, "path": urllib.parse.unquote(path),
            "raw_path": path, "query": dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True)),
            "headers": redact_headers(self.headers), "status": None, "fault": None, "violation": None,
            "time": started,
        })
        entry["auth"] = classify_auth(self.headers.get("Authorization"), fake.token)[0]
        body = self.read_body_or_close()
        if body is None:
            entry["status"] = "client-closed"
            return
        entry["body"] = _decode_body(body, self.headers.get("Content-Type"))
        fault = fake.faults.take("api", self.command, entry["path"])
        if fault is not None:
            entry["fault"] = fault.label
        try:
            if fault is not None and fault.opts.get("when") != "after":
                if fake.pre_fault(self, fault, entry):
                    return
            status, headers, resp = fake.forward(self.command, target, self.headers, body)
            entry["forwarded"] = time.time()  # the answer is computed (a when="after" fault may still hold it)
            violation = fake.check_violation(status, headers, resp, entry)
            if violation:
                entry["violation"] = violation
            if fault is not None and fault.opts.get("when") == "after":
                if fake.pre_fault(self, fault, entry):
                    return
            entry["status"] = status
            entry["response"] = _decode_body(resp, headers.get("content-type") or headers.get("Content-Type"))
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(resp)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(resp)
        except (ConnectionError, OSError) as e:
            entry.setdefault("error", str(e))
            self.close_connection = True
        finally:
            entry["duration"] = time.time() - started


class _UploadHandler(BaseHandler):
    """The upload origin: asset uploads (streamed to disk) and downloads."""

    def dispatch(self):
        self.server.owner.upload(self)


def _decode_body(raw, content_type):
    if not raw:
        return None
    if content_type and "json" in content_type:
        try:
            return json.loads(raw)
        except ValueError:
            pass
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw


# ---------------------------------------------------------------------------

class FakeGitHub:
    """The fake API: start(), then point GITHUB_API_URL at .api_url.

    root:       directory of bare repositories (the git server's root)
    token:      the only credential accepted
    server_url: GITHUB_SERVER_URL (html_url links, clone URLs)
    faults/log: shared with the git server (one FaultSet, one RequestLog)
    ssl_context: serve the API and upload origins over HTTPS (URLs name localhost)
    api_prefix/upload_prefix: GitHub Enterprise Server's "/api/v3" and "/api/uploads"
    """

    def __init__(self, root, token, *, server_url="http://127.0.0.1", data_dir=None, faults=None, log=None,
                 rate_limit=1000, host=LOOPBACK, ssl_context=None, api_prefix="", upload_prefix=""):
        self.root = os.path.abspath(root)
        self.token = token
        self.server_url = server_url
        self.api_prefix = api_prefix.rstrip("/")
        self.upload_prefix = upload_prefix.rstrip("/")
        self.faults = faults if faults is not None else FaultSet()
        self.log = log if log is not None else RequestLog()
        self.data_dir = data_dir or os.path.join(self.root, ".fake-data")
        os.makedirs(os.path.join(self.data_dir, "assets"), exist_ok=True)
        self.errors = []        # tracebacks of fake bugs (tests fail on them)
        self.violations = []    # contract violations Prism reported
        self.prism_url = None   # set by set_contract_proxy()
        self.rate_limit = {"core": rate_limit, "search": 30}
        self._rate_lock = threading.Lock()
        self._rate_used = {"core": 0, "search": 0}
        self._rate_reset = int(time.time()) + 3600
        self._repos = {}
        self._repos_lock = threading.Lock()
        self._local = threading.local()
        self.app = App(self)
        # TLS (when given) on what the tool talks to; Prism's upstream stays plain.
        self._front = ThreadedServer(_FrontHandler, host=host, owner=self, ssl_context=ssl_context)
        self._backend = ThreadedServer(_BackendHandler, host=host, owner=self)
        self._uploads = ThreadedServer(_UploadHandler, host=host, owner=self, ssl_context=ssl_context)
        self.shapes = S.Shapes(self.api_url, server_url, self.upload_url)

    # --- lifecycle ---
    @property
    def api_url(self):
        return self._front.base_url + self.api_prefix

    @property
    def upstream_url(self):
        """Where Prism forwards to."""
        return self._backend.base_url

    @property
    def upload_url(self):
        return self._uploads.base_url + self.upload_prefix

    @property
    def ports(self):
        return [self._front.port, self._backend.port, self._uploads.port]

    def set_server_url(self, url):
        self.server_url = url
        self.shapes = S.Shapes(self.api_url, url, self.upload_url)

    def set_contract_proxy(self, prism_url):
        """Send every API request through Prism (None: straight to the app)."""
        self.prism_url = prism_url

    def start(self):
        for s in (self._front, self._backend, self._uploads):
            s.start()
        return self

    def stop(self):
        for s in (self._front, self._backend, self._uploads):
            s.stop()

    # --- state ---
    def repo(self, full_name):
        with self._repos_lock:
            repo = self._repos.get(full_name)
            if repo is None:
                path = os.path.join(self.root, full_name + ".git")
                if os.path.isdir(path):
                    head = ""
                    try:
                        head = open(os.path.join(path, "HEAD")).read().strip()
                    except OSError:
                        pass
                    branch = head[len("ref: refs/heads/"):] if head.startswith("ref: refs/heads/") else "main"
                    repo = Repo(self, full_name, path, S.stable_id(full_name), branch)
                    self._repos[full_name] = repo
            return repo

    def all_repos(self):
        with self._repos_lock:
            names = list(self._repos)
        for d in sorted(os.listdir(self.root)):
            full = os.path.join(self.root, d)
            if os.path.isdir(full) and not d.startswith("."):
                for r in sorted(os.listdir(full)):
                    if r.endswith(".git"):
                        names.append(f"{d}/{r[:-4]}")
        seen, out = set(), []
        for n in names:
            if n not in seen:
                seen.add(n)
                repo = self.repo(n)
                if repo:
                    out.append(repo)
        return out

    def forget_repos(self):
        with self._repos_lock:
            self._repos.clear()
        shutil.rmtree(os.path.join(self.data_dir, "assets"), ignore_errors=True)
        os.makedirs(os.path.join(self.data_dir, "assets"), exist_ok=True)

    def asset_path(self, asset_id):
        return os.path.join(self.data_dir, "assets", str(asset_id))

    def drop_asset(self, repo, asset_id):
        repo.assets.pop(asset_id, None)
        try:
            os.unlink(self.asset_path(asset_id))
        except OSError:
            pass

    def state(self):
        """Everything the fake holds, as plain data (no bytes)."""
        out = {}
        for repo in self.all_repos():
            with repo.lock:
                out[repo.full_name] = {
                    "default_branch": repo.default_branch,
                    "refs": {n: s for n, s, _ in repo.git.refs("refs/")},
                    "settings": dict(repo.settings), "permissions": dict(repo.permissions),
                    "pulls": [dict(p) for p in sorted(repo.pulls.values(), key=lambda p: p["number"])],
                    "issues": [dict(i) for i in sorted(repo.issues.values(), key=lambda i: i["number"])],
                    "releases": [dict(r, assets=[dict(a) for a in sorted(repo.assets.values(), key=lambda a: a["id"])
                                                 if a["release_id"] == r["id"]])
                                 for r in sorted(repo.releases.values(), key=lambda r: r["id"])],
                    "dispatches": [dict(d) for d in repo.dispatches],
                }
        return out

    # --- rate limits and common headers ---
    def reset_rate_limits(self):
        with self._rate_lock:
            self._rate_used = {k: 0 for k in self._rate_used}
            self._rate_reset = int(time.time()) + 3600

    def standard_headers(self, resource="core", consume=True, remaining=None, reset=None):
        with self._rate_lock:
            now = int(time.time())
            if now >= self._rate_reset:
                self._rate_used = {k: 0 for k in self._rate_used}
                self._rate_reset = now + 3600
            if consume:
                self._rate_used[resource] += 1
            used = self._rate_used[resource]
            limit = self.rate_limit[resource]
            if remaining is None and used > limit:
                remaining = 0
            rem = max(limit - used, 0) if remaining is None else remaining
            return {
                "x-ratelimit-limit": str(limit), "x-ratelimit-remaining": str(rem),
                "x-ratelimit-used": str(used), "x-ratelimit-reset": str(reset or self._rate_reset),
                "x-ratelimit-resource": resource, "x-github-api-version-selected": "2022-11-28",
                "x-github-media-type": "github.v3; format=json",
                "x-github-request-id": f"{secrets.token_hex(2).upper()}:{secrets.token_hex(3).upper()}:"
                                       f"{secrets.token_hex(4).upper()}",
            }

    def send_app_response(self, handler, status, obj, headers):
        handler.send_bytes(status, _app_body(obj, headers), headers)

    # --- the front: forwarding, violations, faults ---
    def forward(self, method, target, headers, body):
        """-> (status, headers dict, body bytes), through Prism when set.

        Binary and raw answers (Accept: application/octet-stream or
        application/vnd.github.raw) bypass Prism: it reads bodies as UTF-8 and
        follows the asset download redirect itself.
        """
        accept = headers.get("Accept") or ""
        binary = "application/octet-stream" in accept or "vnd.github.raw" in accept
        if self.prism_url is None or binary:
            url = urllib.parse.urlsplit(target)
            query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
            status, obj, hdrs = self.app.handle(method, url.path, query, headers, body)
            return status, hdrs, _app_body(obj, hdrs)
        send = {k: v for k, v in headers.items() if k.lower() not in HOP_BY_HOP}
        for attempt in range(2):
            conn = getattr(self._local, "conn", None)
            if conn is None:
                p = urllib.parse.urlsplit(self.prism_url)
                conn = http.client.HTTPConnection(p.hostname, p.port, timeout=120)
                self._local.conn = conn
            try:
                conn.request(method, target, body=body if body or method in ("POST", "PATCH", "PUT") else None,
                             headers=send)
                resp = conn.getresponse()
                data = resp.read()
                out = {}
                for k, v in resp.getheaders():
                    lk = k.lower()
                    if lk in HOP_BY_HOP or lk == "sl-violations" or lk.startswith("access-control-"):
                        continue
                    out[k] = v
                return resp.status, out, data
            except (http.client.HTTPException, OSError):
                conn.close()
                self._local.conn = None
                if attempt == 1:
                    raise
        raise AssertionError("unreachable")

    def check_violation(self, status, headers, body, entry):
        ctype = headers.get("content-type") or headers.get("Content-Type") or ""
        if "application/problem+json" not in ctype:
            return None
        try:
            problem = json.loads(body)
        except ValueError:
            return None
        kind = str(problem.get("type", ""))
        if not kind.startswith("https://stoplight.io/prism/errors#"):
            return None
        v = {"seq": entry["seq"], "method": entry["method"], "path": entry["path"], "status": status,
             "type": kind.split("#", 1)[1], "title": problem.get("title"), "detail": problem.get("detail"),
             "validation": problem.get("validation", [])}
        self.violations.append(v)
        return v

    def _fault_body(self, fault, default):
        return S.error(fault.opts.get("message") or default, S.DOCS, errors=fault.opts.get("errors"))

    def pre_fault(self, handler, fault, entry):
        """Apply a fault at the front; True when it produced the whole answer."""
        kind = fault.kind
        if kind == "delay":
            handler.server.sleep(float(fault.opts["seconds"]))
            return False
        if kind == "status":
            status = int(fault.opts["status"])
            messages = {500: "Server Error", 502: "Server Error", 503: "Service Unavailable",
                        504: "We couldn't respond to your request in time. Sorry about that."}
            hdrs = self.standard_headers()
            hdrs.update(fault.opts.get("headers") or {})
            entry["status"] = status
            self.send_app_response(handler, status, self._fault_body(fault, messages.get(status, "Server Error")),
                                   hdrs)
            return True
        if kind == "secondary_rate_limit":
            status = int(fault.opts["status"])
            hdrs = self.standard_headers()
            hdrs["retry-after"] = str(fault.opts["retry_after"])
            entry["status"] = status
            self.send_app_response(handler, status, S.error(
                fault.opts.get("message") or "You have exceeded a secondary rate limit. Please wait a few minutes "
                "before you try again. If you reach out to GitHub Support for help, please include the request "
                "ID " + hdrs["x-github-request-id"] + ".",
                "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"),
                hdrs)
            return True
        if kind == "rate_limit":
            status = int(fault.opts["status"])
            hdrs = self.standard_headers(remaining=0, reset=int(time.time()) + int(fault.opts["reset_in"]))
            entry["status"] = status
            self.send_app_response(handler, status, S.error(
                fault.opts.get("message") or "API rate limit exceeded for installation ID 1000.",
                "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-primary-rate-limits"),
                hdrs)
            return True
        if kind in ("reset", "stall"):
            # Headers promising a body, part of it, then nothing (stall) or a RST (reset).
            payload = json.dumps(S.error("partial response from the release-train test fake")).encode()
            handler.send_response(200)
            handler.send_header("Content-Type", "application/json; charset=utf-8")
            handler.send_header("Content-Length", str(len(payload)))
            for k, v in self.standard_headers().items():
                handler.send_header(k, v)
            handler.end_headers()
            handler.wfile.write(payload[:len(payload) // 2])
            handler.wfile.flush()
            if kind == "stall":
                entry["status"] = "stalled"
                handler.server.sleep(float(fault.opts["seconds"]))
                try:
                    handler.wfile.write(payload[len(payload) // 2:])
                    handler.wfile.flush()
                except OSError:
                    pass
                handler.close_connection = True
                return True
            entry["status"] = "reset"
            handler.reset_connection()
            return True
        return False

    # --- control endpoint ---
    def control(self, handler, path, query):
        try:
            body = handler.read_body()
            data = json.loads(body) if body else {}
            if path == "/_control/faults":
                if handler.command == "GET":
                    return handler.send_json(200, self.faults.list())
                if handler.command == "DELETE":
                    self.faults.clear()
                    return handler.send_json(204, None)
                if handler.command == "POST":
                    kind = data.pop("kind")
                    fault = self.faults.add(kind, **data)
                    return handler.send_json(201, fault.as_dict())
            if path == "/_control/state" and handler.command == "GET":
                return handler.send_json(200, self.state())
            if path == "/_control/requests" and handler.command == "GET":
                since = int(dict(urllib.parse.parse_qsl(query)).get("since", 0))
                entries = self.log.entries(since)
                return handler.send_bytes(200, json.dumps(entries, default=_jsonable).encode(),
                                          content_type="application/json")
            if path == "/_control/violations" and handler.command == "GET":
                return handler.send_json(200, self.violations)
            if path == "/_control/reset" and handler.command == "POST":
                self.faults.clear()
                self.log.clear()
                self.violations.clear()
                return handler.send_json(204, None)
            return handler.send_json(404, {"message": "no such control endpoint"})
        except (ValueError, KeyError, TypeError) as e:
            return handler.send_json(400, {"message": f"bad control request: {e}"})

    # --- paging ---
    def paginate(self, req, items, default=30, maximum=100):
        """(items of the requested page, headers with GitHub's Link)."""
        try:
            per_page = int(req.query.get("per_page") or default)
            page = int(req.query.get("page") or 1)
        except ValueError:
            raise invalid("Validation Failed", "", [{"resource": "Pagination", "code": "invalid",
                                                     "field": "per_page"}])
        per_page = max(1, min(per_page, maximum))
        page = max(1, page)
        total = len(items)
        last = max(1, (total + per_page - 1) // per_page)
        chunk = items[(page - 1) * per_page: page * per_page]
        if total <= per_page and page == 1:
            return chunk, {}
        base_query = {k: v for k, v in req.query.items() if k not in ("page", "per_page")}

        def link(p, rel):
            qs = dict(base_query, per_page=per_page, page=p)
            return f'<{self.api_url}{req.path}?{urllib.parse.urlencode(qs)}>; rel="{rel}"'

        links = []
        if page > 1:
            links.append(link(page - 1, "prev"))
        if page < last:
            links.append(link(page + 1, "next"))
            links.append(link(last, "last"))
        if page > 1:
            links.append(link(1, "first"))
        return chunk, ({"Link": ", ".join(links)} if links else {})

    # --- uploads ---
    def upload(self, handler):
        url = urllib.parse.urlsplit(handler.path)
        path = urllib.parse.unquote(url.path)
        if self.upload_prefix and (path + "/").startswith(self.upload_prefix + "/"):
            path = path[len(self.upload_prefix):]
        query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        started = time.time()
        entry = self.log.add({
            "origin": "upload", "method": handler.command, "path": path, "query": query,
            "headers": redact_headers(handler.headers), "status": None, "fault": None, "time": started,
            "auth": classify_auth(handler.headers.get("Authorization"), self.token)[0],
        })
        try:
            status, obj, hdrs = self._upload(handler, entry, path, query)
        except HttpError as e:
            status, obj, hdrs = e.status, e.body, dict(self.standard_headers(), **e.headers)
            self._drain(handler)
        except (ConnectionError, OSError) as e:
            entry["status"] = entry["status"] or "client-closed"
            entry["error"] = str(e)
            handler.close_connection = True
            return
        finally:
            entry["duration"] = time.time() - started
        if status is None:
            return  # the handler already answered (fault) or reset
        entry["status"] = status
        if isinstance(obj, dict):
            entry["response"] = obj
        self.send_app_response(handler, status, obj, hdrs)

    def _drain(self, handler):
        try:
            for _ in handler.iter_body():
                pass
        except (ConnectionError, ValueError, OSError):
            handler.close_connection = True

    def _upload(self, handler, entry, path, query):
        m = re.match(r"^/([^/]+/[^/]+)/releases/download/([^/]+)/(.+)$", path)
        if m and handler.command in ("GET", "HEAD"):
            return self._download(handler, entry, *m.groups())
        m = re.match(r"^/repos/([^/]+/[^/]+)/releases/(\d+)/assets$", path)
        if not m or handler.command != "POST":
            raise not_found()
        if not handler.headers.get("User-Agent"):
            raise HttpError(403, S.error("Request forbidden by administrative rules. Please make sure your "
                                         "request has a User-Agent header."))
        if entry["auth"] == "none":
            raise HttpError(401, S.error("Requires authentication", _doc(""), 401))
        if entry["auth"] != "token":
            raise HttpError(401, S.error("Bad credentials", _doc(""), 401))
        section = "releases/assets#upload-a-release-asset"
        repo = self.repo(m.group(1))
        if repo is None:
            raise not_found(section)
        if LEVELS[repo.permissions.get("contents", "none")] < LEVELS["write"]:
            raise HttpError(403, S.error("Resource not accessible by integration", _doc(section), 403),
                            {"x-accepted-github-permissions": "contents=write"})
        rel = repo.releases.get(int(m.group(2)))
        if rel is None:
            raise not_found(section)
        raw_name = query.get("name")
        if not raw_name:
            raise validation(section, {"resource": "ReleaseAsset", "code": "missing_field", "field": "name"})
        length = handler.content_length()
        if length is None and not handler.is_chunked():
            raise HttpError(411, S.error("Length Required", _doc(section), 411))
        if length == 0:
            raise validation(section, {"resource": "ReleaseAsset", "code": "custom", "field": "size",
                                       "message": "size must be greater than or equal to 1"})
        if length is not None and length > MAX_ASSET_SIZE:
            raise validation(section, {"resource": "ReleaseAsset", "code": "custom", "field": "size",
                                       "message": f"size must be less than {MAX_ASSET_SIZE}"})
        if rel.get("immutable") and not rel["draft"]:
            raise invalid("Cannot upload assets to an immutable release", section)
        name = github_asset_name(raw_name)
        now = time.time()
        with repo.lock:
            siblings = [a for a in repo.assets.values() if a["release_id"] == rel["id"]]
            if any(a["name"] == name for a in siblings):
                raise validation(section, {"resource": "ReleaseAsset", "code": "already_exists", "field": "name"})
            if len(siblings) >= MAX_ASSETS:
                raise validation(section, {"resource": "ReleaseAsset", "code": "custom", "field": "file_count",
                                           "message": f"file_count must be less than or equal to {MAX_ASSETS}"})
            asset = {"id": self.app.new_id(), "release_id": rel["id"], "name": name, "label": query.get("label"),
                     "state": "starter", "content_type": handler.headers.get("Content-Type")
                     or "application/octet-stream", "size": 0, "digest": None, "created": now,
                     "updated": now, "downloads": 0, "uploaded_name": raw_name}
            repo.assets[asset["id"]] = asset
        entry["asset_id"] = asset["id"]
        fault = self.faults.take("upload", handler.command, path)
        after = fault is not None and fault.opts.get("when") == "after" and fault.kind not in ("starter", "corrupt")
        if fault is not None:
            entry["fault"] = fault.label
        if fault is not None and not after:
            if fault.kind == "delay":
                handler.server.sleep(float(fault.opts["seconds"]))
            elif fault.kind in ("status", "secondary_rate_limit", "rate_limit"):
                self._drain(handler)
                with repo.lock:
                    self.drop_asset(repo, asset["id"])
                status = int(fault.opts["status"])
                hdrs = self.standard_headers()
                if fault.kind == "secondary_rate_limit":
                    hdrs["retry-after"] = str(fault.opts["retry_after"])
                    msg = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
                elif fault.kind == "rate_limit":
                    hdrs = self.standard_headers(remaining=0, reset=int(time.time()) + int(fault.opts["reset_in"]))
                    msg = "API rate limit exceeded for installation ID 1000."
                else:
                    msg = "Server Error"
                return status, S.error(fault.opts.get("message") or msg, S.DOCS), hdrs
        limit_before_fault = None
        if fault is not None and not after and fault.kind in ("reset", "stall", "starter", "corrupt"):
            limit_before_fault = fault.opts.get("after_bytes")
            if limit_before_fault is None:
                limit_before_fault = (length // 2) if length else 64 * 1024
        digest = hashlib.sha256()
        size = 0
        tmp = self.asset_path(asset["id"]) + ".part"
        fault_done = False
        with open(tmp, "wb") as f:
            try:
                for piece in handler.iter_body():
                    if limit_before_fault is not None and not fault_done and size + len(piece) >= limit_before_fault:
                        cut = limit_before_fault - size
                        head, piece = piece[:cut], piece[cut:]
                        f.write(head)
                        digest.update(head)
                        size += len(head)
                        fault_done = True
                        if fault.kind == "corrupt":
                            if piece:
                                piece = bytes([piece[0] ^ 0x01]) + piece[1:]
                            else:
                                fault_done = False  # the byte to flip starts the next piece
                        if fault.kind == "reset":
                            entry["status"] = "reset"
                            handler.reset_connection()
                            return None, None, None
                        if fault.kind == "starter":
                            asset["size"] = 0
                            if fault.opts.get("then") == "reset":
                                entry["status"] = "reset"
                                handler.reset_connection()
                                return None, None, None
                            # Answer without reading the rest; the connection cannot be reused.
                            handler.close_connection = True
                            status = int(fault.opts["status"])
                            return status, S.error(fault.opts.get("message") or "Server Error", S.DOCS), \
                                self.standard_headers()
                        if fault.kind == "stall":
                            if not handler.server.sleep(float(fault.opts["seconds"])):
                                return None, None, None
                    if piece:
                        f.write(piece)
                        digest.update(piece)
                        size += len(piece)
            except (ConnectionError, OSError):
                # The client went away: GitHub keeps the half-made asset as `starter`.
                raise
        if length is not None and size != length:
            raise ConnectionError("short upload body")
        os.replace(tmp, self.asset_path(asset["id"]))
        with repo.lock:
            asset.update({"state": "uploaded", "size": size, "digest": "sha256:" + digest.hexdigest(),
                          "updated": time.time()})
        entry["body_size"] = size
        entry["body_sha256"] = digest.hexdigest()
        if after:
            # The asset is there; the answer is lost (when="after").
            if fault.kind == "delay":
                handler.server.sleep(float(fault.opts["seconds"]))
            elif fault.kind in ("reset", "stall"):
                entry["status"] = fault.kind if fault.kind == "reset" else "stalled"
                if fault.kind == "stall":
                    handler.server.sleep(float(fault.opts["seconds"]))
                handler.reset_connection()
                return None, None, None
            else:
                hdrs = self.standard_headers()
                if fault.kind == "secondary_rate_limit":
                    hdrs["retry-after"] = str(fault.opts["retry_after"])
                return int(fault.opts["status"]), S.error(fault.opts.get("message") or "Server Error", S.DOCS), hdrs
        return 201, self.shapes.asset(repo, rel, asset), self.standard_headers()

    def _download(self, handler, entry, full_name, tag, name):
        repo = self.repo(full_name)
        tag, name = urllib.parse.unquote(tag), urllib.parse.unquote(name)
        if repo is None:
            raise not_found()
        for rel in repo.releases.values():
            if (rel["tag_name"] if not rel["draft"] else rel["untagged"]) != tag:
                continue
            for asset in repo.assets.values():
                if asset["release_id"] == rel["id"] and asset["name"] == name and asset["state"] == "uploaded":
                    with open(self.asset_path(asset["id"]), "rb") as f:
                        data = f.read()
                    asset["downloads"] = asset.get("downloads", 0) + 1
                    return 200, data, {"Content-Type": "application/octet-stream"}
        raise not_found()


def _jsonable(o):
    if isinstance(o, bytes):
        return {"bytes": len(o)}
    return str(o)
