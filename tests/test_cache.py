"""The extraction cache: a rerun makes no call, and every call is accounted for."""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path

import pytest

from checker.cache import _MIGRATIONS, ExtractionCache, cache_key
from checker.corpus import load_corpus
from checker.llm import LLMExtractor, LLMSettings
from checker.models import Article
from checker.schema import PROMPT_VERSION, SCHEMA_VERSION
from tests.reference.server import ANNOTATIONS, REFERENCE_MODEL, fault_model

ROOT = Path(__file__).resolve().parent.parent
FIRST = next(a for a in load_corpus(ROOT / "seeds").articles if a.id.startswith("000_"))
UNREACHABLE = "http://127.0.0.1:9/v1"


def extractor(url: str, cache: ExtractionCache, **overrides: object) -> LLMExtractor:
    options: dict[str, object] = {
        "model": REFERENCE_MODEL,
        "api_key": "test-key",
        "base_url": url,
        "sleep": lambda _s: None,
        "price_per_mtok": (0.15, 0.60),
    }
    options.update(overrides)
    return LLMExtractor(LLMSettings(**options), cache, progress=io.StringIO())  # type: ignore[arg-type]


@pytest.mark.vcr
@pytest.mark.block_network
def test_an_unchanged_rerun_makes_no_call(reference_url: str, tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite"
    first = extractor(reference_url, ExtractionCache(path))
    before = first.extract(FIRST)
    assert first.stats.calls == 1

    second = extractor(reference_url, ExtractionCache(path))  # a new run, the same file
    after = second.extract(FIRST)
    assert (second.stats.calls, second.stats.cache_hits) == (0, 1)
    assert after == before
    assert "1 from cache" in (second.summary() or "")


@pytest.mark.vcr
@pytest.mark.block_network
def test_every_call_is_logged_with_tokens_cost_and_latency(
    reference_url: str, tmp_path: Path
) -> None:
    cache = ExtractionCache(tmp_path / "cache.sqlite")
    llm = extractor(reference_url, cache)
    llm.extract(FIRST)
    [call] = cache.calls(llm.run_id)
    assert call.outcome == "ok" and call.article == FIRST.id
    assert call.prompt_tokens > len(FIRST.text) // 4  # the prompt holds the whole article
    assert call.completion_tokens > 0 and call.latency_s >= 0
    expected = (call.prompt_tokens * 0.15 + call.completion_tokens * 0.60) / 1e6
    assert call.cost_usd == pytest.approx(expected)
    assert llm.stats.cost_usd == pytest.approx(expected)
    assert "$" in (llm.summary() or "")


@pytest.mark.vcr
@pytest.mark.block_network
def test_a_failed_extraction_is_not_cached(reference_url: str, tmp_path: Path) -> None:
    cache = ExtractionCache(tmp_path / "cache.sqlite")
    llm = extractor(reference_url, cache, model=fault_model("bad_quote_always"), max_reasks=0)
    assert llm.extract(FIRST).status == "extraction_failed"
    assert cache.get(llm.cache_key(FIRST)) is None


@pytest.mark.block_network
def test_a_cached_answer_gets_the_current_article_id_and_offsets() -> None:
    data = json.loads((ANNOTATIONS / f"{FIRST.id}.json").read_text(encoding="utf-8"))
    answer = {"claims": data["claims"], "mentions": data["mentions"]}
    cache = ExtractionCache(None)
    llm = extractor(UNREACHABLE, cache)
    renamed = Article(id="same-text-other-id", path="elsewhere.txt", text=FIRST.text)
    cache.put(
        llm.cache_key(renamed),
        article_hash=FIRST.content_hash,
        prompt_version=PROMPT_VERSION,
        schema_version=SCHEMA_VERSION,
        model=REFERENCE_MODEL,
        mode="tools",
        answer_json=json.dumps([answer]),
    )
    extraction = llm.extract(renamed)
    assert llm.stats.calls == 0 and extraction.status == "ok"
    assert {c.article for c in extraction.claims} == {"same-text-other-id"}
    assert all(
        FIRST.text[c.evidence.start : c.evidence.end] == c.evidence.quote for c in extraction.claims
    )


def test_the_key_changes_with_every_component() -> None:
    parts = ("article", "prompt", "schema", "model", "tools")
    base = cache_key(*parts)
    for i in range(len(parts)):
        changed = list(parts)
        changed[i] += "x"
        assert cache_key(*changed) != base


def test_the_key_follows_content_not_the_article_id() -> None:
    llm = extractor(UNREACHABLE, ExtractionCache(None))
    twin = Article(id="twin", path="twin.txt", text=FIRST.text)
    assert llm.cache_key(twin) == llm.cache_key(FIRST)
    other = extractor(UNREACHABLE, ExtractionCache(None), mode="json")
    assert other.cache_key(FIRST) != llm.cache_key(FIRST)


def test_migrations_run_once(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite"
    ExtractionCache(path).close()
    ExtractionCache(path).close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == len(_MIGRATIONS)
