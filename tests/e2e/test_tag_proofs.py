"""Mode tag: seven behaviours that were right but that no test held (issue 10, item 5 a-g).

Each test was proved by breaking the behaviour in src/mode_tag.c on
purpose and watching the test fail (the breaks are listed in each test's
docstring); none of the other tag suites noticed those breaks.
"""
import json
import os
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from harness import E2ETestCase  # noqa: E402,F401
from test_tag import TagCase, cargo_workspace, release_message  # noqa: E402


class TagProofs(TagCase):
    def test_a_forced_push_never_scans_the_symmetric_difference(self):
        """The removed marker commit is still in the runner's clone: `scan: push`
        scans `after` minus what `before` reaches, not both sides.
        Break: also walk `before` minus `after` (symmetric difference) -> tags v1.2.3."""
        w = self.world
        info, ws = self.make()
        base = w.head(ws)
        removed = w.commit(ws, message=release_message("1.2.3"))
        w.push(ws)
        w.git(ws, "reset", "-q", "--hard", base)
        w.commit(ws, message="Replace the release commit\n")
        w.push(ws, force=True)
        event = w.push_event(info.full_name)
        self.assertTrue(event["forced"])
        self.assertEqual(event["before"], removed)
        # the workspace that made the push still holds the removed commit
        self.assertEqual(w.git(ws, "cat-file", "-t", removed), "commit")
        for scan in ("push", "since-last-tag"):
            with self.subTest(scan=scan):
                r = w.run("tag", {"scan": scan}, event=event, cwd=ws)
                self.assert_not_tagged(r, info)
                self.assertEqual(r.calls("GET", "/repos/*/compare/*"), [], "read from local history")

    def test_b_tag_made_elsewhere_between_lookup_and_create(self):
        """The create gets GitHub's real 422: exit 1 naming both commits, the tag unchanged.
        Break: treat any 422 on create as "a concurrent run won" -> exit 0, tagged=true."""
        w = self.world
        info, ws = self.make()
        other = w.head(ws)
        sha = w.commit(ws, message=release_message("1.2.3"))
        w.push(ws)
        # the binary's create is held at the front for 5 s; meanwhile another
        # actor tags a different commit
        w.fault("delay", "/repos/*/git/refs", "POST", origin="api", seconds=5)
        mark = w.mark()
        box = {}

        def run():
            try:
                box["r"] = w.run("tag", cwd=ws)
            except BaseException as e:  # noqa: BLE001 - re-raised below
                box["e"] = e

        t = threading.Thread(target=run)
        t.start()
        deadline = time.monotonic() + 30
        while not w.requests(origin="api", method="POST", path="/repos/*/git/refs", since=mark):
            if not t.is_alive() or time.monotonic() > deadline:
                t.join(60)
                self.fail("the binary never tried to create the tag: "
                          + (box["r"].describe() if "r" in box else repr(box.get("e"))))
            time.sleep(0.02)
        status, _, _ = w.call("POST", f"/repos/{info.full_name}/git/refs",
                              {"ref": "refs/tags/v1.2.3", "sha": other})
        self.assertEqual(status, 201)
        t.join(60)
        if "e" in box:
            raise box["e"]
        r = box["r"]
        self.assertEqual(r.exit_code, 1, r.describe())
        self.assertEqual(len(r.errors), 1, r.describe())
        self.assertIn(other, r.errors[0])
        self.assertIn(sha, r.errors[0])
        self.assertIn("v1.2.3", r.errors[0])
        mine = [c for c in r.calls("POST", "/repos/*/git/refs") if c.get("fault")]
        self.assertEqual([c["status"] for c in mine], [422], r.describe())
        self.assertEqual(w.ref(info.full_name, "refs/tags/v1.2.3"), other)
        self.assertNotEqual(r.outputs.get("tagged"), "true")

    def test_c_rerun_after_annotated_release_without_the_tag_object(self):
        """The workspace never fetched the tag object: both scans peel it through the API,
        exit 0, tagged=false, nothing mutating.
        Break: take the ref's own sha (the tag object) as the tagged commit -> exit 1 conflict."""
        w = self.world
        info, ws = self.make()
        sha = w.commit(ws, message=release_message("1.2.3"))
        w.push(ws)
        event = w.push_event(info.full_name)
        first = w.run("tag", {"annotated": True}, event=event, cwd=ws)
        self.assert_tagged(first, info, "v1.2.3", sha)
        tag_object = w.ref(info.full_name, "refs/tags/v1.2.3")
        self.assertNotEqual(tag_object, sha)
        self.assertNotEqual(w.git(ws, "cat-file", "-t", tag_object, check=False), "tag")
        self.assertEqual(w.git(ws, "tag", "-l"), "", "the workspace has no tag")
        for scan in ("push", "since-last-tag"):
            with self.subTest(scan=scan):
                r = w.run("tag", {"scan": scan, "annotated": True}, event=event, cwd=ws)
                self.assertEqual(r.exit_code, 0, r.describe())
                self.assertEqual(r.outputs.get("tagged"), "false", r.describe())
                self.assertEqual(r.mutating, [], r.describe())
                self.assertEqual(r.errors, [])
        self.assertEqual(w.ref(info.full_name, "refs/tags/v1.2.3"), tag_object)

    def test_d_version_comes_from_the_head_not_the_marker_commit(self):
        """A marked 1.2.3 commit then a commit that sets 1.2.4, default target head:
        v1.2.4 on the head, version=1.2.4.
        Break: read the version at the marker commit -> v1.2.3 on the head."""
        w = self.world
        info, ws = self.make(version="1.2.3")
        w.commit(ws, message=release_message("1.2.3"))
        head = w.commit(ws, files={"Cargo.toml": cargo_workspace("1.2.4")}, message="Start 1.2.4\n")
        w.push(ws)
        for scan in ("push", "since-last-tag"):
            with self.subTest(scan=scan):
                r = w.run("tag", {"scan": scan, "dry-run": True}, cwd=ws)
                self.assertEqual(r.exit_code, 0, r.describe())
                plan = json.loads(r.outputs["plan"])
                self.assertEqual((plan["tag"], plan["version"], plan["sha"]), ("v1.2.4", "1.2.4", head), plan)
        r = w.run("tag", cwd=ws)
        self.assert_tagged(r, info, "v1.2.4", head)
        self.assertEqual(r.outputs.get("version"), "1.2.4")
        self.assertEqual(set(self.tags(info)), {"refs/tags/v1.2.4"})

    def test_e_cancelled_release_recovered_in_a_depth_1_clone(self):
        """v1.0.0 exists; the marked 1.1.0 push's run was cancelled; an unmarked push
        follows; a depth-1 checkout with the default scan tags v1.1.0 on the head.
        Break: in a shallow checkout, read only the push range from the compare API
        (not since the last tag) -> nothing tagged."""
        w = self.world
        info, ws = self.make(version="1.0.0")
        old = w.commit(ws, message=release_message("1.0.0"))
        w.push(ws)
        w.call("POST", f"/repos/{info.full_name}/git/refs", {"ref": "refs/tags/v1.0.0", "sha": old})
        marked = w.commit(ws, files={"Cargo.toml": cargo_workspace("1.1.0")}, message=release_message("1.1.0"))
        w.push(ws)  # the tag run of this push was cancelled
        head = w.commit(ws, message="Fix a typo\n")
        w.push(ws)
        event = w.push_event(info.full_name)
        self.assertEqual((event["before"], event["after"]), (marked, head))
        shallow = w.clone(info.full_name, depth=1)
        self.assertEqual(w.git(shallow, "rev-parse", "--is-shallow-repository"), "true")
        r = w.run("tag", event=event, cwd=shallow)
        self.assert_tagged(r, info, "v1.1.0", head)
        self.assertEqual(r.outputs.get("version"), "1.1.0")
        self.assertTrue(r.calls("GET", "/repos/*/compare/*"), r.describe())
        self.assertEqual(set(self.tags(info)), {"refs/tags/v1.0.0", "refs/tags/v1.1.0"})

    def test_f_newest_of_two_markers_wins_through_the_compare_api(self):
        """Two marked commits (1.2.3, then 1.2.4) in one push, read through the compare
        API (depth-1 checkout), target: marker -> v1.2.4 on the newer marker commit.
        Break: scan the compare API's list oldest first -> v1.2.3 on the older one."""
        w = self.world
        info, ws = self.make(version="1.2.3")
        base = w.head(ws)
        w.commit(ws, message=release_message("1.2.3"))
        newer = w.commit(ws, files={"Cargo.toml": cargo_workspace("1.2.4")}, message=release_message("1.2.4"))
        w.commit(ws, message="After both releases\n")
        w.push(ws)
        event = w.push_event(info.full_name)
        self.assertEqual(event["before"], base)
        shallow = w.clone(info.full_name, depth=1)
        for scan in ("push", "since-last-tag"):
            with self.subTest(scan=scan):
                r = w.run("tag", {"scan": scan, "target": "marker", "dry-run": True}, event=event, cwd=shallow)
                self.assertEqual(r.exit_code, 0, r.describe())
                self.assertTrue(r.calls("GET", "/repos/*/compare/*"), r.describe())
                plan = json.loads(r.outputs["plan"])
                self.assertEqual((plan["marker-commit"], plan["tag"], plan["version"]),
                                 (newer, "v1.2.4", "1.2.4"), plan)
        r = w.run("tag", {"scan": "push", "target": "marker"}, event=event, cwd=shallow)
        self.assert_tagged(r, info, "v1.2.4", newer)
        self.assertEqual(r.outputs.get("version"), "1.2.4")

    def test_g_dispatch_of_a_missing_workflow_keeps_the_tag(self):
        """dispatch names a workflow that does not exist: exit 1, one error naming the tag,
        the tag kept, tagged=true, dispatched=false.
        Breaks: (1) a failed dispatch only warns -> exit 0; (2) no outputs written on the
        failure path -> tagged missing."""
        w = self.world
        info, ws = self.make()
        sha = w.commit(ws, message=release_message("1.2.3"))
        w.push(ws)
        r = w.run("tag", {"dispatch": "no-such-workflow.yml"}, cwd=ws)
        self.assertEqual(r.exit_code, 1, r.describe())
        self.assertEqual(len(r.errors), 1, r.describe())
        self.assertIn("v1.2.3", r.errors[0])
        self.assertIn("no-such-workflow.yml", r.errors[0])
        self.assertEqual(w.ref(info.full_name, "refs/tags/v1.2.3"), sha)
        self.assertEqual(r.outputs.get("tagged"), "true", r.describe())
        self.assertEqual(r.outputs.get("dispatched"), "false", r.describe())
        self.assertEqual(r.outputs.get("tag"), "v1.2.3")
        self.assertEqual(w.dispatches(info.full_name), [])
        self.assertEqual(len(r.calls("POST", "/repos/*/actions/workflows/*/dispatches")), 1, r.describe())


if __name__ == "__main__":
    unittest.main()
