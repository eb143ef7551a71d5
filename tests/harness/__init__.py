"""release-train's end-to-end harness: a realistic local GitHub.

    from harness import World, E2ETestCase

World starts a real git server (git http-backend), a stateful fake of the
GitHub REST API with its upload origin, and Stoplight Prism checking every
API exchange against GitHub's OpenAPI description; run() executes the
binary as the Actions runner does. See tests/README.md.

The names below are imported on first use, so a small server that needs
only harness.httpbase (tests/unit/servers/scripted.py, harness/replay.py)
starts without loading the whole harness.
"""
import importlib

_WHERE = {
    "Fault": "faults", "FaultSet": "faults", "FakeGitHub": "fake", "GitServer": "gitserver",
    "init_bare": "gitserver", "github_asset_name": "names", "Prism": "prism", "PrismUnavailable": "prism",
    "RequestLog": "util",
    **{name: "world" for name in ("DEFAULT_MARKER", "ContractViolation", "E2ETestCase", "FakeBug", "GhesWorld", "RepoInfo",
                                  "RunResult", "SecretLeak", "World", "binary_path", "parse_annotations",
                                  "parse_output_file")},
}

__all__ = [
    "World", "E2ETestCase", "GhesWorld", "RunResult", "RepoInfo", "ContractViolation", "SecretLeak", "FakeBug",
    "GitServer", "FakeGitHub", "Prism", "PrismUnavailable", "Fault", "FaultSet", "RequestLog", "init_bare",
    "github_asset_name", "binary_path", "parse_output_file", "parse_annotations", "DEFAULT_MARKER",
]


def __getattr__(name):
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
