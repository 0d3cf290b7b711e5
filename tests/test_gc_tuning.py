"""Deferring full garbage collections during a check."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from checker.gc_tuning import full_collections_deferred


@pytest.fixture(autouse=True)
def default_thresholds() -> Iterator[None]:
    saved = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*saved)


def test_no_full_collection_inside_and_thresholds_restored_after() -> None:
    with full_collections_deferred():
        young, middle, old = gc.get_threshold()
        assert young > 700 and middle == 10 and old > 10**6
    assert gc.get_threshold() == (700, 10, 10)


def test_thresholds_restored_when_the_body_raises() -> None:
    with pytest.raises(ValueError), full_collections_deferred():
        raise ValueError("boom")
    assert gc.get_threshold() == (700, 10, 10)


def test_a_larger_young_threshold_is_kept() -> None:
    gc.set_threshold(100_000, 10, 10)
    with full_collections_deferred():
        assert gc.get_threshold()[0] == 100_000
    assert gc.get_threshold() == (100_000, 10, 10)


def test_check_corpus_runs_with_full_collections_deferred(monkeypatch: pytest.MonkeyPatch) -> None:
    from pathlib import Path

    from checker import pipeline
    from checker.rules import RuleExtractor

    seen: list[tuple[int, int, int]] = []
    compare = pipeline.compare_stories_parallel

    def spy(*args: object, **kwargs: object) -> object:
        seen.append(gc.get_threshold())
        return compare(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "compare_stories_parallel", spy)
    pipeline.check_corpus(Path(__file__).parent.parent / "seeds", RuleExtractor()).close()
    assert seen and seen[0][2] > 10**6
    assert gc.get_threshold() == (700, 10, 10)
