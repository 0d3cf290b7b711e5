"""Faster forms in checker.compare against the forms they replace, on generated input."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from checker.compare import _ENTITY_KINDS, _voted_kind

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
