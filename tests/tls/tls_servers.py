"""HTTPS servers on localhost for the TLS end-to-end tests (Python stdlib only).

- ApiServer: a TLS front that answers GitHub-style JSON from a small route
  table and records every request it got, so a test can tell "the binary's
  request arrived over verified TLS" from "the binary failed before sending".
- GitServer: git's smart-HTTP protocol over TLS: `git http-backend` (CGI)
  behind Basic auth (user x-access-token, password = the token), as GitHub
  takes a push with a token. Request bodies may be chunked (libgit2 sends
  pushes that way).

Both listen on 127.0.0.1 with the certificate from make-certs (DNS:localhost)
and are reached as https://localhost:PORT. The TLS handshake runs in the
connection's own thread, so a client that rejects the certificate is
recorded (handshake_errors) and never blocks the server.
"""

import base64
import json
import os
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _TLSServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, handler, certfile, keyfile):
        super().__init__(("127.0.0.1", 0), handler)
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(certfile, keyfile)
        self.requests = []
        self.handshake_errors = []
        self.lock = threading.Lock()
        self.thread = None

    def get_request(self):
        sock, addr = self.socket.accept()
        return self.ctx.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), addr

    def handle_error(self, request, client_address):
        pass  # a client hanging up mid-way is part of the tests

    @property
    def port(self):
        return self.server_address[1]

    @property
    def url(self):
        return "https://localhost:%d" % self.port

    def start(self):
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self):
        self.shutdown()
        self.server_close()
        if self.thread:
            self.thread.join(5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        self.handshake_ok = False
        try:
            self.request.settimeout(30)
            self.request.do_handshake()
            self.handshake_ok = True
        except (ssl.SSLError, OSError) as e:
            with self.server.lock:
                self.server.handshake_errors.append(str(e))
        super().setup()

    def handle(self):
        if self.handshake_ok:
            super().handle()

    def log_message(self, fmt, *args):
        pass

    def read_body(self):
        """The request body, plain or chunked."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            out = bytearray()
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return bytes(out)
                out += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def send(self, status, body=b"", headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and body:
            self.wfile.write(body)


class _ApiHandler(_Handler):
    def _serve(self):
        body = self.read_body()
        with self.server.lock:
            self.server.requests.append(
                {"method": self.command, "path": self.path,
                 "authorization": self.headers.get("Authorization"), "body": body})
        route = self.server.routes.get((self.command, self.path.split("?")[0]))
        if route is None:
            status, payload = 404, {"message": "Not Found",
                                    "documentation_url": "https://docs.github.com/rest"}
        else:
            status, payload = route
        data = json.dumps(payload).encode()
        self.send(status, data, [("Content-Type", "application/json; charset=utf-8")])

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve


class ApiServer(_TLSServer):
    """routes: {(method, path): (status, json_payload)}; anything else is a 404."""

    def __init__(self, certfile, keyfile, routes=None):
        super().__init__(_ApiHandler, certfile, keyfile)
        self.routes = dict(routes or {})


class _GitHandler(_Handler):
    def _serve(self):
        body = self.read_body()
        auth = self.headers.get("Authorization", "")
        user = None
        if auth.startswith("Basic "):
            try:
                name, _, password = base64.b64decode(auth[6:]).decode().partition(":")
                if name == "x-access-token" and password == self.server.token:
                    user = name
            except ValueError:
                pass
        with self.server.lock:
            self.server.requests.append(
                {"method": self.command, "path": self.path, "authorized": user is not None})
        if user is None:
            self.send(401, b"Unauthorized\n",
                      [("WWW-Authenticate", 'Basic realm="release-train test"'),
                       ("Content-Type", "text/plain")])
            return
        path, _, query = self.path.partition("?")
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "GIT_PROJECT_ROOT": self.server.root,
            "GIT_HTTP_EXPORT_ALL": "1",
            "GIT_CONFIG_NOSYSTEM": "1",
            "HOME": self.server.root,
            "REQUEST_METHOD": self.command,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "REMOTE_USER": user,
            "REMOTE_ADDR": self.client_address[0],
            "GATEWAY_INTERFACE": "CGI/1.1",
            "SERVER_PROTOCOL": "HTTP/1.1",
        }
        if self.headers.get("Content-Encoding"):
            env["HTTP_CONTENT_ENCODING"] = self.headers["Content-Encoding"]
        if self.headers.get("Git-Protocol"):
            env["GIT_PROTOCOL"] = self.headers["Git-Protocol"]
        proc = subprocess.run(["git", "http-backend"], input=body, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        sep = b"\r\n\r\n" if b"\r\n\r\n" in proc.stdout else b"\n\n"
        head, _, out = proc.stdout.partition(sep)
        status, headers = 200, []
        for line in head.decode("latin-1").splitlines():
            k, _, v = line.partition(":")
            if k.lower() == "status":
                status = int(v.strip().split()[0])
            elif k:
                headers.append((k.strip(), v.strip()))
        self.send(status, out, headers)

    do_GET = do_POST = _serve


class GitServer(_TLSServer):
    """Serves the bare repositories under root as https://localhost:PORT/NAME.git."""

    def __init__(self, certfile, keyfile, root, token):
        super().__init__(_GitHandler, certfile, keyfile)
        self.root = root
        self.token = token
