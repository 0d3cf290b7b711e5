"""Deferring full garbage collections during a check."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from checker.gc_tuning import collections_paused, full_collections_deferred


@pytest.fixture(autouse=True)
def default_thresholds() -> Iterator[None]:
    saved = gc.get_threshold()
    enabled = gc.isenabled()
    gc.set_threshold(700, 10, 10)
    gc.enable()
    yield
    gc.set_threshold(*saved)
    if not enabled:
        gc.disable()


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


class _Node:  # a container object the collector tracks
    pass


def test_collections_paused_turns_the_collector_off_and_back_on() -> None:
    with collections_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ValueError), collections_paused():
        raise ValueError("boom")
    assert gc.isenabled()
    with collections_paused(False):
        assert gc.isenabled()


def test_collections_paused_leaves_a_disabled_collector_off() -> None:
    gc.disable()
    with collections_paused():
        pass
    assert not gc.isenabled()


def test_what_a_paused_body_keeps_goes_to_the_oldest_generation_untraversed() -> None:
    gc.collect()
    with collections_paused():
        kept = [_Node() for _ in range(5000)]
        assert gc.get_count()[0] >= 5000
    # no young collection will traverse them: they are already in the oldest generation
    assert gc.get_count()[0] < 100
    oldest = {id(o) for o in gc.get_objects(generation=2)}
    assert all(id(node) in oldest for node in kept)


def test_collections_paused_leaves_objects_someone_froze_frozen() -> None:
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with collections_paused():
            kept = [_Node() for _ in range(100)]
        assert gc.get_freeze_count() == frozen
        assert kept
    finally:
        gc.unfreeze()


def test_check_corpus_pauses_the_collector_for_the_rule_extractor_and_comparison(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pathlib import Path

    from checker import pipeline
    from checker.models import Article, Extraction
    from checker.rules import RuleExtractor

    enabled: dict[str, list[bool]] = {"extract": [], "compare": []}

    class Rules(RuleExtractor):
        def extract(self, article: Article) -> Extraction:
            enabled["extract"].append(gc.isenabled())
            return super().extract(article)

    class Waits(Rules):  # as an LLM extractor: its client may make cycles
        cpu_bound = False

    compare = pipeline.compare_stories_parallel

    def spy(*args: object, **kwargs: object) -> object:
        enabled["compare"].append(gc.isenabled())
        return compare(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "compare_stories_parallel", spy)
    seeds = Path(__file__).parent.parent / "seeds"
    pipeline.check_corpus(seeds, Rules(), jobs=1).close()
    assert enabled == {"extract": [False] * 5, "compare": [False]}
    assert gc.isenabled()
    enabled["extract"].clear()
    enabled["compare"].clear()
    pipeline.check_corpus(seeds, Waits(), jobs=1).close()
    assert enabled == {"extract": [True] * 5, "compare": [False]}
    assert gc.isenabled()
