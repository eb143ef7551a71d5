#!/usr/bin/env python3
"""Replay one recorded @octokit/fixtures scenario for the unit tests.

    replay_fixture.py --port-file F --log L path/to/normalized-fixture.json

The recording (real api.github.com and uploads.github.com traffic) is
served in order: each request must match the next recorded one by method,
path and query (a per_page=100 that the client adds where the recording
had none is accepted), and, when the recording holds a JSON object body,
every recorded field must be in the request with the same value. A
request that does not match gets 400 with a message saying what was
expected, and the recording does not advance. Absolute URLs to
api.github.com and uploads.github.com in recorded bodies and headers
(Link, upload_url, Location) are rewritten to this server, so hypermedia
and pagination lead back here. Each request is logged to L as one JSON
line with "matched". Binds 127.0.0.1 on a free port, writes it to the
port file, exits when its parent dies.
"""
import argparse
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

HOSTS = ("https://api.github.com", "https://uploads.github.com")
DROP = {"content-length", "connection", "transfer-encoding", "content-encoding", "keep-alive"}


def same_target(recorded, got):
    r, g = urlsplit(recorded), urlsplit(got)
    if r.path != g.path:
        return False
    rq, gq = sorted(parse_qsl(r.query)), parse_qsl(g.query)
    if not any(k == "per_page" for k, _ in rq):
        gq = [(k, v) for k, v in gq if not (k == "per_page" and v == "100")]
    return rq == sorted(gq)


def body_matches(recorded, raw):
    if not isinstance(recorded, dict):
        return True
    try:
        got = json.loads(raw or b"null")
    except ValueError:
        return False
    return isinstance(got, dict) and all(got.get(k) == v for k, v in recorded.items())


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "replay"

    def log_message(self, *args):
        pass

    def _rewrite(self, text):
        for host in HOSTS:
            text = text.replace(host, self.server.base_url)
        return text

    def _log(self, body, matched):
        entry = {"method": self.command, "path": self.path, "matched": matched,
                 "headers": {k.lower(): v for k, v in self.headers.items()},
                 "body": body.decode("utf-8", "replace"), "t": time.time(),
                 "port": self.client_address[1]}
        with self.server.lock:
            with open(self.server.log_path, "a", encoding="utf-8") as f:
                f.write(json.dumps(entry) + "\n")

    def _reply(self, status, headers, payload):
        self.send_response(status)
        for name, value in headers.items():
            if name.lower() not in DROP:
                self.send_header(name, self._rewrite(str(value)))
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def _handle(self):
        n = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(n) if n else b""
        with self.server.lock:
            entries = self.server.entries
            want = entries[self.server.index] if self.server.index < len(entries) else None
            ok = (want is not None and want["method"].upper() == self.command
                  and same_target(want["path"], self.path) and body_matches(want.get("body"), body))
            if ok:
                self.server.index += 1
        self._log(body, ok)
        if not ok:
            expected = "%s %s" % (want["method"].upper(), want["path"]) if want else "nothing more"
            msg = {"message": "replay: expected %s, got %s %s" % (expected, self.command, self.path)}
            self._reply(400, {"Content-Type": "application/json"}, json.dumps(msg).encode())
            return
        response = want.get("response", "")
        if isinstance(response, (dict, list)):
            payload = json.dumps(response)
        else:
            payload = str(response or "")
        self._reply(int(want["status"]), want.get("headers") or {},
                    self._rewrite(payload).encode())

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle


def watch_parent(lifetime):
    parent = os.getppid()
    deadline = time.time() + lifetime
    while time.time() < deadline and os.getppid() == parent:
        time.sleep(0.2)
    os._exit(0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--lifetime", type=float, default=120)
    ap.add_argument("fixture")
    args = ap.parse_args()

    with open(args.fixture, encoding="utf-8") as f:
        entries = json.load(f)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.entries = entries
    server.index = 0
    server.lock = threading.Lock()
    server.log_path = args.log
    port = server.server_address[1]
    server.base_url = "http://127.0.0.1:%d" % port
    open(args.log, "a").close()
    threading.Thread(target=watch_parent, args=(args.lifetime,), daemon=True).start()
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.rename(tmp, args.port_file)
    try:
        server.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
