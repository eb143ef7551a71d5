"""Mode bump against GitHub Enterprise Server's URL shape (/api/v3), with
only GITHUB_API_URL and GITHUB_SERVER_URL set, as a GHES runner sets them:
both push methods, the pull request, and an idempotent re-run."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import DEFAULT_MARKER, E2ETestCase, GhesWorld  # noqa: E402
from test_bad_inputs import WORKSPACE  # noqa: E402


class BumpOnGhes(GhesWorld, E2ETestCase):
    def test_bump_pushes_and_opens_the_pull_request(self):
        w = self.world
        self.assertTrue(w.api_url.endswith("/api/v3"), w.api_url)
        for push in ("git", "api"):
            with self.subTest(push=push):
                info = w.create_repo(files=dict(WORKSPACE))
                ws = w.clone(info.full_name, depth=1)
                r = w.run("bump", {"level": "minor", "push": push}, event_name="workflow_dispatch", cwd=ws)
                self.assertEqual(r.exit_code, 0, r.describe())
                # the GHES world answers 404 outside /api/v3 (test_tag_ghes proves it): these worked
                self.assertTrue(r.env["GITHUB_API_URL"].endswith("/api/v3"))
                head = w.ref(info.full_name, "refs/heads/ci/bump-to-1.3.0")
                self.assertIn(DEFAULT_MARKER, w.git(info.path, "log", "-1", "--format=%B", head))
                [pr] = w.pulls(info.full_name)
                self.assertEqual((pr["head"], pr["base"]), ("ci/bump-to-1.3.0", "main"))
                fresh = w.clone(info.full_name, depth=1)  # a re-run of the job checks out anew
                again = w.run("bump", {"level": "minor", "push": push}, event_name="workflow_dispatch", cwd=fresh)
                self.assertEqual(again.exit_code, 0, again.describe())
                self.assertEqual(again.mutating, [])


if __name__ == "__main__":
    unittest.main()
