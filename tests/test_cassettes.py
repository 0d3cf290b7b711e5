"""What is in cassettes/: no secret, readable bodies, honest sources, every path recorded."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from checker.corpus import load_corpus
from checker.replay import REPLAY_FOLDER, CassetteSerializer, dropped_header, find_cassette
from tests.reference.server import FAULT_MARK, FAULTS, REFERENCE_MODEL

# A fake key, assembled at run time so that secret scanners do not flag this source file.
FAKE_KEY = "-".join(("sk", "fake", "0123456789abcdef"))

ROOT = Path(__file__).resolve().parent.parent
CASSETTES = ROOT / "cassettes"
FILES = sorted(CASSETTES.rglob("*.yaml"))
SECRETS = [
    re.compile(r"sk-[A-Za-z0-9_-]{6,}"),  # OpenAI-style keys, including the tests' fake one
    re.compile(r"Bearer\s+\S+", re.IGNORECASE),
    re.compile(r"^\s*-?\s*(authorization|api-key|cookie|set-cookie)\s*:", re.I | re.M),
    re.compile(r"openai-(organization|project)", re.IGNORECASE),
    re.compile(r"^\s*x-[a-z0-9-]+\s*:", re.IGNORECASE | re.MULTILINE),
    re.compile(r"(api[_-]?key|secret|password)[\"']?\s*[:=]\s*[\"']?[A-Za-z0-9_-]{12,}", re.I),
]


def interactions(path: Path) -> list[dict[str, object]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return list(data["interactions"])


def test_there_are_cassettes_for_the_seeds_and_the_fault_paths() -> None:
    assert len(FILES) >= 10, "cassettes are missing: run `make record`"


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(CASSETTES)))
def test_no_secret_is_written_to_a_cassette(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for pattern in SECRETS:
        found = pattern.search(text)
        assert found is None, f"{path}: looks like a secret: {found.group(0)[:40]!r}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(CASSETTES)))
def test_cassettes_are_readable_and_name_their_source(path: Path) -> None:
    loaded = CassetteSerializer.deserialize(path.read_text(encoding="utf-8"))
    assert loaded["interactions"]
    for interaction in interactions(path):
        request, response = interaction["request"], interaction["response"]
        assert isinstance(request, dict) and isinstance(response, dict)
        for headers in (request.get("headers", {}), response.get("headers", {})):
            assert not [h for h in headers if dropped_header(h)]
        if request["method"] == "POST" and "multipart" not in str(request.get("headers")):
            assert "parsed_body" in request  # JSON stored parsed, not as one escaped string
        body = response.get("parsed_body")
        if "127.0.0.1" in str(request["uri"]) and isinstance(body, dict) and "model" in body:
            assert body["model"] == REFERENCE_MODEL  # no cassette pretends to be a hosted model


def test_every_seed_article_has_a_replay_cassette() -> None:
    for article in load_corpus(ROOT / "seeds").articles:
        assert find_cassette(CASSETTES / REPLAY_FOLDER, article), f"{article.id}: run `make record`"


def test_every_recordable_fault_has_a_cassette() -> None:
    recorded = set()
    for path in [
        *(CASSETTES / "test_llm").glob("*.yaml"),
        *(CASSETTES / "test_batch").glob("*.yaml"),
    ]:
        for interaction in interactions(path):
            request = interaction["request"]
            assert isinstance(request, dict)
            model = str(json.dumps(request.get("parsed_body", {}).get("model", "")))
            if FAULT_MARK in model:
                recorded.add(model.split(FAULT_MARK, 1)[1].strip('"'))
    # A timeout has no response to record: tests/test_llm.py plays it live on loopback.
    assert recorded == set(FAULTS) - {"slow"}


def test_the_scrubbers_remove_what_the_grep_looks_for() -> None:
    from vcr.request import Request

    from checker.replay import scrub_request, scrub_response

    request = Request(
        "POST",
        "http://127.0.0.1:8765/v1/chat/completions",
        b'{"model": "m"}',
        {
            "Authorization": "Bearer " + FAKE_KEY,
            "api-key": FAKE_KEY,
            "OpenAI-Organization": "org-1",
            "X-Stainless-Arch": "x64",
            "Content-Type": "application/json",
        },
    )
    response = {
        "status": {"code": 200, "message": "OK"},
        "headers": {"Set-Cookie": ["session=abc"], "x-request-id": ["r"], "openai-project": ["p"]},
        "body": {"string": b'{"model": "m"}'},
    }
    cassette = {
        "interactions": [
            {"request": scrub_request(request)._to_dict(), "response": scrub_response(response)}
        ]
    }
    text = CassetteSerializer.serialize(cassette)
    assert "content-type" in text.lower()
    assert not [p.pattern for p in SECRETS if p.search(text)]
