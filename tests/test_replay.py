"""`--extractor replay` and `auto`: the LLM path from cassettes, with no key and no network."""

from __future__ import annotations

import io
import shutil
import time
from pathlib import Path

import pytest
import yaml

from checker.corpus import load_corpus
from checker.errors import ConfigError, ReplayMissError
from checker.extractors import ExtractorOptions, build_extractor
from checker.llm import LLMExtractor
from checker.models import Article, Extraction
from checker.pipeline import run_check
from checker.replay import REPLAY_FOLDER, AutoExtractor, ReplayExtractor, find_cassette

ROOT = Path(__file__).resolve().parent.parent
CASSETTES = ROOT / "cassettes"
ARTICLES = load_corpus(ROOT / "seeds").articles
offline = pytest.mark.block_network


class FakeRules:
    name = "rules"

    def extract(self, article: Article) -> Extraction:
        return Extraction(article=article.id, extractor="rules")


def replay(folder: Path = CASSETTES) -> ReplayExtractor:
    return ReplayExtractor(folder, progress=io.StringIO())


@offline
def test_the_seed_run_replays_from_cassettes_with_no_key() -> None:
    extractor = replay()
    started = time.perf_counter()
    results = extractor.extract_many(ARTICLES)
    elapsed = time.perf_counter() - started
    assert [r.article for r in results] == [a.id for a in ARTICLES]
    for article, result in zip(ARTICLES, results, strict=True):
        assert result.status == "ok", result.reason
        assert result.extractor.startswith("replay:")
        assert result.claims and result.mentions
        for item in (*result.claims, *result.mentions):
            assert article.text[item.evidence.start : item.evidence.end] == item.evidence.quote
    player = next(iter(extractor._players.values()))
    assert player.stats.calls / len(ARTICLES) <= 1.05  # re-asks included
    assert "no model was called" in (extractor.summary() or "")
    assert elapsed < 10


@offline
def test_a_missing_cassette_is_a_miss_that_names_the_record_command(tmp_path: Path) -> None:
    with pytest.raises(ReplayMissError, match="make record"):
        replay(tmp_path).extract(ARTICLES[0])
    [result] = replay(tmp_path).extract_many(ARTICLES[:1])
    assert result.status == "extraction_failed" and "make record" in (result.reason or "")


@offline
def test_a_stale_cassette_fails_and_says_how_to_re_record(tmp_path: Path) -> None:
    source = find_cassette(CASSETTES / REPLAY_FOLDER, ARTICLES[0])
    assert source is not None, "the seed cassettes are missing: run `make record`"
    target = tmp_path / REPLAY_FOLDER / source.name
    target.parent.mkdir()
    cassette = yaml.safe_load(source.read_text(encoding="utf-8"))
    system = cassette["interactions"][0]["request"]["parsed_body"]["messages"][0]
    system["content"] += "\nAn older prompt said one more thing."
    target.write_text(yaml.safe_dump(cassette, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ReplayMissError, match="make record"):
        replay(tmp_path).extract(ARTICLES[0])


@offline
def test_auto_replays_where_it_can_and_uses_rules_elsewhere(tmp_path: Path) -> None:
    folder = tmp_path / REPLAY_FOLDER
    folder.mkdir()
    source = find_cassette(CASSETTES / REPLAY_FOLDER, ARTICLES[0])
    assert source is not None
    shutil.copy(source, folder / source.name)
    auto = AutoExtractor(replay(tmp_path), FakeRules, progress=io.StringIO())
    results = auto.extract_many(ARTICLES)
    assert results[0].extractor.startswith("replay:")
    assert {r.extractor for r in results[1:]} == {"rules"}
    assert f"{len(ARTICLES) - 1} articles had no matching cassette" in (auto.summary() or "")


def test_build_extractor_follows_the_choice_and_the_environment(tmp_path: Path) -> None:
    cache = tmp_path / "cache.sqlite"
    no_env: dict[str, str] = {}
    assert isinstance(build_extractor(ExtractorOptions(choice="replay"), no_env), ReplayExtractor)
    assert isinstance(build_extractor(ExtractorOptions(), no_env), AutoExtractor)
    keyed = build_extractor(ExtractorOptions(cache_path=cache), {"OPENAI_API_KEY": "k"})
    assert isinstance(keyed, LLMExtractor) and keyed.name == "llm:gpt-4o-mini"
    local = build_extractor(
        ExtractorOptions(choice="llm", cache_path=cache, mode="md_json"),
        {"OPENAI_BASE_URL": "http://127.0.0.1:11434/v1", "CHECKER_MODEL": "llama3"},
    )
    assert isinstance(local, LLMExtractor) and local.name == "llm:llama3"
    assert local.settings.mode == "md_json"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (ExtractorOptions(choice="llm"), "OPENAI_API_KEY"),
        (ExtractorOptions(mode="xml"), "mode"),
        (ExtractorOptions(concurrency=0), "concurrency"),
    ],
)
def test_impossible_settings_are_config_errors(options: ExtractorOptions, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        build_extractor(options, {})


@offline
def test_replay_flags_at_least_what_the_rule_extractor_flags() -> None:
    rules = build_extractor(ExtractorOptions(choice="rules"), {})
    by_rules = run_check(ROOT / "seeds", rules)
    by_replay = run_check(ROOT / "seeds", replay())
    assert all(a.extractor.startswith("replay:") for a in by_replay.articles)
    for flag in by_rules.flags:
        assert any(
            other.kind == flag.kind and set(flag.articles) <= set(other.articles)
            for other in by_replay.flags
        ), f"replay misses the {flag.kind} flag: {flag.summary}"


def test_replayed_statement_dates_keep_the_kremlin_apart_from_washington() -> None:
    """The Kremlin's 'nothing to say' (Tuesday) is not the US statement (Monday)."""
    report = run_check(ROOT / "seeds", replay())
    dates = [f for f in report.flags if f.kind == "date"]
    assert dates
    for flag in dates:
        assert not any("nothing to say" in e.quote for e in flag.evidence), flag.summary
    assert len(report.stories) == 1
