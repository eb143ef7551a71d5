"""Token hygiene in modes bump and release (issue 10, item 5; mode tag is
tests/e2e/test_transport.py): with RUNNER_DEBUG=1 and libcurl's trace on
(RELEASE_TRAIN_CURL_VERBOSE=1), on success and on failure paths, the token
appears in no output line, no output, no summary and no file under .git or
HOME (the harness checks those on every run, and this module checks the
trace itself); a plain-http API URL is refused before any request; the
token is sent to no origin but the API, the upload origin and the git
server."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import E2ETestCase  # noqa: E402
import test_transport  # noqa: E402  (the module, not its test class: nothing runs twice)
from test_bad_inputs import WORKSPACE  # noqa: E402

VERBOSE = test_transport.VERBOSE


class Hygiene(E2ETestCase):
    def assert_clean(self, r, token=None):
        # the trace is on and shows no token (the same check as mode tag's), and
        # every request that carried the token went to GitHub's own origins
        test_transport.Transport.assert_verbose_and_clean(self, r, token)
        for req in r.requests:
            if req.get("auth") not in (None, "none"):
                self.assertIn(req["origin"], ("api", "upload", "git"), req)

    def bump_ws(self):
        info = self.world.create_repo(files=dict(WORKSPACE))
        return info, self.world.clone(info.full_name, depth=1)

    def release_ws(self):
        info = self.world.create_repo(files=dict(WORKSPACE))
        ws = self.world.clone(info.full_name, depth=1)
        self.world.call("POST", f"/repos/{info.full_name}/git/refs", {"ref": "refs/tags/v1.2.3", "sha": info.head})
        os.makedirs(os.path.join(ws, "dist"))
        with open(os.path.join(ws, "dist", "demo.tar.gz"), "wb") as f:
            f.write(os.urandom(50_000))
        return info, ws

    def release(self, ws, inputs=None, **kw):
        return self.world.run("release", {"files": "dist/*", **(inputs or {})}, cwd=ws, ref="refs/tags/v1.2.3",
                              event={"ref": "refs/tags/v1.2.3"}, event_name="push", **kw)

    def test_bump_verbose_push_git_and_api(self):
        for push in ("git", "api"):
            with self.subTest(push=push):
                info, ws = self.bump_ws()
                r = self.world.run("bump", {"level": "minor", "push": push}, event_name="workflow_dispatch",
                                   cwd=ws, env=VERBOSE)
                self.assertEqual(r.exit_code, 0, r.describe())
                self.assertTrue(self.world.ref(info.full_name, "refs/heads/ci/bump-to-1.3.0"))
                self.assert_clean(r)

    def test_bump_verbose_failures(self):
        info, ws = self.bump_ws()
        self.world.fault("status", "/repos/*/pulls", "POST", origin="api", status=502, times=10)
        r = self.world.run("bump", {"level": "minor", "max-retries": 1}, event_name="workflow_dispatch",
                           cwd=ws, env=VERBOSE)
        self.assertEqual(r.exit_code, 1, r.describe())
        self.assert_clean(r)
        bad = "ghs_rejected00000000000000000000000000000"
        info, ws = self.bump_ws()
        r = self.world.run("bump", {"level": "minor", "token": bad}, event_name="workflow_dispatch", cwd=ws,
                           env=VERBOSE)
        self.assertEqual(r.exit_code, 1, r.describe())
        self.assert_clean(r, token=bad)

    def test_release_verbose_success_and_failures(self):
        info, ws = self.release_ws()
        r = self.release(ws, {"checksums": "SHA256SUMS"}, env=VERBOSE)
        self.assertEqual(r.exit_code, 0, r.describe())
        self.assertTrue(r.calls("POST", "*", origin="upload"), "an upload happened")
        self.assert_clean(r)
        info, ws = self.release_ws()
        self.world.fault("status", "/repos/*/releases/*/assets", "POST", origin="upload", status=502, times=20)
        r = self.release(ws, {"max-retries": 1}, env=VERBOSE)
        self.assertEqual(r.exit_code, 1, r.describe())
        self.assert_clean(r)

    def test_plain_http_api_url_is_refused_in_every_mode(self):
        info, ws = self.release_ws()
        url = "http://api.example.com"
        for mode, run in (("bump", lambda: self.world.run("bump", {"level": "minor"}, event_name="workflow_dispatch",
                                                          cwd=ws, env={"GITHUB_API_URL": url})),
                          ("release", lambda: self.release(ws, env={"GITHUB_API_URL": url}))):
            with self.subTest(mode=mode):
                r = run()
                self.assertEqual(r.exit_code, 2, r.describe())
                self.assertEqual(len(r.errors), 1, r.describe())
                self.assertIn("GITHUB_API_URL", r.errors[0])
                self.assertEqual(r.requests, [], "refused before any request")


if __name__ == "__main__":
    unittest.main()
