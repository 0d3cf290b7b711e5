"""Each comparator rule: what must fire, and what must not."""

from __future__ import annotations

import datetime as dt
import random
import re
from typing import Any

import pytest

from checker.compare import compare_claims, compare_story
from checker.models import Article, Claim, EntityMention, Evidence, Extraction, Quantity

TUESDAY = dt.date(2023, 9, 5)


def article(aid: str, text: str, published: dt.date | None = TUESDAY) -> Article:
    return Article(id=aid, path=f"{aid}.txt", text=text, published=published)


def ev(a: Article, quote: str) -> Evidence:
    found = Evidence.locate(a, quote)
    assert found is not None, quote
    return found


def claim(a: Article, sentence: str, **slots: Any) -> Claim:
    slots.setdefault("predicate", "say")
    return Claim(article=a.id, evidence=ev(a, sentence), **slots)


def person(
    a: Article,
    sentence: str,
    name: str,
    gender: str | None = None,
    cue: str | None = None,
    descriptors: tuple[str, ...] = (),
) -> EntityMention:
    return EntityMention(
        article=a.id,
        text=name,
        kind="person",
        gender=gender,
        cue=cue,
        descriptors=descriptors,
        evidence=ev(a, sentence),
    )  # type: ignore[arg-type]


def run(*pairs: tuple[Article, list[Claim], list[EntityMention]]) -> list[Any]:
    articles = [p[0] for p in pairs]
    extractions = [
        Extraction(article=a.id, extractor="test", claims=tuple(c), mentions=tuple(m))
        for a, c, m in pairs
    ]
    return list(compare_claims(articles, extractions))


def kinds(flags: list[Any]) -> list[str]:
    return [f.kind for f in flags]


# -- self reference --------------------------------------------------------------------------


def test_self_reference_fires_when_a_party_joins_itself() -> None:
    s = "Russia and China have joined China in opposing further sanctions."
    a = article("a", s)
    flags = run(
        (a, [claim(a, s, subject="Russia and China", predicate="join", object="China")], [])
    )
    assert kinds(flags) == ["self_reference"]
    assert flags[0].severity == "high"
    assert flags[0].evidence[0].quote == s


def test_self_reference_silent_for_a_normal_alliance() -> None:
    s = "Russia has joined China in opposing new sanctions."
    a = article("a", s)
    flags = run((a, [claim(a, s, subject="Russia", predicate="join", object="China")], []))
    assert flags == []


# -- date sanity -----------------------------------------------------------------------------


def test_undated_month_after_publication_is_flagged_as_last_year() -> None:
    s = "In November, a representative of the defence ministry stated that it had no plan."
    a = article("a", s)
    flags = run((a, [claim(a, s, speaker="a representative", time="In November")], []))
    assert kinds(flags) == ["date_sanity"]
    assert "2022-11" in flags[0].summary


@pytest.mark.parametrize("time", ["In August", "last month", "recently", "Monday"])
def test_past_dates_before_publication_are_not_flagged(time: str) -> None:
    s = f"{time} the US imposed sanctions on three entities."
    a = article("a", s)
    flags = run((a, [claim(a, s, subject="the US", predicate="sanction", time=time)], []))
    assert flags == []


def test_future_plans_are_not_date_sanity_problems() -> None:
    s = "Kim plans to travel to Russia next week."
    a = article("a", s)
    flags = run(
        (
            a,
            [claim(a, s, subject="Kim", predicate="travel", time="next week", modality="planned")],
            [],
        )
    )
    assert flags == []


# -- statement dates -------------------------------------------------------------------------

MONDAY_SAYS = "Adrienne Watson said Monday that arms talks between Russia and North Korea were making active progress."
SEPT5_SAYS = "On Sept. 5, John Kirby said talks between Russia and North Korea about weapons transfers were actively advancing."
TUESDAY_SAYS = "A US source stated on Tuesday that arms talks between Russia and North Korea are actively progressing."


def _statement(
    aid: str, text: str, speaker: str, time: str
) -> tuple[Article, list[Claim], list[EntityMention]]:
    a = article(aid, text)
    content = text.split(" that ", 1)[-1] if " that " in text else text.split(" said ", 1)[-1]
    return a, [claim(a, text, speaker=speaker, time=time, content=content, modality="reported")], []


def test_same_statement_on_different_days_is_flagged_with_all_evidence() -> None:
    flags = run(
        _statement("a", MONDAY_SAYS, "Adrienne Watson", "Monday"),
        _statement("b", SEPT5_SAYS, "John Kirby", "On Sept. 5"),
        _statement("c", TUESDAY_SAYS, "A US source", "on Tuesday"),
    )
    dates = [f for f in flags if f.kind == "date"]
    assert len(dates) == 1
    assert dates[0].articles == ("a", "b", "c")
    assert "2023-09-04" in dates[0].summary and "2023-09-05" in dates[0].summary


def test_tuesday_and_sept_5_agree() -> None:
    flags = run(
        _statement("b", SEPT5_SAYS, "John Kirby", "On Sept. 5"),
        _statement("c", TUESDAY_SAYS, "A US source", "on Tuesday"),
    )
    assert "date" not in kinds(flags)


def test_weekday_is_anchored_to_each_articles_own_publication_date() -> None:
    # Published on Monday Sept. 4, "Monday" is Sept. 4; published Tuesday, "Monday" is too.
    a = article("a", MONDAY_SAYS, published=dt.date(2023, 9, 4))
    c = article("c", MONDAY_SAYS.replace("Adrienne Watson", "Ms. Watson"))
    content = MONDAY_SAYS.split(" that ", 1)[1]
    flags = run(
        (a, [claim(a, MONDAY_SAYS, speaker="Adrienne Watson", time="Monday", content=content)], []),
        (c, [claim(c, c.text, speaker="Ms. Watson", time="Monday", content=content)], []),
    )
    assert "date" not in kinds(flags)


def test_different_statements_by_opposing_sides_are_not_merged() -> None:
    kremlin = "The Kremlin said Tuesday it had nothing to say about claims that Kim plans to travel to Russia to meet Putin and discuss weapons supplies."
    us = "Kim expects to travel to Russia to meet Putin to discuss providing weapons, the United States said Monday."
    a, b = article("a", kremlin), article("b", us)
    flags = run(
        (
            a,
            [
                claim(
                    a,
                    kremlin,
                    speaker="The Kremlin",
                    time="Tuesday",
                    content=kremlin.split("it had ", 1)[1],
                )
            ],
            [],
        ),
        (
            b,
            [
                claim(
                    b,
                    us,
                    speaker="the United States",
                    time="Monday",
                    content=us.split(", the United", 1)[0],
                )
            ],
            [],
        ),
    )
    assert "date" not in kinds(flags)


# -- attribution -----------------------------------------------------------------------------


def test_same_quote_given_to_two_officials_is_flagged() -> None:
    s1 = "White House spokesman John Kirby said talks were “actively advancing.”"
    s2 = 'Spokeswoman Adrienne Watson said that "arms negotiations between Russia and the DPRK are actively advancing," she added.'
    a, b = article("a", s1), article("b", s2)
    flags = run(
        (
            a,
            [claim(a, s1, speaker="John Kirby", quote="actively advancing")],
            [person(a, s1, "John Kirby", "male", "spokesman", ("White House spokesman",))],
        ),
        (
            b,
            [
                claim(
                    b,
                    s2,
                    speaker="Adrienne Watson",
                    quote="arms negotiations between Russia and the DPRK are actively advancing",
                )
            ],
            [person(b, s2, "Adrienne Watson")],
        ),
    )
    attribution = [f for f in flags if f.kind == "attribution"]
    assert len(attribution) == 1
    assert "John Kirby" in attribution[0].summary and "Adrienne Watson" in attribution[0].summary


def test_organisation_and_its_spokesman_do_not_conflict() -> None:
    s1 = "The Kremlin said it had “nothing to say” about the reports."
    s2 = "Kremlin spokesman Dmitry Peskov said he had “nothing to say” about them."
    a, b = article("a", s1), article("b", s2)
    flags = run(
        (a, [claim(a, s1, speaker="The Kremlin", quote="nothing to say")], []),
        (
            b,
            [claim(b, s2, speaker="Dmitry Peskov", quote="nothing to say")],
            [person(b, s2, "Dmitry Peskov")],
        ),
    )
    assert "attribution" not in kinds(flags)


def test_spelling_variants_of_one_speaker_are_one_person() -> None:
    s1 = "Kim Jong Un said the trip was “a new chapter of friendship.”"
    s2 = "Kim Jong-un called it “a new chapter of friendship,” Mr. Kim said."
    a, b = article("a", s1), article("b", s2)
    flags = run(
        (
            a,
            [claim(a, s1, speaker="Kim Jong Un", quote="a new chapter of friendship")],
            [person(a, s1, "Kim Jong Un")],
        ),
        (
            b,
            [claim(b, s2, speaker="Kim Jong-un", quote="a new chapter of friendship")],
            [person(b, s2, "Kim Jong-un")],
        ),
    )
    assert "attribution" not in kinds(flags)


# -- pronouns and gender ---------------------------------------------------------------------


def test_spokeswoman_then_his_is_flagged() -> None:
    s1 = "US National Security Council spokeswoman Adrienne Watson said Monday that talks were advancing."
    s2 = "His comments came after the New York Times quoted unnamed officials."
    a = article("a", f"{s1}\n{s2}")
    flags = run(
        (
            a,
            [],
            [
                person(a, s1, "Adrienne Watson", "female", "spokeswoman"),
                person(a, s2, "Adrienne Watson", "male", "His"),
            ],
        )
    )
    assert kinds(flags) == ["pronoun_gender"]
    assert {e.quote for e in flags[0].evidence} == {s1, s2}


def test_consistent_pronouns_do_not_fire() -> None:
    s1 = "Spokeswoman Adrienne Watson said talks were advancing."
    s2 = "She added that a summit was planned."
    a = article("a", f"{s1}\n{s2}")
    flags = run(
        (
            a,
            [],
            [
                person(a, s1, "Adrienne Watson", "female", "Spokeswoman"),
                person(a, s2, "Adrienne Watson", "female", "She"),
            ],
        )
    )
    assert flags == []


def test_pronouns_in_different_articles_are_not_compared() -> None:
    s1 = "Kim said his trip was planned."
    s2 = "Kim said her trip was planned."
    a, b = article("a", s1), article("b", s2)
    flags = run(
        (a, [], [person(a, s1, "Kim", "male", "his")]),
        (b, [], [person(b, s2, "Kim", "female", "her")]),
    )
    assert "pronoun_gender" not in kinds(flags)


# -- numbers ---------------------------------------------------------------------------------


def _sanctions(
    aid: str,
    count: str,
    value: float,
    time: str = "In August",
    qualifier: str = "exact",
    modality: str = "asserted",
) -> tuple[Article, list[Claim], list[EntityMention]]:
    s = f"{time}, the United States imposed sanctions on {count} entities."
    a = article(aid, s)
    q = Quantity(text=f"{count} entities", value=value, unit="entities", qualifier=qualifier)  # type: ignore[arg-type]
    return (
        a,
        [
            claim(
                a,
                s,
                subject="the United States",
                predicate="sanction",
                object=f"{count} entities",
                time=time,
                quantity=q,
                modality=modality,
            )
        ],
        [],
    )


def test_different_counts_for_one_event_are_flagged() -> None:
    flags = run(_sanctions("a", "three", 3), _sanctions("b", "five", 5))
    assert kinds(flags) == ["number"]
    assert flags[0].severity == "high"


def test_same_count_in_other_words_does_not_fire() -> None:
    flags = run(_sanctions("a", "three", 3), _sanctions("b", "3", 3, time="last month"))
    assert flags == []


def test_qualified_counts_within_bounds_do_not_fire() -> None:
    flags = run(
        _sanctions("a", "more than two", 2, qualifier="more_than"), _sanctions("b", "three", 3)
    )
    assert flags == []


@pytest.mark.parametrize(
    ("qualifier", "modality", "severity"),
    [
        ("exact", "asserted", "high"),
        ("about", "asserted", "medium"),
        ("exact", "speculative", "low"),
    ],
)
def test_hedged_or_qualified_counts_lower_the_severity(
    qualifier: str, modality: str, severity: str
) -> None:
    # "This month" names the same interval read as past or as future.
    flags = run(
        _sanctions("a", "three", 3, time="This month"),
        _sanctions("b", "nine", 9, time="This month", qualifier=qualifier, modality=modality),
    )
    assert [(f.kind, f.severity) for f in flags] == [("number", severity)]


def test_counts_of_events_at_different_times_are_not_compared() -> None:
    flags = run(
        _sanctions("a", "three", 3, time="In August"), _sanctions("b", "five", 5, time="In 2019")
    )
    assert flags == []


# -- places ----------------------------------------------------------------------------------


def _trip(aid: str, place: str, modality: str) -> tuple[Article, list[Claim], list[EntityMention]]:
    s = f"Kim will meet Putin in {place} later this month."
    a = article(aid, s)
    return (
        a,
        [
            claim(
                a,
                s,
                subject="Kim",
                predicate="meet",
                object="Putin",
                place=place,
                time="later this month",
                modality=modality,
            )
        ],
        [],
    )


def test_same_meeting_in_two_cities_is_flagged() -> None:
    flags = run(_trip("a", "Vladivostok", "planned"), _trip("b", "Moscow", "planned"))
    assert kinds(flags) == ["place"]


def test_speculation_about_another_city_is_only_a_low_severity_flag() -> None:
    flags = run(_trip("a", "Vladivostok", "planned"), _trip("b", "Moscow", "speculative"))
    assert [(f.kind, f.severity) for f in flags] == [("place", "low")]
    planned = run(_trip("a", "Vladivostok", "planned"), _trip("b", "Moscow", "planned"))
    assert [(f.kind, f.severity) for f in planned] == [("place", "medium")]


def test_a_city_inside_its_country_does_not_fire() -> None:
    flags = run(_trip("a", "Vladivostok", "planned"), _trip("b", "Russia", "planned"))
    assert flags == []


# -- polarity and disputes -------------------------------------------------------------------


def test_denial_against_accusation_is_disputed_not_an_error() -> None:
    s1 = "North Korea's defence ministry said the country has never supplied weapons to Russia."
    s2 = "Washington said North Korea supplied weapons and rockets to Russia for use in Ukraine."
    a, b = article("a", s1), article("b", s2)
    flags = run(
        (
            a,
            [
                claim(
                    a,
                    s1,
                    speaker="North Korea's defence ministry",
                    predicate="deny",
                    polarity="denied",
                    content="the country has never supplied weapons to Russia",
                )
            ],
            [],
        ),
        (
            b,
            [
                claim(
                    b,
                    s2,
                    speaker="Washington",
                    content="North Korea supplied weapons and rockets to Russia for use in Ukraine",
                )
            ],
            [],
        ),
    )
    assert kinds(flags) == ["disputed"]
    assert flags[0].severity == "low"


def test_unattributed_contradiction_is_a_polarity_flag() -> None:
    s1 = "The convoy reached the Donetsk border crossing on Monday."
    s2 = "The convoy never reached the Donetsk border crossing on Monday."
    a, b = article("a", s1), article("b", s2)
    flags = run(
        (
            a,
            [
                claim(
                    a,
                    s1,
                    subject="The convoy",
                    predicate="reach",
                    object="the Donetsk border crossing",
                    content=s1,
                )
            ],
            [],
        ),
        (
            b,
            [
                claim(
                    b,
                    s2,
                    subject="The convoy",
                    predicate="reach",
                    object="the Donetsk border crossing",
                    polarity="denied",
                    content=s2,
                )
            ],
            [],
        ),
    )
    assert kinds(flags) == ["polarity"]


# -- garbled quotation marks -----------------------------------------------------------------


def test_closing_quote_without_opening_is_garble() -> None:
    text = "Kim plans to travel to Russia to meet Putin There’s nothing to say.”\nNext line."
    a = article("a", text)
    flags = run((a, [], []))
    assert kinds(flags) == ["garble"]
    assert flags[0].evidence[0].quote.endswith("nothing to say.”")


def test_garble_in_a_later_paragraph_is_found_where_it_is() -> None:
    text = "First “quoted” line.\n“Open” again. It was lost.” Then more.\nLast line.”"
    flags = run((article("a", text), [], []))
    quotes = sorted(e.quote for f in flags for e in f.evidence)
    assert quotes == ["It was lost.”", "Last line.”"]


@pytest.mark.parametrize(
    "text",
    [
        "He said, “We have nothing to tell you.”",
        "“The first paragraph of a long quote.\n“And its end,” he said.",
    ],
)
def test_balanced_quotes_are_not_garble(text: str) -> None:
    assert run((article("a", text), [], [])) == []


@pytest.mark.parametrize(
    ("paragraph", "unopened"),
    [
        ("", []),
        ("no marks at all", []),
        ("“open only", []),
        ("“a” and “b”", []),
        ("“nested “inner” outer”", []),
        ("lost start” then “a”", [10]),
        ("“a” b” c”", [5, 8]),
        ("”“”", [0]),
        ("“a” ”“", [4]),
    ],
)
def test_unopened_closings_walks_marks_in_order(paragraph: str, unopened: list[int]) -> None:
    from checker.compare import _unopened_closings

    # the reference: every character in turn, an opening mark deepening, a closing one
    # closing the innermost or, at depth 0, found unopened
    depth, expected = 0, []
    for i, ch in enumerate(paragraph):
        if ch == "“":
            depth += 1
        elif ch == "”":
            if depth:
                depth -= 1
            else:
                expected.append(i)
    assert expected == unopened
    assert list(_unopened_closings(paragraph)) == unopened


# -- determinism -----------------------------------------------------------------------------


def test_flags_do_not_depend_on_input_order() -> None:
    pairs = [
        _statement("a", MONDAY_SAYS, "Adrienne Watson", "Monday"),
        _statement("b", SEPT5_SAYS, "John Kirby", "On Sept. 5"),
        _sanctions("c", "three", 3),
        _sanctions("d", "five", 5),
    ]
    baseline = run(*pairs)
    assert len(baseline) >= 2
    for seed in range(5):
        shuffled = pairs[:]
        random.Random(seed).shuffle(shuffled)
        assert run(*shuffled) == baseline


def test_evidence_quotes_are_verbatim_article_text() -> None:
    pairs = [
        _statement("a", MONDAY_SAYS, "Adrienne Watson", "Monday"),
        _statement("b", SEPT5_SAYS, "John Kirby", "On Sept. 5"),
    ]
    texts = {p[0].id: p[0].text for p in pairs}
    for flag in run(*pairs):
        for e in flag.evidence:
            assert texts[e.article][e.start : e.end] == e.quote


# -- attribution between sides: organisations, governments and their spokespeople ------------

SAID = "the talks were “actively advancing and very dangerous for Ukraine.”"
QUOTED = "actively advancing and very dangerous for Ukraine"


def _said(
    aid: str, speaker: str, lead: str | None = None, descriptors: tuple[str, ...] = ()
) -> tuple[Article, list[Claim], list[EntityMention]]:
    s = f"{lead or speaker} said {SAID}"
    a = article(aid, s)
    people = [person(a, s, speaker, descriptors=descriptors)] if lead or descriptors else []
    return a, [claim(a, s, speaker=speaker, quote=QUOTED)], people


def test_an_organisation_and_its_named_spokesperson_are_one_source() -> None:
    flags = run(
        _said("a", "The White House"),
        _said("b", "Karine Jean-Pierre", "White House spokesperson Karine Jean-Pierre"),
    )
    assert "attribution" not in kinds(flags)


def test_words_given_to_one_side_and_to_a_spokesperson_of_another_are_flagged() -> None:
    flags = run(
        _said("a", "The Kremlin"),
        _said("b", "Karine Jean-Pierre", "White House spokesperson Karine Jean-Pierre"),
    )
    found = [f for f in flags if f.kind == "attribution"]
    assert len(found) == 1 and found[0].articles == ("a", "b")
    assert "The Kremlin (russia)" in found[0].summary and "(us)" in found[0].summary
    assert found[0].severity == "medium" and found[0].confidence != "high"


def test_capitals_speaking_for_different_governments_are_flagged() -> None:
    flags = run(_said("a", "Pyongyang"), _said("b", "Moscow"))
    assert kinds(flags) == ["attribution"]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Pyongyang", "North Korea"),  # a capital speaking is its government
        ("The Kremlin", "Moscow"),
        ("The White House", "The State Department"),  # two organisations of one side
        ("The White House", "The newspaper"),  # a source of no known side
    ],
)
def test_one_government_under_two_names_is_not_flagged(first: str, second: str) -> None:
    assert "attribution" not in kinds(run(_said("a", first), _said("b", second)))


def test_a_person_of_unknown_side_is_never_set_against_an_organisation() -> None:
    flags = run(_said("a", "The Kremlin"), _said("b", "Karine Jean-Pierre", "Karine Jean-Pierre"))
    assert "attribution" not in kinds(flags)


def test_two_named_spokespeople_of_one_organisation_are_still_flagged() -> None:
    flags = run(
        _said("a", "The White House"),
        _said("b", "Karine Jean-Pierre", "White House spokesperson Karine Jean-Pierre"),
        _said("c", "John Kirby", "White House spokesman John Kirby"),
    )
    found = [f for f in flags if f.kind == "attribution"]
    assert len(found) == 1
    assert "different people" in found[0].summary
    assert found[0].articles == ("b", "c")


def _quoting(aid: str, sentence: str, speaker: str, quote: str, person_: bool = False) -> Any:
    a = article(aid, sentence)
    people = [person(a, sentence, speaker)] if person_ else []
    return a, [claim(a, sentence, speaker=speaker, quote=quote)], people


def test_a_side_repeating_the_other_sides_words_is_not_an_attribution_flag() -> None:
    us = _said("b", "The White House")
    repeated = "Pyongyang said the US claim that the talks were “actively advancing and very dangerous for Ukraine” was a lie."
    flags = run(_quoting("a", repeated, "Pyongyang", QUOTED), us)
    assert "attribution" not in kinds(flags)


def test_two_sides_sharing_two_words_are_not_an_attribution_flag() -> None:
    kremlin = "The Kremlin said the talks left it “deeply concerned.”"
    us = "The White House said the talks left it “deeply concerned.”"
    flags = run(
        _quoting("a", kremlin, "The Kremlin", "deeply concerned"),
        _quoting("b", us, "The White House", "deeply concerned"),
    )
    assert "attribution" not in kinds(flags)


def test_a_person_naming_the_other_side_before_the_words_makes_the_flag_less_sure() -> None:
    # Washington is named between the speaker and the quote, but nothing reports the words
    # as its claim (that is never flagged: tests/test_attribution_repeating.py)
    peskov = "Kremlin spokesman Dmitry Peskov told Washington that talks were “actively advancing and very dangerous for Ukraine.”"
    flags = run(
        _quoting("a", peskov, "Dmitry Peskov", QUOTED, person_=True),
        _said("b", "Karine Jean-Pierre", "White House spokesperson Karine Jean-Pierre"),
    )
    (flag,) = [f for f in flags if f.kind == "attribution"]
    assert flag.confidence == "medium"
    assert flag.confidence_note == (
        "a speaker's sentence names the other side before the quoted words"
    )


def test_a_capital_acting_is_its_government_in_a_count() -> None:
    s1 = "Pyongyang supplied 300 shells in August."
    s2 = "North Korea supplied 500 shells in August."
    a, b = article("a", s1), article("b", s2)

    def count(x: Article, s: str, subject: str, n: int) -> Claim:
        q = Quantity(text=f"{n} shells", value=n, unit="shells")
        return claim(x, s, subject=subject, predicate="supply", quantity=q, time="in August")

    extractions = [
        Extraction(article="a", extractor="test", claims=(count(a, s1, "Pyongyang", 300),)),
        Extraction(article="b", extractor="test", claims=(count(b, s2, "North Korea", 500),)),
    ]  # one story by construction: grouping two one-line articles is not this rule's job
    assert kinds(list(compare_story([a, b], extractions))) == ["number"]
    extractions[0] = Extraction(
        article="a", extractor="test", claims=(count(a, s1, "Pyongyang residents", 300),)
    )
    assert list(compare_story([a, b], extractions)) == []


def test_a_capital_as_a_place_stays_a_city() -> None:
    # Moscow the government is Russia; the meeting in Moscow is not in Vladivostok.
    flags = run(_trip("a", "Vladivostok", "planned"), _trip("b", "Moscow", "planned"))
    assert kinds(flags) == ["place"]
    assert run(_trip("a", "Pyongyang", "planned"), _trip("b", "North Korea", "planned")) == []


# -- a person's title within one article -----------------------------------------------------

SHOIGU = "Defense Minister Sergei Shoigu visited Pyongyang on Monday."


def _titled(*sentences: tuple[str, str, str]) -> list[Any]:
    """One article; each (sentence, name, descriptor) is a mention with that title."""
    a = article("a", " ".join(s for s, _, _ in sentences))
    mentions = [person(a, s, name, descriptors=(d,) if d else ()) for s, name, d in sentences]
    return run((a, [], mentions))


def test_a_title_changing_within_an_article_is_flagged() -> None:
    other = "Foreign Minister Shoigu said the talks were useful."
    flags = _titled(
        (SHOIGU, "Sergei Shoigu", "Defense Minister"), (other, "Sergei Shoigu", "Foreign Minister")
    )
    assert [(f.kind, f.severity, f.confidence) for f in flags] == [("title", "medium", "high")]
    assert [e.quote for e in flags[0].evidence] == [SHOIGU, other]
    assert "'Defense Minister' and 'Foreign Minister'" in flags[0].summary


def test_two_offices_may_be_held_at_once_so_the_flag_is_less_sure() -> None:
    other = "Spokesman Shoigu said the talks were useful."
    flags = _titled(
        (SHOIGU, "Sergei Shoigu", "Defense Minister"), (other, "Sergei Shoigu", "spokesman")
    )
    assert [(f.kind, f.confidence) for f in flags] == [("title", "medium")]
    assert flags[0].confidence_note == "one person can hold two offices at once"


@pytest.mark.parametrize(
    ("sentence", "name", "descriptor"),
    [
        # a dated title, in the descriptor or in the sentence before it
        ("Former Defense Minister Shoigu said so.", "Sergei Shoigu", "Former Defense Minister"),
        ("The former Foreign Minister Shoigu said so.", "Sergei Shoigu", "Foreign Minister"),
        ("He met then-Foreign Minister Shoigu.", "Sergei Shoigu", "Minister"),
        ("Now Security Council Secretary Shoigu said so.", "Sergei Shoigu", "Secretary"),
        # an appointment reported: the change is the news
        ("Putin appointed Foreign Minister Shoigu.", "Sergei Shoigu", "Foreign Minister"),
        # another person of the same surname, and a surname that may be either
        ("Foreign Minister Anna Shoigu said so.", "Anna Shoigu", "Foreign Minister"),
        # compatible forms
        ("Minister Shoigu said so.", "Sergei Shoigu", "minister"),
        ("Gen. Shoigu said so.", "Sergei Shoigu", "Gen."),
        ("Mr. Shoigu said so.", "Sergei Shoigu", "Mr."),
        ("The Russian leader Shoigu said so.", "Sergei Shoigu", "Russian leader"),
        ("Analyst Shoigu said so.", "Sergei Shoigu", "analyst"),
    ],
)
def test_a_title_that_does_not_change_is_not_flagged(
    sentence: str, name: str, descriptor: str
) -> None:
    flags = _titled((SHOIGU, "Sergei Shoigu", "Defense Minister"), (sentence, name, descriptor))
    assert "title" not in kinds(flags)


def test_a_bare_surname_shared_by_two_people_is_not_given_a_title() -> None:
    flags = _titled(
        (SHOIGU, "Sergei Shoigu", "Defense Minister"),
        ("Foreign Minister Anna Shoigu arrived.", "Anna Shoigu", "Foreign Minister"),
        ("Foreign Minister Shoigu spoke.", "Shoigu", "Foreign Minister"),
    )
    assert "title" not in kinds(flags)


def test_titles_in_different_articles_are_not_a_title_flag() -> None:
    other = "Foreign Minister Sergei Shoigu said the talks were useful."
    a, b = article("a", SHOIGU), article("b", other)
    flags = run(
        (a, [], [person(a, SHOIGU, "Sergei Shoigu", descriptors=("Defense Minister",))]),
        (b, [], [person(b, other, "Sergei Shoigu", descriptors=("Foreign Minister",))]),
    )
    assert "title" not in kinds(flags)


def test_spokeswoman_then_spokesman_is_only_a_gender_flag() -> None:
    s1 = "Spokeswoman Adrienne Watson said so."
    s2 = "Later, spokesman Watson said that."
    a = article("a", f"{s1} {s2}")
    flags = run(
        (
            a,
            [],
            [
                person(a, s1, "Adrienne Watson", "female", "Spokeswoman", ("Spokeswoman",)),
                person(a, s2, "Adrienne Watson", "male", "spokesman", ("spokesman",)),
            ],
        )
    )
    assert kinds(flags) == ["pronoun_gender"]
    assert flags[0].confidence == "high"  # two descriptors, no pronoun


def test_the_rule_extractor_gives_the_title_rule_what_it_needs() -> None:
    from checker.rules import RuleExtractor

    text = f"{SHOIGU} Foreign Minister Shoigu said the talks were useful."
    a = article("a", text)
    flags = list(compare_claims([a], [RuleExtractor().extract(a)]))
    assert kinds(flags) == ["title"]
    quiet = article("b", f"{SHOIGU} Former Foreign Minister Shoigu said the talks were useful.")
    assert "title" not in kinds(list(compare_claims([quiet], [RuleExtractor().extract(quiet)])))


# -- confidence ------------------------------------------------------------------------------


def test_a_long_shared_quotation_by_named_speakers_is_a_sure_attribution_flag() -> None:
    flags = run(
        _said("a", "Karine Jean-Pierre", "White House spokesperson Karine Jean-Pierre"),
        _said("b", "John Kirby", "White House spokesman John Kirby"),
    )
    assert [(f.kind, f.confidence, f.confidence_note) for f in flags] == [
        ("attribution", "high", None)
    ]


def test_two_shared_words_make_an_attribution_flag_less_sure() -> None:
    s1 = "White House spokesman John Kirby said talks were “actively advancing.”"
    s2 = "Adrienne Watson said talks were “actively advancing.”"
    a, b = article("a", s1), article("b", s2)
    flags = run(
        (a, [claim(a, s1, speaker="John Kirby", quote="actively advancing")],
         [person(a, s1, "John Kirby")]),
        (b, [claim(b, s2, speaker="Adrienne Watson", quote="actively advancing")],
         [person(b, s2, "Adrienne Watson")]),
    )  # fmt: skip
    assert [(f.confidence, f.confidence_note) for f in flags] == [
        ("medium", "only 2 quoted words in common")
    ]


def test_one_paraphrased_statement_against_another_is_a_low_confidence_date_flag() -> None:
    flags = run(
        _statement("a", MONDAY_SAYS, "Adrienne Watson", "Monday"),
        _statement("c", TUESDAY_SAYS, "A US source", "on Tuesday"),
    )
    (date,) = [f for f in flags if f.kind == "date"]
    assert date.confidence == "low"
    assert date.confidence_note is not None
    assert "one article on each side" in date.confidence_note
    assert "not by words they quote" in date.confidence_note


def test_a_pronoun_makes_a_gender_flag_less_sure() -> None:
    s1 = "US National Security Council spokeswoman Adrienne Watson said Monday that talks were advancing."
    s2 = "His comments came after the New York Times quoted unnamed officials."
    a = article("a", f"{s1}\n{s2}")
    mentions = [
        person(a, s1, "Adrienne Watson", "female", "spokeswoman"),
        person(a, s2, "Adrienne Watson", "male", "His"),
    ]
    (flag,) = run((a, [], mentions))
    assert flag.confidence == "medium"


def test_confidence_never_enters_the_flag_id() -> None:
    from checker.compare import _flag

    a = article("a", SHOIGU)
    evidence = [ev(a, SHOIGU)]
    sure = _flag("title", "medium", "x", evidence, [])
    unsure = _flag("title", "medium", "x", evidence, ["a doubt", "another"])
    assert (sure.confidence, unsure.confidence) == ("high", "low")
    assert sure.id == unsure.id


def test_a_merged_flag_is_as_sure_as_its_surest_finding() -> None:
    from checker.compare import _flag, merge_flags

    a = article("a", f"{SHOIGU} {MONDAY_SAYS} {TUESDAY_SAYS}")
    shared = ev(a, SHOIGU)
    sure = _flag("date", "high", "x", [shared, ev(a, MONDAY_SAYS)], [])
    unsure = _flag("date", "high", "y", [shared, ev(a, TUESDAY_SAYS)], ["a doubt", "another"])
    (merged,) = merge_flags([unsure, sure])
    assert merged.merged == 2 and merged.confidence == "high"


def test_signature_phrases_match_exactly_their_word_bounded_forms() -> None:
    """The phrase patterns, written for speed, replace what `\\bPHRASE\\b` would."""
    import re

    from checker.compare import _PHRASES

    reference = (
        re.compile(r"\bnorth korea(n)?\b"),
        re.compile(r"\bsouth korea(n)?\b"),
        re.compile(r"\b(the )?united states\b|\bu\.s\.|\bus\b|\bamerican\b"),
        re.compile(r"\brussian\b"),
    )
    pieces = ["north korea", "south korea", "the united states", "united states", "u.s."]
    pieces += ["us", "american", "russian", "n", "s", "the ", " ", "-", "_", "é", ".", "1"]
    rng = random.Random(5)
    texts = ["".join(rng.choices(pieces, k=rng.randrange(1, 10))) for _ in range(20_000)]
    for (pattern, replacement), plain in zip(_PHRASES, reference, strict=True):
        for text in texts:
            assert pattern.sub(replacement, text) == plain.sub(replacement, text), text


def test_sides_are_found_exactly_where_phrases_stand_alone() -> None:
    """`_sides`' patterns, written for speed, find a side where a phrase has no word
    character on either side, as the plain `(?<!\\w)(p1|p2|...)(?!\\w)` would."""
    import re

    from checker.compare import _SIDE_WORDS, _sides

    plain = [
        (re.compile(r"(?<!\w)(" + "|".join(map(re.escape, phrases)) + r")(?!\w)"), side)
        for side, phrases in _SIDE_WORDS
    ]
    pieces = [p for _, phrases in _SIDE_WORDS for p in phrases]
    pieces += [" ", "-", "_", "x", "é", ".", "s", "n", "1", "U.S.", "the ", "us"]
    rng = random.Random(6)
    for _ in range(20_000):
        text = "".join(rng.choices(pieces, k=rng.randrange(1, 8)))
        expected = {side for pattern, side in plain if pattern.search(text.lower())}
        assert _sides(text) == expected, text  # no "US" in capitals among the pieces


def test_us_with_dots_is_a_side_before_a_space_or_a_hyphen() -> None:
    from checker.compare import _sides

    assert _sides("U.S. officials said talks were advancing") == {"us"}
    assert _sides("a U.S.-led push at the UN") == {"us"}
    assert _sides("the U.S.") == {"us"}
    assert _sides("the u.s.a. team") == set()  # not the phrase "u.s." standing alone


def test_us_is_a_side_in_capitals_and_a_pronoun_otherwise() -> None:
    from checker.compare import _sides

    assert _sides("US officials said") == {"us"}
    assert _sides("the US-led coalition") == {"us"}
    assert _sides("he told us that talks were advancing") == set()
    assert _sides("Let us be clear, Moscow said") == {"russia"}
    assert _sides("USSR archives") == set()


class _Item:
    """What `_clusters` reads of a claim: its position and the sides it speaks for."""

    def __init__(self, order: int, keys: frozenset[str], sides: frozenset[str]) -> None:
        self.order, self.keys, self.sides = order, keys, sides


def _clusters_by_every_pair(
    items: list[_Item], same: Any, min_shared: int, sided: bool
) -> list[list[int]]:
    """`_clusters` as its docstring states it, testing every pair: the reference."""
    from checker.compare import _MAX_BLOCK
    from checker.unionfind import DisjointSets

    size: dict[str, int] = {}
    for it in items:
        for k in it.keys:
            size[k] = size.get(k, 0) + 1
    usable = {k for k, c in size.items() if 2 <= c <= _MAX_BLOCK}
    links = []
    for i, a in enumerate(items):
        for j in range(i + 1, len(items)):
            b = items[j]
            shared = a.keys & b.keys
            if shared & usable and len(shared) >= min_shared and same(a, b):
                links.append((min(shared & usable), i, j))
    links.sort()
    sets = DisjointSets(len(items))
    sides = [it.sides for it in items]
    for _, i, j in links:
        ra, rb = sets.find(i), sets.find(j)
        if ra == rb or (sided and sides[ra] and sides[rb] and not sides[ra] & sides[rb]):
            continue
        sa, sb = sides[ra], sides[rb]
        sides[sets.union(ra, rb)] = (sa & sb) if sa and sb else (sa or sb)
    return [g for g in sets.groups() if len(g) > 1]


@pytest.mark.parametrize("n", [40, 300])  # all pairs tested, and pairs found by key lists
@pytest.mark.parametrize("min_shared", [0, 3])
def test_clusters_match_testing_every_pair(n: int, min_shared: int) -> None:
    from checker.compare import _clusters

    rng = random.Random(n * 10 + min_shared)
    topics = [[f"t{t}w{i}" for i in range(10)] for t in range(12)]  # shared within a topic
    sides = [frozenset(), frozenset({"us"}), frozenset({"russia"}), frozenset({"us", "russia"})]
    items = [
        _Item(i, frozenset(rng.sample(rng.choice(topics), rng.randint(0, 7))), rng.choice(sides))
        for i in range(n)
    ]

    def same(a: Any, b: Any) -> bool:  # pure, and false for a fair share of the pairs
        return (a.order * 7 + b.order * 3) % 5 != 0

    for sided in (False, True):
        got = _clusters(items, same, lambda it: it.keys, sided=sided, min_shared=min_shared)  # type: ignore[arg-type]
        want = _clusters_by_every_pair(items, same, min_shared, sided)
        assert [[it.order for it in g] for g in got] == want
        assert len(got) >= 3  # the items are linked into several groups


@pytest.mark.parametrize(
    "text",
    [
        "the u.s. and north_korea's talks, 2024",
        "café naïve “quoted” — it’s re-armed_",
        "\u212aelvin ı İstanbul ſ straße",  # lower-cased forms outside a-z
        "",
        "  __  ",
    ],
)
def test_signature_words_are_the_runs_of_a_to_z_and_underscore(text: str) -> None:
    from checker.compare import _signature_words

    assert _signature_words(text.lower()) == re.findall("[a-z_]+", text.lower())


@pytest.mark.parametrize(
    "text",
    [
        "The talks, the TALKS and the negotiations were progressing",
        "of the and it",  # stopwords only: an empty signature
        "",
        "Weapons supplied; arms provided, armoured trains",
    ],
)
def test_signature_is_the_signature_forms_of_its_words(text: str) -> None:
    from checker.compare import _signature, _signature_word

    words = re.findall("[a-z_]+", text.lower())  # no phrase to replace in these texts
    assert _signature(text) == {_signature_word(w) for w in words} - {""}


def test_claims_are_sorted_by_place_then_by_their_serialisation_on_a_tie() -> None:
    from checker.compare import _claim_key, _sort_claims

    doc = article("a1", "Moscow said talks advanced. Kyiv denied it.")
    first, second = Evidence.span(doc, 0, 27), Evidence.span(doc, 28, 43)
    claims = [
        Claim(article="a1", subject=s, predicate=p, evidence=e)
        for s, p, e in [
            ("Kyiv", "deny", second),
            ("Moscow", "say", first),
            ("Russia", "say", first),  # ties with the one before on its place
            ("Kremlin", "say", first),
            ("Moscow", "advance", first),
        ]
    ]
    for claims_in in (claims, claims[:2] + claims[4:]):  # with and without ties
        assert _sort_claims(list(claims_in)) == sorted(claims_in, key=_claim_key)
        assert _sort_claims(list(reversed(claims_in))) == sorted(claims_in, key=_claim_key)
