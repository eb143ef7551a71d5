"""Mode release refuses, before any request that changes something, every
file GitHub would not take as it is: over 2 GiB, empty, directories,
names GitHub would rewrite or that collide once rewritten, more than 1000
assets in the end, and globs that match nothing. Exit status 2, one
message naming every offender, nothing created on the server."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from test_release import ReleaseCase  # noqa: E402


class Preflight(ReleaseCase):
    def refused(self, r, info):
        self.assertEqual(r.exit_code, 2, r.describe())
        self.assertEqual(len(r.errors), 1, r.describe())
        self.assertEqual(r.mutating, [], r.describe())
        self.assertEqual([x for x in self.world.releases(info.full_name) if x["tag_name"] == "v1.2.3"
                          and not x.get("seeded")], self.seeded)
        return r.errors[0]

    def setUp(self):
        super().setUp()
        self.seeded = []

    def test_every_offender_in_one_message(self):
        info, ws = self.make({"dist/ok.bin": b"fine", "dist/empty.bin": b"", "dist/has space.zip": b"s",
                              "dist/a/dup.tar.gz": b"1", "dist/b/dup.tar.gz": b"2", "dist/~tilde": b"t",
                              "dist/.hidden": b"h", "dist/rt-tmp-1a2b3c4d-x.bin": b"t"})
        os.makedirs(os.path.join(ws, "dist", "adir"))
        with open(os.path.join(ws, "dist", "huge.bin"), "wb") as f:
            f.truncate(2 * 1024 ** 3 + 1)  # sparse: no disk used
        err = self.refused(self.release(info, ws, {"files": "dist/*\ndist/*/*.tar.gz\ndist/adir"}), info)
        for needle in ("`dist/empty.bin`: is empty", "`dist/huge.bin`: is 2.00 GiB", "`has space.zip`",
                       "`has.space.zip`", "`dist/a/dup.tar.gz` and `dist/b/dup.tar.gz`", "`~tilde`",
                       "`dist/adir`: is a directory", "`.hidden`",
                       "`rt-tmp-1a2b3c4d-x.bin`: names starting with `rt-tmp-` are this tool's temporary names"):
            self.assertIn(needle, err)
        self.assertNotIn("ok.bin", err)
        self.assertIn("nothing was changed", err)

    def test_names_that_collide_after_githubs_rewriting(self):
        info, ws = self.make({"dist/a b.zip": b"1", "dist/a.b.zip": b"2"})
        err = self.refused(self.release(info, ws), info)
        self.assertIn("`a b.zip`: GitHub would rename it to `a.b.zip`", err)
        self.assertIn("would both be the asset `a.b.zip`", err)

    def test_unmatched_globs_are_all_named(self):
        info, ws = self.make({"dist/a.zip": b"a"})
        err = self.refused(self.release(info, ws, {"files": "dist/*.zip\nbuild/*.tar.gz\nout/**/*.msi"}), info)
        self.assertIn("`build/*.tar.gz`", err)
        self.assertIn("`out/**/*.msi`", err)
        self.assertNotIn("dist/*.zip", err)
        # fail-on-unmatched: false warns and goes on
        r = self.ok(self.release(info, ws, {"files": "dist/*.zip\nbuild/*.tar.gz", "fail-on-unmatched": False}))
        self.assertTrue(any("build/*.tar.gz" in w for w in r.warnings), r.describe())
        self.assertEqual(sorted(self.assets(info)), ["a.zip"])

    def test_more_than_1000_assets_in_the_end(self):
        info, ws = self.make({"dist/new-1.bin": b"1", "dist/new-2.bin": b"2"})
        rid = self.world.add_release(info.full_name, "v1.2.3",
                                     assets={f"old-{i:04}.txt": b"x" for i in range(999)})
        before = self.world.release(info.full_name, "v1.2.3")
        r = self.release(info, ws)
        self.assertEqual(r.exit_code, 2, r.describe())
        self.assertIn("1001 assets", r.errors[0])
        self.assertEqual(r.mutating, [])
        self.assertEqual(self.world.release(info.full_name, "v1.2.3"), before)
        self.assertEqual(before["id"], rid)

    def test_the_checksums_name_is_checked_too(self):
        info, ws = self.make({"dist/SHA256SUMS": b"mine"})
        err = self.refused(self.release(info, ws, {"checksums": "SHA256SUMS"}), info)
        self.assertIn("would both be the asset `SHA256SUMS`", err)

    def test_no_tag(self):
        info, ws = self.make({"dist/a.zip": b"a"})
        r = self.world.run("release", {"files": "dist/*"}, ref="refs/heads/main", cwd=ws)
        self.assertEqual(r.exit_code, 2, r.describe())
        self.assertIn("tag", r.errors[0])
        self.assertEqual(r.mutating, [])


if __name__ == "__main__":
    unittest.main()
