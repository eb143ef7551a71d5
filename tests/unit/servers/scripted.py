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
file atomically, keeps connections alive, and exits on SIGTERM, when its
parent dies or after --lifetime seconds. It runs on the harness's HTTP
plumbing (tests/harness/httpbase.py), as the replay server does.
"""
import argparse
import json
import os
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
from harness.httpbase import BaseHandler, RequestFile, Served, ThreadedServer, serve_command_line  # noqa: E402


class Scripted(Served):
    def __init__(self, steps, log_path):
        self.steps = []
        for step in steps:
            self.steps.extend([step] * int(step.get("repeat", 1)))
        self.lock = threading.Lock()
        self.index = 0
        self.log = RequestFile(log_path)
        self._server = ThreadedServer(Handler, owner=self)

    def next(self):
        with self.lock:
            if self.index >= len(self.steps):
                return None
            step = self.steps[self.index]
            self.index += 1
            return step


class Handler(BaseHandler):
    server_version = "scripted"

    def _subst(self, text):
        return text.replace("{base}", self.server.base_url)

    def _payload(self, step):
        if "json" in step:
            return json.dumps(step["json"]).encode()
        return self._subst(step.get("body", "")).encode()

    def _send(self, status, headers, payload, declared=None):
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, self._subst(str(value)))
        if not any(k.lower() == "content-type" for k in headers) and payload:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload) if declared is None else declared))
        self.end_headers()

    def dispatch(self):
        scripted = self.server.owner
        body = self.read_body_or_close()
        if body is None:
            return
        scripted.log.write(self, body)
        step = scripted.next()
        if step is None:
            payload = json.dumps({"message": "scripted server: script exhausted at %s %s"
                                  % (self.command, self.path)}).encode()
            self._send(410, {}, payload)
            self.wfile.write(payload)
            return
        action = step.get("action", "reply")
        if action == "reset":
            self.reset_connection()
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
            self.server.sleep(float(step.get("stall_seconds", 5)))
            self.close_connection = True
            return
        self._send(status, headers, payload)
        if self.command != "HEAD":
            self.wfile.write(payload)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--script", required=True)
    ap.add_argument("--lifetime", type=float, default=120)
    args = ap.parse_args()
    serve_command_line(Scripted(json.loads(args.script), args.log), args.port_file, timeout=args.lifetime)
    return 0


if __name__ == "__main__":
    sys.exit(main())
