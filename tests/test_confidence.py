"""Confidence grades: how sure checker is that a flag is real, from the doubts it found."""

from __future__ import annotations

import pytest

from checker.confidence import grade, written_in


@pytest.mark.parametrize(
    ("doubts", "confidence"),
    [([], "high"), (["a"], "medium"), (["a", "a"], "medium"), (["a", "b"], "low")],
)
def test_each_distinct_doubt_lowers_the_grade_one_step(doubts: list[str], confidence: str) -> None:
    assert grade(doubts)[0] == confidence


def test_the_note_lists_the_doubts_in_a_stable_order() -> None:
    assert grade(["b", "a", "b"]) == ("low", "a; b")
    assert grade(["a", "b"]) == grade(["b", "a"])
    assert grade([]) == ("high", None)


@pytest.mark.parametrize(
    ("slot", "quote", "written"),
    [
        ("Monday", "Watson said Monday that talks advanced.", True),
        ("on monday", "Watson said On  Monday that talks advanced.", True),
        ("Kim Jong-un’s", "Mr. Kim Jong-un's train", True),
        ("Monday", "Watson said that talks advanced.", False),  # borrowed from elsewhere
        ("Sept. 5", "On Sept 5 he spoke.", False),
        (None, "anything", False),
        ("", "anything", False),
    ],
)
def test_written_in(slot: str | None, quote: str, written: bool) -> None:
    assert written_in(slot, quote) is written


@pytest.mark.parametrize(
    "text",
    [
        "  Said\t\tMonday \n",
        "a\u00a0b\u2009c\u3000d",
        "x\x1cy\x1fz",
        "",
        " \n\t ",
        "“Quoted” ‘words’",
    ],
)
def test_plain_folds_every_run_of_whitespace_to_one_space(text: str) -> None:
    import re

    from checker.confidence import _MARKS, _plain

    want = re.sub(r"\s+", " ", text.translate(_MARKS)).strip().casefold()
    assert _plain(text) == want
