"""Mode release under faults: server errors, connection resets and stalls
in the middle of an upload, half-made `starter` assets, lost answers,
rate limits, a build matrix of 8 processes racing to create one release,
and a process killed in the middle of an upload. Each case ends with the
fake's state checked: every asset present once, verified, no `starter`
or temporary asset left, one release."""
import os
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from test_release import UPLOADS, ReleaseCase, names_of  # noqa: E402


def files_of(n, size=200_000, prefix="a"):
    return {f"dist/{prefix}{i}.bin": os.urandom(size + i) for i in range(n)}


class UploadFaults(ReleaseCase):
    def while_held(self, path, action):
        """Another job acting between our read and our write: the answer to our GET of path
        is computed, then held 2 s (a when="after" delay); action runs in that window.
        Returns the thread and a list that receives action's result."""
        self.world.fault("delay", path, method="GET", origin="api", seconds=2, when="after")
        mark = self.world.mark()
        out = []

        def run():
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                seen = self.world.requests(origin="api", method="GET", path=path, since=mark)
                if seen and seen[0].get("forwarded"):
                    out.append(action())
                    return
                time.sleep(0.02)

        t = threading.Thread(target=run)
        t.start()
        return t, out

    def assert_clean(self, info, files, tag="v1.2.3"):
        self.assert_assets_are(info, names_of(files), tag=tag)
        rels = [r for r in self.world.releases(info.full_name) if r["tag_name"] == tag]
        self.assertEqual(len(rels), 1, rels)
        self.assertFalse(rels[0]["draft"])

    def test_server_errors_mid_upload(self):
        files = files_of(3)
        info, ws = self.make(files)
        fault = self.world.fault("status", UPLOADS, method="POST", origin="upload", status=502, times=2)
        r = self.ok(self.release(info, ws))
        self.assertEqual(fault.hits, 2)
        self.assertEqual(len(self.uploads(r)), 5)
        self.assert_clean(info, files)

    def test_connection_resets_mid_upload(self):
        files = files_of(3)
        info, ws = self.make(files)
        fault = self.world.fault("reset", UPLOADS, method="POST", origin="upload", times=2)
        r = self.ok(self.release(info, ws))
        self.assertEqual(fault.hits, 2)
        self.assert_clean(info, files)
        # each reset left a starter asset that was deleted before the retry
        self.assertGreaterEqual(len(r.calls("DELETE", "/repos/*/releases/assets/*")), 2, r.describe())

    def test_starter_assets_then_success(self):
        files = files_of(2)
        info, ws = self.make(files)
        self.world.fault("starter", UPLOADS, method="POST", origin="upload", times=1)
        self.world.fault("starter", UPLOADS, method="POST", origin="upload", times=1, then="reset")
        r = self.ok(self.release(info, ws))
        self.assert_clean(info, files)
        self.assertEqual(len(r.calls("DELETE", "/repos/*/releases/assets/*")), 2, r.describe())

    def test_lost_answer_after_a_complete_upload_is_recognised(self):
        files = files_of(1)
        info, ws = self.make(files)
        self.world.fault("status", UPLOADS, method="POST", origin="upload", status=502, when="after")
        r = self.ok(self.release(info, ws))
        # the asset arrived although the answer was an error: verified, not uploaded twice
        self.assertEqual(len(self.uploads(r)), 1, r.describe())
        self.assertEqual(r.calls("DELETE", "/repos/*/releases/assets/*"), [])
        self.assert_clean(info, files)

    def test_corrupted_in_transit_is_deleted_and_uploaded_again(self):
        files = files_of(2, size=300_000)
        info, ws = self.make(files)
        bad = self.world.fault("corrupt", UPLOADS, method="POST", origin="upload", after_bytes=100_000)
        r = self.ok(self.release(info, ws))
        self.assertEqual(bad.hits, 1)
        self.assert_clean(info, files)
        [spoiled] = [u for u in self.uploads(r) if u["fault"]]
        deleted = [d["path"].rsplit("/", 1)[1] for d in r.calls("DELETE", "/repos/*/releases/assets/*")]
        self.assertEqual(deleted, [str(spoiled["asset_id"])], "the unverified asset, and only it, was deleted")
        self.assertIn("digest differs", r.stdout, r.describe())  # the retry line says why

    def test_another_jobs_asset_of_the_same_name_is_never_deleted(self):
        info, ws = self.make({"dist/x.bin": b"ours" * 1000})
        rid = self.world.add_release(info.full_name, "v1.2.3")
        upload_url = f"{self.world.upload_url}/repos/{info.full_name}/releases/{rid}/assets"
        theirs = b"theirs" * 1000
        # The release is read with no x.bin; before our upload, another job uploads its own x.bin.
        t, done = self.while_held("/repos/*/releases/tags/*",
                                  lambda: self.world.upload(upload_url, "x.bin", theirs)[0])
        r = self.release(info, ws)
        t.join()
        self.assertEqual(done, [201], "the other job uploaded while our run waited for its answer")
        self.assertEqual(r.exit_code, 1, r.describe())
        [err] = r.errors
        self.assertIn("x.bin", err)
        self.assertIn("another job", err)
        [x] = [a for a in self.rel(info)["assets"] if a["name"] == "x.bin"]
        self.assertEqual(self.world.asset_bytes(x["id"]), theirs)
        self.assertEqual(r.calls("DELETE", "/repos/*/releases/assets/*"), [])

    def test_create_refused_as_already_existing_looks_the_release_up_again(self):
        files = files_of(2)
        info, ws = self.make(files)
        # No release when our run reads the list; while that answer is held, another job
        # publishes one, and GitHub refuses our create with 422 already_exists.
        t, published = self.while_held("/repos/*/releases",
                                       lambda: self.world.add_release(info.full_name, "v1.2.3", name="theirs"))
        refused = self.world.fault("status", "/repos/*/releases", method="POST", origin="api", status=422,
                                   message="Validation Failed",
                                   errors=[{"resource": "Release", "code": "already_exists", "field": "tag_name"}])
        r = self.release(info, ws)
        t.join()
        self.ok(r)
        self.assertEqual((len(published), refused.hits), (1, 1))
        self.assertEqual([c["status"] for c in r.calls("POST", "/repos/*/releases")], [422])
        rels = [x for x in self.world.releases(info.full_name) if x["tag_name"] == "v1.2.3"]
        self.assertEqual([x["id"] for x in rels], published, "their release, and no second one")
        self.assert_clean(info, files)

    def test_uploads_run_in_parallel_up_to_concurrency(self):
        files = files_of(4, size=10_000)
        for concurrency in (4, 2):
            with self.subTest(concurrency=concurrency):
                info, ws = self.make(files)
                self.world.fault("delay", UPLOADS, method="POST", origin="upload", seconds=1.5, times=4)
                r = self.ok(self.release(info, ws, {"concurrency": concurrency}))
                starts = sorted(u["time"] for u in self.uploads(r))
                self.assertEqual(len(starts), 4)
                # every answer takes 1.5 s, so no upload can start within 1.5 s of the first
                # unless it ran beside it: exactly `concurrency` of them did
                together = [t for t in starts if t < starts[0] + 1.5]
                self.assertEqual(len(together), concurrency, [round(t - starts[0], 3) for t in starts])
                self.assert_clean(info, files)

    def test_stalled_upload_is_aborted_and_retried(self):
        files = files_of(2, size=2_000_000)
        info, ws = self.make(files)
        self.world.fault("stall", UPLOADS, method="POST", origin="upload", seconds=60, after_bytes=300_000)
        t0 = time.monotonic()
        r = self.ok(self.release(info, ws, env={"RELEASE_TRAIN_LOW_SPEED_TIME": "2",
                                                "RELEASE_TRAIN_PROGRESS_S": "1"}))
        self.assertLess(time.monotonic() - t0, 30)
        self.assertIn("stalled", r.stdout)
        # plain progress lines while a transfer runs long: percent and rate
        self.assertRegex(r.stdout, r"Uploading a[01]\.bin: +\d+% \([0-9.]+ of [0-9.]+ MiB\), [0-9.]+ MiB/s")
        self.assertEqual(len(self.uploads(r)), 3)
        self.assert_clean(info, files)

    def test_secondary_rate_limit_on_upload_and_api(self):
        files = files_of(2)
        info, ws = self.make(files)
        up = self.world.fault("secondary_rate_limit", UPLOADS, method="POST", origin="upload", status=403,
                              retry_after=1)
        api = self.world.fault("secondary_rate_limit", "/repos/*/releases", method="POST", origin="api",
                               status=429, retry_after=1)
        t0 = time.monotonic()
        r = self.ok(self.release(info, ws))
        self.assertGreaterEqual(time.monotonic() - t0, 1.0, "retry-after was honoured")
        self.assertEqual((up.hits, api.hits), (1, 1))
        # the upload path honours it too, not only the API client (backoff is 50 ms in tests)
        ups = self.uploads(r)
        [limited] = [u for u in ups if u["status"] == 403]
        [retry] = [u for u in ups if u["seq"] > limited["seq"] and u["query"]["name"] == limited["query"]["name"]]
        self.assertGreaterEqual(retry["time"] - limited["time"], 1.0, "the upload waited for retry-after")
        self.assert_clean(info, files)
        self.assertEqual(len(r.calls("POST", "/repos/*/releases")), 2)

    def test_primary_rate_limit_on_upload(self):
        files = files_of(1)
        info, ws = self.make(files)
        self.world.fault("rate_limit", UPLOADS, method="POST", origin="upload", status=429, reset_in=1)
        self.ok(self.release(info, ws))
        self.assert_clean(info, files)

    def test_persistent_failure_fails_naming_the_asset_and_does_not_publish(self):
        files = files_of(2)
        info, ws = self.make(files)
        self.world.fault("status", UPLOADS, method="POST", origin="upload", status=500, times=50)
        r = self.release(info, ws, {"max-retries": 2})
        self.assertEqual(r.exit_code, 1, r.describe())
        [err] = r.errors
        self.assertIn("a0.bin", err)
        self.assertIn("a1.bin", err)
        self.assertTrue(self.rel(info)["draft"], "a failed run leaves the draft unpublished")

    def test_killed_mid_upload_then_rerun_completes(self):
        files = files_of(3, size=1_000_000)
        info, ws = self.make(files)
        self.world.fault("stall", UPLOADS, method="POST", origin="upload", seconds=60, after_bytes=200_000)
        with self.assertRaises(AssertionError) as killed:
            self.release(info, ws, timeout=4)  # the harness kills the process group (SIGKILL)
        self.assertIn("did not finish", str(killed.exception))
        rel = self.rel(info)
        self.assertTrue(rel["draft"])
        again = self.ok(self.release(info, ws))
        self.assert_clean(info, files)
        self.assertEqual(len(self.world.releases(info.full_name)), 1)
        self.assertFalse(any(a["name"].startswith("rt-tmp-") for a in self.rel(info)["assets"]))
        self.assertLessEqual(len(self.uploads(again)), 3)

    def test_killed_mid_replace_then_rerun_completes(self):
        files = files_of(2, size=500_000)
        info, ws = self.make(files)
        self.ok(self.release(info, ws))
        changed = {"dist/a0.bin": os.urandom(800_000)}
        self.write(ws, changed)
        self.world.fault("stall", UPLOADS, method="POST", origin="upload", seconds=60, after_bytes=100_000)
        with self.assertRaises(AssertionError):
            self.release(info, ws, timeout=4)
        # the old asset is still there, intact
        self.assert_assets_are(info, {"a1.bin": files["dist/a1.bin"]}, exact=False)
        self.assertEqual(self.assets(info)["a0.bin"]["size"], len(files["dist/a0.bin"]))
        self.ok(self.release(info, ws))
        files.update(changed)
        self.assert_clean(info, files)


class Permissions(ReleaseCase):
    def test_read_only_token_fails_naming_the_permission_and_changes_nothing(self):
        info, ws = self.make({"dist/a.bin": b"a"})
        self.world.configure(info.full_name, permissions={"contents": "read"})
        r = self.release(info, ws)
        self.assertEqual(r.exit_code, 1, r.describe())
        [err] = r.errors
        self.assertIn("403", err)
        self.assertIn("contents: write", err)
        self.assertEqual(self.world.releases(info.full_name), [])
        self.world.configure(info.full_name, permissions={"contents": "write"})
        self.ok(self.release(info, ws))
        self.assert_assets_are(info, {"a.bin": b"a"})

    def test_upload_refused_names_the_permission(self):
        info, ws = self.make({"dist/a.bin": b"a"})
        self.world.add_release(info.full_name, "v1.2.3", draft=True)
        self.world.fault("status", UPLOADS, method="POST", origin="upload", status=403,
                         message="Resource not accessible by integration")
        r = self.release(info, ws)
        self.assertEqual(r.exit_code, 1, r.describe())
        self.assertIn("contents: write", r.errors[0])
        self.assertIn("a.bin", r.errors[0])
        self.assertEqual(len(self.uploads(r)), 1, "a refusal is not retried")


class Matrix(ReleaseCase):
    def test_eight_processes_release_one_tag_with_different_files(self):
        info, ws = self.make()
        jobs = []
        for j in range(8):
            job_ws = self.world.clone(info.full_name)
            files = {f"dist/job{j}-{i}.tar.gz": os.urandom(20_000 + 1000 * j + i) for i in range(3)}
            self.write(job_ws, files)
            jobs.append((job_ws, files))
        results = [None] * 8

        def one(j):
            try:
                results[j] = self.release(info, jobs[j][0], timeout=120)
            except BaseException as e:  # noqa: B902 - reported below
                results[j] = e
        threads = [threading.Thread(target=one, args=(j,)) for j in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for r in results:
            self.assertNotIsInstance(r, BaseException, r)
            self.assertEqual(r.exit_code, 0, r.describe())
        rels = self.world.releases(info.full_name)
        self.assertEqual(len(rels), 1, [(r["id"], r["draft"]) for r in rels])
        self.assertFalse(rels[0]["draft"])
        expected = {}
        for _, files in jobs:
            expected.update(names_of(files))
        self.assert_assets_are(info, expected)
        self.assertEqual(len({r.outputs["release-id"] for r in results}), 1)
        # every duplicate draft that lost the race was deleted by the job that made it
        log = self.world.requests(origin="api")
        created = [e["response"]["id"] for e in log if e["method"] == "POST" and e["status"] == 201
                   and e["path"].endswith("/releases")]
        deleted = [int(e["path"].rsplit("/", 1)[1]) for e in log if e["method"] == "DELETE"
                   and "/releases/" in e["path"] and "/assets/" not in e["path"]]
        self.assertEqual(sorted(set(created) - set(deleted)), [rels[0]["id"]])
        self.assertEqual(rels[0]["id"], min(created), "the lowest id wins")
        print(f"\n    {len(created)} drafts created concurrently, {len(deleted)} duplicates deleted", file=sys.stderr)


if __name__ == "__main__":
    unittest.main()
