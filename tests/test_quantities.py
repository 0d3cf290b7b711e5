"""Number phrases of the seed cluster parse, and conflict only when no value fits both."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker import quantities
from checker.models import Quantity
from checker.quantities import (
    canonical_unit,
    find_quantities,
    parse_quantity,
    quantities_conflict,
)
from checker.text import words_regex


def _q(text: str) -> Quantity:
    q = parse_quantity(text)
    assert q is not None, text
    return q


def _found(sentence: str) -> list[tuple[str, float, str | None, str]]:
    out: list[tuple[str, float, str | None, str]] = []
    for start, end, q in find_quantities(sentence):
        assert sentence[start:end] == q.text
        out.append((q.text, q.value, q.unit, q.qualifier))
    return out


@pytest.mark.parametrize(
    ("text", "value", "unit", "qualifier"),
    [
        ("three entities", 3, "entities", "exact"),
        ("three organisations", 3, "organisations", "exact"),
        ("six nuclear tests", 6, "nuclear tests", "exact"),
        ("more than four years", 4, "years", "more_than"),
        ("roughly 300 miles", 300, "miles", "about"),
        ("1 Million Tons", 1_000_000, "tons", "exact"),
        ("1,000 troops", 1000, "troops", "exact"),
        ("2.5 percent", 2.5, "percent", "exact"),
        ("5%", 5, "percent", "exact"),
        ("a dozen people", 12, "people", "exact"),
        ("twenty-five soldiers", 25, "soldiers", "exact"),
        ("two hundred thousand people", 200_000, "people", "exact"),
        ("ninety missiles", 90, "missiles", "exact"),
        ("over 1,000 shells", 1000, "shells", "more_than"),
        ("at least 3 ships", 3, "ships", "at_least"),
        ("at most 3 ships", 3, "ships", "at_most"),
        ("fewer than five ships", 5, "ships", "less_than"),
        ("less than 10 percent", 10, "percent", "less_than"),
        ("about 300 miles", 300, "miles", "about"),
        ("around 300 miles", 300, "miles", "about"),
        ("some 300 soldiers", 300, "soldiers", "about"),
        ("nearly 300 people", 300, "people", "about"),
        ("almost 300 people", 300, "people", "about"),
        ("approximately 300 people", 300, "people", "about"),
        ("up to 3 missiles", 3, "missiles", "at_most"),
        ("$1.5 billion", 1_500_000_000, "dollars", "exact"),
        ("four", 4, None, "exact"),
        ("about 5", 5, None, "about"),
    ],
)
def test_parse_quantity(text: str, value: float, unit: str | None, qualifier: str) -> None:
    q = _q(text)
    assert (q.text, q.value, q.unit, q.qualifier) == (text, value, unit, qualifier)


@pytest.mark.parametrize("text", ["2006", "hello", "", "the 70th", "Sept. 5", "first"])
def test_parse_quantity_none(text: str) -> None:
    assert parse_quantity(text) is None


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "The United States recently imposed sanctions on three entities it accuses",
            [("three entities", 3.0, "entities", "exact")],
        ),
        (
            "The trip will be Kim’s first overseas visit in more than four years and his first",
            [("more than four years", 4.0, "years", "more_than")],
        ),
        (
            "North Korea has tested numerous missiles recently and has conducted six nuclear "
            "tests since 2006.",
            [("six nuclear tests", 6.0, "nuclear tests", "exact")],
        ),
        (
            "In 2019, Mr. Kim traveled by train to Vladivostok, roughly 300 miles from North "
            "Korea’s border",
            [("roughly 300 miles", 300.0, "miles", "about")],
        ),
        (
            "Read More : The Import of 1 Million Tons of Rice from India Canceled",
            [("1 Million Tons", 1_000_000.0, "tons", "exact")],
        ),
        (
            "In August, the US imposed sanctions on three organisations it claimed",
            [("three organisations", 3.0, "organisations", "exact")],
        ),
    ],
)
def test_find_in_seed_sentences(
    sentence: str, expected: list[tuple[str, float, str | None, str]]
) -> None:
    assert _found(sentence) == expected


@pytest.mark.parametrize(
    "sentence",
    [
        "It was the first known visit since the dissolution of the Soviet Union in 1991.",
        "he attended a ceremony marking the 70th anniversary of the end of the Korean War.",
        "When asked about the claims on Sept. 5, Kremlin spokesman Dmitry Peskov said",
        "— Steve Rosenberg (@BBCSteveR) September 5, 2023",
        "the first visit by a Russian defense ministry since the 1991 collapse",
        "here's our report on Kim's 2019 visit to Vladivostok.",
        "pic.twitter.com/Yg63yM71Ix",
        "the COVID-19 pandemic, F-16 jets and the G7",
        "talks at 10:30 and 5 p.m.",
        "one of his trips and one another",
        "since 2006, and in 2022 for use by Wagner",
        "four years ago",
        "a one-sided deal",
    ],
)
def test_find_must_not_match(sentence: str) -> None:
    assert _found(sentence) == []


def test_find_several_left_to_right() -> None:
    sentence = "More than 3 ships, about 2,000 troops and 5% of the budget"
    assert _found(sentence) == [
        ("More than 3 ships", 3.0, "ships", "more_than"),
        ("about 2,000 troops", 2000.0, "troops", "about"),
        ("5%", 5.0, "percent", "exact"),
    ]


def test_year_with_a_plural_count_is_a_number() -> None:
    assert _found("2000 troops crossed") == [("2000 troops", 2000.0, "troops", "exact")]


@pytest.mark.parametrize(
    ("unit", "canonical"),
    [
        ("organisations", "entity"),
        ("organizations", "entity"),
        ("entities", "entity"),
        ("companies", "entity"),
        ("firms", "entity"),
        ("miles", "mile"),
        ("Miles", "mile"),
        ("years", "year"),
        ("tons", "ton"),
        ("tonnes", "ton"),
        ("people", "person"),
        ("nuclear tests", "nuclear test"),
        ("countries", "country"),
        ("percent", "percent"),
        ("kilometres", "kilometer"),
    ],
)
def test_canonical_unit(unit: str, canonical: str) -> None:
    assert canonical_unit(unit) == canonical


@pytest.mark.parametrize(
    ("a", "b", "conflict"),
    [
        ("three entities", "three organisations", False),
        ("three entities", "five companies", True),
        ("three entities", "3 entities", False),
        ("about 300 miles", "320 miles", False),
        ("roughly 300 miles", "300 miles", False),
        ("about 300 miles", "400 miles", True),
        ("about 3 entities", "5 entities", True),
        ("about 300 miles", "about 350 miles", False),
        ("more than four years", "four years", True),
        ("more than four years", "three years", True),
        ("more than four years", "five years", False),
        ("more than four years", "more than four years", False),
        ("at least 4 years", "4 years", False),
        ("at least 4 years", "3 years", True),
        ("fewer than 5 ships", "5 ships", True),
        ("fewer than 5 ships", "4 ships", False),
        ("less than 5 ships", "6 ships", True),
        ("at most 5 ships", "5 ships", False),
        ("at most 5 ships", "6 ships", True),
        ("up to 5 ships", "6 ships", True),
        ("more than 3 ships", "at least 10 ships", False),
        ("more than 10 ships", "fewer than 5 ships", True),
        ("at least 5 ships", "at most 5 ships", False),
        ("more than 5 ships", "at most 5 ships", True),
        ("at least 5 ships", "fewer than 5 ships", True),
        ("fewer than 5 ships", "at most 2 ships", False),
        ("three entities", "five miles", False),  # not comparable
        ("six nuclear tests", "seven nuclear tests", True),
        ("six nuclear tests", "seven tests", False),  # the caller decides on modifiers
    ],
)
def test_quantities_conflict(a: str, b: str, conflict: bool) -> None:
    qa, qb = _q(a), _q(b)
    assert quantities_conflict(qa, qb) is conflict
    assert quantities_conflict(qb, qa) is conflict


def test_unitless_quantities_compare() -> None:
    assert quantities_conflict(_q("four"), _q("5")) is True
    assert quantities_conflict(_q("four"), _q("4")) is False
    assert quantities_conflict(_q("four"), _q("4 ships")) is False


_PIECES = (
    "half a an one two twenty-five thirty hundred thousand million dozen more than about over "
    "up to 3 12 1,234 1,2345 12.5.3 2023 $ € £ % per cent percent years people F-16 COVID-19 "
    "G7 someone often tenth a.m. Sept. 5 of May ſix ıten onE TWO 5th 300-mile ٣"
).split()


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(_PIECES), st.sampled_from([" ", "  ", "", "-", ", ", "."])),
        max_size=10,
    ).map(lambda parts: "".join(w + sep for w, sep in parts))
)
def test_number_matches_equal_a_full_scan(sentence: str) -> None:
    def spans(ms: list[re.Match[str]]) -> list[tuple[int, int, dict[str, str | None]]]:
        return [(m.start(), m.end(), m.groupdict()) for m in ms]

    full = list(quantities._NUMBER.finditer(sentence))
    assert spans(quantities._number_matches(sentence)) == spans(full)


_WORD_SPLITTERS = {
    # the rule extractor's own words ("twenty-five", "a.m."), runs of \w, and chunks
    # between spaces: each keeps every run of \w in one word, as find_quantities asks
    "rules": re.compile(r"\w(?:(?<=[A-Za-z])\.(?:[A-Za-z]\.)+|\w*(?:[-’']\w+)*)"),
    "runs": re.compile(r"\w+"),
    "chunks": re.compile(r"\S+"),
}


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([*_PIECES, "x_two", "o’three", "a’", "Half"]),
            st.sampled_from([" ", "  ", "", "-", ", ", ".", "’", "'", "\n"]),
        ),
        max_size=10,
    ).map(lambda parts: "".join(w + sep for w, sep in parts)),
    st.sampled_from(sorted(_WORD_SPLITTERS)),
)
def test_number_matches_from_words_equal_a_full_scan(sentence: str, splitter: str) -> None:
    def spans(ms: list[re.Match[str]]) -> list[tuple[int, int, dict[str, str | None]]]:
        return [(m.start(), m.end(), m.groupdict()) for m in ms]

    offset = 11  # as if the sentence began 11 characters into an article
    words = list(_WORD_SPLITTERS[splitter].finditer(sentence))
    lows = [m.group().lower() for m in words]
    starts = [m.start() + offset for m in words]
    full = list(quantities._NUMBER.finditer(sentence))
    assert spans(quantities._number_matches(sentence, lows, starts, offset)) == spans(full)
    assert find_quantities(sentence, lows, starts, offset) == find_quantities(sentence)


# The patterns whose alternations are written as tries (`words_regex`), in the plain
# form they had: lists of words, the longest first (the months in alphabetical order).
def _plain(pattern: re.Pattern[str]) -> re.Pattern[str]:
    def longest_first(words: list[str]) -> list[str]:
        return sorted(words, key=len, reverse=True)

    plain = pattern.pattern
    for words, listed in (
        (sorted([*quantities._SMALL, *quantities._SCALE, "dozen"]), longest_first),
        (sorted(quantities._QUALIFIERS), longest_first),
        (quantities._MONTH_WORDS, sorted),
    ):
        alternation = "|".join(re.escape(w) for w in listed(words))
        plain = plain.replace(words_regex(words), f"(?:{alternation})")
    assert plain != pattern.pattern
    return re.compile(plain, pattern.flags)


_TRIE_PATTERNS = (
    "_NUMBER",
    "_QUALIFIER_BEFORE",
    "_QUALIFIER_PREFIX",
    "_MONTH_BEFORE",
    "_NO_COUNT_AFTER",
    "_NO_COUNT_AFTER_PERCENT",
)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(
                [
                    *_PIECES,
                    "seventeen",
                    "seven",
                    "approx",
                    "approximately",
                    "Sep",
                    "sept",
                    "September",
                    "just over",
                    "no more than",
                    "upwards of",
                    "eighty",
                ]
            ),
            st.sampled_from([" ", "  ", "", "-", ", ", ".", ". ", "\n"]),
        ),
        max_size=8,
    ).map(lambda parts: "".join(w + sep for w, sep in parts))
)
def test_trie_alternations_match_as_lists_of_the_longest_first(text: str) -> None:
    def found(pattern: re.Pattern[str]) -> list[tuple[int, int, dict[str, str | None]]]:
        runs = [pattern.match(text, pos) for pos in range(len(text) + 1)]
        runs += [pattern.search(text, 0, end) for end in range(len(text) + 1)]
        return [(m.start(), m.end(), m.groupdict()) if m else (-1, -1, {}) for m in runs]

    for name in _TRIE_PATTERNS:
        pattern = getattr(quantities, name)
        assert found(pattern) == found(_plain(pattern)), name


# find_quantities as it was written before its tests were reordered for speed (each group
# read by name, every test of `_skip` in turn, "after" patterns one by one): the reordered
# form must find the same quantities.
_GLUED_AFTER = re.compile(r"[A-Za-z]|[:/]\d|-\d|\.\w")
_CLOCK_AFTER = re.compile(r"\s*(?:a\.?m\b|p\.?m\b|o'clock|ago\b)", re.IGNORECASE)
_MONTH_AFTER = re.compile(rf"\s+(?:of\s+)?{quantities._MONTH_WORD}\b", re.IGNORECASE)


def _unit_as_before(sentence: str, pos: int) -> tuple[str | None, int]:
    first = quantities._UNIT_WORD.match(sentence, pos)
    if (
        not first
        or first.group("w").lower() in quantities._STOP
        or first.group("w").lower() in quantities._SMALL
        or first.group("w").lower() in quantities._SCALE
    ):
        return None, pos
    w1 = first.group("w").lower().rstrip("'’")
    if sentence[first.start()] == "-" and (not w1.isalpha() or w1.endswith("ed")):
        return None, pos
    second = quantities._UNIT_WORD.match(sentence, first.end())
    hyphenated = sentence[first.start()] == "-"
    if (
        second
        and not hyphenated
        and sentence[second.start()] != "-"
        and quantities._is_adjective(w1)
    ):
        w2 = second.group("w").lower()
        if w2 not in quantities._STOP and not w2.endswith(("ed", "ly", "ing")) and w2.isalpha():
            return f"{w1} {w2}", second.end()
    return w1, first.end()


def _skip_as_before(sentence: str, m: re.Match[str], unit: str | None, end: int) -> bool:
    start, stop = m.start(), m.end()
    if quantities._AGO_AFTER.match(sentence, end):
        return True
    if quantities._IDENTIFIER_BEFORE.search(sentence, max(0, start - 2), start) and not m.group(
        "cur"
    ):
        return True
    if _GLUED_AFTER.match(sentence, stop) and not m.group("pct"):
        return True
    if _CLOCK_AFTER.match(sentence, stop):
        return True
    if quantities._search_before(
        quantities._MONTH_BEFORE, sentence, start, quantities._LONGEST_MONTH
    ) or _MONTH_AFTER.match(sentence, stop):
        return True
    digits = m.group("digits")
    if (
        digits is not None
        and quantities._looks_like_year(digits)
        and not (m.group("cur") or m.group("scale") or m.group("pct"))
    ):
        plural = unit is not None and (unit.endswith("s") or unit == "people")
        return (
            quantities._search_before(
                quantities._YEAR_CONTEXT, sentence, start, quantities._LONGEST_YEAR_CONTEXT
            )
            or not plural
            or sentence[:start].rstrip().endswith(",")
        )
    return m.group("words") is not None and unit is None and not m.group("pct")


def _find_as_before(sentence: str) -> list[tuple[int, int, Quantity]]:
    found: list[tuple[int, int, Quantity]] = []
    for m in quantities._NUMBER.finditer(sentence):
        if found and m.start() < found[-1][1]:
            continue
        value = quantities._value(*m.group("digits", "words", "scale"))
        if value is None:
            continue
        if m.group("pct"):
            unit, end = "percent", m.end()
        elif m.group("cur"):
            unit, end = quantities._CURRENCY[m.group("cur")], m.end()
        else:
            unit, end = _unit_as_before(sentence, m.end())
        if _skip_as_before(sentence, m, unit, end):
            continue
        start, qualifier = m.start(), "exact"
        tail = max(0, len(sentence[: m.start()].rstrip()) - quantities._LONGEST_QUALIFIER)
        q = quantities._QUALIFIER_BEFORE.search(sentence, tail, m.start())
        if q:
            start = q.start()
            qualifier = quantities._QUALIFIERS[" ".join(q.group("q").lower().split())]
        found.append(
            (
                start,
                end,
                Quantity(text=sentence[start:end], value=value, unit=unit, qualifier=qualifier),
            )  # type: ignore[arg-type]
        )
    return found


# Sentences of numbers in the contexts `_skip` tests: what comes before a number, the
# number, and what is glued to it or follows it (its noun, a time, a month ...).
_NUMBER_CONTEXTS = st.lists(
    st.tuples(
        st.sampled_from(["", "in ", "since ", "x, ", "May ", "Sept. ", "F-", "G", "about "]),
        st.sampled_from(["2006", "5", "three", "$5", "5%", "1,200", "a dozen", "two million"]),
        st.sampled_from(
            [
                "",
                "th",
                "ſ",
                "ı",
                "\u212a",
                "K",
                ":30",
                "/3",
                "-1",
                ".5",
                ".x",
                " a.m.",
                " o'clock",
                " AGO",
                " of May",
                " September",
                ", ",
                "\n",
                " people",
                " ships",
                " key rivals",
                " key-rivals",
                " nuclear tests",
                " new-ships",
                "-mile",
                "-sided",
                " years ago",
                " of them",
            ]
        ),
    ).map("".join),
    max_size=3,
).map(" ".join)


@settings(max_examples=2000, deadline=None)
@given(_NUMBER_CONTEXTS)
def test_find_quantities_as_before_its_tests_were_reordered(sentence: str) -> None:
    assert find_quantities(sentence) == _find_as_before(sentence)


def _starts_in_word_by_characters(low: str) -> tuple[int, ...]:
    """`quantities._starts_in_word` without its shortcut for words of letters only."""
    found = {k for k, char in enumerate(low) if char.isdecimal()}
    if low.isalnum():
        if low in quantities._FIRST_WORDS:
            found.add(0)
    else:
        found.update(m.start() for m in quantities._FIRST_WORD.finditer(low))
    return tuple(sorted(found))


@settings(max_examples=500, deadline=None)
@given(
    st.one_of(
        st.sampled_from(sorted(quantities._FIRST_WORDS)),
        st.text(alphabet="aeonvwt-’é٣2_ ", max_size=8),
        st.text(max_size=6),
    )
)
def test_starts_in_a_word_of_letters_are_those_of_the_characters(low: str) -> None:
    assert quantities._starts_in_word(low) == _starts_in_word_by_characters(low)
