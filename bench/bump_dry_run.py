#!/usr/bin/env python3
"""bench/bump_dry_run.py: the binary's whole `bump --dry-run` on the generated
100-crate fixture, from a depth-1 clone, against the local GitHub (the fake
API without Prism, so its contract check does not weigh on the figure):
workspace discovery, every edit, the in-memory commit, the four API reads
(branch, pull requests, and the cut branch / search when asked) and the diff
it prints. Median of 11 runs, and the binary's peak memory.

usage: bench/bump_dry_run.py [BIN]   (default build/release-train)
"""
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests"))

from harness import World  # noqa: E402


def main():
    binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "release-train"))
    with tempfile.TemporaryDirectory() as d, World(prism=False) as w:
        subprocess.run([sys.executable, os.path.join(ROOT, "tests", "fixtures", "bump", "generate.py"), d], check=True)
        files = {}
        for base, _, names in os.walk(d):
            for n in names:
                with open(os.path.join(base, n)) as f:
                    files[os.path.relpath(os.path.join(base, n), d)] = f.read()
        info = w.create_repo(files=files)
        ws = w.clone(info.full_name, depth=1)
        inputs = {"dry-run": True, "level": "major", "prerelease-id": "dev", "version-files": "include/wt.h"}
        times = []
        for _ in range(11):
            r = w.run("bump", inputs, binary=binary, cwd=ws, event_name="workflow_dispatch", ref="refs/heads/main")
            assert r.exit_code == 0, r.describe()
            times.append(r.duration * 1000)
        api_ms = sum((q.get("duration") or 0) for q in r.api_requests) * 1000
        rss = os.path.join(d, "rss")
        w.run("bump", inputs, binary="/usr/bin/time", args=["-f", "%M", "-o", rss, binary], cwd=ws,
              event_name="workflow_dispatch", ref="refs/heads/main")
        with open(rss) as f:
            peak = f.read().split()[-1]
        print(f"bump --dry-run, 101 crates, {len(r.outputs['changed-files'].split())} files: "
              f"median {statistics.median(times):.1f} ms (min {min(times):.1f}), "
              f"{len(r.api_requests)} API reads taking {api_ms:.1f} ms at the fake, peak RSS {peak} KB")


if __name__ == "__main__":
    main()
