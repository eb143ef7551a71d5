"""TLS end to end: the binary verifies servers against SSL_CERT_FILE, both
for its API requests (libcurl) and for its git pushes (libgit2).

Servers: the harness's World over HTTPS (World(ssl_context=..., ca_file=...)):
the git server (git http-backend, Basic auth x-access-token), the fake API
(behind its front and Prism, as in every suite) and the upload origin, on
https://localhost with a certificate for DNS:localhost from
tests/tls/make-certs (libgit2's mbedTLS 2.28 does not match IP SANs). run() gives the
binary SSL_CERT_FILE=ca_file and nothing else of the machine's. Each check
runs once with SSL_CERT_FILE naming the test CA (must work) and twice where
it must fail, saying that TLS verification failed, with no request reaching
a server: SSL_CERT_FILE naming a CA that did not sign the server, and no
SSL_CERT_FILE (the system bundle). In both, CURL_CA_BUNDLE and
GIT_SSL_CAINFO name the right CA, which proves the binary reads only
SSL_CERT_FILE.

- API: the real `tag` mode in dry run, whose tag lookups go to the fake
  API over HTTPS.
- push: tls-probe (tests/tls/tls_probe.c), which links the same library
  objects as the binary and calls rt_repo_push once, against the World's
  git server. It is found beside BIN (build/tls-probe,
  build/static/tls-probe).
- rt_http_send alone: tls-probe get, one GET of the fake API.

Environment: BIN, the binary under test (default build/release-train).
"""

import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests"))

from harness import DEFAULT_MARKER, E2ETestCase, World, binary_path  # noqa: E402

PROBE = os.path.join(os.path.dirname(binary_path()), "tls-probe")
REPO = "octo/train"

CERTS = None  # the test PKI of tests/tls/make-certs, made by setUpModule
WORLD = None  # one World over HTTPS for the module


def setUpModule():
    global CERTS, WORLD
    CERTS = tempfile.mkdtemp(prefix="rt-tls-")
    subprocess.run([os.path.join(ROOT, "tests", "tls", "make-certs"), CERTS], check=True)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(CERTS, "server.pem"), os.path.join(CERTS, "server.key"))
    WORLD = World(ssl_context=ctx, ca_file=os.path.join(CERTS, "ca.pem")).start()


def tearDownModule():
    if WORLD is not None:
        WORLD.close()
    shutil.rmtree(CERTS, ignore_errors=True)


def executable(path):
    return os.path.isfile(path) and os.access(path, os.X_OK)


class TLSTestCase(E2ETestCase):
    @classmethod
    def setUpClass(cls):
        # Not World.shared(): this module's world serves HTTPS.
        cls.world = WORLD

    def release_workspace(self, push=True):
        """octo/train at 1.2.2 on the server; a clone whose last commit, 1.2.3, carries the marker."""
        w = self.world
        w.create_repo(REPO, files={"VERSION": "1.2.2\n"}, message="Start")
        ws = w.clone(REPO)
        self.release_sha = w.commit(ws, files={"VERSION": "1.2.3\n"},
                                    message=f"Release 1.2.3\n\n{DEFAULT_MARKER}\n")
        if push:
            w.push(ws)
        return ws

    def printed(self, r):
        """What the run printed, but the ::add-mask:: line that hands the token to the runner."""
        return "\n".join(line for line in (r.stdout + r.stderr).split("\n") if not line.startswith("::add-mask::"))

    def wrong_ca_envs(self):
        """(label, env) pairs under which verification must fail."""
        ca = self.world.ca_file
        return [
            ("SSL_CERT_FILE names an unrelated CA",
             {"SSL_CERT_FILE": os.path.join(CERTS, "other-ca.pem"), "CURL_CA_BUNDLE": ca, "GIT_SSL_CAINFO": ca}),
            ("no SSL_CERT_FILE: the system bundle",
             {"SSL_CERT_FILE": None, "CURL_CA_BUNDLE": ca, "GIT_SSL_CAINFO": ca}),
        ]


class ApiOverTLS(TLSTestCase):
    """tag mode's API requests (libcurl with CURLOPT_CAINFO)."""

    def setUp(self):
        # One skip per test, not one per subtest (run() skips too, unless RT_E2E_REQUIRE_BIN=1).
        if not executable(binary_path()) and os.environ.get("RT_E2E_REQUIRE_BIN") != "1":
            self.skipTest("BIN %s is not built" % binary_path())
        super().setUp()

    def test_tag_dry_run_with_the_test_ca(self):
        ws = self.release_workspace()
        r = self.world.run("tag", {"dry-run": True, "max-retries": 0}, cwd=ws)
        self.assertEqual(r.exit_code, 0, r.describe())
        self.assertIn("v1.2.3", r.stdout)
        self.assertEqual(r.outputs["tag"], "v1.2.3")
        lookups = r.calls("GET", f"/repos/{REPO}/git/*", origin="api")
        self.assertTrue(lookups, "no API request reached the TLS server:\n" + r.describe())
        for req in r.api_requests:
            self.assertEqual(req["auth"], "token", "request without the token: %s" % req)
        self.assertNotIn(self.world.token, self.printed(r))

    def test_tag_dry_run_with_a_wrong_ca_fails_clearly(self):
        ws = self.release_workspace()
        for label, env in self.wrong_ca_envs():
            with self.subTest(label):
                r = self.world.run("tag", {"dry-run": True, "max-retries": 0}, cwd=ws, env=env)
                self.assertEqual(r.exit_code, 1, r.describe())
                self.assertIn("TLS verification failed", r.stdout + r.stderr)
                self.assertIn("SSL_CERT_FILE", r.stdout + r.stderr)
                self.assertEqual(r.requests, [], "a request got through an unverified connection")


class ProbeTestCase(TLSTestCase):
    def setUp(self):
        if not executable(PROBE):
            self.skipTest("%s is not built (make builds build/tls-probe, make static "
                          "build/static/tls-probe, once src/http.c and src/repo.c link)" % PROBE)
        super().setUp()

    def probe(self, ws, *args, env=None, token=None):
        """tls-probe ARGS on a terminal, PROBE_TOKEN the world's token (or `token`)."""
        env = dict(env or {}, PROBE_TOKEN=token or self.world.token)
        return self.world.run(args=list(args), actions=False, binary=PROBE, cwd=ws, env=env)


class HttpSendOverTLS(ProbeTestCase):
    """rt_http_send itself, one GET: independent of any mode."""

    def url(self):
        return f"{self.world.api_url}/repos/{REPO}"

    def test_get_with_the_test_ca(self):
        ws = self.release_workspace(push=False)
        r = self.probe(ws, "get", self.url())
        self.assertEqual(r.exit_code, 0, r.describe())
        self.assertIn("status 200", r.stdout)

    def test_get_with_a_wrong_ca_fails_clearly(self):
        ws = self.release_workspace(push=False)
        for label, env in self.wrong_ca_envs():
            with self.subTest(label):
                r = self.probe(ws, "get", self.url(), env=env)
                self.assertEqual(r.exit_code, 1, r.describe())
                self.assertIn("TLS verification failed", r.stdout + r.stderr)
                self.assertEqual(r.requests, [])


class GitPushOverTLS(ProbeTestCase):
    """rt_repo_push: libgit2 over HTTPS with GIT_OPT_SET_SSL_CERT_LOCATIONS."""

    def push(self, ws, env=None, token=None, refspec="refs/heads/main:refs/heads/ci/bump"):
        return self.probe(ws, "push", ws, self.world.git_server.repo_url(REPO), refspec, env=env, token=token)

    def test_push_with_the_test_ca(self):
        ws = self.release_workspace(push=False)
        r = self.push(ws)
        self.assertEqual(r.exit_code, 0, r.describe())
        self.assertEqual(self.world.ref(REPO, "refs/heads/ci/bump"), self.release_sha)
        self.assertNotIn(self.world.token, r.stdout + r.stderr)

    def test_push_with_a_wrong_ca_fails_clearly(self):
        ws = self.release_workspace(push=False)
        for label, env in self.wrong_ca_envs():
            with self.subTest(label):
                r = self.push(ws, env)
                self.assertEqual(r.exit_code, 1, r.describe())
                self.assertRegex(r.stdout + r.stderr, r"(?i)certificate")
                self.assertEqual(r.requests, [])
                self.assertIsNone(self.world.ref(REPO, "refs/heads/ci/bump"))

    def test_push_with_a_wrong_token_is_refused(self):
        ws = self.release_workspace(push=False)
        r = self.push(ws, token="ghs_notTheRightToken")
        self.assertEqual(r.exit_code, 1, r.describe())
        self.assertIn("refused the token", r.stdout + r.stderr)
        self.assertNotIn("ghs_notTheRightToken", r.stdout + r.stderr)
        self.assertIsNone(self.world.ref(REPO, "refs/heads/ci/bump"))


if __name__ == "__main__":
    unittest.main()
