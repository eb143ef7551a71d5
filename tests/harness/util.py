"""util: the small pieces every part of the harness shares.

Processes we start are stopped by their own id (never by name), servers
listen only on 127.0.0.1, and every wait is bounded: a test that goes
wrong fails in seconds instead of hanging the suite.
"""
import base64
import ctypes
import datetime
import errno
import os
import signal
import socket
import subprocess
import threading
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LOOPBACK = "127.0.0.1"
ZERO_SHA = "0" * 40

# The identity the harness commits with (never the machine's).
HARNESS_NAME = "Harness Tester"
HARNESS_EMAIL = "tester@example.com"


def free_port():
    """A port that was free a moment ago (for processes that need a number up front)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


def port_open(port, host=LOOPBACK, timeout=0.2):
    """Whether something accepts connections on host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_for_port(port, timeout, proc=None, what="server"):
    """Wait (bounded) until port accepts connections; fail early if proc died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_open(port):
            return
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what} exited with status {proc.returncode} before listening on {port}")
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on port {port} within {timeout} s")


def iso8601(ts=None):
    """GitHub's timestamp form: 2024-01-31T12:00:00Z."""
    if ts is None:
        ts = time.time()
    return datetime.datetime.fromtimestamp(int(ts), datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def basic_auth(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


_PR_SET_PDEATHSIG = 1


def _die_with_parent():
    """preexec_fn: the child gets SIGTERM if the thread that started it dies.

    A second line of defence only: World.close() stops every process by its
    id; this covers the harness itself being killed with SIGKILL.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except Exception:  # noqa: BLE001 - best effort, never fatal
        pass


class Process:
    """A child process we started, in its own process group, stopped by its id."""

    def __init__(self, argv, *, log_path=None, env=None, cwd=None, name=None):
        self.argv = list(argv)
        self.name = name or os.path.basename(argv[0])
        self.log_path = log_path
        self._log = open(log_path, "ab") if log_path else subprocess.DEVNULL
        # PDEATHSIG follows the starting *thread*: only use it from the main thread.
        preexec = _die_with_parent if threading.current_thread() is threading.main_thread() else None
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=self._log,
                                     stderr=subprocess.STDOUT, env=env, cwd=cwd,
                                     start_new_session=True, preexec_fn=preexec)
        self.pid = self.proc.pid

    def poll(self):
        return self.proc.poll()

    @property
    def returncode(self):
        return self.proc.returncode

    def stop(self, grace=5.0):
        """SIGTERM to the group we created (its id is our child's pid), then SIGKILL."""
        if self.proc.poll() is None:
            for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
                try:
                    os.killpg(self.pid, sig)
                except ProcessLookupError:
                    break
                except PermissionError:
                    self.proc.send_signal(sig)
                try:
                    self.proc.wait(timeout=wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        else:
            # The leader exited; make sure nothing it started lives on in its group.
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if self._log is not subprocess.DEVNULL:
            self._log.close()
            self._log = subprocess.DEVNULL

    def log_tail(self, n=40):
        if not self.log_path or not os.path.exists(self.log_path):
            return ""
        with open(self.log_path, "rb") as f:
            lines = f.read().decode("utf-8", "replace").splitlines()
        return "\n".join(lines[-n:])


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except OSError as e:
        return e.errno == errno.EPERM
    # A zombie counts as gone.
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def git_env(base=None, *, home=None, token=None, extra=None):
    """A clean environment for the harness's own git commands.

    No system or user configuration leaks in; the identity is fixed; when a
    token is given it travels as an extra header through GIT_CONFIG_* (in the
    environment, never written to any .git/config).
    """
    env = dict(base if base is not None else os.environ)
    for k in list(env):
        if k.startswith("GIT_") and k not in ("GIT_EXEC_PATH",):
            del env[k]
    env.update({
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_AUTHOR_NAME": HARNESS_NAME, "GIT_AUTHOR_EMAIL": HARNESS_EMAIL,
        "GIT_COMMITTER_NAME": HARNESS_NAME, "GIT_COMMITTER_EMAIL": HARNESS_EMAIL,
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_ASKPASS": "/bin/false",
        "LC_ALL": "C",
    })
    if home:
        env["HOME"] = home
    config = [("init.defaultBranch", "main"), ("advice.detachedHead", "false"),
              ("protocol.version", "2"), ("core.autocrlf", "false"), ("gc.auto", "0")]
    if token:
        config.append(("http.extraHeader", "Authorization: " + basic_auth("x-access-token", token)))
    for k, v in (extra or {}).items():
        config.append((k, v))
    env["GIT_CONFIG_COUNT"] = str(len(config))
    for i, (k, v) in enumerate(config):
        env[f"GIT_CONFIG_KEY_{i}"] = k
        env[f"GIT_CONFIG_VALUE_{i}"] = v
    return env


class GitError(RuntimeError):
    pass


def run_git(args, *, cwd=None, git_dir=None, env=None, input=None, check=True, timeout=120):
    """Run git; return stdout as bytes. Raises GitError with stderr on failure."""
    cmd = ["git"]
    if git_dir:
        cmd.append(f"--git-dir={git_dir}")
    cmd += list(args)
    if isinstance(input, str):
        input = input.encode()
    p = subprocess.run(cmd, cwd=cwd, env=env if env is not None else git_env(), input=input,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    if check and p.returncode != 0:
        raise GitError(f"git {' '.join(args)} failed ({p.returncode}): {p.stderr.decode('utf-8', 'replace').strip()}")
    return p.stdout


def git_text(args, **kw):
    return run_git(args, **kw).decode("utf-8", "replace").strip()


def classify_auth(value, token):
    """('token' | 'wrong' | 'none', scheme) for an Authorization header value.

    Accepts GitHub's forms: `Bearer T`, `token T` and Basic with T as the
    password. The value itself is never returned, so it cannot be printed.
    """
    if not value:
        return "none", None
    scheme, _, cred = value.strip().partition(" ")
    cred = cred.strip()
    s = scheme.lower()
    if s in ("bearer", "token"):
        return ("token" if cred == token else "wrong"), scheme
    if s == "basic":
        try:
            user, _, password = base64.b64decode(cred).decode("utf-8", "replace").partition(":")
        except ValueError:
            return "wrong", scheme
        return ("token" if password == token else "wrong"), scheme
    return "wrong", scheme


def basic_user(value):
    """The user name of a Basic Authorization header, or None."""
    if not value:
        return None
    scheme, _, cred = value.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        return base64.b64decode(cred.strip()).decode("utf-8", "replace").partition(":")[0]
    except ValueError:
        return None


def redact_headers(headers):
    """Headers as a dict (lower-case names) with the credential replaced by ***."""
    out = {}
    for k, v in headers.items():
        k = k.lower()
        if k in ("authorization", "proxy-authorization"):
            scheme = v.split(" ", 1)[0] if v else ""
            v = f"{scheme} ***"
        out[k] = v
    return out


class RequestLog:
    """Every request any harness server saw, in order, for tests to read."""

    def __init__(self):
        self._lock = threading.Lock()
        self._entries = []
        self._seq = 0

    def add(self, entry):
        with self._lock:
            self._seq += 1
            entry["seq"] = self._seq
            self._entries.append(entry)
            return entry

    def mark(self):
        with self._lock:
            return self._seq

    def entries(self, since=0):
        with self._lock:
            return [dict(e) for e in self._entries if e["seq"] > since]

    def clear(self):
        with self._lock:
            self._entries.clear()
