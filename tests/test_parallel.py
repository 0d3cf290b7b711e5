"""compare_stories_parallel: forked workers give compare_stories' flags, byte for byte."""

from __future__ import annotations

import datetime as dt
import os
import random
from functools import cache
from pathlib import Path

import pytest

from checker import compare
from checker.comparable import comparable
from checker.compare import StoryMembers, compare_stories, compare_stories_parallel
from checker.corpus import load_corpus
from checker.models import Article, Extraction, Flag, Story
from checker.rules import RuleExtractor
from checker.stories import story_id
from checker.workers import can_fork

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
N_STORIES = 12

pytestmark = pytest.mark.skipif(not can_fork(), reason="needs the fork start method")


@cache
def seed_pairs() -> tuple[tuple[Article, Extraction], ...]:
    articles = load_corpus(SEEDS).articles
    extractor = RuleExtractor()
    return tuple((a, extractor.extract(a)) for a in articles)


@cache
def corpus() -> tuple[tuple[Story, ...], dict[str, tuple[Article, Extraction]]]:
    """`N_STORIES` stories, each the seed cluster under new ids, published a few days
    apart (so that dates resolve differently from one story to the next)."""
    stories = []
    by_id: dict[str, tuple[Article, Extraction]] = {}
    for s in range(N_STORIES):
        ids = []
        for a, e in seed_pairs():
            new = f"s{s:02d}_{a.id}"
            published = a.published + dt.timedelta(days=3 * s) if a.published else None
            article = a.model_copy(update={"id": new, "published": published})
            relabelled = e.model_dump_json().replace(f'"{a.id}"', f'"{new}"')
            by_id[new] = (article, Extraction.model_validate_json(relabelled))
            ids.append(new)
        stories.append(Story(id=story_id(ids), articles=tuple(sorted(ids)), entities=()))
    return tuple(stories), by_id


def members(story: Story) -> StoryMembers:
    _, by_id = corpus()
    return [comparable(*by_id[i]) for i in story.articles]


def dumped(flags: tuple[Flag, ...]) -> list[str]:
    return [f.model_dump_json() for f in flags]


@pytest.fixture
def few_stories_suffice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compare, "PARALLEL_MIN_STORIES", 2)


@pytest.mark.usefixtures("few_stories_suffice")
@pytest.mark.parametrize("workers", [2, 3])
def test_parallel_flags_are_the_serial_flags_byte_for_byte(workers: int) -> None:
    stories, _ = corpus()
    serial = compare_stories(stories, members)
    assert len({f.story for f in serial}) == N_STORIES  # every story has flags
    assert dumped(compare_stories_parallel(stories, members, workers)) == dumped(serial)


@pytest.mark.usefixtures("few_stories_suffice")
def test_parallel_flags_do_not_depend_on_the_order_of_stories() -> None:
    stories, _ = corpus()
    expected = dumped(compare_stories(stories, members))
    shuffled = list(stories)
    random.Random(3).shuffle(shuffled)
    assert dumped(compare_stories_parallel(shuffled, members, 2)) == expected


@pytest.mark.usefixtures("few_stories_suffice")
def test_stories_are_compared_in_other_processes(tmp_path: Path) -> None:
    stories, _ = corpus()
    log = tmp_path / "pids"

    def logged(story: Story) -> StoryMembers:
        with log.open("a") as f:
            f.write(f"{os.getpid()}\n")
        return members(story)

    compare_stories_parallel(stories, logged, 2)
    pids = log.read_text().split()
    assert len(pids) == N_STORIES
    assert str(os.getpid()) not in pids
    assert 1 <= len(set(pids)) <= 2


def test_one_worker_or_few_stories_stay_in_this_process(tmp_path: Path) -> None:
    stories, _ = corpus()
    log = tmp_path / "pids"

    def logged(story: Story) -> StoryMembers:
        with log.open("a") as f:
            f.write(f"{os.getpid()}\n")
        return members(story)

    assert compare_stories_parallel(stories, logged, 1) == compare_stories(stories, members)
    assert compare_stories_parallel(stories[:3], logged, 2)  # under PARALLEL_MIN_STORIES
    assert set(log.read_text().split()) == {str(os.getpid())}


@pytest.mark.usefixtures("few_stories_suffice")
def test_a_workers_error_is_raised_in_the_caller() -> None:
    stories, _ = corpus()

    def broken(story: Story) -> StoryMembers:
        if story == stories[5]:
            raise RuntimeError("spool unreadable")
        return members(story)

    with pytest.raises(RuntimeError, match="spool unreadable"):
        compare_stories_parallel(stories, broken, 2)
