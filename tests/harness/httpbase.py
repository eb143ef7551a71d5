"""httpbase: the threaded stdlib HTTP server that every harness server runs on.

One server class for the git server, the fake API, its upload origin, the
replay server and the C unit tests' scripted server
(tests/unit/servers/scripted.py), so that each gets the same things right
once: HTTP/1.1 keep-alive (libcurl and libgit2 reuse connections), chunked request
bodies, optional TLS with the handshake done in the connection's own
thread (a slow client never blocks accept), a connection reset on demand
(fault injection), and a stop that closes the listening socket and every
open connection and wakes every sleeping handler, so nothing outlives it.
"""
import http.server
import json
import os
import signal
import socket
import socketserver
import struct
import threading
import time

from .util import LOOPBACK


class ThreadedServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, handler, *, host=LOOPBACK, port=0, ssl_context=None, owner=None):
        self.ssl_context = ssl_context
        self.owner = owner  # the object that handlers call back into
        self.stopping = threading.Event()
        self._conns = set()
        self._conns_lock = threading.Lock()
        self._thread = None
        super().__init__((host, port), handler)

    @property
    def port(self):
        return self.server_address[1]

    @property
    def base_url(self):
        scheme = "https" if self.ssl_context else "http"
        host = "localhost" if self.ssl_context else self.server_address[0]
        return f"{scheme}://{host}:{self.port}"

    def process_request_thread(self, request, client_address):
        with self._conns_lock:
            self._conns.add(request)
        try:
            if self.ssl_context is not None:
                request.settimeout(10)
                try:
                    request = self.ssl_context.wrap_socket(request, server_side=True)
                except (OSError, ValueError):
                    self.shutdown_request(request)
                    return
                request.settimeout(None)
                with self._conns_lock:
                    self._conns.add(request)
            super().process_request_thread(request, client_address)
        finally:
            with self._conns_lock:
                self._conns.discard(request)

    def handle_error(self, request, client_address):
        # A client that goes away mid-request is normal in fault tests.
        pass

    def start(self):
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"{type(self.owner).__name__}:{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self.stopping.set()
        if self._thread is not None:
            self.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self.server_close()
        with self._conns_lock:
            conns = list(self._conns)
            self._conns.clear()
        for c in conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            try:
                c.close()
            except OSError:
                pass

    def sleep(self, seconds):
        """Sleep that a stop() interrupts. Returns False when interrupted."""
        return not self.stopping.wait(seconds)


class Served:
    """port, url, start(), stop() and `with` for an object that serves through
    one ThreadedServer, self._server (the git server, the replay server, the
    scripted server)."""

    _server = None

    @property
    def port(self):
        return self._server.port

    @property
    def url(self):
        return self._server.base_url

    def start(self):
        self._server.start()
        return self

    def stop(self):
        self._server.stop()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class RequestFile:
    """A request log another process reads (the C unit tests,
    tests/unit/servers/server.h): one JSON line per request with method,
    path, headers (lower-case names), body (text), t (time.time()), port
    (the client's, to tell connections apart) and any extra fields."""

    def __init__(self, path):
        self.path = path
        self._lock = threading.Lock()
        open(path, "a").close()

    def write(self, handler, body, **extra):
        entry = {"method": handler.command, "path": handler.path,
                 "headers": {k.lower(): v for k, v in handler.headers.items()},
                 "body": body.decode("utf-8", "replace"), "t": time.time(), "port": handler.client_address[1]}
        entry.update(extra)
        with self._lock, open(self.path, "a", encoding="utf-8") as f:
            f.write(json.dumps(entry) + "\n")


def serve_command_line(served, port_file=None, *, timeout, done=None):
    """Run a server started from the command line until it is no longer wanted.

    Starts `served` (a Served or a ThreadedServer), writes its port to
    port_file atomically once it listens, then serves until SIGTERM or
    SIGINT, `timeout` seconds, the exit of the process that started this
    one, or `done` (a threading.Event) is set; then stops it. So a server
    of a test that crashed never outlives it for long.
    """
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    parent = os.getppid()
    served.start()
    if port_file:
        tmp = f"{port_file}.tmp{os.getpid()}"
        with open(tmp, "w") as f:
            f.write(f"{served.port}\n")
        os.replace(tmp, port_file)
    deadline = time.monotonic() + timeout
    while not stop.is_set() and time.monotonic() < deadline and os.getppid() == parent:
        if done is not None and done.is_set():
            time.sleep(0.2)  # let the last answer go out
            break
        stop.wait(0.1)
    served.stop()


class BaseHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "release-train-harness"
    sys_version = ""
    # Idle keep-alive connections are closed after this long.
    timeout = 120

    def log_message(self, format, *args):  # noqa: A002 - stdlib signature
        pass

    # Every method goes to dispatch(); subclasses implement it.
    def do_GET(self):
        self.dispatch()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_GET

    def dispatch(self):
        raise NotImplementedError

    # --- request bodies ---
    def is_chunked(self):
        return "chunked" in (self.headers.get("Transfer-Encoding") or "").lower()

    def content_length(self):
        value = self.headers.get("Content-Length")
        if value is None:
            return None
        try:
            return int(value)
        except ValueError:
            return None

    def iter_body(self, chunk_size=256 * 1024):
        """Yield the request body in pieces (Content-Length or chunked)."""
        if self.is_chunked():
            while True:
                line = self.rfile.readline(65537)
                if not line:
                    raise ConnectionError("client closed the connection inside a chunked body")
                size = int(line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    # trailers until the empty line
                    while True:
                        t = self.rfile.readline(65537)
                        if t in (b"\r\n", b"\n", b""):
                            break
                    return
                left = size
                while left:
                    piece = self.rfile.read(min(left, chunk_size))
                    if not piece:
                        raise ConnectionError("client closed the connection inside a chunk")
                    left -= len(piece)
                    yield piece
                self.rfile.readline(3)
        else:
            left = self.content_length() or 0
            while left > 0:
                piece = self.rfile.read1(min(left, chunk_size)) if hasattr(self.rfile, "read1") \
                    else self.rfile.read(min(left, chunk_size))
                if not piece:
                    raise ConnectionError(f"client closed the connection with {left} body bytes missing")
                left -= len(piece)
                yield piece

    def read_body(self, limit=64 * 1024 * 1024):
        parts, total = [], 0
        for piece in self.iter_body():
            total += len(piece)
            if total > limit:
                raise ValueError("request body too large")
            parts.append(piece)
        return b"".join(parts)

    def read_body_or_close(self):
        """The request body, or None (and this connection closed) when the
        client broke off sending it or sent too much."""
        try:
            return self.read_body()
        except (ConnectionError, ValueError):
            self.close_connection = True
            return None

    # --- responses ---
    def send_bytes(self, status, body, headers=None, content_type=None):
        self.send_response(status)
        sent = set()
        for k, v in (headers or {}).items() if isinstance(headers, dict) else (headers or []):
            self.send_header(k, str(v))
            sent.add(k.lower())
        if content_type and "content-type" not in sent:
            self.send_header("Content-Type", content_type)
        if "content-length" not in sent:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and body:
            self.wfile.write(body)

    def send_json(self, status, obj, headers=None):
        body = b"" if obj is None else json.dumps(obj).encode()
        h = dict(headers or {})
        if obj is not None:
            h.setdefault("Content-Type", "application/json; charset=utf-8")
        self.send_bytes(status, body, h)

    def reset_connection(self):
        """Abort the TCP connection with a RST (what a crashed proxy looks like)."""
        self.close_connection = True
        try:
            self.wfile.flush()
        except OSError:
            pass
        sock = self.connection
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        try:
            sock.close()
        except OSError:
            pass

    def finish(self):
        try:
            super().finish()
        except OSError:
            pass
