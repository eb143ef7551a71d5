"""Token hygiene on the wire, mode tag (issue 10, item 5).

- a non-TLS API URL is refused (exit 2, before any request) unless it is a
  loopback address;
- a redirect to another host (or another port) drops Authorization: the
  token reaches only the API host it was given for;
- with RUNNER_DEBUG=1 and libcurl's own trace on (RELEASE_TRAIN_CURL_VERBOSE=1)
  the token appears nowhere, on success and on failure paths.
"""
import http.server
import os
import sys
import threading
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from harness import E2ETestCase  # noqa: E402,F401
from test_tag import TagCase, release_message  # noqa: E402

VERBOSE = {"RUNNER_DEBUG": "1", "RELEASE_TRAIN_CURL_VERBOSE": "1"}


class Redirector:
    """A tiny API host on 127.0.0.1 that answers every request with 307 to target + path,
    remembering the Authorization header each request carried."""

    def __init__(self, target):
        seen = self.seen = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def handle_one(self):
                n = int(self.headers.get("Content-Length") or 0)
                if n:
                    self.rfile.read(n)
                seen.append((self.command, self.path, self.headers.get("Authorization")))
                self.send_response(307)
                self.send_header("Location", target + self.path)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = handle_one

            def log_message(self, *a):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(10)


class Transport(TagCase):
    def released(self):
        info, ws = self.make()
        sha = self.world.commit(ws, message=release_message("1.2.3"))
        self.world.push(ws)
        return info, ws, sha

    # --- plain HTTP only to loopback ---
    def test_plain_http_api_url_is_refused(self):
        info, ws, _ = self.released()
        for url in ("http://api.example.com", "http://10.1.2.3:8080/api/v3",
                    "http://user:s3cret-pass@ghe.example.com/api/v3", "http://127.0.0.1.example.com",
                    "http://127.0.0.1@evil.example.com/"):
            with self.subTest(url=url):
                r = self.world.run("tag", {"dry-run": True}, cwd=ws, env={"GITHUB_API_URL": url})
                self.assertEqual(r.exit_code, 2, r.describe())
                self.assertEqual(len(r.errors), 1, r.describe())
                self.assertIn("GITHUB_API_URL", r.errors[0])
                self.assertIn("https://", r.errors[0])
                self.assertNotIn("s3cret-pass", r.stdout + r.stderr)
                self.assertEqual(r.requests, [], "refused before any request")

    def test_plain_http_to_loopback_is_allowed(self):
        info, ws, sha = self.released()
        port = self.world.api_url.split(":")[2].split("/")[0]
        for host in ("127.0.0.1", "localhost"):
            with self.subTest(host=host):
                r = self.world.run("tag", {"dry-run": True}, cwd=ws,
                                   env={"GITHUB_API_URL": self.world.api_url.replace(f"127.0.0.1:{port}",
                                                                                     f"{host}:{port}")})
                self.assertEqual(r.exit_code, 0, r.describe())
                self.assertIn("v1.2.3", r.outputs.get("plan", ""))

    # --- redirects ---
    def redirected_run(self, target_host):
        info, ws, _ = self.released()
        port = self.world.api_url.split(":")[2].split("/")[0]
        target = self.world.api_url.replace(f"127.0.0.1:{port}", f"{target_host}:{port}")
        red = Redirector(target)
        self.addCleanup(red.close)
        r = self.world.run("tag", cwd=ws, env={"GITHUB_API_URL": red.url, **VERBOSE})
        return info, red, r

    def assert_token_dropped(self, info, red, r):
        self.assertTrue(red.seen, r.describe())
        self.assertTrue(all(auth == f"Bearer {self.world.token}" for _, _, auth in red.seen),
                        "the API host itself gets the token")
        self.assertTrue(r.api_requests, r.describe())
        for req in r.api_requests:
            self.assertEqual(req["auth"], "none", f"the token followed a redirect: {req['method']} {req['path']}")
        self.assertEqual(r.exit_code, 1, r.describe())
        self.assertEqual(len(r.errors), 1, r.describe())
        self.assertIn("401", r.errors[0])
        self.assertEqual(self.tags(info), {})

    def test_redirect_to_another_host_drops_authorization(self):
        info, red, r = self.redirected_run("localhost")
        self.assert_token_dropped(info, red, r)

    def test_redirect_to_another_port_drops_authorization(self):
        info, red, r = self.redirected_run("127.0.0.1")
        self.assert_token_dropped(info, red, r)

    # --- verbose output ---
    def assert_verbose_and_clean(self, r, token=None):
        token = token or self.world.token
        self.assertIn("curl: > GET ", r.stderr, "libcurl's trace is on")
        self.assertIn("curl: > Authorization: Bearer ***", r.stderr)
        self.assertIn("::debug::", r.stdout)
        shown = "\n".join(line for line in (r.stdout + r.stderr + r.output_raw + r.summary).splitlines()
                          if line != f"::add-mask::{token}")
        self.assertNotIn(token, shown)
        self.assertNotIn(token[4:], shown, "not even without its prefix")

    def test_verbose_success_with_annotated_tag_and_dispatch(self):
        info, ws = self.make(files={"Cargo.toml": "[package]\nname = \"demo\"\nversion = \"1.2.3\"\n",
                                    ".github/workflows/release.yml": "on: [workflow_dispatch]\n"})
        sha = self.world.commit(ws, message=release_message("1.2.3"))
        self.world.push(ws)
        r = self.world.run("tag", {"annotated": True, "dispatch": "release.yml"}, cwd=ws, env=VERBOSE)
        self.assert_tagged(r, info, "v1.2.3", sha)
        self.assert_verbose_and_clean(r)

    def test_verbose_failures(self):
        info, ws, _ = self.released()
        self.world.fault("status", "/repos/*/git/refs", "POST", origin="api", status=502, times=10)
        r = self.world.run("tag", {"max-retries": 1}, cwd=ws, env=VERBOSE)
        self.assertEqual(r.exit_code, 1, r.describe())
        self.assert_verbose_and_clean(r)
        self.world.faults_set.clear()
        r = self.world.run("tag", {"dispatch": "missing.yml"}, cwd=ws, env=VERBOSE)
        self.assertEqual(r.exit_code, 1, r.describe())
        self.assert_verbose_and_clean(r)

    def test_verbose_with_a_rejected_token(self):
        info, ws, _ = self.released()
        bad = "ghs_rejected00000000000000000000000000000"
        r = self.world.run("tag", {"token": bad}, cwd=ws, env=VERBOSE)
        self.assertEqual(r.exit_code, 1, r.describe())
        self.assert_verbose_and_clean(r, token=bad)


if __name__ == "__main__":
    unittest.main()
