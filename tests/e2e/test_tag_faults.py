"""Mode tag under faults: bad credentials, missing permissions, transient
failures, lost responses, rate limits and malformed events. Every case
checks that nothing is half-done: the tag exists exactly when the run says
so, and a re-run completes the work."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from harness import E2ETestCase  # noqa: E402
from test_tag import TagCase, release_message  # noqa: E402


class Faults(TagCase):
    def released_repo(self):
        info, ws = self.make()
        sha = self.world.commit(ws, message=release_message("1.2.3"))
        self.world.push(ws)
        return info, ws, sha

    def test_bad_credentials(self):
        info, ws, _ = self.released_repo()
        r = self.world.run("tag", {"token": "ghs_expired0000000000000000000000000000"}, cwd=ws)
        self.assertEqual(r.exit_code, 1, r.describe())
        self.assertEqual(len(r.errors), 1, r.describe())
        self.assertIn("401", r.errors[0])
        self.assertIn("Bad credentials", r.errors[0])
        shown = [line for line in (r.stdout + r.stderr).splitlines() if not line.startswith("::add-mask::")]
        self.assertNotIn("ghs_expired", "\n".join(shown))
        self.assertEqual(r.stdout.count("::add-mask::"), 1, "masked once, before anything else")
        self.assertTrue(r.stdout.startswith("::add-mask::"))
        self.assertEqual(self.tags(info), {})

    def test_missing_contents_write_permission(self):
        info, ws, _ = self.released_repo()
        self.world.configure(info.full_name, permissions={"contents": "read"})
        r = self.world.run("tag", cwd=ws)
        self.assertEqual(r.exit_code, 1, r.describe())
        self.assertEqual(len(r.errors), 1, r.describe())
        self.assertIn("403", r.errors[0])
        self.assertIn("contents: write", r.errors[0])
        self.assertIn("Resource not accessible by integration", r.errors[0])
        self.assertEqual(self.tags(info), {})
        self.world.configure(info.full_name, permissions={"contents": "write"})
        again = self.world.run("tag", cwd=ws)  # the re-run completes the work
        self.assertEqual(again.outputs.get("tagged"), "true", again.describe())

    def test_server_errors_then_success(self):
        info, ws, sha = self.released_repo()
        fault = self.world.fault("status", "/repos/*/git/refs", "POST", origin="api", status=502, times=2)
        r = self.world.run("tag", cwd=ws)
        self.assert_tagged_after_retries(r, info, sha, 3)
        self.assertEqual(fault.hits, 2)

    def assert_tagged_after_retries(self, r, info, sha, attempts):
        self.assertEqual(r.exit_code, 0, r.describe())
        self.assertEqual(r.outputs.get("tagged"), "true", r.describe())
        self.assertEqual(len(self.ref_posts(r)), attempts, r.describe())
        self.assertEqual(self.world.ref(info.full_name, "refs/tags/v1.2.3"), sha)

    def test_lost_response_after_the_tag_was_made(self):
        info, ws, sha = self.released_repo()
        # GitHub made the ref but the answer was lost: the retry gets 422 "Reference already
        # exists", which is looked up and found on the same commit.
        self.world.fault("status", "/repos/*/git/refs", "POST", origin="api", status=502, when="after")
        r = self.world.run("tag", cwd=ws)
        self.assertEqual(r.exit_code, 0, r.describe())
        self.assertEqual(self.world.ref(info.full_name, "refs/tags/v1.2.3"), sha)
        statuses = [c["status"] for c in self.ref_posts(r)]
        self.assertEqual(statuses, [502, 422], r.describe())

    def test_connection_reset_is_retried(self):
        info, ws, sha = self.released_repo()
        self.world.fault("reset", "/repos/*/git/ref/*", "GET", origin="api", times=1)
        r = self.world.run("tag", cwd=ws)
        self.assertEqual(r.exit_code, 0, r.describe())
        self.assertEqual(self.world.ref(info.full_name, "refs/tags/v1.2.3"), sha)

    def test_secondary_rate_limit_is_honoured(self):
        info, ws, sha = self.released_repo()
        self.world.fault("secondary_rate_limit", "/repos/*/git/refs", "POST", origin="api", retry_after=1)
        r = self.world.run("tag", cwd=ws)
        self.assert_tagged_after_retries(r, info, sha, 2)
        self.assertGreaterEqual(r.duration, 1.0, "retry-after must be waited for")

    def test_primary_rate_limit_far_in_the_future_fails_at_once(self):
        info, ws, _ = self.released_repo()
        self.world.fault("rate_limit", "/repos/*/git/refs", "POST", origin="api", reset_in=3600, times=10)
        r = self.world.run("tag", cwd=ws)
        self.assertEqual(r.exit_code, 1, r.describe())
        self.assertLess(r.duration, 30)
        self.assertIn("rate limit", r.errors[0].lower())
        self.assertEqual(self.tags(info), {})

    def test_server_errors_beyond_the_retries(self):
        info, ws, _ = self.released_repo()
        self.world.fault("status", "/repos/*/git/refs", "POST", origin="api", status=503, times=10)
        r = self.world.run("tag", {"max-retries": 2}, cwd=ws)
        self.assertEqual(r.exit_code, 1, r.describe())
        self.assertEqual(len(self.ref_posts(r)), 3, r.describe())
        self.assertIn("503", r.errors[0])
        self.assertEqual(self.tags(info), {})

    def test_malformed_event_json(self):
        info, ws, _ = self.released_repo()
        bad = os.path.join(self.world.tmp, "bad-event.json")
        with open(bad, "w") as f:
            f.write('{"before": "abc", "after": ')
        r = self.world.run("tag", cwd=ws, env={"GITHUB_EVENT_PATH": bad})
        self.assertEqual(r.exit_code, 2, r.describe())
        self.assertEqual(len(r.errors), 1, r.describe())
        self.assertIn("bad-event.json", r.stdout)
        self.assertEqual(r.mutating, [])
        self.assertEqual(self.tags(info), {})

    def test_not_a_repository(self):
        info, ws, _ = self.released_repo()
        r = self.world.run("tag", {"working-directory": "no-such-dir"}, cwd=ws)
        self.assertEqual(r.exit_code, 2, r.describe())
        self.assertIn("not a git repository", r.errors[0])

    def test_token_is_never_written_to_the_repository(self):
        info, ws, _ = self.released_repo()
        r = self.world.run("tag", {"annotated": True}, cwd=ws)
        self.assertEqual(r.exit_code, 0, r.describe())
        self.world.check_secrets(r)  # stdout, outputs, summary and every file under .git
        with open(os.path.join(ws, ".git", "config")) as f:
            self.assertNotIn(self.world.token, f.read())


if __name__ == "__main__":
    unittest.main()
