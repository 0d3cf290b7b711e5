"""Sentence spans: every piece of evidence is one of these, cut verbatim from the article."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker import text as text_module
from checker.text import (
    WordTable,
    fold,
    lower_in_place,
    lower_keeping_offsets,
    replace_marks,
    sentence_spans,
    starts_in_words,
)

SEEDS = sorted((Path(__file__).resolve().parents[1] / "seeds").glob("*.txt"))


def sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in sentence_spans(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kim left. Putin stayed.", ["Kim left.", "Putin stayed."]),
        ("Is it over? No! It goes on.", ["Is it over?", "No!", "It goes on."]),
        (
            "They met in 2019. 300 miles away, talks began.",
            ["They met in 2019.", "300 miles away, talks began."],
        ),
        ("What now?! Nobody knows.", ["What now?!", "Nobody knows."]),
        # a lower-case continuation is not a new sentence
        ("The talks are on track. and nothing else", ["The talks are on track. and nothing else"]),
    ],
)
def test_splits_on_sentence_punctuation(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Warning from Washington\nMr. Kirby spoke.",
            ["Warning from Washington", "Mr. Kirby spoke."],
        ),
        (
            "Kim Jong Un’s Journey\nThe trip will be long.",
            ["Kim Jong Un’s Journey", "The trip will be long."],
        ),
        ("first line\nsecond line", ["first line", "second line"]),
        ("one\r\ntwo", ["one", "two"]),
        ("Para one.\n\n\nPara two.", ["Para one.", "Para two."]),
    ],
)
def test_every_line_break_ends_a_sentence(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Mr. Kim planned to meet Mr. Putin in Vladivostok.",
        "In Pyongyang, Gen. Shoigu attended a military parade.",
        "On Sept. 5, White House spokesman John Kirby said talks were advancing.",
        "Mr. Kirby has hinted at U.S. plans to impose fresh sanctions.",
        "U.S. National Security Adviser Jake Sullivan warned Pyongyang.",
        "Mrs. Watson and Dr. Lee met Sen. Smith at St. Mary's.",
        "John F. Kennedy met Nikita S. Khrushchev in Vienna.",
        "A vote at the U.N. Security Council was blocked.",
    ],
)
def test_abbreviations_and_initials_do_not_end_a_sentence(text: str) -> None:
    assert sentences(text) == [text]


def test_abbreviation_inside_a_paragraph_keeps_the_real_boundaries() -> None:
    text = "On Sept. 5, Mr. Kirby spoke. Gen. Shoigu did not. The U.S. Treasury stayed silent."
    assert sentences(text) == [
        "On Sept. 5, Mr. Kirby spoke.",
        "Gen. Shoigu did not.",
        "The U.S. Treasury stayed silent.",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Peskov said, “We have nothing to tell you.” Kirby disagreed.",
            ["Peskov said, “We have nothing to tell you.”", "Kirby disagreed."],
        ),
        (
            "Talks were “actively advancing.” The Kremlin said nothing.",
            ["Talks were “actively advancing.”", "The Kremlin said nothing."],
        ),
        (
            "He called it a failure.” Then he left.",
            ["He called it a failure.”", "Then he left."],
        ),
        ('"Go home." She left.', ['"Go home."', "She left."]),
        ("He asked “why?” Nobody answered.", ["He asked “why?”", "Nobody answered."]),
        ("(It was late.) Talks ended.", ["(It was late.)", "Talks ended."]),
        # the next sentence may open with a quotation mark
        ("Kirby spoke. “We are ready,” he said.", ["Kirby spoke.", "“We are ready,” he said."]),
    ],
)
def test_closing_quotes_and_brackets_stay_with_their_sentence(
    text: str, expected: list[str]
) -> None:
    assert sentences(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "   Leading and trailing spaces.   ",
        "\n\n  Kim left.  \n\t Putin stayed. \n",
        "Heading  \n   Body text here.\t\n",
    ],
)
def test_spans_are_trimmed_and_reproduce_the_text(text: str) -> None:
    spans = sentence_spans(text)
    assert spans
    for start, end in spans:
        piece = text[start:end]
        assert piece == piece.strip()
        assert piece


@pytest.mark.parametrize("text", ["", "   ", "\n\n\t\n"])
def test_blank_text_has_no_sentences(text: str) -> None:
    assert sentence_spans(text) == []


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem)
def test_seed_spans_are_ordered_disjoint_single_line_and_cover_all_words(seed: Path) -> None:
    text = seed.read_text(encoding="utf-8")
    spans = sentence_spans(text)
    assert len(spans) > 5
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        piece = text[start:end]
        assert piece == piece.strip() and "\n" not in piece
        previous_end = end
    # nothing but whitespace falls between sentences
    covered = "".join(text[a:b] for a, b in spans)
    assert "".join(covered.split()) == "".join(text.split())


def test_seed_sentences_that_must_stay_whole() -> None:
    text = SEEDS[2].read_text(encoding="utf-8")  # 002, The Epoch Times
    found = sentences(text)
    assert (
        "When asked about the claims on Sept. 5, Kremlin spokesman Dmitry Peskov said, “We have nothing to tell you.”"
        in found
    )
    assert (
        "In Pyongyang, Gen. Shoigu attended a military parade and held talks with the North Korean leader."
        in found
    )
    assert (
        "On Sept. 5, White House spokesman John Kirby said talks between Russia and North Korea "
        "about potential weapons transfers were “actively advancing.”"
    ) in found


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("Ab .!?\n“”\"'Mr.S0 \t")), max_size=80))
def test_spans_are_always_trimmed_ordered_and_in_bounds(text: str) -> None:
    previous_end = 0
    spans = sentence_spans(text)
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        piece = text[start:end]
        assert piece == piece.strip()
        previous_end = end
    assert "".join("".join(text[a:b] for a, b in spans).split()) == "".join(text.split())


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Kim’s “nothing to say”", 'kim\'s "nothing to say"'),
        ("NORTH KOREA", "north korea"),
        ("Russia–China drills", "russia-china drills"),
        ("‘arms dealings’ — never", "'arms dealings' - never"),
    ],
)
def test_fold_ignores_case_and_typographic_punctuation(a: str, b: str) -> None:
    assert fold(a) == fold(b)


def test_fold_keeps_length_so_it_never_shifts_text() -> None:
    text = "“Kim’s” – U.S. — ‘ok’"
    assert len(fold(text)) == len(text)
    assert fold("Moscow") != fold("Moskva")


def test_lower_in_place_keeps_offsets_and_case_insensitive_matches() -> None:
    """Over all of Unicode: the characters lower_in_place refuses are exactly those that
    change length when lower-cased or that IGNORECASE equates with an ASCII letter, and
    lower-casing never changes whether a character is a word character."""
    word, ascii_letter = re.compile(r"\w"), re.compile("[a-z]", re.IGNORECASE)
    refused = []
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        lower = char.lower()
        if len(lower) != 1 or (code >= 128 and ascii_letter.match(char)):
            refused.append(char)
        else:
            assert bool(word.match(char)) == bool(word.match(lower)), hex(code)
            assert lower_in_place(char) == lower
    assert all(lower_in_place(f"x {c} y") is None for c in refused)
    assert len(refused) == 4
    for char in refused:
        # lower_keeping_offsets turns each into the one ASCII letter IGNORECASE equates it with
        lower = lower_keeping_offsets(f"x {char} y")
        assert len(lower) == 5 and lower[2].isascii()
        assert re.compile(lower[2], re.IGNORECASE).match(char)


def test_lower_in_place() -> None:
    assert lower_in_place("On Sept. 5 “Kim” said") == "on sept. 5 “kim” said"
    assert lower_in_place("ſoon") is None
    assert lower_keeping_offsets("İn ſoon") == lower_keeping_offsets("In soon") == "in soon"


# The plain form of a sentence's end: text._BOUNDARIES find the same in a line, faster.
_PLAIN_BOUNDARY = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])")
_LINE_BREAKS = ["\n", "\r", "\r\n", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("Ab .!?“”\"'’)]([S0 \t\xa0")), max_size=60))
def test_boundary_patterns_match_their_plain_form(text: str) -> None:
    found = sorted(
        m.span() for boundary in text_module._BOUNDARIES.values() for m in boundary.finditer(text)
    )
    assert found == [m.span() for m in _PLAIN_BOUNDARY.finditer(text)]


def plain_sentence_spans(text: str) -> list[tuple[int, int]]:
    """`sentence_spans` as its docstring says it: line by line, each line's boundaries
    but those after an abbreviation, each piece trimmed."""
    spans = []
    line_start = 0
    for line in text.splitlines(keepends=True):
        cuts = [
            line_start + m.end()
            for m in _PLAIN_BOUNDARY.finditer(line)
            if not (m.group()[0] == "." and ends_with_abbreviation(line[: m.start()]))
        ]
        start = line_start
        for end in [*cuts, line_start + len(line)]:
            piece = text[start:end]
            if piece.strip():
                offset = start + len(piece) - len(piece.lstrip())
                spans.append((offset, offset + len(piece.strip())))
            start = end
        line_start += len(line)
    return spans


def ends_with_abbreviation(before_period: str) -> bool:
    last_word = re.search(r"\S*\Z", before_period)  # after the last space, maybe nothing
    assert last_word is not None
    word = last_word.group().lower().lstrip("(\"'“‘")
    return word in text_module._ABBREVIATIONS or (len(word) == 1 and word.isalpha())


@settings(max_examples=1000, deadline=None)
@given(
    st.lists(
        st.sampled_from(list("Ab .!?“”\"'’)](S0J\t\x1f\xa0") + _LINE_BREAKS)
        | st.sampled_from(["Mr.", "(mr.", "e.g.", "gov't.", "U.S.", "Sept.", " J.", "(“", "İ."])
        | st.sampled_from(["Kennedy.", "Abcde.", "((((((((Mr.", "“Gen.", "Xe.g.", "İİİİİ."])
        | st.sampled_from([" ", ". ", " A", " Kim"]),
        max_size=25,
    ).map("".join)
)
def test_sentence_spans_match_their_plain_form(text: str) -> None:
    # The text is searched whole, not line by line, and the cuts sorted: the same spans.
    assert sentence_spans(text) == plain_sentence_spans(text)


def test_plain_sentence_spans_on_a_seed() -> None:
    text = SEEDS[2].read_text(encoding="utf-8")
    assert sentence_spans(text) == plain_sentence_spans(text)


def test_starts_in_words_looks_each_distinct_word_up_once() -> None:
    asked: list[str] = []

    def vowels(low: str) -> tuple[int, ...]:
        asked.append(low)
        return tuple(k for k, c in enumerate(low) if c in "aeiou")

    table = WordTable(vowels, size=3)
    words = ["in", "mid-may", "x", "in", "sky"]
    starts = [100, 103, 111, 113, 116]  # offset 100, as a caller's
    assert starts_in_words(table, words, starts, 100) == [0, 4, 8, 13]
    assert asked == ["in", "mid-may", "x", "sky"]
    assert starts_in_words(table, words, starts, 100) == [0, 4, 8, 13]
    assert len(table) <= 3  # emptied when full
    table.cache_clear()
    assert not table


def test_word_tables_are_emptied_like_functools_caches() -> None:
    # benchmarks/bench_pipeline.py empties every module value with a callable
    # `cache_clear` (as `functools` caches have): that must work, and empty the tables
    from checker import dates, quantities, text

    dates.find_time_expressions("in May", ["in", "may"], [0, 3])
    assert dates._STARTS_IN_WORD
    for module in (dates, quantities, text):
        for value in vars(module).values():
            if callable(getattr(value, "cache_clear", None)):
                value.cache_clear()
    assert not dates._STARTS_IN_WORD


_MARK_TABLE = str.maketrans({"’": "'", "“": '"', "—": "-"})


@given(st.text(alphabet="ab ’“—é'\"-"))
def test_replace_marks_is_translate(text: str) -> None:
    assert replace_marks(text, _MARK_TABLE) == text.translate(_MARK_TABLE)
