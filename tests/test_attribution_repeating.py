"""An `attribution` flag never sets a speaker against the words they only repeat or rebut.

"Kremlin spokesman Dmitry Peskov said Washington's claim that talks were 'actively
advancing' was false" does not give the words to Peskov: it reports them as the other
side's. Such a claim takes no part in an attribution flag, while two people who each say
the words still do.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from checker.compare import compare_claims
from checker.models import Article, Claim, EntityMention, Evidence, Extraction
from checker.pipeline import run_check
from checker.rules import RuleExtractor

Q = "actively advancing and very dangerous"
KIRBY = f"White House spokesman John Kirby said talks were “{Q}.”"


def _quoting(aid: str, sentence: str, speaker: str, quote: str = Q) -> Any:
    article = Article(id=aid, path=f"{aid}.txt", text=sentence)
    found = Evidence.locate(article, sentence)
    assert found is not None
    claim = Claim(article=aid, evidence=found, predicate="say", speaker=speaker, quote=quote)
    person = EntityMention(article=aid, text=speaker, kind="person", evidence=found)  # type: ignore[arg-type]
    return article, claim, person


def _flags(*pairs: tuple[str, str] | tuple[str, str, str]) -> list[Any]:
    """Attribution flags for one-sentence articles a, b, ... of (sentence, speaker[, quote])."""
    made = [_quoting(chr(ord("a") + i), *p) for i, p in enumerate(pairs)]
    extractions = [
        Extraction(article=a.id, extractor="test", claims=(c,), mentions=(m,)) for a, c, m in made
    ]
    flags = compare_claims([a for a, _, _ in made], extractions)
    return [f for f in flags if f.kind == "attribution"]


@pytest.mark.parametrize(
    ("sentence", "speaker"),
    [
        # a possessive claim, reported and judged
        (
            f"Kremlin spokesman Dmitry Peskov said Washington's claim that talks were “{Q}” was false.",
            "Dmitry Peskov",
        ),
        # rebutted: "dismissed/rejected/denied ... that"
        (
            f"Kremlin spokesman Dmitry Peskov dismissed the White House's statement that talks were “{Q}.”",
            "Dmitry Peskov",
        ),
        (
            f"Kremlin spokesman Dmitry Peskov rejected the US assertion that talks were “{Q}.”",
            "Dmitry Peskov",
        ),
        (f"Kremlin spokesman Dmitry Peskov denied that talks were “{Q}.”", "Dmitry Peskov"),
        # "said that reports that ... were untrue": no side named at all
        (
            f"Russian Foreign Ministry spokeswoman Maria Zakharova said that reports that talks were “{Q}” were untrue.",
            "Maria Zakharova",
        ),
        # "called ... lies"
        (
            f"North Korean official Kim Yo Jong called the US assertion that talks were “{Q}” lies.",
            "Kim Yo Jong",
        ),
        # judged false right after the quote, with no cue before it
        (f"Dmitry Peskov said the words “{Q}” were lies.", "Dmitry Peskov"),
        # another's term
        (f"Dmitry Peskov mocked what Washington called “{Q}” talks.", "Dmitry Peskov"),
        # "claims" as another's verb, after an adverb
        (
            f"Kremlin spokesman Dmitry Peskov said Washington falsely claims that talks are “{Q}.”",
            "Dmitry Peskov",
        ),
        (f"Dmitry Peskov dismissed early reports that talks were “{Q}.”", "Dmitry Peskov"),
        # the speaker named after the quote
        (
            f"Washington's claim that talks were “{Q}” is false, Kremlin spokesman Dmitry Peskov said.",
            "Dmitry Peskov",
        ),
    ],
    ids=[
        "possessive-claim-false",
        "dismissed-statement",
        "rejected-assertion",
        "denied-that",
        "reports-that-untrue",
        "called-lies",
        "lies-after-quote",
        "what-washington-called",
        "washington-falsely-claims",
        "early-reports",
        "speaker-after-quote",
    ],
)
def test_a_person_repeating_or_rebutting_the_words_is_not_given_them(
    sentence: str, speaker: str
) -> None:
    assert _flags((KIRBY, "John Kirby"), (sentence, speaker)) == []


@pytest.mark.parametrize(
    "sentence",
    [
        # a cue before the speaker, not between the speaker and the quote
        f"Dismissing Moscow's denials, White House spokeswoman Karine Jean-Pierre said talks were “{Q}.”",
        # the speaker's own words start again after the rebuttal
        f"White House spokeswoman Karine Jean-Pierre dismissed Moscow's denials, saying talks were “{Q}.”",
        # the speaker's own claim: a possessive pronoun, or the speaker's own side
        f"White House spokeswoman Karine Jean-Pierre repeated her assertion that talks were “{Q}.”",
        f"White House spokeswoman Karine Jean-Pierre repeated the White House's statement that talks were “{Q}.”",
        # a clause break ends the reported claim
        f"White House spokeswoman Karine Jean-Pierre said that despite reports that talks had stalled, they were “{Q}.”",
        # a claim the speaker makes: "claims" as a verb, "issued a statement that"
        f"White House spokeswoman Karine Jean-Pierre claims that talks are “{Q}.”",
        f"White House spokeswoman Karine Jean-Pierre also claims that talks are “{Q}.”",
        f"White House spokeswoman Karine Jean-Pierre issued a statement that talks were “{Q}.”",
    ],
    ids=[
        "cue-before-speaker",
        "saying-after-rebuttal",
        "her-assertion",
        "own-side",
        "comma",
        "claims-verb",
        "also-claims-verb",
        "issued-a-statement",
    ],
)
def test_two_people_saying_the_words_are_still_flagged(sentence: str) -> None:
    (flag,) = _flags((KIRBY, "John Kirby"), (sentence, "Karine Jean-Pierre"))
    assert "John Kirby" in flag.summary and "Karine Jean-Pierre" in flag.summary


def test_words_a_rebuttal_labels_something_as_are_the_speakers_own() -> None:
    words = "utterly baseless and false"
    kirby = f"John Kirby dismissed the reports as “{words}.”"
    peskov = f"Dmitry Peskov said the reports were “{words}.”"
    (flag,) = _flags((kirby, "John Kirby", words), (peskov, "Dmitry Peskov", words))
    assert "John Kirby" in flag.summary and "Dmitry Peskov" in flag.summary


def test_only_the_people_who_said_the_words_are_in_the_flag() -> None:
    peskov = f"Kremlin spokesman Dmitry Peskov dismissed the White House's statement that talks were “{Q}.”"
    jean_pierre = f"White House spokeswoman Karine Jean-Pierre said talks were “{Q}.”"
    (flag,) = _flags(
        (KIRBY, "John Kirby"), (peskov, "Dmitry Peskov"), (jean_pierre, "Karine Jean-Pierre")
    )
    assert flag.summary.endswith("different people: John Kirby, Karine Jean-Pierre")
    assert flag.articles == ("a", "c")


def _said(aid: str, sentence: str, speaker: str) -> Any:
    article = Article(id=aid, path=f"{aid}.txt", text=sentence)
    found = Evidence.locate(article, sentence)
    assert found is not None
    return article, Claim(article=aid, evidence=found, predicate="say", speaker=speaker, quote=Q)


@pytest.mark.parametrize(
    "sentence",
    [
        f"The Kremlin said reports that the talks were “{Q}” were false.",
        f"The Kremlin dismissed reports that the talks were “{Q}.”",
    ],
    ids=["reports-were-false", "dismissed-reports"],
)
def test_an_organisation_rebutting_unnamed_reports_is_not_given_the_words(sentence: str) -> None:
    made = [
        _said("a", sentence, "The Kremlin"),
        _said("b", f"The White House said the talks were “{Q}.”", "The White House"),
    ]
    extractions = [Extraction(article=a.id, extractor="test", claims=(c,)) for a, c in made]
    flags = compare_claims([a for a, _ in made], extractions)
    assert [f.kind for f in flags] == []


# -- end to end, with the rule extractor ------------------------------------------------------

ARTICLES = {
    "kirby": "White House spokesman John Kirby said on Tuesday that talks between Russia and "
    f'North Korea were "{Q}," and warned Pyongyang.\n',
    "peskov": "Kremlin spokesman Dmitry Peskov said on Wednesday that Washington's claim that "
    f'talks were "{Q}" was false.\n',
    "zakharova": "Russian Foreign Ministry spokeswoman Maria Zakharova said that reports that "
    f'talks were "{Q}" were untrue.\n',
}
WATSON = (
    "National Security Council spokeswoman Adrienne Watson said that "
    f'"arms talks between the two were {Q}," she added.\n'
)


def _check(folder: Path, articles: dict[str, str]) -> list[Any]:
    for name, text in articles.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    report = run_check(folder, RuleExtractor())
    return [f for f in report.flags if f.kind == "attribution"]


def test_a_corpus_where_the_other_side_rebuts_the_words_has_no_attribution_flag(
    tmp_path: Path,
) -> None:
    assert _check(tmp_path, ARTICLES) == []


def test_a_corpus_where_two_officials_say_the_words_flags_only_them(tmp_path: Path) -> None:
    (flag,) = _check(tmp_path, {**ARTICLES, "watson": WATSON})
    assert flag.severity == "high"
    assert flag.summary.endswith("different people: Adrienne Watson, John Kirby")
    assert flag.articles == ("kirby", "watson")
