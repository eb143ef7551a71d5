"""Mode release against GitHub Enterprise Server's URL shape: the API
under /api/v3 and uploads under /api/uploads, reached only through the
release's own `upload_url` (hypermedia), never a URL built by hand."""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from harness import GhesWorld  # noqa: E402
from test_release import ReleaseCase, names_of  # noqa: E402


class ReleaseOnGhes(GhesWorld, ReleaseCase):
    def test_release_with_uploads_under_api_uploads(self):
        files = {"dist/a.tar.gz": os.urandom(10_000), "dist/b.zip": os.urandom(20_000)}
        info, ws = self.make(files)
        r = self.ok(self.release(info, ws))
        self.assert_assets_are(info, names_of(files))
        self.assertFalse(self.rel(info)["draft"])
        for u in self.uploads(r):
            self.assertEqual(u["status"], 201)
        self.assertIn("/api/uploads/repos/", r.outputs["upload-url"])
        self.assertTrue(all("/api/uploads/" in a["url"] or "/releases/download/" in a["url"]
                            for a in json.loads(r.outputs["assets"])))
        again = self.ok(self.release(info, ws))
        self.assertEqual(again.mutating, [])


if __name__ == "__main__":
    unittest.main()
