"""prism: Stoplight Prism as a contract checker in front of the fake.

`prism proxy --errors` loaded with GitHub's own OpenAPI description (cut
by scripts/cut-openapi to the operations we call) forwards every request
to the fake and checks both directions: a request that breaks the
description gets a 422 from Prism (it never reaches the fake), and a fake
answer that breaks it becomes a 500 listing the violations. The fake's
front records both, and the test driver fails a test that has any it did
not expect. Uploads bypass Prism: it corrupts binary bodies.
"""
import os
import subprocess
import sys

from .util import LOOPBACK, REPO_ROOT, Process, free_port, wait_for_port

PRISM_BIN = os.path.join(REPO_ROOT, "node_modules", ".bin", "prism")
SPEC = os.path.join(REPO_ROOT, "build", "openapi", "github.json")
CUT = os.path.join(REPO_ROOT, "scripts", "cut-openapi")


class PrismUnavailable(RuntimeError):
    pass


def ensure_spec(path=SPEC):
    """Cut the description if it is missing or older than its source (fast no-op otherwise)."""
    if not os.path.exists(CUT):
        raise PrismUnavailable("scripts/cut-openapi is missing")
    p = subprocess.run([sys.executable, CUT, "--out", path], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if p.returncode != 0 or not os.path.exists(path):
        raise PrismUnavailable(f"scripts/cut-openapi failed: {p.stdout.decode(errors='replace').strip()}")
    return path


def available():
    return os.access(PRISM_BIN, os.X_OK)


class Prism:
    def __init__(self, upstream_url, *, spec=None, log_path=None, start_timeout=30.0):
        if not available():
            raise PrismUnavailable(f"{PRISM_BIN} is missing: run `npm ci` (scripts/setup does)")
        self.spec = spec or ensure_spec()
        self.upstream_url = upstream_url
        self.log_path = log_path
        self.start_timeout = start_timeout
        self.proc = None
        self.port = None

    @property
    def url(self):
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def launch(self):
        """Start the process; wait_ready() waits for it (so other work can overlap)."""
        self.port = free_port()
        env = dict(os.environ)
        env.setdefault("NODE_OPTIONS", "--max-old-space-size=512")
        self.proc = Process([PRISM_BIN, "proxy", "--errors", "-h", LOOPBACK, "-p", str(self.port),
                             self.spec, self.upstream_url], log_path=self.log_path, env=env, name="prism")
        return self

    def wait_ready(self):
        try:
            wait_for_port(self.port, self.start_timeout, self.proc, "prism")
        except RuntimeError as e:
            tail = self.proc.log_tail() if self.proc else ""
            self.stop()
            raise PrismUnavailable(f"{e}\n{tail}")
        return self

    def start(self):
        for attempt in range(3):
            self.launch()
            try:
                return self.wait_ready()
            except PrismUnavailable:
                # A port taken between free_port() and the bind: try another.
                if attempt == 2:
                    raise
        return self

    def stop(self):
        if self.proc is not None:
            self.proc.stop()

    def log_tail(self, n=40):
        return self.proc.log_tail(n) if self.proc else ""
