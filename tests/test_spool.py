"""The spool (checker.spool): pairs held in memory up to a budget, the rest in a temporary
file, all come back equal."""

from __future__ import annotations

import io
import pickle
from functools import cache, partial
from pathlib import Path

import pytest

from checker.comparable import comparable, comparable_parts
from checker.corpus import load_corpus
from checker.models import Article, Extraction
from checker.rules import RuleExtractor
from checker.spool import Spool, estimated_bytes, pickled

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


@cache
def pairs() -> tuple[tuple[Article, Extraction], ...]:
    rules = RuleExtractor()
    return tuple((a, rules.extract(a)) for a in load_corpus(SEEDS).articles)


def budget(kind: str) -> int:
    """0: everything to the file; "two": the first two seeds in memory; "all": all of them."""
    costs = [estimated_bytes(a, e) for a, e in pairs()]
    return {"none": 0, "two": sum(costs[:2]), "all": sum(costs)}[kind]


@pytest.mark.parametrize("given", [False, True])
@pytest.mark.parametrize("kind", ["none", "two", "all"])
def test_pairs_come_back_equal_in_any_order_between_writes(kind: str, given: bool) -> None:
    """Whether or not the caller gives each pair's comparable parts."""

    def put(article: Article, extraction: Extraction) -> None:
        spool.put(article, extraction, comparable_parts(extraction) if given else None)

    with Spool(budget(kind)) as spool:
        for article, extraction in pairs()[:3]:
            put(article, extraction)
        assert spool.get(pairs()[1][0].id) == pairs()[1]
        for article, extraction in pairs()[3:]:  # writing after a read goes to the end
            put(article, extraction)
        for article, extraction in reversed(pairs()):
            assert spool.get(article.id) == (article, extraction)
            assert spool.article(article.id) == article
            assert spool.comparable(article.id) == comparable(article, extraction)
        assert len(spool) == 5
        assert spool.ids() == sorted(a.id for a, _ in pairs())
        assert spool.in_memory == {"none": 0, "two": 2, "all": 5}[kind]


def test_pairs_beyond_the_budget_are_pickled_not_kept() -> None:
    with Spool(budget("two")) as spool:
        for article, extraction in pairs():
            spool.put(article, extraction)
        held = [spool.get(a.id)[1] is e for a, e in pairs()]
        assert held == [True, True, False, False, False]  # first come, first held


@pytest.mark.parametrize("kind", ["none", "two", "all"])
def test_a_second_put_replaces_the_first_and_unknown_ids_are_skipped_or_raise(kind: str) -> None:
    article, extraction = pairs()[0]
    failed = extraction.model_copy(update={"status": "extraction_failed", "claims": ()})
    with Spool(budget(kind)) as spool:
        spool.put(article, extraction)
        spool.put(article, failed)
        assert spool.get(article.id) == (article, failed)
        assert len(spool) == 1
        assert list(spool.pairs(["nope", article.id])) == [(article, failed)]
        assert list(spool.comparables(["nope", article.id])) == [(article, (), (), ())]
        assert "nope" not in spool
        with pytest.raises(KeyError):
            spool.get("nope")


def test_a_replaced_pair_frees_its_share_of_the_budget() -> None:
    (first, extraction), (second, other) = pairs()[:2]
    with Spool(estimated_bytes(first, extraction)) as spool:
        spool.put(first, extraction)
        spool.put(first, extraction)  # the same id again: still fits
        assert spool.in_memory == 1
        spool.put(second, other)  # over the budget: to the file
        assert (spool.in_memory, len(spool)) == (1, 2)
        assert spool.get(second.id) == (second, other)


@pytest.mark.parametrize("kind", ["none", "all"])
def test_pairs_pickled_elsewhere_go_to_the_file_and_come_back_equal(kind: str) -> None:
    (first, extraction), (second, other) = pairs()[:2]
    with Spool(budget(kind)) as spool:
        spool.put(first, extraction)
        spool.put_pickled(second.id, pickled(second, other))
        assert spool.get(second.id) == (second, other)
        assert spool.article(second.id) == second
        assert spool.in_memory == (1 if kind == "all" else 0)  # never held: already bytes
        spool.put_pickled(first.id, pickled(first, extraction))  # replaces the held pair
        assert (spool.in_memory, len(spool)) == (0, 2)
        assert list(spool.pairs([first.id, second.id])) == list(pairs()[:2])


def test_the_pickled_claims_are_written_once_and_the_parts_read_in_turn() -> None:
    dumps = partial(pickle.dumps, protocol=pickle.HIGHEST_PROTOCOL)
    for article, extraction in pairs():
        p = pickled(article, extraction)
        parts = comparable_parts(extraction)
        apart = len(dumps(article)) + len(dumps(parts)) + len(dumps(extraction))
        assert len(p.data) < apart - len(dumps(extraction.claims))
        assert pickle.loads(p.data[: p.article_end]) == article
        unpickler = pickle.Unpickler(io.BytesIO(p.data[: p.comparable_end]))
        assert (unpickler.load(), unpickler.load()) == (article, parts)
        assert pickled(article, extraction, parts) == p  # the caller's parts: the same bytes
