"""Properties that must hold for any input, checked with hypothesis."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.compare import compare_claims
from checker.models import Article
from checker.rules import RuleExtractor

WORDS = st.sampled_from(
    "Kim Jong Un Mr. Putin said Monday Tuesday Sept. 5 In November last month he she his her "
    "spokeswoman spokesman the Kremlin Russia and China have joined imposed sanctions on three "
    'five entities “ ” " , . according to told reporters visited Pyongyang in July may could '
    "never denied that Watson Kirby Moscow Vladivostok 2019 more than about 300 miles".split()
)
TEXT = st.lists(st.one_of(WORDS, st.sampled_from(["\n", ". ", "-", "’s"])), max_size=80).map(
    " ".join
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(TEXT.filter(str.strip), min_size=1, max_size=3))
def test_any_text_extracts_and_compares_with_verbatim_evidence(texts: list[str]) -> None:
    articles = [
        Article(id=f"a{i}", path=f"a{i}.txt", text=t, published=dt.date(2023, 9, 5))
        for i, t in enumerate(texts)
    ]
    extractions = [RuleExtractor().extract(a) for a in articles]
    flags = compare_claims(articles, extractions)
    by_id = {a.id: a.text for a in articles}
    for e in [c.evidence for x in extractions for c in x.claims] + [
        e for f in flags for e in f.evidence
    ]:
        assert by_id[e.article][e.start : e.end] == e.quote
    assert compare_claims(list(reversed(articles)), list(reversed(extractions))) == flags
