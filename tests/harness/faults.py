"""faults: what a test asks to go wrong, and exactly how often.

A fault matches an origin (`api`: the REST API as the tool sees it,
in front of Prism; `upload`: the upload origin; `git`: the git server;
`any`), a method and a path (a shell-style glob on the path without the
query, or a regular expression), and applies exactly `times` times; the
request log names the fault on each request it hit. Taking a fault is
atomic, so parallel requests never consume one twice.

Kinds (options in brackets):
  status               answer `status` (500/502/503...) with a GitHub-like body [status, message, headers,
                       errors (API: the body's errors[] list, e.g. a 422's validation codes)]
  reset                reset the TCP connection: for API/git requests after sending the
                       headers and part of the body; for uploads after reading
                       `after_bytes` of the request body (default: half) [after_bytes]
  stall                stop sending (API: after the headers and part of the body) or stop
                       reading (uploads: after `after_bytes`) for `seconds`, then go on [seconds, after_bytes]
  delay                wait `seconds`, then answer normally (a slow server) [seconds]
  secondary_rate_limit 403 (or `status` 429) with retry-after: `retry_after` [status, retry_after]
  rate_limit           403 (or 429) with x-ratelimit-remaining: 0 and a reset `reset_in` s ahead [status, reset_in]
  starter              uploads only: read `after_bytes`, leave the asset in state
                       `starter`, then answer `status` (default 502) or reset (then="reset")
  corrupt              uploads only: flip the byte at `after_bytes` (default: half) of the body
                       as it arrives, as a broken proxy or a bit error would; GitHub stores
                       and digests what it received and answers 201 [after_bytes]
`when="after"` (status, reset) lets the request do its work first and only
then spoils the answer, as when GitHub made the ref but the response was lost.
"""
import fnmatch
import re
import threading

KINDS = ("status", "reset", "stall", "delay", "secondary_rate_limit", "rate_limit", "starter", "corrupt")
ORIGINS = ("api", "upload", "git", "any")

_DEFAULTS = {
    "status": {"status": 500},
    "reset": {},
    "stall": {"seconds": 30.0},
    "delay": {"seconds": 1.0},
    "secondary_rate_limit": {"status": 403, "retry_after": 1},
    "rate_limit": {"status": 403, "reset_in": 1},
    "starter": {"status": 502, "then": "status"},
    "corrupt": {},
}
_OPTIONS = {"status", "message", "headers", "errors", "seconds", "after_bytes", "retry_after", "reset_in", "when",
            "then"}


class Fault:
    def __init__(self, fid, kind, *, origin="any", method="*", path="*", path_re=None, times=1, **opts):
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; one of {', '.join(KINDS)}")
        if origin not in ORIGINS:
            raise ValueError(f"unknown fault origin {origin!r}; one of {', '.join(ORIGINS)}")
        unknown = set(opts) - _OPTIONS
        if unknown:
            raise ValueError(f"unknown fault options {sorted(unknown)}")
        if kind in ("starter", "corrupt") and origin not in ("upload", "any"):
            raise ValueError(f"a {kind} fault applies to uploads only")
        if int(times) < 1:
            raise ValueError("times must be at least 1")
        self.id = fid
        self.kind = kind
        self.origin = "upload" if kind in ("starter", "corrupt") else origin
        self.method = method.upper()
        self.path = path
        self.path_re = re.compile(path_re) if path_re else None
        self.times = int(times)
        self.hits = 0
        self.opts = dict(_DEFAULTS[kind])
        self.opts.update({k: v for k, v in opts.items() if v is not None})
        self.opts.setdefault("when", "before")

    @property
    def label(self):
        return f"{self.kind}#{self.id}"

    @property
    def remaining(self):
        return self.times - self.hits

    def matches(self, origin, method, path):
        if self.origin not in ("any", origin):
            return False
        if self.method not in ("*", method.upper()):
            return False
        if self.path_re is not None:
            return bool(self.path_re.search(path))
        return fnmatch.fnmatchcase(path, self.path)

    def as_dict(self):
        d = {"id": self.id, "kind": self.kind, "origin": self.origin, "method": self.method,
             "path": self.path, "times": self.times, "hits": self.hits}
        if self.path_re is not None:
            d["path_re"] = self.path_re.pattern
        d.update(self.opts)
        return d

    def __repr__(self):
        where = self.path_re.pattern if self.path_re else self.path
        return f"<Fault {self.label} {self.method} {where} {self.hits}/{self.times}>"


class FaultSet:
    """The faults armed for one world; shared by every server in it."""

    def __init__(self):
        self._lock = threading.Lock()
        self._faults = []
        self._next = 1

    def add(self, kind, **kw):
        with self._lock:
            fault = Fault(self._next, kind, **kw)
            self._next += 1
            self._faults.append(fault)
            return fault

    def take(self, origin, method, path, kinds=None):
        """The first armed fault that matches (consumed atomically), or None."""
        with self._lock:
            for fault in self._faults:
                if fault.remaining > 0 and fault.matches(origin, method, path) \
                        and (kinds is None or fault.kind in kinds):
                    fault.hits += 1
                    return fault
        return None

    def list(self):
        with self._lock:
            return [f.as_dict() for f in self._faults]

    def pending(self):
        with self._lock:
            return [f for f in self._faults if f.remaining > 0]

    def clear(self):
        with self._lock:
            self._faults.clear()
