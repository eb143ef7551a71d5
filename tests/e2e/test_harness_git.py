"""Self-tests of the git server: auth, real git clone/push, chunked bodies,
TLS, and the one repository shared by git and the fake API."""
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import unittest
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from harness import E2ETestCase, GitServer  # noqa: E402
from harness.util import GitError, basic_auth, git_env, port_open, run_git  # noqa: E402


class GitServerAuth(E2ETestCase):
    def test_wrong_or_missing_token_gets_401(self):
        w = self.world
        info = w.create_repo("octo/auth")
        url = f"{info.url}/info/refs?service=git-upload-pack"
        for header in (None, basic_auth("x-access-token", "ghs_wrong"), basic_auth("someone", w.token),
                       "Bearer " + w.token):
            req = urllib.request.Request(url, headers={"Authorization": header} if header else {})
            with self.assertRaises(urllib.error.HTTPError) as cm:
                urllib.request.urlopen(req, timeout=10)
            self.assertEqual(cm.exception.code, 401)
            self.assertEqual(cm.exception.headers["WWW-Authenticate"], 'Basic realm="GitHub"')
        req = urllib.request.Request(url, headers={"Authorization": basic_auth("x-access-token", w.token)})
        with urllib.request.urlopen(req, timeout=10) as resp:
            self.assertEqual(resp.status, 200)
            self.assertIn(b"refs/heads/main", resp.read())
        env = git_env(home=os.path.join(w.tmp, "home"), token="ghs_wrong")
        with self.assertRaises(GitError):
            run_git(["ls-remote", info.url], env=env)
        log = w.requests(origin="git")
        # "auth" says whether the credential carried the token; only Basic x-access-token gets in
        self.assertEqual([e["auth"] for e in log], ["none", "wrong", "token", "token", "token", "wrong"])
        self.assertEqual([e["status"] for e in log], [401, 401, 401, 401, 200, 401])

    def test_clone_commit_push_with_git(self):
        w = self.world
        w.create_repo("octo/push", files={"README.md": "hi\n"})
        ws = w.clone("octo/push")
        sha = w.commit(ws, files={"a.txt": "a\n"}, message="second")
        self.assertEqual(w.push(ws, "main"), sha)
        self.assertEqual(w.refs("octo/push")["refs/heads/main"], sha)
        # the remote URL is GITHUB_SERVER_URL/owner/name and no credential was stored
        self.assertEqual(w.git(ws, "remote", "get-url", "origin"), f"{w.server_url}/octo/push")
        w.check_secrets(ws=ws)

    def test_large_push_uses_a_chunked_body(self):
        w = self.world
        w.create_repo("octo/big")
        ws = w.clone("octo/big")
        w.commit(ws, files={"blob.bin": os.urandom(2_000_000)}, message="big")
        run_git(["-c", "http.postBuffer=65536", "push", "-q", "origin", "HEAD:refs/heads/main"], cwd=ws,
                env=w.git_env())
        posts = w.requests(origin="git", method="POST", path="*/git-receive-pack")
        self.assertTrue(any(p["headers"].get("transfer-encoding") == "chunked" for p in posts))
        self.assertEqual(w.ref("octo/big", "refs/heads/main"), w.head(ws))

    def test_shallow_clone_and_fetch_by_sha(self):
        w = self.world
        info = w.create_repo("octo/shallow")
        for i in range(3):
            w.commit_to("octo/shallow", {"n": str(i)}, f"commit {i}")
        ws = w.clone("octo/shallow", depth=1)
        self.assertEqual(w.git(ws, "rev-parse", "--is-shallow-repository"), "true")
        self.assertEqual(w.git(ws, "rev-list", "--count", "HEAD"), "1")
        # actions/checkout fetches a sha directly
        w.git(ws, "fetch", "-q", "--depth=1", "origin", info.head)
        self.assertEqual(w.git(ws, "cat-file", "-t", info.head), "commit")


class OneRepositoryForGitAndApi(E2ETestCase):
    def test_ref_made_by_api_is_seen_by_git(self):
        w = self.world
        info = w.create_repo("octo/both")
        st, _, _ = w.call("POST", "/repos/octo/both/git/refs", {"ref": "refs/tags/v1.0.0", "sha": info.head})
        self.assertEqual(st, 201)
        remote = run_git(["ls-remote", info.url], env=w.git_env()).decode()
        self.assertIn(f"{info.head}\trefs/tags/v1.0.0", remote)
        ws = w.clone("octo/both")
        self.assertEqual(w.git(ws, "rev-parse", "v1.0.0"), info.head)

    def test_pushed_branch_is_seen_by_api(self):
        w = self.world
        w.create_repo("octo/both2")
        ws = w.clone("octo/both2")
        w.git(ws, "checkout", "-q", "-b", "ci/bump-to-2.0.0")
        sha = w.commit(ws, message="bump")
        w.push(ws, "ci/bump-to-2.0.0")
        st, _, ref = w.call("GET", "/repos/octo/both2/git/ref/heads/ci/bump-to-2.0.0")
        self.assertEqual((st, ref["object"]["sha"]), (200, sha))
        st, _, cmp = w.call("GET", "/repos/octo/both2/compare/main...ci/bump-to-2.0.0")
        self.assertEqual([c["sha"] for c in cmp["commits"]], [sha])


def _openssl():
    return shutil.which("openssl")


@unittest.skipUnless(_openssl(), "openssl is not installed")
class GitServerTls(unittest.TestCase):
    """The server class takes an SSL context (tests/tls reuses it)."""

    def test_clone_over_https(self):
        tmp = tempfile.mkdtemp(prefix="rt-tls-")
        try:
            key, cert = os.path.join(tmp, "key.pem"), os.path.join(tmp, "cert.pem")
            subprocess.run([_openssl(), "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                            "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(cert, key)
            srv = GitServer(os.path.join(tmp, "root"), "ghs_tls", ssl_context=ctx).start()
            try:
                self.assertTrue(srv.url.startswith("https://localhost:"))
                srv.create_bare("octo/tls")
                env = git_env(home=tmp, token="ghs_tls")
                env["GIT_SSL_CAINFO"] = cert
                run_git(["clone", "-q", srv.repo_url("octo/tls"), os.path.join(tmp, "ws")], env=env)
                self.assertTrue(os.path.isdir(os.path.join(tmp, "ws", ".git")))
                env.pop("GIT_SSL_CAINFO")
                env["GIT_SSL_CAINFO"] = os.devnull
                with self.assertRaises(GitError):  # TLS is verified
                    run_git(["ls-remote", srv.repo_url("octo/tls")], env=env)
            finally:
                srv.stop()
            self.assertFalse(port_open(srv.port))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
