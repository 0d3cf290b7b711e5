"""Shared fixtures for the LLM path: cassettes, the reference endpoint, no real model.

Cassettes replay strictly (pytest-recording's default record mode "none"): a missing or
stale cassette fails the test with a message naming `make record`, and a test that leaves
recorded exchanges unplayed fails too. `make record` passes ``--record-mode=rewrite``; the
reference server is then started on 127.0.0.1:8765, the address every cassette names.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `tests.reference` must import however pytest is started
    sys.path.insert(0, str(ROOT))

from checker.llm import RECORD_HINT  # noqa: E402
from checker.replay import CassetteSerializer, vcr_options  # noqa: E402

RECORD_PORT = 8765
REFERENCE_URL = f"http://127.0.0.1:{RECORD_PORT}/v1"
_MODEL_ENV = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "CHECKER_MODEL",
    "OPENAI_ORG_ID",
    "OPENAI_PROJECT_ID",
)


@pytest.fixture(autouse=True)
def _no_real_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's key in the environment must never turn a test into a paid call."""
    for name in _MODEL_ENV:
        monkeypatch.delenv(name, raising=False)


def pytest_recording_configure(config: pytest.Config, vcr: Any) -> None:
    vcr.register_serializer("yaml", CassetteSerializer)
    vcr.register_matcher("multipart_body", multipart_body)


def multipart_body(r1: Any, r2: Any) -> None:
    """vcrpy's body matcher, blind to the random boundary of a multipart upload."""
    import vcr.matchers

    def fixed(request: Any) -> Any:
        kind = str(request.headers.get("Content-Type") or request.headers.get("content-type"))
        if "boundary=" not in kind:
            return request
        boundary = kind.split("boundary=", 1)[1].split(";")[0].strip('"').encode()
        body = request.body if isinstance(request.body, bytes) else str(request.body).encode()
        copy = request.__class__(request.method, request.uri, body, {})
        copy.body = body.replace(boundary, b"BOUNDARY")
        return copy

    vcr.matchers.body(fixed(r1), fixed(r2))


@pytest.fixture
def vcr_config() -> dict[str, Any]:
    return vcr_options()


@pytest.fixture(scope="module")
def vcr_cassette_dir(request: pytest.FixtureRequest) -> str:
    return str(ROOT / "cassettes" / request.module.__name__.rsplit(".", 1)[-1])


def recording(config: pytest.Config) -> bool:
    return (config.getoption("--record-mode") or "none") != "none"


@pytest.fixture(scope="session")
def reference_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """The base URL cassettes were recorded at; a live reference server when recording."""
    if not recording(request.config):
        yield REFERENCE_URL
        return
    from tests.reference.server import ReferenceServer

    server = ReferenceServer(RECORD_PORT).start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def _cassette_fully_played(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a cassette test whose cassette is missing or was only partly played."""
    yield
    if request.node.get_closest_marker("vcr") is None or recording(request.config):
        return
    cassette = request.getfixturevalue("vcr")
    if cassette is None:
        return
    if not Path(cassette._path).is_file():
        pytest.fail(f"cassette {cassette._path} is missing; {RECORD_HINT}")
    if not cassette.all_played:
        pytest.fail(
            f"cassette {cassette._path}: {cassette.play_count} of {len(cassette)} recorded "
            f"exchanges were played; {RECORD_HINT}"
        )
