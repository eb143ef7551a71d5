"""Self-tests of the fake GitHub API: every endpoint, through Prism.

Every call here goes through the front and Prism, so each test also
proves that the fake's answers match GitHub's OpenAPI description: the
base class fails a test on any violation it did not expect.
"""
import base64
import hashlib
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from harness import E2ETestCase, github_asset_name  # noqa: E402

RATE_HEADERS = ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-used", "x-ratelimit-reset",
                "x-ratelimit-resource")


def links(header):
    return {m.group(2): m.group(1) for m in re.finditer(r'<([^>]+)>;\s*rel="([^"]+)"', header or "")}


class RefsAndTags(E2ETestCase):
    def setUp(self):
        super().setUp()
        self.repo = self.world.create_repo("octo/refs", files={"VERSION": "1.0.0\n"})
        self.base = "/repos/octo/refs"

    def test_get_create_update_delete_ref(self):
        w = self.world
        st, h, body = w.call("GET", f"{self.base}/git/ref/heads/main")
        self.assertEqual(st, 200)
        self.assertEqual(body["object"]["sha"], self.repo.head)
        self.assertEqual(body["object"]["type"], "commit")
        st, h, body = w.call("POST", f"{self.base}/git/refs", {"ref": "refs/tags/v1.0.0", "sha": self.repo.head})
        self.assertEqual(st, 201, body)
        self.assertEqual(h["location"], body["url"])
        st, _, body = w.call("GET", f"{self.base}/git/ref/tags/v1.0.0")
        self.assertEqual((st, body["ref"]), (200, "refs/tags/v1.0.0"))
        # GitHub: 422 "Reference already exists"
        st, _, body = w.call("POST", f"{self.base}/git/refs", {"ref": "refs/tags/v1.0.0", "sha": self.repo.head})
        self.assertEqual((st, body["message"]), (422, "Reference already exists"))
        self.assertIn("documentation_url", body)
        # three segments: a bump branch
        st, _, body = w.call("POST", f"{self.base}/git/refs",
                             {"ref": "refs/heads/ci/bump-to-2.0.0", "sha": self.repo.head})
        self.assertEqual(st, 201, body)
        second = w.commit_to("octo/refs", {"VERSION": "2.0.0\n"}, "bump", branch="ci/bump-to-2.0.0")
        other = w.commit_to("octo/refs", {"x": "y"}, "unrelated", branch="elsewhere", parents=[])
        st, _, body = w.call("PATCH", f"{self.base}/git/refs/heads/ci/bump-to-2.0.0", {"sha": other})
        self.assertEqual((st, body["message"]), (422, "Update is not a fast forward"))
        st, _, body = w.call("PATCH", f"{self.base}/git/refs/heads/ci/bump-to-2.0.0", {"sha": other, "force": True})
        self.assertEqual((st, body["object"]["sha"]), (200, other))
        self.assertEqual(w.ref("octo/refs", "refs/heads/ci/bump-to-2.0.0"), other)
        self.assertNotEqual(second, other)
        st, _, _ = w.call("DELETE", f"{self.base}/git/refs/heads/ci/bump-to-2.0.0")
        self.assertEqual(st, 204)
        self.assertIsNone(w.ref("octo/refs", "refs/heads/ci/bump-to-2.0.0"))
        st, _, body = w.call("DELETE", f"{self.base}/git/refs/heads/ci/bump-to-2.0.0")
        self.assertEqual((st, body["message"]), (422, "Reference does not exist"))
        st, _, body = w.call("GET", f"{self.base}/git/ref/tags/v9")
        self.assertEqual((st, body["message"]), (404, "Not Found"))

    def test_object_must_exist(self):
        st, _, body = self.world.call("POST", f"{self.base}/git/refs", {"ref": "refs/tags/v2", "sha": "1" * 40})
        self.assertEqual((st, body["message"]), (422, "Object does not exist"))

    def test_matching_refs(self):
        w = self.world
        for tag in ("v1.0.0", "v1.1.0", "w2"):
            w.call("POST", f"{self.base}/git/refs", {"ref": f"refs/tags/{tag}", "sha": self.repo.head})
        st, _, body = w.call("GET", f"{self.base}/git/matching-refs/tags/v1")
        self.assertEqual(st, 200)
        self.assertEqual([r["ref"] for r in body], ["refs/tags/v1.0.0", "refs/tags/v1.1.0"])
        st, _, body = w.call("GET", f"{self.base}/git/matching-refs/tags/none")
        self.assertEqual((st, body), (200, []))

    def test_annotated_tag(self):
        w = self.world
        st, h, tag = w.call("POST", f"{self.base}/git/tags", {
            "tag": "v1.0.0", "message": "Release refs 1.0.0", "object": self.repo.head, "type": "commit",
            "tagger": {"name": "github-actions[bot]", "email": "41898282+github-actions[bot]@users.noreply.github.com",
                       "date": "2024-05-01T12:00:00Z"}})
        self.assertEqual(st, 201, tag)
        self.assertEqual(tag["object"]["sha"], self.repo.head)
        self.assertEqual(tag["tagger"]["date"], "2024-05-01T12:00:00Z")
        st, _, ref = w.call("POST", f"{self.base}/git/refs", {"ref": "refs/tags/v1.0.0", "sha": tag["sha"]})
        self.assertEqual((st, ref["object"]["type"]), (201, "tag"))
        st, _, got = w.call("GET", f"{self.base}/git/tags/{tag['sha']}")
        self.assertEqual((st, got["tag"], got["message"].strip()), (200, "v1.0.0", "Release refs 1.0.0"))
        # git agrees: the tag is annotated and peels to the commit
        self.assertEqual(w.git(self.repo.path, "cat-file", "-t", "refs/tags/v1.0.0"), "tag")
        self.assertEqual(w.ref("octo/refs", "refs/tags/v1.0.0", peel=True), self.repo.head)
        st, _, _ = w.call("GET", f"{self.base}/git/tags/{self.repo.head}")
        self.assertEqual(st, 404)


class GitData(E2ETestCase):
    """The Git Data API, as `push: api` uses it: blob, tree, commit, ref."""

    def test_commit_through_the_api(self):
        w = self.world
        repo = w.create_repo("octo/data", files={"Cargo.toml": "[package]\nversion = \"1.0.0\"\n", "src/lib.rs": "\n"})
        base = "/repos/octo/data"
        st, h, blob = w.call("POST", f"{base}/git/blobs", {"content": base64.b64encode(b"\x00\x01bin").decode(),
                                                           "encoding": "base64"})
        self.assertEqual(st, 201, blob)
        st, _, got = w.call("GET", f"{base}/git/blobs/{blob['sha']}")
        self.assertEqual(base64.b64decode(got["content"]), b"\x00\x01bin")
        self.assertEqual(got["size"], 5)
        st, _, commit = w.call("GET", f"{base}/git/commits/{repo.head}")
        self.assertEqual(st, 200)
        st, _, tree = w.call("POST", f"{base}/git/trees", {"base_tree": commit["tree"]["sha"], "tree": [
            {"path": "Cargo.toml", "mode": "100644", "type": "blob", "content": "[package]\nversion = \"2.0.0\"\n"},
            {"path": "bin/data.bin", "mode": "100644", "type": "blob", "sha": blob["sha"]},
            {"path": "src/lib.rs", "mode": "100644", "type": "blob", "sha": None}]})
        self.assertEqual(st, 201, tree)
        self.assertEqual(sorted(e["path"] for e in tree["tree"]), ["Cargo.toml", "bin"])
        st, _, full = w.call("GET", f"{base}/git/trees/{tree['sha']}?recursive=1")
        self.assertEqual(sorted(e["path"] for e in full["tree"]), ["Cargo.toml", "bin", "bin/data.bin"])
        st, _, new = w.call("POST", f"{base}/git/commits", {"message": "Release data 2.0.0\n\n[marker]",
                                                            "tree": tree["sha"], "parents": [repo.head]})
        self.assertEqual(st, 201, new)
        self.assertTrue(new["verification"]["verified"])
        self.assertEqual(new["parents"][0]["sha"], repo.head)
        st, _, ref = w.call("PATCH", f"{base}/git/refs/heads/main", {"sha": new["sha"]})
        self.assertEqual(st, 200, ref)
        # The served repository has it: a fresh clone sees the new content.
        ws = w.clone("octo/data")
        self.assertEqual(w.head(ws), new["sha"])
        with open(os.path.join(ws, "Cargo.toml")) as f:
            self.assertIn("2.0.0", f.read())
        self.assertFalse(os.path.exists(os.path.join(ws, "src/lib.rs")))
        self.assertEqual(w.git(ws, "log", "-1", "--format=%B"), "Release data 2.0.0\n\n[marker]")
        st, _, body = w.call("POST", f"{base}/git/commits", {"message": "x", "tree": "f" * 40, "parents": []})
        self.assertEqual(st, 422)


class Contents(E2ETestCase):
    def test_file_directory_raw_and_missing(self):
        w = self.world
        info = w.create_repo("octo/files", files={"Cargo.toml": "[package]\nversion = \"1.0.0\"\n",
                                                  "crates/core/Cargo.toml": "[package]\n"})
        later = w.commit_to("octo/files", {"Cargo.toml": "[package]\nversion = \"2.0.0\"\n"}, "bump")
        st, _, f = w.call("GET", f"/repos/octo/files/contents/Cargo.toml?ref={info.head}")
        self.assertEqual((st, f["type"], f["encoding"]), (200, "file", "base64"))
        self.assertEqual(base64.b64decode(f["content"]), b'[package]\nversion = "1.0.0"\n')
        st, _, f = w.call("GET", "/repos/octo/files/contents/Cargo.toml")
        self.assertIn(b"2.0.0", base64.b64decode(f["content"]))
        st, _, f = w.call("GET", f"/repos/octo/files/contents/crates/core/Cargo.toml?ref={later}")
        self.assertEqual((st, f["path"]), (200, "crates/core/Cargo.toml"))
        st, _, d = w.call("GET", "/repos/octo/files/contents/crates?ref=main")
        self.assertEqual((st, [(e["name"], e["type"]) for e in d]), (200, [("core", "dir")]))
        st, h, raw = w.call("GET", "/repos/octo/files/contents/Cargo.toml?ref=main",
                            headers={"Accept": "application/vnd.github.raw"})
        self.assertEqual((st, raw), (200, b'[package]\nversion = "2.0.0"\n'))
        st, _, body = w.call("GET", "/repos/octo/files/contents/package.json?ref=main")
        self.assertEqual((st, body["message"]), (404, "Not Found"))
        st, _, body = w.call("GET", "/repos/octo/files/contents/Cargo.toml?ref=nope")
        self.assertEqual((st, body["message"]), (404, "No commit found for the ref nope"))


class Compare(E2ETestCase):
    def test_paginated_oldest_first_with_link(self):
        w = self.world
        repo = w.create_repo("octo/cmp")
        head = w.make_history("octo/cmp", [f"commit {i}" for i in range(7)])
        st, h, body = w.call("GET", f"/repos/octo/cmp/compare/{repo.head}...{head}?per_page=3&page=1")
        self.assertEqual(st, 200, body)
        self.assertEqual((body["status"], body["ahead_by"], body["total_commits"]), ("ahead", 7, 7))
        self.assertEqual([c["commit"]["message"] for c in body["commits"]], ["commit 0", "commit 1", "commit 2"])
        self.assertEqual(body["commits"][0]["parents"][0]["sha"], repo.head)
        pages = links(h.get("link"))
        self.assertIn("next", pages)
        self.assertIn("last", pages)
        self.assertTrue(pages["next"].startswith(w.api_url))
        messages = [c["commit"]["message"] for c in body["commits"]]
        url = pages["next"]
        for _ in range(5):
            st, h, body = w.call("GET", url)
            messages += [c["commit"]["message"] for c in body["commits"]]
            url = links(h.get("link")).get("next")
            if not url:
                break
        self.assertEqual(messages, [f"commit {i}" for i in range(7)])
        # branch names with slashes (a two-segment basehead)
        w.commit_to("octo/cmp", {"a": "b"}, "on a branch", branch="ci/bump")
        st, _, body = w.call("GET", "/repos/octo/cmp/compare/main...ci/bump")
        self.assertEqual((st, body["ahead_by"], body["status"]), (200, 1, "ahead"))
        st, _, body = w.call("GET", "/repos/octo/cmp/compare/main...nope")
        self.assertEqual(st, 404)


class PullsSearchDispatch(E2ETestCase):
    def setUp(self):
        super().setUp()
        w = self.world
        self.repo = w.create_repo("octo/pr", files={
            ".github/workflows/release.yml": "on:\n  workflow_dispatch:\n  push:\n    tags: ['v*']\n",
            ".github/workflows/ci.yml": "on: [push]\n"})
        w.commit_to("octo/pr", {"VERSION": "2.0.0\n"}, "Release 2.0.0", branch="ci/bump-to-2.0.0")

    def test_pull_request_lifecycle(self):
        w = self.world
        st, h, pr = w.call("POST", "/repos/octo/pr/pulls", {"title": "Release pr 2.0.0", "head": "ci/bump-to-2.0.0",
                                                            "base": "main", "body": "checklist"})
        self.assertEqual(st, 201, pr)
        self.assertEqual((pr["number"], pr["state"], pr["head"]["ref"]), (1, "open", "ci/bump-to-2.0.0"))
        st, _, body = w.call("POST", "/repos/octo/pr/pulls", {"title": "again", "head": "octo:ci/bump-to-2.0.0",
                                                              "base": "main"})
        self.assertEqual(st, 422)
        self.assertEqual(body["errors"][0]["message"], "A pull request already exists for octo:ci/bump-to-2.0.0.")
        st, _, found = w.call("GET", "/repos/octo/pr/pulls?head=octo:ci/bump-to-2.0.0&state=open&base=main")
        self.assertEqual([p["number"] for p in found], [1])
        st, _, found = w.call("GET", "/repos/octo/pr/pulls?head=octo:other&state=all")
        self.assertEqual(found, [])
        st, _, upd = w.call("PATCH", "/repos/octo/pr/pulls/1", {"title": "Release pr 2.0.1", "body": "new"})
        self.assertEqual((st, upd["title"], upd["body"]), (200, "Release pr 2.0.1", "new"))
        st, _, got = w.call("GET", "/repos/octo/pr/pulls/1")
        self.assertEqual(got["title"], "Release pr 2.0.1")
        st, _, body = w.call("POST", "/repos/octo/pr/pulls", {"title": "t", "head": "nope", "base": "main"})
        self.assertEqual((st, body["errors"][0]["field"]), (422, "head"))
        self.assertEqual(w.pulls("octo/pr")[0]["title"], "Release pr 2.0.1")

    def test_actions_may_not_create_pull_requests(self):
        self.world.configure("octo/pr", actions_can_create_prs=False)
        st, _, body = self.world.call("POST", "/repos/octo/pr/pulls", {"title": "t", "head": "ci/bump-to-2.0.0",
                                                                       "base": "main"})
        self.assertEqual(st, 403)
        self.assertIn("not permitted to create or approve pull requests", body["message"])

    def test_permission_denied(self):
        self.world.configure("octo/pr", permissions={"contents": "read"})
        st, h, body = self.world.call("POST", "/repos/octo/pr/git/refs", {"ref": "refs/tags/x", "sha": self.repo.head})
        self.assertEqual((st, body["message"]), (403, "Resource not accessible by integration"))
        self.assertEqual(h["x-accepted-github-permissions"], "contents=write")

    def test_search_issues(self):
        w = self.world
        w.add_issue("octo/pr", "RUSTSEC-2024-0001: memory bug", state="open")
        w.add_issue("octo/pr", "RUSTSEC-2023-0002: old", state="closed")
        w.add_issue("octo/pr", "unrelated", body="RUSTSEC in body only")
        st, h, body = w.call("GET", "/search/issues?q=" + "RUSTSEC%20in:title%20is:open%20repo:octo/pr")
        self.assertEqual(st, 200, body)
        self.assertEqual([i["title"] for i in body["items"]], ["RUSTSEC-2024-0001: memory bug"])
        self.assertEqual(h["x-ratelimit-resource"], "search")

    def test_workflow_dispatch(self):
        w = self.world
        w.call("POST", "/repos/octo/pr/git/refs", {"ref": "refs/tags/v2.0.0", "sha": self.repo.head})
        st, _, body = w.call("POST", "/repos/octo/pr/actions/workflows/release.yml/dispatches", {"ref": "v2.0.0"})
        self.assertEqual((st, body), (204, b""))
        self.assertEqual([(d["workflow"], d["ref"], d["sha"]) for d in w.dispatches("octo/pr")],
                         [("release.yml", "v2.0.0", self.repo.head)])
        st, _, run = w.call("POST", "/repos/octo/pr/actions/workflows/release.yml/dispatches",
                            {"ref": "main", "inputs": {"tag": "v2.0.0"}, "return_run_details": True})
        self.assertEqual(st, 200, run)
        self.assertEqual(w.dispatches("octo/pr")[-1]["inputs"], {"tag": "v2.0.0"})
        self.assertIn(str(run["workflow_run_id"]), run["run_url"])
        st, _, body = w.call("POST", "/repos/octo/pr/actions/workflows/ci.yml/dispatches", {"ref": "main"})
        self.assertEqual((st, body["message"]), (422, "Workflow does not have 'workflow_dispatch' trigger"))
        st, _, body = w.call("POST", "/repos/octo/pr/actions/workflows/none.yml/dispatches", {"ref": "main"})
        self.assertEqual(st, 404)
        st, _, body = w.call("POST", "/repos/octo/pr/actions/workflows/release.yml/dispatches", {"ref": "v9"})
        self.assertEqual((st, body["message"]), (422, "No ref found for: v9"))

    def test_user_and_repository(self):
        st, _, user = self.world.call("GET", "/user")
        self.assertEqual((st, user["login"]), (200, "github-actions[bot]"))
        st, _, repo = self.world.call("GET", "/repos/octo/pr")
        self.assertEqual((st, repo["full_name"], repo["default_branch"]), (200, "octo/pr", "main"))
        self.assertEqual(repo["clone_url"], f"{self.world.server_url}/octo/pr")


class Releases(E2ETestCase):
    def setUp(self):
        super().setUp()
        self.repo = self.world.create_repo("octo/rel")
        self.base = "/repos/octo/rel"

    def create(self, tag, **kw):
        st, h, rel = self.world.call("POST", f"{self.base}/releases", dict(tag_name=tag, **kw))
        self.assertEqual(st, 201, rel)
        return rel

    def test_draft_publish_and_by_tag(self):
        w = self.world
        rel = self.create("v1.0.0", draft=True, name="rel 1.0.0", body="notes")
        self.assertTrue(rel["upload_url"].startswith(w.upload_url + "/repos/octo/rel/releases/"))
        self.assertTrue(rel["upload_url"].endswith("/assets{?name,label}"))
        # drafts are not found by tag (and create no tag)...
        st, _, body = w.call("GET", f"{self.base}/releases/tags/v1.0.0")
        self.assertEqual((st, body["message"]), (404, "Not Found"))
        self.assertIsNone(w.ref("octo/rel", "refs/tags/v1.0.0"))
        # ...but by listing
        st, _, listed = w.call("GET", f"{self.base}/releases")
        self.assertEqual([r["id"] for r in listed], [rel["id"]])
        st, _, pub = w.call("PATCH", f"{self.base}/releases/{rel['id']}", {"draft": False, "make_latest": "true"})
        self.assertEqual((st, pub["draft"]), (200, False))
        self.assertEqual(w.ref("octo/rel", "refs/tags/v1.0.0"), self.repo.head)
        st, _, got = w.call("GET", f"{self.base}/releases/tags/v1.0.0")
        self.assertEqual((st, got["id"]), (200, rel["id"]))
        st, _, latest = w.call("GET", f"{self.base}/releases/latest")
        self.assertEqual(latest["id"], rel["id"])
        st, _, body = w.call("POST", f"{self.base}/releases", {"tag_name": "v1.0.0"})
        self.assertEqual(st, 422)
        self.assertEqual(body["errors"][0], {"resource": "Release", "code": "already_exists", "field": "tag_name"})
        st, _, got = w.call("GET", f"{self.base}/releases/{rel['id']}")
        self.assertEqual(got["tag_name"], "v1.0.0")
        st, _, _ = w.call("DELETE", f"{self.base}/releases/{rel['id']}")
        self.assertEqual(st, 204)
        self.assertEqual(w.releases("octo/rel"), [])

    def test_list_is_paginated_with_link(self):
        w = self.world
        ids = [self.create(f"v0.{i}.0", draft=True)["id"] for i in range(5)]
        st, h, page1 = w.call("GET", f"{self.base}/releases?per_page=2")
        self.assertEqual(len(page1), 2)
        pages = links(h["link"])
        self.assertEqual(set(pages), {"next", "last"})
        seen = [r["id"] for r in page1]
        url = pages["next"]
        for _ in range(5):
            st, h, page = w.call("GET", url)
            seen += [r["id"] for r in page]
            url = links(h.get("link")).get("next")
            if not url:
                self.assertIn("prev", links(h["link"]))
                break
        self.assertEqual(sorted(seen), sorted(ids))
        for name in RATE_HEADERS:
            self.assertIn(name, h)

    def test_generate_notes_and_prerelease(self):
        rel = self.create("v2.0.0-rc.1", prerelease=True, generate_release_notes=True)
        self.assertTrue(rel["prerelease"])
        self.assertIn("Full Changelog", rel["body"])
        self.assertEqual(rel["name"], "v2.0.0-rc.1")

    def test_assets(self):
        w = self.world
        rel = self.create("v1.0.0", draft=True)
        data = os.urandom(300_000)
        st, h, asset = w.upload(rel["upload_url"], "tool-linux.tar.gz", data, "application/gzip", label="Linux")
        self.assertEqual(st, 201, asset)
        self.assertEqual((asset["state"], asset["size"], asset["content_type"]),
                         ("uploaded", len(data), "application/gzip"))
        self.assertEqual(asset["digest"], "sha256:" + hashlib.sha256(data).hexdigest())
        self.assertEqual(w.asset_bytes(asset["id"]), data)
        for name in RATE_HEADERS:
            self.assertIn(name, h)
        # GitHub's 422 for a second asset of the same name
        st, _, body = w.upload(rel["upload_url"], "tool-linux.tar.gz", b"other")
        self.assertEqual(st, 422)
        self.assertEqual(body["errors"], [{"resource": "ReleaseAsset", "code": "already_exists", "field": "name"}])
        # special characters are renamed
        st, _, renamed = w.upload(rel["upload_url"], "my tool (1)~x.zip", b"zip")
        self.assertEqual(renamed["name"], "my.tool.1.x.zip")
        st, _, got = w.call("GET", f"{self.base}/releases/assets/{asset['id']}")
        self.assertEqual((st, got["label"]), (200, "Linux"))
        st, h, _ = w.call("GET", f"{self.base}/releases/assets/{asset['id']}",
                          headers={"Accept": "application/octet-stream"})
        self.assertEqual(st, 302)
        st, _, downloaded = w.call("GET", h["location"], token=False)
        self.assertEqual((st, downloaded), (200, data))
        st, _, upd = w.call("PATCH", f"{self.base}/releases/assets/{asset['id']}", {"name": "tool.tgz", "label": "L"})
        self.assertEqual((st, upd["name"]), (200, "tool.tgz"))
        st, _, body = w.call("PATCH", f"{self.base}/releases/assets/{asset['id']}", {"name": "my.tool.1.x.zip"})
        self.assertEqual(st, 422)
        st, h, listed = w.call("GET", f"{self.base}/releases/{rel['id']}/assets?per_page=1")
        self.assertEqual(len(listed), 1)
        self.assertIn("next", links(h["link"]))
        st, _, _ = w.call("DELETE", f"{self.base}/releases/assets/{asset['id']}")
        self.assertEqual(st, 204)
        st, _, listed = w.call("GET", f"{self.base}/releases/{rel['id']}/assets")
        self.assertEqual([a["name"] for a in listed], ["my.tool.1.x.zip"])
        st, _, body = w.upload(rel["upload_url"], "empty.txt", b"")
        self.assertEqual(st, 422)
        st, _, body = w.upload(rel["upload_url"], "x.txt", b"x", token="ghs_wrong")
        self.assertEqual((st, body["message"]), (401, "Bad credentials"))

    def test_file_count_limit(self):
        w = self.world
        rid = w.add_release("octo/rel", "v3.0.0", draft=True,
                            assets={f"a{i}.txt": b"x" for i in range(1000)})
        st, _, rel = w.call("GET", f"{self.base}/releases/{rid}")
        self.assertEqual(len(rel["assets"]), 1000)
        st, _, body = w.upload(rel["upload_url"], "one-more.txt", b"x")
        self.assertEqual(st, 422)
        self.assertEqual(body["errors"][0]["field"], "file_count")

    def test_immutable_release(self):
        w = self.world
        w.configure("octo/rel", immutable_releases=True)
        rel = self.create("v1.0.0")
        self.assertTrue(rel["immutable"])
        st, _, body = w.upload(rel["upload_url"], "late.txt", b"x")
        self.assertEqual(st, 422)
        st, _, body = w.call("PATCH", "/repos/octo/rel/git/refs/tags/v1.0.0", {"sha": self.repo.head, "force": True})
        self.assertEqual(st, 422)


class Protocol(E2ETestCase):
    def test_bad_and_missing_credentials(self):
        w = self.world
        w.create_repo("octo/auth")
        st, _, body = w.call("GET", "/repos/octo/auth/releases", token="ghs_not_the_token")
        self.assertEqual(st, 401)
        self.assertEqual(body["message"], "Bad credentials")
        self.assertIn("documentation_url", body)
        st, _, body = w.call("GET", "/repos/octo/auth/releases", token=False)
        self.assertEqual((st, body["message"]), (401, "Requires authentication"))
        entries = w.requests(origin="api")
        self.assertEqual([e["auth"] for e in entries], ["wrong", "none"])
        # the log never holds the credential
        self.assertNotIn(w.token, repr(w.requests()))
        self.assertEqual(entries[0]["headers"]["authorization"], "Bearer ***")

    def test_user_agent_required(self):
        st, _, body = self.world.call("GET", "/user", headers={"User-Agent": ""})
        self.assertEqual(st, 403)
        self.assertIn("User-Agent", body["message"])

    def test_rate_limit_headers_count_down(self):
        w = self.world
        _, h1, _ = w.call("GET", "/user")
        _, h2, _ = w.call("GET", "/user")
        for name in RATE_HEADERS:
            self.assertIn(name, h1)
        self.assertEqual(int(h2["x-ratelimit-used"]), int(h1["x-ratelimit-used"]) + 1)
        self.assertEqual(int(h2["x-ratelimit-remaining"]), int(h1["x-ratelimit-remaining"]) - 1)
        self.assertEqual(h1["x-ratelimit-resource"], "core")

    def test_primary_limit_runs_out(self):
        w = self.world
        w.set_rate_limit(core=3)
        statuses = []
        for _ in range(4):
            st, h, body = w.call("GET", "/user")
            statuses.append((st, h["x-ratelimit-remaining"]))
        self.assertEqual(statuses, [(200, "2"), (200, "1"), (200, "0"), (403, "0")])
        self.assertIn("API rate limit exceeded", body["message"])
        w.reset()  # back to GITHUB_TOKEN's 1000 an hour
        st, h, _ = w.call("GET", "/user")
        self.assertEqual((st, h["x-ratelimit-limit"], h["x-ratelimit-remaining"]), (200, "1000", "999"))

    def test_prism_rejects_a_malformed_request(self):
        w = self.world
        w.create_repo("octo/bad")
        with w.expect_violations():
            st, _, body = w.call("POST", "/repos/octo/bad/git/refs", {"ref": "refs/tags/v1"})
        self.assertEqual(st, 422)
        self.assertIn("sha", body["validation"][0]["message"])
        self.assertEqual([v["type"] for v in w.violations()], ["UNPROCESSABLE_ENTITY"])
        self.assertEqual(w.requests()[-1]["violation"]["type"], "UNPROCESSABLE_ENTITY")
        # it never reached the fake: no ref
        self.assertIsNone(w.ref("octo/bad", "refs/tags/v1"))

    def test_prism_catches_a_wrong_answer(self):
        """A fake answer that breaks the description becomes a recorded violation."""
        w = self.world
        w.create_repo("octo/wrong")
        original = w.fake.shapes.git_ref

        def broken(*a, **kw):
            obj = original(*a, **kw)
            del obj["object"]
            return obj
        w.fake.shapes.git_ref = broken
        try:
            with w.expect_violations():
                st, _, body = w.call("GET", "/repos/octo/wrong/git/ref/heads/main")
        finally:
            w.fake.shapes.git_ref = original
        self.assertEqual(st, 500)
        self.assertEqual(w.violations()[-1]["type"], "VIOLATIONS")
        self.assertIn("object", repr(w.violations()[-1]["validation"]))

    def test_control_endpoint(self):
        w = self.world
        st, _, fault = w.call("POST", "/_control/faults", {"kind": "status", "path": "/user", "status": 503},
                              token=False)
        self.assertEqual((st, fault["kind"]), (201, "status"))
        st, _, _ = w.call("GET", "/user")
        self.assertEqual(st, 503)
        st, _, listed = w.call("GET", "/_control/faults", token=False)
        self.assertEqual(listed[0]["hits"], 1)
        st, _, log = w.call("GET", "/_control/requests", token=False)
        self.assertEqual(log[-1]["fault"], f"status#{fault['id']}")
        st, _, state = w.call("GET", "/_control/state", token=False)
        self.assertEqual(st, 200)

    def test_asset_names_as_github_renames_them(self):
        self.assertEqual(github_asset_name("a5_ !#$%&'()+,-.0123456789;=@ABCXYZ[]^_`abcxyz{}~.txt"),
                         "a5_.-.0123456789.ABCXYZ._.abcxyz.txt")
        self.assertEqual(github_asset_name("a5_ð_æ_©_ŋ.txt"), "a5_d_ae_._ng.txt")
        self.assertEqual(github_asset_name("tobwen-1.1.0-1~buster_amd64.deb"), "tobwen-1.1.0-1.buster_amd64.deb")
        self.assertEqual(github_asset_name("My App 1.0.0 Setup.exe"), "My.App.1.0.0.Setup.exe")
        self.assertEqual(github_asset_name(".hidden."), "hidden")
        self.assertEqual(github_asset_name("release-train-x86_64-linux.tar.gz"), "release-train-x86_64-linux.tar.gz")


if __name__ == "__main__":
    unittest.main()
