"""The reference server and its annotations: honest about what it is, faithful to the seeds."""

from __future__ import annotations

import json
import math
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from checker.corpus import load_corpus
from checker.schema import PROMPT, ArticleClaims
from tests.reference.server import (
    ANNOTATIONS,
    FAULTS,
    REFERENCE_MODEL,
    Annotations,
    ReferenceServer,
    fault_model,
)

ROOT = Path(__file__).resolve().parent.parent
SEEDS = {a.id: a for a in load_corpus(ROOT / "seeds").articles}
pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])


@pytest.fixture(scope="module")
def server() -> Iterator[ReferenceServer]:
    running = ReferenceServer(slow_seconds=0.2).start()
    yield running
    running.stop()


def messages(text: str) -> list[dict[str, str]]:
    user = PROMPT.user.replace("{{ article_text }}", text)
    return [{"role": "system", "content": PROMPT.system}, {"role": "user", "content": user}]


def post(server: ReferenceServer, body: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
    request = urllib.request.Request(
        f"{server.url}/chat/completions",
        data=json.dumps(body).encode("utf-8"),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), json.loads(error.read())


def annotation(article_id: str) -> dict[str, Any]:
    return json.loads((ANNOTATIONS / f"{article_id}.json").read_text(encoding="utf-8"))


def test_every_seed_has_reference_annotations_that_validate() -> None:
    for article in SEEDS.values():
        data = annotation(article.id)
        answer = {"claims": data["claims"], "mentions": data["mentions"]}
        ArticleClaims.model_validate(answer, context={"article_text": article.text})
        assert len(data["claims"]) >= 15 and len(data["mentions"]) >= 10
    assert len(Annotations().by_text) == len(SEEDS) + 2  # the seeds and the two probes


def test_annotations_copy_the_articles_errors_as_written() -> None:
    watson = annotation("000_73c42ecbebd4ad36")["mentions"]
    assert {"text": "Adrienne Watson", "gender": "male", "cue": "His"}.items() <= next(
        m for m in watson if m.get("cue") == "His"
    ).items()
    kim = annotation("001_f9476dc9d441f33e")
    assert any(m["cue"] == "her" and m["gender"] == "female" for m in kim["mentions"])
    join = next(c for c in kim["claims"] if c["predicate"] == "join")
    assert (join["subject"], join["object"]) == ("Russia and China", "China")
    assert any(c["time"] == "In November" for c in kim["claims"])
    peskov = annotation("002_3e011c3f0e887c7c")["claims"]
    assert any(c["speaker"] == "Dmitry Peskov" and c["time"] == "on Sept. 5" for c in peskov)


@pytest.mark.parametrize(
    ("extra", "where"),
    [
        ({"tools": [{"type": "function", "function": {"name": "ArticleClaims"}}]}, "tool"),
        ({"response_format": {"type": "json_schema", "json_schema": {}}}, "content"),
        ({"response_format": {"type": "json_object"}}, "content"),
        ({}, "markdown"),
    ],
)
def test_answers_in_the_shape_each_mode_expects(
    server: ReferenceServer, extra: dict[str, Any], where: str
) -> None:
    article = SEEDS["004_791fc19b09277c11"]
    body = {"model": REFERENCE_MODEL, "messages": messages(article.text), **extra}
    status, _headers, data = post(server, body)
    assert status == 200 and data["model"] == REFERENCE_MODEL
    message = data["choices"][0]["message"]
    if where == "tool":
        payload = message["tool_calls"][0]["function"]["arguments"]
    elif where == "content":
        payload = message["content"]
    else:
        assert message["content"].startswith("```json\n")
        payload = message["content"].removeprefix("```json\n").removesuffix("\n```")
    answer = json.loads(payload)
    ArticleClaims.model_validate(answer, context={"article_text": article.text})
    usage = data["usage"]
    assert usage["completion_tokens"] == math.ceil(len(payload) / 4)
    assert usage["prompt_tokens"] > len(article.text) / 4


def test_a_chunk_gets_only_the_annotations_inside_it(server: ReferenceServer) -> None:
    article = SEEDS["002_3e011c3f0e887c7c"]
    chunk = article.text[:1200]
    status, _h, data = post(server, {"model": REFERENCE_MODEL, "messages": messages(chunk)})
    content = data["choices"][0]["message"]["content"]
    answer = json.loads(content.removeprefix("```json\n").removesuffix("\n```"))
    assert status == 200 and answer["claims"]
    assert all(c["evidence"] in chunk for c in answer["claims"] + answer["mentions"])


def test_an_unknown_article_is_a_404_not_an_empty_answer(server: ReferenceServer) -> None:
    status, _h, data = post(server, {"model": REFERENCE_MODEL, "messages": messages("Hello.")})
    assert status == 404 and "no annotations" in data["error"]["message"]
    status, _h, _d = post(server, {"model": REFERENCE_MODEL, "messages": [{"role": "user"}]})
    assert status == 400


def test_faults_are_played_once_then_the_answer_comes(server: ReferenceServer) -> None:
    body = {"messages": messages(SEEDS["000_73c42ecbebd4ad36"].text)}
    status, headers, _d = post(server, {**body, "model": fault_model("429")})
    assert status == 429 and headers["Retry-After"] == "2"
    assert post(server, {**body, "model": fault_model("429")})[0] == 200
    assert post(server, {**body, "model": fault_model("500")})[0] == 500
    assert post(server, {**body, "model": fault_model("500")})[0] == 200
    assert post(server, {**body, "model": fault_model("401")})[0] == 401
    assert post(server, {**body, "model": REFERENCE_MODEL + ":fault=nope"})[0] == 400
    assert set(FAULTS) >= {"malformed_json", "bad_quote", "bad_quote_always", "slow"}


def test_models_endpoint_names_the_source(server: ReferenceServer) -> None:
    with urllib.request.urlopen(f"{server.url}/models", timeout=5) as response:
        assert json.loads(response.read())["data"][0]["id"] == REFERENCE_MODEL
