"""Time expressions of the September 2023 seed cluster resolve to the right days."""

from __future__ import annotations

import itertools
import re
import sys
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker import dates
from checker.dates import (
    Tense,
    TimeInterval,
    describe,
    find_time_expressions,
    overlaps,
    resolve_time,
)
from checker.text import lower_in_place, lower_keeping_offsets

TUE = date(2023, 9, 5)  # seeds 000, 001, 002, 004
MON = date(2023, 9, 4)  # seed 003


def _r(text: str, published: date | None = TUE, tense: Tense = "past") -> TimeInterval:
    iv = resolve_time(text, published, tense)
    assert iv is not None, text
    return iv


def _span(text: str, published: date | None = TUE, tense: Tense = "past") -> tuple[str, str]:
    iv = _r(text, published, tense)
    return iv.start.isoformat(), iv.end.isoformat()


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        ("Tuesday", TUE, "2023-09-05"),
        ("on Tuesday", TUE, "2023-09-05"),
        ("earlier on Tuesday", TUE, "2023-09-05"),
        ("Monday", TUE, "2023-09-04"),
        ("on Monday", TUE, "2023-09-04"),
        ("Monday night", TUE, "2023-09-04"),
        ("late on Monday", TUE, "2023-09-04"),
        ("Monday", MON, "2023-09-04"),
        ("on Monday", MON, "2023-09-04"),
        ("Sunday", TUE, "2023-09-03"),
        ("Wednesday", TUE, "2023-08-30"),
        ("last Monday", MON, "2023-08-28"),
        ("next Monday", MON, "2023-09-11"),
        ("today", MON, "2023-09-04"),
        ("yesterday", TUE, "2023-09-04"),
        ("tomorrow", TUE, "2023-09-06"),
        ("this morning", TUE, "2023-09-05"),
        ("Sept. 5", TUE, "2023-09-05"),
        ("on Sept. 5", TUE, "2023-09-05"),
        ("On Sept. 5", TUE, "2023-09-05"),
        ("Sep 5", TUE, "2023-09-05"),
        ("September 5", TUE, "2023-09-05"),
        ("5 September", TUE, "2023-09-05"),
        ("5th of September", TUE, "2023-09-05"),
        ("on Sept. 4", TUE, "2023-09-04"),
        ("on Sept. 2", TUE, "2023-09-02"),
        ("Sept. 6", TUE, "2023-09-06"),  # one day of slack: not moved to 2022
        ("September 5, 2023", TUE, "2023-09-05"),
        ("Sept. 5, 2023", None, "2023-09-05"),
        ("5 September 2023", None, "2023-09-05"),
        ("2023-09-05", None, "2023-09-05"),
    ],
)
def test_single_days(text: str, published: date | None, expected: str) -> None:
    iv = _r(text, published)
    assert (iv.start.isoformat(), iv.end.isoformat(), iv.granularity) == (expected, expected, "day")
    assert iv.shifted is False


@pytest.mark.parametrize(
    ("text", "tense", "expected"),
    [
        ("Monday", "future", "2023-09-11"),
        ("Tuesday", "future", "2023-09-05"),
        ("Friday", "future", "2023-09-08"),
        ("Friday", "past", "2023-09-01"),
    ],
)
def test_weekday_direction_follows_tense(text: str, tense: Tense, expected: str) -> None:
    assert _span(text, TUE, tense) == (expected, expected)


@pytest.mark.parametrize(
    ("text", "published", "start", "end"),
    [
        ("In August", TUE, "2023-08-01", "2023-08-31"),
        ("in July", TUE, "2023-07-01", "2023-07-31"),
        ("July", TUE, "2023-07-01", "2023-07-31"),
        ("in June", TUE, "2023-06-01", "2023-06-30"),
        ("in September", TUE, "2023-09-01", "2023-09-30"),
        ("In May 2022", TUE, "2022-05-01", "2022-05-31"),
        ("February 2022", None, "2022-02-01", "2022-02-28"),
        ("In 2019", None, "2019-01-01", "2019-12-31"),
        ("in 1991", TUE, "1991-01-01", "1991-12-31"),
        ("in 2022", MON, "2022-01-01", "2022-12-31"),
        ("late July", TUE, "2023-07-21", "2023-07-31"),
        ("In late July", TUE, "2023-07-21", "2023-07-31"),
        ("early August", TUE, "2023-08-01", "2023-08-10"),
        ("In mid-August", TUE, "2023-08-11", "2023-08-20"),
        ("in mid-September", TUE, "2023-09-11", "2023-09-20"),
        ("mid September", TUE, "2023-09-11", "2023-09-20"),
        ("the end of August", TUE, "2023-08-21", "2023-08-31"),
        ("in early 2023", None, "2023-01-01", "2023-04-30"),
        ("in the 1990s", None, "1990-01-01", "1999-12-31"),
        ("the mid-1990s", None, "1994-01-01", "1996-12-31"),
        ("since 2006", TUE, "2006-01-01", "2023-09-05"),
        ("since 2006", None, "2006-01-01", "2006-12-31"),
        ("since July", TUE, "2023-07-01", "2023-09-05"),
    ],
)
def test_months_years_and_parts(text: str, published: date | None, start: str, end: str) -> None:
    assert _span(text, published) == (start, end)


@pytest.mark.parametrize(
    ("text", "published", "start", "end", "granularity"),
    [
        ("last month", MON, "2023-08-01", "2023-08-31", "month"),
        ("this month", TUE, "2023-09-01", "2023-09-30", "month"),
        ("later this month", MON, "2023-09-04", "2023-09-30", "month"),
        ("earlier this month", TUE, "2023-09-01", "2023-09-05", "month"),
        ("next month", TUE, "2023-10-01", "2023-10-31", "month"),
        ("last week", MON, "2023-08-28", "2023-09-03", "week"),
        ("Last week", TUE, "2023-08-28", "2023-09-03", "week"),
        ("this week", TUE, "2023-09-04", "2023-09-10", "week"),
        ("next week", TUE, "2023-09-11", "2023-09-17", "week"),
        ("as soon as next week", TUE, "2023-09-11", "2023-09-17", "week"),
        ("as early as next week", TUE, "2023-09-11", "2023-09-17", "week"),
        ("last year", TUE, "2022-01-01", "2022-12-31", "year"),
        ("this year", TUE, "2023-01-01", "2023-12-31", "year"),
        ("earlier this year", TUE, "2023-01-01", "2023-09-05", "year"),
        ("next year", TUE, "2024-01-01", "2024-12-31", "year"),
        ("in coming months", TUE, "2023-09-05", "2024-03-03", "vague"),
        ("in the coming months", TUE, "2023-09-05", "2024-03-03", "vague"),
        ("recently", TUE, "2023-03-09", "2023-09-05", "vague"),
        ("recent", TUE, "2023-03-09", "2023-09-05", "vague"),
        ("in the recent past", TUE, "2023-03-09", "2023-09-05", "vague"),
        ("soon", TUE, "2023-09-05", "2023-11-04", "vague"),
        ("last weekend", TUE, "2023-09-02", "2023-09-03", "week"),
        ("over the weekend", TUE, "2023-09-02", "2023-09-03", "week"),
        ("the past two weeks", TUE, "2023-08-22", "2023-09-05", "week"),
        ("two weeks ago", TUE, "2023-08-19", "2023-08-25", "week"),
        ("last summer", TUE, "2023-06-01", "2023-08-31", "season"),
        ("last winter", TUE, "2022-12-01", "2023-02-28", "season"),
    ],
)
def test_relative_expressions(
    text: str, published: date, start: str, end: str, granularity: str
) -> None:
    iv = _r(text, published)
    assert (iv.start.isoformat(), iv.end.isoformat(), iv.granularity) == (start, end, granularity)


def test_month_after_publication_moves_to_previous_year_with_note() -> None:
    iv = _r("In November", TUE)
    assert (iv.start, iv.end, iv.granularity) == (date(2022, 11, 1), date(2022, 11, 30), "month")
    assert iv.shifted is True
    assert iv.note == "'In November' before an article of 2023-09-05: read as November 2022"
    assert iv.text == "In November"


def test_future_month_goes_forward() -> None:
    assert _span("In November", TUE, "future") == ("2023-11-01", "2023-11-30")
    assert _r("In November", TUE, "future").shifted is False
    iv = _r("in August", TUE, "future")
    assert (iv.start, iv.shifted) == (date(2024, 8, 1), True)
    assert iv.note is not None and "August 2024" in iv.note


def test_day_after_publication_moves_to_previous_year() -> None:
    iv = _r("Sept. 10", TUE)
    assert (iv.start, iv.shifted) == (date(2022, 9, 10), True)
    assert iv.note is not None and "2023-09-05" in iv.note
    future = _r("Jan. 5", TUE, "future")
    assert (future.start, future.shifted) == (date(2024, 1, 5), True)
    assert _r("Sept. 10", TUE, "future").shifted is False


@pytest.mark.parametrize(
    "text",
    ["Tuesday", "Monday", "today", "last month", "Sept. 5", "In November", "recently", "July"],
)
def test_relative_expressions_need_an_anchor(text: str) -> None:
    assert resolve_time(text, None) is None


@pytest.mark.parametrize(
    "text",
    [
        "On the same day",
        "on the same day",
        "the paper",
        "300 miles",
        "Kim",
        "",
        "Feb. 30",
        "as soon as possible",
        "the following week",
        "in Pyongyang",
    ],
)
def test_not_understood_gives_none(text: str) -> None:
    assert resolve_time(text, TUE) is None


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (("In August", TUE), ("last month", TUE), True),
        (("recently", TUE), ("In August", TUE), True),
        (("Tuesday", TUE), ("Sept. 5", TUE), True),
        (("Monday", TUE), ("Sept. 5", TUE), False),
        (("late July", TUE), ("In July", TUE), True),
        (("next week", TUE), ("mid-September", TUE), True),
        (("next week", TUE), ("later this month", MON), True),
        (("next week", TUE), ("this month", TUE), True),
        (("Monday", MON), ("on Monday", TUE), True),
        (("In November", TUE), ("In August", TUE), False),
        (("In August", TUE), ("In July", TUE), False),
        (("late July", TUE), ("mid-August", TUE), False),
        (("last week", TUE), ("next week", TUE), False),
        (("in 2022", MON), ("In May 2022", TUE), True),
        (("in 2019", TUE), ("in 2022", TUE), False),
    ],
)
def test_overlaps(a: tuple[str, date], b: tuple[str, date], expected: bool) -> None:
    ia, ib = _r(*a), _r(*b)
    assert overlaps(ia, ib) is expected
    assert overlaps(ib, ia) is expected


def test_tuesday_and_sept_5_are_the_same_interval() -> None:
    a, b = _r("Tuesday"), _r("Sept. 5")
    assert (a.start, a.end) == (b.start, b.end)


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        ("Monday", TUE, "Mon 2023-09-04"),
        ("In November", TUE, "2022-11"),
        ("next week", TUE, "2023-09-11..2023-09-17"),
        ("in 2019", None, "2019"),
        ("late July", TUE, "2023-07-21..2023-07-31"),
        ("recently", TUE, "~2023-03-09..2023-09-05"),
    ],
)
def test_describe(text: str, published: date | None, expected: str) -> None:
    assert describe(_r(text, published)) == expected


def _found(sentence: str) -> list[str]:
    return [sentence[s:e] for s, e in find_time_expressions(sentence)]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "Sergei Shoigu, the defence minister of Russia, claimed on Monday that his country",
            ["on Monday"],
        ),
        ("The Kremlin declared earlier on Tuesday that it had", ["earlier on Tuesday"]),
        (
            "Kim plans to travel to Russia as soon as next week to meet",
            ["as soon as next week"],
        ),
        ("In November, a representative of the North Korean defence ministry", ["In November"]),
        ("has conducted six nuclear tests since 2006.", ["since 2006"]),
        ("But on Sept. 4, The New York Times reported", ["on Sept. 4"]),
        ("meet Mr. Putin in mid-September in Russia’s far eastern city", ["in mid-September"]),
        ("In late July, Russian Defense Minister Sergey Shoigu visited", ["In late July"]),
        ("In May 2022, China and Russia vetoed a U.S.-led push", ["In May 2022"]),
        ("he told Russia’s TASS news agency on Sept. 2.", ["on Sept. 2"]),
        (
            "land lost since Russia's February 2022 invasion",
            ["February 2022"],
        ),
        ("high-level discussions may continue in coming months.", ["in coming months"]),
        ("— Steve Rosenberg (@BBCSteveR) September 5, 2023", ["September 5, 2023"]),
        ("This comes on the heels of Sergei Shoigu's July trip to Pyongyang", ["July"]),
        ("US intelligence has in the recent past alleged", ["in the recent past"]),
        (
            "Kim is likely to head by armored train later this month",
            ["later this month"],
        ),
        ("the Soviet Union in 1991. Shoigu said Monday", ["in 1991", "Monday"]),
        ("Moscow is shrugging of recent accusations", ["recent"]),
        ("Kim might soon travel to Russia", ["soon"]),
        ("visited Pyongyang in July and Vladivostok in 2019", ["in July", "in 2019"]),
        ("in March the army moved", ["in March"]),
        ("on Monday night the army moved", ["on Monday night"]),
    ],
)
def test_find_in_seed_sentences(sentence: str, expected: list[str]) -> None:
    assert _found(sentence) == expected


@pytest.mark.parametrize(
    "sentence",
    [
        "US officials have told the Times that he may take an armore train",
        "Kim may want to stress Russia’s sense of support, and may seek a deal",
        "May God help them",
        "March on Washington drew thousands",
        "roughly 300 miles from North Korea’s border",
        "the first known visit since the dissolution of the Soviet Union",
        "the 70th anniversary of the end of the Korean War",
        "since the 1991 collapse of the Soviet Union",
        "here's our report on Kim's 2019 visit to Vladivostok",
        "On the same day, U.S. National Security Adviser Jake Sullivan warned",
        "we need an answer as soon as possible",
        "The import of 1 Million Tons of Rice",
        "Mondays are quiet",
    ],
)
def test_find_must_not_match(sentence: str) -> None:
    assert _found(sentence) == []


def test_find_spans_are_ordered_and_disjoint() -> None:
    sentence = "On Sept. 5, after talks last week and on Monday, officials said next week"
    spans = find_time_expressions(sentence)
    assert [sentence[s:e] for s, e in spans] == [
        "On Sept. 5",
        "last week",
        "on Monday",
        "next week",
    ]
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))


def test_everything_found_in_the_seeds_resolves() -> None:
    from pathlib import Path

    from checker.text import sentence_spans

    seeds = sorted((Path(__file__).parent.parent / "seeds").glob("*.txt"))
    assert len(seeds) == 5
    found = 0
    for path in seeds:
        published = MON if path.name.startswith("003") else TUE
        text = path.read_text(encoding="utf-8")
        for s, e in sentence_spans(text):
            sentence = text[s:e]
            for a, b in find_time_expressions(sentence):
                found += 1
                assert resolve_time(sentence[a:b], published) is not None, sentence[a:b]
    assert found >= 50


def test_pure_same_input_same_output() -> None:
    assert _r("Monday") == _r("Monday")
    assert resolve_time("Monday", TUE) != resolve_time("Monday", date(2023, 9, 12))


def _rule_by_rule(sentence: str) -> list[tuple[int, int]]:
    """The plain reading of `find_time_expressions`: every rule's own scan, then the
    leftmost-longest non-overlapping choice. The real one prefilters and scans once."""
    spans = {(m.start(), m.end()) for pat in dates._FIND for m in pat.finditer(sentence)}
    chosen: list[tuple[int, int]] = []
    for start, end in sorted(spans, key=lambda s: (s[0], s[0] - s[1])):
        if not chosen or start >= chosen[-1][1]:
            chosen.append((start, end))
    return chosen


# One phrase for each way a rule (and a prefix) can begin, so that every first word the
# fast scan must know about is exercised: a phrase it misses makes these tests fail.
_PHRASES = (
    "2023-09-05|Sept. 5, 2023|Sept.5|September, 2023|Sept., 2023|July 27th|5 September 2023|5th of Sept.|September 2023|mid-September 2023"
    "|early July|late2023|midSeptember|the end of August|the beginning of 2023"
    "|the start of next year|the middle of this week|July|in May|of March|by May|since March"
    "|during May|in 2023|since 1999|by 2020|during 2022|early 2023|the mid-1990s|the 2020s"
    "|late 1990s|last Monday|next Tuesday|this Wednesday|early Thursday|late Friday"
    "|earlier Saturday|later Sunday|Monday night|today|tonight|yesterday|tomorrow"
    "|this morning|earlier today|later tonight|yesterday evening|last week|this month"
    "|next year|earlier this year|later this week|the past two weeks|the last month"
    "|the past 3 days|the coming months|coming weeks|next few days|the next several years"
    "|next couple of weeks|the recent past|recent weeks|recently|recent|lately|soon"
    "|the near future|last weekend|this weekend|next weekend|the weekend|two days ago"
    "|a few weeks ago|a couple of months ago|several years ago|12 days ago|a week ago"
    "|an year ago|one week ago|three years ago|four days ago|five weeks ago|six months ago"
    "|seven years ago|eight days ago|nine weeks ago|ten months ago|eleven years ago"
    "|twelve days ago|last spring|this summer|next fall|the autumn of 2022|winter 2023"
    "|fall 2021|in the spring|during winter|over the summer|by autumn|since the winter"
    "|earlier on Monday|later on Tuesday|late on Wednesday|early on Friday"
    "|as soon as next week|as early as next month|as late as last week|on Monday|at the weekend"
    "|by Friday|during the past week|over the past year|since Monday"
).split("|")
_PIECES = (
    *_PHRASES,
    *"on in the of this next a Kim said , - ſoon tonıght İn 5 2019 May may".split(),
    *"two several an as since during days weeks ago early mid-".split(),
)


@pytest.mark.parametrize("phrase", _PHRASES)
def test_find_every_kind_of_phrase_like_the_rule_by_rule_scan(phrase: str) -> None:
    for sentence in (phrase, f"He said {phrase}.", f"(x-{phrase}, {phrase.upper()})"):
        assert find_time_expressions(sentence) == _rule_by_rule(sentence)
    assert find_time_expressions(f"He said {phrase}.") != []


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(_PIECES), st.sampled_from([" ", "  ", "", "-", ", ", ". "])),
        max_size=8,
    ).map(lambda parts: "".join(w + sep for w, sep in parts))
)
def test_find_equals_the_rule_by_rule_scan(sentence: str) -> None:
    assert find_time_expressions(sentence) == _rule_by_rule(sentence)


_WORD_SPLITTERS = {
    # the rule extractor's own words ("Kim Jong-un's", "U.S."), runs of \w, and chunks
    # between spaces: each keeps every run of \w in one word, as find_time_expressions asks
    "rules": re.compile(r"\w(?:(?<=[A-Za-z])\.(?:[A-Za-z]\.)+|\w*(?:[-’']\w+)*)"),
    "runs": re.compile(r"\w+"),
    "chunks": re.compile(r"\S+"),
}


def _sentences(separators: tuple[str, ...]) -> st.SearchStrategy[str]:
    """Up to eight generated words (date words and odd ones), each followed by one of
    `separators`."""
    return st.lists(
        st.tuples(
            st.sampled_from([*_PIECES, "Monday’s", "a.m.", "U.S.", "x_2023", "٣", "_in", "-in"]),
            st.sampled_from(separators),
        ),
        max_size=8,
    ).map(lambda parts: "".join(w + sep for w, sep in parts))


def _read(sentence: str, splitter: str) -> tuple[str, list[str], list[int]]:
    """The sentence's lower case, and its words' lower cases and starts (offset by 7, as
    a sentence inside an article), as the reader gives them to find_time_expressions."""
    matches = list(_WORD_SPLITTERS[splitter].finditer(sentence))
    return sentence.lower(), [m.group().lower() for m in matches], [m.start() + 7 for m in matches]


def _found_from_words(sentence: str, splitter: str) -> list[tuple[int, int]]:
    _, lows, starts = _read(sentence, splitter)
    return find_time_expressions(sentence, lows, starts, 7)


@pytest.mark.parametrize("splitter", sorted(_WORD_SPLITTERS))
@pytest.mark.parametrize("phrase", _PHRASES)
def test_find_from_words_like_the_rule_by_rule_scan(phrase: str, splitter: str) -> None:
    for sentence in (phrase, f"He said {phrase}.", f"(x-{phrase}, {phrase.upper()})"):
        assert _found_from_words(sentence, splitter) == _rule_by_rule(sentence)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([*_PIECES, "Monday’s", "a.m.", "U.S.", "x_2023", "٣", "_in"]),
            st.sampled_from([" ", "  ", "", "-", ", ", ". ", "’", "'", ".", "\n"]),
        ),
        max_size=8,
    ).map(lambda parts: "".join(w + sep for w, sep in parts)),
    st.sampled_from(sorted(_WORD_SPLITTERS)),
)
def test_find_from_words_equals_the_rule_by_rule_scan(sentence: str, splitter: str) -> None:
    assert _found_from_words(sentence, splitter) == _rule_by_rule(sentence)


def _assert_rules_tried_where_they_match(sentence: str, splitter: str) -> None:
    # Not only where each rule's scan finds a match: wherever its pattern matches (the
    # scan resumes at other positions after other rules' matches), with the look-up
    # tables both cold and warm.
    text, low = sentence, lower_in_place(sentence)
    if low is None:  # as find_time_expressions does then: the runs of its own lower case
        text = low = lower_keeping_offsets(sentence)
        splitter = "runs"
    matches = list(_WORD_SPLITTERS[splitter].finditer(low))
    lows = [m.group() for m in matches]
    starts = [m.start() + 7 for m in matches]
    for table in (dates._STARTS_IN_WORD, dates._OPENS_AFTER, dates._FOLLOW, dates._SECONDS_OF):
        table.cache_clear()
    # And there, the pattern tried (`_FIND_CORE` where no prefix can begin) must match
    # as the rule does.
    for given_low in (None, low) if text is sentence else (low, low):
        tries = {
            pos: (rules, pats)
            for pos, rules, pats in dates._rule_tries(text, given_low, lows, starts, 7)
        }
        for k, rule in enumerate(dates._FIND):
            for pos in range(len(sentence) + 1):
                if m := rule.match(sentence, pos):
                    rules, patterns = tries.get(pos, ((), ()))
                    assert k in rules, (dates._NAMES[k], pos)
                    tried = patterns[k].match(sentence, pos)
                    assert tried and tried.span() == m.span(), (dates._NAMES[k], pos)


@pytest.mark.parametrize("splitter", sorted(_WORD_SPLITTERS))
@pytest.mark.parametrize("phrase", _PHRASES)
def test_each_kind_of_phrase_has_its_rule_tried(phrase: str, splitter: str) -> None:
    for sentence in (phrase, f"He said {phrase}.", f"(x-{phrase}, {phrase.upper()})"):
        _assert_rules_tried_where_they_match(sentence, splitter)


@settings(max_examples=400, deadline=None)
@given(
    _sentences((" ", "", "-", ", ", ". ", "’", "'", ".", "\n")),
    st.sampled_from(sorted(_WORD_SPLITTERS)),
)
def test_rules_are_tried_wherever_they_match(sentence: str, splitter: str) -> None:
    _assert_rules_tried_where_they_match(sentence, splitter)


# Separators between generated words for the tests of the runs read from the words.
_RUN_SEPARATORS = (" ", "  ", "", "-", ", ", ". ", "’", "\n", "\t", "\xa0", "\x1c", " (")


@settings(max_examples=400, deadline=None)
@given(
    _sentences(_RUN_SEPARATORS),
    st.sampled_from(sorted(_WORD_SPLITTERS)),
)
def test_runs_read_from_the_words_are_those_of_the_regex(sentence: str, splitter: str) -> None:
    # At a word that is one run of \w, `_rule_tries` reads the runs after it from the
    # words (`_runs_from_words`) instead of matching `_RUNS_AT` at it: the same runs, as
    # many as `_rules_at` reads, unless it says it cannot tell.
    if lower_in_place(sentence) is None:
        return  # find_time_expressions reads the runs of its lower case then, as words
    low, lows, starts = _read(sentence, splitter)
    for i, word in enumerate(lows):
        if not word.isalnum():
            continue
        pos = starts[i] - 7
        m = dates._RUNS_AT.match(low, pos)
        if pos and sentence[pos - 1] == "-":  # `_rule_tries` tests this itself
            assert m is None
            continue
        assert m is not None
        runs = dates._runs_from_words(sentence, lows, starts, 7, i)
        if runs is not None:
            expected = [run for run in m.groups() if run is not None]
            assert runs == expected[: dates._RUNS_WANTED.get(word, 2)], (runs, expected)


@settings(max_examples=400, deadline=None)
@given(
    _sentences((*_RUN_SEPARATORS, ".")),
    st.sampled_from(sorted(_WORD_SPLITTERS)),
)
def test_each_try_has_the_rules_and_patterns_of_the_regex_runs(
    sentence: str, splitter: str
) -> None:
    # `_rule_tries` reads the runs at a try from the words (after a word no prefix opens
    # with, the one run after it in its own loop): the rules and patterns of each try are
    # those of the runs `_RUNS_AT` matches there.
    if lower_in_place(sentence) is None:
        return  # find_time_expressions reads the runs of its lower case then, as words
    low, lows, starts = _read(sentence, splitter)
    for pos, rules, patterns in dates._rule_tries(sentence, None, lows, starts, 7):
        m = dates._RUNS_AT.match(low, pos)
        assert m is not None
        assert rules == dates._rules_at(tuple(filter(None, m.groups()))), (pos, m.groups())
        assert patterns is dates._patterns_after(m[1])


def test_text_whose_lower_case_moves_offsets_is_read_from_its_own_runs() -> None:
    for sentence in ("İn May, on Monday", "ſoon after Monday", "by 2020, tonıght", "İİ in 2020"):
        chunks = list(re.finditer(r"\S+", sentence))
        words = [m.group().lower() for m in chunks]  # "i̇n": longer than "İn"
        starts = [m.start() for m in chunks]
        expected = _rule_by_rule(sentence)
        assert find_time_expressions(sentence, words, starts) == expected != []
        assert find_time_expressions(sentence) == expected


def test_regex_classes_are_the_str_predicates_the_word_scan_uses() -> None:
    # `_word_starts` reads \d as str.isdecimal and \w as str.isalnum or "_"
    digit, word = re.compile(r"\d"), re.compile(r"\w")
    for char in map(chr, range(sys.maxunicode + 1)):
        assert bool(digit.match(char)) == char.isdecimal(), hex(ord(char))
        assert bool(word.match(char)) == (char.isalnum() or char == "_"), hex(ord(char))


@settings(max_examples=600, deadline=None)
@given(
    st.sampled_from(["", *dates._PREPOSITIONS]),
    st.sampled_from(sorted(dates._NEEDS)),
    st.sampled_from([*_PIECES, "Monday’s", "mid-May", "1990s", "x_2023", "٣", "_in", "endless"]),
    st.sampled_from(_PIECES),
)
def test_next_word_test_keeps_every_candidate(
    preposition: str, word: str, after: str, rest: str
) -> None:
    # `_rule_tries` tries rules after such a word only where the next word meets its
    # `_NEEDS`, also for the word after a preposition ("in the end"): a necessary
    # condition, so it must hold wherever a rule matches (the words read in the lower case
    # of find_time_expressions, where "ſoon" is "soon" as the rules read it).
    text = f"{preposition} {word} {after} {rest}".lstrip()
    if any(rule.match(text) for rule in dates._FIND):
        assert dates._NEEDS[word] & dates._opens_after(lower_keeping_offsets(after))


def test_next_word_test_drops_words_that_cannot_go_on() -> None:
    assert not dates._NEEDS["the"] & dates._opens_after("house")
    assert not dates._NEEDS["in"] & dates._opens_after("london")
    assert dates._NEEDS["in"] & dates._opens_after("the")
    assert dates._NEEDS["two"] & dates._opens_after("weeks")
    low = "in the house, on a hill, at the end"
    words = list(re.finditer(r"\w+", low))
    tries = dates._rule_tries(low, low, [m.group() for m in words], [m.start() for m in words], 0)
    assert [pos for pos, _, _ in tries] == [low.index("at"), low.index("the end")]


def _with_optional_groups(monkeypatch: pytest.MonkeyPatch) -> list[re.Pattern[str]]:
    """`_FIND` as written with `(?:...)?` rather than `_opt`'s alternation."""
    monkeypatch.setattr(dates, "_opt", lambda pattern: f"(?:{pattern})?")
    prefix = rf"(?:{dates._PREFIX}\s+)?"
    return [
        re.compile(rf"(?<![\w-]){prefix}(?:{core})(?![\w])", re.IGNORECASE)
        for _, core in dates._core_rules(find=True)
    ]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([*_PIECES, "Monday’s", "a.m.", "1st", "22nd", "of", "the"]),
            st.sampled_from([" ", "  ", "", "-", ", ", ". ", "’", "."]),
        ),
        max_size=8,
    ).map(lambda parts: "".join(w + sep for w, sep in parts))
)
def test_optional_parts_match_as_optional_groups_do(sentence: str) -> None:
    # `_opt` writes (?:x)? as (?:x|): every rule must match where, as far and with the
    # same groups as with (?:x)?.
    with pytest.MonkeyPatch.context() as monkeypatch:
        old_find = _with_optional_groups(monkeypatch)
    for pos in range(len(sentence) + 1):
        for old, new in zip(old_find, dates._FIND, strict=True):
            a, b = old.match(sentence, pos), new.match(sentence, pos)
            assert (a and (a.span(), a.groups())) == (b and (b.span(), b.groups()))
