"""The bad-input catalogue: every mode, every kind of mistake a user makes.

Each case runs the binary as the runner does and asserts the promise of
the SPEC for bad input: exit 2 (1 where the cause is remote state), exactly
one ::error:: line that names the input or the file (and line) at fault,
and nothing changed anywhere: no mutating request reached the fake, the
git server's refs, releases and pull requests are as before, and the
workspace's files and HEAD are untouched.
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import DEFAULT_MARKER, E2ETestCase  # noqa: E402

WS_CARGO = ('[workspace]\nmembers = ["crates/*"]\nresolver = "2"\n\n'
            '[workspace.package]\nversion = "1.2.3"\nedition = "2021"\n\n'
            '[workspace.dependencies]\ndemo-core = { path = "crates/core", version = "=1.2.3" }\n')
CORE = '[package]\nname = "demo-core"\nversion.workspace = true\nedition.workspace = true\n'
CLI = ('[package]\nname = "demo"\nversion.workspace = true\nedition.workspace = true\n\n'
       '[dependencies]\ndemo-core.workspace = true\n')
WORKSPACE = {"Cargo.toml": WS_CARGO, "crates/core/Cargo.toml": CORE, "crates/cli/Cargo.toml": CLI,
             "RELEASES.md": "## 2.0.0\n\nUnreleased.\n"}


def case(mode, inputs=None, *, expect, status=2, files=None, file=None, line=None, env=None,
         event=None, event_name=None, setup=None, ref=None, args=None, actions=True):
    """One catalogue entry: expect is a substring of the one ::error:: line."""
    return dict(mode=mode, inputs=inputs or {}, expect=expect, status=status, files=files, file=file,
                line=line, env=env, event=event, event_name=event_name, setup=setup, ref=ref, args=args,
                actions=actions)


def sparse(path, size):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.truncate(size)


def dist(*names, size=10):
    def make(ws):
        for name in names:
            path = os.path.join(ws, "dist", name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(b"x" * size)
    return make


def many_assets(ws):
    os.makedirs(os.path.join(ws, "dist"))
    for i in range(1001):
        with open(os.path.join(ws, "dist", f"a{i:04}.txt"), "w") as f:
            f.write("x")


def empty_and_dir(ws):
    os.makedirs(os.path.join(ws, "dist", "subdir"))
    open(os.path.join(ws, "dist", "empty.tar.gz"), "w").close()


def huge(ws):
    sparse(os.path.join(ws, "dist", "huge.bin"), 2 * 1024 ** 3 + 1)


REL = {"tag": "v1.2.3"}
CASES = {
    # --- every mode: the inputs themselves ---
    "unknown_mode": case("deploy", expect="input 'mode' has the invalid value 'deploy'"),
    "missing_mode": case(None, expect="input 'mode' is required"),
    "bool_tag": case("tag", {"dry-run": "maybe"}, expect="input 'dry-run' has the invalid value 'maybe'"),
    "bool_bump": case("bump", {"dry-run": "sometimes"}, expect="input 'dry-run'"),
    "bool_release": case("release", {"dry-run": "2", **REL}, expect="input 'dry-run'"),
    "retries_text": case("tag", {"max-retries": "many"}, expect="input 'max-retries'"),
    "retries_range": case("tag", {"max-retries": "99"}, expect="a whole number from 0 to 20"),
    "token_empty_tag": case("tag", {"token": ""}, expect="token", env={"GITHUB_TOKEN": None}),
    "token_empty_bump": case("bump", {"token": ""}, expect="token", event_name="workflow_dispatch"),
    "token_empty_release": case("release", {"token": "", **REL, "files": "dist/*"}, expect="token",
                                setup=dist("a.tar.gz")),
    "plain_http_api": case("tag", expect="http://", env={"GITHUB_API_URL": "http://api.example.com"}),
    "plain_http_git_server": case("bump", expect="GITHUB_SERVER_URL", env={"GITHUB_SERVER_URL": "http://git.example.com"}),
    "unknown_flag": case("tag", expect="unknown flag '--levle'", actions=False, args=["--levle", "major"]),
    "flag_of_another_mode": case("tag", expect="does not apply to mode 'tag'", actions=False,
                                 args=["--files", "x"]),
    # --- bump ---
    "level": case("bump", {"level": "huge"}, expect="input 'level' has the invalid value 'huge'"),
    "push_method": case("bump", {"push": "ssh"}, expect="input 'push'"),
    "version_malformed": case("bump", {"version": "1.2"}, expect="1.2"),
    "version_v_prefix": case("bump", {"version": "v2.0.0"}, expect="v2.0.0"),
    "version_leading_zero": case("bump", {"version": "2.01.0"}, expect="2.01.0"),
    "template_branch": case("bump", {"branch": "release/{tag}"}, expect="{tag}"),
    "template_commit": case("bump", {"commit-message": "Release {nmae}\n\n{marker}"}, expect="{nmae}"),
    "template_title": case("bump", {"pr-title": "{version} {when}"}, expect="{when}"),
    "template_cut": case("bump", {"cut-branch": "release-{core}"}, expect="{core}"),
    "only_on": case("bump", {"only-on": "3rd blursday"}, expect="only-on", event_name="schedule"),
    "release_date": case("bump", {"release-date": "2026-13-01", "notes-file": "RELEASES.md",
                                  "level": "major"}, expect="2026-13-01"),
    "author": case("bump", {"author": "release bot"}, expect="input 'author'"),
    "cargo_syntax": case("bump", expect="'resolver' has no value", file="Cargo.toml", line=3,
                         files={"Cargo.toml": '[workspace]\nmembers = ["crates/*"]\nresolver = \n'}),
    "member_glob_nothing": case("bump", expect="matches no directory", file="Cargo.toml", line=2,
                                files={"Cargo.toml": WS_CARGO.replace('"crates/*"', '"crates/*", "tools/*"')}),
    "member_unreadable": case("bump", expect="crates/gone", file="Cargo.toml",
                              files={"Cargo.toml": WS_CARGO.replace('"crates/*"', '"crates/core", "crates/gone"')}),
    "member_version_not_string": case("bump", expect="package.version must be a quoted string", file="crates/core/Cargo.toml",
                                      line=3, files={"crates/core/Cargo.toml": CORE.replace(
                                          "version.workspace = true", "version = 1")}),
    "version_file_missing": case("bump", {"version-files": "include/demo.h"}, expect="include/demo.h"),
    "version_file_no_version": case("bump", {"version-files": "include/demo.h"}, expect="include/demo.h",
                                    files={"include/demo.h": "#define DEMO_NAME \"demo\"\n"}),
    "no_manifest_at_all": case("bump", expect="Cargo.toml", files={"Cargo.toml": None,
                                                                    "crates/core/Cargo.toml": None,
                                                                    "crates/cli/Cargo.toml": None}),
    "explicit_version_multi": case("bump", {"version": "3.0.0"}, expect="input 'version'",
                                   files={"crates/core/Cargo.toml": CORE.replace(
                                       "version.workspace = true", 'version = "0.4.0"')}),
    "release_without_prerelease": case("bump", {"level": "release"}, expect="level 'release'"),
    "notes_without_section": case("bump", {"notes-file": "RELEASES.md", "level": "minor"},
                                  expect="no section for version 1.3.0", file="RELEASES.md"),
    "notes_file_missing": case("bump", {"notes-file": "CHANGES.md"}, expect="CHANGES.md"),
    "bad_workspace_version": case("bump", expect="1.02.3", file="Cargo.toml",
                                  files={"Cargo.toml": WS_CARGO.replace('version = "1.2.3"\nedition',
                                                                        'version = "1.02.3"\nedition')}),
    # --- tag ---
    "tag_format": case("tag", {"tag-format": "release-{name}"}, expect="tag-format"),
    "tag_format_placeholder": case("tag", {"tag-format": "v{version}-{arch}"}, expect="{arch}"),
    "target": case("tag", {"target": "tail"}, expect="input 'target'"),
    "scan": case("tag", {"scan": "all"}, expect="input 'scan'"),
    "annotated": case("tag", {"annotated": "2"}, expect="input 'annotated'"),
    "event_not_json": case("tag", expect="event", event="not json"),
    "event_after_not_sha": case("tag", expect="after", event={"ref": "refs/heads/main", "before": "0" * 40,
                                                              "after": "not-a-sha", "commits": []}),
    "version_from_missing": case("tag", {"version-from": "VERSION"}, expect="VERSION"),
    "tag_version_malformed": case("tag", expect="leading zero", file="Cargo.toml",
                                  files={"Cargo.toml": WS_CARGO.replace('version = "1.2.3"\nedition',
                                                                        'version = "1.02.3"\nedition')}),
    "tag_prerelease_refused": case("tag", {"allow-prerelease-versions": False}, expect="allow-prerelease-versions",
                                   file="Cargo.toml",
                                   files={"Cargo.toml": WS_CARGO.replace('version = "1.2.3"\nedition',
                                                                         'version = "2.0.0-dev"\nedition')}),
    # --- release ---
    "concurrency_zero": case("release", {"concurrency": "0", **REL}, expect="input 'concurrency'"),
    "concurrency_huge": case("release", {"concurrency": "1000", **REL}, expect="input 'concurrency'"),
    "prerelease_choice": case("release", {"prerelease": "maybe", **REL}, expect="input 'prerelease'"),
    "make_latest": case("release", {"make-latest": "always", **REL}, expect="input 'make-latest'"),
    "overwrite": case("release", {"overwrite": "perhaps", **REL}, expect="input 'overwrite'"),
    "unmatched_glob": case("release", {**REL, "files": "dist/*.zip\ndist/*.tar.gz"}, expect="dist/*.zip",
                           setup=dist("a.tar.gz")),
    "empty_file_and_directory": case("release", {**REL, "files": "dist/*"}, expect="empty.tar.gz",
                                     setup=empty_and_dir),
    "over_1000_assets": case("release", {**REL, "files": "dist/*"}, expect="1001", setup=many_assets),
    "over_2_gib": case("release", {**REL, "files": "dist/*"}, expect="huge.bin", setup=huge),
    "names_collide_after_rewrite": case("release", {**REL, "files": "dist/*"}, expect="a b.txt",
                                        setup=dist("a b.txt", "a.b.txt")),
    "no_tag": case("release", {"files": "dist/*"}, expect="tag", setup=dist("a.tar.gz"),
                   ref="refs/heads/main"),
    "release_notes_without_section": case("release", {**REL, "files": "dist/*", "notes-file": "RELEASES.md"},
                                          expect="no section for version 1.2.3", file="RELEASES.md",
                                          setup=dist("a.tar.gz")),
}


class BadInput(E2ETestCase):
    def run_case(self, c):
        w = self.world
        files = dict(WORKSPACE)
        info = w.create_repo(files={k: v for k, v in files.items()})
        if c["files"]:
            w.commit_to(info.full_name, files=c["files"], message="break it")
        ws = w.clone(info.full_name, depth=1)
        if c["mode"] == "tag":
            w.commit(ws, message=f"Release demo\n\n{DEFAULT_MARKER}\n")
            w.push(ws)
        if c["mode"] == "release" or c["ref"]:
            w.call("POST", f"/repos/{info.full_name}/git/refs", {"ref": "refs/tags/v1.2.3", "sha": w.head(ws)})
        if c["setup"]:
            c["setup"](ws)
        refs_before = w.refs(info.full_name)
        head_before = w.head(ws)
        status_before = w.git(ws, "status", "--porcelain", "--ignored")
        kw = {}
        if c["event"] is not None:
            if isinstance(c["event"], str):
                path = os.path.join(w.tmp, "bad-event.json")
                with open(path, "w") as f:
                    f.write(c["event"])
                kw["env"] = {"GITHUB_EVENT_PATH": path}
            else:
                kw["event"] = c["event"]
        if c["env"]:
            kw.setdefault("env", {}).update(c["env"])
        if c["event_name"]:
            kw["event_name"] = c["event_name"]
        if c["mode"] == "release":
            kw["ref"] = c["ref"] or "refs/tags/v1.2.3"
            kw.setdefault("event_name", "push")
            kw.setdefault("event", {"ref": kw["ref"]})
        r = w.run(c["mode"], c["inputs"], cwd=ws, args=c["args"], actions=c["actions"], **kw)

        self.assertEqual(r.exit_code, c["status"], r.describe())
        if c["actions"]:
            self.assertEqual(len(r.errors), 1, r.describe())
            error = r.errors[0]
            props = [a["properties"] for a in r.annotations if a["command"] == "error"][0]
        else:
            lines = [l for l in r.stderr.splitlines() + r.stdout.splitlines() if l.startswith("error:")]
            self.assertEqual(len(lines), 1, r.describe())
            error, props = lines[0], {}
        self.assertIn(c["expect"], error, r.describe())
        if c["file"]:
            self.assertTrue(props.get("file", "").endswith(c["file"]), f"file= property: {props}\n{r.describe()}")
        if c["line"]:
            self.assertEqual(props.get("line"), str(c["line"]), f"line= property: {props}\n{r.describe()}")
        # nothing changed anywhere
        self.assertEqual(r.mutating, [], r.describe())
        self.assertEqual(w.refs(info.full_name), refs_before)
        self.assertEqual(w.pulls(info.full_name), [])
        self.assertEqual(w.releases(info.full_name), [])
        self.assertEqual(w.head(ws), head_before)
        self.assertEqual(w.git(ws, "status", "--porcelain", "--ignored"), status_before)


def _make(name, c):
    def test(self):
        self.run_case(c)
    test.__name__ = f"test_{name}"
    return test


for _name, _case in CASES.items():
    setattr(BadInput, f"test_{_name}", _make(_name, _case))


class Catalogue(unittest.TestCase):
    def test_at_least_fifty_cases_across_the_three_modes(self):
        self.assertGreaterEqual(len(CASES), 50)
        for mode in ("bump", "tag", "release"):
            self.assertGreaterEqual(sum(1 for c in CASES.values() if c["mode"] == mode), 10, mode)


if __name__ == "__main__":
    unittest.main()
