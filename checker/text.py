"""Sentence spans and small text helpers shared by extractors and the comparator.

Sentences are returned as (start, end) offsets into the original text so that every piece
of evidence can be cut from the article verbatim.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from itertools import accumulate, compress
from typing import Any, TypeVar

# Abbreviations that end with a period but do not end a sentence.
_ABBREVIATIONS = frozenset(
    """mr mrs ms dr gen lt col maj capt sgt adm sen rep gov pres st jr sr inc corp co ltd
    no vs etc e.g i.e u.s u.k u.n jan feb mar apr jun jul aug sep sept oct nov dec
    a.m p.m prof rev gov't""".split()
)
# What follows a sentence's end: spaces, then a capitalised word or a number, perhaps
# after an opening quote, on the same line (`\s` but the line breaks of `str.splitlines`).
# "\s" would do as well (a line ends a sentence anyway, so a cut there changes nothing),
# but would find the end of most lines in the text as a boundary too, each to check.
_NEXT_SENTENCE = r"(?=[^\S\n\r\v\f\x1c-\x1e\x85\u2028\u2029]+[\"'“‘(\[]?[A-Z0-9])"


def _boundary(opening: str) -> re.Pattern[str]:
    """A sentence's end that opens with `opening`: a run of '.', '!' or '?' (the first of
    the run), perhaps closing quotes or brackets, then `_NEXT_SENTENCE`.

    One pattern per character rather than one that opens with the class "[.!?]": the
    regex engine tests a class against every character, but skips to a single character
    in a tight loop, several times faster over an article. tests/test_text.py checks
    that together they find what the one pattern finds.
    """
    char = re.escape(opening)
    return re.compile(rf"{char}(?<![.!?]{char})[.!?]*[\"'”’)\]]*{_NEXT_SENTENCE}")


_BOUNDARIES = {opening: _boundary(opening) for opening in ".!?"}


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Split `text` into sentence spans, trimmed of surrounding whitespace.

    Every line break ends a sentence (news copy puts headings and captions on their own
    lines); within a line, '.', '!' or '?' followed by a capitalised word ends one unless
    the period belongs to an abbreviation such as "Mr." or "Sept.".
    """
    # Where sentences end: the boundaries (found in any order), and the ends of lines.
    cuts = [
        match.end()
        for opening, boundary in _BOUNDARIES.items()
        if opening in text
        for match in boundary.finditer(text)
        if not _ends_with_abbreviation(text, match.start())
    ]
    cuts.extend(accumulate(map(len, text.splitlines(keepends=True))))
    cuts.sort()
    spans: list[tuple[int, int]] = []
    start = 0
    for cut in cuts:
        # The piece from `start` to `cut`, trimmed (written out here: a call per piece
        # costs as much again). Pieces mostly open with one space and end with none.
        while start < cut and text[start].isspace():
            start += 1
        end = cut
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            spans.append((start, end))
        start = cut
    return spans


# The longest of `_ABBREVIATIONS`: a word of more letters before a period is none.
_LONGEST_ABBREVIATION = max(map(len, _ABBREVIATIONS))


def _ends_with_abbreviation(text: str, dot: int) -> bool:
    if text[dot] != ".":
        return False
    # Speed: most periods end a long word, which their letters before tell (lower case
    # and stripping the quotes before a word leave them).
    longest = _LONGEST_ABBREVIATION
    if dot > longest and text[dot - longest - 1 : dot].isalpha():
        return False
    # The word before the period starts after a space (which is also what comes before a
    # sentence: a line break or the space after a boundary), or where the text does.
    word_start = dot
    while word_start and not text[word_start - 1].isspace():
        word_start -= 1
    word = text[word_start:dot].lower().lstrip("(\"'“‘")
    if word in _ABBREVIATIONS:
        return True
    # Initials such as "J." in "John F. Kennedy".
    return len(word) == 1 and word.isalpha()


# The non-ASCII characters that re.IGNORECASE equates with ASCII letters ("ſ" with "s",
# "ı" and "İ" with "i", the Kelvin sign with "k"); "İ" is also the only character whose
# lower case is two characters long (tests/test_text.py checks both over all of Unicode).
# Tested with `in`, one character at a time: four passes of str's own search over a text
# cost far less than one regex scan with a character class (~40 instructions a character
# on text that is not ASCII, as most news copy with curly quotes is).
_ODD_CASE = "\u0130\u0131\u017f\u212a"


def lowers_in_place(text: str) -> bool:
    """Whether `text.lower()` keeps every character at its offset, as a case-insensitive
    regex reads it (see `lower_in_place`): False for the rare text holding one of the
    characters that break this. Then the lower case of each word of `text` also keeps
    its length, and occurs in `text.lower()` where the word occurs in `text`."""
    return text.isascii() or not (
        "\u0130" in text or "\u0131" in text or "\u017f" in text or "\u212a" in text
    )  # the characters of _ODD_CASE


def lower_in_place(text: str) -> str | None:
    """`text.lower()` when every character keeps its offset (`lowers_in_place`), else None.

    Then an ASCII word in lower case occurs in the result exactly where a
    case-insensitive regex finds it in `text`, and `\\w` matches the same offsets in
    both: fast scanners search the lower-cased copy with plain `str` and case-sensitive
    patterns. None for the rare text holding one of the characters that break this.
    """
    return text.lower() if lowers_in_place(text) else None


# The ASCII letter a case-insensitive regex equates each of those characters with.
_ODD_CASE_LETTERS = str.maketrans(_ODD_CASE, "iisk")


def lower_keeping_offsets(text: str) -> str:
    """`text.lower()`, but each character that `lower_in_place` refuses becomes the ASCII
    letter a case-insensitive regex equates it with: fast scanners may search any text
    so, as `lower_in_place` describes (the caller's own lower-case words of the text,
    though, may still be longer than the words in it)."""
    return text.translate(_ODD_CASE_LETTERS).lower()


def words_regex(words: Iterable[str], end: str = "", prefixes: Iterable[str] = ()) -> str:
    """A regex matching any of `words` followed by `end`, or any of `prefixes` as they are.

    The alternation is written as a trie ("a(?:n|pril)"): Python's regex engine tries the
    alternatives of a group one by one, so a flat list of a hundred words is slow to
    search for.
    """
    trie: dict[str, Any] = {}
    for kind, group in (("word", words), ("prefix", prefixes)):
        for word in group:
            node = trie
            for char in word:
                node = node.setdefault(char, {})
            if node.get("") != "prefix":
                node[""] = kind

    def emit(node: dict[str, Any]) -> str:
        alternatives = [re.escape(c) + emit(child) for c, child in sorted(node.items()) if c]
        if "" in node:
            alternatives.append(end if node[""] == "word" else "")
        if len(alternatives) == 1:
            return alternatives[0]
        return "(?:" + "|".join(alternatives) + ")"

    return emit(trie)


def replace_marks(text: str, table: dict[int, str]) -> str:
    """`text.translate(table)` for a `str.maketrans` table of a few non-ASCII marks, each
    replaced by ASCII: one `str.replace` per mark, and none in ASCII text (which holds no
    mark). `translate` looks every character up in the table, raising and clearing a
    KeyError for each it misses (~400 instructions a character of non-ASCII text)."""
    if text.isascii():
        return text
    for mark, plain in table.items():
        text = text.replace(chr(mark), plain)
    return text


_FOLD = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


def fold(text: str) -> str:
    """Case- and punctuation-fold text for comparison (never for evidence)."""
    return replace_marks(text, _FOLD).casefold()


_T = TypeVar("_T")


class WordTable(dict[str, _T]):
    """A memo of `where(word)`: what a lower-case word tells a scanner, such as the
    offsets in it where a pattern may begin to match. Words recur (a corpus has far
    fewer distinct words than words), so each is worked out once and then looked up, in
    C (`starts_in_words`). Emptied when it holds `size` words."""

    def __init__(self, where: Callable[[str], _T], size: int = 1 << 16) -> None:
        super().__init__()
        self._where = where
        self._size = size
        # Emptied as `functools` caches are (benchmarks start each run cold, clearing what
        # has a callable `cache_clear`): an attribute of the table, not a method, which
        # the class itself would also seem to have.
        self.cache_clear: Callable[[], None] = self.clear

    def __missing__(self, low: str) -> _T:
        found = self._where(low)
        if len(self) >= self._size:
            self.clear()
        self[low] = found
        return found


def starts_in_words(
    table: WordTable[tuple[int, ...]], lows: Sequence[str], starts: Sequence[int], offset: int
) -> list[int]:
    """Where in the text the words `lows` (which begin at `starts`, each `offset` more
    than in the text) allow a match, by `table`, in increasing order if the words are."""
    in_word = list(map(table.__getitem__, lows))
    return [starts[i] - offset + k for i in compress(range(len(lows)), in_word) for k in in_word[i]]
