"""Prompt injection: an article telling the model to ignore its instructions.

The reference server plays a gullible model: for an article containing its trigger it
obeys, on every attempt, and answers a claim copied from *another* seed article. Replayed
from cassettes/test_injection/. What must hold whatever a model does:

* the injected article cannot change other articles' claims: each request carries exactly
  one article, and the others are extracted exactly as their annotations say;
* it cannot produce evidence that is not in its own text: the foreign sentence is
  rejected, re-asked, and in the end the article fails with the reason, never shown.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from checker.corpus import Corpus
from checker.llm import LLMExtractor, LLMSettings
from checker.models import Article
from checker.pipeline import build_report
from tests.reference.server import (
    ANNOTATIONS,
    INJECTED_SENTENCE,
    INJECTION_TRIGGER,
    REFERENCE_MODEL,
)
from tests.test_llm import FIRST, SEEDS, TEST_KEY, Sleeps, assert_faithful

SECOND = SEEDS["001_f9476dc9d441f33e"]  # the article the injected sentence comes from


def injected_article() -> Article:
    data = json.loads((ANNOTATIONS / "probe_prompt_injection.json").read_text(encoding="utf-8"))
    return Article(id="injected", path="injected.txt", text=data["text"])


def annotated_claims(article_id: str) -> int:
    data = json.loads((ANNOTATIONS / f"{article_id}.json").read_text(encoding="utf-8"))
    return len(data["claims"])


@pytest.mark.vcr
@pytest.mark.block_network
def test_an_injected_article_cannot_touch_others_or_invent_evidence(
    reference_url: str, vcr: Any
) -> None:
    injected = injected_article()
    assert INJECTION_TRIGGER in injected.text
    assert INJECTED_SENTENCE in SECOND.text and INJECTED_SENTENCE not in injected.text
    llm = LLMExtractor(
        LLMSettings(
            model=REFERENCE_MODEL, api_key=TEST_KEY, base_url=reference_url, sleep=Sleeps()
        ),
        concurrency=1,
        progress=io.StringIO(),
    )

    first, bad, second = llm.extract_many([FIRST, injected, SECOND])

    assert bad.status == "extraction_failed" and bad.claims == () and bad.mentions == ()
    assert bad.reason is not None and "not in the article" in bad.reason
    for result, article in ((first, FIRST), (second, SECOND)):
        assert_faithful(result, article)
        assert len(result.claims) == annotated_claims(article.id)
    # One article per request, and the instruction never reached another article's request.
    for request in vcr.requests:
        body = json.loads(request.body)
        user = "".join(m["content"] or "" for m in body["messages"] if m["role"] == "user")
        assert user.count("<article>") == 1
        if INJECTION_TRIGGER in user:
            assert FIRST.text.split("\n", 1)[0] not in user
    injected_requests = [r for r in vcr.requests if INJECTION_TRIGGER in r.body.decode()]
    assert len(injected_requests) == 3, "asked, then re-asked twice, then given up"

    report = build_report(
        Corpus(articles=(FIRST, injected, SECOND), problems=()), [first, bad, second], "llm"
    )
    for flag in report.flags:
        for evidence in flag.evidence:
            source = {"injected": injected, FIRST.id: FIRST, SECOND.id: SECOND}[evidence.article]
            assert source.text[evidence.start : evidence.end] == evidence.quote
            assert evidence.article != "injected"
    assert [a.status for a in report.articles if a.id == "injected"] == ["extraction_failed"]


def test_the_probe_annotation_is_a_faithful_answer_without_the_injection() -> None:
    data = json.loads(
        (Path(ANNOTATIONS) / "probe_prompt_injection.json").read_text(encoding="utf-8")
    )
    assert all(c["evidence"] in data["text"] for c in data["claims"])
    assert all(INJECTED_SENTENCE not in c["evidence"] for c in data["claims"])
