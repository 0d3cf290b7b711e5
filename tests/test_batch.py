"""The OpenAI Batch API path (checker.batch): upload, poll, collect, validate, fall back live.

Tests marked `vcr` replay cassettes in cassettes/test_batch/, recorded against the
reference server's /v1/files and /v1/batches endpoints (`make record`). The multipart
upload's boundary is random, so these cassettes match bodies with `multipart_body`.
The `live` tests need what a cassette cannot give: two runs sharing one server's state.
"""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from checker.batch import BatchExtractor, parse_output
from checker.cache import ExtractionCache
from checker.cli import main
from checker.llm import LLMExtractor, LLMSettings
from checker.replay import TEST_MATCH_ON, vcr_options
from tests.reference.server import REFERENCE_MODEL, ReferenceServer, fault_model
from tests.test_llm import FIRST, SEEDS, TEST_KEY, Sleeps, assert_faithful

SECOND = SEEDS["003_c67951271ba7f43c"]
live = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])


@pytest.fixture
def vcr_config() -> dict[str, Any]:
    match_on = tuple("multipart_body" if m == "body" else m for m in TEST_MATCH_ON)
    return vcr_options(match_on)


def batch_extractor(
    url: str, cache: ExtractionCache, fault: str | None = None, **settings: Any
) -> tuple[BatchExtractor, Sleeps]:
    sleeps = Sleeps()
    llm = LLMExtractor(
        LLMSettings(
            model=fault_model(fault) if fault else REFERENCE_MODEL,
            api_key=TEST_KEY,
            base_url=url,
            backoff_s=0.001,
            sleep=sleeps,
            **settings,
        ),
        cache,
        concurrency=1,
        progress=io.StringIO(),
    )
    return BatchExtractor(llm, poll_s=7.0), sleeps


def outcomes(cache: ExtractionCache, run_id: str) -> list[str]:
    return [c.outcome for c in cache.calls(run_id)]


@pytest.mark.vcr
@pytest.mark.block_network
def test_a_batch_run_extracts_every_article_at_half_price(reference_url: str) -> None:
    cache = ExtractionCache(None)
    runner, sleeps = batch_extractor(reference_url, cache, price_per_mtok=(1.0, 2.0))
    results = runner.extract_many([FIRST, SECOND])
    for result, article in zip(results, [FIRST, SECOND], strict=True):
        assert_faithful(result, article)
    assert sleeps == [7.0, 7.0], "validating, in progress, completed: polled twice"
    assert outcomes(cache, runner.llm.run_id) == ["batch", "batch"]
    calls = cache.calls(runner.llm.run_id)
    full = sum(runner.llm.settings.cost(c.prompt_tokens, c.completion_tokens) or 0 for c in calls)
    assert sum(c.cost_usd or 0 for c in calls) == pytest.approx(full / 2)
    again, _ = batch_extractor(reference_url, cache)
    assert [r.claims for r in again.extract_many([FIRST, SECOND])] == [r.claims for r in results]
    assert again.llm.stats.calls == 0 and again.submitted == 0, "a rerun costs nothing"


@pytest.mark.vcr
@pytest.mark.block_network
def test_an_invalid_batch_answer_is_reasked_live(reference_url: str) -> None:
    cache = ExtractionCache(None)
    runner, _ = batch_extractor(reference_url, cache, "batch_bad_quote")
    (result,) = runner.extract_many([FIRST])
    assert_faithful(result, FIRST)
    assert all("Paris" not in c.evidence.quote for c in result.claims)
    assert outcomes(cache, runner.llm.run_id) == ["batch", "ok"]
    assert runner.llm.stats.reasks == 1


@pytest.mark.vcr
@pytest.mark.block_network
def test_a_failed_batch_request_is_sent_live(reference_url: str) -> None:
    cache = ExtractionCache(None)
    runner, _ = batch_extractor(reference_url, cache, "batch_error")
    (result,) = runner.extract_many([FIRST])
    assert_faithful(result, FIRST)
    assert outcomes(cache, runner.llm.run_id) == ["ok"]
    assert "1 batch requests had no usable answer" in (runner.summary() or "")


@live
def test_a_killed_run_picks_up_its_pending_batch(tmp_path: Path) -> None:
    server = ReferenceServer().start()
    try:
        path = tmp_path / "cache.sqlite"
        first, _ = batch_extractor(server.url, ExtractionCache(path))
        first.max_wait_s = 0.0  # gives up at once, as a killed run would
        first.prepare([FIRST])
        assert first.submitted == 1 and len(server.state.batches) == 1
        second, _ = batch_extractor(server.url, ExtractionCache(path))
        (result,) = second.extract_many([FIRST])
        assert_faithful(result, FIRST)
        assert second.submitted == 0, "the pending batch was collected, not paid for twice"
        assert len(server.state.batches) == 1
        assert "resumed batch" in (second.summary() or "")
    finally:
        server.stop()


@live
def test_cli_batch_run_with_a_run_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server = ReferenceServer().start()
    try:
        run = tmp_path / "run"
        args = [
            "check",
            str(Path(__file__).resolve().parent.parent / "seeds"),
            "--extractor",
            "llm",
            "--base-url",
            server.url,
            "--model",
            REFERENCE_MODEL,
            "--batch",
            "--batch-poll-seconds",
            "0.01",
            "--run",
            str(run),
        ]
        assert main(args) == 1
        err = capsys.readouterr().err
        assert "Batch API: 5 requests submitted, 5 answered" in err
        report = json.loads((run / "report.json").read_text(encoding="utf-8"))
        assert {a["status"] for a in report["articles"]} == {"ok"}
        with sqlite3.connect(run / "checker.sqlite") as db:
            assert db.execute("SELECT outcome, count(*) FROM calls").fetchall() == [("batch", 5)]
        assert main(args) == 1
        assert "0 articles extracted, 5 reused" in capsys.readouterr().err
        assert len(server.state.batches) == 1
    finally:
        server.stop()


@live
def test_max_cost_stops_starting_articles_and_a_rerun_resumes(tmp_path: Path) -> None:
    server = ReferenceServer().start()
    try:
        cache = ExtractionCache(tmp_path / "c.sqlite")
        settings: dict[str, Any] = {
            "model": REFERENCE_MODEL,
            "api_key": TEST_KEY,
            "base_url": server.url,
            "price_per_mtok": (100.0, 100.0),
            "max_cost_usd": 0.01,
        }
        llm = LLMExtractor(LLMSettings(**settings), cache, concurrency=1, progress=io.StringIO())
        first, second = llm.extract_many([FIRST, SECOND])
        assert_faithful(first, FIRST)
        assert second.status == "extraction_failed"
        assert second.reason is not None and "--max-cost $0.0100 reached" in second.reason
        assert len(server.state.requests) == 1, "no call once the budget is spent"
        again = LLMExtractor(LLMSettings(**settings), cache, concurrency=1, progress=io.StringIO())
        _first, resumed = again.extract_many([FIRST, SECOND])
        assert_faithful(resumed, SECOND)
    finally:
        server.stop()


@live
def test_max_cost_counts_calls_in_flight_so_concurrent_calls_do_not_overshoot(
    tmp_path: Path,
) -> None:
    """Four articles on four threads: once the first call has booked its estimated cost,
    which alone reaches the limit, no other call starts (each used to start, as nothing
    was spent yet)."""
    server = ReferenceServer().start()
    try:
        settings = LLMSettings(
            model=REFERENCE_MODEL,
            api_key=TEST_KEY,
            base_url=server.url,
            price_per_mtok=(100.0, 100.0),
            max_cost_usd=0.01,
        )
        llm = LLMExtractor(
            settings, ExtractionCache(tmp_path / "c.sqlite"), concurrency=4, progress=io.StringIO()
        )
        results = llm.extract_many(list(SEEDS.values())[:4])
        assert len(server.state.requests) == 1
        assert [r.status for r in results].count("ok") == 1
        refused = [r.reason or "" for r in results if r.status != "ok"]
        assert len(refused) == 3 and all("--max-cost $0.0100 reached" in r for r in refused)
        assert llm.stats.reserved_usd == 0 and llm.stats.over_budget == 3
    finally:
        server.stop()


def test_max_cost_without_a_price_is_a_config_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ["check", "seeds", "--extractor", "llm", "--base-url", "http://127.0.0.1:9/v1"]
    assert main([*args, "--model", "unpriced", "--max-cost", "1"]) == 2
    assert "--price-per-mtok" in capsys.readouterr().err
    assert main([*args, "--price-per-mtok", "x", "--max-cost", "1"]) == 2
    assert "two numbers" in capsys.readouterr().err
    assert main(["check", "seeds", "--extractor", "rules", "--batch"]) == 2
    assert "--batch needs the llm extractor" in capsys.readouterr().err


def test_unreadable_output_lines_are_missing_answers_not_crashes() -> None:
    good = {
        "custom_id": "k:0",
        "response": {
            "status_code": 200,
            "body": {
                "id": "x",
                "object": "chat.completion",
                "created": 0,
                "model": "m",
                "choices": [],
            },
        },
        "error": None,
    }
    text = "\n".join(
        [
            json.dumps(good),
            "{not json",
            json.dumps({"custom_id": "k:1", "response": {"status_code": 500, "body": {}}}),
            json.dumps({"custom_id": "k:2", "response": {"status_code": 200, "body": []}}),
            "",
        ]
    )
    assert list(parse_output(text)) == ["k:0"]
