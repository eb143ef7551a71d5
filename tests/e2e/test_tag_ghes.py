"""Mode tag against GitHub Enterprise Server (issue 10, item 5).

The harness in its GHES shape (World(ghes=True): the API under /api/v3,
uploads under /api/uploads), with only what a GHES runner sets:
GITHUB_API_URL=https://HOST/api/v3 style and GITHUB_SERVER_URL. Every API
request must carry the /api/v3 prefix (the front answers 404 to any
other path, which would fail the run).
"""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from harness import GhesWorld  # noqa: E402
from test_tag import TagCase, cargo_workspace, release_message  # noqa: E402


class TagOnGhes(GhesWorld, TagCase):
    def assert_all_under_api_v3(self, r):
        # The GHES front answers 404 to any path outside /api/v3 without passing it on (and
        # without logging it), so a run that succeeded and logged its requests used the prefix;
        # the only 404 a tag run expects is "the tag does not exist yet".
        self.assertTrue(r.api_requests, r.describe())
        for req in r.api_requests:
            if req["status"] == 404:
                self.assertRegex(req["path"], r"^/repos/[^/]+/[^/]+/git/ref/tags/", r.describe())

    def test_the_shape(self):
        """The API lives under /api/v3 only: a client that dropped the prefix would fail."""
        w = self.world
        self.assertTrue(w.api_url.endswith("/api/v3"), w.api_url)
        info, ws = self.make()
        w.commit(ws, message=release_message("1.2.3"))
        w.push(ws)
        r = w.run("tag", {"dry-run": True}, cwd=ws, env={"GITHUB_API_URL": w.api_url[:-len("/api/v3")]})
        self.assertEqual(r.exit_code, 1, r.describe())
        self.assertIn("404", r.errors[0])
        self.assertEqual(r.api_requests, [], "nothing outside /api/v3 reaches the API")

    def test_main_path_annotated_with_dispatch(self):
        w = self.world
        info, ws = self.make(files={"Cargo.toml": cargo_workspace("1.2.3"),
                                    ".github/workflows/release.yml": "on: [workflow_dispatch]\n"})
        sha = w.commit(ws, message=release_message("1.2.3"))
        w.push(ws)
        r = w.run("tag", {"annotated": True, "dispatch": "release.yml"}, cwd=ws)
        self.assert_tagged(r, info, "v1.2.3", sha)
        self.assertEqual(r.outputs.get("dispatched"), "true")
        self.assertEqual([d["ref"] for d in w.dispatches(info.full_name)], ["v1.2.3"])
        self.assert_all_under_api_v3(r)
        again = w.run("tag", {"annotated": True}, cwd=ws)
        self.assertEqual((again.exit_code, again.outputs.get("tagged")), (0, "false"), again.describe())
        self.assertEqual(again.mutating, [])

    def test_shallow_checkout_reads_the_compare_and_contents_api(self):
        w = self.world
        info, ws = self.make(version="2.0.0")
        w.push(ws)
        marked = w.commit(ws, message=release_message("2.0.0"))
        w.commit(ws, message="After the release commit\n")
        w.push(ws)
        event = w.push_event(info.full_name)
        shallow = w.clone(info.full_name, depth=1)
        r = w.run("tag", {"target": "marker", "scan": "push"}, event=event, cwd=shallow)
        self.assert_tagged(r, info, "v2.0.0", marked)
        self.assertTrue(r.calls("GET", "/repos/*/compare/*"), r.describe())
        self.assertTrue(r.calls("GET", "/repos/*/contents/*"), r.describe())
        self.assert_all_under_api_v3(r)

    def test_terminal_dry_run_with_a_ghes_origin(self):
        w = self.world
        info, ws = self.make()
        sha = w.commit(ws, message=release_message("1.2.3"))
        w.push(ws)
        w.git(ws, "remote", "set-url", "origin", f"git@ghe.example.com:{info.full_name}.git")
        r = w.run("tag", {"dry-run": True}, cwd=ws, actions=False,
                  env={"GITHUB_REPOSITORY": None, "GITHUB_SERVER_URL": None, "GITHUB_GRAPHQL_URL": None,
                       "GITHUB_TOKEN": w.token})
        self.assertEqual(r.exit_code, 0, r.describe())
        plan = [json.loads(line[6:]) for line in r.stdout.splitlines() if line.startswith("plan: {")][0]
        self.assertEqual((plan["tag"], plan["sha"]), ("v1.2.3", sha))
        self.assert_all_under_api_v3(r)


if __name__ == "__main__":
    unittest.main()
