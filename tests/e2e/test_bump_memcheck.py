"""valgrind memcheck on the bump mode's main paths (as tests/e2e/test_memcheck.py
does for tag): no invalid access, no definite or indirect leak."""
import os
import shutil
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from harness import binary_path  # noqa: E402
from test_bump import BumpCase, wasmtime_files  # noqa: E402

VALGRIND_EXIT = 99
VALGRIND = shutil.which("valgrind.bin") or shutil.which("valgrind")
SUPPRESSIONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "valgrind-libgit2-pcre2.supp")


@unittest.skipUnless(VALGRIND, "valgrind is not installed (scripts/setup installs it)")
class BumpMemcheck(BumpCase):
    def run_checked(self, ws, inputs, expect=0, **kw):
        valgrind = ["--quiet", "--leak-check=full", "--show-leak-kinds=definite,indirect",
                    "--errors-for-leak-kinds=definite,indirect", f"--error-exitcode={VALGRIND_EXIT}",
                    f"--suppressions={SUPPRESSIONS}", os.path.abspath(binary_path())]
        kw.setdefault("event_name", "workflow_dispatch")
        kw.setdefault("ref", "refs/heads/main")
        r = self.world.run("bump", inputs, cwd=ws, binary=VALGRIND, args=valgrind, timeout=180, **kw)
        self.assertNotEqual(r.exit_code, VALGRIND_EXIT, "valgrind found errors:\n" + r.stderr[-6000:])
        self.assertEqual(r.exit_code, expect, r.describe())
        return r

    def test_git_push_from_a_shallow_clone_then_rerun(self):
        info, ws = self.make(wasmtime_files())
        self.world.commit_to(info.full_name, {"README.md": "x\n"}, message="more\n")
        ws = self.world.clone(info.full_name, depth=1)
        inputs = {"level": "major", "prerelease-id": "dev", "cut-branch": "release-{previous-core}",
                  "version-files": "crates/c-api/include/wasmtime.h", "security-query": "RUSTSEC"}
        self.run_checked(ws, inputs)
        self.run_checked(self.world.clone(info.full_name, depth=1), inputs)

    def test_api_push_and_notes(self):
        info, ws = self.make(wasmtime_files())
        self.run_checked(ws, {"level": "release", "push": "api", "notes-file": "RELEASES.md",
                              "release-date": "2026-09-20"})

    def test_dry_run(self):
        info, ws = self.make()
        self.run_checked(ws, {"dry-run": True, "level": "rc"})

    def test_failures(self):
        info, ws = self.make()
        self.world.commit_to(info.full_name, {"x": "y\n"}, message="not ours\n", branch="ci/bump-to-2.0.0")
        self.run_checked(ws, {}, expect=1)
        self.run_checked(ws, {"branch": "x/{nope}"}, expect=2)


if __name__ == "__main__":
    unittest.main()
