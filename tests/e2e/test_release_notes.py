"""Mode release: the release body from notes-file, the section of exactly
this version (real Wasmtime RELEASES.md files of both layouts,
Keep-a-Changelog headings, `7.0.4` never matching `47.0.4`, a release
candidate falling back to its core version's section, the 125,000
character body limit), or GitHub's generated notes."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from test_release import ReleaseCase  # noqa: E402

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")


def fixture(*parts):
    with open(os.path.join(FIXTURES, *parts), encoding="utf-8") as f:
        return f.read()


def section(text, start_line, end_line):
    """Lines [start_line, end_line) (1-based) joined, blank lines around dropped."""
    lines = text.split("\n")[start_line - 1:end_line - 1]
    return "\n".join(lines).strip("\n")


class Notes(ReleaseCase):
    def body_for(self, notes, tag, name="RELEASES.md", expect=0, **inputs):
        info, ws = self.make({"dist/x.bin": b"x", name: notes}, tag=tag)
        values = {"notes-file": name}
        values.update(inputs)
        r = self.release(info, ws, values, tag=tag)
        self.assertEqual(r.exit_code, expect, r.describe())
        if expect:
            return r, None
        return r, self.rel(info, tag)

    def test_wasmtime_current_layout(self):
        text = fixture("release-notes", "wasmtime-release-48.0.0.md")
        _, rel = self.body_for(text, "v48.0.0")
        # the section: from "Released 2026-08-20." to before the dashed rule on line 137
        self.assertEqual(rel["body"], section(text, 3, 137))
        self.assertTrue(rel["body"].startswith("Released 2026-08-20."))
        self.assertNotIn("ARCHIVE_START", rel["body"])
        self.assertNotIn("7.0.x", rel["body"])

    def test_release_candidate_uses_the_core_versions_section(self):
        text = fixture("release-notes", "wasmtime-release-48.0.0.md")
        r, rel = self.body_for(text, "v48.0.0-rc.1")
        self.assertEqual(rel["body"], section(text, 3, 137))
        self.assertTrue(rel["prerelease"])

    def test_wasmtime_old_layout_exact_version(self):
        text = fixture("notes", "wasmtime-release-20.0.0.md")
        _, rel = self.body_for(text, "v20.0.1")
        self.assertEqual(rel["body"], section(text, 23, 30).rstrip())
        self.assertTrue(rel["body"].startswith("Released 2024-05-03."))
        self.assertNotIn("2024-05-07", rel["body"])
        self.assertNotIn("2024-04-22", rel["body"])

    def test_7_0_4_never_matches_47_0_4(self):
        text = ("# Changelog\n\n## 47.0.4\n\nForty-seven.\n\n## 7.0.41\n\nSeven-forty-one.\n\n"
                "## 7.0.4-rc.1\n\nCandidate.\n\n## 7.0.4\n\nSeven.\n\n## 7.0.3\n\nOlder.\n")
        _, rel = self.body_for(text, "v7.0.4")
        self.assertEqual(rel["body"], "Seven.")
        r, _ = self.body_for("## 47.0.4\n\nForty-seven.\n", "v7.0.4", expect=2)
        self.assertIn("RELEASES.md", r.errors[0])
        self.assertIn("7.0.4", r.errors[0])
        self.assertEqual(r.mutating, [])

    def test_keep_a_changelog_headings(self):
        text = ("# Changelog\n\n## [Unreleased]\n\n- next\n\n## [1.2.3] - 2024-01-01\n\n### Added\n\n- a thing\n\n"
                "## [1.2.2] - 2023-12-01\n\n- old\n\n[1.2.3]: https://example.com/compare/v1.2.2...v1.2.3\n")
        _, rel = self.body_for(text, "v1.2.3", name="CHANGELOG.md")
        self.assertEqual(rel["body"], "### Added\n\n- a thing")

    def test_body_cut_to_githubs_limit_with_a_note(self):
        text = "## 1.2.3\n\n" + ("word " * 20 + "\n") * 3000
        _, rel = self.body_for(text, "v1.2.3")
        self.assertLessEqual(len(rel["body"]), 125_000)
        self.assertGreater(len(rel["body"]), 100_000)
        self.assertIn("RELEASES.md", rel["body"][-400:])

    def test_missing_notes_file_is_bad_input_before_any_change(self):
        info, ws = self.make({"dist/x.bin": b"x"})
        r = self.release(info, ws, {"notes-file": "NOPE.md"})
        self.assertEqual(r.exit_code, 2, r.describe())
        self.assertIn("NOPE.md", r.errors[0])
        self.assertEqual(r.mutating, [])
        self.assertEqual(self.world.releases(info.full_name), [])


if __name__ == "__main__":
    unittest.main()
