"""Mode release against the local GitHub: the release is created as a
draft, every asset is uploaded and verified, and only then published;
re-runs keep identical assets and make no mutating request; a changed
file is replaced without the old asset going first; drafts, pre-releases,
checksums, rolling releases, immutable releases, dry runs and outputs.
Every test reads the fake's state and the request log, not only the
binary's word."""
import hashlib
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from harness import E2ETestCase  # noqa: E402

UPLOADS = "/repos/*/releases/*/assets"


def sha256(data):
    return hashlib.sha256(data).hexdigest()


class ReleaseCase(E2ETestCase):
    """Helpers: a repository with a tag, a workspace with files, a run on the tag push."""

    def make(self, files=None, tag="v1.2.3", repo_files=None):
        w = self.world
        info = w.create_repo(files=repo_files or {"VERSION": "1.2.3\n"})
        if tag:
            status, _, _ = w.call("POST", f"/repos/{info.full_name}/git/refs",
                                  {"ref": f"refs/tags/{tag}", "sha": info.head})
            self.assertEqual(status, 201)
        ws = w.clone(info.full_name)
        self.write(ws, files or {})
        return info, ws

    def write(self, ws, files):
        for rel, data in files.items():
            path = os.path.join(ws, rel)
            if data is None:
                os.unlink(path)
                continue
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(data if isinstance(data, bytes) else data.encode())

    def release(self, info, ws, inputs=None, tag="v1.2.3", sha=None, **kw):
        ref = f"refs/tags/{tag}"
        values = {"files": "dist/*"}
        values.update(inputs or {})
        return self.world.run("release", values, ref=ref, sha=sha or info.head, event={"ref": ref},
                              event_name="push", cwd=ws, **kw)

    def ok(self, r):
        self.assertEqual(r.exit_code, 0, r.describe())
        self.assertEqual(r.errors, [], r.describe())
        return r

    def rel(self, info, tag="v1.2.3"):
        return self.world.release(info.full_name, tag)

    def assets(self, info, tag="v1.2.3"):
        rel = self.rel(info, tag)
        return {a["name"]: a for a in rel["assets"]} if rel else {}

    def assert_assets_are(self, info, files, tag="v1.2.3", exact=True):
        """The release holds exactly these {name: bytes}, uploaded, with the right digest and bytes."""
        assets = self.assets(info, tag)
        if exact:
            self.assertEqual(sorted(assets), sorted(files))
        for name, data in files.items():
            a = assets[name]
            self.assertEqual(a["state"], "uploaded", name)
            self.assertEqual(a["size"], len(data), name)
            self.assertEqual(a["digest"], "sha256:" + sha256(data), name)
            self.assertEqual(self.world.asset_bytes(a["id"]), data, name)

    def refused_unchanged(self, r, info, before, named=(), unnamed=()):
        """Exit 1 before any change: one error naming `named` and not `unnamed`, no
        mutating request, the assets as `before`. Returns the error."""
        self.assertEqual(r.exit_code, 1, r.describe())
        self.assertEqual(r.mutating, [], r.describe())
        [err] = r.errors
        for needle in named:
            self.assertIn(needle, err)
        for needle in unnamed:
            self.assertNotIn(needle, err)
        self.assertEqual(self.assets(info), before)
        return err

    def uploads(self, r):
        return r.calls("POST", UPLOADS, origin="upload")


def ten_files():
    return {f"dist/demo-{i}.tar.gz": os.urandom(1000 + 997 * i) for i in range(10)}


def names_of(files):
    return {os.path.basename(k): v for k, v in files.items()}


class FirstRelease(ReleaseCase):
    def test_ten_assets_uploaded_verified_then_published(self):
        files = ten_files()
        info, ws = self.make(files)
        r = self.ok(self.release(info, ws))
        rel = self.rel(info)
        self.assertFalse(rel["draft"])
        self.assertFalse(rel["prerelease"])
        self.assertEqual(rel["name"], "v1.2.3")
        self.assertEqual(rel["target_commitish"], info.head)
        self.assert_assets_are(info, names_of(files))
        # one draft created, ten uploads, then one publish: the last mutating request
        creates = r.calls("POST", "/repos/*/releases")
        self.assertEqual(len(creates), 1)
        self.assertTrue(creates[0]["body"]["draft"])
        self.assertEqual(len(self.uploads(r)), 10)
        publish = r.calls("PATCH", "/repos/*/releases/*")
        self.assertEqual(len(publish), 1)
        self.assertFalse(publish[0]["body"]["draft"])
        self.assertEqual(r.mutating[-1]["seq"], publish[0]["seq"])
        self.assertTrue(all(u["seq"] < publish[0]["seq"] for u in self.uploads(r)))
        # uploads carry Content-Length and a content type from the extension
        for u in self.uploads(r):
            self.assertEqual(u["headers"].get("content-type"), "application/gzip")
            self.assertEqual(int(u["headers"]["content-length"]), u["body_size"])
        # outputs
        self.assertEqual(r.outputs["release-id"], str(rel["id"]))
        self.assertTrue(r.outputs["release-url"].endswith("/releases/tag/v1.2.3"), r.outputs)
        self.assertNotIn("{", r.outputs["upload-url"])
        self.assertTrue(r.outputs["upload-url"].endswith(f"/releases/{rel['id']}/assets"))
        out = json.loads(r.outputs["assets"])
        self.assertEqual([a["name"] for a in out], sorted(names_of(files)))
        for a in out:
            data = names_of(files)[a["name"]]
            self.assertEqual((a["size"], a["sha256"], a["action"]), (len(data), sha256(data), "uploaded"))
            self.assertIn("/releases/download/v1.2.3/" + a["name"], a["url"])
        # the job summary table
        self.assertIn("| asset | size | sha256 | action |", r.summary)
        self.assertIn(f"`{sha256(files['dist/demo-3.tar.gz'])}`", r.summary)

    def test_rerun_unchanged_makes_at_most_three_requests_none_mutating(self):
        files = ten_files()
        info, ws = self.make(files)
        self.ok(self.release(info, ws))
        before = self.assets(info)
        again = self.ok(self.release(info, ws))
        self.assertLessEqual(len(again.api_requests), 3, again.describe())
        self.assertEqual(again.mutating, [], again.describe())
        # in fact one: the release found by tag lists its own assets
        self.assertEqual([(x["method"], x["path"]) for x in again.api_requests],
                         [("GET", f"/repos/{info.full_name}/releases/tags/v1.2.3")])
        self.assertEqual(self.assets(info), before)
        self.assertEqual({a["action"] for a in json.loads(again.outputs["assets"])}, {"kept"})

    def test_one_changed_file_replaced_and_the_old_kept_until_the_new_is_verified(self):
        files = ten_files()
        info, ws = self.make(files)
        self.ok(self.release(info, ws))
        old = self.assets(info)["demo-4.tar.gz"]
        new_bytes = os.urandom(4321)
        self.write(ws, {"dist/demo-4.tar.gz": new_bytes})
        # the fake's state at the arrival of every request
        w = self.world
        seen = []
        add = w.log.add

        def add_and_look(entry):
            rel = w.release(info.full_name, "v1.2.3")
            seen.append((entry["origin"], entry["method"], entry["path"],
                         {a["name"]: (a["id"], a["state"]) for a in rel["assets"]}))
            return add(entry)
        w.log.add = add_and_look
        try:
            r = self.ok(self.release(info, ws))
        finally:
            w.log.add = add
        [up] = self.uploads(r)
        self.assertTrue(up["query"]["name"].startswith("rt-tmp-"), up["query"])
        self.assertTrue(up["query"]["name"].endswith("-demo-4.tar.gz"), up["query"])
        self.assertEqual(up["body_sha256"], sha256(new_bytes))
        [delete] = r.calls("DELETE", "/repos/*/releases/assets/*")
        self.assertEqual(delete["path"].rsplit("/", 1)[1], str(old["id"]))
        [rename] = r.calls("PATCH", "/repos/*/releases/assets/*")
        self.assertEqual(rename["body"], {"name": "demo-4.tar.gz"})
        self.assertLess(up["seq"], delete["seq"])
        self.assertLess(delete["seq"], rename["seq"])
        # until the old one was deleted, every request saw it there, uploaded
        for origin, method, path, state in seen:
            if method == "DELETE":
                break
            self.assertEqual(state.get("demo-4.tar.gz"), (old["id"], "uploaded"), (method, path))
        self.assertTrue(any(m == "DELETE" for _, m, _, _ in seen))
        expected = names_of(files)
        expected["demo-4.tar.gz"] = new_bytes
        self.assert_assets_are(info, expected)
        out = {a["name"]: a["action"] for a in json.loads(r.outputs["assets"])}
        self.assertEqual(out["demo-4.tar.gz"], "replaced")
        self.assertEqual(list(out.values()).count("kept"), 9)

    def test_glob_patterns_dedup_and_sort(self):
        files = {"dist/a.zip": b"a", "dist/sub/b.zip": b"bb", "dist/sub/deeper/c.tar.gz": b"ccc",
                 "other/d.txt": b"dddd", "dist/e.md": b"e"}
        info, ws = self.make(files)
        r = self.ok(self.release(info, ws, {"files": "dist/**/*.zip\ndist/*.zip\n  dist/sub/deeper/c.tar.gz \n\nother/?.txt"}))
        self.assertEqual([a["name"] for a in json.loads(r.outputs["assets"])],
                         ["a.zip", "b.zip", "c.tar.gz", "d.txt"])
        self.assertEqual(len(self.uploads(r)), 4)

    def test_existing_draft_is_used_and_published(self):
        info, ws = self.make({"dist/x.bin": b"x" * 100})
        draft_id = self.world.add_release(info.full_name, "v1.2.3", draft=True, name="Kept title")
        r = self.ok(self.release(info, ws))
        self.assertEqual(r.calls("POST", "/repos/*/releases"), [])
        [rel] = self.world.releases(info.full_name)
        self.assertEqual((rel["id"], rel["draft"], rel["name"]), (draft_id, False, "Kept title"))
        self.assert_assets_are(info, {"x.bin": b"x" * 100})
        self.assertLessEqual(len(r.calls("GET", "/repos/*/releases*")), 3)

    def test_a_draft_beyond_the_first_page_of_releases_is_found(self):
        info, ws = self.make({"dist/x.bin": b"x"})
        draft_id = self.world.add_release(info.full_name, "v1.2.3", draft=True)
        for i in range(120):  # newer ones list first: the draft is on page 2
            self.world.add_release(info.full_name, f"v0.0.{i}", draft=True)
        r = self.ok(self.release(info, ws))
        self.assertEqual(r.calls("POST", "/repos/*/releases"), [])
        self.assertEqual([c["query"].get("page") for c in r.calls("GET", "/repos/*/releases")], [None, "2"])
        rel = self.rel(info)
        self.assertEqual((rel["id"], rel["draft"]), (draft_id, False))
        self.assert_assets_are(info, {"x.bin": b"x"})

    def test_draft_input_leaves_a_draft_and_never_unpublishes(self):
        info, ws = self.make({"dist/x.bin": b"x"})
        r = self.ok(self.release(info, ws, {"draft": True}))
        self.assertTrue(self.rel(info)["draft"])
        self.assertEqual(r.calls("PATCH", "/repos/*/releases/*"), [])
        self.ok(self.release(info, ws))  # now published
        self.assertFalse(self.rel(info)["draft"])
        r = self.ok(self.release(info, ws, {"draft": True}))
        self.assertFalse(self.rel(info)["draft"])
        self.assertEqual(r.mutating, [])
        self.assertTrue(any("never" in x or "does not turn" in x for x in r.warnings), r.describe())

    def test_prerelease_from_semver_and_not_latest(self):
        info, ws = self.make({"dist/x.bin": b"x"}, tag="v2.0.0-rc.1")
        r = self.ok(self.release(info, ws, tag="v2.0.0-rc.1"))
        rel = self.rel(info, "v2.0.0-rc.1")
        self.assertTrue(rel["prerelease"])
        self.assertFalse(rel["draft"])
        self.assertTrue(r.calls("POST", "/repos/*/releases")[0]["body"]["prerelease"])
        [publish] = r.calls("PATCH", "/repos/*/releases/*")
        self.assertEqual(publish["body"].get("make_latest"), "false")
        # prerelease: false wins over auto
        info2, ws2 = self.make({"dist/y.bin": b"y"}, tag="v3.0.0-beta")
        self.ok(self.release(info2, ws2, {"prerelease": "false"}, tag="v3.0.0-beta"))
        self.assertFalse(self.rel(info2, "v3.0.0-beta")["prerelease"])

    def test_existing_draft_of_a_prerelease_tag_is_published_as_a_prerelease(self):
        info, ws = self.make({"dist/x.bin": b"x"}, tag="v2.0.0-rc.1")
        draft_id = self.world.add_release(info.full_name, "v2.0.0-rc.1", draft=True)  # made by hand: prerelease false
        r = self.ok(self.release(info, ws, tag="v2.0.0-rc.1"))
        [publish] = r.calls("PATCH", "/repos/*/releases/*")
        self.assertEqual((publish["body"]["draft"], publish["body"]["prerelease"], publish["body"]["make_latest"]),
                         (False, True, "false"))
        rel = self.rel(info, "v2.0.0-rc.1")
        self.assertEqual((rel["id"], rel["draft"], rel["prerelease"]), (draft_id, False, True))
        # an explicit prerelease: false corrects the published release's flag, and only that
        r = self.ok(self.release(info, ws, {"prerelease": "false"}, tag="v2.0.0-rc.1"))
        [fix] = r.calls("PATCH", "/repos/*/releases/*")
        self.assertEqual(fix["body"], {"prerelease": False})
        self.assertFalse(self.rel(info, "v2.0.0-rc.1")["prerelease"])

    def test_make_latest_input_reaches_the_publishing_request(self):
        for value in ("false", "legacy", "true"):
            with self.subTest(value=value):
                info, ws = self.make({"dist/x.bin": b"x"})
                r = self.ok(self.release(info, ws, {"make-latest": value}))
                [publish] = r.calls("PATCH", "/repos/*/releases/*")
                self.assertEqual(publish["body"]["make_latest"], value)
                status, _, latest = self.world.call("GET", f"/repos/{info.full_name}/releases/latest")
                if value == "false":
                    self.assertEqual(status, 404, latest)
                else:
                    self.assertEqual((status, latest["tag_name"]), (200, "v1.2.3"))

    def test_release_names_the_tags_commit_not_the_runs(self):
        # a workflow_dispatch on main naming an older tag: GITHUB_SHA is main's newer head
        info, ws = self.make({"dist/x.bin": b"x"})
        later = self.world.commit_to(info.full_name, {"NEWS": "later\n"}, message="later")
        r = self.ok(self.world.run("release", {"files": "dist/*", "tag": "v1.2.3"}, ref="refs/heads/main",
                                   sha=later, event={"ref": "refs/heads/main", "inputs": {"tag": "v1.2.3"}},
                                   event_name="workflow_dispatch", cwd=ws))
        [create] = r.calls("POST", "/repos/*/releases")
        self.assertEqual(create["body"]["target_commitish"], info.head)
        self.assertNotEqual(info.head, later)
        self.assertEqual(self.world.ref(info.full_name, "refs/tags/v1.2.3"), info.head, "the tag is not moved")

    def test_overwrite_false_refuses_a_changed_asset_and_changes_nothing(self):
        files = {"dist/a.bin": b"a" * 10, "dist/b.bin": b"b" * 10}
        info, ws = self.make(files)
        self.ok(self.release(info, ws, {"overwrite": False}))
        again = self.ok(self.release(info, ws, {"overwrite": False}))  # identical: kept, allowed
        self.assertEqual(again.mutating, [], again.describe())
        before = self.assets(info)
        self.write(ws, {"dist/b.bin": b"B" * 10, "dist/c.bin": b"c"})
        self.refused_unchanged(self.release(info, ws, {"overwrite": False}), info, before,
                               named=("`b.bin`", "overwrite"), unnamed=("`a.bin`", "`c.bin`"))

    def test_a_published_release_is_preferred_to_a_draft_of_the_same_tag(self):
        info, ws = self.make({"dist/x.bin": b"x"})
        draft_id = self.world.add_release(info.full_name, "v1.2.3", draft=True, name="stray draft")
        published_id = self.world.add_release(info.full_name, "v1.2.3", name="published")
        self.assertLess(draft_id, published_id)
        # get-by-tag misses it once (as just after another job published it): the list decides
        miss = self.world.fault("status", "/repos/*/releases/tags/*", method="GET", origin="api", status=404)
        self.ok(self.release(info, ws))
        self.assertEqual(miss.hits, 1)
        rels = {x["id"]: x for x in self.world.releases(info.full_name)}
        self.assertEqual([a["name"] for a in rels[published_id]["assets"]], ["x.bin"])
        self.assertEqual((rels[draft_id]["assets"], rels[draft_id]["draft"]), ([], True))

    def test_name_and_generated_notes(self):
        info, ws = self.make({"dist/x.bin": b"x"})
        r = self.ok(self.release(info, ws, {"name": "Demo 1.2.3", "generate-notes": True}))
        body = r.calls("POST", "/repos/*/releases")[0]["body"]
        self.assertEqual((body["name"], body["generate_release_notes"]), ("Demo 1.2.3", True))
        self.assertIn("What's Changed", self.rel(info)["body"])

    def test_checksums_for_every_asset_and_kept_when_unchanged(self):
        files = {"dist/a.tar.gz": b"alpha", "dist/b.zip": b"bravo" * 100}
        info, ws = self.make(files)
        # another job's asset, named to sort first: the lines are in name order, not arrival order
        self.world.add_release(info.full_name, "v1.2.3", draft=True, assets={"0-other-job.txt": b"other"})
        r = self.ok(self.release(info, ws, {"checksums": "SHA256SUMS"}))
        assets = self.assets(info)
        text = self.world.asset_bytes(assets["SHA256SUMS"]["id"]).decode()
        self.assertEqual(text, "".join(f"{sha256(d)}  {n}\n" for n, d in sorted(
            {"a.tar.gz": b"alpha", "b.zip": b"bravo" * 100, "0-other-job.txt": b"other"}.items())))
        self.assertEqual(assets["SHA256SUMS"]["content_type"], "text/plain")
        out = {a["name"]: a for a in json.loads(r.outputs["assets"])}
        self.assertEqual(out["SHA256SUMS"]["sha256"], sha256(text.encode()))
        again = self.ok(self.release(info, ws, {"checksums": "SHA256SUMS"}))
        self.assertEqual(again.mutating, [], again.describe())
        self.assertLessEqual(len(again.api_requests), 3)
        # one file changes: the checksums file follows
        self.write(ws, {"dist/b.zip": b"changed"})
        self.ok(self.release(info, ws, {"checksums": "SHA256SUMS"}))
        assets = self.assets(info)
        text = self.world.asset_bytes(assets["SHA256SUMS"]["id"]).decode()
        self.assertIn(f"{sha256(b'changed')}  b.zip\n", text)
        self.assertEqual(sorted(assets), ["0-other-job.txt", "SHA256SUMS", "a.tar.gz", "b.zip"])

    def test_dry_run_plans_and_changes_nothing(self):
        files = {"dist/a.bin": b"a" * 10, "dist/b.bin": b"b" * 10}
        info, ws = self.make(files)
        r = self.ok(self.release(info, ws, {"dry-run": True}))
        self.assertEqual(r.mutating, [])
        plan = json.loads(r.outputs["plan"])
        self.assertEqual((plan["release"], plan["tag"]), ("create", "v1.2.3"))
        self.assertEqual([(a["name"], a["action"]) for a in plan["assets"]], [("a.bin", "upload"), ("b.bin", "upload")])
        self.assertEqual(self.world.releases(info.full_name), [])
        self.ok(self.release(info, ws))
        self.write(ws, {"dist/b.bin": b"B" * 10, "dist/c.bin": b"c"})
        r = self.ok(self.release(info, ws, {"dry-run": True}))
        self.assertEqual(r.mutating, [])
        plan = json.loads(r.outputs["plan"])
        self.assertEqual(plan["release"], "existing")
        self.assertEqual([(a["name"], a["action"]) for a in plan["assets"]],
                         [("a.bin", "keep"), ("b.bin", "replace"), ("c.bin", "upload")])
        self.assertIn("replace", r.stdout)

    def test_on_a_terminal(self):
        info, ws = self.make({"dist/a.bin": b"a" * 10})
        r = self.world.run("release", {"tag": "v1.2.3", "files": "dist/*", "dry-run": True}, cwd=ws,
                           actions=False, env={"GITHUB_TOKEN": self.world.token})
        self.assertEqual(r.exit_code, 0, r.describe())
        self.assertEqual(r.mutating, [])
        self.assertIn("upload   a.bin", r.stdout)
        self.assertNotIn("::", r.stdout, "plain lines on a terminal")
        r = self.world.run("release", {"tag": "v1.2.3", "files": "dist/*"}, cwd=ws, actions=False,
                           env={"GITHUB_TOKEN": self.world.token, "GITHUB_SHA": info.head})
        self.assertEqual(r.exit_code, 0, r.describe())
        self.assert_assets_are(info, {"a.bin": b"a" * 10})
        self.assertFalse(self.rel(info)["draft"])

    def test_many_existing_assets_are_read_page_by_page(self):
        seeded = {f"old-{i:03}.txt": f"{i}".encode() for i in range(150)}
        info, ws = self.make({"dist/new.bin": b"new"})
        self.world.add_release(info.full_name, "v1.2.3", assets=seeded)
        r = self.ok(self.release(info, ws))
        self.assertEqual(len(r.calls("GET", "/repos/*/releases/*/assets")), 2)
        self.assertEqual(len(self.assets(info)), 151)
        again = self.ok(self.release(info, ws))
        self.assertEqual(again.mutating, [])

    def test_starter_asset_of_an_earlier_run_is_deleted_first(self):
        info, ws = self.make({"dist/a.bin": os.urandom(50_000)})
        self.world.fault("starter", UPLOADS, method="POST", origin="upload", times=1)
        r = self.release(info, ws, {"max-retries": 0})  # the first attempt fails: no retry
        self.assertEqual(r.exit_code, 1, r.describe())
        [a] = self.assets(info).values()
        self.assertEqual(a["state"], "starter")
        self.assertTrue(self.rel(info)["draft"], "not published after a failed upload")
        again = self.ok(self.release(info, ws))
        [delete] = again.calls("DELETE", "/repos/*/releases/assets/*")
        self.assertLess(delete["seq"], self.uploads(again)[0]["seq"])
        with open(os.path.join(ws, "dist/a.bin"), "rb") as f:
            self.assert_assets_are(info, {"a.bin": f.read()})
        self.assertFalse(self.rel(info)["draft"])


class Immutable(ReleaseCase):
    def test_identical_assets_succeed_without_mutating(self):
        files = {"dist/a.bin": b"a" * 100, "dist/b.bin": b"b" * 200}
        info, ws = self.make(files)
        self.world.configure(info.full_name, immutable_releases=True)
        self.world.add_release(info.full_name, "v1.2.3", assets=names_of(files), immutable=True)
        r = self.ok(self.release(info, ws, {"checksums": ""}))
        self.assertEqual(r.mutating, [], r.describe())
        self.assertLessEqual(len(r.api_requests), 3)
        self.assertEqual({a["action"] for a in json.loads(r.outputs["assets"])}, {"kept"})

    def test_changed_or_new_assets_fail_before_any_upload(self):
        files = {"dist/a.bin": b"a" * 100, "dist/b.bin": b"b" * 200}
        info, ws = self.make(files)
        self.world.add_release(info.full_name, "v1.2.3", assets=names_of(files), immutable=True)
        before = self.assets(info)
        self.write(ws, {"dist/b.bin": b"B" * 200, "dist/c.bin": b"new"})
        self.refused_unchanged(self.release(info, ws), info, before,
                               named=("immutable", "`b.bin`", "`c.bin`"), unnamed=("`a.bin`",))

    def test_drafts_stay_mutable_and_publishing_makes_them_immutable(self):
        info, ws = self.make({"dist/a.bin": b"a"})
        self.world.configure(info.full_name, immutable_releases=True)
        self.ok(self.release(info, ws))
        rel = self.rel(info)
        self.assertTrue(rel["immutable"])
        self.assert_assets_are(info, {"a.bin": b"a"})


class Rolling(ReleaseCase):
    def test_dev_release_twice_moves_the_tag_and_replaces_assets(self):
        info, ws = self.make({"dist/tool-linux.tar.gz": b"linux-1", "dist/tool-macos.tar.gz": b"macos-1"},
                             tag=None)
        r = self.ok(self.release(info, ws, {"rolling": "dev"}, tag="dev"))
        self.assertEqual(self.world.ref(info.full_name, "refs/tags/dev"), info.head)
        rel = self.rel(info, "dev")
        self.assertTrue(rel["prerelease"])
        self.assertFalse(rel["draft"])
        self.assertEqual(r.calls("POST", "/repos/*/releases")[0]["body"]["target_commitish"], info.head)
        self.assert_assets_are(info, {"tool-linux.tar.gz": b"linux-1", "tool-macos.tar.gz": b"macos-1"}, tag="dev")
        # a new commit on main: the tag moves, assets are replaced, the dropped one is deleted
        dropped_id = self.assets(info, "dev")["tool-macos.tar.gz"]["id"]
        sha2 = self.world.commit(ws, message="more")
        self.world.push(ws)
        self.write(ws, {"dist/tool-linux.tar.gz": b"linux-2", "dist/tool-macos.tar.gz": None,
                        "dist/tool-windows.zip": b"windows-2"})
        r2 = self.ok(self.release(info, ws, {"rolling": "dev"}, tag="dev", sha=sha2))
        self.assertEqual(self.world.ref(info.full_name, "refs/tags/dev"), sha2)
        [patch] = r2.calls("PATCH", "/repos/*/git/refs/*")
        self.assertTrue(patch["body"]["force"])
        self.assertEqual(len([x for x in self.world.releases(info.full_name) if x["tag_name"] == "dev"]), 1)
        self.assertEqual(r2.calls("POST", "/repos/*/releases"), [])
        self.assert_assets_are(info, {"tool-linux.tar.gz": b"linux-2", "tool-windows.zip": b"windows-2"}, tag="dev")
        self.assertTrue(self.rel(info, "dev")["prerelease"])
        # deleting what is no longer produced comes after the new assets are in
        [dropped] = r2.calls("DELETE", f"/repos/*/releases/assets/{dropped_id}")
        self.assertLess(max(u["seq"] for u in self.uploads(r2)), dropped["seq"])
        again = self.ok(self.release(info, ws, {"rolling": "dev"}, tag="dev", sha=sha2))
        self.assertEqual(again.mutating, [], again.describe())


if __name__ == "__main__":
    unittest.main()
