#!/usr/bin/env python3
"""replay: serve recorded api.github.com traffic (@octokit/fixtures) on loopback.

Given a scenario (normalized-fixture.json from @octokit/fixtures, e.g.
release-assets-conflict or paginate-issues), answer the recorded requests
with the recorded responses: status, headers and body, with every
https://api.github.com and https://uploads.github.com URL (Link, Location
and URLs in bodies) rewritten to this server, so a client that follows
Link headers or upload_url comes back here. Requests are matched in the
recorded order: each request takes the first not-yet-served recording with
the same method, path and query (query order does not matter; a
per_page=100 the client adds where the recording has no per_page is
accepted) and, when the recording holds a JSON object body, every recorded
field in the request body with the same value; with --strict it must be
the very next one. Anything else gets a 404 whose message names what was
expected, is counted as a mismatch, and serves nothing.

Command line (for the C unit tests, tests/unit/servers/server.h):
    python3 tests/harness/replay.py SCENARIO --port-file F [--log L] [--strict] [--timeout S]
SCENARIO: a path, or a name such as api.github.com/paginate-issues. The
port is written to F once the server listens; --log appends every request
to L as one JSON line (method, path, headers, body, t, port, and
"matched": whether it was served from the recording). The server stops on
SIGTERM, after --timeout seconds (default 300), when the process that
started it exits, or (--exit-when-done) once every recording was served.
GET /_replay/status tells {served, remaining, mismatches}.

From Python:
    with Replay("api.github.com/release-assets-conflict") as r:
        ... r.url ...; r.remaining == 0
"""
import argparse
import json
import os
import sys
import threading
import urllib.parse

if __package__ in (None, ""):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from harness.httpbase import BaseHandler, RequestFile, Served, ThreadedServer, serve_command_line  # noqa: E402
    from harness.util import REPO_ROOT  # noqa: E402
else:
    from .httpbase import BaseHandler, RequestFile, Served, ThreadedServer, serve_command_line
    from .util import REPO_ROOT

SCENARIOS = os.path.join(REPO_ROOT, "node_modules", "@octokit", "fixtures", "scenarios")
HOSTS = ("https://api.github.com", "https://uploads.github.com")
SKIP_HEADERS = {"content-length", "connection", "transfer-encoding", "keep-alive", "content-encoding"}


def scenario_path(name):
    if os.path.exists(name):
        return name
    for candidate in (os.path.join(SCENARIOS, name, "normalized-fixture.json"), os.path.join(SCENARIOS, name)):
        if os.path.exists(candidate):
            return candidate
    raise FileNotFoundError(f"no scenario {name!r} (looked under {SCENARIOS}; run npm ci)")


def _split(path):
    u = urllib.parse.urlsplit(path)
    return u.path, sorted(urllib.parse.parse_qsl(u.query, keep_blank_values=True))


def same_target(recorded, got):
    """Same path and query (in any order); a per_page=100 that the client adds
    where the recording has no per_page is accepted."""
    (rpath, rquery), (gpath, gquery) = _split(recorded), _split(got)
    if not any(k == "per_page" for k, _ in rquery):
        gquery = [kv for kv in gquery if kv != ("per_page", "100")]
    return rpath == gpath and rquery == gquery


def body_matches(recorded, raw):
    """A recorded JSON object body: every field is in the request body with the same value."""
    if not isinstance(recorded, dict):
        return True
    try:
        got = json.loads(raw or b"null")
    except ValueError:
        return False
    return isinstance(got, dict) and all(k in got and got[k] == v for k, v in recorded.items())


class _Handler(BaseHandler):
    def dispatch(self):
        self.server.owner.serve(self)


class Replay(Served):
    """log: a file to append every request to as a JSON line (RequestFile)."""

    def __init__(self, scenario, *, port=0, strict=False, prefix="", token=None, log=None):
        with open(scenario_path(scenario), encoding="utf-8") as f:
            self.records = json.load(f)
        if not isinstance(self.records, list):
            self.records = [self.records]
        self.strict = strict
        self.prefix = prefix.rstrip("/")
        self.token = token
        self.used = [False] * len(self.records)
        self.mismatches = []
        self.served = []
        self.log = RequestFile(log) if log else None
        self._lock = threading.Lock()
        self.done = threading.Event()
        self._server = ThreadedServer(_Handler, port=port, owner=self)

    @property
    def remaining(self):
        return self.used.count(False)

    def rewrite(self, text):
        for host in HOSTS:
            text = text.replace(host, self.url + self.prefix)
        return text

    def _take(self, method, path, body):
        with self._lock:
            for i, rec in enumerate(self.records):
                if self.used[i]:
                    continue
                if rec["method"].upper() == method and same_target(rec["path"], path) \
                        and body_matches(rec.get("body"), body):
                    self.used[i] = True
                    if self.remaining == 0:
                        self.done.set()
                    return rec
                if self.strict:
                    return None
        return None

    def expected(self):
        for i, rec in enumerate(self.records):
            if not self.used[i]:
                fields = f" with body fields {json.dumps(rec['body'])}" if isinstance(rec.get("body"), dict) else ""
                return f"{rec['method'].upper()} {rec['path']}{fields}"
        return "nothing (every recording was served)"

    def serve(self, handler):
        body = handler.read_body_or_close()
        if body is None:
            return
        path = handler.path
        if self.prefix and path.startswith(self.prefix + "/"):
            path = path[len(self.prefix):]
        if path == "/_replay/status":
            return handler.send_json(200, {"served": len(self.served), "remaining": self.remaining,
                                           "mismatches": self.mismatches})
        if self.token:
            auth = handler.headers.get("Authorization") or ""
            if auth.split(" ", 1)[-1].strip() != self.token:
                if self.log:
                    self.log.write(handler, body, matched=False)
                return handler.send_json(401, {"message": "Bad credentials",
                                               "documentation_url": "https://docs.github.com/rest"})
        rec = self._take(handler.command, path, body)
        if self.log:
            self.log.write(handler, body, matched=rec is not None)
        if rec is None:
            message = f"replay: unexpected {handler.command} {path}; expected {self.expected()}"
            self.mismatches.append(message)
            return handler.send_json(404, {"message": message, "documentation_url": "https://docs.github.com/rest"})
        self.served.append({"method": handler.command, "path": path, "body": body})
        response = rec.get("response")
        if isinstance(response, (dict, list)):
            data = self.rewrite(json.dumps(response)).encode()
        elif response is None:
            data = b""
        else:
            data = self.rewrite(str(response)).encode()
        headers = []
        for k, v in (rec.get("headers") or {}).items():
            if k.lower() in SKIP_HEADERS:
                continue
            values = v if isinstance(v, list) else [v]
            for one in values:
                headers.append((k, self.rewrite(str(one))))
        status = int(rec.get("status", 200))
        if status in (204, 304):
            data = b""
        handler.send_bytes(status, data, headers)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Serve recorded GitHub traffic on 127.0.0.1.")
    ap.add_argument("scenario")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file", help="write the port here once listening")
    ap.add_argument("--log", help="append every request here as one JSON line")
    ap.add_argument("--strict", action="store_true", help="requests must come in exactly the recorded order")
    ap.add_argument("--prefix", default="", help="a path prefix to accept, e.g. /api/v3")
    ap.add_argument("--token", help="require this token")
    ap.add_argument("--timeout", type=float, default=300, help="stop after this many seconds")
    ap.add_argument("--exit-when-done", action="store_true", help="stop once every recording was served")
    args = ap.parse_args(argv)
    replay = Replay(args.scenario, port=args.port, strict=args.strict, prefix=args.prefix, token=args.token,
                    log=args.log)
    serve_command_line(replay, args.port_file, timeout=args.timeout,
                       done=replay.done if args.exit_when_done else None)
    if replay.mismatches:
        for m in replay.mismatches:
            print(m, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
