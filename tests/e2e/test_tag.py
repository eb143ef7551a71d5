"""Mode tag end to end: marker detection, ranges, versions, tag creation.

Every case runs the binary as the runner does against the local GitHub
(git http-backend + the stateful fake behind Prism) and asserts the refs
in the git server, the requests the fake received, the outputs and the
exit status.
"""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from harness import DEFAULT_MARKER, E2ETestCase  # noqa: E402

MARKER = DEFAULT_MARKER
ZERO = "0" * 40


def cargo_workspace(version):
    return (
        "[workspace]\n"
        'members = ["crates/*"]\n'
        "resolver = \"2\"\n\n"
        "[workspace.package]\n"
        f'version = "{version}"\n'
        'edition = "2021"\n\n'
        "[workspace.dependencies]\n"
        'demo-core = { path = "crates/core", version = "=' + version + '" }\n'
    )


def release_message(version):
    return f"Release demo {version}\n\n{MARKER}\n"


class TagCase(E2ETestCase):
    """Helpers shared by the tag suites."""

    def make(self, version="1.2.3", files=None, depth=None):
        files = dict(files or {"Cargo.toml": cargo_workspace(version)})
        info = self.world.create_repo(files=files)
        ws = self.world.clone(info.full_name, depth=depth)
        return info, ws

    def tags(self, info):
        return {k: v for k, v in self.world.refs(info.full_name).items() if k.startswith("refs/tags/")}

    def ref_posts(self, result):
        return result.calls("POST", "/repos/*/git/refs")

    def assert_tagged(self, result, info, tag, sha):
        self.assertEqual(result.exit_code, 0, result.describe())
        self.assertEqual(result.outputs.get("tagged"), "true", result.describe())
        self.assertEqual(result.outputs.get("tag"), tag)
        self.assertEqual(result.outputs.get("sha"), sha)
        self.assertEqual(self.world.ref(info.full_name, f"refs/tags/{tag}", peel=True), sha)
        posts = self.ref_posts(result)
        self.assertEqual(len(posts), 1, result.describe())
        body = posts[0]["body"]
        if isinstance(body, (bytes, str)):
            body = json.loads(body)
        self.assertEqual(body["ref"], f"refs/tags/{tag}")

    def assert_not_tagged(self, result, info):
        self.assertEqual(result.exit_code, 0, result.describe())
        self.assertEqual(result.outputs.get("tagged"), "false", result.describe())
        self.assertEqual(self.tags(info), {}, "no tag may exist")
        self.assertEqual(result.mutating, [], "no mutating request may be sent")


class MarkerDetection(TagCase):
    def test_marker_in_the_subject(self):
        info, ws = self.make()
        sha = self.world.commit(ws, message=MARKER + "\n")
        self.world.push(ws)
        r = self.world.run("tag", cwd=ws)
        self.assert_tagged(r, info, "v1.2.3", sha)
        self.assertEqual(r.outputs.get("version"), "1.2.3")
        self.assertEqual(r.outputs.get("dispatched"), "false")
        self.assertIn("v1.2.3", r.summary)

    def test_marker_in_the_body(self):
        info, ws = self.make()
        sha = self.world.commit(ws, message=release_message("1.2.3"))
        self.world.push(ws)
        self.assert_tagged(self.world.run("tag", cwd=ws), info, "v1.2.3", sha)

    def test_trailer(self):
        info, ws = self.make()
        sha = self.world.commit(ws, message="Release demo 1.2.3\n\nNotes.\n\nRelease-Train: yes\n")
        self.world.push(ws)
        self.assert_tagged(self.world.run("tag", cwd=ws), info, "v1.2.3", sha)

    def test_marker_quoted_in_a_sentence_is_not_a_release(self):
        info, ws = self.make()
        self.world.commit(ws, message=f"docs: explain the {MARKER} line\n\nUse `{MARKER}` to release.\n")
        self.world.push(ws)
        r = self.world.run("tag", cwd=ws)
        self.assert_not_tagged(r, info)
        self.assertIn("marker", r.summary)

    def test_no_marker(self):
        info, ws = self.make()
        self.world.commit(ws, message="Fix a bug\n")
        self.world.push(ws)
        self.assert_not_tagged(self.world.run("tag", cwd=ws), info)

    def test_squash_merge_message(self):
        info, ws = self.make()
        msg = ("Release demo 1.2.3 (#42)\n\n* Release demo 1.2.3\n\n" + MARKER +
               "\n\n* Update RELEASES.md\n\nCo-authored-by: A <a@example.com>\n")
        sha = self.world.commit(ws, message=msg)
        self.world.push(ws)
        self.assert_tagged(self.world.run("tag", cwd=ws), info, "v1.2.3", sha)

    def test_merge_commit_with_the_marker_on_the_second_parent(self):
        info, ws = self.make()
        self.world.git(ws, "checkout", "-q", "-b", "ci/bump-to-1.2.3")
        self.world.commit(ws, message=release_message("1.2.3"))
        self.world.git(ws, "checkout", "-q", "main")
        self.world.commit(ws, message="Unrelated change on main\n")
        self.world.git(ws, "merge", "-q", "--no-ff", "-m", "Merge pull request #7 from ci/bump-to-1.2.3",
                       "ci/bump-to-1.2.3")
        head = self.world.head(ws)
        self.world.push(ws, "main")
        r = self.world.run("tag", {"scan": "push"}, cwd=ws)
        self.assert_tagged(r, info, "v1.2.3", head)


class Ranges(TagCase):
    def test_marker_only_in_a_commit_removed_by_a_force_push(self):
        info, ws = self.make()
        base = self.world.head(ws)
        self.world.commit(ws, message=release_message("1.2.3"))
        self.world.push(ws)
        self.world.git(ws, "reset", "-q", "--hard", base)
        self.world.commit(ws, message="Replace the release commit\n")
        self.world.push(ws, force=True)
        event = self.world.push_event(info.full_name)
        self.assertTrue(event["forced"])
        fresh = self.world.clone(info.full_name)  # as actions/checkout: the removed commit is not there
        for scan in ("push", "since-last-tag"):
            r = self.world.run("tag", {"scan": scan}, event=event, cwd=fresh)
            self.assert_not_tagged(r, info)

    def test_new_branch(self):
        info, ws = self.make(version="1.2.4")
        self.world.git(ws, "checkout", "-q", "-b", "release-1.2.4")
        sha = self.world.commit(ws, message=release_message("1.2.4"))
        self.world.push(ws, "release-1.2.4")
        event = self.world.push_event(info.full_name)
        self.assertEqual(event["before"], ZERO)
        r = self.world.run("tag", {"scan": "push"}, event=event, cwd=ws)
        self.assert_tagged(r, info, "v1.2.4", sha)

    def test_dispatched_run_with_scan_push_looks_at_the_head_only(self):
        info, ws = self.make()
        self.world.commit(ws, message=release_message("1.2.3"))
        head = self.world.commit(ws, message="Later change\n")
        self.world.push(ws)
        r = self.world.run("tag", {"scan": "push", "dry-run": True}, event=self.world.dispatch_event(),
                           event_name="workflow_dispatch", cwd=ws)
        self.assertEqual(r.exit_code, 0, r.describe())
        plan = json.loads(r.outputs["plan"])
        self.assertEqual(plan["scanned"], 1, plan)
        self.assertIsNone(plan["marker-commit"])
        r = self.world.run("tag", {"dry-run": True}, event=self.world.dispatch_event(),
                           event_name="workflow_dispatch", cwd=ws)  # since-last-tag finds it
        plan = json.loads(r.outputs["plan"])
        self.assertTrue(plan["create-tag"], plan)
        self.assertEqual(plan["sha"], head)

    def test_new_branch_with_the_default_scan(self):
        info, ws = self.make(version="1.2.4")
        self.world.git(ws, "checkout", "-q", "-b", "release-1.2.4")
        sha = self.world.commit(ws, message=release_message("1.2.4"))
        self.world.push(ws, "release-1.2.4")
        self.assert_tagged(self.world.run("tag", cwd=ws), info, "v1.2.4", sha)

    def test_deleted_branch_does_nothing(self):
        info, ws = self.make()
        self.world.git(ws, "checkout", "-q", "-b", "topic")
        self.world.commit(ws, message=release_message("1.2.3"))
        self.world.push(ws, "topic")
        event = self.world.push_event(info.full_name, ref="refs/heads/topic", before=self.world.head(ws),
                                      after=ZERO)
        self.assertTrue(event["deleted"])
        r = self.world.run("tag", event=event, cwd=ws)
        self.assert_not_tagged(r, info)
        self.assertEqual(r.api_requests, [], "a deleted ref needs no API call")

    def test_cancelled_run_is_recovered_on_the_next_push(self):
        info, ws = self.make()
        marked = self.world.commit(ws, message=release_message("1.2.3"))
        self.world.push(ws)  # the tag run for this push was cancelled
        head = self.world.commit(ws, message="Next change\n")
        self.world.push(ws)
        event = self.world.push_event(info.full_name)
        self.assertEqual(event["before"], marked)
        r = self.world.run("tag", {"scan": "push"}, event=event, cwd=ws)
        self.assert_not_tagged(r, info)  # the push alone does not carry the marker
        r = self.world.run("tag", event=event, cwd=ws)  # since-last-tag (default)
        self.assert_tagged(r, info, "v1.2.3", head)

    def test_target_marker_tags_the_marker_commit(self):
        info, ws = self.make()
        marked = self.world.commit(ws, message=release_message("1.2.3"))
        self.world.commit(ws, message="Next change\n")
        self.world.push(ws)
        r = self.world.run("tag", {"target": "marker"}, cwd=ws)
        self.assert_tagged(r, info, "v1.2.3", marked)

    def test_since_last_tag_stops_at_the_previous_release(self):
        info, ws = self.make(version="1.0.0")
        old = self.world.commit(ws, message=release_message("1.0.0"))
        self.world.push(ws)
        self.world.call("POST", f"/repos/{info.full_name}/git/refs", {"ref": "refs/tags/v1.0.0", "sha": old})
        self.world.commit(ws, files={"Cargo.toml": cargo_workspace("1.1.0")}, message="Bump to 1.1.0 by hand\n")
        self.world.push(ws)
        r = self.world.run("tag", cwd=ws)
        self.assertEqual(r.exit_code, 0, r.describe())
        self.assertEqual(r.outputs.get("tagged"), "false", "the old release commit is behind the tag")
        self.assertEqual(set(self.tags(info)), {"refs/tags/v1.0.0"})

    def test_shallow_clone_uses_the_compare_api(self):
        info, ws = self.make()
        base = self.world.head(ws)
        self.world.commit(ws, message=release_message("1.2.3"))
        head = self.world.commit(ws, message="After the release commit\n")
        self.world.push(ws)
        event = self.world.push_event(info.full_name)
        self.assertEqual(event["before"], base)
        shallow = self.world.clone(info.full_name, depth=1)
        for scan in ("push", "since-last-tag"):
            with self.subTest(scan=scan):
                r = self.world.run("tag", {"scan": scan, "dry-run": True}, event=event, cwd=shallow)
                self.assertEqual(r.exit_code, 0, r.describe())
                self.assertTrue(r.calls("GET", "/repos/*/compare/*"), r.describe())
                self.assertIn("compare API", r.stdout)
                plan = json.loads(r.outputs["plan"])
                self.assertTrue(plan["create-tag"], plan)
                self.assertEqual(plan["sha"], head)
        r = self.world.run("tag", event=event, cwd=shallow)
        self.assert_tagged(r, info, "v1.2.3", head)


    def test_compare_api_pages_through_long_pushes(self):
        info, ws = self.make()
        base = self.world.head(ws)
        self.world.push(ws)
        marked = self.world.commit_to(info.full_name, message=release_message("1.2.3"))
        head = self.world.make_history(info.full_name, [f"Change {i}\n" for i in range(230)])
        event = self.world.push_event(info.full_name, ref="refs/heads/main", before=base, after=head)
        shallow = self.world.clone(info.full_name, depth=1)
        r = self.world.run("tag", {"scan": "push", "target": "marker", "dry-run": True}, event=event,
                           cwd=shallow)
        self.assertEqual(r.exit_code, 0, r.describe())
        pages = r.calls("GET", "/repos/*/compare/*")
        self.assertGreaterEqual(len(pages), 3, r.describe())  # 231 commits, 100 a page
        plan = json.loads(r.outputs["plan"])
        self.assertEqual(plan["scanned"], 231)
        self.assertEqual(plan["marker-commit"], marked)
        # the marker commit is not in the shallow clone: its version came from the contents API
        self.assertTrue(r.calls("GET", "/repos/*/contents/Cargo.toml"), r.describe())
        self.assertEqual(plan["version"], "1.2.3")


class Versions(TagCase):
    def test_first_version_line_of_cargo_toml_is_a_dependency(self):
        manifest = ('[dependencies]\ntokio = { version = "1.0", features = ["rt-multi-thread"] }\n\n'
                    '[dependencies.serde]\nversion = "1.0.200"\n\n'
                    '[package]\nname = "demo"\nversion = "2.5.0"\nedition = "2021"\n')
        info, ws = self.make(files={"Cargo.toml": manifest})
        sha = self.world.commit(ws, message=release_message("2.5.0"))
        self.world.push(ws)
        self.assert_tagged(self.world.run("tag", cwd=ws), info, "v2.5.0", sha)

    def test_version_is_read_from_the_commit_not_the_work_tree(self):
        info, ws = self.make(version="3.0.0")
        sha = self.world.commit(ws, message=release_message("3.0.0"))
        self.world.push(ws)
        with open(os.path.join(ws, "Cargo.toml"), "w") as f:
            f.write(cargo_workspace("9.9.9"))  # an uncommitted edit must not matter
        self.assert_tagged(self.world.run("tag", cwd=ws), info, "v3.0.0", sha)

    def test_prerelease_version(self):
        info, ws = self.make(version="2.0.0-rc.1")
        sha = self.world.commit(ws, message=release_message("2.0.0-rc.1"))
        self.world.push(ws)
        self.assert_tagged(self.world.run("tag", cwd=ws), info, "v2.0.0-rc.1", sha)

    def test_prerelease_version_refused_when_not_allowed(self):
        info, ws = self.make(version="2.0.0-dev")
        self.world.commit(ws, message=release_message("2.0.0-dev"))
        self.world.push(ws)
        r = self.world.run("tag", {"allow-prerelease-versions": False}, cwd=ws)
        self.assertEqual(r.exit_code, 2, r.describe())
        self.assertEqual(len(r.errors), 1, r.describe())
        self.assertIn("2.0.0-dev", r.errors[0])
        self.assertEqual(self.tags(info), {})
        self.assertEqual(r.mutating, [])

    def test_version_from_package_json_and_custom_format(self):
        info, ws = self.make(files={"package.json": '{"name": "demo", "version": "4.1.0"}\n'})
        sha = self.world.commit(ws, message=release_message("4.1.0"))
        self.world.push(ws)
        r = self.world.run("tag", {"tag-format": "demo-{version}"}, cwd=ws)
        self.assert_tagged(r, info, "demo-4.1.0", sha)

    def test_version_from_names_the_file(self):
        info, ws = self.make(files={"Cargo.toml": cargo_workspace("1.0.0"), "misc/VERSION": "7.0.4\n"})
        sha = self.world.commit(ws, message=release_message("7.0.4"))
        self.world.push(ws)
        r = self.world.run("tag", {"version-from": "misc/VERSION"}, cwd=ws)
        self.assert_tagged(r, info, "v7.0.4", sha)

    def test_invalid_version_is_bad_input(self):
        info, ws = self.make(files={"VERSION": "1.02.0\n"})
        self.world.commit(ws, message=release_message("1.02.0"))
        self.world.push(ws)
        r = self.world.run("tag", cwd=ws)
        self.assertEqual(r.exit_code, 2, r.describe())
        self.assertEqual(len(r.errors), 1, r.describe())
        self.assertIn("leading zero", r.errors[0])
        self.assertEqual(self.tags(info), {})

    def test_auto_detection_skips_files_that_declare_no_version(self):
        # a private package.json of dev tools and a virtual workspace do not hold the version
        info, ws = self.make(files={"Cargo.toml": '[workspace]\nmembers = ["crates/*"]\n',
                                    "package.json": '{"private": true, "devDependencies": {}}\n',
                                    "VERSION": "0.4.0\n"})
        sha = self.world.commit(ws, message=release_message("0.4.0"))
        self.world.push(ws)
        self.assert_tagged(self.world.run("tag", cwd=ws), info, "v0.4.0", sha)

    def test_missing_version_file(self):
        info, ws = self.make(files={"README.md": "no manifest\n"})
        self.world.commit(ws, message=release_message("1.0.0"))
        self.world.push(ws)
        r = self.world.run("tag", cwd=ws)
        self.assertEqual(r.exit_code, 2, r.describe())
        self.assertIn("version-from", r.errors[0])


class Creation(TagCase):
    def test_annotated_tag(self):
        info, ws = self.make()
        sha = self.world.commit(ws, message=release_message("1.2.3"))
        self.world.push(ws)
        r = self.world.run("tag", {"annotated": True}, cwd=ws)
        self.assert_tagged(r, info, "v1.2.3", sha)
        self.assertEqual(len(r.calls("POST", "/repos/*/git/tags")), 1)
        tag_object = self.world.ref(info.full_name, "refs/tags/v1.2.3")
        self.assertNotEqual(tag_object, sha)
        bare = self.world.repo_path(info.full_name)
        self.assertEqual(self.world.git(bare, "cat-file", "-t", tag_object), "tag")
        self.assertIn("Release", self.world.git(bare, "cat-file", "-p", tag_object))

    def test_tag_exists_on_the_same_commit(self):
        info, ws = self.make()
        sha = self.world.commit(ws, message=release_message("1.2.3"))
        self.world.push(ws)
        self.world.call("POST", f"/repos/{info.full_name}/git/refs", {"ref": "refs/tags/v1.2.3", "sha": sha})
        for scan in ("push", "since-last-tag"):
            r = self.world.run("tag", {"scan": scan}, cwd=ws)
            self.assertEqual(r.exit_code, 0, r.describe())
            self.assertEqual(r.outputs.get("tagged"), "false")
            self.assertEqual(r.mutating, [], r.describe())
        self.assertEqual(self.world.ref(info.full_name, "refs/tags/v1.2.3"), sha)

    def test_tag_exists_on_another_commit(self):
        info, ws = self.make()
        first = self.world.head(ws)
        self.world.call("POST", f"/repos/{info.full_name}/git/refs", {"ref": "refs/tags/v1.2.3", "sha": first})
        sha = self.world.commit(ws, message=release_message("1.2.3"))
        self.world.push(ws)
        r = self.world.run("tag", {"scan": "push"}, cwd=ws)
        self.assertEqual(r.exit_code, 1, r.describe())
        self.assertEqual(len(r.errors), 1, r.describe())
        self.assertIn(first, r.errors[0])
        self.assertIn(sha, r.errors[0])
        self.assertEqual(self.world.ref(info.full_name, "refs/tags/v1.2.3"), first)
        self.assertEqual(r.mutating, [])

    def test_dispatch_starts_the_release_workflow(self):
        info, ws = self.make(files={"Cargo.toml": cargo_workspace("1.2.3"),
                                    ".github/workflows/release.yml": "on: [workflow_dispatch]\n"})
        sha = self.world.commit(ws, message=release_message("1.2.3"))
        self.world.push(ws)
        r = self.world.run("tag", {"dispatch": "release.yml"}, cwd=ws)
        self.assert_tagged(r, info, "v1.2.3", sha)
        self.assertEqual(r.outputs.get("dispatched"), "true")
        calls = r.calls("POST", "/repos/*/actions/workflows/release.yml/dispatches")
        self.assertEqual(len(calls), 1, r.describe())
        dispatches = self.world.dispatches(info.full_name)
        self.assertEqual(len(dispatches), 1)
        self.assertEqual(dispatches[0]["ref"], "v1.2.3")

    def test_dry_run_changes_nothing(self):
        info, ws = self.make()
        sha = self.world.commit(ws, message=release_message("1.2.3"))
        self.world.push(ws)
        r = self.world.run("tag", {"dry-run": True, "dispatch": "release.yml"}, cwd=ws)
        self.assertEqual(r.exit_code, 0, r.describe())
        self.assertEqual(r.mutating, [], r.describe())
        self.assertEqual(self.tags(info), {})
        plan = json.loads(r.outputs["plan"])
        self.assertEqual(plan["tag"], "v1.2.3")
        self.assertEqual(plan["sha"], sha)
        self.assertTrue(plan["create-tag"])
        self.assertEqual(plan["dispatch"], "release.yml")
        self.assertEqual(r.outputs.get("tagged"), "false")

    def test_second_run_changes_nothing(self):
        info, ws = self.make()
        sha = self.world.commit(ws, message=release_message("1.2.3"))
        self.world.push(ws)
        self.assert_tagged(self.world.run("tag", cwd=ws), info, "v1.2.3", sha)
        again = self.world.run("tag", cwd=ws)
        self.assertEqual(again.exit_code, 0, again.describe())
        self.assertEqual(again.outputs.get("tagged"), "false")
        self.assertEqual(again.mutating, [], again.describe())

    def test_terminal_use_with_flags(self):
        info, ws = self.make()
        base = self.world.head(ws)
        sha = self.world.commit(ws, message=release_message("1.2.3"))
        self.world.push(ws)
        r = self.world.run("tag", {"before": base, "after": "HEAD", "scan": "push"}, cwd=ws, actions=False,
                           env={"GITHUB_TOKEN": self.world.token})
        self.assertEqual(r.exit_code, 0, r.describe())
        self.assertEqual(self.world.ref(info.full_name, "refs/tags/v1.2.3"), sha)
        self.assertNotIn("::", r.stdout, "plain words outside Actions")


if __name__ == "__main__":
    unittest.main()
