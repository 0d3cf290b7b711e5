"""Sentence spans and small text helpers shared by extractors and the comparator.

Sentences are returned as (start, end) offsets into the original text so that every piece
of evidence can be cut from the article verbatim.
"""

from __future__ import annotations

import re

# Abbreviations that end with a period but do not end a sentence.
_ABBREVIATIONS = frozenset(
    """mr mrs ms dr gen lt col maj capt sgt adm sen rep gov pres st jr sr inc corp co ltd
    no vs etc e.g i.e u.s u.k u.n jan feb mar apr jun jul aug sep sept oct nov dec
    a.m p.m prof rev gov't""".split()
)
_BOUNDARY = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Split `text` into sentence spans, trimmed of surrounding whitespace.

    Every line break ends a sentence (news copy puts headings and captions on their own
    lines); within a line, '.', '!' or '?' followed by a capitalised word ends one unless
    the period belongs to an abbreviation such as "Mr." or "Sept.".
    """
    spans: list[tuple[int, int]] = []
    line_start = 0
    for line in text.splitlines(keepends=True):
        line_end = line_start + len(line)
        start = line_start
        for match in _BOUNDARY.finditer(line):
            cut = line_start + match.end()
            if _ends_with_abbreviation(text, line_start + match.start(), start):
                continue
            _append_trimmed(text, start, cut, spans)
            start = cut
        _append_trimmed(text, start, line_end, spans)
        line_start = line_end
    return spans


def _ends_with_abbreviation(text: str, dot: int, floor: int) -> bool:
    if text[dot] != ".":
        return False
    word_start = dot
    while word_start > floor and not text[word_start - 1].isspace():
        word_start -= 1
    word = text[word_start:dot].lower().lstrip("(\"'“‘")
    if word in _ABBREVIATIONS:
        return True
    # Initials such as "J." in "John F. Kennedy".
    return len(word) == 1 and word.isalpha()


def _append_trimmed(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        spans.append((start, end))


_FOLD = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


def fold(text: str) -> str:
    """Case- and punctuation-fold text for comparison (never for evidence)."""
    return text.translate(_FOLD).casefold()
