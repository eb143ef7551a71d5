"""valgrind memcheck on mode release's main paths against the local
GitHub: a first release with parallel uploads, a re-run that keeps
everything, a replaced asset after a reset mid-upload, a dry run and a
preflight refusal. No invalid access, no definite or indirect leak
(valgrind exits 99 otherwise)."""
import os
import shutil
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from harness import binary_path  # noqa: E402
from test_release import UPLOADS, ReleaseCase  # noqa: E402

VALGRIND_EXIT = 99
VALGRIND = shutil.which("valgrind.bin") or shutil.which("valgrind")


@unittest.skipUnless(VALGRIND, "valgrind is not installed (scripts/setup installs it)")
class ReleaseMemcheck(ReleaseCase):
    def checked(self, info, ws, inputs=None, expect=0, **kw):
        valgrind = ["--quiet", "--leak-check=full", "--show-leak-kinds=definite,indirect",
                    "--errors-for-leak-kinds=definite,indirect", f"--error-exitcode={VALGRIND_EXIT}",
                    os.path.abspath(binary_path())]
        r = self.release(info, ws, inputs, binary=VALGRIND, args=valgrind, timeout=180, **kw)
        self.assertNotEqual(r.exit_code, VALGRIND_EXIT, "valgrind found errors:\n" + r.stderr[-6000:])
        self.assertEqual(r.exit_code, expect, r.describe())
        return r

    def test_main_path(self):
        files = {f"dist/a{i}.tar.gz": os.urandom(30_000 + i) for i in range(5)}
        info, ws = self.make(files)
        self.write(ws, {"NOTES.md": "## 1.2.3\n\nNotes.\n"})
        self.checked(info, ws, {"checksums": "SHA256SUMS", "notes-file": "NOTES.md"})
        self.checked(info, ws, {"checksums": "SHA256SUMS"})
        self.write(ws, {"dist/a2.tar.gz": os.urandom(40_000)})
        self.world.fault("reset", UPLOADS, method="POST", origin="upload")
        self.checked(info, ws, {"checksums": "SHA256SUMS"})
        self.checked(info, ws, {"dry-run": True})
        self.write(ws, {"dist/empty": b""})
        self.checked(info, ws, expect=2)

    def test_rolling(self):
        info, ws = self.make({"dist/x.bin": b"x" * 1000}, tag=None)
        self.checked(info, ws, {"rolling": "dev"}, tag="dev")


if __name__ == "__main__":
    unittest.main()
