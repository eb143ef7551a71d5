"""Self-tests of fault injection: each fault happens exactly as asked, then success."""
import http.client
import hashlib
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from harness import E2ETestCase  # noqa: E402
from harness.util import GitError, git_env, run_git  # noqa: E402

TRANSPORT_ERRORS = (OSError, http.client.HTTPException)


class ApiFaults(E2ETestCase):
    def setUp(self):
        super().setUp()
        self.repo = self.world.create_repo("octo/faults")

    def test_status_n_times_then_success(self):
        w = self.world
        fault = w.fault("status", "/repos/*/git/ref/*", "GET", origin="api", status=502, times=2)
        statuses = [w.call("GET", "/repos/octo/faults/git/ref/heads/main")[0] for _ in range(3)]
        self.assertEqual(statuses, [502, 502, 200])
        self.assertEqual(fault.hits, 2)
        log = w.requests(origin="api")
        self.assertEqual([e["fault"] for e in log], [fault.label, fault.label, None])
        self.assertEqual([e["status"] for e in log], [502, 502, 200])
        # other paths and methods are untouched
        self.assertEqual(w.faults()[0]["hits"], 2)

    def test_status_after_the_work_is_done(self):
        """when="after": GitHub made the ref, but the answer was lost."""
        w = self.world
        w.fault("status", "/repos/*/git/refs", "POST", status=500, when="after")
        body = {"ref": "refs/tags/v1", "sha": self.repo.head}
        st, _, _ = w.call("POST", "/repos/octo/faults/git/refs", body)
        self.assertEqual(st, 500)
        self.assertEqual(w.ref("octo/faults", "refs/tags/v1"), self.repo.head)
        st, _, answer = w.call("POST", "/repos/octo/faults/git/refs", body)
        self.assertEqual((st, answer["message"]), (422, "Reference already exists"))

    def test_reset_mid_body(self):
        w = self.world
        fault = w.fault("reset", "/user", times=2)
        for _ in range(2):
            with self.assertRaises(TRANSPORT_ERRORS):
                w.call("GET", "/user")
        st, _, user = w.call("GET", "/user")
        self.assertEqual((st, fault.hits), (200, 2))
        self.assertEqual([e["status"] for e in w.requests(path="/user")], ["reset", "reset", 200])

    def test_stall_then_normal(self):
        w = self.world
        w.fault("stall", "/user", seconds=3)
        t0 = time.monotonic()
        with self.assertRaises(TRANSPORT_ERRORS):
            w.call("GET", "/user", timeout=0.5)
        self.assertLess(time.monotonic() - t0, 2.5)
        self.assertEqual(w.call("GET", "/user")[0], 200)

    def test_delay_is_a_slow_success(self):
        w = self.world
        fault = w.fault("delay", "/user", seconds=0.4, times=2)
        for _ in range(2):
            t0 = time.monotonic()
            self.assertEqual(w.call("GET", "/user")[0], 200)
            self.assertGreaterEqual(time.monotonic() - t0, 0.4)
        self.assertEqual(w.call("GET", "/user")[0], 200)
        self.assertEqual(fault.hits, 2)
        self.assertEqual([e["fault"] for e in w.requests(path="/user")], [fault.label, fault.label, None])

    def test_secondary_rate_limit(self):
        w = self.world
        w.fault("secondary_rate_limit", "/user", retry_after=7)
        w.fault("secondary_rate_limit", "/user", status=429, retry_after=2)
        st, h, body = w.call("GET", "/user")
        self.assertEqual((st, h["retry-after"]), (403, "7"))
        self.assertIn("secondary rate limit", body["message"])
        st, h, body = w.call("GET", "/user")
        self.assertEqual((st, h["retry-after"]), (429, "2"))
        self.assertEqual(w.call("GET", "/user")[0], 200)

    def test_primary_rate_limit(self):
        w = self.world
        w.fault("rate_limit", "/user", reset_in=30)
        st, h, body = w.call("GET", "/user")
        self.assertEqual((st, h["x-ratelimit-remaining"]), (403, "0"))
        self.assertGreaterEqual(int(h["x-ratelimit-reset"]), int(time.time()) + 28)
        self.assertIn("rate limit exceeded", body["message"])
        st, h, _ = w.call("GET", "/user")
        self.assertEqual(st, 200)
        self.assertNotEqual(h["x-ratelimit-remaining"], "0")

    def test_path_regex_and_method(self):
        w = self.world
        w.fault("status", path_re=r"/git/refs$", method="POST", status=503, times=1)
        self.assertEqual(w.call("GET", "/repos/octo/faults/git/ref/heads/main")[0], 200)
        st, _, _ = w.call("POST", "/repos/octo/faults/git/refs", {"ref": "refs/tags/a", "sha": self.repo.head})
        self.assertEqual(st, 503)
        st, _, _ = w.call("POST", "/repos/octo/faults/git/refs", {"ref": "refs/tags/a", "sha": self.repo.head})
        self.assertEqual(st, 201)

    def test_bad_fault_is_refused(self):
        with self.assertRaises(ValueError):
            self.world.fault("explode")
        with self.assertRaises(ValueError):
            self.world.fault("status", times=0)


class UploadFaults(E2ETestCase):
    def setUp(self):
        super().setUp()
        w = self.world
        w.create_repo("octo/up")
        st, _, self.rel = w.call("POST", "/repos/octo/up/releases", {"tag_name": "v1", "draft": True})
        self.assertEqual(st, 201)
        self.data = os.urandom(1_000_000)

    def assets(self):
        return self.world.call("GET", f"/repos/octo/up/releases/{self.rel['id']}/assets")[2]

    def test_starter_asset_after_a_failed_upload(self):
        w = self.world
        fault = w.fault("starter", "/repos/*/releases/*/assets", status=502)
        st, _, _ = w.upload(self.rel["upload_url"], "big.bin", self.data)
        self.assertEqual((st, fault.hits), (502, 1))
        starter = self.assets()
        self.assertEqual([(a["name"], a["state"]) for a in starter], [("big.bin", "starter")])
        # the starter asset still blocks the name, as on GitHub
        st, _, body = w.upload(self.rel["upload_url"], "big.bin", self.data)
        self.assertEqual((st, body["errors"][0]["code"]), (422, "already_exists"))
        st, _, _ = w.call("DELETE", f"/repos/octo/up/releases/assets/{starter[0]['id']}")
        self.assertEqual(st, 204)
        st, _, asset = w.upload(self.rel["upload_url"], "big.bin", self.data)
        self.assertEqual((st, asset["state"], asset["size"]), (201, "uploaded", len(self.data)))
        self.assertEqual(w.asset_bytes(asset["id"]), self.data)

    def test_corrupt_flips_one_byte_and_github_digests_what_it_stored(self):
        w = self.world
        fault = w.fault("corrupt", "/repos/*/releases/*/assets", after_bytes=300_000)
        st, _, asset = w.upload(self.rel["upload_url"], "big.bin", self.data)
        self.assertEqual((st, fault.hits, asset["state"], asset["size"]), (201, 1, "uploaded", len(self.data)))
        stored = w.asset_bytes(asset["id"])
        self.assertEqual([i for i in range(len(self.data)) if stored[i] != self.data[i]], [300_000])
        self.assertEqual(asset["digest"], "sha256:" + hashlib.sha256(stored).hexdigest())
        with self.assertRaises(ValueError):
            w.fault("corrupt", origin="api")

    def test_reset_mid_upload_leaves_a_starter(self):
        w = self.world
        w.fault("reset", "/repos/*/releases/*/assets", origin="upload", after_bytes=200_000)
        with self.assertRaises(TRANSPORT_ERRORS):
            w.upload(self.rel["upload_url"], "big.bin", self.data)
        self.assertEqual([a["state"] for a in self.assets()], ["starter"])
        log = w.requests(origin="upload")
        self.assertEqual((log[0]["status"], log[0]["fault"][:6]), ("reset", "reset#"))

    def test_stalled_upload(self):
        w = self.world
        w.fault("stall", "/repos/*/releases/*/assets", origin="upload", seconds=3, after_bytes=100_000)
        t0 = time.monotonic()
        with self.assertRaises(TRANSPORT_ERRORS):
            w.call("POST", self.rel["upload_url"].split("{")[0] + "?name=big.bin", raw_body=self.data,
                   headers={"Content-Type": "application/octet-stream"}, timeout=0.7)
        self.assertLess(time.monotonic() - t0, 2.5)

    def test_status_on_upload_then_success(self):
        w = self.world
        w.fault("status", "/repos/*/releases/*/assets", origin="upload", status=503, times=2)
        self.assertEqual(w.upload(self.rel["upload_url"], "a.txt", b"a")[0], 503)
        self.assertEqual(w.upload(self.rel["upload_url"], "a.txt", b"a")[0], 503)
        st, _, asset = w.upload(self.rel["upload_url"], "a.txt", b"a")
        self.assertEqual((st, asset["digest"]),
                         (201, "sha256:ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"))


    def test_upload_done_but_answer_lost(self):
        w = self.world
        w.fault("status", "/repos/*/releases/*/assets", "POST", origin="upload", status=502, when="after")
        st, _, _ = w.upload(self.rel["upload_url"], "done.bin", self.data)
        self.assertEqual(st, 502)
        [asset] = self.assets()
        self.assertEqual((asset["name"], asset["state"], asset["size"]), ("done.bin", "uploaded", len(self.data)))
        st, _, body = w.upload(self.rel["upload_url"], "done.bin", self.data)
        self.assertEqual((st, body["errors"][0]["code"]), (422, "already_exists"))


class GitFaults(E2ETestCase):
    def test_git_server_fault_then_success(self):
        w = self.world
        w.create_repo("octo/g")
        fault = w.fault("status", "/octo/g/git-upload-pack", origin="git", status=500)
        with self.assertRaises(GitError):
            w.clone("octo/g")
        ws = w.clone("octo/g")
        self.assertTrue(os.path.isdir(os.path.join(ws, ".git")))
        self.assertEqual(fault.hits, 1)
        self.assertEqual([e["fault"] for e in w.requests(origin="git", path="*/git-upload-pack")][:1], [fault.label])

    def test_wrong_token_is_refused_by_git(self):
        w = self.world
        info = w.create_repo("octo/g2")
        env = git_env(home=os.path.join(w.tmp, "home"), token="ghs_wrong")
        with self.assertRaises(GitError):
            run_git(["ls-remote", info.url], env=env)
        self.assertEqual(w.requests(origin="git")[-1]["status"], 401)


if __name__ == "__main__":
    unittest.main()
