"""gitserver: a real git smart-HTTP server, as github.com is for `git` and libgit2.

Debian's `git http-backend` (CGI) does the protocol work on bare
repositories under one root directory; this threaded stdlib server in
front of it does what GitHub's front does: HTTP Basic auth with user
`x-access-token` and the token as password (401 with WWW-Authenticate
otherwise), chunked request bodies (git sends large pushes chunked),
gzip request bodies (passed to the CGI), protocol v2 (Git-Protocol header),
streaming in both directions, and optional TLS (pass an ssl.SSLContext).

The same bare repositories are what the fake API's Git Data endpoints
operate on, so a ref made through the API is visible to `git fetch` and a
pushed branch is visible to the API.

    srv = GitServer(root, token).start()     # srv.url -> http://127.0.0.1:PORT
    ... git clone http://127.0.0.1:PORT/owner/name ...
    srv.stop()
"""
import os
import subprocess
import threading
import time
import urllib.parse

from .httpbase import BaseHandler, Served, ThreadedServer
from .util import LOOPBACK, RequestLog, basic_user, classify_auth, redact_headers, run_git

HTTP_BACKEND = os.path.join(
    subprocess.run(["git", "--exec-path"], stdout=subprocess.PIPE, check=True).stdout.decode().strip(),
    "git-http-backend")

GIT_USER = "x-access-token"


def init_bare(path, default_branch="main"):
    """A bare repository configured as GitHub's are: pushes over HTTP allowed,
    any object may be fetched by id (actions/checkout fetches by sha)."""
    os.makedirs(path, exist_ok=True)
    run_git(["init", "--quiet", "--bare", f"--initial-branch={default_branch}", path])
    for key, value in (("http.receivepack", "true"), ("uploadpack.allowAnySHA1InWant", "true"),
                       ("uploadpack.allowFilter", "true"), ("receive.shallowUpdate", "true"),
                       ("core.logAllRefUpdates", "false"), ("gc.auto", "0")):
        run_git(["config", key, value], git_dir=path)
    return path


class _GitHandler(BaseHandler):
    def dispatch(self):
        srv = self.server.owner
        url = urllib.parse.urlsplit(self.path)
        path = urllib.parse.unquote(url.path)
        entry = srv.log.add({
            "origin": "git", "method": self.command, "path": path,
            "query": dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True)),
            "headers": redact_headers(self.headers), "status": None, "fault": None,
            "time": time.time(),
        })
        auth, _ = classify_auth(self.headers.get("Authorization"), srv.token)
        user = basic_user(self.headers.get("Authorization"))
        entry["auth"] = auth
        if auth != "token" or user != GIT_USER:
            self._drain()
            entry["status"] = 401
            self.send_bytes(401, b"Invalid username or token. Password authentication is not supported"
                                 b" for Git operations.\n",
                            {"WWW-Authenticate": 'Basic realm="GitHub"'}, "text/plain")
            return
        fault = srv.faults.take("git", self.command, path) if srv.faults else None
        if fault is not None:
            entry["fault"] = fault.label
            if fault.kind == "delay":
                self.server.sleep(float(fault.opts["seconds"]))
            elif fault.kind in ("status", "secondary_rate_limit", "rate_limit"):
                self._drain()
                entry["status"] = int(fault.opts["status"])
                self.send_bytes(entry["status"], (fault.opts.get("message") or "injected failure").encode() + b"\n",
                                fault.opts.get("headers") or {}, "text/plain")
                return
            elif fault.kind == "reset":
                entry["status"] = "reset"
                self.reset_connection()
                return
            elif fault.kind == "stall":
                self.server.sleep(float(fault.opts["seconds"]))
        entry["status"] = self._cgi(path, url.query)

    def _drain(self):
        try:
            for _ in self.iter_body():
                pass
        except (ConnectionError, ValueError):
            self.close_connection = True

    def _cgi(self, path, query):
        srv = self.server.owner
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "GIT_PROJECT_ROOT": srv.root,
            "GIT_HTTP_EXPORT_ALL": "1",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "HOME": srv.root,
            "REQUEST_METHOD": self.command,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "REMOTE_USER": GIT_USER,
            "REMOTE_ADDR": self.client_address[0],
            "SERVER_PROTOCOL": "HTTP/1.1",
            "GATEWAY_INTERFACE": "CGI/1.1",
        }
        if self.headers.get("Content-Type"):
            env["CONTENT_TYPE"] = self.headers["Content-Type"]
        if not self.is_chunked() and self.content_length() is not None:
            env["CONTENT_LENGTH"] = str(self.content_length())
        if self.headers.get("Content-Encoding"):
            env["HTTP_CONTENT_ENCODING"] = self.headers["Content-Encoding"]
        if self.headers.get("Git-Protocol"):
            env["GIT_PROTOCOL"] = self.headers["Git-Protocol"]
        proc = subprocess.Popen([HTTP_BACKEND], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        errors = []
        feed_error = []

        def feed():
            try:
                for piece in self.iter_body():
                    proc.stdin.write(piece)
            except (OSError, ConnectionError, ValueError) as e:
                feed_error.append(e)
            finally:
                try:
                    proc.stdin.close()
                except OSError:
                    pass

        def drain_stderr():
            errors.append(proc.stderr.read())

        feeder = threading.Thread(target=feed, daemon=True)
        err_reader = threading.Thread(target=drain_stderr, daemon=True)
        feeder.start()
        err_reader.start()
        status = 500
        try:
            # CGI headers, then the body.
            head = b""
            while b"\r\n\r\n" not in head and b"\n\n" not in head:
                piece = proc.stdout.read1(65536)
                if not piece:
                    break
                head += piece
            sep = b"\r\n\r\n" if b"\r\n\r\n" in head else b"\n\n"
            raw_headers, _, rest = head.partition(sep)
            headers, status = [], 200
            for line in raw_headers.decode("latin-1").splitlines():
                if not line.strip():
                    continue
                k, _, v = line.partition(":")
                if k.lower() == "status":
                    status = int(v.strip().split()[0])
                else:
                    headers.append((k.strip(), v.strip()))
            if not raw_headers:
                status = 500
            names = {k.lower() for k, _ in headers}
            chunked = "content-length" not in names
            self.send_response(status)
            for k, v in headers:
                self.send_header(k, v)
            if chunked:
                self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()

            def out(data):
                if not data:
                    return
                if chunked:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                else:
                    self.wfile.write(data)

            out(rest)
            while True:
                piece = proc.stdout.read1(256 * 1024)
                if not piece:
                    break
                out(piece)
            if chunked:
                self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except OSError:
            self.close_connection = True
        finally:
            feeder.join(timeout=30)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            err_reader.join(timeout=5)
            if feed_error:
                self.close_connection = True
            if errors and errors[0]:
                srv.stderr.append(errors[0].decode("utf-8", "replace"))
        return status


class GitServer(Served):
    """Smart-HTTP git server over bare repositories in `root`.

    ssl_context: an ssl.SSLContext (server side) to serve HTTPS instead; the
    URL then names `localhost` (mbedTLS does not match IP-address SANs).
    faults: a faults.FaultSet shared with the fake API (origin "git").
    log: a util.RequestLog shared with the fake API.
    url: the base URL, f"{url}/owner/name" is a clone URL; port, start(), stop(), `with`.
    """

    def __init__(self, root, token, *, host=LOOPBACK, port=0, ssl_context=None, faults=None, log=None):
        self.root = os.path.abspath(root)
        os.makedirs(self.root, exist_ok=True)
        self.token = token
        self.faults = faults
        self.log = log if log is not None else RequestLog()
        self.stderr = []  # what git http-backend said on stderr, for debugging
        self._server = ThreadedServer(_GitHandler, host=host, port=port, ssl_context=ssl_context, owner=self)

    def repo_url(self, full_name):
        return f"{self.url}/{full_name}"

    def repo_path(self, full_name):
        return os.path.join(self.root, full_name + ".git")

    def create_bare(self, full_name, default_branch="main"):
        return init_bare(self.repo_path(full_name), default_branch)
