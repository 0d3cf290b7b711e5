"""checker.comparable: what the comparator reads of an article keeps every claim, every
person's mention that has a gender or descriptors, and a count of every mention's name."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from checker.comparable import comparable
from checker.corpus import load_corpus
from checker.rules import RuleExtractor

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def test_claims_people_and_counted_names_of_each_seed() -> None:
    rules = RuleExtractor()
    for article in load_corpus(SEEDS).articles:
        extraction = rules.extract(article)
        got = comparable(article, extraction)
        assert got.article == article
        assert got.claims == extraction.claims
        people = [
            m
            for m in extraction.mentions
            if m.kind == "person" and (m.gender is not None or m.descriptors)
        ]
        assert list(got.people) == people  # in the extraction's order
        assert 0 < len(people) < len(extraction.mentions)
        counted = Counter((m.text, m.kind) for m in extraction.mentions)
        assert list(got.names) == sorted((t, k, n) for (t, k), n in counted.items())
        assert sum(n for _, _, n in got.names) == len(extraction.mentions)


def test_an_article_without_a_usable_extraction_has_nothing_to_compare() -> None:
    article = load_corpus(SEEDS).articles[0]
    extraction = RuleExtractor().extract(article)
    failed = extraction.model_copy(update={"status": "extraction_failed"})
    assert comparable(article, failed) == (article, (), (), ())
    assert comparable(article, None) == (article, (), (), ())
