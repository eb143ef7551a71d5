"""release-train's end-to-end harness: a realistic local GitHub.

    from harness import World, E2ETestCase

World starts a real git server (git http-backend), a stateful fake of the
GitHub REST API with its upload origin, and Stoplight Prism checking every
API exchange against GitHub's OpenAPI description; run() executes the
binary as the Actions runner does. See tests/README.md.
"""
from .faults import Fault, FaultSet
from .fake import FakeGitHub
from .gitserver import GitServer, init_bare
from .names import github_asset_name
from .prism import Prism, PrismUnavailable
from .util import RequestLog
from .world import (DEFAULT_MARKER, ContractViolation, E2ETestCase, FakeBug, RepoInfo, RunResult, SecretLeak,
                    World, binary_path, parse_annotations, parse_output_file)

__all__ = [
    "World", "E2ETestCase", "RunResult", "RepoInfo", "ContractViolation", "SecretLeak", "FakeBug",
    "GitServer", "FakeGitHub", "Prism", "PrismUnavailable", "Fault", "FaultSet", "RequestLog", "init_bare",
    "github_asset_name", "binary_path", "parse_output_file", "parse_annotations", "DEFAULT_MARKER",
]
