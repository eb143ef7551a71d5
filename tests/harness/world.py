"""world: one realistic local GitHub for end-to-end tests, and the driver API.

A World is a git server (real `git http-backend`), the stateful fake REST
API with its upload origin, and Prism checking every API exchange
against GitHub's OpenAPI description, all on free loopback ports, all
stopped by id when the World closes (even when a test fails). Tests build
repositories and workspaces with real git, run the release-train binary
exactly as the Actions runner would, and then read what happened: the
request log, the fake's state, the bare repositories.

    with World() as w:
        w.create_repo("octo/demo", files={"Cargo.toml": CARGO}, message="initial")
        ws = w.clone("octo/demo")
        w.commit(ws, files={"VERSION": "1.0.0\\n"}, message="Release 1.0.0\\n\\n" + MARKER)
        w.push(ws, "main")
        r = w.run("tag", inputs={"dry-run": "false"}, cwd=ws)
        assert r.exit_code == 0 and r.outputs["tag"] == "v1.0.0"
        assert w.ref("octo/demo", "refs/tags/v1.0.0") == w.head(ws)

See tests/README.md for the whole API.
"""
import atexit
import contextlib
import fnmatch
import json
import os
import re
import secrets
import shutil
import signal
import string
import subprocess
import tempfile
import threading
import time
import unittest

from . import prism as prism_mod
from .faults import FaultSet
from .fake import FakeGitHub
from .gitrepo import GitRepo
from .gitserver import GitServer
from .util import (REPO_ROOT, ZERO_SHA, RequestLog, git_env, iso8601, pid_alive, port_open,
                   run_git)

DEFAULT_MARKER = "[automatically-tag-and-release-this-commit]"


class ContractViolation(AssertionError):
    """Prism found a request or a fake answer that breaks GitHub's description."""


class SecretLeak(AssertionError):
    """The token showed up where it must never be."""


class FakeBug(AssertionError):
    """The fake itself crashed on a request (a harness bug)."""


def binary_path():
    """The binary under test: env BIN (relative to the repository root), default build/release-train."""
    b = os.environ.get("BIN") or "build/release-train"
    return b if os.path.isabs(b) else os.path.join(REPO_ROOT, b)


def make_token():
    """A token shaped like an installation token (ghs_ + 36 alphanumerics)."""
    alphabet = string.ascii_letters + string.digits
    return "ghs_" + "".join(secrets.choice(alphabet) for _ in range(36))


# ---------------------------------------------------------------------------
# runner protocol parsing

def parse_output_file(text):
    """$GITHUB_OUTPUT as the runner reads it: name=value and name<<DELIM heredocs.

    Strict: a missing delimiter, an empty name or a CR (the SPEC says LF
    only) fails the test, as a malformed file would fail the real step.
    """
    if "\r" in text:
        raise AssertionError("GITHUB_OUTPUT contains a CR; outputs must use LF line ends only")
    out = {}
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if line == "":
            continue
        eq, hd = line.find("="), line.find("<<")
        if hd != -1 and (eq == -1 or hd < eq):
            name, delim = line[:hd], line[hd + 2:]
            if not name or not delim:
                raise AssertionError(f"GITHUB_OUTPUT: malformed heredoc line {line!r}")
            value = []
            while True:
                if i >= len(lines):
                    raise AssertionError(f"GITHUB_OUTPUT: delimiter {delim!r} for {name!r} not found")
                if lines[i] == delim:
                    i += 1
                    break
                value.append(lines[i])
                i += 1
            out[name] = "\n".join(value)
        elif eq > 0:
            out[line[:eq]] = line[eq + 1:]
        else:
            raise AssertionError(f"GITHUB_OUTPUT: malformed line {line!r}")
    return out


def _unescape(s, prop=False):
    s = s.replace("%0D", "\r").replace("%0A", "\n")
    if prop:
        s = s.replace("%3A", ":").replace("%2C", ",")
    return s.replace("%25", "%")


_COMMAND_RE = re.compile(r"^::([A-Za-z-]+)(?: ([^:]*))?::(.*)$")


def parse_annotations(stdout):
    """Workflow commands in stdout -> [{"command", "properties", "message"}]."""
    found = []
    for line in stdout.splitlines():
        m = _COMMAND_RE.match(line)
        if not m:
            continue
        props = {}
        for part in filter(None, (m.group(2) or "").split(",")):
            k, _, v = part.partition("=")
            props[k.strip()] = _unescape(v, prop=True)
        found.append({"command": m.group(1), "properties": props, "message": _unescape(m.group(3))})
    return found


def _parse_action_inputs(path):
    """{input: default or None} from action.yml (a small reader for this one shape)."""
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    inputs, current, in_inputs = {}, None, False
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        indent = len(line) - len(line.lstrip(" "))
        if indent == 0:
            in_inputs = line.startswith("inputs:")
            current = None
            continue
        if not in_inputs:
            continue
        m = re.match(r"^ {2}([A-Za-z0-9_-]+):\s*$", line)
        if m:
            current = m.group(1)
            inputs[current] = None
            continue
        m = re.match(r"^ {4}default:\s*(.*)$", line)
        if m and current:
            value = m.group(1).strip()
            if value in ("|", ">", "|-", ">-"):
                block = []
                while i < len(lines) and (not lines[i].strip() or lines[i].startswith(" " * 6)):
                    block.append(lines[i][6:])
                    i += 1
                value = "\n".join(block).rstrip("\n") + ("\n" if value.startswith("|") and "-" not in value else "")
            elif len(value) >= 2 and value[0] == value[-1] == '"':
                escapes = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "/": "/", "0": "\0"}
                value = re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(0)), value[1:-1])
            elif len(value) >= 2 and value[0] == value[-1] == "'":
                value = value[1:-1].replace("''", "'")
            inputs[current] = value
    return inputs


# ---------------------------------------------------------------------------

class RunResult:
    """What one run of the binary did."""

    def __init__(self, **kw):
        self.exit_code = kw["exit_code"]
        self.stdout = kw["stdout"]
        self.stderr = kw["stderr"]
        self.output_raw = kw["output_raw"]
        self.outputs = kw["outputs"]
        self.summary = kw["summary"]
        self.annotations = parse_annotations(self.stdout)
        self.requests = kw["requests"]
        self.violations = kw["violations"]
        self.duration = kw["duration"]
        self.workspace = kw["workspace"]
        self.argv = kw["argv"]
        self.env = kw["env"]
        self.event = kw["event"]

    @property
    def errors(self):
        """Messages of ::error:: annotations."""
        return [a["message"] for a in self.annotations if a["command"] == "error"]

    @property
    def warnings(self):
        return [a["message"] for a in self.annotations if a["command"] == "warning"]

    @property
    def api_requests(self):
        return [r for r in self.requests if r["origin"] in ("api", "upload")]

    @property
    def mutating(self):
        """API and upload requests that could change something (not GET/HEAD)."""
        return [r for r in self.api_requests if r["method"] not in ("GET", "HEAD")]

    def calls(self, method="*", path="*", origin=None):
        """Requests made during the run matching a method and a path glob."""
        return [r for r in self.requests
                if (origin is None or r["origin"] == origin)
                and (method == "*" or r["method"] == method.upper())
                and fnmatch.fnmatchcase(r["path"], path)]

    def describe(self):
        return (f"exit {self.exit_code} after {self.duration:.2f}s: {' '.join(self.argv)}\n"
                f"--- stdout ---\n{self.stdout}\n--- stderr ---\n{self.stderr}\n"
                f"--- outputs ---\n{json.dumps(self.outputs, indent=1)}\n"
                f"--- requests ---\n" + "\n".join(
                    f"{r['origin']:6} {r['method']:6} {r['path']} -> {r['status']}"
                    + (f" [{r['fault']}]" if r.get("fault") else "") for r in self.requests))

    def __repr__(self):
        return f"<RunResult exit={self.exit_code} outputs={self.outputs!r}>"


class RepoInfo:
    """A repository on the git server."""

    def __init__(self, world, full_name, path, url):
        self.world = world
        self.full_name = full_name
        self.owner, self.name = full_name.split("/", 1)
        self.path = path    # the bare repository
        self.url = url      # clone URL (GITHUB_SERVER_URL/owner/name)
        self.head = None    # sha of the first commit / last plumbing commit

    def __str__(self):
        return self.full_name

    def __repr__(self):
        return f"<RepoInfo {self.full_name} head={self.head}>"


class World:
    """A local GitHub: git server + fake API + upload origin + Prism.

    prism:   check every API exchange with Prism (default on; env
             RT_E2E_PRISM=0 turns it off for quick local debugging)
    token:   the credential (default: a fresh ghs_... token)
    keep:    keep the temporary directory (env RT_E2E_KEEP=1 does too)
    ssl_context/ca_file: serve git, API and uploads over HTTPS (URLs name
             localhost) and give the binary ca_file as SSL_CERT_FILE
    ghes:    GitHub Enterprise Server URLs: GITHUB_API_URL ends in /api/v3,
             upload_url in /api/uploads/...
    """

    _shared = None

    def __init__(self, *, prism=None, token=None, keep=None, ssl_context=None, ca_file=None, rate_limit=1000,
                 ghes=False):
        if prism is None:
            prism = os.environ.get("RT_E2E_PRISM", "1") != "0"
        self.use_prism = prism
        self.token = token or make_token()
        self.keep = keep if keep is not None else os.environ.get("RT_E2E_KEEP") == "1"
        self.ssl_context = ssl_context
        self.ca_file = ca_file
        self.rate_limit = rate_limit
        self.ghes = ghes
        self.tmp = None
        self.git_server = None
        self.fake = None
        self.prism = None
        self.faults_set = FaultSet()
        self.log = RequestLog()
        self.started = False
        self.start_seconds = None
        self._lock = threading.Lock()
        self._counter = 0
        self._pushes = {}       # full_name -> (ref, before, after, forced)
        self._ws_repo = {}      # workspace path -> full_name
        self._last_ws = None
        self._last_repo = None
        self._violation_mark = 0
        self._error_mark = 0
        self._expect_violations = 0

    # --- lifecycle ---
    def start(self):
        if self.started:
            return self
        t0 = time.monotonic()
        self.tmp = tempfile.mkdtemp(prefix="rt-e2e-")
        for d in ("repos", "ws", "runs", "logs", "home"):
            os.makedirs(os.path.join(self.tmp, d))
        try:
            self.fake = FakeGitHub(os.path.join(self.tmp, "repos"), self.token,
                                   data_dir=os.path.join(self.tmp, "fake"), faults=self.faults_set,
                                   log=self.log, rate_limit=self.rate_limit, ssl_context=self.ssl_context,
                                   api_prefix="/api/v3" if self.ghes else "",
                                   upload_prefix="/api/uploads" if self.ghes else "")
            if self.use_prism:
                self.prism = prism_mod.Prism(self.fake.upstream_url, log_path=os.path.join(self.tmp, "logs",
                                                                                           "prism.log"))
                self.prism.launch()
            self.git_server = GitServer(os.path.join(self.tmp, "repos"), self.token, faults=self.faults_set,
                                        log=self.log, ssl_context=self.ssl_context).start()
            self.fake.set_server_url(self.git_server.url)
            self.fake.start()
            if self.prism is not None:
                try:
                    self.prism.wait_ready()
                except prism_mod.PrismUnavailable:
                    self.prism.start()  # one more go on another port
                self.fake.set_contract_proxy(self.prism.url)
        except BaseException:
            self.close()
            raise
        self.started = True
        self.start_seconds = time.monotonic() - t0
        return self

    def close(self):
        """Stop everything by id; remove the temporary directory (unless keep)."""
        for part in (self.prism, self.fake, self.git_server):
            if part is not None:
                try:
                    part.stop()
                except Exception:  # noqa: BLE001 - go on stopping the rest
                    pass
        self.started = False
        if self.tmp and not self.keep:
            shutil.rmtree(self.tmp, ignore_errors=True)
        elif self.tmp:
            print(f"world kept in {self.tmp}")

    stop = close

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()

    @classmethod
    def shared(cls):
        """One World per process (a test module runs in its own process), closed at exit."""
        if cls._shared is None or not cls._shared.started:
            cls._shared = cls().start()
            atexit.register(cls._shared.close)
            _stop_on_sigterm()
        return cls._shared

    @property
    def ports(self):
        """Every port this world listens on."""
        ports = list(self.fake.ports) + [self.git_server.port]
        if self.prism is not None:
            ports.append(self.prism.port)
        return ports

    @property
    def pids(self):
        return [self.prism.pid] if self.prism is not None and self.prism.pid else []

    def all_stopped(self):
        """True when nothing of this world listens or runs any more."""
        return not any(port_open(p) for p in self.ports) and not any(pid_alive(p) for p in self.pids)

    # --- URLs the binary gets ---
    @property
    def api_url(self):
        """GITHUB_API_URL: the front of the fake (faults, log) -> Prism -> fake."""
        return self.fake.api_url

    @property
    def server_url(self):
        """GITHUB_SERVER_URL: f"{server_url}/owner/name" clones."""
        return self.git_server.url

    @property
    def upload_url(self):
        return self.fake.upload_url

    # --- between tests ---
    def reset(self):
        """Forget everything: repositories, state, faults, the log, violations."""
        self.faults_set.clear()
        self.log.clear()
        self.fake.violations.clear()
        self.fake.errors.clear()
        self._violation_mark = 0
        self._error_mark = 0
        self._pushes.clear()
        self._ws_repo.clear()
        self._last_ws = self._last_repo = None
        self.fake.forget_repos()
        self.fake.rate_limit.update(core=self.rate_limit, search=30)
        self.fake.reset_rate_limits()
        for d in ("repos", "ws", "runs"):
            path = os.path.join(self.tmp, d)
            shutil.rmtree(path, ignore_errors=True)
            os.makedirs(path)

    def _next(self):
        with self._lock:
            self._counter += 1
            return self._counter

    # --- repositories and workspaces ---
    def git_env(self, **extra):
        """The environment of the harness's own git commands (over HTTPS: trusting ca_file)."""
        if self.ca_file:
            extra = {"http.sslCAInfo": self.ca_file, **extra}
        return git_env(home=os.path.join(self.tmp, "home"), token=self.token, extra=extra or None)

    def git(self, cwd, *args, input=None, check=True):
        """Run git in a workspace (or `--git-dir` when cwd is a bare repo path); stdout as text."""
        kw = {"git_dir": cwd} if cwd.endswith(".git") and os.path.isfile(os.path.join(cwd, "HEAD")) \
            else {"cwd": cwd}
        return run_git(list(args), env=self.git_env(), input=input, check=check, **kw) \
            .decode("utf-8", "replace").strip()

    def repo_path(self, full_name):
        return self.git_server.repo_path(str(full_name))

    def bare(self, full_name):
        """A GitRepo (plumbing helper) on the served bare repository."""
        return GitRepo(self.repo_path(str(full_name)))

    def create_repo(self, full_name=None, files=None, message="initial", branch="main", empty=False,
                    immutable_releases=False):
        """A bare repository served by the git server, with one commit of `files` on `branch`.

        files: {path: str | bytes | (content, mode)}; mode "100755" for executables.
        Returns a RepoInfo (full_name, path, url, head).
        """
        if full_name is None:
            full_name = f"octo/demo-{self._next()}"
        full_name = str(full_name)
        path = self.git_server.create_bare(full_name, default_branch=branch)
        info = RepoInfo(self, full_name, path, self.git_server.repo_url(full_name))
        if not empty:
            info.head = self.commit_to(full_name, files or {"README.md": f"# {full_name}\n"}, message, branch)
        repo = self.fake.repo(full_name)
        repo.settings["immutable_releases"] = immutable_releases
        self._last_repo = full_name
        return info

    def commit_to(self, full_name, files=None, message="change", branch="main", parents=None, author=None,
                  date=None):
        """A commit made straight in the bare repository (as if someone else pushed). Returns its sha.

        files: {path: content | None (delete)}; applied on top of the branch head (a new
        branch starts at the default branch's head; parents=[] makes a root commit).
        """
        g = self.bare(full_name)
        head = g.resolve(f"refs/heads/{branch}")
        if head is None:
            repo = self.fake.repo(str(full_name))
            head = g.resolve(f"refs/heads/{repo.default_branch}") if repo else None
        if parents is None:
            parents = [head] if head else []
        base_tree = g.resolve(parents[0], peel="tree") if parents else None
        entries = []
        for path, content in (files or {}).items():
            if content is None:
                entries.append((path, "100644", "blob", None))
                continue
            mode = "100644"
            if isinstance(content, tuple):
                content, mode = content
            data = content.encode() if isinstance(content, str) else content
            entries.append((path, mode, "blob", g.hash_object(data)))
        tree = g.build_tree(base_tree, entries)
        name, email = author or ("Harness Tester", "tester@example.com")
        when = f"{int(date or time.time())} +0000"
        sha = g.commit_tree(tree, parents, message, {"name": name, "email": email, "date": when},
                            {"name": name, "email": email, "date": when})
        g.update_ref(f"refs/heads/{branch}", sha)
        return sha

    def make_history(self, full_name, messages, branch="main", file="history.txt"):
        """Append one commit per message to `branch` quickly (git fast-import). Returns the new head."""
        g = self.bare(full_name)
        head = g.resolve(f"refs/heads/{branch}")
        now = int(time.time())
        parts = []
        for i, msg in enumerate(messages):
            data = msg.encode()
            content = f"{i}\n".encode()
            parts.append(b"commit refs/heads/%s\nmark :%d\ncommitter Harness Tester <tester@example.com> %d +0000\n"
                         b"data %d\n%s\n" % (branch.encode(), i + 1, now, len(data), data))
            if i == 0 and head:
                parts.append(b"from %s\n" % head.encode())
            parts.append(b"M 100644 inline %s\ndata %d\n%s\n" % (file.encode(), len(content), content))
        run_git(["fast-import", "--quiet", "--force"], git_dir=g.path, env=self.git_env(),
                input=b"".join(parts), timeout=600)
        return g.resolve(f"refs/heads/{branch}")

    def clone(self, full_name=None, depth=None, branch=None, path=None):
        """A workspace: `git clone` over HTTP from the git server (the token is never stored in it).

        depth: shallow clone of that many commits (as actions/checkout's fetch-depth: 1 default).
        Returns the workspace path.
        """
        full_name = str(full_name or self._last_repo)
        ws = path or os.path.join(self.tmp, "ws", f"{full_name.replace('/', '-')}-{self._next()}")
        args = ["clone", "--quiet"]
        if depth:
            args += ["--depth", str(depth)]
        if branch:
            args += ["--branch", branch]
        run_git(args + [self.git_server.repo_url(full_name), ws], env=self.git_env())
        self._ws_repo[os.path.realpath(ws)] = full_name
        self._last_ws = ws
        return ws

    def repo_of(self, ws):
        return self._ws_repo.get(os.path.realpath(ws))

    def commit(self, ws, files=None, message="change", allow_empty=True, author=None, date=None):
        """Write files (None deletes), commit everything in the workspace; returns the sha."""
        for path, content in (files or {}).items():
            full = os.path.join(ws, path)
            if content is None:
                if os.path.lexists(full):
                    os.unlink(full)
                continue
            mode = None
            if isinstance(content, tuple):
                content, mode = content
            os.makedirs(os.path.dirname(full) or ws, exist_ok=True)
            with open(full, "wb") as f:
                f.write(content.encode() if isinstance(content, str) else content)
            if mode == "100755":
                os.chmod(full, 0o755)
        env = self.git_env()
        if author:
            env["GIT_AUTHOR_NAME"], env["GIT_AUTHOR_EMAIL"] = author
        if date:
            env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = f"{int(date)} +0000"
        run_git(["add", "-A"], cwd=ws, env=env)
        args = ["commit", "--quiet", "--no-verify", "--cleanup=verbatim", "-F", "-"]
        if allow_empty:
            args.append("--allow-empty")
        run_git(args, cwd=ws, env=env, input=message)
        return self.head(ws)

    def head(self, ws):
        return self.git(ws, "rev-parse", "HEAD")

    def push(self, ws, branch=None, force=False, tags=False, ref=None):
        """Push the workspace's HEAD to `branch` (default: its current branch). Returns the new sha.

        The push is remembered for push_event(); ref pushes another ref (e.g. "refs/tags/v1").
        """
        full_name = self.repo_of(ws)
        if branch is None and ref is None:
            branch = self.git(ws, "rev-parse", "--abbrev-ref", "HEAD")
        target = ref or f"refs/heads/{branch}"
        g = self.bare(full_name)
        before = g.resolve(target, peel=None) or ZERO_SHA
        src = "HEAD" if ref is None else ref
        args = ["push", "--quiet"]
        if force:
            args.append("--force")
        if tags:
            args.append("--tags")
        run_git(args + ["origin", f"{src}:{target}"], cwd=ws, env=self.git_env())
        after = g.resolve(target, peel=None) or ZERO_SHA
        forced = before != ZERO_SHA and after != ZERO_SHA and not g.is_ancestor(before, after)
        self._pushes[full_name] = (target, before, after, forced)
        return after

    # --- events ---
    def _repository_payload(self, full_name):
        owner, name = full_name.split("/", 1)
        repo = self.fake.repo(full_name)
        return {
            "id": repo.id, "node_id": f"R_{repo.id}", "name": name, "full_name": full_name, "private": False,
            "owner": {"name": owner, "login": owner, "id": 1000, "type": "Organization"},
            "html_url": f"{self.server_url}/{full_name}", "url": f"{self.server_url}/{full_name}",
            "clone_url": f"{self.server_url}/{full_name}.git", "git_url": f"{self.server_url}/{full_name}.git",
            "default_branch": repo.default_branch, "master_branch": repo.default_branch,
        }

    def push_event(self, full_name=None, ref=None, before=None, after=None, forced=None):
        """A push event payload as GitHub sends it (commits oldest first, up to 2048).

        Without ref/before/after: the last push() to the repository.
        """
        full_name = str(full_name or self._last_repo)
        last = self._pushes.get(full_name)
        if ref is None and before is None and after is None:
            if last is None:
                g = self.bare(full_name)
                repo = self.fake.repo(full_name)
                head = g.resolve(f"refs/heads/{repo.default_branch}")
                parent = g.resolve(head + "^") if head else None
                last = (f"refs/heads/{repo.default_branch}", parent or ZERO_SHA, head, False)
            ref, before, after, forced = last
        ref = ref or f"refs/heads/{self.fake.repo(full_name).default_branch}"
        before = before or ZERO_SHA
        after = after or ZERO_SHA
        g = self.bare(full_name)
        commits = []
        if after != ZERO_SHA:
            rng = [after] + ([f"^{before}"] if before != ZERO_SHA and g.object_type(before) else [])
            if before == ZERO_SHA:
                # A new branch: what is new on it (not on other branches).
                others = [f"^{s}" for n, s, _ in g.refs("refs/heads/") if n != ref]
                rng = [after] + others
            for c in g.log(rng)[-2048:]:
                commits.append({
                    "id": c["sha"], "tree_id": c["tree"], "distinct": True, "message": c["message"].rstrip("\n"),
                    "timestamp": iso8601(c["committer"]["time"]),
                    "url": f"{self.server_url}/{full_name}/commit/{c['sha']}",
                    "author": {"name": c["author"]["name"], "email": c["author"]["email"]},
                    "committer": {"name": c["committer"]["name"], "email": c["committer"]["email"]},
                    "added": [], "removed": [], "modified": [],
                })
        if forced is None:
            forced = before != ZERO_SHA and after != ZERO_SHA and not g.is_ancestor(before, after)
        return {
            "ref": ref, "before": before, "after": after,
            "created": before == ZERO_SHA, "deleted": after == ZERO_SHA, "forced": bool(forced),
            "base_ref": None, "compare": f"{self.server_url}/{full_name}/compare/{before[:12]}...{after[:12]}",
            "commits": commits, "head_commit": commits[-1] if commits else None,
            "repository": self._repository_payload(full_name),
            "pusher": {"name": "octocat", "email": "octocat@example.com"},
            "sender": {"login": "octocat", "id": 583231, "type": "User"},
        }

    def dispatch_event(self, full_name=None, ref=None, inputs=None):
        full_name = str(full_name or self._last_repo)
        repo = self.fake.repo(full_name)
        return {"inputs": inputs or {}, "ref": ref or f"refs/heads/{repo.default_branch}",
                "repository": self._repository_payload(full_name),
                "sender": {"login": "octocat", "id": 583231, "type": "User"}, "workflow": ".github/workflows/x.yml"}

    def schedule_event(self, full_name=None, cron="0 6 * * 1"):
        full_name = str(full_name or self._last_repo)
        return {"schedule": cron, "repository": self._repository_payload(full_name)}

    # --- running the binary ---
    def action_defaults(self):
        """Every input of action.yml with the default the runner would pass."""
        inputs = _parse_action_inputs(os.path.join(REPO_ROOT, "action.yml"))
        if inputs is None:
            return {"token": self.token}
        out = {}
        for name, default in inputs.items():
            if default is None:
                out[name] = ""
            elif "${{" in default:
                out[name] = self.token if "github.token" in default else ""
            else:
                out[name] = default
        return out

    def run(self, mode=None, inputs=None, *, event=None, event_name=None, env=None, cwd=None, repo=None,
            ref=None, sha=None, args=None, timeout=60, actions=True, check_secrets=True,
            expect_violations=False, runner_defaults=True, binary=None, stdin=None):
        """Run the binary as the Actions runner would (actions=True) or as a terminal command.

        inputs: {name: value}; bools become "true"/"false", lists are joined with newlines.
        In Actions: INPUT_<NAME> (upper-cased, hyphens kept) for every action.yml input
        (defaults as the runner passes them, token = the world's token), INPUT_MODE=mode,
        the GITHUB_* context, fresh GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files and the
        event file. On a terminal: `release-train MODE --name value ...` with only the
        URLs, repository and HOME set.
        env: extra variables (None removes one). Fails the test on a timeout, a leaked
        token (check_secrets) or a contract violation (unless expect_violations).
        """
        binary = binary or binary_path()
        if not os.path.exists(binary):
            if os.environ.get("RT_E2E_REQUIRE_BIN") == "1":
                raise AssertionError(f"{binary} does not exist: run make")
            raise unittest.SkipTest(f"{binary} is not built (make)")
        ws = cwd or self._last_ws
        if ws is None:
            raise ValueError("run(): no workspace: pass cwd= (a path from clone())")
        full_name = str(repo or self.repo_of(ws) or self._last_repo)
        run_dir = os.path.join(self.tmp, "runs", f"{self._next()}")
        home = os.path.join(run_dir, "home")
        temp = os.path.join(run_dir, "tmp")
        os.makedirs(home)
        os.makedirs(temp)
        output_file = os.path.join(run_dir, "output")
        summary_file = os.path.join(run_dir, "summary")
        event_file = os.path.join(run_dir, "event.json")
        for p in (output_file, summary_file, os.path.join(run_dir, "env"), os.path.join(run_dir, "path"),
                  os.path.join(run_dir, "state")):
            open(p, "w").close()

        if event_name is None:
            event_name = "push" if event is None or "after" in event else \
                "workflow_dispatch" if "inputs" in event else "schedule" if "schedule" in event else "push"
        if event is None:
            event = {"push": lambda: self.push_event(full_name),
                     "workflow_dispatch": lambda: self.dispatch_event(full_name),
                     "schedule": lambda: self.schedule_event(full_name)}.get(event_name, lambda: {})()
        with open(event_file, "w") as f:
            json.dump(event, f, indent=2)
        default_branch = self.fake.repo(full_name).default_branch if self.fake.repo(full_name) else "main"
        if ref is None:
            ref = event.get("ref") if event_name in ("push", "workflow_dispatch") and event.get("ref") \
                else f"refs/heads/{default_branch}"
        if sha is None:
            if event_name == "push" and event.get("after") and event["after"] != ZERO_SHA:
                sha = event["after"]
            else:
                sha = self.bare(full_name).resolve(ref) or ""
        ref_name = ref.split("/", 2)[2] if ref.count("/") >= 2 else ref

        base_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "HOME": home,
                    "TMPDIR": temp}
        context = {
            "GITHUB_API_URL": self.api_url, "GITHUB_SERVER_URL": self.server_url,
            "GITHUB_GRAPHQL_URL": self.api_url + "/graphql", "GITHUB_REPOSITORY": full_name,
        }
        in_actions = {
            "GITHUB_ACTIONS": "true", "CI": "true", "GITHUB_REPOSITORY_OWNER": full_name.split("/")[0],
            "GITHUB_EVENT_NAME": event_name, "GITHUB_EVENT_PATH": event_file, "GITHUB_REF": ref,
            "GITHUB_REF_NAME": ref_name, "GITHUB_REF_TYPE": "tag" if ref.startswith("refs/tags/") else "branch",
            "GITHUB_SHA": sha, "GITHUB_WORKSPACE": ws, "GITHUB_OUTPUT": output_file,
            "GITHUB_STEP_SUMMARY": summary_file, "GITHUB_ENV": os.path.join(run_dir, "env"),
            "GITHUB_PATH": os.path.join(run_dir, "path"), "GITHUB_STATE": os.path.join(run_dir, "state"),
            "GITHUB_WORKFLOW": "release", "GITHUB_JOB": "release", "GITHUB_RUN_ID": str(1000 + self._counter),
            "GITHUB_RUN_NUMBER": "1", "GITHUB_RUN_ATTEMPT": "1", "GITHUB_ACTOR": "octocat",
            "GITHUB_TRIGGERING_ACTOR": "octocat", "GITHUB_ACTION": "__release-train",
            "GITHUB_BASE_REF": "", "GITHUB_HEAD_REF": "", "RUNNER_OS": "Linux", "RUNNER_ARCH": "X64",
            "RUNNER_NAME": "harness", "RUNNER_TEMP": temp, "RUNNER_TOOL_CACHE": temp,
        }
        run_env = dict(base_env)
        run_env.update(context)
        run_env["RELEASE_TRAIN_BACKOFF_MS"] = "50"
        if self.ca_file:
            run_env["SSL_CERT_FILE"] = self.ca_file
        argv = [binary]
        values = {}
        if actions:
            run_env.update(in_actions)
            if runner_defaults:
                values.update(self.action_defaults())
            values.setdefault("token", self.token)
            if mode is not None:
                values["mode"] = mode
            values.update(inputs or {})
            for name, value in values.items():
                run_env["INPUT_" + name.replace(" ", "_").upper()] = _input_str(value)
            argv += list(args or [])
        else:
            if mode is not None:
                argv.append(mode)
            for name, value in (inputs or {}).items():
                argv += [f"--{name}", _input_str(value)]
            argv += list(args or [])
        for k, v in (env or {}).items():
            if v is None:
                run_env.pop(k, None)
            else:
                run_env[k] = v

        mark = self.log.mark()
        vmark = len(self.fake.violations)
        emark = len(self.fake.errors)
        t0 = time.monotonic()
        proc = subprocess.Popen(argv, cwd=ws, env=run_env, stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        try:
            out, err = proc.communicate(input=stdin.encode() if isinstance(stdin, str) else stdin, timeout=timeout)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            out, err = proc.communicate()
            raise AssertionError(self._redact(
                f"{' '.join(argv)} did not finish within {timeout} s\n--- stdout ---\n"
                f"{out.decode('utf-8', 'replace')[-4000:]}\n--- stderr ---\n{err.decode('utf-8', 'replace')[-4000:]}"))
        duration = time.monotonic() - t0
        output_raw = open(output_file, encoding="utf-8", errors="replace").read()
        summary = open(summary_file, encoding="utf-8", errors="replace").read()
        result = RunResult(
            exit_code=proc.returncode, stdout=out.decode("utf-8", "replace"), stderr=err.decode("utf-8", "replace"),
            output_raw=output_raw, outputs=parse_output_file(output_raw) if actions else {}, summary=summary,
            requests=self.log.entries(mark), violations=self.fake.violations[vmark:], duration=duration,
            workspace=ws, argv=[a if a != self.token else "***" for a in argv],
            env={k: ("***" if v == self.token else v) for k, v in run_env.items()}, event=event)
        if check_secrets:
            self.check_secrets(result, extra_dirs=[home])
        if self.fake.errors[emark:]:
            raise FakeBug("the fake crashed:\n" + "\n".join(self.fake.errors[emark:]))
        if result.violations and not expect_violations and not self._expect_violations:
            raise ContractViolation(self.describe_violations(result.violations) + "\n"
                                    + self._redact(result.describe()))
        return result

    def _redact(self, text):
        return text.replace(self.token, "***")

    def check_secrets(self, result=None, ws=None, extra_dirs=()):
        """Fail (without printing it) if the token appears in the run's output, outputs, summary,
        or any file under the workspace's .git (or extra_dirs). `::add-mask::TOKEN` is allowed."""
        token = self.token
        places = []
        if result is not None:
            stdout = "\n".join(line for line in result.stdout.split("\n") if line != f"::add-mask::{token}")
            for name, text in (("stdout", stdout), ("stderr", result.stderr), ("GITHUB_OUTPUT", result.output_raw),
                               ("step summary", result.summary)):
                if token in text:
                    places.append(name)
            ws = ws or result.workspace
        dirs = []
        if ws:
            dirs.append(os.path.join(ws, ".git"))
        dirs += list(extra_dirs)
        needle = token.encode()
        for d in dirs:
            for root, _, files in os.walk(d):
                for fn in files:
                    p = os.path.join(root, fn)
                    try:
                        with open(p, "rb") as f:
                            if needle in f.read():
                                places.append(os.path.relpath(p, ws or d))
                    except OSError:
                        pass
        if places:
            raise SecretLeak("the token appeared in: " + ", ".join(places))

    # --- inspection ---
    def requests(self, origin=None, method=None, path=None, since=0):
        """The request log: dicts with origin (api|upload|git), method, path, query, headers
        (Authorization shown as '<scheme> ***'), auth ('token'|'wrong'|'none'), body, status,
        fault, violation, response. Filters: origin, method, path glob, since=mark()."""
        out = []
        for e in self.log.entries(since):
            if origin and e["origin"] != origin:
                continue
            if method and e["method"] != method.upper():
                continue
            if path and not fnmatch.fnmatchcase(e["path"], path):
                continue
            out.append(e)
        return out

    def mark(self):
        """A position in the request log, for requests(since=...)."""
        return self.log.mark()

    def refs(self, full_name=None):
        """{refname: sha} of the served bare repository (annotated tags: the tag object's sha)."""
        return {n: s for n, s, _ in self.bare(full_name or self._last_repo).refs("refs/")}

    def ref(self, full_name, refname, peel=False):
        """The sha a ref points at (peeled to the commit with peel=True), or None."""
        g = self.bare(full_name)
        found = g.ref(refname)
        if not found:
            return None
        return g.resolve(found[0]) if peel else found[0]

    def state(self):
        return self.fake.state()

    def repo_state(self, full_name=None):
        return self.fake.state().get(str(full_name or self._last_repo), {})

    def releases(self, full_name=None):
        return self.repo_state(full_name).get("releases", [])

    def release(self, full_name, tag):
        """The release for tag (published first, else a draft), or None."""
        rels = [r for r in self.releases(full_name) if r["tag_name"] == tag]
        rels.sort(key=lambda r: r["draft"])
        return rels[0] if rels else None

    def asset_bytes(self, asset_id):
        with open(self.fake.asset_path(asset_id), "rb") as f:
            return f.read()

    def pulls(self, full_name=None):
        return self.repo_state(full_name).get("pulls", [])

    def dispatches(self, full_name=None):
        return self.repo_state(full_name).get("dispatches", [])

    def add_issue(self, full_name, title, body="", state="open", labels=(), author="octocat"):
        """An issue for search (e.g. an open security advisory tracking issue). Returns its number."""
        repo = self.fake.repo(str(full_name))
        with repo.lock:
            number = repo.next_number()
            repo.issues[number] = {"number": number, "id": self.fake.app.new_id(), "title": title, "body": body,
                                   "state": state, "labels": list(labels), "created": time.time(),
                                   "closed": time.time() if state == "closed" else None, "author": author}
        return number

    def add_release(self, full_name, tag, *, draft=False, prerelease=False, name=None, body=None, assets=None,
                    immutable=False, target=None):
        """Seed a release without going through the API (assets: {name: bytes}). Returns its id."""
        import hashlib
        repo = self.fake.repo(str(full_name))
        app = self.fake.app
        now = time.time()
        with repo.lock:
            rel = {"id": app.new_id(), "tag_name": tag, "target_commitish": target or repo.default_branch,
                   "name": name, "body": body, "draft": True, "prerelease": prerelease, "created": now,
                   "updated": now, "published": None, "untagged": "untagged-" + secrets.token_hex(10),
                   "immutable": False}
            if not draft:
                app._publish(repo, rel, "")
                rel["immutable"] = immutable
            repo.releases[rel["id"]] = rel
            if not draft and not prerelease:
                repo.latest_release_id = rel["id"]
            for aname, data in (assets or {}).items():
                aid = app.new_id()
                with open(self.fake.asset_path(aid), "wb") as f:
                    f.write(data)
                repo.assets[aid] = {"id": aid, "release_id": rel["id"], "name": aname, "label": None,
                                    "state": "uploaded", "content_type": "application/octet-stream",
                                    "size": len(data), "digest": "sha256:" + hashlib.sha256(data).hexdigest(),
                                    "created": now, "updated": now, "downloads": 0}
        return rel["id"]

    def configure(self, full_name, *, immutable_releases=None, actions_can_create_prs=None, permissions=None,
                  default_branch=None):
        """Repository settings: immutable releases, the "Allow GitHub Actions to create and approve
        pull requests" setting, the token's permissions ({"contents": "read", ...})."""
        repo = self.fake.repo(str(full_name))
        with repo.lock:
            if immutable_releases is not None:
                repo.settings["immutable_releases"] = immutable_releases
            if actions_can_create_prs is not None:
                repo.settings["actions_can_create_prs"] = actions_can_create_prs
            if permissions:
                repo.permissions.update(permissions)
            if default_branch:
                repo.default_branch = default_branch
                run_git(["symbolic-ref", "HEAD", f"refs/heads/{default_branch}"], git_dir=repo.path)

    # --- talking to the API directly (tests of the harness, seeding through the API) ---
    def call(self, method, path, body=None, *, headers=None, token=True, raw_body=None, base=None, timeout=30):
        """One HTTP request to the API (through the front, faults and Prism) or to `base`.

        path: "/repos/..." or an absolute URL. Returns (status, headers dict with lower-case
        names, parsed JSON or raw bytes). token=False sends none; a string sends that one.
        """
        import http.client
        import urllib.parse
        url = path if "://" in path else (base or self.api_url) + path
        u = urllib.parse.urlsplit(url)
        h = {"User-Agent": "release-train-harness", "Accept": "application/vnd.github+json",
             "X-GitHub-Api-Version": "2022-11-28"}
        if token:
            h["Authorization"] = f"Bearer {self.token if token is True else token}"
        data = raw_body
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        h.update(headers or {})
        conn_cls = http.client.HTTPSConnection if u.scheme == "https" else http.client.HTTPConnection
        kw = {"context": self.ssl_client_context()} if u.scheme == "https" else {}
        conn = conn_cls(u.hostname, u.port, timeout=timeout, **kw)
        try:
            conn.request(method, u.path + (f"?{u.query}" if u.query else ""), body=data, headers=h)
            resp = conn.getresponse()
            payload = resp.read()
            rh = {k.lower(): v for k, v in resp.getheaders()}
        finally:
            conn.close()
        if "json" in rh.get("content-type", "") and payload:
            try:
                payload = json.loads(payload)
            except ValueError:
                pass
        return resp.status, rh, payload

    def ssl_client_context(self):
        import ssl
        return ssl.create_default_context(cafile=self.ca_file) if self.ca_file else ssl.create_default_context()

    def upload(self, upload_url, name, data, content_type="application/octet-stream", label=None, token=True):
        """POST an asset to a release's upload_url template (straight to the upload origin)."""
        import urllib.parse
        base = upload_url.split("{", 1)[0]
        query = {"name": name}
        if label is not None:
            query["label"] = label
        return self.call("POST", f"{base}?{urllib.parse.urlencode(query)}", raw_body=data,
                         headers={"Content-Type": content_type}, token=token)

    def set_rate_limit(self, core=None, search=None):
        """The primary limits (GITHUB_TOKEN: 1000 an hour per repository; search: 30 a minute);
        past them requests get GitHub's 403. Counters restart at reset()."""
        if core is not None:
            self.fake.rate_limit["core"] = core
        if search is not None:
            self.fake.rate_limit["search"] = search

    # --- faults ---
    def fault(self, kind, path="*", method="*", origin="any", times=1, **opts):
        """Arm a fault (see harness/faults.py): e.g. fault("status", "/repos/*/git/refs", "POST", status=502, times=2).
        Returns the Fault; .hits says how often it applied."""
        return self.faults_set.add(kind, path=path, method=method, origin=origin, times=times, **opts)

    def faults(self):
        return self.faults_set.list()

    # --- contract violations ---
    def violations(self):
        return list(self.fake.violations)

    @contextlib.contextmanager
    def expect_violations(self):
        """Inside this block, Prism violations do not fail run() (read them with violations())."""
        self._expect_violations += 1
        try:
            yield
        finally:
            self._expect_violations -= 1
            self._violation_mark = len(self.fake.violations)

    @staticmethod
    def describe_violations(violations):
        lines = ["GitHub's OpenAPI description (checked by Prism) was broken:"]
        for v in violations:
            lines.append(f"  {v['method']} {v['path']} -> {v['status']} {v['type']}: {v['title']}")
            for item in v.get("validation") or []:
                loc = ".".join(str(x) for x in item.get("location", []))
                lines.append(f"      {item.get('severity')}: {loc}: {item.get('message')}")
        return "\n".join(lines)

    def check_clean(self):
        """Fail on contract violations or fake crashes since the last check (test tearDown)."""
        new_v = self.fake.violations[self._violation_mark:]
        new_e = self.fake.errors[self._error_mark:]
        self._violation_mark = len(self.fake.violations)
        self._error_mark = len(self.fake.errors)
        if new_e:
            raise FakeBug("the fake crashed:\n" + "\n".join(new_e))
        if new_v:
            raise ContractViolation(self.describe_violations(new_v))


def _input_str(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "\n".join(str(v) for v in value)
    return str(value)


_sigterm_installed = False


def _stop_on_sigterm():
    """Turn SIGTERM into SystemExit so atexit stops the world's processes."""
    global _sigterm_installed
    if _sigterm_installed or threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
        def handler(signum, frame):
            raise SystemExit(128 + signum)
        signal.signal(signal.SIGTERM, handler)
    _sigterm_installed = True


class E2ETestCase(unittest.TestCase):
    """Base class: one shared World per test module (process), reset before each test;
    a test fails on any Prism violation or fake crash it did not expect."""

    world = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.world = World.shared()

    def setUp(self):
        super().setUp()
        self.world.reset()
        self.addCleanup(self._check_world)

    def _check_world(self):
        self.world.check_clean()


class GhesWorld:
    """Mixin, listed before an E2ETestCase subclass: the module's tests get a
    World of their own in GitHub Enterprise Server's shape (API under
    /api/v3, uploads under /api/uploads) instead of the shared one."""

    @classmethod
    def setUpClass(cls):
        cls.world = World(ghes=True).start()

    @classmethod
    def tearDownClass(cls):
        cls.world.close()
