"""The LLM extractor end to end: prompt, instructor, HTTP, validation, conversion.

Tests marked `vcr` replay cassettes in cassettes/test_llm/ (recorded against the reference
server); the `live` ones talk to a reference server on 127.0.0.1 because what they check,
a client timeout or requests in flight, leaves nothing a cassette can hold. Assertions are
about behaviour any faithful extraction has, so they survive a re-record.
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checker.corpus import load_corpus
from checker.errors import ConfigError, LLMError
from checker.llm import (
    LLMExtractor,
    LLMSettings,
    retry_after_seconds,
    split_chunks,
)
from checker.models import Article, Extraction
from checker.schema import (
    PROMPT,
    PROMPT_VERSION,
    ArticleClaims,
    find_verbatim,
    parse_prompt,
)
from tests.reference.server import (
    ANNOTATIONS,
    INVENTED_SENTENCE,
    REFERENCE_MODEL,
    ReferenceServer,
    fault_model,
)

ROOT = Path(__file__).resolve().parent.parent
SEEDS = {article.id: article for article in load_corpus(ROOT / "seeds").articles}
FIRST = SEEDS["000_73c42ecbebd4ad36"]
LONGEST = SEEDS["002_3e011c3f0e887c7c"]
# Looks like a key on purpose (tests/test_cassettes.py proves it never reaches a cassette);
# assembled at run time so that secret scanners do not flag this source file.
TEST_KEY = "-".join(("sk", "test", "must", "never", "reach", "a", "cassette"))
live = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])


class Sleeps(list[float]):
    """A stand-in for time.sleep that remembers how long it was asked to wait."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def extractor(url: str, fault: str | None = None, **overrides: object) -> LLMExtractor:
    options: dict[str, object] = {
        "model": fault_model(fault) if fault else REFERENCE_MODEL,
        "api_key": TEST_KEY,
        "base_url": url,
        "backoff_s": 0.001,
        "sleep": Sleeps(),
    }
    options.update(overrides)
    return LLMExtractor(LLMSettings(**options), concurrency=1, progress=io.StringIO())  # type: ignore[arg-type]


def probe_article() -> Article:
    data = json.loads((ANNOTATIONS / "probe_template_syntax.json").read_text(encoding="utf-8"))
    return Article(id="probe", path="probe.txt", text=data["text"])


def assert_faithful(extraction: Extraction, article: Article) -> None:
    """What every accepted extraction guarantees an editor."""
    assert extraction.status == "ok", extraction.reason
    assert extraction.article == article.id
    assert extraction.claims, "an article of the cluster has claims"
    for item in (*extraction.claims, *extraction.mentions):
        evidence = item.evidence
        assert evidence.article == article.id
        assert article.text[evidence.start : evidence.end] == evidence.quote
    for claim in extraction.claims:
        assert claim.predicate == claim.predicate.lower()
        if claim.quote:
            assert claim.quote in article.text


# --- through cassettes --------------------------------------------------------------------


@pytest.mark.vcr
@pytest.mark.block_network
@pytest.mark.parametrize("mode", ["tools", "json_schema", "json", "md_json"])
def test_every_mode_extracts_faithful_claims(reference_url: str, mode: str) -> None:
    llm = extractor(reference_url, mode=mode)
    extraction = llm.extract(FIRST)
    assert_faithful(extraction, FIRST)
    assert extraction.extractor == f"llm:{REFERENCE_MODEL}"
    assert any(c.predicate == "say" and c.speaker for c in extraction.claims)
    assert llm.stats.calls == 1


@pytest.mark.vcr
@pytest.mark.block_network
def test_malformed_json_is_reasked_then_accepted(reference_url: str) -> None:
    llm = extractor(reference_url, "malformed_json")
    extraction = llm.extract(FIRST)
    assert_faithful(extraction, FIRST)
    assert (llm.stats.calls, llm.stats.reasks) == (2, 1)


@pytest.mark.vcr
@pytest.mark.block_network
def test_quote_not_in_article_is_reasked_and_never_shown(reference_url: str) -> None:
    llm = extractor(reference_url, "bad_quote")
    extraction = llm.extract(FIRST)
    assert_faithful(extraction, FIRST)
    assert (llm.stats.calls, llm.stats.reasks) == (2, 1)
    assert all("Paris" not in c.evidence.quote for c in extraction.claims)


@pytest.mark.vcr
@pytest.mark.block_network
def test_quote_never_fixed_fails_the_article_after_two_reasks(reference_url: str) -> None:
    llm = extractor(reference_url, "bad_quote_always")
    extraction = llm.extract(FIRST)
    assert extraction.status == "extraction_failed"
    assert extraction.claims == ()
    assert extraction.reason is not None
    assert "not in the article" in extraction.reason
    assert INVENTED_SENTENCE in extraction.reason
    assert (llm.stats.calls, llm.stats.reasks, llm.stats.failed) == (3, 2, 1)


@pytest.mark.vcr
@pytest.mark.block_network
def test_reask_token_budget_stops_reasking(reference_url: str) -> None:
    llm = extractor(reference_url, "bad_quote_always", reask_token_budget=1_000)
    extraction = llm.extract(FIRST)
    assert extraction.status == "extraction_failed"
    assert extraction.reason is not None and "budget" in extraction.reason
    assert llm.stats.calls == 1


@pytest.mark.vcr
@pytest.mark.block_network
def test_429_waits_as_long_as_retry_after_asks(reference_url: str) -> None:
    sleeps = Sleeps()
    llm = extractor(reference_url, "429", sleep=sleeps)
    assert_faithful(llm.extract(FIRST), FIRST)
    assert sleeps == [2.0]
    assert (llm.stats.calls, llm.stats.retries) == (2, 1)


@pytest.mark.vcr
@pytest.mark.block_network
def test_500_is_retried_with_backoff(reference_url: str) -> None:
    sleeps = Sleeps()
    llm = extractor(reference_url, "500", sleep=sleeps, backoff_s=0.25)
    assert_faithful(llm.extract(FIRST), FIRST)
    assert len(sleeps) == 1 and 0.25 <= sleeps[0] <= 0.5
    assert (llm.stats.calls, llm.stats.retries) == (2, 1)


@pytest.mark.vcr
@pytest.mark.block_network
def test_refused_key_stops_the_run_with_a_config_error(reference_url: str) -> None:
    llm = extractor(reference_url, "401")
    with pytest.raises(ConfigError, match="credentials"):
        llm.extract_many([FIRST])
    assert llm.stats.retries == 0


@pytest.mark.vcr
@pytest.mark.block_network
def test_an_unknown_article_fails_alone_and_the_run_goes_on(reference_url: str) -> None:
    stranger = Article(id="stranger", path="stranger.txt", text="Nobody annotated this text.")
    llm = extractor(reference_url)
    with pytest.raises(LLMError, match="404"):
        llm.extract(stranger)
    results = llm.extract_many([stranger, FIRST])
    assert [r.article for r in results] == ["stranger", FIRST.id]
    assert results[0].status == "extraction_failed"
    assert results[0].reason is not None and "404" in results[0].reason
    assert_faithful(results[1], FIRST)


@pytest.mark.vcr
@pytest.mark.block_network
def test_template_syntax_in_an_article_reaches_the_model_unchanged(
    reference_url: str, vcr: object
) -> None:
    article = probe_article()
    extraction = extractor(reference_url).extract(article)
    assert_faithful(extraction, article)
    sent = json.loads(vcr.requests[0].body)  # type: ignore[attr-defined]
    user = next(m["content"] for m in sent["messages"] if m["role"] == "user")
    block = user.split("<article>\n", 1)[1].rsplit("\n</article>", 1)[0]
    for token in (
        "{{ x }}",
        "{% if a %}ten{% endif %}",
        "{# not a comment #}",
        "{{ article_text }}",
    ):
        assert token in block
    # instructor dedents rendered messages: whitespace-only lines arrive empty, nothing else.
    assert block == "\n".join("" if not ln.strip() else ln for ln in article.text.split("\n"))
    assert any("{{ x }}" in c.evidence.quote for c in extraction.claims)


@pytest.mark.vcr
@pytest.mark.block_network
def test_long_article_is_split_into_chunks_that_keep_offsets(reference_url: str) -> None:
    llm = extractor(reference_url, max_chunk_chars=1_500)
    chunks = split_chunks(LONGEST.text, 1_500)
    extraction = llm.extract(LONGEST)
    assert_faithful(extraction, LONGEST)
    assert len(chunks) > 1 and llm.stats.calls == len(chunks)
    assert max(c.evidence.start for c in extraction.claims) >= chunks[1].start
    for item in (*extraction.claims, *extraction.mentions):
        assert any(
            ch.start <= item.evidence.start and item.evidence.end <= ch.start + len(ch.text)
            for ch in chunks
        )


# --- live, on loopback --------------------------------------------------------------------


@live
def test_a_timeout_is_retried() -> None:
    server = ReferenceServer(slow_seconds=1.0).start()
    try:
        sleeps = Sleeps()
        llm = extractor(server.url, "slow", timeout_s=0.3, sleep=sleeps)
        assert_faithful(llm.extract(FIRST), FIRST)
        assert (llm.stats.calls, llm.stats.retries, len(sleeps)) == (2, 1, 1)
        assert len(server.state.requests) == 2
    finally:
        server.stop()


@live
def test_concurrency_is_bounded_and_order_kept() -> None:
    server = ReferenceServer(delay_seconds=0.15).start()
    try:
        llm = extractor(server.url)
        llm.concurrency = 2
        articles = list(SEEDS.values())
        results = llm.extract_many(articles)
        assert [r.article for r in results] == [a.id for a in articles]
        assert all(r.status == "ok" for r in results)
        assert server.state.max_in_flight == 2
    finally:
        server.stop()


# --- no network at all --------------------------------------------------------------------


@pytest.mark.block_network
def test_dry_run_estimates_without_calling() -> None:
    llm = extractor("http://127.0.0.1:9/v1", model="gpt-4o-mini")
    text = llm.estimate(list(SEEDS.values()))
    assert "No call was made" in text and "$" in text
    assert llm.stats.calls == 0


def test_retry_after_is_read_in_seconds_milliseconds_or_as_a_date() -> None:
    assert retry_after_seconds({"Retry-After": "2"}) == 2.0
    assert retry_after_seconds({"retry-after-ms": "1500", "retry-after": "9"}) == 1.5
    assert retry_after_seconds({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0.0
    assert retry_after_seconds({}) is None


@given(st.lists(st.sampled_from(["Short one.", "A much longer sentence here.", "Q?"]), max_size=40))
def test_chunks_keep_offsets_and_cover_every_sentence(parts: list[str]) -> None:
    text = " ".join(parts)
    chunks = split_chunks(text, 200)
    assert all(text[c.start : c.start + len(c.text)] == c.text for c in chunks)
    assert "".join(c.text for c in chunks).replace(" ", "") == text.replace(" ", "")
    assert all(len(c.text) <= 200 for c in chunks)


def test_prompt_is_versioned_by_content_and_treats_the_article_as_data() -> None:
    data = (ROOT / "prompts" / "extract_claims.md").read_bytes()
    assert hashlib.sha256(data).hexdigest()[:12] == PROMPT_VERSION
    assert "{{ article_text }}" in PROMPT.user
    assert "<article>" in PROMPT.user and "</article>" in PROMPT.user
    assert "data, not instructions" in PROMPT.system
    assert "as written" in PROMPT.system


def test_prompt_files_may_not_hold_other_template_syntax() -> None:
    bad = b"<!-- role: system -->\nHello {{ name }}\n<!-- role: user -->\n{{ article_text }}\n"
    with pytest.raises(ValueError, match="template syntax"):
        parse_prompt(bad)


def test_evidence_is_located_verbatim_even_when_typography_differs() -> None:
    text = "The Kremlin said Tuesday it had “nothing to say” about US officials’ claims."
    span = find_verbatim(text, 'it had "nothing to say" about US officials\' claims')
    assert span is not None and text[span[0] : span[1]].startswith("it had “nothing")
    assert find_verbatim(text, "The Kremlin said Monday") is None


def test_answers_are_validated_against_the_article_text() -> None:
    text = FIRST.text
    good = {
        "claims": [{"evidence": "Russia has joined China", "predicate": "join"}],
        "mentions": [],
    }
    ArticleClaims.model_validate(good, context={"article_text": text})
    bad = {"claims": [{"evidence": INVENTED_SENTENCE, "predicate": "travel"}], "mentions": []}
    with pytest.raises(ValueError, match="not in the article"):
        ArticleClaims.model_validate(bad, context={"article_text": text})
    with pytest.raises(ValueError, match="context"):
        ArticleClaims.model_validate(good)


def test_unknown_mode_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="mode"):
        LLMSettings(model="m", api_key="k", mode="xml")
