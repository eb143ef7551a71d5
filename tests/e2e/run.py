#!/usr/bin/env python3
"""Run the end-to-end tests: tests/e2e/test_*.py (unittest).

Each module runs in its own process (with its own World: git server, fake
API, Prism), two at a time by default, so a module that hangs or crashes
cannot take the others down and every process it started is stopped with
it. Failures are printed in full; the last line is exactly

    e2e: N passed, N failed, N skipped

Usage: tests/e2e/run.py [-j JOBS] [-k SUBSTRING] [-v] [FILE ...]
Environment: BIN (binary under test, default build/release-train),
RT_E2E_JOBS, RT_E2E_MODULE_TIMEOUT (seconds, default 900), RT_E2E_KEEP=1
(keep each world's temporary directory), RT_E2E_PRISM=0 (no contract check).
"""
import argparse
import glob
import importlib.util
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)


def child(path, result_file, pattern, verbose):
    """Run one module; write {passed, failed, skipped, failures} to result_file."""
    sys.path.insert(0, TESTS)
    sys.path.insert(0, HERE)
    # SIGTERM (a timeout in the parent) -> SystemExit, so atexit stops the world.
    signal.signal(signal.SIGTERM, lambda s, f: (_ for _ in ()).throw(SystemExit(128 + s)))
    counts = {"passed": 0, "failed": 0, "skipped": 0, "failures": []}
    try:
        name = os.path.splitext(os.path.basename(path))[0]
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        suite = unittest.defaultTestLoader.loadTestsFromModule(module)
        if pattern:
            suite = unittest.TestSuite(t for t in _flatten(suite) if pattern in t.id())
        runner = unittest.TextTestRunner(stream=sys.stderr, verbosity=2 if verbose else 1)
        result = runner.run(suite)
        bad = result.failures + result.errors + [(t, "unexpected success") for t in result.unexpectedSuccesses]
        # A test that fails and whose cleanup fails too is one failed test.
        counts["failed"] = len({t.id() if hasattr(t, "id") else str(t) for t, _ in bad})
        counts["skipped"] = len(result.skipped)
        counts["passed"] = max(0, result.testsRun - counts["failed"] - counts["skipped"])
        counts["failures"] = [(t.id() if hasattr(t, "id") else str(t), tb) for t, tb in bad]
        counts["skips"] = [(t.id(), reason) for t, reason in result.skipped]
    except BaseException:  # noqa: BLE001 - an import error is a failure of the module
        counts["failed"] += 1
        counts["failures"].append((os.path.basename(path), traceback.format_exc()))
    with open(result_file, "w") as f:
        json.dump(counts, f)
    sys.stdout.flush()
    sys.stderr.flush()
    return 0 if counts["failed"] == 0 else 1


def _flatten(suite):
    for t in suite:
        if isinstance(t, unittest.TestSuite):
            yield from _flatten(t)
        else:
            yield t


class Job:
    def __init__(self, path, args, tmp):
        self.path = path
        self.name = os.path.relpath(path, TESTS)
        self.result_file = os.path.join(tmp, os.path.basename(path) + ".json")
        self.log_file = os.path.join(tmp, os.path.basename(path) + ".log")
        cmd = [sys.executable, os.path.abspath(__file__), "--child", path, "--result", self.result_file]
        if args.k:
            cmd += ["-k", args.k]
        if args.verbose:
            cmd.append("-v")
        self.log = open(self.log_file, "wb")
        self.started = time.monotonic()
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     start_new_session=True)
        self.timed_out = False

    def stop(self):
        """SIGTERM to the group we created (the child's own id), then SIGKILL."""
        for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
            if self.proc.poll() is not None:
                break
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.proc.wait(timeout=wait)
            except subprocess.TimeoutExpired:
                pass

    def finish(self):
        self.log.close()
        self.seconds = time.monotonic() - self.started
        try:
            with open(self.result_file) as f:
                counts = json.load(f)
        except (OSError, ValueError):
            counts = {"passed": 0, "failed": 1, "skipped": 0, "failures": [
                (self.name, "timed out" if self.timed_out else
                 f"the test process exited with status {self.proc.returncode} without a result")]}
        if self.proc.returncode not in (0, 1) and counts["failed"] == 0:
            counts["failed"] = 1
            counts["failures"].append((self.name, f"exit status {self.proc.returncode}"))
        with open(self.log_file, "rb") as f:
            counts["log"] = f.read().decode("utf-8", "replace")
        return counts


def main():
    ap = argparse.ArgumentParser(description="Run the end-to-end tests.")
    ap.add_argument("files", nargs="*")
    ap.add_argument("-j", "--jobs", type=int, default=int(os.environ.get("RT_E2E_JOBS", "2")))
    ap.add_argument("-k", help="only tests whose id contains this")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--result", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child(args.child, args.result, args.k, args.verbose)

    files = args.files or sorted(glob.glob(os.path.join(HERE, "test_*.py")))
    timeout = float(os.environ.get("RT_E2E_MODULE_TIMEOUT", "900"))
    total = {"passed": 0, "failed": 0, "skipped": 0}
    failures = []
    t0 = time.monotonic()
    pending = list(files)
    running = []

    def stop_all(signum, frame):
        for job in running:
            job.stop()
        print(f"e2e: {total['passed']} passed, {total['failed'] + max(1, len(running))} failed, "
              f"{total['skipped']} skipped")
        sys.exit(128 + signum)

    signal.signal(signal.SIGTERM, stop_all)
    signal.signal(signal.SIGINT, stop_all)
    with tempfile.TemporaryDirectory(prefix="rt-e2e-run-") as tmp:
        while pending or running:
            while pending and len(running) < max(1, args.jobs):
                running.append(Job(pending.pop(0), args, tmp))
            time.sleep(0.05)
            for job in list(running):
                if job.proc.poll() is None and time.monotonic() - job.started > timeout:
                    job.timed_out = True
                    job.stop()
                if job.proc.poll() is None:
                    continue
                running.remove(job)
                c = job.finish()
                for k in total:
                    total[k] += c[k]
                print(f"{job.name:45} {c['passed']} passed, {c['failed']} failed, {c['skipped']} skipped "
                      f"({job.seconds:.1f} s)", flush=True)
                if args.verbose or c["failed"]:
                    print("\n".join("    | " + line for line in c["log"].rstrip().splitlines()[-200:]))
                for test, tb in c["failures"]:
                    failures.append((job.name, test, tb))
    if failures:
        print("\n" + "=" * 70 + "\nFAILURES\n" + "=" * 70)
        for mod, test, tb in failures:
            print(f"--- {test} ({mod})\n{tb}")
    print(f"(e2e took {time.monotonic() - t0:.1f} s with {args.jobs} jobs)")
    print(f"e2e: {total['passed']} passed, {total['failed']} failed, {total['skipped']} skipped")
    return 0 if total["failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
