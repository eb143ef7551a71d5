"""Self-tests of the driver: run() as the runner, outputs, the secret check,
contract violations during a run, events, and a clean stop."""
import json
import os
import stat
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from harness import (ContractViolation, E2ETestCase, SecretLeak, World, parse_annotations,  # noqa: E402
                     parse_output_file)
from harness.util import ZERO_SHA, pid_alive, port_open  # noqa: E402

# A stand-in for the binary: does what STUB says, reports what it saw without the token.
STUB = r'''#!PYTHON
import json, os, sys, time, urllib.request
env = dict(os.environ)
token = env.get("INPUT_TOKEN", "")
what = env.get("STUB", "report")
if env.get("GITHUB_ACTIONS") != "true":
    print(json.dumps({"argv": sys.argv[1:], "api": env.get("GITHUB_API_URL"), "output": env.get("GITHUB_OUTPUT")}))
    sys.exit(0)
seen = {k: v for k, v in env.items() if k.startswith(("GITHUB_", "INPUT_", "RUNNER_", "RELEASE_TRAIN_"))
        or k in ("HOME", "SSL_CERT_FILE", "CURL_CA_BUNDLE", "GIT_SSL_CAINFO", "CI")}
seen["INPUT_TOKEN"] = "<set>" if token else "<empty>"
seen["argv"] = sys.argv[1:]
with open(env["GITHUB_EVENT_PATH"]) as f:
    seen["event"] = json.load(f)
print("::add-mask::" + token)
print(json.dumps(seen))
with open(env["GITHUB_OUTPUT"], "a") as f:
    f.write("version=1.2.3\n")
    f.write("notes<<ghadelimiter_abc\nline one\n\nline=three\nghadelimiter_abc\n")
with open(env["GITHUB_STEP_SUMMARY"], "a") as f:
    f.write("## Release\n| a | b |\n")
print("::warning file=Cargo.toml,line=3::odd%0Aversion")
if what == "leak-stdout":
    print("token is " + token)
elif what == "leak-git":
    with open(os.path.join(env["GITHUB_WORKSPACE"], ".git", "config"), "a") as f:
        f.write("[http]\n\textraheader = AUTHORIZATION: bearer " + token + "\n")
elif what == "sleep":
    time.sleep(30)
elif what == "bad-request":
    req = urllib.request.Request(env["GITHUB_API_URL"] + "/repos/" + env["GITHUB_REPOSITORY"] + "/git/refs",
                                 data=b'{"ref": "refs/tags/v1"}', method="POST",
                                 headers={"Authorization": "Bearer " + token, "User-Agent": "stub",
                                          "Content-Type": "application/json"})
    try:
        urllib.request.urlopen(req)
    except Exception as e:
        print("::error::" + str(e))
        sys.exit(1)
sys.exit(int(env.get("STUB_EXIT", "0")))
'''


class RunLikeTheRunner(E2ETestCase):
    def setUp(self):
        super().setUp()
        self.stub = os.path.join(self.world.tmp, "stub")
        with open(self.stub, "w") as f:
            f.write(STUB.replace("PYTHON", sys.executable))
        os.chmod(self.stub, os.stat(self.stub).st_mode | stat.S_IEXEC)
        self.info = self.world.create_repo("octo/run")
        self.ws = self.world.clone("octo/run")

    def run_stub(self, what="report", **kw):
        env = dict(kw.pop("env", {}), STUB=what)
        return self.world.run("tag", binary=self.stub, env=env, cwd=self.ws, **kw)

    def test_environment_outputs_summary(self):
        w = self.world
        sha = w.commit(self.ws, message="change")
        w.push(self.ws, "main")
        r = self.run_stub(inputs={"dry-run": True, "files": ["a", "b"]})
        self.assertEqual(r.exit_code, 0, r.describe())
        seen = json.loads(r.stdout.splitlines()[1])
        self.assertEqual(seen["INPUT_MODE"], "tag")
        self.assertEqual(seen["INPUT_DRY-RUN"], "true")
        self.assertEqual(seen["INPUT_FILES"], "a\nb")
        self.assertEqual(seen["INPUT_TOKEN"], "<set>")
        self.assertEqual(seen["GITHUB_ACTIONS"], "true")
        self.assertEqual(seen["GITHUB_API_URL"], w.api_url)
        self.assertEqual(seen["GITHUB_SERVER_URL"], w.server_url)
        self.assertEqual(seen["GITHUB_REPOSITORY"], "octo/run")
        self.assertEqual(seen["GITHUB_EVENT_NAME"], "push")
        self.assertEqual(seen["GITHUB_REF"], "refs/heads/main")
        self.assertEqual(seen["GITHUB_SHA"], sha)
        self.assertEqual(seen["GITHUB_WORKSPACE"], self.ws)
        self.assertEqual(seen["RELEASE_TRAIN_BACKOFF_MS"], "50")
        self.assertTrue(seen["HOME"].startswith(w.tmp))
        for name in ("SSL_CERT_FILE", "CURL_CA_BUNDLE", "GIT_SSL_CAINFO"):
            self.assertNotIn(name, seen)
        event = seen["event"]
        self.assertEqual((event["before"], event["after"], event["created"]), (self.info.head, sha, False))
        self.assertEqual([c["id"] for c in event["commits"]], [sha])
        self.assertEqual(event["head_commit"]["message"], "change")
        # every action.yml input arrives, as the runner passes them
        if os.path.exists(os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
                os.path.abspath(__file__)))), "action.yml")):
            self.assertEqual(seen.get("INPUT_MARKER"), "[automatically-tag-and-release-this-commit]")
        self.assertEqual(r.outputs, {"version": "1.2.3", "notes": "line one\n\nline=three"})
        self.assertEqual(r.summary, "## Release\n| a | b |\n")
        self.assertEqual(r.annotations[0]["command"], "add-mask")
        self.assertEqual(r.warnings, ["odd\nversion"])
        self.assertEqual(r.annotations[-1]["properties"], {"file": "Cargo.toml", "line": "3"})
        self.assertNotIn(w.token, repr(r.env))

    def test_terminal_mode(self):
        r = self.world.run("tag", {"dry-run": True, "tag-format": "v{version}"}, binary=self.stub, cwd=self.ws,
                           actions=False, args=["--verbose"])
        seen = json.loads(r.stdout)
        self.assertEqual(seen["argv"], ["tag", "--dry-run", "true", "--tag-format", "v{version}", "--verbose"])
        self.assertEqual(seen["api"], self.world.api_url)
        self.assertIsNone(seen["output"])

    def test_exit_status_and_errors(self):
        r = self.run_stub(env={"STUB_EXIT": "2"})
        self.assertEqual(r.exit_code, 2)

    def test_secret_in_stdout_fails(self):
        with self.assertRaises(SecretLeak) as cm:
            self.run_stub("leak-stdout")
        self.assertIn("stdout", str(cm.exception))
        self.assertNotIn(self.world.token, str(cm.exception))

    def test_secret_in_git_config_fails(self):
        with self.assertRaises(SecretLeak) as cm:
            self.run_stub("leak-git")
        self.assertIn(".git/config", str(cm.exception))

    def test_timeout_fails_fast(self):
        t0 = time.monotonic()
        with self.assertRaises(AssertionError) as cm:
            self.run_stub("sleep", timeout=1)
        self.assertIn("did not finish", str(cm.exception))
        self.assertLess(time.monotonic() - t0, 10)

    def test_contract_violation_fails_the_run(self):
        with self.assertRaises(ContractViolation) as cm:
            self.run_stub("bad-request")
        self.assertIn("Request body must have required property 'sha'", str(cm.exception))
        r = self.run_stub("bad-request", expect_violations=True)
        self.assertEqual(r.exit_code, 1)
        self.assertEqual(r.violations[0]["type"], "UNPROCESSABLE_ENTITY")
        self.assertEqual(r.calls("POST", "/repos/*/git/refs")[0]["status"], 422)
        self.world.fake.violations.clear()  # both were expected here

    def test_new_branch_event(self):
        w = self.world
        w.git(self.ws, "checkout", "-q", "-b", "release-1.2.4")
        a = w.commit(self.ws, message="one")
        b = w.commit(self.ws, message="two")
        w.push(self.ws, "release-1.2.4")
        ev = w.push_event("octo/run")
        self.assertEqual((ev["ref"], ev["before"], ev["after"], ev["created"]),
                         ("refs/heads/release-1.2.4", ZERO_SHA, b, True))
        self.assertEqual([c["id"] for c in ev["commits"]], [a, b])
        w.git(self.ws, "reset", "-q", "--hard", a)
        w.push(self.ws, "release-1.2.4", force=True)
        self.assertTrue(w.push_event("octo/run")["forced"])


class Parsing(unittest.TestCase):
    def test_output_file(self):
        self.assertEqual(parse_output_file("a=1\nb<<EOF\nx\ny\nEOF\nc=\n"), {"a": "1", "b": "x\ny", "c": ""})
        for bad in ("a<<EOF\nnever closed\n", "novalue\n", "a=1\r\n"):
            with self.assertRaises(AssertionError):
                parse_output_file(bad)

    def test_annotations(self):
        found = parse_annotations("plain\n::error file=a%3Ab.toml,line=2::bad %25 value%0Anext\n::group::Tag\n")
        self.assertEqual(found[0], {"command": "error", "properties": {"file": "a:b.toml", "line": "2"},
                                    "message": "bad % value\nnext"})
        self.assertEqual(found[1]["command"], "group")


class Lifecycle(unittest.TestCase):
    def test_start_quickly_and_stop_cleanly(self):
        w = World()
        t0 = time.monotonic()
        w.start()
        started = time.monotonic() - t0
        try:
            ports, pids = w.ports, w.pids
            self.assertEqual(len(ports), 5 if w.prism else 4)
            for p in ports:
                self.assertTrue(port_open(p), p)
            tmp = w.tmp
            # a stalled request in flight must not keep anything alive
            w.fault("stall", "/user", seconds=60)
            import threading
            threading.Thread(target=lambda: _ignore(lambda: w.call("GET", "/user", timeout=90)), daemon=True).start()
            time.sleep(0.3)
        finally:
            t1 = time.monotonic()
            w.close()
        self.assertLess(time.monotonic() - t1, 10)
        for p in ports:
            self.assertFalse(port_open(p), f"port {p} still open")
        for pid in pids:
            self.assertFalse(pid_alive(pid), f"process {pid} still alive")
        self.assertTrue(w.all_stopped())
        self.assertFalse(os.path.exists(tmp))
        print(f"\nworld started in {started:.2f} s", file=sys.stderr)
        self.assertLess(started, 20)


class EnterpriseServer(unittest.TestCase):
    def test_api_v3_and_api_uploads(self):
        with World(ghes=True) as w:
            self.assertTrue(w.api_url.endswith("/api/v3"))
            info = w.create_repo("octo/ghes")
            st, h, rel = w.call("POST", "/repos/octo/ghes/releases", {"tag_name": "v1", "draft": True})
            self.assertEqual(st, 201, rel)
            self.assertTrue(rel["url"].startswith(w.api_url + "/repos/"))
            self.assertIn("/api/uploads/repos/octo/ghes/releases/", rel["upload_url"])
            st, _, asset = w.upload(rel["upload_url"], "a.txt", b"a")
            self.assertEqual(st, 201, asset)
            for i in range(3):
                w.call("POST", "/repos/octo/ghes/releases", {"tag_name": f"v{i + 2}", "draft": True})
            st, h, _ = w.call("GET", "/repos/octo/ghes/releases?per_page=2")
            self.assertIn(w.api_url + "/repos/octo/ghes/releases?", h["link"])
            st, _, _ = w.call("GET", w.api_url.replace("/api/v3", "") + "/repos/octo/ghes/releases")
            self.assertEqual(st, 404)
            self.assertEqual(w.ref("octo/ghes", "refs/heads/main"), info.head)
            self.assertEqual(w.violations(), [])


def _ignore(fn):
    try:
        fn()
    except Exception:  # noqa: BLE001
        pass


if __name__ == "__main__":
    unittest.main()
