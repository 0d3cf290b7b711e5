"""Names of the seed cluster fold to one key per entity, and ambiguity is never merged."""

from __future__ import annotations

import itertools
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checker import entities
from checker.entities import (
    EntityIndex,
    canonical_name,
    fold_spelling,
    name_variants_match,
    parse_title,
    titles_conflict,
)


@pytest.mark.parametrize(
    ("names", "key"),
    [
        (
            [
                "Kim Jong Un",
                "Kim Jong-un",
                "Kim Jong-Un",
                "KIM JONG UN",
                "Kim Jong Un’s",
                "Kim Jong Un's",
                "North Korean leader Kim Jong Un",
            ],
            "kim jong un",
        ),
        (
            [
                "Sergei Shoigu",
                "Sergey Shoigu",
                "Russian Defense Minister Sergei Shoigu",
                "Russian Defence Minister Sergey Shoigu",
                "Defense Minister Sergei Shoigu",
                "Sergei Shoigu, the defence minister of Russia",
            ],
            "sergei shoigu",
        ),
        (["Shoigu", "Gen. Shoigu", "General Shoigu", "Shoigu’s"], "shoigu"),
        (["Kim", "Mr. Kim", "Mr Kim"], "kim"),
        (
            ["Dmitry Peskov", "Dmitri Peskov", "Dmitriy Peskov", "Kremlin spokesman Dmitry Peskov"],
            "dmitry peskov",
        ),
        (
            [
                "Adrienne Watson",
                "US National Security Council spokeswoman Adrienne Watson",
                "US National Security Council spokesperson Adrienne Watson",
                "NSC spokesperson, Adrienne Watson",
            ],
            "adrienne watson",
        ),
        (
            [
                "Jake Sullivan",
                "U.S. National Security Adviser Jake Sullivan",
                "US national security advisor Jake Sullivan",
            ],
            "jake sullivan",
        ),
        (["John Kirby", "White House spokesman John Kirby"], "john kirby"),
        (["Vladimir Putin", "President Vladimir Putin"], "vladimir putin"),
        (["Yevgeny Prigozhin", "Evgeny Prigozhin", "Yevgeniy Prigozhin"], "yevgeny prigozhin"),
        (["Alexander Matsegora", "Aleksandr Matsegora"], "alexander matsegora"),
        (
            ["Volodymyr Zelensky", "Volodymyr Zelenskyy", "Volodymyr Zelenskiy"],
            "volodymyr zelensky",
        ),
        (
            ["Mohammed bin Salman", "Muhammad bin Salman", "Mohamed bin Salman"],
            "muhammad bin salman",
        ),
        (["Recep Tayyip Erdogan", "Recep Tayyip Erdoğan"], "recep tayyip erdogan"),
        (["Keir Giles", "Senior Consulting Fellow Keir Giles"], "keir giles"),
        (
            ["US", "U.S.", "United States", "the United States", "The United States", "USA"],
            "united states",
        ),
        (["UN", "U.N.", "United Nations", "the United Nations"], "united nations"),
        (
            ["North Korea", "DPRK", "Democratic People's Republic of Korea"],
            "north korea",
        ),
        (
            [
                "UN Security Council",
                "UNSC",
                "United Nations Security Council",
                "United Nations Security Council (UNSC)",
                "Security Council",
                "the UN Security Council",
            ],
            "united nations security council",
        ),
        (
            [
                "National Security Council",
                "NSC",
                "US National Security Council",
                "The White House's National Security Council (NSC)",
            ],
            "national security council",
        ),
        (["The New York Times", "New York Times"], "new york times"),
    ],
)
def test_canonical_name(names: list[str], key: str) -> None:
    assert {canonical_name(n) for n in names} == {key}


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Pyongyang", "North Korea"),
        ("Moscow", "Russia"),
        ("the Kremlin", "Russia"),
        ("Washington", "United States"),
        ("Kim Jong Un", "Kim Yo Jong"),
        ("Sergei Shoigu", "Sergei Lavrov"),
        ("National Security Council", "UN Security Council"),
        ("General Motors", "Motors Inc"),
        ("UN General Assembly", "Assembly"),
        ("North Korea", "South Korea"),
        ("Vladimir Putin", "Volodymyr Zelensky"),
    ],
)
def test_different_entities_keep_different_keys(a: str, b: str) -> None:
    assert canonical_name(a) != canonical_name(b)
    assert not name_variants_match(a, b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Kim", "Kim Jong Un"),
        ("Mr. Kim", "North Korean leader Kim Jong Un"),
        ("Gen. Shoigu", "Sergey Shoigu"),
        ("Shoigu", "Russian Defense Minister Sergei Shoigu"),
        ("Watson", "Adrienne Watson"),
        ("Mr. Putin", "Vladimir Putin"),
        ("Kim Jong-un", "Kim Jong Un"),
        ("US", "the United States"),
        ("Park", "Park Won-gon"),
    ],
)
def test_name_variants_match(a: str, b: str) -> None:
    assert name_variants_match(a, b)
    assert name_variants_match(b, a)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Adrienne", "Adrienne Watson"),  # a first name is not a surname
        ("Jong", "Kim Jong Un"),
        ("Korea", "North Korea"),  # not a person
        ("Council", "National Security Council"),
        ("Times", "The New York Times"),
        ("Kim", "Sergei Shoigu"),
        ("", "Kim"),
    ],
)
def test_name_variants_do_not_match(a: str, b: str) -> None:
    assert not name_variants_match(a, b)
    assert not name_variants_match(b, a)


SEED_NAMES = [
    "Kim Jong Un",
    "Kim Jong-un",
    "Mr. Kim",
    "Kim",
    "Sergei Shoigu",
    "Sergey Shoigu",
    "Gen. Shoigu",
    "Shoigu",
    "Vladimir Putin",
    "Mr. Putin",
    "Putin",
    "Adrienne Watson",
    "Jake Sullivan",
    "Sullivan",
    "Dmitry Peskov",
    "John Kirby",
    "Mr. Kirby",
    "North Korea",
    "Pyongyang",
]


@pytest.mark.parametrize(
    ("name", "entity"),
    [
        ("Kim", "kim jong un"),
        ("Mr. Kim", "kim jong un"),
        ("Kim Jong-un", "kim jong un"),
        ("Shoigu", "sergei shoigu"),
        ("Gen. Shoigu", "sergei shoigu"),
        ("Mr. Putin", "vladimir putin"),
        ("Sullivan", "jake sullivan"),
        ("Mr. Kirby", "john kirby"),
        ("Watson", "adrienne watson"),
        ("Peskov", "dmitry peskov"),
        ("Pyongyang", "pyongyang"),  # never merged with North Korea
        ("Korea", "korea"),
        ("Matsegora", "matsegora"),  # not in the index: stays itself
    ],
)
def test_index_resolves_short_forms(name: str, entity: str) -> None:
    assert EntityIndex(SEED_NAMES).resolve(name) == entity


def test_index_keeps_ambiguous_surnames_apart() -> None:
    index = EntityIndex(["Kim Jong Un", "Kim Yo Jong", "Mr. Kim", "Sergei Shoigu"])
    assert index.resolve("Kim") == "kim"
    assert index.resolve("Mr. Kim") == "kim"
    assert index.resolve("Kim Yo Jong") == "kim yo jong"
    assert index.resolve("Kim Jong-un") == "kim jong un"
    assert index.resolve("Shoigu") == "sergei shoigu"
    both = EntityIndex(["Anna Smith", "John Smith"])
    assert both.resolve("Ms. Smith") == "smith"


@pytest.mark.parametrize(
    ("name", "agent"),
    [
        ("Pyongyang", "north korea"),
        ("the Kremlin", "russia"),
        ("Moscow", "russia"),
        ("The White House", "united states"),
        ("Washington", "united states"),
        ("North Korea", "north korea"),
        ("Vladivostok", "vladivostok"),  # a city, not a seat of government
        ("Mr. Kim", "kim jong un"),  # people are resolved as usual
    ],
)
def test_a_seat_of_government_that_acts_is_its_country(name: str, agent: str) -> None:
    assert EntityIndex(SEED_NAMES).resolve_agent(name) == agent


def test_a_seat_of_government_stays_itself_outside_agents() -> None:
    index = EntityIndex(SEED_NAMES)
    assert index.resolve("Pyongyang") == "pyongyang"
    assert canonical_name("Moscow") == "moscow"


@pytest.mark.parametrize(
    "names", [["George Washington"], ["George Washington", "Denzel Washington"]]
)
def test_a_capital_that_is_also_a_surname_in_the_corpus_is_never_a_government(
    names: list[str],
) -> None:
    assert EntityIndex(names).resolve_agent("Washington") != "united states"


@pytest.mark.parametrize(
    ("a", "b", "why"),
    [
        ("Defense Minister", "Foreign Minister", "portfolios"),
        ("Russian Defense Minister", "the foreign minister of Russia", "portfolios"),
        ("Secretary of State", "Defense Secretary", "portfolios"),
        ("spokeswoman", "Defense Minister", "offices"),
        ("President", "Prime Minister", "offices"),
        ("Deputy Foreign Minister", "Foreign Minister", "grades"),
        ("Vice President", "President", "grades"),
        ("Gen.", "Col.", "ranks"),
        ("Adm.", "Gen.", "ranks"),
        ("Minister for Foreign Affairs", "Defense Minister", "portfolios"),
        ("aide to President Putin", "Ambassador", None),  # Putin's title is not the aide's
        ("President Putin's spokesman", "Ambassador", "offices"),
    ],
)
def test_titles_that_conflict(a: str, b: str, why: str | None) -> None:
    ta, tb = parse_title(a), parse_title(b)
    if why is None:  # one of them holds no title of the person's own
        assert ta is None or tb is None
        return
    assert ta is not None and tb is not None
    assert titles_conflict(ta, tb) == why
    assert titles_conflict(tb, ta) == why


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Defense Minister", "minister"),  # a shorter form
        ("Russian Defense Minister", "the defence minister of Russia"),
        ("Russian Defense Minister", "Gen."),  # an office and a rank: both at once
        ("spokeswoman", "spokesman"),  # gender: pronoun_gender's question
        ("US National Security Council spokeswoman", "NSC spokesperson"),
        ("White House spokesman", "spokesperson for the Kremlin"),  # one office
        ("Foreign Secretary", "Foreign Minister"),  # one office, two countries' names
        ("Lt. Gen.", "Gen."),
        ("Vice Adm.", "Adm."),
        ("U.S. National Security Adviser", "national security advisor"),
        ("former Defense Minister", "Security Council Secretary"),  # dated
        ("then-Defense Minister", "Foreign Minister"),
        ("the new foreign minister", "Defense Minister"),
        ("Kremlin spokesman", "Putin's press secretary"),  # a press secretary speaks
        ("Premier", "Prime Minister"),
        ("Minister for Foreign Affairs", "Foreign Minister"),
        ("North Korea’s Defense Minister", "Defense Minister"),
    ],
)
def test_titles_that_do_not_conflict(a: str, b: str) -> None:
    ta, tb = parse_title(a), parse_title(b)
    assert ta is not None and tb is not None
    assert titles_conflict(ta, tb) is None
    assert titles_conflict(tb, ta) is None


@pytest.mark.parametrize(
    "descriptor",
    ["Mr.", "Dr", "North Korean leader", "official", "North Korea expert at Kookmin University",
     "Senior Consulting Fellow", "Turkish", "news agency", "Moscow's envoy to Pyongyang"],
)  # fmt: skip
def test_descriptors_that_are_not_titles(descriptor: str) -> None:
    assert parse_title(descriptor) is None


def test_index_is_independent_of_input_order() -> None:
    names = ["Kim Jong Un", "Kim", "Gen. Shoigu", "Sergei Shoigu", "Kim Yo Jong", "Putin"]
    probes = ["Kim", "Shoigu", "Putin", "Kim Yo Jong", "Jong"]
    results = {
        tuple(EntityIndex(order).resolve(p) for p in probes)
        for order in itertools.permutations(names)
    }
    assert len(results) == 1


@pytest.mark.parametrize(
    ("word", "folded"),
    [
        ("armoured", "armored"),
        ("defence", "defense"),
        ("Defence", "defense"),
        ("organisation", "organization"),
        ("organisations", "organizations"),
        ("programme", "program"),
        ("Programme", "program"),
        ("labour", "labor"),
        ("labourers", "laborers"),
        ("travelling", "traveling"),
        ("travelled", "traveled"),
        ("emphasise", "emphasize"),
        ("neutralised", "neutralized"),
        ("highly-scrutinised", "highly-scrutinized"),
        ("centre", "center"),
        ("favourite", "favorite"),
        ("recognised", "recognized"),
        ("criticise", "criticize"),
    ],
)
def test_fold_spelling(word: str, folded: str) -> None:
    assert fold_spelling(word) == folded


@pytest.mark.parametrize(
    "word",
    [
        *("four", "hour", "tour", "rogue", "promise", "surprised", "advise", "exercise"),
        *("otherwise", "rise", "crises", "armored", "defense", "program", "enterprise"),
    ],
)
def test_fold_spelling_leaves_other_words(word: str) -> None:
    assert fold_spelling(word) == word


def _whole_name_tokens(name: str) -> list[str]:
    """`entities._tokens` as it was written before it worked word by word: each step on
    the whole name."""
    text = unicodedata.normalize("NFKD", entities.fold(name))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = entities._PARENTHESES.sub(" ", text)
    text = entities._POSSESSIVE.sub("", text)
    text = entities._PUNCTUATION.sub(" ", text.replace(".", ""))
    words = [w.strip("'") for w in text.split() if w.strip("'")]
    if words[:1] == ["the"]:
        words = words[1:]
    words = [fold_spelling(w) if not w.endswith(("ise", "ises")) else w for w in words]
    return [entities._TRANSLIT.get(w, w) for w in words]


# Pieces of names with everything a step of `_tokens` reads, and the odd characters
# that normalisation turns into spaces, parentheses or combining marks.
_NAME_PIECES = [
    *("Kim", "Jong-un's", "Sergey", "José", "the", "The", "Gen.", "U.S.", "(NSC)", "(", ")"),
    *("Zelenskiy’s", "Jones'", "'s", "'", "’", "s'", "o'neill", "armoured", "Organisation"),
    *("franchise", "a/b", "n°", "¨", "（NSC）", "⑴", "ß", "Ⅻ", "e\u0301", ".", "-", "_x_"),
]


@given(
    st.lists(
        st.tuples(st.sampled_from(_NAME_PIECES), st.sampled_from(["", " ", "\u00a0", "\t"])),
        max_size=6,
    )
)
def test_tokens_are_those_of_the_whole_name(pieces: list[tuple[str, str]]) -> None:
    name = "".join(piece + gap for piece, gap in pieces)
    assert entities._tokens(name) == _whole_name_tokens(name)


# Names drawn from a few given names and surnames, so that surnames collide often, with
# titles, family-name-first names and organisations among them.
_INDEX_WORDS = (
    "Kim Jong Un Yo Anna John Smith Lee Mr. Gen. Shoigu Sergei Council Security the Park Li"
).split()
_INDEX_NAMES = st.lists(
    st.builds(" ".join, st.lists(st.sampled_from(_INDEX_WORDS), min_size=1, max_size=4)),
    max_size=12,
)


@given(_INDEX_NAMES, st.lists(st.sampled_from(["Kim", "Smith", "Li", "Mr. Lee", "Un"])))
def test_index_equals_a_set_of_full_names_per_surname(names: list[str], more: list[str]) -> None:
    """EntityIndex keeps each surname's first full name and drops those cited by two:
    the same index as one built from the set of full names citing each surname."""
    keys = {name: canonical_name(name) for name in names}
    fulls: dict[str, set[str]] = {}
    for key in keys.values():
        for surname in entities._citations(key):
            fulls.setdefault(surname, set()).add(key)
    unique = {s: min(f) for s, f in fulls.items() if len(f) == 1}

    def entity(key: str) -> str:
        return key if " " in key or not key else unique.get(key, key)

    index = EntityIndex(names)
    assert index._surnames == frozenset(fulls)  # resolve_agent's test, the ambiguous too
    for name in [*names, *more]:
        assert index.resolve(name) == entity(canonical_name(name))
