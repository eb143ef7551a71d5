#!/usr/bin/env python3
"""Bump real Rust workspaces that nobody here wrote, at every level, with and
without a prerelease-id, and check the result with outside tools:

- `cargo metadata --offline --no-deps` must still accept every manifest and
  report, for every crate, exactly the version the bump planned;
- `git diff --word-diff=porcelain` must show nothing but version strings;
- Cargo.lock (read with Python's tomllib) must give every workspace crate
  the version cargo reads from its manifest and keep every other entry.

The workspaces come from mirrors made by the search tool's `fetch` (bare git
directories under /work/.mirror/OWNER+NAME/repo, or any bare repository
given as OWNER/NAME=PATH); only Cargo.toml, Cargo.lock and *.rs files are
checked out (cargo needs the targets). The bump itself is bench/bump_plan,
the mode's own discovery/plan/edit code (rt_cargo_load, rt_cargo_plan,
rt_cargo_edit) without the network.

usage: tests/realworld/bump_real.py [--build DIR] [OWNER/NAME[=BARE_GIT_DIR] ...]
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DEFAULT = ["bytecodealliance/wasmtime", "tokio-rs/tokio", "astral-sh/uv", "rust-lang/cargo"]
LEVELS = ["major", "minor", "patch", "rc", "release"]
KEEP = re.compile(r"(^|/)(Cargo\.toml|Cargo\.lock|[^/]+\.rs)$")
# a version or a requirement's version, as Cargo.toml and Cargo.lock spell them
VERSION_TOKEN = re.compile(r"""^["']?[=^~>]*\d+(\.\d+){0,2}(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?["']?,?$""")


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, **kw)


def build_driver(build):
    out = os.path.join(ROOT, build, "bump_plan")
    objs = [os.path.join(ROOT, build, "obj", f) for f in sorted(os.listdir(os.path.join(ROOT, build, "obj")))
            if f.endswith(".o") and f != "main.o"]
    flags = run(["pkg-config", "--cflags", "--libs", "libcurl", "libgit2", "libcjson"]).stdout.decode().split()
    run(["cc", "-std=c11", "-D_GNU_SOURCE", "-O2", "-I" + os.path.join(ROOT, "src"),
         os.path.join(ROOT, "bench", "bump_plan.c"), "-o", out] + objs + flags)
    return out


def checkout(git_dir, dest):
    commit = run(["git", "--git-dir", git_dir, "rev-parse", "HEAD"]).stdout.decode().strip()
    names = [n for n in run(["git", "--git-dir", git_dir, "ls-tree", "-r", "--name-only", "HEAD"]).stdout
             .decode().splitlines() if KEEP.search(n)]
    os.makedirs(dest)
    for i in range(0, len(names), 500):
        archive = subprocess.run(["git", "--git-dir", git_dir, "archive", "HEAD", "--"] + names[i:i + 500],
                                 check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", dest], input=archive, check=True)
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t"}
    run(["git", "init", "-q", dest])
    run(["git", "-C", dest, "add", "-A"])
    run(["git", "-C", dest, "commit", "-qm", "snapshot"], env=env)
    return commit


def metadata(tree):
    out = run(["cargo", "metadata", "--offline", "--no-deps", "--format-version", "1"], cwd=tree)
    return {(p["name"], os.path.relpath(os.path.dirname(p["manifest_path"]), tree)): p["version"]
            for p in json.loads(out.stdout)["packages"]}


def lock_problems(tree, before_text, got):
    """Cargo.lock after the bump: every workspace entry (no `source`) at the version cargo
    reads from its manifest, every other entry exactly as before."""
    path = os.path.join(tree, "Cargo.lock")
    if not os.path.exists(path):
        return []
    with open(path, "rb") as f:
        after = tomllib.load(f)
    before = tomllib.loads(before_text)
    versions = {n: v for (n, _), v in got.items()}
    problems = []
    for old, new in zip(before.get("package", []), after.get("package", [])):
        if "source" not in new and new["name"] in versions:
            if new["version"] != versions[new["name"]]:
                problems.append(f"Cargo.lock {new['name']} {new['version']}, manifest {versions[new['name']]}")
            old = {**old, "version": new["version"]}
        if "dependencies" in new:
            old = {**old, "dependencies": new["dependencies"]} if len(old.get("dependencies", [])) == \
                len(new["dependencies"]) else old
        if old != new:
            problems.append(f"Cargo.lock entry {new['name']} changed beyond its version")
    if len(before.get("package", [])) != len(after.get("package", [])):
        problems.append("Cargo.lock gained or lost entries")
    return problems


def one_case(driver, tree, level, pre):
    run(["git", "-C", tree, "checkout", "-q", "--", "."])
    lock_before = ""
    if os.path.exists(os.path.join(tree, "Cargo.lock")):
        with open(os.path.join(tree, "Cargo.lock")) as f:
            lock_before = f.read()
    args = [driver, tree, str(LEVELS.index(level))] + ([pre] if pre else [])
    r = subprocess.run(args, capture_output=True, env={**os.environ, "V": "1", "W": "1"})
    out = r.stdout.decode()
    if r.returncode != 0:
        return "refused", out.strip().splitlines()[-1]
    planned = {}
    for line in out.splitlines():
        m = re.match(r"^(\S+) (\S+) -> (\S+)$", line)
        if m:
            planned[m.group(1)] = m.group(3) if m.group(3) != "-" else m.group(2)
    got = metadata(tree)
    wrong = [f"{n} ({d}): cargo reads {v}, planned {planned[n]}" for (n, d), v in got.items()
             if n in planned and planned[n] != v]
    diff = run(["git", "-C", tree, "diff", "--word-diff=porcelain", "--unified=0"]).stdout.decode()
    bad = [ln for ln in diff.splitlines() if ln[:1] in "+-" and not ln.startswith(("+++", "---"))
           and not VERSION_TOKEN.match(ln[1:])]
    changed = len(run(["git", "-C", tree, "diff", "--name-only"]).stdout.split())
    wrong += lock_problems(tree, lock_before, got) if lock_before else []
    if wrong or bad:
        return "FAIL", "; ".join(wrong[:3] + [f"non-version change: {b}" for b in bad[:3]])
    return "ok", f"{len(got)} crates read by cargo, {sum(1 for n in planned)} planned, {changed} files changed"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("repos", nargs="*")
    a = ap.parse_args()
    if not shutil.which("cargo"):
        print("cargo is not installed (scripts/setup installs it)")
        return 2
    driver = build_driver(a.build)
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for spec in a.repos or DEFAULT:
            name, _, git_dir = spec.partition("=")
            git_dir = git_dir or f"/work/.mirror/{name.replace('/', '+')}/repo"
            if not os.path.isdir(git_dir):
                print(f"{name}: no mirror at {git_dir} (fetch it first)")
                failures += 1
                continue
            tree = os.path.join(tmp, name.replace("/", "+"))
            commit = checkout(git_dir, tree)
            print(f"{name} @ {commit}")
            for pre in (None, "dev"):
                for level in LEVELS:
                    status, detail = one_case(driver, tree, level, pre)
                    failures += status == "FAIL"
                    print(f"  {level:8} {('prerelease-id ' + pre) if pre else '':18} {status:8} {detail}")
    print("real workspaces:", "all consistent" if not failures else f"{failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
