"""compare._repeats_another searches the words before a quote lowercased, with the
patterns' case-sensitive forms (_BEFORE_QUOTE_LOWER), instead of the text itself with the
re.I forms (_BEFORE_QUOTE), where the text holds none of _CASE_ODD: the same spans."""

from __future__ import annotations

import re
import sys
from string import ascii_lowercase

from hypothesis import given, settings
from hypothesis import strategies as st

from checker.compare import (
    _BEFORE_QUOTE,
    _BEFORE_QUOTE_LOWER,
    _CASE_ODD,
    _CLAIM_NOUNS,
    _REBUTTAL_VERBS,
    _TERM_VERBS,
)


def test_lowercasing_a_character_keeps_what_the_patterns_match() -> None:
    """Over every character but _CASE_ODD: lowercased, it is one character; it matches
    an ASCII letter under re.I exactly when lowercased it is that letter; any other ASCII
    character (the patterns' punctuation) only itself; and it is a word or space
    character exactly when lowercased it is."""
    letter = re.compile("|".join(f"({c})" for c in ascii_lowercase), re.I)
    word, space = re.compile(r"\w"), re.compile(r"\s")
    for code in range(sys.maxunicode + 1):
        c = chr(code)
        if c in _CASE_ODD:
            continue
        low = c.lower()
        assert len(low) == 1, hex(code)
        m = letter.fullmatch(c)
        matched = ascii_lowercase[m.lastindex - 1] if m and m.lastindex else None
        assert matched == (low if low in ascii_lowercase else None), hex(code)
        if low.isascii() and low not in ascii_lowercase:
            assert c == low, hex(code)
        assert bool(word.match(c)) == bool(word.match(low)), hex(code)
        assert bool(space.match(c)) == bool(space.match(low)), hex(code)


_WORDS = sorted(
    _CLAIM_NOUNS
    | _REBUTTAL_VERBS
    | _TERM_VERBS
    | {"so-called", "what", "that", "as", "Washington's", "US", "the", "x"}
)
_ODD = ["K", "Σ", "ß", "ẞ", "É", "ͅ", "’", "'", ".", "-", ",", "“", "_", "1", "ǅ", "ﬁ"]


def _case(word: str, flips: list[bool]) -> str:
    return "".join(
        ch.upper() if flip else ch
        for ch, flip in zip(word, flips + [False] * len(word), strict=False)
    )


_words = st.builds(
    _case,
    st.one_of(st.sampled_from(_WORDS), st.just("that"), st.just("what")),
    st.lists(st.booleans(), max_size=12),
)
_gaps = st.sampled_from([" ", "  ", "\n", "\t", "\u00a0", ", ", "", "\u2028"])
# words and odd characters, each followed by a gap
_pieces = st.tuples(st.one_of(_words, _words, st.sampled_from(_ODD)), _gaps).map("".join)


@settings(max_examples=1000, deadline=None)
@given(st.lists(_pieces, max_size=20))
def test_lowered_patterns_find_the_same_spans(pieces: list[str]) -> None:
    text = "".join(pieces)
    if not _CASE_ODD.isdisjoint(text):
        return
    for caseless, lowered in zip(_BEFORE_QUOTE, _BEFORE_QUOTE_LOWER, strict=True):
        want = [(m.span(), m.groupdict()) for m in caseless.finditer(text)]
        got = [
            (
                m.span(),
                {
                    k: text[m.start(k) : m.end(k)] if v is not None else None
                    for k, v in m.groupdict().items()
                },
            )
            for m in lowered.finditer(text.lower())
        ]
        assert got == want
