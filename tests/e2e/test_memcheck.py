"""valgrind memcheck on the main paths: the binary as the runner runs it,
against the local GitHub, must finish with no invalid access and no
definite or indirect leak (valgrind exits 99 otherwise)."""
import os
import shutil
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from harness import E2ETestCase, binary_path  # noqa: E402
from test_tag import TagCase, cargo_workspace, release_message  # noqa: E402

VALGRIND_EXIT = 99
# Debian's /usr/bin/valgrind is a sh script; valgrind.bin is the program itself
VALGRIND = shutil.which("valgrind.bin") or shutil.which("valgrind")


@unittest.skipUnless(VALGRIND, "valgrind is not installed (scripts/setup installs it)")
class Memcheck(TagCase):
    def run_checked(self, *args, expect=0, extra_args=(), **kw):
        # valgrind itself is the program run: a shell wrapper would drop the
        # INPUT_DRY-RUN style variables (dash removes names with hyphens).
        valgrind = ["--quiet", "--leak-check=full", "--show-leak-kinds=definite,indirect",
                    "--errors-for-leak-kinds=definite,indirect", f"--error-exitcode={VALGRIND_EXIT}",
                    os.path.abspath(binary_path())]
        r = self.world.run(*args, binary=VALGRIND, args=valgrind + list(extra_args),
                           timeout=120, **kw)
        self.assertNotEqual(r.exit_code, VALGRIND_EXIT, "valgrind found errors:\n" + r.stderr[-6000:])
        self.assertEqual(r.exit_code, expect, r.describe())
        return r

    def test_tag_created_and_dispatched(self):
        info, ws = self.make(files={"Cargo.toml": cargo_workspace("1.2.3"),
                                    ".github/workflows/release.yml": "on: [workflow_dispatch]\n"})
        self.world.commit(ws, message=release_message("1.2.3"))
        self.world.push(ws)
        r = self.run_checked("tag", {"dispatch": "release.yml", "annotated": True}, cwd=ws)
        self.assertEqual(r.outputs.get("tagged"), "true")

    def test_no_marker_and_dry_run(self):
        info, ws = self.make()
        self.world.commit(ws, message="Fix\n")
        self.world.push(ws)
        self.run_checked("tag", {"dry-run": True}, cwd=ws)

    def test_shallow_compare_fallback(self):
        info, ws = self.make()
        self.world.commit(ws, message=release_message("1.2.3"))
        self.world.commit(ws, message="After\n")
        self.world.push(ws)
        event = self.world.push_event(info.full_name)
        shallow = self.world.clone(info.full_name, depth=1)
        r = self.run_checked("tag", {"scan": "push"}, event=event, cwd=shallow)
        self.assertEqual(r.outputs.get("tagged"), "true")

    def test_failed_operation(self):
        info, ws = self.make()
        self.world.commit(ws, message=release_message("1.2.3"))
        self.world.push(ws)
        self.world.configure(info.full_name, permissions={"contents": "read"})
        self.run_checked("tag", cwd=ws, expect=1)

    def test_bad_input(self):
        info, ws = self.make()
        self.run_checked("tag", {"dry-run": "maybe"}, cwd=ws, expect=2)

    def test_help_and_version(self):
        info, ws = self.make()
        r = self.run_checked(None, extra_args=["--version"], cwd=ws, actions=False)
        self.assertIn("libgit2", r.stdout)
        r = self.run_checked(None, extra_args=["--help"], cwd=ws, actions=False)
        self.assertIn("--tag-format", r.stdout)


if __name__ == "__main__":
    unittest.main()
