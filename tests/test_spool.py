"""The spool (checker.spool): pairs go to a temporary file and come back equal."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from checker.corpus import load_corpus
from checker.models import Article, Extraction
from checker.rules import RuleExtractor
from checker.spool import Spool

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


@cache
def pairs() -> tuple[tuple[Article, Extraction], ...]:
    rules = RuleExtractor()
    return tuple((a, rules.extract(a)) for a in load_corpus(SEEDS).articles)


def test_pairs_come_back_equal_in_any_order_between_writes() -> None:
    with Spool() as spool:
        for article, extraction in pairs()[:3]:
            spool.put(article, extraction)
        assert spool.get(pairs()[1][0].id) == pairs()[1]
        for article, extraction in pairs()[3:]:  # writing after a read goes to the end
            spool.put(article, extraction)
        for article, extraction in reversed(pairs()):
            assert spool.get(article.id) == (article, extraction)
            assert spool.article(article.id) == article
        assert len(spool) == 5
        assert spool.ids() == sorted(a.id for a, _ in pairs())


def test_a_second_put_replaces_the_first_and_unknown_ids_are_skipped_or_raise() -> None:
    article, extraction = pairs()[0]
    failed = extraction.model_copy(update={"status": "extraction_failed", "claims": ()})
    with Spool() as spool:
        spool.put(article, extraction)
        spool.put(article, failed)
        assert spool.get(article.id) == (article, failed)
        assert len(spool) == 1
        assert list(spool.pairs(["nope", article.id])) == [(article, failed)]
        assert "nope" not in spool
        with pytest.raises(KeyError):
            spool.get("nope")
