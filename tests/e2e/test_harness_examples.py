"""The examples of tests/README.md, run as they are written there (keep them in sync)."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import DEFAULT_MARKER, E2ETestCase  # noqa: E402

CARGO = '[workspace]\nmembers = ["crates/*"]\n\n[workspace.package]\nversion = "1.2.3"\n'


class Something(E2ETestCase):          # one World per module, reset before each test
    def test_it(self):
        w = self.world
        info = w.create_repo("octo/demo", files={"VERSION": "1.2.3\n"})   # bare repo on the git server
        ws = w.clone(info.full_name)                                        # a workspace (a real git clone)
        sha = w.commit(ws, message=f"Release demo 1.2.3\n\n{DEFAULT_MARKER}\n")
        w.push(ws)                                                          # remembered for the push event
        r = w.run("tag", {"dry-run": False}, cwd=ws)                        # the binary, as the runner runs it
        self.assertEqual(r.exit_code, 0, r.describe())                      # describe(): output + requests
        self.assertEqual(r.outputs["tag"], "v1.2.3")
        self.assertEqual(w.ref(info.full_name, "refs/tags/v1.2.3", peel=True), sha)
        self.assertEqual(len(r.calls("POST", "/repos/*/git/refs")), 1)


class TagMode(E2ETestCase):
    def test_tags_the_release_commit_and_dispatches(self):
        w = self.world
        info = w.create_repo(files={"Cargo.toml": CARGO,
                                    ".github/workflows/release.yml": "on:\n  workflow_dispatch:\n"})
        ws = w.clone(info.full_name, depth=1)                 # shallow, as actions/checkout
        sha = w.commit(ws, message=f"Release demo 1.2.3\n\n{DEFAULT_MARKER}\n")
        w.push(ws)
        r = w.run("tag", {"dispatch": "release.yml"}, cwd=ws)
        self.assertEqual((r.exit_code, r.outputs["tagged"]), (0, "true"), r.describe())
        self.assertEqual(w.ref(info.full_name, "refs/tags/v1.2.3"), sha)
        self.assertEqual([d["ref"] for d in w.dispatches(info.full_name)], ["v1.2.3"])
        again = w.run("tag", cwd=ws)                          # idempotent: nothing mutating
        self.assertEqual(again.mutating, [])


class BumpMode(E2ETestCase):
    def test_opens_the_release_pull_request(self):
        w = self.world
        crate = '[package]\nname = "demo"\nversion.workspace = true\n'
        info = w.create_repo(files={"Cargo.toml": CARGO, "crates/demo/Cargo.toml": crate})
        ws = w.clone(info.full_name, depth=1)                 # shallow, as actions/checkout
        r = w.run("bump", {"level": "minor"}, event_name="workflow_dispatch", cwd=ws)
        self.assertEqual(r.exit_code, 0, r.describe())
        self.assertEqual(r.outputs["version"], "1.3.0")
        head = w.ref(info.full_name, "refs/heads/ci/bump-to-1.3.0")
        self.assertIn(DEFAULT_MARKER, w.git(info.path, "log", "-1", "--format=%B", head))
        [pr] = w.pulls(info.full_name)
        self.assertEqual((pr["head"], pr["base"], pr["state"]), ("ci/bump-to-1.3.0", "main", "open"))
        self.assertEqual(r.outputs["pr-number"], str(pr["number"]))


class ReleaseMode(E2ETestCase):
    def test_uploads_assets_and_publishes(self):
        w = self.world
        info = w.create_repo(files={"Cargo.toml": CARGO})
        w.call("POST", f"/repos/{info.full_name}/git/refs", {"ref": "refs/tags/v1.2.3", "sha": info.head})
        ws = w.clone(info.full_name)
        os.makedirs(os.path.join(ws, "dist"))
        with open(os.path.join(ws, "dist", "demo.tar.gz"), "wb") as f:
            f.write(os.urandom(100_000))
        w.fault("starter", "/repos/*/releases/*/assets", origin="upload")   # first upload fails half-way
        r = w.run("release", {"files": "dist/*"}, ref="refs/tags/v1.2.3", sha=info.head,
                  event={"ref": "refs/tags/v1.2.3"}, event_name="push", cwd=ws)
        self.assertEqual(r.exit_code, 0, r.describe())
        rel = w.release(info.full_name, "v1.2.3")
        self.assertFalse(rel["draft"])
        [asset] = rel["assets"]
        self.assertEqual((asset["name"], asset["state"]), ("demo.tar.gz", "uploaded"))
        with open(os.path.join(ws, "dist", "demo.tar.gz"), "rb") as f:
            self.assertEqual(w.asset_bytes(asset["id"]), f.read())
        again = w.run("release", {"files": "dist/*"}, ref="refs/tags/v1.2.3", sha=info.head,
                      event={"ref": "refs/tags/v1.2.3"}, cwd=ws)
        self.assertLessEqual(len(again.api_requests), 3)
        self.assertEqual(again.mutating, [])


if __name__ == "__main__":
    unittest.main()
