"""gitrepo: git plumbing on one bare repository, for the fake API.

The fake's Git Data, refs and compare endpoints read and write the very
repository that the git server serves, through git's own plumbing
(`update-ref`, `mktag`, `hash-object`, `commit-tree`, `rev-list`...), so
what the API does and what `git push`/`git fetch` see always agree, and
objects are checked by git itself (a bad tag is refused by `git mktag`).
"""
import re
import subprocess

from .util import GitError, ZERO_SHA, git_env, run_git

SHA_RE = re.compile(r"^[0-9a-f]{40}$")

# %x00-separated commit fields, one record per commit (with -z: NUL between records).
_FIELDS = ["sha", "tree", "parents", "an", "ae", "at", "cn", "ce", "ct", "message"]
_FORMAT = "%H%x00%T%x00%P%x00%an%x00%ae%x00%at%x00%cn%x00%ce%x00%ct%x00%B"


def _tz_seconds(tz):
    sign = -1 if tz.startswith("-") else 1
    tz = tz.lstrip("+-")
    return sign * (int(tz[:2]) * 3600 + int(tz[2:4]) * 60)


def parse_person(line):
    """'Name <email> 1700000000 +0100' -> dict(name, email, time)."""
    m = re.match(r"^(.*) <(.*)> (\d+) ([+-]\d{4})$", line)
    if not m:
        return {"name": line, "email": "", "time": 0}
    return {"name": m.group(1), "email": m.group(2), "time": int(m.group(3)), "tz": m.group(4)}


class GitRepo:
    def __init__(self, path):
        self.path = path
        self._env = git_env()

    def git(self, args, input=None, check=True, env=None):
        e = self._env if env is None else env
        return run_git(args, git_dir=self.path, env=e, input=input, check=check)

    def text(self, args, **kw):
        return self.git(args, **kw).decode("utf-8", "replace").strip()

    # --- objects ---
    def object_type(self, sha):
        """'commit' | 'tree' | 'blob' | 'tag' | None."""
        if not sha or not re.match(r"^[0-9a-f]{4,40}$", sha):
            return None
        p = subprocess.run(["git", f"--git-dir={self.path}", "cat-file", "-t", sha], env=self._env,
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        return p.stdout.decode().strip() if p.returncode == 0 else None

    def resolve(self, rev, peel="commit"):
        """The object a revision names (peeled to `peel` when given), or None."""
        if not rev:
            return None
        spec = f"{rev}^{{{peel}}}" if peel else rev
        p = subprocess.run(["git", f"--git-dir={self.path}", "rev-parse", "--verify", "--quiet", spec],
                           env=self._env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        return p.stdout.decode().strip() if p.returncode == 0 else None

    def resolve_commitish(self, name):
        """A branch, tag or sha (as GitHub's target_commitish / compare accept) -> commit sha."""
        if not name:
            return None
        for candidate in (f"refs/heads/{name}", f"refs/tags/{name}", name):
            if candidate == name and not SHA_RE.match(name) and not re.match(r"^[0-9a-f]{7,40}$", name) \
                    and not name.startswith("refs/"):
                continue
            sha = self.resolve(candidate)
            if sha:
                return sha
        return None

    def cat(self, kind, sha):
        return self.git(["cat-file", kind, sha])

    def commit(self, sha):
        """A commit as a dict: sha, tree, parents, author, committer, message."""
        raw = self.cat("commit", sha).decode("utf-8", "replace")
        head, _, message = raw.partition("\n\n")
        info = {"sha": sha, "parents": [], "message": message, "gpgsig": False}
        for line in head.split("\n"):
            if line.startswith("tree "):
                info["tree"] = line[5:]
            elif line.startswith("parent "):
                info["parents"].append(line[7:])
            elif line.startswith("author "):
                info["author"] = parse_person(line[7:])
            elif line.startswith("committer "):
                info["committer"] = parse_person(line[10:])
            elif line.startswith("gpgsig"):
                info["gpgsig"] = True
        return info

    def tag(self, sha):
        raw = self.cat("tag", sha).decode("utf-8", "replace")
        head, _, message = raw.partition("\n\n")
        info = {"sha": sha, "message": message}
        for line in head.split("\n"):
            key, _, value = line.partition(" ")
            if key == "tagger":
                info["tagger"] = parse_person(value)
            elif key in ("object", "type", "tag"):
                info[key] = value
        return info

    def hash_object(self, data, kind="blob"):
        return self.text(["hash-object", "-w", "-t", kind, "--stdin"], input=data)

    def mktag(self, object_sha, object_type, tag, tagger, message):
        """tagger: 'Name <email> epoch +0000'."""
        if not message.endswith("\n"):
            message += "\n"
        body = f"object {object_sha}\ntype {object_type}\ntag {tag}\ntagger {tagger}\n\n{message}"
        return self.text(["mktag"], input=body.encode())

    def ls_tree(self, tree, recursive=False):
        """[(mode, type, sha, size|None, path)]."""
        args = ["ls-tree", "-l", "-z"]
        if recursive:
            args += ["-r", "-t"]
        out = self.git(args + [tree]).decode("utf-8", "replace")
        entries = []
        for rec in out.split("\0"):
            if not rec:
                continue
            meta, _, path = rec.partition("\t")
            mode, typ, sha, size = meta.split()
            entries.append((mode, typ, sha, None if size == "-" else int(size), path))
        return entries

    def build_tree(self, base_tree, entries):
        """entries: [(path, mode, type, sha | None)]: sha None deletes path. Returns the tree sha.

        Works as GitHub's create-tree does: paths may be nested (sub-trees are
        made as needed), a deletion of the last entry drops the directory.
        Only the directories on changed paths are read and rewritten (mktree).
        """
        root = _TreeNode(self, base_tree)
        for path, mode, typ, sha in entries:
            parts = [p for p in path.split("/") if p]
            node = root
            for part in parts[:-1]:
                node = node.child(part, create=sha is not None)
                if node is None:
                    break
            else:
                node.set(parts[-1], mode, typ, sha)
        return root.write(top=True)

    def commit_tree(self, tree, parents, message, author, committer):
        """author/committer: dict(name, email, date as 'epoch +0000')."""
        env = dict(self._env,
                   GIT_AUTHOR_NAME=author["name"], GIT_AUTHOR_EMAIL=author["email"],
                   GIT_AUTHOR_DATE=author["date"],
                   GIT_COMMITTER_NAME=committer["name"], GIT_COMMITTER_EMAIL=committer["email"],
                   GIT_COMMITTER_DATE=committer["date"])
        args = ["commit-tree", tree]
        for p in parents:
            args += ["-p", p]
        return self.text(args + ["-F", "-"], input=message.encode(), env=env)

    # --- refs ---
    def refs(self, prefix="refs/"):
        """[(refname, sha, objecttype)] sorted by name."""
        out = self.text(["for-each-ref", "--format=%(refname)%00%(objectname)%00%(objecttype)", prefix])
        result = []
        for line in out.splitlines():
            if line:
                name, sha, typ = line.split("\0")
                result.append((name, sha, typ))
        return result

    def ref(self, refname):
        """(sha, type) of exactly this ref, or None."""
        for name, sha, typ in self.refs(refname):
            if name == refname:
                return sha, typ
        return None

    def update_ref(self, refname, new, old=None):
        """Atomic: old None = any, ZERO_SHA = must not exist. Returns False on a lost race."""
        args = ["update-ref", refname, new]
        if old is not None:
            args.append("" if old == ZERO_SHA else old)
        try:
            self.git(args)
            return True
        except GitError:
            return False

    def delete_ref(self, refname, old=None):
        args = ["update-ref", "-d", refname]
        if old:
            args.append(old)
        try:
            self.git(args)
            return True
        except GitError:
            return False

    # --- history ---
    def is_ancestor(self, a, b):
        p = subprocess.run(["git", f"--git-dir={self.path}", "merge-base", "--is-ancestor", a, b],
                           env=self._env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return p.returncode == 0

    def merge_base(self, a, b):
        p = subprocess.run(["git", f"--git-dir={self.path}", "merge-base", a, b], env=self._env,
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        return p.stdout.decode().strip() if p.returncode == 0 else None

    def count(self, rng):
        return int(self.text(["rev-list", "--count"] + rng))

    def log(self, rng, reverse=True, skip=0, limit=None):
        """Commits of a rev-list range as dicts, oldest first by default."""
        args = ["log", "-z", f"--format={_FORMAT}", "--topo-order"]
        if reverse:
            args.append("--reverse")
        if skip and not reverse:
            args.append(f"--skip={skip}")
        if limit is not None and not reverse:
            args.append(f"--max-count={limit}")
        out = self.git(args + rng + ["--"]).decode("utf-8", "replace")
        commits = _records(out)
        if reverse:
            end = None if limit is None else skip + limit
            commits = commits[skip:end]
        return commits


class _TreeNode:
    """One directory of a tree being edited: its entries, and edited sub-directories."""

    def __init__(self, repo, sha):
        self.repo = repo
        self.entries = {}   # name -> (mode, type, sha)
        self.children = {}  # name -> _TreeNode (edited sub-directories)
        if sha:
            for mode, typ, esha, _, name in repo.ls_tree(sha):
                self.entries[name] = (mode, typ, esha)

    def child(self, name, create):
        if name in self.children:
            return self.children[name]
        entry = self.entries.get(name)
        if entry is not None and entry[1] == "tree":
            node = _TreeNode(self.repo, entry[2])
        elif create:
            node = _TreeNode(self.repo, None)
        else:
            return None
        self.children[name] = node
        return node

    def set(self, name, mode, typ, sha):
        self.children.pop(name, None)
        if sha is None:
            self.entries.pop(name, None)
        else:
            self.entries[name] = (mode, typ, sha)

    def write(self, top=False):
        """Write this directory (and edited ones below); None for an empty sub-directory."""
        for name, node in self.children.items():
            sha = node.write()
            if sha is None:
                self.entries.pop(name, None)
            else:
                self.entries[name] = ("040000", "tree", sha)
        self.children = {}
        if not self.entries:
            return self.repo.text(["mktree"], input=b"") if top else None
        lines = "".join(f"{m} {t} {s}\t{n}\0" for n, (m, t, s) in sorted(self.entries.items()))
        return self.repo.text(["mktree", "-z"], input=lines.encode())


def _records(out):
    """Split `git log -z` output made with _FORMAT (NUL-terminated records) into dicts."""
    parts = out.split("\0")
    n = len(_FIELDS)
    result = []
    for i in range(0, len(parts) - n + 1, n):
        d = dict(zip(_FIELDS, parts[i:i + n]))
        d["parents"] = d["parents"].split()
        d["author"] = {"name": d.pop("an"), "email": d.pop("ae"), "time": int(d.pop("at") or 0)}
        d["committer"] = {"name": d.pop("cn"), "email": d.pop("ce"), "time": int(d.pop("ct") or 0)}
        result.append(d)
    return result
