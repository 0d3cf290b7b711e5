"""checker.comparable: what the comparator reads of an article keeps every claim, every
person's mention that has a gender or descriptors, and a count of every mention's name."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from checker.comparable import comparable, comparable_parts
from checker.corpus import load_corpus
from checker.models import Article, EntityMention, Evidence, Extraction
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


_MENTION = st.builds(
    dict,
    text=st.sampled_from(["Kim", "Mr. Kim", "Seoul", "NSC", "Watson"]),
    kind=st.sampled_from(["person", "organization", "place", "other"]),
    descriptors=st.sampled_from([(), ("spokeswoman",), ("Gen.", "Defense Minister")]),
    gender=st.sampled_from([None, "female", "male"]),
)


@given(st.lists(_MENTION, max_size=12))
def test_comparable_parts_equal_the_plain_form(fields: list[dict[str, object]]) -> None:
    """The one-pass form reading each mention's __dict__ gives what the plain
    comprehensions over the mentions' attributes give."""
    article = Article(id="a", path="a.txt", text="Kim")
    evidence = Evidence.span(article, 0, 3)
    mentions = tuple(
        EntityMention.model_validate({**f, "article": "a", "evidence": evidence}) for f in fields
    )
    extraction = Extraction(article="a", extractor="rules", mentions=mentions)
    people = tuple(
        m for m in mentions if m.kind == "person" and (m.gender is not None or m.descriptors)
    )
    counts = Counter((m.text, m.kind) for m in mentions)
    names = tuple(sorted((text, kind, n) for (text, kind), n in counts.items()))
    assert comparable_parts(extraction) == ((), people, names)
