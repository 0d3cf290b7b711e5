"""Numbers as written ("more than four years", "roughly 300 miles") -> comparable quantities.

"Three entities" in one article and "five companies" in another is a disagreement only
if both count the same kind of thing and no reading of both numbers fits. So a quantity
keeps its qualifier ("more than", "about") and its counted noun, and two quantities
conflict only when the sets of values they allow are disjoint.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from checker.entities import fold_spelling
from checker.models import Qualifier, Quantity
from checker.text import (
    WordTable,
    fold,
    lower_in_place,
    lowers_in_place,
    starts_in_words,
    words_regex,
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# --- vocabulary --------------------------------------------------------------------------
_SMALL = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_SCALE = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000,
          "trillion": 1_000_000_000_000}  # fmt: skip
_QUALIFIERS: dict[str, Qualifier] = {
    "more than": "more_than", "over": "more_than", "upwards of": "more_than",
    "just over": "more_than", "at least": "at_least", "no fewer than": "at_least",
    "no less than": "at_least", "at most": "at_most", "no more than": "at_most",
    "up to": "at_most", "as many as": "at_most", "fewer than": "less_than",
    "less than": "less_than", "under": "less_than", "just under": "less_than",
    "about": "about", "around": "about", "roughly": "about", "some": "about",
    "nearly": "about", "almost": "about", "approximately": "about", "close to": "about",
    "an estimated": "about", "approx": "about",
}  # fmt: skip
_CURRENCY = {"$": "dollars", "€": "euros", "£": "pounds"}
_MONTH_WORDS = sorted(
    _words(
        "january february march april may june july august september october november december"
        " jan feb mar apr jun jul aug sep sept oct nov dec"
    )
)
# Words that end a number phrase instead of naming what is counted.
_STOP = _words(
    """a an the of to in on at for from by with as than and or but nor that which who whom
    whose it its this these those they them their he she his her him we our us you your i
    is are was were be been being has have had will would could should may might can must
    do does did not no so if then also more most less times per each other another such
    said says say told into over under about after before since until while when where
    ago old percent cent apiece"""
)
_ADJ_SUFFIXES = ("al", "ic", "ar", "ary", "ive", "ous", "an", "ese", "ish", "ful", "less",
                 "ed", "ern", "ian")  # fmt: skip
_ADJECTIVES = _words("new old more additional other big small large major key top")

# Alternations as tries (`words_regex`): a word that is the start of another ("seven",
# "seventeen") is still tried after it, as in a list of the longest first.
_WORD = words_regex(sorted([*_SMALL, *_SCALE, "dozen"]))
_QUALIFIER = words_regex(sorted(_QUALIFIERS))
_NUMBER = re.compile(
    r"(?P<cur>[$€£])?(?:"
    r"(?P<digits>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    rf"|\b(?P<words>(?:(?:half\s+)?an?\s+(?=(?:dozen|hundred|thousand|million|billion)\b))?"
    rf"(?:{_WORD})(?:(?:\s+|-)(?:{_WORD}))*)\b"
    r")"
    r"(?P<scale>(?:\s+(?:hundred|thousand|million|billion|trillion)\b)*)"
    r"(?P<pct>\s*%|\s+per\s*cent\b|\s+percent\b)?",
    re.IGNORECASE,
)
# `find_quantities` reads the groups by position.
assert _NUMBER.groupindex == {"cur": 1, "digits": 2, "words": 3, "scale": 4, "pct": 5}
assert _NUMBER.groups == 5
_QUALIFIER_BEFORE = re.compile(rf"\b(?P<q>{_QUALIFIER})\s+$", re.IGNORECASE)
_QUALIFIER_PREFIX = re.compile(rf"(?:(?P<q>{_QUALIFIER})\s+)?", re.IGNORECASE)
# Where a `_NUMBER` match can start: a digit, a currency sign, or the start of a word (a
# maximal run of \\w) that is a number word or "half"/"a"/"an": the words branch starts at
# \b and each word in it is followed by a separator or \\b. Searched in lower case.
_DIGIT_OR_CURRENCY = re.compile(r"[\d$€£]")
_CURRENCY_SIGN = re.compile(r"[$€£]")
_FIRST_WORDS = frozenset([*_SMALL, *_SCALE, "dozen", "half", "a", "an"])
_FIRST_WORD = re.compile(r"(?<!\w)" + words_regex(sorted(_FIRST_WORDS), r"\b"))
# The same, as `_NUMBER` reads case: for text that cannot be searched in lower case.
_FIRST_WORD_ANY_CASE = re.compile(_FIRST_WORD.pattern, re.IGNORECASE)

_UNIT_WORD = re.compile(r"(?:\s+|-)(?P<w>[A-Za-z][A-Za-z'’]*)")
_YEAR_CONTEXT = re.compile(r"\b(?:in|since|by|during|from|until|of|before|after)\s+$", re.I)
_MONTH_WORD = words_regex(_MONTH_WORDS)
_MONTH_BEFORE = re.compile(rf"\b{_MONTH_WORD}\.?\s+$", re.IGNORECASE)


_NUMBER_WORD_GAPS = re.compile(r"[\s-]+")


def _word_value(words: str) -> float | None:
    """Value of "four", "twenty-five", "a dozen", "two hundred thousand"."""
    tokens = _NUMBER_WORD_GAPS.split(words.lower())
    half = tokens[:1] == ["half"]
    total, current = 0, 0
    for t in tokens[1:] if half else tokens:
        if t in ("a", "an"):
            current = 1
        elif t in _SMALL:
            current += _SMALL[t]
        elif t == "hundred":
            current = (current or 1) * 100
        elif t == "dozen":
            current = (current or 1) * 12
        elif t in _SCALE:
            total, current = total + (current or 1) * _SCALE[t], 0
        else:
            return None
    value = float(total + current)
    return value / 2 if half else value


def _unit_after(sentence: str, pos: int) -> tuple[str | None, int]:
    """The counted noun after a number (up to two words: "nuclear tests") and its end."""
    first = _UNIT_WORD.match(sentence, pos)
    if not first:
        return None, pos
    low = first.group("w").lower()
    if low in _STOP or low in _SMALL or low in _SCALE:
        return None, pos
    w1 = low.rstrip("'’")
    hyphenated = sentence[first.start()] == "-"  # "a 300-mile journey": the unit is "mile"
    if hyphenated and (not w1.isalpha() or w1.endswith("ed")):
        return None, pos  # "one-sided"
    end = first.end()
    if not hyphenated and _is_adjective(w1):  # only then a second word is read
        second = _UNIT_WORD.match(sentence, end)
        if second and sentence[second.start()] != "-":
            w2 = second.group("w").lower()
            if w2 not in _STOP and not w2.endswith(("ed", "ly", "ing")) and w2.isalpha():
                return f"{w1} {w2}", second.end()
    return w1, end


def _is_adjective(word: str) -> bool:
    return word in _ADJECTIVES or word.endswith(_ADJ_SUFFIXES)


def _looks_like_year(digits: str) -> bool:
    return digits.isdigit() and 1900 <= int(digits) <= 2099


_AGO_AFTER = re.compile(r"\s+ago\b", re.IGNORECASE)
_IDENTIFIER_BEFORE = re.compile(r"[\w/#@.:-]$")
# What after a number makes it no count, as one pattern (one regex call, not three):
# letters, digits after ":" "/" "-", or \w after "." glued to it ("70th", "63yM", "10:30",
# "2-1"; ASCII letters as written, the rest of the pattern ignoring case), a time of day
# ("10 a.m.", "ten ago"), or a month ("5 September"). After a percentage, nothing glued
# counts ("5%th").
_GLUED = r"(?-i:[A-Za-z]|[:/]\d|-\d|\.\w)"
_CLOCK = r"\s*(?:a\.?m\b|p\.?m\b|o'clock|ago\b)"
_MONTH_AFTER = rf"\s+(?:of\s+)?{_MONTH_WORD}\b"
_NO_COUNT_AFTER = re.compile(f"{_GLUED}|{_CLOCK}|{_MONTH_AFTER}", re.IGNORECASE)
_NO_COUNT_AFTER_PERCENT = re.compile(f"{_CLOCK}|{_MONTH_AFTER}", re.IGNORECASE)
_LONGEST_QUALIFIER = max(map(len, _QUALIFIERS))
_LONGEST_MONTH = max(map(len, _MONTH_WORDS)) + 1  # "Sept."
_LONGEST_YEAR_CONTEXT = len("before")


def _search_before(pattern: re.Pattern[str], sentence: str, end: int, longest: int) -> bool:
    """`pattern.search(sentence[:end])` for a pattern of the form "word\\s+$".

    Its word (at most `longest` characters) ends where the whitespace before `end`
    begins, so only that tail is searched, not the whole sentence before each number.
    """
    tail = max(0, len(sentence[:end].rstrip()) - longest)
    return pattern.search(sentence, tail, end) is not None


def _dated(sentence: str, start: int) -> bool:
    """Whether a year at `start` follows a comma ("May 5, 2006") or a word such as "in",
    "since" ...: then it names a date, whatever follows it."""
    return sentence[:start].rstrip().endswith(",") or _search_before(
        _YEAR_CONTEXT, sentence, start, _LONGEST_YEAR_CONTEXT
    )


def _skip(
    sentence: str,
    span: tuple[int, int, int],
    groups: tuple[str | None, ...],
    year: bool,
    unit: str | None,
) -> bool:
    """Numbers that are not counts: years, dates, times, ordinals, parts of identifiers,
    and number words with no noun. `span`: the number's start, its end and the end of
    its noun; `groups`: those of its `_NUMBER` match; `year`: whether it looks like a year
    (and is not dated: `find_quantities` skipped those already).

    The decisive tests first: these are pure, so their order changes nothing.
    """
    start, stop, end = span
    cur, _, words, _, pct = groups
    if year:
        if unit is None or not (unit.endswith("s") or unit == "people"):
            return True  # "2006 saw": a year, unless a plural count follows
    elif words is not None and unit is None and not pct:
        return True  # "one of them": a pronoun
    # (With no noun, `end == stop`: the "\s*ago\b" of `_NO_COUNT_AFTER` tests this.)
    if end > stop and _AGO_AFTER.match(sentence, end):
        return True  # "four years ago" is a time
    if not cur and _IDENTIFIER_BEFORE.search(sentence, max(0, start - 2), start):
        return True  # "COVID-19", "F-16", "G7", URLs
    if (_NO_COUNT_AFTER_PERCENT if pct else _NO_COUNT_AFTER).match(sentence, stop):
        return True  # "70th", "10:30", "2-1", "10 a.m.", "5 September"
    return _search_before(_MONTH_BEFORE, sentence, start, _LONGEST_MONTH)  # "Sept. 5"


def find_quantities(
    sentence: str,
    lows: Sequence[str] | None = None,
    starts: Sequence[int] | None = None,
    offset: int = 0,
) -> list[tuple[int, int, Quantity]]:
    """Number phrases with their qualifier and counted noun, left to right.

    Spans run from the qualifier to the noun ("more than four years") so the phrase can be
    quoted as written. Years, dates, times, ordinals and numbers inside identifiers are
    skipped, and so are number words with no noun ("one of them"): they are pronouns.

    A caller that has split the sentence into words may pass them as
    `checker.dates.find_time_expressions` takes them: the result is the same.
    """
    found: list[tuple[int, int, Quantity]] = []
    for m in _number_matches(sentence, lows, starts, offset):
        start, stop = m.span()
        if found and start < found[-1][1]:
            continue
        # Speed: the groups are read once (each `m.group` call costs ~1,000
        # instructions), and a dated year (a third of the numbers in news copy) is
        # skipped before its value and noun are read.
        groups = m.groups()
        cur, digits, words, scale, pct = groups
        year = digits is not None and not (cur or scale or pct) and _looks_like_year(digits)
        if year and _dated(sentence, start):
            continue
        value = _value(digits, words, scale)
        if value is None:
            continue
        unit: str | None
        if pct:
            unit, end = "percent", stop
        elif cur:
            unit, end = _CURRENCY[cur], stop
        else:
            unit, end = _unit_after(sentence, stop)
        if _skip(sentence, (start, stop, end), groups, year, unit):
            continue
        qualifier: Qualifier = "exact"
        # The qualifier ends where the whitespace before the number begins.
        tail = max(0, len(sentence[:start].rstrip()) - _LONGEST_QUALIFIER)
        q = _QUALIFIER_BEFORE.search(sentence, tail, start)
        if q:
            start, qualifier = q.start(), _QUALIFIERS[" ".join(q.group("q").lower().split())]
        text = sentence[start:end]
        found.append((start, end, Quantity(text=text, value=value, unit=unit, qualifier=qualifier)))
    return found


def _starts_in_word(low: str) -> tuple[int, ...]:
    """The offsets in a lower-case word where a number may start (a superset): each
    digit (\\d, `str.isdecimal`), and where a number word begins."""
    if low.isalpha():
        # Speed: letters only (most new words; the loop below costs ~100 instructions
        # a character): no digit (a letter is never `isdecimal`), and one run of \w,
        # which can begin a number word only as a whole.
        return (0,) if low in _FIRST_WORDS else ()
    found = {k for k, char in enumerate(low) if char.isdecimal()}
    if low.isalnum():
        # A run of \w only: it can begin a number word only as a whole.
        if low in _FIRST_WORDS:
            found.add(0)
    else:
        # "twenty-five", "o’three": the number words in it. Whether one at offset 0 begins
        # a match also depends on the character before the word, which `_NUMBER` decides.
        found.update(m.start() for m in _FIRST_WORD.finditer(low))
    return tuple(sorted(found))


_STARTS_IN_WORD = WordTable(_starts_in_word)


def _number_matches(
    sentence: str,
    lows: Sequence[str] | None = None,
    word_starts: Sequence[int] | None = None,
    offset: int = 0,
) -> list[re.Match[str]]:
    """What `_NUMBER.finditer(sentence)` yields, trying `_NUMBER` only where it can start.

    Scanning the whole sentence with `_NUMBER` tries thirty number words at every
    character, and most sentences hold no number at all. Given the sentence's words,
    each word is looked up (`_starts_in_word`, once per distinct word), and only a
    sentence with a currency sign in it is searched for them. Trying more positions than
    needed changes nothing: `_NUMBER` does not match at those (`_starts_in_word` finds
    every position where it can).
    """
    if lows is None or word_starts is None or not lowers_in_place(sentence):
        starts = [m.start() for m in _DIGIT_OR_CURRENCY.finditer(sentence)]
        low = lower_in_place(sentence)
        if low is None:
            # Lower case would move offsets (see `lower_in_place`): the number words are
            # found in the text itself, ignoring case as `_NUMBER` does.
            starts.extend(m.start() for m in _FIRST_WORD_ANY_CASE.finditer(sentence))
        else:
            starts.extend(m.start() for m in _FIRST_WORD.finditer(low))
        starts.sort()
    else:
        starts = starts_in_words(_STARTS_IN_WORD, lows, word_starts, offset)
        # Currency signs are not \w, so the words need not hold them: `in` finds them
        # faster than a regex scan does.
        if "$" in sentence or "€" in sentence or "£" in sentence:
            starts.extend(m.start() for m in _CURRENCY_SIGN.finditer(sentence))
            starts.sort()
    if not starts:
        return []
    matches: list[re.Match[str]] = []
    resume = 0  # as in finditer: a match starts at or after the end of the previous one
    for start in starts:
        if start >= resume and (match := _NUMBER.match(sentence, start)) is not None:
            matches.append(match)
            resume = match.end()
    return matches


def _value(digits: str | None, words: str | None, scale: str) -> float | None:
    """The value of a `_NUMBER` match, from its groups of those names."""
    if digits:
        value: float | None = float(digits.replace(",", ""))
    else:
        assert words is not None  # the other branch of `_NUMBER`
        value = _word_value(words)
    if value is None:
        return None
    for word in scale.split():
        value *= _SCALE[word.lower()]
    return value


def parse_quantity(text: str) -> Quantity | None:
    """The quantity a whole phrase states ("roughly 300 miles"); None if it states none.

    The phrase is kept as given in `Quantity.text`; only the first number counts.
    """
    written = text.strip()
    found = find_quantities(written)
    if found:
        return found[0][2].model_copy(update={"text": written})
    prefix = _QUALIFIER_PREFIX.match(written)
    assert prefix is not None  # the pattern can match the empty string
    m = _NUMBER.fullmatch(written, prefix.end())
    value = _value(*m.group("digits", "words", "scale")) if m else None
    if value is None or (m and m.group("digits") and _looks_like_year(m.group("digits"))):
        return None
    q = prefix.group("q")
    qualifier: Qualifier = _QUALIFIERS[" ".join(q.lower().split())] if q else "exact"
    return Quantity(text=written, value=value, unit=None, qualifier=qualifier)


# --- units -------------------------------------------------------------------------------
_IRREGULAR = {"people": "person", "men": "man", "women": "woman", "children": "child",
              "feet": "foot", "lives": "life", "wives": "wife", "series": "series",
              "species": "species", "news": "news", "percent": "percent", "dollars": "dollar",
              "analyses": "analysis", "crises": "crisis", "thieves": "thief"}  # fmt: skip
_SYNONYMS = {"organization": "entity", "company": "entity", "firm": "entity",
             "tonne": "ton", "metric ton": "ton", "per cent": "percent", "%": "percent",
             "km": "kilometer", "kilometre": "kilometer", "usd": "dollar"}  # fmt: skip


def _singular(word: str) -> str:
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes", "zzes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def canonical_unit(unit: str) -> str:
    """A comparison key for a counted noun: "organisations" -> "entity", "Miles" -> "mile".

    Lower-cased, singular and American-spelled; then a small table merges nouns that news
    copy uses interchangeably for the same count (entity/organization/company/firm,
    ton/tonne). Modifiers stay ("nuclear tests" -> "nuclear test"): whether they matter
    is the caller's decision.
    """
    words = [fold_spelling(w) for w in fold(unit).split()]
    if not words:
        return ""
    whole = " ".join(words)
    if whole in _SYNONYMS:
        return _SYNONYMS[whole]
    head = _singular(words[-1])
    head = _SYNONYMS.get(head, head)
    return " ".join([*words[:-1], head])


def _bounds(q: Quantity) -> tuple[float, bool, float, bool]:
    """(low, low_inclusive, high, high_inclusive) of the values a quantity allows."""
    v, inf = q.value, math.inf
    return {
        "exact": (v, True, v, True),
        "about": (v - 0.1 * abs(v), True, v + 0.1 * abs(v), True),
        "more_than": (v, False, inf, False),
        "at_least": (v, True, inf, False),
        "less_than": (-inf, False, v, False),
        "at_most": (-inf, False, v, True),
    }[q.qualifier]


def quantities_conflict(a: Quantity, b: Quantity) -> bool:
    """True when no single value satisfies both quantities of the same counted thing.

    Each quantity allows a set of values; they conflict iff the sets are disjoint:

        exact X          {X}              exact 3 vs exact 5        -> conflict
        about X          [0.9X, 1.1X]     about 300 vs 320          -> fine
                                          about 3 vs 5              -> conflict
        more than X      (X, inf)         more than 4 vs exact 4    -> conflict
        at least X       [X, inf)         at least 4 vs exact 4     -> fine
        less/fewer than  (-inf, X)        fewer than 5 vs exact 5   -> conflict
        at most / up to  (-inf, X]        up to 5 vs exact 5        -> fine
        two lower bounds (or two upper bounds) always intersect     -> never a conflict
        lower vs upper   conflict iff the ranges do not meet

    Values are treated as real numbers ("more than 4" and "fewer than 5" do not conflict
    although no whole count fits both). Quantities whose canonical units differ are not
    comparable and never conflict here; two unit-less quantities are compared.
    """
    ua = canonical_unit(a.unit) if a.unit else None
    ub = canonical_unit(b.unit) if b.unit else None
    if ua != ub:
        return False
    lo_a, lo_a_in, hi_a, hi_a_in = _bounds(a)
    lo_b, lo_b_in, hi_b, hi_b_in = _bounds(b)
    lo, lo_in = max((lo_a, lo_a_in), (lo_b, lo_b_in), key=lambda x: (x[0], not x[1]))
    hi, hi_in = min((hi_a, hi_a_in), (hi_b, hi_b_in), key=lambda x: (x[0], x[1]))
    if math.isclose(lo, hi, rel_tol=1e-9, abs_tol=1e-12):
        return not (lo_in and hi_in)
    return lo > hi
