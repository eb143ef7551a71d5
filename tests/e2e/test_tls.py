"""TLS end to end: the binary verifies servers against SSL_CERT_FILE, both
for its API requests (libcurl) and for its git pushes (libgit2).

Servers: tests/tls/tls_servers.py on https://localhost (a certificate for
DNS:localhost from tests/tls/make-certs; mbedTLS 2.28 does not match IP
SANs). Each check runs once with SSL_CERT_FILE naming the test CA (must
work) and once with a CA that did not sign the server (must fail, saying
that TLS verification failed). In the failing case CURL_CA_BUNDLE and
GIT_SSL_CAINFO name the right CA, which proves the binary reads only
SSL_CERT_FILE (this machine exports all three: every run here sets its own).

- API: the real `tag` mode in dry-run, whose lookup of the tag goes to a
  TLS front standing in for GitHub.
- push: tls-probe (tests/tls/tls_probe.c), which links the same library
  objects as the binary and calls rt_repo_push once, against
  `git http-backend` behind HTTPS with Basic auth (x-access-token). It is
  found beside BIN (build/tls-probe, build/static/tls-probe).

Environment: BIN, the binary under test (default build/release-train).
"""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "tls"))

from tls_servers import ApiServer, GitServer  # noqa: E402

BIN = os.path.abspath(os.path.join(ROOT, os.environ.get("BIN", "build/release-train")))
PROBE = os.path.join(os.path.dirname(BIN), "tls-probe")
TOKEN = "ghs_tlsTestToken0123456789"
MARKER = "[automatically-tag-and-release-this-commit]"

# Variables that would let the machine's own settings decide the outcome.
SCRUBBED = ("SSL_CERT_FILE", "SSL_CERT_DIR", "CURL_CA_BUNDLE", "GIT_SSL_CAINFO",
            "GIT_SSL_CAPATH", "HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy",
            "ALL_PROXY", "all_proxy", "GITHUB_ACTIONS", "GITHUB_OUTPUT",
            "GITHUB_STEP_SUMMARY", "GITHUB_EVENT_PATH", "GITHUB_EVENT_NAME", "RUNNER_DEBUG")


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED and not k.startswith("INPUT_")}
    env.update({"NO_PROXY": "localhost,127.0.0.1", "no_proxy": "localhost,127.0.0.1",
                "RELEASE_TRAIN_BACKOFF_MS": "10", "GIT_CONFIG_NOSYSTEM": "1"})
    env.update(extra)
    return env


def git(*args, cwd=None):
    env = clean_env(GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com",
                    GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com")
    out = subprocess.run(["git", *args], cwd=cwd, env=env, check=True,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return out.stdout.strip()


def executable(path):
    return os.path.isfile(path) and os.access(path, os.X_OK)


class TLSTestCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="rt-tls-")
        cls.certs = os.path.join(cls.tmp, "certs")
        subprocess.run([os.path.join(ROOT, "tests", "tls", "make-certs"), cls.certs], check=True)
        cls.ca = os.path.join(cls.certs, "ca.pem")
        cls.other_ca = os.path.join(cls.certs, "other-ca.pem")
        cls.cert = os.path.join(cls.certs, "server.pem")
        cls.key = os.path.join(cls.certs, "server.key")
        # A work tree whose last commit carries the marker, at version 1.2.3.
        cls.work = os.path.join(cls.tmp, "work")
        git("init", "-q", "-b", "main", cls.work)
        with open(os.path.join(cls.work, "VERSION"), "w") as f:
            f.write("1.2.2\n")
        git("add", "VERSION", cwd=cls.work)
        git("commit", "-q", "-m", "Start", cwd=cls.work)
        cls.before = git("rev-parse", "HEAD", cwd=cls.work)
        with open(os.path.join(cls.work, "VERSION"), "w") as f:
            f.write("1.2.3\n")
        git("commit", "-q", "-a", "-m", "Release 1.2.3\n\n" + MARKER, cwd=cls.work)
        cls.after = git("rev-parse", "HEAD", cwd=cls.work)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def run_cmd(self, argv, env, cwd=None):
        p = subprocess.run(argv, env=env, cwd=cwd or self.tmp, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=120)
        return p.returncode, p.stdout

    def wrong_ca_envs(self):
        """(label, env) pairs under which verification must fail."""
        return [
            ("SSL_CERT_FILE names an unrelated CA",
             clean_env(SSL_CERT_FILE=self.other_ca, CURL_CA_BUNDLE=self.ca, GIT_SSL_CAINFO=self.ca)),
            ("no SSL_CERT_FILE: the system bundle",
             clean_env(CURL_CA_BUNDLE=self.ca, GIT_SSL_CAINFO=self.ca)),
        ]


class ApiOverTLS(TLSTestCase):
    """tag mode's API requests (libcurl with CURLOPT_CAINFO)."""

    def setUp(self):
        if not executable(BIN):
            self.skipTest("BIN %s is not built" % BIN)

    def tag_env(self, api, env):
        env = dict(env)
        env.update({
            "INPUT_MODE": "tag", "INPUT_DRY-RUN": "true", "INPUT_TOKEN": TOKEN,
            "INPUT_SCAN": "push", "INPUT_BEFORE": self.before, "INPUT_AFTER": self.after,
            "INPUT_MAX-RETRIES": "0",
            "GITHUB_REPOSITORY": "octo/train", "GITHUB_API_URL": api.url,
            "GITHUB_SERVER_URL": api.url, "GITHUB_WORKSPACE": self.work,
            "GITHUB_REF": "refs/heads/main",
        })
        return env

    def test_tag_dry_run_with_the_test_ca(self):
        with ApiServer(self.cert, self.key) as api:
            status, out = self.run_cmd([BIN], self.tag_env(api, clean_env(SSL_CERT_FILE=self.ca)),
                                       cwd=self.work)
            requests = list(api.requests)
        self.assertEqual(status, 0, out)
        self.assertIn("v1.2.3", out)
        lookups = [r for r in requests if "/repos/octo/train/git/" in r["path"]]
        self.assertTrue(lookups, "no API request reached the TLS server:\n" + out)
        for r in requests:
            self.assertIn(TOKEN, r["authorization"] or "", "request without the token: %s" % r)
        self.assertNotIn(TOKEN, out)

    def test_tag_dry_run_with_a_wrong_ca_fails_clearly(self):
        for label, env in self.wrong_ca_envs():
            with self.subTest(label):
                with ApiServer(self.cert, self.key) as api:
                    status, out = self.run_cmd([BIN], self.tag_env(api, env), cwd=self.work)
                    requests = list(api.requests)
                self.assertEqual(status, 1, out)
                self.assertIn("TLS verification failed", out)
                self.assertIn("SSL_CERT_FILE", out)
                self.assertEqual(requests, [], "a request got through an unverified connection")


class ProbeTestCase(TLSTestCase):
    def setUp(self):
        if not executable(PROBE):
            self.skipTest("%s is not built (make builds build/tls-probe, make static "
                          "build/static/tls-probe, once src/http.c and src/repo.c link)" % PROBE)


class HttpSendOverTLS(ProbeTestCase):
    """rt_http_send itself, one GET: independent of any mode."""

    def test_get_with_the_test_ca(self):
        with ApiServer(self.cert, self.key, {("GET", "/probe"): (200, {"ok": True})}) as api:
            status, out = self.run_cmd([PROBE, "get", api.url + "/probe"],
                                       clean_env(SSL_CERT_FILE=self.ca))
        self.assertEqual(status, 0, out)
        self.assertIn("status 200", out)

    def test_get_with_a_wrong_ca_fails_clearly(self):
        for label, env in self.wrong_ca_envs():
            with self.subTest(label):
                with ApiServer(self.cert, self.key, {("GET", "/probe"): (200, {})}) as api:
                    status, out = self.run_cmd([PROBE, "get", api.url + "/probe"], env)
                    requests = list(api.requests)
                self.assertEqual(status, 1, out)
                self.assertIn("TLS verification failed", out)
                self.assertEqual(requests, [])


class GitPushOverTLS(ProbeTestCase):
    """rt_repo_push: libgit2 over HTTPS with GIT_OPT_SET_SSL_CERT_LOCATIONS."""

    def setUp(self):
        super().setUp()
        self.root = tempfile.mkdtemp(prefix="git-", dir=self.tmp)
        git("init", "-q", "--bare", os.path.join(self.root, "train.git"))

    def push(self, server, env, refspec="refs/heads/main:refs/heads/ci/bump"):
        env = dict(env, PROBE_TOKEN=env.get("PROBE_TOKEN", TOKEN))
        return self.run_cmd([PROBE, "push", self.work, server.url + "/train.git", refspec], env)

    def remote_ref(self, ref):
        p = subprocess.run(["git", "--git-dir", os.path.join(self.root, "train.git"),
                            "rev-parse", "--verify", "-q", ref],
                           stdout=subprocess.PIPE, text=True, env=clean_env())
        return p.stdout.strip() or None

    def test_push_with_the_test_ca(self):
        with GitServer(self.cert, self.key, self.root, TOKEN) as server:
            status, out = self.push(server, clean_env(SSL_CERT_FILE=self.ca))
        self.assertEqual(status, 0, out)
        self.assertEqual(self.remote_ref("refs/heads/ci/bump"), self.after)
        self.assertNotIn(TOKEN, out)

    def test_push_with_a_wrong_ca_fails_clearly(self):
        for label, env in self.wrong_ca_envs():
            with self.subTest(label):
                with GitServer(self.cert, self.key, self.root, TOKEN) as server:
                    status, out = self.push(server, env)
                    requests = list(server.requests)
                self.assertEqual(status, 1, out)
                self.assertRegex(out, r"(?i)certificate")
                self.assertEqual(requests, [])
                self.assertIsNone(self.remote_ref("refs/heads/ci/bump"))

    def test_push_with_a_wrong_token_is_refused(self):
        with GitServer(self.cert, self.key, self.root, TOKEN) as server:
            status, out = self.push(server, clean_env(SSL_CERT_FILE=self.ca,
                                                      PROBE_TOKEN="ghs_notTheRightToken"))
        self.assertEqual(status, 1, out)
        self.assertIn("refused the token", out)
        self.assertNotIn("ghs_notTheRightToken", out)
        self.assertIsNone(self.remote_ref("refs/heads/ci/bump"))


if __name__ == "__main__":
    unittest.main()
