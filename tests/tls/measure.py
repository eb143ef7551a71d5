"""Measure one real run of the binary over HTTPS: wall time and peak memory.

    python3 tests/tls/measure.py [BIN] [RUNS]

Runs `tag` in dry-run (scan: push over a two-commit repository, then one
API request, "does the tag exist?") against a TLS front on the harness's
HTTP server (tests/harness/httpbase.py) that answers GitHub's 404 to
everything, with SSL_CERT_FILE naming the machine's whole CA bundle
plus the test CA: the cost of parsing a full bundle (as in the image) is
included. Peak memory is GNU time's %M (the child's peak RSS); wall time
is measured around the whole run (including GNU time's own fork and
exec, well under a millisecond). Prints the median and the worst run.
Docs: docs/ARTIFACT.md.
"""

import os
import ssl
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests"))

from harness import DEFAULT_MARKER  # noqa: E402
from harness.httpbase import BaseHandler, ThreadedServer  # noqa: E402
from harness.util import run_git  # noqa: E402


class NotFound(BaseHandler):
    """GitHub's 404 to every request: the dry run's "does the tag exist?" gets "no"."""

    def dispatch(self):
        self.read_body()
        self.send_json(404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})


def git(*args, cwd=None):
    return run_git(list(args), cwd=cwd).decode().strip()


# GNU time's %M is the child's own peak RSS. (wait4's ru_maxrss from Python
# would count the forked Python interpreter before exec: about 25 MB.)
GNU_TIME = "/usr/bin/time"


def main():
    if not os.access(GNU_TIME, os.X_OK):
        sys.exit("needs GNU time (Debian package time) for the peak RSS")
    binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                             os.path.join(ROOT, "build", "static", "release-train"))
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    with tempfile.TemporaryDirectory(prefix="rt-measure-") as tmp:
        certs = os.path.join(tmp, "certs")
        subprocess.run([os.path.join(HERE, "make-certs"), certs], check=True)
        bundle = os.path.join(tmp, "bundle.pem")
        with open(bundle, "wb") as out:
            with open("/etc/ssl/certs/ca-certificates.crt", "rb") as f:
                out.write(f.read())
            with open(os.path.join(certs, "ca.pem"), "rb") as f:
                out.write(f.read())
        work = os.path.join(tmp, "work")
        git("init", "-q", "-b", "main", work)
        with open(os.path.join(work, "VERSION"), "w") as f:
            f.write("1.0.0\n")
        git("add", "VERSION", cwd=work)
        git("commit", "-q", "-m", "Start", cwd=work)
        before = git("rev-parse", "HEAD", cwd=work)
        git("commit", "-q", "--allow-empty", "-m", "Release\n\n" + DEFAULT_MARKER, cwd=work)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(os.path.join(certs, "server.pem"), os.path.join(certs, "server.key"))
        api = ThreadedServer(NotFound, ssl_context=ctx).start()
        try:
            env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": tmp, "LANG": "C.UTF-8",
                   "NO_PROXY": "localhost,127.0.0.1", "no_proxy": "localhost,127.0.0.1",
                   "RELEASE_TRAIN_BACKOFF_MS": "10", "GIT_CONFIG_NOSYSTEM": "1",
                   "SSL_CERT_FILE": bundle, "GITHUB_REPOSITORY": "octo/train",
                   "GITHUB_API_URL": api.base_url, "GITHUB_WORKSPACE": work,
                   "INPUT_MODE": "tag", "INPUT_DRY-RUN": "true", "INPUT_TOKEN": "t", "INPUT_SCAN": "push",
                   "INPUT_BEFORE": before, "INPUT_AFTER": "HEAD"}
            walls, rss = [], []
            report = os.path.join(tmp, "time.out")
            for _ in range(runs):
                start = time.perf_counter()
                proc = subprocess.run([GNU_TIME, "-f", "%M", "-o", report, binary], env=env,
                                      cwd=work, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL)
                walls.append((time.perf_counter() - start) * 1000)
                if proc.returncode != 0:
                    sys.exit("%s exited %d; run it by hand to see why" % (binary, proc.returncode))
                with open(report) as f:
                    rss.append(int(f.read().split()[-1]))
        finally:
            api.stop()
    print("binary: %s (%d bytes)" % (binary, os.path.getsize(binary)))
    print("tag dry run over HTTPS, %d runs: wall median %.1f ms, worst %.1f ms; "
          "peak RSS median %d KiB, worst %d KiB"
          % (runs, statistics.median(walls), max(walls), statistics.median(rss), max(rss)))


if __name__ == "__main__":
    main()
