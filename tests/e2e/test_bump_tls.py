"""Mode bump over HTTPS: the whole bump (API reads, cut branch, a `push: git`
from a depth-1 clone through libgit2, the pull request) against the World
served on https://localhost with the test CA (tests/tls/make-certs), given to
the binary as SSL_CERT_FILE only; and the same run refused, with nothing
changed on the server, when SSL_CERT_FILE names a CA that did not sign it."""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests"))

from harness import DEFAULT_MARKER, E2ETestCase  # noqa: E402

CARGO = '[workspace]\nmembers = ["crates/*"]\n\n[workspace.package]\nversion = "3.1.0"\n'
CRATE = '[package]\nname = "train"\nversion.workspace = true\n'


# the HTTPS world of the TLS proof (a test CA, DNS:localhost), set up the same way
import test_tls  # noqa: E402  (the module: its tests do not run twice)

setUpModule = test_tls.setUpModule
tearDownModule = test_tls.tearDownModule


class BumpOverHTTPS(E2ETestCase):
    @classmethod
    def setUpClass(cls):
        cls.world = test_tls.WORLD

    def make(self):
        info = self.world.create_repo(files={"Cargo.toml": CARGO, "crates/train/Cargo.toml": CRATE})
        return info, self.world.clone(info.full_name, depth=1)

    def test_git_push_and_pull_request_over_https(self):
        w = self.world
        self.assertTrue(w.server_url.startswith("https://localhost"), w.server_url)
        info, ws = self.make()
        r = w.run("bump", {"level": "minor", "cut-branch": "release-{previous-core}"}, cwd=ws,
                  event_name="workflow_dispatch", ref="refs/heads/main")
        self.assertEqual(r.exit_code, 0, r.describe())
        head = w.ref(info.full_name, "refs/heads/ci/bump-to-3.2.0")
        self.assertEqual(r.outputs["commit"], head)
        self.assertIn(DEFAULT_MARKER, w.git(info.path, "log", "-1", "--format=%B", head))
        self.assertEqual(w.ref(info.full_name, "refs/heads/release-3.1.0"), info.head)
        self.assertEqual([p["head"] for p in w.pulls(info.full_name)], ["ci/bump-to-3.2.0"])
        self.assertTrue([q for q in r.requests if q["origin"] == "git" and q["method"] == "POST"])

    def test_a_ca_that_did_not_sign_the_server_is_refused(self):
        w = self.world
        info, ws = self.make()
        other = tempfile.mkdtemp(prefix="rt-bump-tls-other-")
        try:
            subprocess.run([os.path.join(ROOT, "tests", "tls", "make-certs"), other], check=True,
                           stdout=subprocess.DEVNULL)
            r = w.run("bump", {"level": "minor"}, cwd=ws, event_name="workflow_dispatch", ref="refs/heads/main",
                      env={"SSL_CERT_FILE": os.path.join(other, "ca.pem")})
        finally:
            shutil.rmtree(other, ignore_errors=True)
        self.assertEqual(r.exit_code, 1, r.describe())
        self.assertEqual(len(r.errors), 1, r.describe())
        self.assertIsNone(w.ref(info.full_name, "refs/heads/ci/bump-to-3.2.0"))
        self.assertEqual(w.pulls(info.full_name), [])
        self.assertEqual(r.api_requests, [], "no request may reach the API over an unverified connection")


if __name__ == "__main__":
    unittest.main()
