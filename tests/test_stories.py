"""Stories: claims of different stories never meet; properties of the comparator."""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker import stories
from checker.comparable import comparable_parts
from checker.compare import compare_claims, compare_corpus, merge_flags
from checker.corpus import load_corpus
from checker.models import Article, Extraction, Flag
from checker.rules import RuleExtractor
from checker.stories import (
    MAX_DF,
    ArticleFeatures,
    FeatureTable,
    article_features,
    group_features,
    group_stories,
    story_id,
)
from checker.workers import forked_imap

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
PEOPLE = {
    "Adrienne Watson": "Watson",
    "John Kirby": "Kirby",
    "Sergei Shoigu": "Shoigu",
    "Andrei Lankov": "Lankov",
}
FIRST = st.sampled_from(["Marta", "Olek", "Ines", "Tobias", "Greta", "Ruben"])
LAST = st.sampled_from(["Kowalczyk", "Brandauer", "Lindqvist", "Okonkwo", "Haraldsen"])


@cache
def seeds() -> tuple[tuple[Article, ...], tuple[Extraction, ...]]:
    articles = tuple(load_corpus(SEEDS).articles)
    return articles, tuple(RuleExtractor().extract(a) for a in articles)


def rewritten(mapping: dict[str, str], days: int = 0, prefix: str = "") -> list[Article]:
    """The seed articles with names replaced, dates moved and ids prefixed."""
    pattern = re.compile("|".join(re.escape(k) for k in sorted(mapping, key=len, reverse=True)))
    out = []
    for a in seeds()[0]:
        assert a.published is not None
        out.append(
            a.model_copy(
                update={
                    "id": prefix + a.id,
                    "text": pattern.sub(lambda m: mapping[m.group()], a.text),
                    "published": a.published + dt.timedelta(days=days),
                }
            )
        )
    return out


def signature(flags: tuple[Flag, ...]) -> list[tuple[str, str, tuple[str, ...], int]]:
    return sorted((f.kind, f.severity, f.articles, len(f.evidence)) for f in flags)


def test_the_seed_cluster_is_one_story() -> None:
    articles, extractions = seeds()
    stories = group_stories(articles, extractions)
    assert len(stories) == 1
    assert stories[0].articles == tuple(sorted(a.id for a in articles))
    assert stories[0].id == story_id(reversed(stories[0].articles))


def test_the_same_statements_about_other_people_are_another_story() -> None:
    """The seed story told again about other people, the same week: two stories."""
    other = {
        "Adrienne Watson": "Marta Kowalczyk",
        "Watson": "Kowalczyk",
        "John Kirby": "Olek Brandauer",
        "Kirby": "Brandauer",
        "Sergei Shoigu": "Ines Lindqvist",
        "Sergey Shoigu": "Ines Lindqvist",
        "Shoigu": "Lindqvist",
        "Kim Jong Un": "Tobias Okonkwo",
        "Kim Jong-un": "Tobias Okonkwo",
        "Kim Jong-Un": "Tobias Okonkwo",
        "Kim": "Okonkwo",
        "Vladimir Putin": "Greta Haraldsen",
        "Putin": "Haraldsen",
        "Keir Giles": "Ruben Aalto",
        "Giles": "Aalto",
        "Andrei Lankov": "Pia Moreau",
        "Lankov": "Moreau",
        "Dmitry Peskov": "Ivo Santos",
        "Peskov": "Santos",
        "Jake Sullivan": "Lea Novak",
        "Sullivan": "Novak",
        "Alexander Matsegora": "Timo Berg",
        "Matsegora": "Berg",
        "Cho Han-bum": "Ana Ruiz",
        "Cho": "Ruiz",
        "Park Won-gon": "Eli Stone",
        "Kang Sun Nam": "Jan Vos",
        "Volodymyr Zelensky": "Ola Lund",
        "Recep Tayyip Erdogan": "Ute Falk",
        "Yevgeny Prigozhin": "Bo Kaas",
    }
    copy = rewritten(other, prefix="x")
    articles = [*seeds()[0], *copy]
    extractions = [*seeds()[1], *(RuleExtractor().extract(a) for a in copy)]
    stories, flags = compare_corpus(articles, extractions)
    assert sorted(len(s.articles) for s in stories) == [5, 5]
    for flag in flags:
        assert len({a.startswith("x") for a in flag.articles}) == 1, flag.summary


def test_the_same_story_months_later_is_another_story() -> None:
    later = rewritten({"Adrienne Watson": "Adrienne Watson"}, days=91, prefix="y")
    articles = [*seeds()[0], *later]
    extractions = [*seeds()[1], *(RuleExtractor().extract(a) for a in later)]
    assert sorted(len(s.articles) for s in group_stories(articles, extractions)) == [5, 5]


def chain(stories: int, size: int = 4) -> list[ArticleFeatures]:
    """`stories` stories of `size` articles, each story with six words of its own that all
    its articles share; the last article of story k also names two people that the first
    article of story k + 1 names: a chain A-B-C-... of one weak link between neighbours,
    each enough for single linkage (two shared features, a quarter of each article's)."""
    day = dt.date(2024, 3, 1)
    items = []
    for k in range(stories):
        for m in range(size):
            feats = {f"w:story{k}word{w}" for w in range(6)}
            if m == 0 and k > 0:
                feats |= {f"n:first{k - 1} person", f"n:second{k - 1} person"}
            if m == size - 1:
                feats |= {f"n:first{k} person", f"n:second{k} person"}
            items.append(ArticleFeatures(f"{k:03d}_{m}", day, frozenset(feats)))
    return items


def test_a_chain_of_weak_links_does_not_join_unrelated_stories() -> None:
    items = chain(30)
    stories = group_features(items)
    assert sorted(len(s.articles) for s in stories) == [4] * 30
    for s in stories:
        assert len({a.split("_")[0] for a in s.articles}) == 1
    assert group_features(list(reversed(items))) == stories


def test_one_shared_person_is_one_piece_of_evidence() -> None:
    """Two stories that share one person, named and doing the same things in both, are
    not linked by the name and its who-did-what keys together."""
    day = dt.date(2024, 3, 1)
    person = {"n:ana ruiz", "r:ana ruiz|meet", "r:ana ruiz|travel"}
    items = [
        ArticleFeatures(f"{k}_{m}", day, frozenset(person | {f"w:s{k}w{w}" for w in range(3)}))
        for k in "ab"
        for m in range(2)
    ]
    assert sorted(s.articles for s in group_features(items)) == [("a_0", "a_1"), ("b_0", "b_1")]


def test_a_lone_article_keeps_its_own_checks() -> None:
    articles, extractions = seeds()
    lone = [a for a in articles if a.id.startswith("001")]
    flags = compare_claims(lone, [e for e in extractions if e.article == lone[0].id])
    assert "self_reference" in {f.kind for f in flags}
    assert all(f.story for f in flags)


def test_findings_about_one_conflict_are_merged() -> None:
    articles, extractions = seeds()
    flags = compare_claims(articles, extractions)
    evidence = [(f.kind, e) for f in flags for e in f.evidence]
    assert len(evidence) == len(set(evidence))  # no piece of evidence in two flags of a kind
    assert merge_flags(flags) and sorted(merge_flags(flags), key=lambda f: f.id) == sorted(
        flags, key=lambda f: f.id
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(order=st.permutations(range(5)), keep=st.sets(st.integers(0, 4), min_size=1))
def test_flags_do_not_depend_on_order_and_repeat_exactly(order: list[int], keep: set[int]) -> None:
    articles, extractions = seeds()
    chosen = [i for i in order if i in keep]
    flags = compare_claims([articles[i] for i in chosen], [extractions[i] for i in chosen])
    again = compare_claims(
        [articles[i] for i in sorted(chosen)],
        [extractions[i] for i in sorted(chosen, reverse=True)],
    )
    assert flags == again
    assert compare_claims([articles[i] for i in chosen], [extractions[i] for i in chosen]) == flags


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    who=st.sampled_from(sorted(PEOPLE)),
    first=FIRST,
    last=LAST,
)
def test_renaming_a_person_everywhere_changes_no_flag(who: str, first: str, last: str) -> None:
    articles, extractions = seeds()
    baseline = signature(compare_claims(articles, extractions))
    mapping = {who: f"{first} {last}", PEOPLE[who]: last}
    if who == "Sergei Shoigu":
        mapping["Sergey Shoigu"] = f"{first} {last}"
    renamed = rewritten(mapping)
    flags = compare_claims(renamed, [RuleExtractor().extract(a) for a in renamed])
    assert signature(flags) == baseline


@pytest.mark.parametrize(("articles", "stories"), [(MAX_DF, 1), (MAX_DF + 1, MAX_DF + 1)])
def test_features_in_more_than_max_df_articles_link_nothing(articles: int, stories: int) -> None:
    day = dt.date(2024, 3, 1)
    common = {"w:everywhere", "w:anywhere"}
    items = [
        ArticleFeatures(f"a{k:03d}", day, frozenset(common | {f"w:own{k}"}))
        for k in range(articles)
    ]
    assert len(group_features(items)) == stories


def mixed(articles: int, seed: int = 7) -> list[ArticleFeatures]:
    """Articles of stories that share words and people at random, dated over two months
    or undated: many links, weak and strong, in and out of each other's time window."""
    rng = random.Random(seed)
    items = []
    for k in range(articles):
        story = rng.randrange(articles // 4)
        own = {f"w:s{story}w{w}" for w in rng.sample(range(8), 5)}
        drift = {f"w:x{rng.randrange(60)}" for _ in range(3)}
        people = {f"n:p{rng.randrange(40)}" for _ in range(rng.randrange(5))}
        day = None if k % 10 == 0 else dt.date(2024, 3, 1) + dt.timedelta(rng.randrange(60))
        items.append(ArticleFeatures(f"a{k:04d}", day, frozenset(own | drift | people)))
    return items


def test_pairs_found_in_worker_processes_make_the_same_stories(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    table = FeatureTable()
    for item in mixed(600):
        table.add(item)
    alone = table.stories()
    assert 20 < len(alone) < 600  # links, and not one giant story
    forked: list[int] = []

    def spy(task: Callable[[Any], Any], items: Iterable[Any], workers: int) -> Iterator[Any]:
        spans = list(items)
        forked.append(len(spans))
        return forked_imap(task, spans, workers)

    monkeypatch.setattr(stories, "PARALLEL_MIN_ARTICLES", 0)
    monkeypatch.setattr(stories, "forked_imap", spy)
    assert table.stories(workers=2) == alone
    assert table.stories(workers=3) == alone
    assert forked == [8, 12]


def test_features_from_the_comparable_names_equal_those_from_the_mentions() -> None:
    articles, extractions = seeds()
    failed = Extraction(article=articles[0].id, extractor="rules", status="extraction_failed")
    for article, extraction in [*zip(articles, extractions, strict=True), (articles[0], failed)]:
        names = comparable_parts(extraction)[2]
        assert names or extraction is failed
        plain = article_features(article, extraction)
        assert article_features(article, extraction, names) == plain


@given(
    st.lists(
        st.sampled_from(["Moscow", "Seoul", "Kim", "Kimchi", "The", "Tuesday", "USA", "Éclair"])
        | st.text(alphabet="AaBbzZ é_1'-.,\n", max_size=12),
        max_size=20,
    ),
    st.sampled_from([" ", "", "-", ". ", "\n", "é"]),
)
def test_capitalised_word_features_equal_each_word_in_lower_case(
    words: list[str], gap: str
) -> None:
    """The "w:" features (made by one join, lower and split) are "w:" + each distinct
    capitalised word outside the common ones, in lower case."""
    text = gap.join(words)
    article = Article(id="a", path="a.txt", text=text)
    found = article_features(article, None).features
    capitalised = set(stories._CAPITALISED.findall(text)) - stories._COMMON
    assert found == {"w:" + w.lower() for w in capitalised}


# Articles for the pair finder: a few features each from a small pool (so that many
# pairs share some), dated within a few weeks or undated.
FINDER_ARTICLES = st.lists(
    st.tuples(
        st.one_of(st.none(), st.integers(0, 30)),
        st.frozensets(st.integers(0, 11), max_size=8),
    ),
    max_size=24,
)


@settings(max_examples=300, deadline=None)
@given(articles=FINDER_ARTICLES, spans=st.integers(1, 4))
def test_the_pair_finder_finds_the_pairs_that_pass_rule_3(
    articles: list[tuple[int | None, frozenset[int]]], spans: int
) -> None:
    """Postings sliced from each article's own place and cut at its window find the
    pairs an all-pairs pass finds: both dated at most MAX_DAYS apart (or either
    undated), sharing at least what the smaller needs, and passing the evidence test."""
    day = dt.date(2024, 3, 1)
    dates = [None if d is None else day + dt.timedelta(d) for d, _ in articles]
    distinctive = [feats for _, feats in articles]
    people = [frozenset(f for f in feats if f < 4) for feats in distinctive]
    unit_of = {f: f // 2 for f in range(12)}
    finder = stories._PairFinder(dates, distinctive, people, unit_of)
    found = set()
    for span in finder.spans(spans):
        pairs = finder.pairs(span)
        for i, j, count, union in zip(*pairs, strict=True):
            assert (frozenset((i, j)), count, union) not in found  # each pair once
            found.add((frozenset((i, j)), count, union))
    expected = set()
    for i in range(len(articles)):
        for j in range(i + 1, len(articles)):
            a, b = dates[i], dates[j]
            if a is not None and b is not None and abs((a - b).days) > stories.MAX_DAYS:
                continue
            count = len(distinctive[i] & distinctive[j])
            needs = map(stories._shared_needed, (len(distinctive[i]), len(distinctive[j])))
            if count and count >= min(needs) and finder._evidence_links(i, j, count):
                union = len(distinctive[i] | distinctive[j])
                expected.add((frozenset((i, j)), count, union))
    assert found == expected
