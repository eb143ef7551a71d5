"""Self-tests of the replay server for @octokit/fixtures recordings."""
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from harness.replay import SCENARIOS, Replay  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPLAY = os.path.join(os.path.dirname(HERE), "harness", "replay.py")
TOKEN = "0000000000000000000000000000000000000001"


def get(url, method="GET", data=None, headers=None):
    h = {"Authorization": f"token {TOKEN}", "User-Agent": "replay-test"}
    h.update(headers or {})
    req = urllib.request.Request(url, data=data, method=method, headers=h)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def next_link(headers):
    m = re.search(r'<([^>]+)>;\s*rel="next"', headers.get("Link") or "")
    return m.group(1) if m else None


@unittest.skipUnless(os.path.isdir(SCENARIOS), "node_modules/@octokit/fixtures is missing (npm ci)")
class ReplayTest(unittest.TestCase):
    def test_release_assets_conflict(self):
        with Replay("api.github.com/release-assets-conflict") as r:
            st, h, body = get(r.url + "/repos/octokit-fixture-org/release-assets-conflict/releases/tags/v1.0.0")
            self.assertEqual(st, 200)
            release = json.loads(body)
            self.assertTrue(release["upload_url"].startswith(r.url + "/repos/"), release["upload_url"])
            self.assertEqual(h["x-ratelimit-remaining"], "4999")
            upload = release["upload_url"].split("{")[0] + "?name=test-upload.txt&label=test"
            st, _, body = get(upload, "POST", b"Hello, world!\n", {"Content-Type": "text/plain"})
            self.assertEqual(st, 422)
            self.assertEqual(json.loads(body)["errors"][0]["code"], "already_exists")
            st, _, body = get(release["assets_url"])
            assets = json.loads(body)
            self.assertEqual(assets[0]["name"], "test-upload.txt")
            st, _, body = get(assets[0]["url"], "DELETE")
            self.assertEqual((st, body), (204, b""))
            st, _, body = get(upload, "POST", b"Hello, world!\n", {"Content-Type": "text/plain"})
            self.assertEqual(st, 201)
            self.assertEqual((r.remaining, r.mismatches), (0, []))

    def test_paginate_issues_follows_link(self):
        with Replay("api.github.com/paginate-issues") as r:
            url = r.url + "/repos/octokit-fixture-org/paginate-issues/issues?per_page=3"
            numbers = []
            for _ in range(10):
                st, h, body = get(url)
                self.assertEqual(st, 200)
                numbers += [i["number"] for i in json.loads(body)]
                url = next_link(h)
                if url is None:
                    break
                self.assertTrue(url.startswith(r.url), url)
            self.assertEqual(len(numbers), 13)
            self.assertEqual(r.remaining, 0)

    def test_unexpected_request_is_a_404_naming_the_expected_one(self):
        with Replay("api.github.com/paginate-issues", strict=True) as r:
            st, _, body = get(r.url + "/repositories/1000/issues?per_page=3&page=2")
            self.assertEqual(st, 404)
            self.assertIn("expected GET /repos/octokit-fixture-org/paginate-issues/issues?per_page=3",
                          json.loads(body)["message"])
            self.assertEqual(len(r.mismatches), 1)

    def test_command_line(self):
        with tempfile.TemporaryDirectory() as tmp:
            port_file = os.path.join(tmp, "port")
            proc = subprocess.Popen([sys.executable, REPLAY, "api.github.com/paginate-issues", "--port-file",
                                     port_file, "--exit-when-done", "--timeout", "30"])
            try:
                for _ in range(200):
                    if os.path.exists(port_file):
                        break
                    time.sleep(0.05)
                port = int(open(port_file).read())
                url = f"http://127.0.0.1:{port}/repos/octokit-fixture-org/paginate-issues/issues?per_page=3"
                pages = 0
                while url and pages < 10:
                    st, h, _ = get(url)
                    self.assertEqual(st, 200)
                    pages += 1
                    url = next_link(h)
                self.assertEqual(proc.wait(timeout=10), 0)
                self.assertEqual(pages, 5)
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()


if __name__ == "__main__":
    unittest.main()
