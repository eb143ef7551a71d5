"""Mode bump under faults: server errors and resets on the calls it makes,
a push the git server refuses, lost answers that turn into 422 races on
the branch and the pull request, missing permissions and rulesets. Each
case ends either in success or in exit 1 with one clear error, and a
re-run completes the work with nothing duplicated."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from test_bump import BumpCase  # noqa: E402

BRANCH = "ci/bump-to-2.0.0"


class Faults(BumpCase):
    def assert_done_once(self, info, r):
        self.assertEqual(r.exit_code, 0, r.describe())
        head = self.world.ref(info.full_name, f"refs/heads/{BRANCH}")
        self.assertIsNotNone(head)
        self.assertEqual(self.world.git(info.path, "rev-parse", f"{head}^").strip(), info.head)
        pulls = self.world.pulls(info.full_name)
        self.assertEqual(len(pulls), 1, pulls)
        self.assertEqual(pulls[0]["head"], BRANCH)
        return head

    def test_server_errors_on_every_kind_of_call_are_retried(self):
        w = self.world
        info, ws = self.make()
        for method, path in [("GET", "/repos/*/git/ref/*"), ("GET", "/repos/*/pulls"), ("POST", "/repos/*/pulls")]:
            w.fault("status", path, method, origin="api", status=502, times=1)
        w.fault("reset", "/repos/*/git/ref/*", "GET", origin="api", times=1)
        r = self.run_bump(ws)
        self.assert_done_once(info, r)
        self.assertEqual([c["status"] for c in r.calls("POST", "/repos/*/pulls")], [502, 201])

    def test_api_push_survives_server_errors(self):
        w = self.world
        info, ws = self.make()
        for path in ["/repos/*/git/blobs", "/repos/*/git/trees", "/repos/*/git/commits", "/repos/*/git/refs"]:
            w.fault("status", path, "POST", origin="api", status=503, times=1)
        r = self.run_bump(ws, {"push": "api"})
        self.assert_done_once(info, r)

    def test_update_path_survives_server_errors(self):
        """A re-run after main moved: the branch and the PR exist, so the run reads the
        branch's commit, force-updates the ref and updates the PR; every call fails once."""
        w = self.world
        info, ws = self.make()
        first = self.run_bump(ws, {"push": "api", "security-query": "RUSTSEC"})
        self.assert_done_once(info, first)
        w.commit_to(info.full_name, {"README.md": "moved on\n"}, message="docs\n")
        w.add_issue(info.full_name, "RUSTSEC-2026-0002: new")
        for method, path in [("GET", "/repos/*/git/commits/*"), ("PATCH", "/repos/*/git/refs/*"),
                             ("PATCH", "/repos/*/pulls/*"), ("GET", "/search/issues"),
                             ("POST", "/repos/*/git/commits")]:
            w.fault("status", path, method, origin="api", status=500, times=1)
        r = self.run_bump(w.clone(info.full_name, depth=1), {"push": "api", "security-query": "RUSTSEC"})
        self.assertEqual(r.exit_code, 0, r.describe())
        [pr] = w.pulls(info.full_name)
        self.assertIn("RUSTSEC-2026-0002", pr["body"])
        head = w.ref(info.full_name, f"refs/heads/{BRANCH}")
        self.assertEqual(w.git(info.path, "rev-parse", f"{head}^").strip(), w.ref(info.full_name, "refs/heads/main"))
        self.assertEqual(len(r.calls("POST", "/repos/*/pulls")), 0)

    def test_git_server_reset_is_retried(self):
        w = self.world
        info, ws = self.make()
        w.fault("reset", "/*/git-receive-pack", "POST", origin="git", times=1)
        r = self.run_bump(ws)
        self.assert_done_once(info, r)

    def test_push_refused_then_rerun_completes(self):
        w = self.world
        info, ws = self.make()
        w.fault("status", "/*/git-receive-pack", "POST", origin="git", status=500, times=20)
        r = self.run_bump(ws)
        self.assertEqual(r.exit_code, 1, r.describe())
        self.assertEqual(len(r.errors), 1, r.describe())
        self.assertIn("push", r.errors[0])
        self.assertIsNone(w.ref(info.full_name, f"refs/heads/{BRANCH}"))
        self.assertEqual(w.pulls(info.full_name), [])
        w.faults_set.clear()  # the server accepts pushes again
        again = self.run_bump(w.clone(info.full_name, depth=1))
        self.assert_done_once(info, again)

    def test_push_rejected_by_a_hook_is_not_retried(self):
        w = self.world
        info, ws = self.make()
        hook = os.path.join(info.path, "hooks", "pre-receive")
        os.makedirs(os.path.dirname(hook), exist_ok=True)
        with open(hook, "w") as f:
            f.write("#!/bin/sh\necho 'GH013: Repository rule violations found for refs/heads/ci/bump-to-2.0.0.' >&2\nexit 1\n")
        os.chmod(hook, 0o755)
        r = self.run_bump(ws)
        self.assertEqual(r.exit_code, 1, r.describe())
        self.assertEqual(len(r.errors), 1, r.describe())
        self.assertIn("rejected the push", r.errors[0])
        self.assertIn("refs/heads/ci/bump-to-2.0.0", r.errors[0])
        pushes = [q for q in r.requests if q["origin"] == "git" and q["method"] == "POST"]
        self.assertEqual(len(pushes), 1, "a refusal is final: no retry")
        self.assertIsNone(w.ref(info.full_name, f"refs/heads/{BRANCH}"))
        self.assertEqual(w.pulls(info.full_name), [])
        os.remove(hook)
        again = self.run_bump(w.clone(info.full_name, depth=1))
        self.assert_done_once(info, again)

    def test_lost_answer_on_branch_creation_is_looked_up(self):
        w = self.world
        info, ws = self.make()
        w.fault("status", "/repos/*/git/refs", "POST", origin="api", status=502, when="after")
        r = self.run_bump(ws, {"push": "api"})
        head = self.assert_done_once(info, r)
        self.assertEqual([c["status"] for c in r.calls("POST", "/repos/*/git/refs")], [502, 422])
        self.assertEqual(r.outputs["commit"], head)

    def test_lost_answer_on_pr_creation_is_looked_up(self):
        w = self.world
        info, ws = self.make()
        w.fault("status", "/repos/*/pulls", "POST", origin="api", status=502, when="after")
        r = self.run_bump(ws)
        self.assert_done_once(info, r)
        self.assertEqual([c["status"] for c in r.calls("POST", "/repos/*/pulls")], [502, 422])
        self.assertEqual(r.outputs["pr-number"], str(w.pulls(info.full_name)[0]["number"]))

    def test_actions_may_not_create_pull_requests(self):
        w = self.world
        info, ws = self.make()
        w.configure(info.full_name, actions_can_create_prs=False)
        r = self.run_bump(ws)
        self.assertEqual(r.exit_code, 1, r.describe())
        self.assertEqual(len(r.errors), 1, r.describe())
        self.assertIn("Allow GitHub Actions to create and approve pull requests", r.errors[0])
        self.assertIn("Settings > Actions > General", r.errors[0])
        pushed = w.ref(info.full_name, f"refs/heads/{BRANCH}")
        self.assertIsNotNone(pushed)
        w.configure(info.full_name, actions_can_create_prs=True)
        again = self.run_bump(w.clone(info.full_name, depth=1))
        self.assert_done_once(info, again)
        self.assertEqual(w.ref(info.full_name, f"refs/heads/{BRANCH}"), pushed, "no new push")
        self.assertEqual([q for q in again.requests if q["origin"] == "git" and q["method"] == "POST"], [])

    def test_missing_contents_permission(self):
        w = self.world
        info, ws = self.make()
        w.configure(info.full_name, permissions={"contents": "read", "pull_requests": "write"})
        r = self.run_bump(ws, {"push": "api"})
        self.assertEqual(r.exit_code, 1, r.describe())
        self.assertEqual(len(r.errors), 1, r.describe())
        self.assertIn("403", r.errors[0])
        self.assertIn("contents: write", r.errors[0])
        self.assertIsNone(w.ref(info.full_name, f"refs/heads/{BRANCH}"))

    def test_ruleset_refusal_is_named(self):
        w = self.world
        info, ws = self.make()
        w.fault("status", "/repos/*/git/refs", "POST", origin="api", status=422,
                message="Reference update failed", times=1)
        r = self.run_bump(ws, {"push": "api"})
        self.assertEqual(r.exit_code, 1, r.describe())
        self.assertEqual(len(r.errors), 1, r.describe())
        self.assertIn("ruleset", r.errors[0])
        self.assertIsNone(w.ref(info.full_name, f"refs/heads/{BRANCH}"))
        again = self.run_bump(w.clone(info.full_name, depth=1), {"push": "api"})
        self.assert_done_once(info, again)


if __name__ == "__main__":
    unittest.main()
