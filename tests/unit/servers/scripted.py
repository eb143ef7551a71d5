#!/usr/bin/env python3
"""A scripted HTTP/1.1 server for the unit tests of src/http.c and src/github.c.

    scripted.py --port-file F --log L --script JSON [--lifetime S]

The script is a JSON list of steps, served in order, one request each
(a step with "repeat": N serves N requests). A step:

    {"status": 200, "headers": {...}, "body": "text" | "json": value,
     "action": "reply" | "reset" | "stall" | "echo_auth",
     "stall_seconds": 5, "repeat": 1}

"{base}" in header values and bodies becomes this server's base URL.
"reset" reads the request and closes the connection with a TCP RST;
"stall" sends the headers and part of the body, then goes silent;
"echo_auth" puts the Authorization header it received into the JSON
"message" (to prove the client never repeats it). Past the last step
the answer is 410 "script exhausted". Every request is logged to L as one
JSON line: method, path, headers (lower-cased names), body, time, client
port. The server binds 127.0.0.1 on a free port, writes it to the port
file atomically, keeps connections alive, and exits when its parent dies
or after --lifetime seconds.
"""
import argparse
import json
import os
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Script:
    def __init__(self, steps):
        self.steps = []
        for step in steps:
            self.steps.extend([step] * int(step.get("repeat", 1)))
        self.lock = threading.Lock()
        self.index = 0

    def next(self):
        with self.lock:
            if self.index >= len(self.steps):
                return None
            step = self.steps[self.index]
            self.index += 1
            return step


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "scripted"

    def log_message(self, *args):
        pass

    def _read_body(self):
        n = int(self.headers.get("content-length") or 0)
        return self.rfile.read(n) if n else b""

    def _log(self, body):
        entry = {
            "method": self.command,
            "path": self.path,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "body": body.decode("utf-8", "replace"),
            "t": time.time(),
            "port": self.client_address[1],
        }
        with self.server.log_lock:
            with open(self.server.log_path, "a", encoding="utf-8") as f:
                f.write(json.dumps(entry) + "\n")

    def _subst(self, text):
        return text.replace("{base}", self.server.base_url)

    def _payload(self, step):
        if "json" in step:
            return json.dumps(step["json"]).encode()
        return self._subst(step.get("body", "")).encode()

    def _reset(self):
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.rfile.close()
        self.connection.close()
        self.close_connection = True

    def _send(self, status, headers, payload, declared=None):
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, self._subst(str(value)))
        if not any(k.lower() == "content-type" for k in headers) and payload:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload) if declared is None else declared))
        self.end_headers()

    def _handle(self):
        body = self._read_body()
        self._log(body)
        step = self.server.script.next()
        if step is None:
            payload = json.dumps({"message": "scripted server: script exhausted at %s %s"
                                  % (self.command, self.path)}).encode()
            self._send(410, {}, payload)
            self.wfile.write(payload)
            return
        action = step.get("action", "reply")
        if action == "reset":
            self._reset()
            return
        status = int(step.get("status", 200))
        headers = step.get("headers", {})
        payload = self._payload(step)
        if action == "echo_auth":
            payload = json.dumps({"message": "Bad credentials: you sent "
                                  + self.headers.get("authorization", "")}).encode()
        if action == "stall":
            self._send(status, headers, payload, declared=len(payload) + 4096)
            self.wfile.write(payload)
            self.wfile.flush()
            time.sleep(float(step.get("stall_seconds", 5)))
            self.close_connection = True
            return
        self._send(status, headers, payload)
        if self.command != "HEAD":
            self.wfile.write(payload)

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
    ap.add_argument("--script", required=True)
    ap.add_argument("--lifetime", type=float, default=120)
    args = ap.parse_args()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.script = Script(json.loads(args.script))
    server.log_path = args.log
    server.log_lock = threading.Lock()
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
