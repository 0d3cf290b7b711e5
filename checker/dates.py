"""Time expressions as written ("on Tuesday", "In November", "late July") -> date intervals.

Two articles can only disagree about *when* once both of their time expressions are
turned into calendar dates, and most news dates are relative to the article's own
publication date. Everything here is pure: the anchor is always passed in (never the
clock), so the same article resolves the same way forever.

Every reading is an inclusive interval with a granularity, so that imprecise phrases
("in July", "recently") compare by overlap with precise ones ("July 27") instead of
being forced to one day. When the publication date forces a month or day without a
year into another year ("In November" in a September article), the interval says so
(`shifted`, `note`): that is exactly what an editor wants to double-check.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from itertools import compress
from typing import Literal, NamedTuple

from checker.text import (
    WordTable,
    fold,
    lower_keeping_offsets,
    lowers_in_place,
)

Granularity = Literal["day", "week", "month", "season", "year", "vague"]
Tense = Literal["past", "future"]


@dataclass(frozen=True, order=True)
class TimeInterval:
    """An inclusive span of days that a time expression can refer to."""

    start: date
    end: date
    granularity: Granularity
    text: str
    shifted: bool = False
    note: str | None = None


# --- vocabulary --------------------------------------------------------------------------
_MONTH_NAMES = ("", "January", "February", "March", "April", "May", "June", "July",
                "August", "September", "October", "November", "December")  # fmt: skip
_ABBR = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
         "sept": 9, "oct": 10, "nov": 11, "dec": 12}  # fmt: skip
_MONTHS = {n.lower(): i for i, n in enumerate(_MONTH_NAMES) if n} | _ABBR
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_ABBR = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")  # strftime %a is locale-bound
_SEASONS = {"spring": (3, 5), "summer": (6, 8), "autumn": (9, 11), "fall": (9, 11),
            "winter": (12, 2)}  # fmt: skip
_SMALL = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
          "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}  # fmt: skip
_UNIT_DAYS = {"day": 1, "week": 7, "month": 30, "year": 365}
# How far "recent X" / "coming X" reach when the text gives no number.
_VAGUE_DAYS = {None: 180, "day": 14, "week": 60, "month": 180, "year": 3 * 365}
_GRAN: dict[str, Granularity] = {"day": "day", "week": "week", "month": "month", "year": "year"}
_SLACK = timedelta(days=1)  # a day of slack for time zones and late-night copy

# Month alternations: longest first so "Sept" wins over "Sep" and "June" over "Jun".
_ALL_MONTH_WORDS = sorted(_MONTHS, key=len, reverse=True)
_SAFE_BARE = [n for n in _MONTH_NAMES[1:] if n not in ("May", "March")]  # modal/verb
_YEAR = r"(?:19|20)\d\d"
_NUMW = r"\d{1,3}|" + "|".join(_SMALL)


def _opt(pattern: str) -> str:
    """`(?:pattern)?`, written as an alternation with the empty string, which matches
    the same: the regex engine allocates a repeat context (malloc) for each `?` after a
    group it enters, and an alternation needs none (a few percent of the time scan)."""
    return f"(?:{pattern}|)"


def _mon(find: bool, words: list[str]) -> str:
    """A month-name group; in running text month names must be capitalised ("may")."""
    if find:
        alts = "|".join(w.capitalize() for w in words)
        return rf"(?P<mon>(?-i:{alts}))(?:\.|\b)"
    return rf"(?P<mon>{'|'.join(w.lower() for w in words)})\.?"


def _core_rules(find: bool) -> list[tuple[str, str]]:
    """(rule name, regex) pairs shared by `find_time_expressions` and `resolve_time`.

    With `find=True` some rules demand context that running text needs to rule out
    false hits: a bare year or a bare "May"/"March" only after a preposition.
    """
    mon = _mon(find, _ALL_MONTH_WORDS)
    full = _mon(find, list(_MONTH_NAMES[1:]) + ([] if find else list(_ABBR)))
    year_y = _opt(rf",?\s+(?P<y>{_YEAR})")
    need = r"(?:in|since|by|during)\s+"
    # "May"/"March" alone are a modal verb and a verb: only after a preposition.
    after = "|".join(rf"(?<=\b{w}\s)" for w in ("in", "of", "by", "since", "during"))
    safe = "|".join(_SAFE_BARE)
    bare_month = rf"(?P<mon>(?-i:{safe})|(?:{after})(?-i:May|March))\b" if find else full
    wd = "|".join(_WEEKDAYS)
    tod = "(?:morning|afternoon|evening|night)"
    # the optional parts, as `_opt` writes them
    ordinal, the, of = _opt("st|nd|rd|th"), _opt(r"the\s+"), _opt(r"of\s+")
    then_tod, then_year = _opt(rf"\s+{tod}"), _opt(rf",?\s+{_YEAR}")
    units = "(?:day|week|month|year)"
    seasons = "(?:spring|summer|autumn|winter)"
    # fmt: off
    return [
        ("iso", rf"(?P<y>{_YEAR})-(?P<m>\d\d)-(?P<d>\d\d)"),
        ("mdy", rf"{mon}\s*(?P<d>\d{{1,2}}){ordinal}{year_y}(?!\d)"),
        ("dmy", rf"(?P<d>\d{{1,2}}){ordinal}\s+{of}{mon}{year_y}"),
        ("month_year", rf"{mon},?\s+(?P<y>{_YEAR})\b"),
        ("part_month", rf"(?P<part>early|mid|late)[-\s]*{mon}{year_y}"),
        ("edge", r"the\s+(?P<edge>end|beginning|start|middle)\s+of\s+(?P<rest>"
                 rf"{mon.replace('?P<mon>', '?:')}{then_year}|{_YEAR}"
                 r"|(?:the|this|next|last)\s+(?:week|month|year))"),
        ("month", bare_month),
        ("year", rf"{need if find else ''}(?P<y>{_YEAR})(?![\d%]|[.,]\d|\s*per)"),
        ("part_year", rf"(?P<part>early|mid|late)[-\s]*(?P<y>{_YEAR})\b"),
        ("decade", the + _opt(r"(?P<part>early|mid|late)[-\s]*") + r"(?P<dec>(?:19|20)\d0)s"),
        ("weekday", _opt(r"(?P<rel>last|next|this|early|late|earlier|later)\s+")
                    + rf"(?P<wd>{wd}){then_tod}"),
        ("dayword", _opt(r"(?:earlier|later)\s+") + r"(?P<w>today|tonight|yesterday|tomorrow|"
                    rf"this\s+(?:morning|afternoon|evening)){then_tod}"),
        ("relative", r"(?P<rel>last|this|next|earlier\s+this|later\s+this)\s+"
                     r"(?P<unit>week|month|year)(?!\s+of\b)"),
        ("rolling", r"the\s+(?:past|last)\s+" + _opt(rf"(?P<n>{_NUMW})\s+")
                    + rf"(?P<unit>{units})s?"
                    r"(?!\s+of\b)"),
        ("coming", rf"{the}(?:coming|next)\s+"
                   + _opt(rf"(?P<n>{_NUMW}|few|several|couple\s+of)\s+")
                   + rf"(?P<unit>{units})s"),
        ("recent", rf"the\s+recent\s+past|recent\s+(?P<unit>{units})s|recently|recent|lately"),
        ("soon", r"soon(?!\s+(?:as|after|afterwards?|thereafter)\b)|the\s+near\s+future"),
        ("weekend", r"(?P<rel>last|this|next|the)\s+weekend"),
        ("ago", rf"(?P<n>{_NUMW}|a\s+few|a\s+couple\s+of|several)\s+(?P<unit>{units})s?\s+ago"),
        ("season_rel", rf"(?P<rel>last|this|next)\s+(?P<s>{seasons}|fall)"),
        ("season_year", rf"{the}(?P<s>{seasons}|fall)\s+{of}(?P<y>{_YEAR})"),
        ("season", (r"(?:in|during|over|by|since)\s+" if find else "")
                   + rf"{the}(?P<s>{seasons})(?!\s+of\b)"),
    ]
    # fmt: on


# Prefixes that position the expression without changing the interval it names.
_PREFIX = (r"(?:(?:earlier|later|late|early)\s+on|as\s+(?:soon|early|late)\s+as"
           r"|on|in|at|by|during|over|since)")  # fmt: skip
_FIND_CORES = [core for _, core in _core_rules(find=True)]
_FIND = [
    re.compile(r"(?<![\w-])" + _opt(rf"{_PREFIX}\s+") + rf"(?:{core})(?![\w])", re.IGNORECASE)
    for core in _FIND_CORES
]
# The same without the prefix, which can only match where the first run of \w is one of
# its words (`_PREFIX_WORDS`, below): elsewhere these match as `_FIND` does, without
# trying the prefix's dozen alternatives first (a tenth of the cost of a match).
_FIND_CORE = [re.compile(rf"(?<![\w-])(?:{core})(?![\w])", re.IGNORECASE) for core in _FIND_CORES]
_RESOLVE = [(name, re.compile(core, re.IGNORECASE)) for name, core in _core_rules(find=False)]
_STRIP_PREFIX = re.compile(rf"{_PREFIX}\s+", re.IGNORECASE)


# Speed: most sentences hold no time expression, and 22 patterns are slow to run one by
# one, or even as one union. So the words of the sentence decide where a match can
# start (`_rule_tries`), and there, which rules can match (`_LEADS`): only those are run.
# tests/test_dates.py checks both against every rule's own matches.
_M = "|".join(_MONTHS)
_Y = r"(?:19|20)\d\d"
_PART = "(?:early|mid|late)"
_SEASON = "(?:spring|summer|autumn|winter)"
_WD = f"(?:{'|'.join(_WEEKDAYS)})"
# The runs of \w (in lower case) each rule's core (its regex after the prefix) opens
# with: "first" or "first second", each a regex. "first second" says what must follow
# `first` for the core to match there: `second` is the next run where whitespace, or "."
# and whitespace, lies between, else the one character after `first` (a "-", a ",", a
# space before something that is no run ...). A core that can end after `first` is
# listed as "first". At the end of the text, anything may follow.
_LEADS = {
    "iso": [f"{_Y} -"],
    "mdy": [rf"(?:{_M}) \d{{1,2}}(?:st|nd|rd|th)?", rf"(?:{_M}) \."],
    "dmy": [rf"\d{{1,2}}(?:st|nd|rd|th)? (?:of|{_M})"],
    "month_year": [rf"(?:{_M}) {_Y}", rf"(?:{_M}) [.,]"],
    "part_month": [rf"{_PART} (?:{_M})", rf"{_PART} [-\s]", rf"{_PART}(?:{_M})"],
    "edge": ["the (?:end|beginning|start|middle)"],
    "month": ["|".join(n.lower() for n in _MONTH_NAMES[1:])],
    "year": [f"(?:in|since|by|during) {_Y}"],
    "part_year": [f"{_PART} {_Y}", rf"{_PART} [-\s]", f"{_PART}{_Y}"],
    "decade": [rf"the (?:{_PART}|{_PART}?(?:19|20)\d0s)", rf"{_PART} (?:19|20)\d0s",
               rf"{_PART} [-\s]", rf"{_PART}?(?:19|20)\d0s"],
    "weekday": [f"(?:last|next|this|early|late|earlier|later) {_WD}", _WD],
    "dayword": ["(?:earlier|later) (?:today|tonight|yesterday|tomorrow|this)",
                "today|tonight|yesterday|tomorrow", "this (?:morning|afternoon|evening)"],
    "relative": ["(?:last|this|next) (?:week|month|year)", "(?:earlier|later) this"],
    "rolling": ["the (?:past|last)"],
    "coming": ["the (?:coming|next)",
               f"(?:coming|next) (?:{_NUMW}|few|several|couple|(?:day|week|month|year)s)"],
    "recent": ["the recent", "recent(?:ly)?|lately"],
    "soon": ["soon", "the near"],
    "weekend": ["(?:last|this|next|the) weekend"],
    "ago": [f"(?:{_NUMW}|several) (?:few|couple|(?:day|week|month|year)s?)"],
    "season_rel": [f"(?:last|this|next) (?:{_SEASON}|fall)"],
    "season_year": [f"the (?:{_SEASON}|fall)", rf"(?:{_SEASON}|fall) (?:of|{_Y})"],
    "season": [f"(?:in|during|over|by|since) (?:the|{_SEASON})"],
}  # fmt: skip
_NAMES = [name for name, _ in _core_rules(find=True)]
assert sorted(_LEADS) == sorted(_NAMES)
# The second runs, each a bit in what `_seconds` says of a run.
_SPLIT_LEADS = {name: [lead.partition(" ")[::2] for lead in ls] for name, ls in _LEADS.items()}
_SECONDS = list(dict.fromkeys(s for leads in _SPLIT_LEADS.values() for _, s in leads if s))
_LEAD_PATTERNS = [
    (k, re.compile(first), 1 << _SECONDS.index(second) if second else 0)
    for k, name in enumerate(_NAMES)
    for first, second in _SPLIT_LEADS[name]
]
_SECOND_PATTERNS = [re.compile(second) for second in _SECONDS]
# `_PREFIX` as words: a match may open with one of these (then whitespace) before its core.
_ONE_WORD_PREFIXES = frozenset("on in at by during over since".split())
_BEFORE_ON = frozenset("earlier later late early".split())  # "earlier on"
_AFTER_AS = frozenset("soon early late".split())  # "as soon as"


class _Follow(dict[int, frozenset[int]]):
    """The rules whose core can open with a given run, by what follows it: the bits of
    the `_SECONDS` that the next run is (-1 where that is unknown). Worked out once for
    each value met: runs are `_SECONDS` in few ways."""

    def __init__(self, leads: list[tuple[int, int]]) -> None:
        super().__init__()
        self._leads = leads  # (rule, the bit of the `_SECONDS` that must follow, or 0)

    def __missing__(self, bits: int) -> frozenset[int]:
        found = frozenset(k for k, bit in self._leads if not bit or bits & bit)
        self[bits] = found
        return found


def _follow(first: str) -> _Follow:
    return _Follow([(k, bit) for k, f, bit in _LEAD_PATTERNS if f.fullmatch(first)])


def _seconds(second: str) -> int:
    """The `_SECONDS` that the run `second` is, as bits."""
    return sum(1 << i for i, pattern in enumerate(_SECOND_PATTERNS) if pattern.fullmatch(second))


# Speed: the tables here and below are read through their bound `__getitem__`, not as
# `table[key]`: a subclass of dict (a `WordTable`, a `_Follow`) has its subscript go
# through a generic slot that looks `__getitem__` up and calls it as a method, about
# four times the instructions of the call.
_FOLLOW = WordTable(_follow)
_SECONDS_OF = WordTable(_seconds)
_follow_of, _seconds_of = _FOLLOW.__getitem__, _SECONDS_OF.__getitem__


def _core_rules_at(first: str, second: str | None) -> frozenset[int]:
    """The rules whose core can open with the runs `first`, `second` (None: unknown)."""
    return _follow_of(first).__getitem__(-1 if second is None else _seconds_of(second))


def _rules_at(runs: Sequence[str]) -> frozenset[int]:
    """The rules that can match where the runs `runs` begin, as `_RUNS_AT` reads them (as
    many as `_RUNS_WANTED` asks for, the last perhaps the character after a run, fewer
    at the end of the text): those whose core opens there or after a prefix."""
    n = len(runs)
    a = runs[0]
    rules = _core_rules_at(a, runs[1] if n > 1 else None)
    if n == 1:
        return rules
    if a in _ONE_WORD_PREFIXES:
        more = _core_rules_at(runs[1], runs[2] if n > 2 else None)
    elif n > 2 and a in _BEFORE_ON and runs[1] == "on":
        more = _core_rules_at(runs[2], runs[3] if n > 3 else None)
    elif n > 3 and a == "as" and runs[1] in _AFTER_AS and runs[2] == "as":
        more = _core_rules_at(runs[3], runs[4] if n > 4 else None)
    else:
        return rules
    # Mostly one of the two is empty: then no new set is made.
    return (rules | more if rules else more) if more else rules


# How many runs `_rules_at` reads after a first run: two, and up to the core's first two
# after a prefix.
_RUNS_WANTED = {"as": 5, **dict.fromkeys(_BEFORE_ON, 4), **dict.fromkeys(_ONE_WORD_PREFIXES, 3)}
# The words `_PREFIX` opens with.
_PREFIX_WORDS = frozenset(_RUNS_WANTED)


def _patterns_after(first_run: str) -> list[re.Pattern[str]]:
    """The rule patterns to try where the first run of \\w is `first_run`: with the prefix
    only where the prefix can open with it."""
    return _FIND if first_run in _PREFIX_WORDS else _FIND_CORE


# Where a match can start, as a cheap test before `_rules_at`: a digit, a word beginning
# with early/mid/late ("mid-September", "late2023") or one of `_FIRST_WORDS`.
_FIRST_WORDS = [
    # the prefixes
    *"earlier later late early as on in at by during over since".split(),
    # the first words of the core rules
    *"the this last next today tonight yesterday tomorrow coming recent recently lately soon"
    " several spring summer autumn winter fall".split(),
    *_SMALL,
    *_WEEKDAYS,
    *_MONTHS,
]
# Most candidate words are "the", "in", "a", "on", "as" or "at", so these words are
# candidates only when the word after them can continue a match (a necessary condition,
# read off the rules): "the" opens "the end of", "the past week", "the 1990s", "the
# summer of" ..., and a number word opens "a few days ago", "two weeks ago".
_NEXT_WORDS = {
    "the": "|".join(
        r"\d early mid late end beginning start middle past last coming next recent near weekend"
        " spring summer autumn winter fall".split()
    ),
    "a": "few|couple|day|week|month|year",
    **dict.fromkeys([w for w in [*_SMALL, "several"] if w != "a"], "day|week|month|year"),
}
# A preposition ("in", "since", "as soon as") begins a match only where the phrase it
# introduces does: the next word must be a candidate itself (or soon/early/late after "as").
_PREPOSITIONS = "on in at by during over since as".split()


# The runs `_rules_at` reads, where the words say a match may start: each rule opens with
# a letter or a digit after "(?<![\w-])". (A look-ahead here that checked the words again,
# as a regex, cost more than the rules it spared.) Each next run after whitespace (or "."
# and whitespace), and after the last, the character that follows it, as `_LEADS` reads
# them. Matched only at a word that is not one run of \w, or is followed by such a word:
# elsewhere `_runs_from_words` reads the runs.
def _then(pattern: str) -> str:
    return rf"(?:\.?\s+(\w+){pattern}|((?s:.))|)"


_RUNS_AT = re.compile(r"(?<![\w-])(\w+)" + _then(_then(_then(_then("")))))

_RUN = re.compile(r"\w+")
# A run of \w not after "-", as `_FIND` matches begin (and `_RUNS_AT` checks).
_OPENING_RUN = re.compile(r"(?<![\w-])\w+")

# A run can begin a match only if it is one of `_FIRST_WORDS`, begins with early/mid/late
# or with a digit: `_rule_tries` checks this on words the caller has already split.
_FIRST_SET = frozenset(_FIRST_WORDS)
_LEAD_PARTS = ("early", "mid", "late")


def _opens(run: str) -> bool:
    return run in _FIRST_SET or run.startswith(_LEAD_PARTS) or run[0].isdecimal()


# Most candidate words begin a match only with the right word after them (`_NEXT_WORDS`,
# `_PREPOSITIONS`), and mostly the word after them is not one: so such a word says what
# the next word must begin with (`_NEEDS`, a bit each), each word what it begins with
# (`_OPENS_AFTER`), and `_RUNS_AT` runs only where the two meet. Such a word is a whole
# run of \w, and where whitespace follows it the next run of \w opens the next word
# (where other characters follow, no rule that needs the next word matches).
_AFTERS = list(dict.fromkeys(_NEXT_WORDS.values()))
_AFTER_PATTERNS = [re.compile(after) for after in _AFTERS]
_AFTER_PREPOSITION = 1 << len(_AFTERS)
_NEEDS = {word: 1 << _AFTERS.index(after) for word, after in _NEXT_WORDS.items()} | dict.fromkeys(
    _PREPOSITIONS, _AFTER_PREPOSITION
)


def _starts_in_word(low: str) -> tuple[int, tuple[int, ...] | None] | None:
    """Where a time expression may start in a lower-case word: the offsets in it (a
    superset; None for the word's start, where it is one run of \\w), with the bits of
    `_NEEDS` the next word must meet (0: none). None where none may start."""
    if low.isalnum():
        # A run of \w only: it can start a match only as a whole.
        return (_NEEDS.get(low, 0), None) if _opens(low) else None
    # "Monday’s", "a.m.", "mid-May": each run of \w in it that may start one. Whether
    # the word's first run does also depends on the character before the word, which
    # the scan's own look-behind decides.
    offsets = tuple(m.start() for m in _OPENING_RUN.finditer(low) if _opens(m.group()))
    return (0, offsets) if offsets else None


def _opens_after(low: str) -> int:
    """The bits of `_NEEDS` that a word meets as the word after: those of the `_AFTERS`
    it begins with, and `_AFTER_PREPOSITION` if its first run `_opens`."""
    bits = sum(1 << i for i, pattern in enumerate(_AFTER_PATTERNS) if pattern.match(low))
    run = _RUN.match(low)
    return bits | (_AFTER_PREPOSITION if run is not None and _opens(run.group()) else 0)


_STARTS_IN_WORD = WordTable(_starts_in_word)
_OPENS_AFTER = WordTable(_opens_after)
_opens_after_word = _OPENS_AFTER.__getitem__  # see `_follow_of`


def _runs_from_words(
    text: str, lows: Sequence[str], starts: Sequence[int], offset: int, i: int
) -> list[str] | None:
    """The runs `_RUNS_AT` reads in `text` at the word `i`, a whole run of \\w (as many
    as `_rules_at` reads): that word, then each next word that is one run of \\w and
    follows the previous after whitespace (or "." and whitespace), then the character
    after the last. None where a next word is not one run (the caller reads its runs
    from the text). In lower case, which, where the text `lowers_in_place`, each word
    of it keeps, with its length."""
    runs = [lows[i]]
    want = _RUNS_WANTED.get(lows[i], 2)
    last = len(lows) - 1
    end = starts[i] + len(lows[i]) - offset
    while i < last:
        gap = text[end : starts[i + 1] - offset]
        if not gap.isspace() and not (gap[:1] == "." and gap[1:].isspace()):
            break
        i += 1
        if not lows[i].isalnum():
            return None
        runs.append(lows[i])
        if len(runs) == want:
            return runs
        end = starts[i] + len(lows[i]) - offset
    if end < len(text):  # no run follows so: the character that does
        runs.append(text[end])
    return runs


_Try = tuple[int, frozenset[int], list[re.Pattern[str]]]


def _rule_tries(
    text: str, low: str | None, lows: Sequence[str], starts: Sequence[int], offset: int
) -> list[_Try]:
    """Where a match can start in the sentence `text`, left to right, with the rules
    that can match there (see `find_time_expressions` for the words) and their patterns
    (`_FIND`, or `_FIND_CORE` where the first run is no prefix word). `low` is the
    sentence in a lower case that keeps offsets, or None where `text` `lowers_in_place`
    (it is then made if needed).

    A match starts where a maximal run of \\w begins (not after "-"), and that run lies
    in one of the words. In a word of \\w characters only (`str.isalnum`, as \\w is
    alphanumeric or "_"), that run is the word itself, so a look-up per word (in C: a
    first word, early/mid/late, a digit) leaves only the few worth trying, and of those
    "the", "in", "a" ... only where the next word meets their `_NEEDS`; a word with
    other characters in it ("Monday’s", "mid-May", "a.m.") has each of its runs tried.
    Trying more positions or rules than needed changes nothing: a rule is kept only
    where its own pattern matches.

    The runs at a try are read from the words where they can be (`_runs_from_words`,
    or after a word no prefix opens with, the one run after it in the loop itself): a
    regex match costs several times more.
    """
    tries: list[_Try] = []
    in_word = list(map(_STARTS_IN_WORD.__getitem__, lows))
    last = len(lows) - 1
    for i in compress(range(len(lows)), in_word):
        need, offsets = in_word[i]  # type: ignore[misc]  # not None: compress drops those
        if need and (i == last or not need & _opens_after_word(lows[i + 1])):
            continue
        # A preposition begins a match only where the next word does: where that word has
        # a need of its own, the word after it must meet it too ("in the house").
        if (
            need == _AFTER_PREPOSITION
            and (after := in_word[i + 1]) is not None
            and after[0]
            and (i + 1 == last or not after[0] & _opens_after_word(lows[i + 2]))
        ):
            continue
        if offsets is None:  # the word is one run of \w: a match may start at its start
            pos = starts[i] - offset
            if pos and text[pos - 1] == "-":  # as `_RUNS_AT`'s look-behind (no \w is there)
                continue
            first = lows[i]
            if first not in _PREFIX_WORDS:
                # Speed: no prefix opens with `first` (most tries), so `_rules_at` would
                # read one run after it, as `_runs_from_words` reads it: read here, and its
                # rules looked up, without the two calls and the list of runs.
                end = pos + len(first)
                gap = text[end : starts[i + 1] - offset] if i < last else ""
                if gap.isspace() or (gap[:1] == "." and gap[1:].isspace()):
                    second = lows[i + 1]
                    bits = _seconds_of(second) if second.isalnum() else None
                else:  # no run follows so: the character that does
                    bits = _seconds_of(text[end]) if end < len(text) else -1
                if bits is not None:
                    if rules := _follow_of(first).__getitem__(bits):
                        tries.append((pos, rules, _FIND_CORE))
                    continue
            else:
                runs = _runs_from_words(text, lows, starts, offset, i)
                if runs is not None:
                    if rules := _rules_at(runs):
                        tries.append((pos, rules, _FIND))
                    continue
            offsets = (0,)
        if low is None:
            low = text.lower()
        for k in offsets:
            pos = starts[i] - offset + k
            m = _RUNS_AT.match(low, pos)
            if m is not None and (rules := _rules_at(tuple(filter(None, m.groups())))):
                tries.append((pos, rules, _patterns_after(m[1])))
    return tries


def find_time_expressions(
    sentence: str,
    lows: Sequence[str] | None = None,
    starts: Sequence[int] | None = None,
    offset: int = 0,
) -> list[tuple[int, int]]:
    """Spans of time expressions in `sentence`, left to right, longest first, no overlaps.

    Spans include a leading "on"/"in"/"as soon as" so extractors can copy the phrase as
    written; `resolve_time` strips it again. Context-dependent phrases ("on the same
    day") are not returned: they cannot be resolved from the article date alone.

    A caller that has split the sentence into words already may pass them in lower case
    (`lows`), with their `starts` (each `offset` more than the word's offset in
    `sentence`): the result is the same, found faster. The words must not be empty nor
    split a run of \\w characters: each maximal run of \\w in the sentence lies in one word.
    """
    if lows is None or starts is None or not lowers_in_place(sentence):
        # Without words, or where lower case would move offsets in them ("İ"): the runs
        # of \w of the sentence itself, in a lower case that keeps them.
        low = lower_keeping_offsets(sentence)
        runs = list(_RUN.finditer(low))
        words = [m.group() for m in runs]
        tries = _rule_tries(low, low, words, [m.start() for m in runs], 0)
    else:
        # The sentence is lower-cased only if a word that is not one run needs it.
        tries = _rule_tries(sentence, None, lows, starts, offset)
    # The matches each `_FIND` pattern's `finditer` would yield (left to right, each
    # search resuming at the end of the previous match), tried only where one can start;
    # as (start, -end), which sort leftmost and then longest first.
    if not tries:  # no time expression can start anywhere (many sentences)
        return []
    spans: set[tuple[int, int]] = set()
    resume = [0] * len(_FIND)
    for pos, rules, patterns in tries:
        for k in rules:
            if pos >= resume[k] and (m := patterns[k].match(sentence, pos)) is not None:
                resume[k] = end = m.end()
                spans.add((pos, -end))
    chosen: list[tuple[int, int]] = []
    for start, minus_end in sorted(spans):
        if not chosen or start >= chosen[-1][1]:
            chosen.append((start, -minus_end))
    return chosen


class _Ctx(NamedTuple):
    published: date | None
    tense: Tense
    text: str


def resolve_time(text: str, published: date | None, tense: Tense = "past") -> TimeInterval | None:
    """The interval `text` names, read from an article published on `published`.

    `tense` decides which way an underdetermined date goes: "Monday" in a report of what
    happened is the last Monday, in a plan it is the next one. Returns None for text
    that is not a time expression understood here, and for relative expressions when
    there is no publication date to anchor them.
    """
    written = text.strip()
    norm = " ".join(fold(written).split()).strip(" .,;:!?\"'()[]")
    norm = norm.removesuffix("'s")  # "Monday's"
    since = False
    while m := _STRIP_PREFIX.match(norm):
        since = since or norm.startswith("since")
        norm = norm[m.end() :]
    ctx = _Ctx(published, tense, written)
    iv = _resolve_core(norm, ctx)
    if iv is None or not since:
        return iv
    if published is None or published < iv.start:
        return iv
    return replace(iv, end=max(iv.end, published))


def _resolve_core(norm: str, ctx: _Ctx) -> TimeInterval | None:
    for name, pattern in _RESOLVE:
        m = pattern.fullmatch(norm)
        if m:
            return _HANDLERS[name](m, ctx)
    return None


def overlaps(a: TimeInterval, b: TimeInterval) -> bool:
    """True when the two readings can name the same time (the intervals intersect).

    Vague readings ("recently") are already wide intervals, so plain intersection is
    the whole rule: disagreement is reported only when no day fits both.
    """
    return a.start <= b.end and b.start <= a.end


def describe(iv: TimeInterval) -> str:
    """A short human form: "Mon 2023-09-04", "2022-11", "2023", "2023-09-11..2023-09-17"."""
    s, e = iv.start, iv.end
    if s == e:
        out = f"{_DAY_ABBR[s.weekday()]} {s.isoformat()}"
    elif (s.day, s.year, s.month) == (1, e.year, e.month) and e == _month_end(s.year, s.month):
        out = f"{s.year:04d}-{s.month:02d}"
    elif (s.month, s.day, e.month, e.day) == (1, 1, 12, 31) and s.year == e.year:
        out = f"{s.year:04d}"
    else:
        out = f"{s.isoformat()}..{e.isoformat()}"
    return f"~{out}" if iv.granularity == "vague" else out


# --- helpers -----------------------------------------------------------------------------
def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _iv(start: date, end: date, gran: Granularity, ctx: _Ctx) -> TimeInterval:
    return TimeInterval(start, end, gran, ctx.text)


def _safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _shift_note(ctx: _Ctx, reading: str) -> str:
    assert ctx.published is not None
    where = "before" if ctx.tense == "past" else "in the future tense, in"
    return f"'{ctx.text}' {where} an article of {ctx.published.isoformat()}: read as {reading}"


def _anchor_month(m: int, year: int | None, ctx: _Ctx) -> tuple[int, str | None] | None:
    """The year of a month: the latest one begun by publication (past) or the next one."""
    if year is not None:
        return year, None
    pub = ctx.published
    if pub is None:
        return None
    y = pub.year
    if ctx.tense == "past" and m > pub.month:
        y -= 1
    elif ctx.tense == "future" and m < pub.month:
        y += 1
    return y, None if y == pub.year else _shift_note(ctx, f"{_MONTH_NAMES[m]} {y}")


def _month_of(mm: re.Match[str]) -> int:
    return _MONTHS[mm.group("mon").lower().rstrip(".")]


def _opt_year(mm: re.Match[str]) -> int | None:
    y = mm.group("y")
    return int(y) if y else None


def _part(start: date, end: date, part: str, unit: str) -> tuple[date, date]:
    """Early/mid/late thirds of a month (1-10, 11-20, 21-end), year, decade or week."""
    i = ("early", "mid", "late").index(part)
    if unit == "month":
        first, last = ((1, 10), (11, 20), (21, end.day))[i]
        return start.replace(day=first), start.replace(day=last)
    if unit == "year":
        first, last = ((1, 4), (5, 8), (9, 12))[i]
        return date(start.year, first, 1), _month_end(start.year, last)
    if unit == "decade":
        first, last = ((0, 3), (4, 6), (7, 9))[i]
        return date(start.year + first, 1, 1), date(start.year + last, 12, 31)
    first, last = ((0, 1), (2, 3), (4, 6))[i]  # a Monday-Sunday week
    return start + timedelta(days=first), start + timedelta(days=last)


# --- handlers ----------------------------------------------------------------------------
Handler = Callable[[re.Match[str], _Ctx], TimeInterval | None]


def _h_day(y: int | None, m: int, d: int, ctx: _Ctx) -> TimeInterval | None:
    """A month and day; without a year, the reading nearest publication in the tense."""
    if y is not None:
        day = _safe_date(y, m, d)
        return None if day is None else _iv(day, day, "day", ctx)
    pub = ctx.published
    if pub is None:
        return None
    day = _safe_date(pub.year, m, d)
    if day is None:
        return None
    shift = 0
    if ctx.tense == "past" and day > pub + _SLACK:
        shift = -1
    elif ctx.tense == "future" and day < pub - _SLACK:
        shift = 1
    if not shift:
        return _iv(day, day, "day", ctx)
    moved = _safe_date(pub.year + shift, m, d)
    if moved is None:
        return None
    note = _shift_note(ctx, moved.isoformat())
    return TimeInterval(moved, moved, "day", ctx.text, True, note)


def _h_month_range(m: int, year: int | None, part: str | None, ctx: _Ctx) -> TimeInterval | None:
    anchored = _anchor_month(m, year, ctx)
    if anchored is None:
        return None
    y, note = anchored
    start, end = date(y, m, 1), _month_end(y, m)
    if part:
        start, end = _part(start, end, part, "month")
    return TimeInterval(start, end, "month", ctx.text, note is not None, note)


def _h_weekday(mm: re.Match[str], ctx: _Ctx) -> TimeInterval | None:
    pub = ctx.published
    if pub is None:
        return None
    wd = _WEEKDAYS.index(mm.group("wd").lower())
    rel = (mm.group("rel") or "").lower()
    back, ahead = (pub.weekday() - wd) % 7, (wd - pub.weekday()) % 7
    if rel == "last":
        day = pub - timedelta(days=back or 7)
    elif rel == "next":
        day = pub + timedelta(days=ahead or 7)
    elif ctx.tense == "past":
        day = pub - timedelta(days=back)
    else:
        day = pub + timedelta(days=ahead)
    return _iv(day, day, "day", ctx)


def _h_dayword(mm: re.Match[str], ctx: _Ctx) -> TimeInterval | None:
    if ctx.published is None:
        return None
    w = mm.group("w").lower()
    day = ctx.published + timedelta(days={"yesterday": -1, "tomorrow": 1}.get(w, 0))
    return _iv(day, day, "day", ctx)


def _calendar_unit(unit: str, offset: int, pub: date) -> tuple[date, date]:
    """The Monday-Sunday week, calendar month or year `offset` units from `pub`'s own."""
    if unit == "week":
        start = pub - timedelta(days=pub.weekday()) + timedelta(weeks=offset)
        return start, start + timedelta(days=6)
    if unit == "month":
        y, m = divmod(pub.year * 12 + pub.month - 1 + offset, 12)
        return date(y, m + 1, 1), _month_end(y, m + 1)
    return date(pub.year + offset, 1, 1), date(pub.year + offset, 12, 31)


def _h_relative(mm: re.Match[str], ctx: _Ctx) -> TimeInterval | None:
    pub = ctx.published
    if pub is None:
        return None
    rel = " ".join(mm.group("rel").lower().split())
    unit = mm.group("unit").lower()
    start, end = _calendar_unit(unit, {"last": -1, "next": 1}.get(rel, 0), pub)
    if rel == "earlier this":
        end = pub
    elif rel == "later this":
        start = pub
    return _iv(start, end, _GRAN[unit], ctx)


def _count(word: str | None) -> tuple[int, int] | None:
    """A small count as a (low, high) range: "two" -> (2, 2), "a few" -> (2, 4)."""
    if not word:
        return None
    w = " ".join(word.lower().split())
    if w.isdigit():
        return int(w), int(w)
    vague = {"few": (2, 4), "a few": (2, 4), "several": (3, 7)}
    return vague.get(w) or ((2, 2) if "couple" in w else (_SMALL[w], _SMALL[w]))


def _h_span(mm: re.Match[str], ctx: _Ctx, direction: int) -> TimeInterval | None:
    """ "the past two weeks" (-1), "the coming months" (+1): a window from publication."""
    pub = ctx.published
    if pub is None:
        return None
    unit = mm.group("unit").lower()
    n = _count(mm.group("n"))
    if n is None and direction < 0:
        n = (1, 1)  # "the past week" is exactly one week
    days = n[1] * _UNIT_DAYS[unit] if n else _VAGUE_DAYS[unit]
    other = pub + timedelta(days=direction * days)
    gran: Granularity = _GRAN[unit] if n and n[0] == n[1] else "vague"
    return _iv(min(pub, other), max(pub, other), gran, ctx)


def _h_recent(mm: re.Match[str], ctx: _Ctx) -> TimeInterval | None:
    if ctx.published is None:
        return None
    unit = mm.group("unit")
    days = _VAGUE_DAYS[unit.lower() if unit else None]
    return _iv(ctx.published - timedelta(days=days), ctx.published, "vague", ctx)


def _h_soon(mm: re.Match[str], ctx: _Ctx) -> TimeInterval | None:
    if ctx.published is None:
        return None
    days = 180 if "future" in mm.group(0).lower() else 60
    return _iv(ctx.published, ctx.published + timedelta(days=days), "vague", ctx)


def _h_weekend(mm: re.Match[str], ctx: _Ctx) -> TimeInterval | None:
    pub = ctx.published
    if pub is None:
        return None
    rel = mm.group("rel").lower()
    this_sat = pub - timedelta(days=pub.weekday()) + timedelta(days=5)
    last_sun = pub - timedelta(days=(pub.weekday() + 1) % 7 or 7)
    if rel == "next":  # the coming weekend or the one after: both readings are common
        sat = pub + timedelta(days=(5 - pub.weekday()) % 7 or 7)
        return _iv(sat, sat + timedelta(days=8), "week", ctx)
    if rel == "this" or (rel == "the" and (ctx.tense == "future" or pub >= this_sat)):
        sat = this_sat
    else:
        sat = last_sun - timedelta(days=1)
    return _iv(sat, sat + timedelta(days=1), "week", ctx)


def _h_ago(mm: re.Match[str], ctx: _Ctx) -> TimeInterval | None:
    pub = ctx.published
    n = _count(mm.group("n"))
    if pub is None or n is None:
        return None
    unit = mm.group("unit").lower()
    u = _UNIT_DAYS[unit]
    half = u // 2
    start = pub - timedelta(days=n[1] * u + half)
    end = pub - timedelta(days=n[0] * u - half)
    if n[0] != n[1]:
        return _iv(start, end, "vague", ctx)
    if unit == "day":
        return _iv(end, end, "day", ctx)
    return _iv(start, end, _GRAN[unit], ctx)


def _season(s: str, y: int) -> tuple[date, date]:
    first, last = _SEASONS[s]
    return date(y, first, 1), _month_end(y + (1 if last < first else 0), last)


def _h_season(mm: re.Match[str], ctx: _Ctx, rel: str | None) -> TimeInterval | None:
    s = mm.group("s").lower()
    if rel is None and "y" in mm.groupdict() and mm.group("y"):
        return _iv(*_season(s, int(mm.group("y"))), "season", ctx)
    pub = ctx.published
    if pub is None:
        return None
    options = [_season(s, y) for y in range(pub.year - 2, pub.year + 2)]
    if rel == "this":
        y = pub.year - 1 if s == "winter" and pub.month <= 2 else pub.year
        return _iv(*_season(s, y), "season", ctx)
    if rel == "last":
        start, end = [o for o in options if o[1] < pub][-1]
    elif rel == "next":
        start, end = next(o for o in options if o[0] > pub)
    elif ctx.tense == "past":
        start, end = [o for o in options if o[0] <= pub][-1]
    else:
        start, end = next(o for o in options if o[1] >= pub)
    return _iv(start, end, "season", ctx)


def _h_edge(mm: re.Match[str], ctx: _Ctx) -> TimeInterval | None:
    """ "the end of August", "the start of next year": a third of a month/year/week."""
    rest = re.sub(r"^the\s+", "this ", mm.group("rest").lower())
    inner = _resolve_core(rest, ctx)
    if inner is None:
        return None
    part = {"end": "late", "middle": "mid"}.get(mm.group("edge").lower(), "early")
    start, end = _part(inner.start, inner.end, part, inner.granularity)
    return replace(inner, start=start, end=end)


def _h_year(y: int, part: str | None, ctx: _Ctx, unit: str = "year") -> TimeInterval:
    start = date(y, 1, 1)
    end = date(y + (9 if unit == "decade" else 0), 12, 31)
    if part:
        start, end = _part(start, end, part.lower(), unit)
    return _iv(start, end, "year", ctx)


_HANDLERS: dict[str, Handler] = {
    "iso": lambda m, c: (
        _h_day(int(m["y"]), int(m["m"]), int(m["d"]), c) if 1 <= int(m["m"]) <= 12 else None
    ),
    "mdy": lambda m, c: _h_day(_opt_year(m), _month_of(m), int(m["d"]), c),
    "dmy": lambda m, c: _h_day(_opt_year(m), _month_of(m), int(m["d"]), c),
    "month_year": lambda m, c: _h_month_range(_month_of(m), int(m["y"]), None, c),
    "part_month": lambda m, c: _h_month_range(_month_of(m), _opt_year(m), m["part"].lower(), c),
    "edge": _h_edge,
    "month": lambda m, c: _h_month_range(_month_of(m), None, None, c),
    "year": lambda m, c: _h_year(int(m["y"]), None, c),
    "part_year": lambda m, c: _h_year(int(m["y"]), m["part"], c),
    "decade": lambda m, c: _h_year(int(m["dec"]), m["part"], c, "decade"),
    "weekday": _h_weekday,
    "dayword": _h_dayword,
    "relative": _h_relative,
    "rolling": lambda m, c: _h_span(m, c, -1),
    "coming": lambda m, c: _h_span(m, c, 1),
    "recent": _h_recent,
    "soon": _h_soon,
    "weekend": _h_weekend,
    "ago": _h_ago,
    "season_rel": lambda m, c: _h_season(m, c, m["rel"].lower()),
    "season_year": lambda m, c: _h_season(m, c, None),
    "season": lambda m, c: _h_season(m, c, None),
}
