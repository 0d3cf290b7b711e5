"""How sure checker is that a flag is a real conflict: a grade from the doubts a rule finds.

Severity says how bad a conflict would be if it is real; confidence says how likely it is
to be real rather than an artefact of reading or matching the articles: two statements
matched by paraphrase rather than by the words they quote, a pronoun whose antecedent was
inferred, a date borrowed from a neighbouring sentence, a month compared with a day, one
article against one. Each rule names the doubts its evidence leaves (short phrases an
editor can read); the grade is `high` with none, `medium` with one, `low` with two or
more. Everything here is deterministic and reads only the claims and the article text,
so the grade of a flag is as reproducible as the flag itself; it never enters its id.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from checker.models import Confidence
from checker.text import replace_marks

CONFIDENCE_RANK: dict[Confidence, int] = {"high": 0, "medium": 1, "low": 2}
_MARKS = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "‐": "-", "‑": "-"})


def grade(doubts: Iterable[str]) -> tuple[Confidence, str | None]:
    """The grade and the note for a flag with these doubts (duplicates count once)."""
    unique = sorted(set(doubts))
    confidence: Confidence = "high" if not unique else "medium" if len(unique) == 1 else "low"
    return confidence, "; ".join(unique) or None


def written_in(slot: str | None, quote: str) -> bool:
    """True when `slot` (a claim's time, speaker, place ...) is written in `quote`.

    Case, curly quotes and runs of spaces are folded; a slot an extractor took from a
    neighbouring sentence, or rewrote, is not written in the quote of its claim.
    """
    if not slot:
        return False
    return _plain(slot) in _plain(quote)


@lru_cache(maxsize=1 << 14)
def _plain(text: str) -> str:
    return " ".join(replace_marks(text, _MARKS).split()).casefold()
