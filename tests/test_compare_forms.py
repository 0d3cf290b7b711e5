"""Faster forms in checker.compare against the forms they replace, on generated input."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from checker.compare import (
    _ENTITY_KINDS,
    _FALSE_AFTER,
    _judged_false,
    _voted_kind,
)

_KEYS = st.sampled_from(["kim", "kim jong un", "moscow", "white house", ""])
_VOTES = st.dictionaries(
    st.tuples(_KEYS, st.sampled_from(_ENTITY_KINDS)), st.integers(1, 4), max_size=12
)


def _sorted_kinds(kind_votes: dict[tuple[str, str], int]) -> dict[str, str]:
    """The former form: every entity's kind, the votes sorted by count (most first),
    then by entity id and kind."""
    kinds: dict[str, str] = {}
    for (key, kind), _ in sorted(kind_votes.items(), key=lambda kv: (-kv[1], kv[0])):
        kinds.setdefault(key, kind)
    return kinds


@given(_VOTES, _KEYS)
def test_voted_kind_is_the_kind_the_sorted_votes_give(
    kind_votes: dict[tuple[str, str], int], key: str
) -> None:
    assert _voted_kind(kind_votes, key) == _sorted_kinds(kind_votes).get(key)


# The words of _FALSE_AFTER (written out here, not taken from _FALSE_AFTER_WORDS), words
# it must not take, and others.
_AFTER_WORDS = """was were is are as a an simply completely totally absolutely utterly entirely
plainly pure false untrue lie lies lying baseless groundless unfounded nonsense absurd
fabricated fabrication fake fiction wrong incorrect inaccurate misleading propaganda
slander slanderous disinformation misinformation hoax ahead in said peskov falsehood liar
was_ a1""".split()
# Each letter as written: itself, upper-cased, or a character that matches it under re.I
# without lower-casing to it (the Kelvin sign, long s, dotless and dotted I).
_ODD_FORMS = {"k": "\u212a", "s": "ſ", "i": "ıİ"}


@st.composite
def _written(draw: st.DrawFn, word: str) -> str:
    letters = []
    for c in word:
        forms = c + c.upper() + _ODD_FORMS.get(c, "")
        letters.append(draw(st.sampled_from(forms)))
    return "".join(letters)


_WORD = st.sampled_from(_AFTER_WORDS).flatmap(_written)
_GAP = st.sampled_from([" ", "  ", "\n", ",", ", ", " , ", "", "é", "-"])
# Text after quoted words: a closing mark (after a comma or full stop, or not), then words
# and gaps; or any run of marks, gaps and words.
_AFTER_QUOTE = st.one_of(
    st.tuples(
        st.sampled_from(["", ",", "."]),
        st.sampled_from(['"', "”", "’", "'", ""]),
        st.lists(st.tuples(_GAP, _WORD).map("".join), max_size=4).map("".join),
        _GAP,
    ).map("".join),
    st.lists(
        st.one_of(st.sampled_from([",", ".", '"', "”", "’", "'"]), _GAP, _WORD), max_size=8
    ).map("".join),
)


@settings(max_examples=500)
@given(_AFTER_QUOTE)
def test_judged_false_is_the_pattern_match(text: str) -> None:
    """Found at every place of generated text: marks, gaps, words the pattern takes
    (cased, or with letters that match under re.I only) and words it must not take."""
    for end in range(len(text) + 1):
        assert _judged_false(text, end) == (_FALSE_AFTER.match(text, end) is not None)
