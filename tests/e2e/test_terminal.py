"""Terminal use as people expect (issue 10, item 2; SPEC section 1).

`release-train tag --dry-run` inside a clone, with no GITHUB_* variable
but the API URL: the repository comes from the origin remote (https or
ssh form, with or without .git, as gh reads it), the token from
GITHUB_TOKEN or GH_TOKEN, the API from GITHUB_API_URL or
https://api.github.com.
"""
import json
import os
import shutil
import socket
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from harness import E2ETestCase, binary_path  # noqa: E402,F401
from test_tag import TagCase, release_message  # noqa: E402

# What a developer's shell has: no runner context at all.
NO_CONTEXT = {"GITHUB_REPOSITORY": None, "GITHUB_SERVER_URL": None, "GITHUB_GRAPHQL_URL": None}


def plan_of(result):
    for line in result.stdout.splitlines():
        if line.startswith("plan: {"):
            return json.loads(line[len("plan: "):])
    raise AssertionError("no plan line:\n" + result.describe())


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Terminal(TagCase):
    def released(self):
        info, ws = self.make()
        sha = self.world.commit(ws, message=release_message("1.2.3"))
        self.world.push(ws)
        return info, ws, sha

    def terminal(self, ws, inputs=None, token_var="GITHUB_TOKEN", **env):
        e = dict(NO_CONTEXT)
        e[token_var] = self.world.token
        e.update(env)
        return self.world.run("tag", inputs, cwd=ws, actions=False, env=e)

    def test_dry_run_inside_a_clone_finds_the_repository_from_origin(self):
        info, ws, sha = self.released()
        self.assertTrue(self.world.git(ws, "remote", "get-url", "origin").endswith(info.full_name))
        r = self.terminal(ws, {"dry-run": True})
        self.assertEqual(r.exit_code, 0, r.describe())
        plan = plan_of(r)
        self.assertEqual((plan["tag"], plan["sha"], plan["create-tag"]), ("v1.2.3", sha, True), plan)
        self.assertTrue(r.api_requests, r.describe())
        for req in r.api_requests:
            self.assertTrue(req["path"].startswith(f"/repos/{info.full_name}/"), req["path"])
            self.assertEqual(req["auth"], "token")
        self.assertEqual(r.mutating, [])
        self.assertNotIn("::", r.stdout, "plain words on a terminal")

    def test_https_and_ssh_origin_forms(self):
        info, ws, sha = self.released()
        secret = "ghp_inTheRemoteUrl0000000000000000000000"
        for url in (f"https://github.com/{info.full_name}", f"https://github.com/{info.full_name}.git",
                    f"https://github.com/{info.full_name}.git/", f"git@github.com:{info.full_name}.git",
                    f"git@github.com:{info.full_name}", f"ssh://git@github.com/{info.full_name}",
                    f"ssh://git@github.com:22/{info.full_name}.git",
                    f"https://x-access-token:{secret}@github.com/{info.full_name}.git"):
            with self.subTest(url=url):
                self.world.git(ws, "remote", "set-url", "origin", url)
                r = self.terminal(ws, {"dry-run": True})
                self.assertEqual(r.exit_code, 0, r.describe())
                self.assertEqual(plan_of(r)["sha"], sha)
                self.assertNotIn(secret, r.stdout + r.stderr)

    def test_real_run_with_gh_token(self):
        info, ws, sha = self.released()
        self.world.git(ws, "remote", "set-url", "origin", f"git@github.com:{info.full_name}.git")
        r = self.terminal(ws, token_var="GH_TOKEN")
        self.assertEqual(r.exit_code, 0, r.describe())
        self.assertEqual(self.world.ref(info.full_name, "refs/tags/v1.2.3"), sha)
        self.assertIn("tagged: true", r.stdout)

    def test_github_repository_wins_over_origin(self):
        info, ws, sha = self.released()
        self.world.git(ws, "remote", "set-url", "origin", "https://github.com/someone/else.git")
        r = self.terminal(ws, {"dry-run": True}, GITHUB_REPOSITORY=info.full_name)
        self.assertEqual(r.exit_code, 0, r.describe())
        self.assertEqual(plan_of(r)["sha"], sha)

    def test_no_origin_says_what_to_set(self):
        info, ws, _ = self.released()
        self.world.git(ws, "remote", "remove", "origin")
        r = self.terminal(ws, {"dry-run": True})
        self.assertEqual(r.exit_code, 2, r.describe())
        errors = [line for line in r.stderr.splitlines() if line.startswith("error")]
        self.assertEqual(len(errors), 1, r.describe())
        self.assertIn("GITHUB_REPOSITORY", errors[0])
        self.assertIn("origin", errors[0])
        self.assertEqual(r.requests, [])

    def test_origin_that_names_no_github_repository(self):
        info, ws, _ = self.released()
        self.world.git(ws, "remote", "set-url", "origin", "/srv/git/demo.git")
        r = self.terminal(ws, {"dry-run": True})
        self.assertEqual(r.exit_code, 2, r.describe())
        self.assertIn("GITHUB_REPOSITORY", r.stderr)

    def test_api_url_defaults_to_api_github_com(self):
        info, ws, _ = self.released()
        self.world.git(ws, "remote", "set-url", "origin", f"https://github.com/{info.full_name}.git")
        # no network here: a dead proxy shows where the request would have gone
        r = self.terminal(ws, {"dry-run": True, "max-retries": 0}, GITHUB_API_URL=None,
                          HTTPS_PROXY=f"http://127.0.0.1:{closed_port()}")
        self.assertEqual(r.exit_code, 1, r.describe())
        self.assertIn(f"https://api.github.com/repos/{info.full_name}/", r.stderr)
        self.assertEqual(r.requests, [])

    @unittest.skipUnless(shutil.which("valgrind.bin") or shutil.which("valgrind"), "valgrind is not installed")
    def test_origin_fallback_under_memcheck(self):
        """The origin lookup (libgit2 initialised and shut down inside config loading) leaks
        nothing and touches no invalid memory: run as the runner would, minus GITHUB_REPOSITORY."""
        info, ws, sha = self.released()
        self.world.git(ws, "remote", "set-url", "origin", f"git@github.com:{info.full_name}.git")
        valgrind = shutil.which("valgrind.bin") or shutil.which("valgrind")
        args = ["--quiet", "--leak-check=full", "--show-leak-kinds=definite,indirect",
                "--errors-for-leak-kinds=definite,indirect", "--error-exitcode=99", os.path.abspath(binary_path())]
        r = self.world.run("tag", {"dry-run": True}, cwd=ws, binary=valgrind, args=args, timeout=120,
                           env={"GITHUB_REPOSITORY": None})
        self.assertNotEqual(r.exit_code, 99, "valgrind found errors:\n" + r.stderr[-6000:])
        self.assertEqual(r.exit_code, 0, r.describe())
        self.assertIn(sha, r.outputs.get("plan", ""))


if __name__ == "__main__":
    unittest.main()
