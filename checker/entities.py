"""Comparison keys for names: "Mr. Kim", "Kim Jong-un" and "Kim Jong Un" are one person.

Two articles only disagree about a person if the comparator knows they mean the same
person, and news copy names people many ways: with titles ("Gen. Shoigu"), in other
transliterations ("Sergey"), with house-style hyphens ("Jong-un"), or by surname alone.
This module folds those differences into a key and never merges what it cannot be sure
of: a surname shared by two people in a corpus stays its own entity, and a capital
("Pyongyang") is taken for its government only where it speaks or acts
(`EntityIndex.resolve_agent`), never where something happens: it is also a place.

Titles are kept as descriptors, and `parse_title` reads them so that a person's title
can be compared within an article ("Defense Minister" vs "Foreign Minister" is a change,
"Defense Minister" vs "minister" a shorter form, "Gen." vs "Defense Minister" two things
one person can be at once).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from checker import lexicon as lx
from checker.text import fold


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# --- spelling ---------------------------------------------------------------------------
_SPELLING = {
    "grey": "gray", "tyre": "tire", "tyres": "tires", "aluminium": "aluminum",
    "jewellery": "jewelry", "sceptical": "skeptical", "sceptic": "skeptic", "plough": "plow",
    "mould": "mold", "ageing": "aging", "judgement": "judgment", "programme": "program",
    "programmes": "programs", "kilogramme": "kilogram", "catalogue": "catalog",
    "analogue": "analog", "dialogue": "dialog", "manoeuvre": "maneuver",
    "manoeuvres": "maneuvers", "centred": "centered", "enrol": "enroll", "fulfil": "fulfill",
    "skilful": "skillful", "wilful": "willful", "practise": "practice", "analyse": "analyze",
    "analysed": "analyzed", "analysing": "analyzing", "paralyse": "paralyze",
    "paralysed": "paralyzed", "cheque": "check", "cheques": "checks", "pyjamas": "pajamas",
    "encyclopaedia": "encyclopedia", "anaesthetic": "anesthetic", "oestrogen": "estrogen",
}  # fmt: skip
_RULES = [
    # -our -> -or, only on known stems ("four", "hour", "tour" keep theirs)
    (
        re.compile(
            r"^(arm|col|fav|hon|lab|neighb|behavi|rum|harb|vap|hum|flav|savi?|vig|rig|"
            r"val|clam|endeav|parl|od|splend|tum|ard|cand|ferv|arb|demean)our"
        ),
        r"\1or",
    ),
    (re.compile(r"^(def|off|lic|pret)ence"), r"\1ense"),
    (
        re.compile(
            r"^(cent|met|kilomet|centimet|millimet|theat|fib|lit|calib|spect|sab|somb|lust|"
            r"meag)re(s?)$"
        ),
        r"\1er\2",
    ),
    (
        re.compile(
            r"^(travel|cancel|model|label|signal|fuel|counsel|level|marvel|quarrel|channel|"
            r"tunnel|dial|duel|equal|total|rival|shovel|unravel|grovel|jewel|libel|pedal|"
            r"barrel|funnel|snorkel|yodel|chisel|enamel|spiral|pencil|stencil)l(ed|ing|ers?|ings)$"
        ),
        r"\1\2",
    ),
]
_ISE = re.compile(r"(?<=[a-z]{3})is(e|es|ed|ing|er|ers|ation|ations|ational|able)$")
# -ise verbs that are spelled -ise in American English too (endings of the verb).
_ISE_KEEP = tuple(
    sorted(
        _words(
            """wise sunrise uprise moonrise prise vise uise spise promise premise demise surmise
        advertise expertise chastise mortise franchise merchandise paradise noise poise praise
        raise treatise valise tortoise turquoise exercise excise concise precise incise
        circumcise"""
        )
    )
)


@lru_cache(maxsize=1 << 16)
def fold_spelling(word: str) -> str:
    """Fold British spellings to American ones so words compare across house styles.

    "armoured" -> "armored", "defence" -> "defense", "organisation" -> "organization",
    "programme" -> "program", "travelling" -> "traveling", "neutralised" -> "neutralized".
    Only listed stems are touched ("four", "rogue", "promise" are left alone); the result
    is case-folded, as a comparison key. Hyphenated words are folded part by part.
    """
    if "-" in word:
        return "-".join(fold_spelling(part) for part in word.split("-"))
    w = word.casefold()
    if w in _SPELLING:
        return _SPELLING[w]
    for pattern, repl in _RULES:
        if pattern.match(w):  # a rare match: `sub` with a group reference costs a call into Python
            w = pattern.sub(repl, w)
    m = _ISE.search(w)
    if m and not (w[: m.start()] + "ise").endswith(_ISE_KEEP):
        w = w[: m.start()] + "iz" + m.group(1)
    return w


# --- names ------------------------------------------------------------------------------
# Words that name a role; a leading descriptor is dropped only if it holds one.
_TITLES = _words(
    """mr mrs ms miss mx dr prof sir dame lord gen general lt col adm admiral maj capt sgt
    colonel lieutenant captain sergeant marshal commander president premier chancellor
    minister secretary senator sen rep representative gov governor mayor ambassador envoy
    spokesman spokeswoman spokesperson leader chairman chairwoman chair ceo director chief
    adviser advisor official fellow king queen prince princess pope judge"""
)
# Words that may stand in a descriptor beside a title ("Russian Defense Minister").
_MODIFIERS = _TITLES | _words(
    """former acting deputy vice top senior prime foreign defense interior finance
    national security white house kremlin nsc state us american russian ukrainian
    chinese north south korean japanese british french german turkish israeli iranian
    indian european un united states nations the of and for supreme military army navy
    press treasury justice health council consulting research"""
)
_NOT_A_TITLE = frozenset({"general motors", "general electric", "general dynamics"})
_TRANSLIT = {
    "sergey": "sergei", "dmitri": "dmitry", "dmitriy": "dmitry", "yevgeniy": "yevgeny",
    "evgeny": "yevgeny", "evgeniy": "yevgeny", "aleksandr": "alexander",
    "aleksander": "alexander", "andrey": "andrei", "mohammed": "muhammad",
    "mohammad": "muhammad", "mohamed": "muhammad", "muhammed": "muhammad",
    "zelenskyy": "zelensky", "zelenskiy": "zelensky", "zelenskii": "zelensky",
}  # fmt: skip
# Organisation aliases that are safe to merge (first entry is the key).
_ALIAS_GROUPS = [
    ("united states", "u.s.", "us", "usa", "u.s.a.", "united states of america"),
    ("united nations", "un", "u.n."),
    ("north korea", "dprk", "democratic people's republic of korea"),
    (
        "united nations security council",
        "un security council",
        "u.n. security council",
        "unsc",
        "security council",
    ),
    ("national security council", "nsc"),
]
# Organisations a national prefix ("US", "White House") may precede without changing them.
_PREFIXABLE = frozenset({"national security council", "treasury department", "state department"})
_NATIONAL_PREFIXES = ("united states ", "us ", "white house ", "american ")
# Family name first: only these surnames are also looked up as a first token.
_FAMILY_FIRST = _words(
    """kim lee park choi cho jung jang kang yoon yun moon han lim shin oh seo kwon hwang
    ahn song ri pak xi li wang zhang liu chen yang huang zhao wu zhou hu"""
)


_PARENTHESES = re.compile(r"\([^)]*\)")  # "(NSC)"
_POSSESSIVE = re.compile(r"'s\b|(?<=s)'(?!\w)")
_PUNCTUATION = re.compile(r"[^\w\s']")  # joiners ("-", "/") too: they part words


def _tokens(name: str) -> list[str]:
    """Folded, spelling-folded, transliterated words of a name, without its leading "the"."""
    text = fold(name)
    if not text.isascii():  # ASCII has no diacritics to strip
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    if "(" in text:  # spares most names a regex call
        text = _PARENTHESES.sub(" ", text)
    words = [token for word in text.split() for token in _word_tokens(word)]
    if words[:1] == ["the"]:
        words = words[1:]
    return words


@lru_cache(maxsize=1 << 16)
def _word_tokens(word: str) -> tuple[str, ...]:
    """`_tokens` of one folded word ("jong-un's" -> "jong", "un"): each rule it applies
    stops at white space, and names share their words, so each is worked out once."""
    if "'" in word:  # spares most words a regex call
        word = _POSSESSIVE.sub("", word)
    parts = _PUNCTUATION.sub(" ", word.replace(".", "")).split()
    stripped = [part.strip("'") for part in parts]
    folded = [fold_spelling(w) if not w.endswith(("ise", "ises")) else w for w in stripped if w]
    return tuple(_TRANSLIT.get(w, w) for w in folded)


def _strip_titles(words: list[str]) -> list[str]:
    """Drop a leading descriptor ("Russian Defense Minister", "Secretary of State").

    The descriptor is the leading run of descriptor words; it is dropped only if it holds a
    title word and leaves a name that is not an organisation ("General Assembly" stays).
    """
    if " ".join(words) in _NOT_A_TITLE:
        return words
    run = 0
    while run < len(words) - 1 and words[run] in _MODIFIERS:
        run += 1
    rest = words[run:]
    if not _TITLES.isdisjoint(words[:run]) and _ORG_WORDS.isdisjoint(rest):
        return rest
    return words


def _key(name: str) -> str:
    return " ".join(_tokens(name))


_ALIASES = {_key(alias): group[0] for group in _ALIAS_GROUPS for alias in group}


@lru_cache(maxsize=1 << 16)
def canonical_name(name: str) -> str:
    """A comparison key for a person or organisation name.

    Case, curly quotes, diacritics, possessives and hyphens are folded ("Kim Jong-un's"
    -> "kim jong un"); a leading title is dropped ("Gen. Shoigu" -> "shoigu") because the
    caller keeps titles as descriptors; common transliterations are unified ("Sergey" ->
    "sergei"); and a few safe aliases merge ("U.S." -> "united states", "UNSC" -> "united
    nations security council"). Capitals are never merged with their governments.
    """
    parts = name.split(",")  # "Shoigu, the defence minister"; "NSC spokesperson, Adrienne Watson"
    words = _tokens(parts[0])
    if len(parts) > 1 and words and all(w in _MODIFIERS for w in words):
        words = _tokens(parts[1])
    key = " ".join(_strip_titles(words))
    key = _ALIASES.get(key, key)
    if not key.startswith(_NATIONAL_PREFIXES):
        return key
    for prefix in _NATIONAL_PREFIXES:
        rest = key.removeprefix(prefix)
        if rest != key and _ALIASES.get(rest, rest) in _PREFIXABLE:
            return _ALIASES.get(rest, rest)
    return key


_ORG_WORDS = _words(
    """council university department ministry house times group institute agency committee
    party army forces force union nations states republic korea russia china bank company
    corp inc news press post journal organization program center office court parliament
    assembly government administration kremlin pentagon treasury security national
    international federation association foundation fund league network service club
    media channel tv radio"""
)


@lru_cache(maxsize=1 << 16)
def _citations(key: str) -> tuple[str, ...]:
    """The surnames a full personal name can be cited by (the last word, or a family name
    first), or none when `key` is no full personal name (one word, an organisation).

    One cached function for both questions: `EntityIndex` asks them of every name of every
    article and story, and a key's answer never changes."""
    words = key.split()
    if not (
        2 <= len(words) <= 4
        and key not in _ALIASES.values()
        and all(w.isalpha() for w in words)
        and not any(w in _ORG_WORDS or w in ("of", "and", "for") for w in words)
    ):
        return ()
    if words[0] in _FAMILY_FIRST and words[0] != words[-1]:
        return words[-1], words[0]
    return (words[-1],)


def name_variants_match(a: str, b: str) -> bool:
    """True when two names can denote the same entity on their own evidence.

    Equal keys match, and so does a bare surname with a full name that ends in it (or,
    for family-name-first names such as "Kim Jong Un", begins with it). Whether a bare
    surname is unambiguous in a whole corpus is `EntityIndex`'s question.
    """
    ka, kb = canonical_name(a), canonical_name(b)
    if not ka or not kb:
        return False
    if ka == kb:
        return True
    short, full = sorted((ka, kb), key=lambda k: (len(k.split()), k))
    return " " not in short and short in _citations(full)


class EntityIndex:
    """Resolves the names of one corpus to entity ids, merging only what is unambiguous."""

    def __init__(self, names: Iterable[str]) -> None:
        """Index every full personal name by the surname(s) it can be cited by."""
        keys = {name: canonical_name(name) for name in names}
        # each surname's first full name; a surname another full name cites too is
        # ambiguous (no set of full names per surname: most have one)
        by_surname: dict[str, str] = {}
        ambiguous: list[str] = []
        for key in keys.values():
            for surname in _citations(key):
                if by_surname.setdefault(surname, key) != key:
                    ambiguous.append(surname)
        self._surnames = frozenset(by_surname)  # the ambiguous ones too
        for surname in ambiguous:
            by_surname.pop(surname, None)
        self._by_surname = by_surname
        # The indexed names are resolved here, from the keys at hand: their callers
        # resolve each of them next, and `canonical_name`'s cache costs a call each.
        self._resolved = {name: _entity(key, by_surname) for name, key in keys.items()}

    def resolve_agent(self, name: str) -> str:
        """`resolve` for a name that speaks or acts: a seat of government is its country.

        "Pyongyang said" and "North Korea said", "the Kremlin denied" and "Russia denied"
        have one source. Only for agents (speakers, subjects of what a government does),
        never for places; and never for a name the corpus also gives a person
        ("Washington" stays a Washington when someone is called that).
        """
        key = self.resolve(name)
        country = lx.SEATS_OF_GOVERNMENT.get(key)
        if country is None or key in self._surnames:
            return key
        return country

    def resolve(self, name: str) -> str:
        """The entity id of `name`: its canonical key, or the one full name it abbreviates.

        "Mr. Kim" and "Kim" resolve to "kim jong un" when he is the only Kim of the
        corpus; with two Kims they stay "kim" (ambiguous, never merged). The result does
        not depend on the order the names were indexed in.
        """
        found = self._resolved.get(name)
        if found is None:
            found = self._resolved[name] = _entity(canonical_name(name), self._by_surname)
        return found


def _entity(key: str, by_surname: dict[str, str]) -> str:
    """`EntityIndex.resolve` of a name whose canonical key is `key`, given the index's
    unambiguous surnames."""
    return key if " " in key or not key else by_surname.get(key, key)


# --- titles -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Title:
    """What a descriptor says a person is: offices, ranks, portfolios ("Defense Minister")."""

    text: str  # the descriptor as written
    offices: frozenset[str]  # office heads: "minister", "spokesperson"
    ranks: frozenset[str]  # military ranks: "general"
    grades: frozenset[str]  # words that make an office another one: "deputy", "prime"
    portfolios: frozenset[str]  # "defense", "state" (Secretary of State)
    dated: bool  # "former", "then-", "new": not (only) the person's title now


_TITLE_SPLIT = re.compile(r"[^\w]+")
_POSSESSOR = re.compile(r"\w['’]s\s")  # "putin's spokesman": the title after it
_TITLE_TAIL = frozenset("to for under at in with from by".split())


@lru_cache(maxsize=1 << 12)
def parse_title(descriptor: str) -> Title | None:
    """The title a descriptor holds, or None when it holds no office and no rank.

    "Russian Defense Minister" -> office minister, portfolio defense; "the defence
    minister of Russia" -> the same; "spokeswoman" -> office spokesperson (gender is
    pronoun_gender's question); "Lt. Gen." -> rank general; "former Defense Minister" ->
    dated. Honorifics ("Mr.", "Dr."), demonyms and roles that are not offices ("leader",
    "official", "expert", "fellow") hold no title. Another's title is not the person's:
    what precedes a possessive ("President Putin's spokesman") or follows "to", "for" ...
    ("aide to President Putin") is read for a portfolio at most ("Minister for Foreign
    Affairs"). A press secretary is a spokesperson, a premier a prime minister.
    """
    text = unicodedata.normalize("NFKD", fold(descriptor))
    text = _POSSESSOR.split(text)[-1]
    words = [fold_spelling(w) for w in _TITLE_SPLIT.split(text) if w]
    offices: set[str] = set()
    ranks: set[str] = set()
    grades: set[str] = set()
    portfolios: set[str] = set()
    dated = False
    tail = False  # past "to", "for" ...: someone else's title, or a portfolio
    for i, word in enumerate(words):
        prev = words[i - 1] if i else ""
        if word in _TITLE_TAIL:
            tail = True
        elif tail:
            if word in lx.PORTFOLIOS:
                portfolios.add(word)
        elif word in lx.TITLE_TIME_MARKERS:
            dated = True
        elif word == "general" and prev in lx.GENERAL_OFFICES:
            offices.discard(lx.OFFICE_HEADS.get(prev, prev))
            offices.add(f"{prev} general")
        elif word == "secretary" and prev == "press":
            offices.add("spokesperson")
        elif word == "premier":
            offices.add("minister")
            grades.add("prime")
        elif word in lx.OFFICE_HEADS:
            offices.add(lx.OFFICE_HEADS[word])
        elif word in lx.RANK_HEADS:
            ranks.add(lx.RANK_HEADS[word])
        elif word in lx.OFFICE_RANKS and prev not in lx.RANK_PREFIXES:
            grades.add("vice" if word == "deputy" else word)
        elif word in lx.PORTFOLIOS:
            portfolios.add(word)
    if "vice" in grades and ranks and not offices:
        grades.discard("vice")  # "Vice Adm.": a rank, not a vice-office
    if not offices and not ranks:
        return None
    return Title(
        descriptor,
        frozenset(offices),
        frozenset(ranks),
        frozenset(grades),
        frozenset(portfolios),
        dated,
    )


def titles_conflict(a: Title, b: Title) -> str | None:
    """Why two current titles cannot both be one person's, or None when they can.

    A shorter form is compatible ("Defense Minister" / "minister"), and so are an office
    and a rank ("Gen." / "Defense Minister"). Two ranks, two portfolios of one office,
    an office with and without "deputy"/"vice"/"prime", or two different offices conflict
    (the last can be two offices held at once: the caller says so).
    """
    if a.dated or b.dated:
        return None
    if a.ranks and b.ranks and a.ranks.isdisjoint(b.ranks):
        return "ranks"
    if not a.offices or not b.offices:
        return None
    shared = a.offices & b.offices
    same_portfolio = bool(a.portfolios & b.portfolios)
    if not shared:
        portfolio_offices = lx.PORTFOLIO_HEADS - {"adviser"}
        if a.offices <= portfolio_offices and b.offices <= portfolio_offices and same_portfolio:
            return None  # "Foreign Secretary" and "Foreign Minister"
        return "offices"
    if a.grades != b.grades:
        return "grades"
    if (
        shared & lx.PORTFOLIO_HEADS
        and a.portfolios
        and b.portfolios
        and a.portfolios.isdisjoint(b.portfolios)
    ):
        return "portfolios"
    return None
