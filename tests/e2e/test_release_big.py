"""Mode release with a large asset: a 1.5 GiB (sparse) file is streamed to
the upload origin with a flat memory profile: the peak resident set size
that /usr/bin/time -v reports stays under 32 MB, and GitHub's digest of
what arrived matches the file."""
import hashlib
import os
import re
import shutil
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from harness import binary_path  # noqa: E402
from test_release import ReleaseCase  # noqa: E402

TIME = "/usr/bin/time"
SIZE = 1536 * 1024 * 1024  # 1.5 GiB
PEAK_LIMIT_KB = 32 * 1024


def sparse_sha256(size):
    """SHA-256 of size zero bytes, in 8 MiB steps."""
    h = hashlib.sha256()
    block = bytes(8 * 1024 * 1024)
    left = size
    while left:
        n = min(left, len(block))
        h.update(block[:n])
        left -= n
    return h.hexdigest()


@unittest.skipUnless(os.path.exists(TIME), "GNU time is not installed (scripts/setup installs it)")
class BigAsset(ReleaseCase):
    def test_one_and_a_half_gib_with_peak_rss_under_32_mb(self):
        if shutil.disk_usage(self.world.tmp).free < 3 * SIZE:
            self.skipTest("not enough free disk for the fake's copy of the asset")
        info, ws = self.make({"dist/small.txt": b"small"})
        with open(os.path.join(ws, "dist", "big.bin"), "wb") as f:
            f.truncate(SIZE)
        r = self.release(info, ws, binary=TIME, args=["-v", os.path.abspath(binary_path())], timeout=300)
        self.assertEqual(r.exit_code, 0, r.describe())
        peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", r.stderr).group(1))
        print(f"\n    peak RSS {peak} KiB for a {SIZE // 2**20} MiB upload in {r.duration:.1f} s", file=sys.stderr)
        self.assertLess(peak, PEAK_LIMIT_KB, r.stderr[-2000:])
        big = self.assets(info)["big.bin"]
        self.assertEqual((big["size"], big["state"]), (SIZE, "uploaded"))
        self.assertEqual(big["digest"], "sha256:" + sparse_sha256(SIZE))
        [up] = [u for u in self.uploads(r) if u["query"]["name"] == "big.bin"]
        self.assertEqual(int(up["headers"]["content-length"]), SIZE)


if __name__ == "__main__":
    unittest.main()
