"""End to end on the seed cluster with the offline rule extractor: what an editor must see,
and what must stay quiet."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from checker.corpus import load_corpus
from checker.models import Flag, Report
from checker.pipeline import run_check
from checker.report import render_json
from checker.rules import RuleExtractor

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


@pytest.fixture(scope="module")
def report() -> Report:
    return run_check(SEEDS, RuleExtractor())


def flags_of(report: Report, kind: str) -> list[Flag]:
    return [f for f in report.flags if f.kind == kind]


def quoting(flags: list[Flag], fragment: str) -> list[Flag]:
    return [f for f in flags if any(fragment in e.quote for e in f.evidence)]


def test_publication_dates_come_from_the_manifest(report: Report) -> None:
    published = {
        a.id[:3]: (a.published.isoformat() if a.published else None) for a in report.articles
    }
    assert published == {
        "000": "2023-09-05",
        "001": "2023-09-05",
        "002": "2023-09-05",
        "003": "2023-09-04",
        "004": "2023-09-05",
    }


def test_russia_and_china_joined_china_is_flagged(report: Report) -> None:
    found = quoting(flags_of(report, "self_reference"), "Russia and China have joined China")
    assert len(found) == 1
    assert found[0].articles == ("001_f9476dc9d441f33e",)
    assert found[0].severity == "high"


def test_in_november_is_never_placed_after_publication(report: Report) -> None:
    found = quoting(flags_of(report, "date_sanity"), "In November, a representative")
    assert len(found) == 1
    assert "2022-11" in found[0].summary


def test_actively_advancing_statement_dated_monday_and_tuesday(report: Report) -> None:
    found = [f for f in flags_of(report, "date") if "2023-09-04" in f.summary]
    assert len(found) == 1
    flag = found[0]
    assert "2023-09-05" in flag.summary
    monday = {"000_73c42ecbebd4ad36", "004_791fc19b09277c11"}
    sept5 = {"001_f9476dc9d441f33e", "002_3e011c3f0e887c7c"}
    assert monday | sept5 <= set(flag.articles)


def test_actively_advancing_given_to_kirby_and_watson(report: Report) -> None:
    found = [f for f in flags_of(report, "attribution") if "actively advancing" in f.summary]
    assert len(found) == 1
    assert "John Kirby" in found[0].summary and "Adrienne Watson" in found[0].summary
    assert {"002_3e011c3f0e887c7c", "003_c67951271ba7f43c"} <= set(found[0].articles)


def test_spokeswoman_referred_to_as_his(report: Report) -> None:
    found = quoting(flags_of(report, "pronoun_gender"), "His comments came after")
    assert len(found) == 1
    assert "Adrienne Watson" in found[0].summary


@pytest.mark.parametrize(
    "fragment",
    [
        "three entities",  # In August / last month / recently: all agree
        "three organisations",
        "nothing to say",  # the Kremlin on Tuesday and on Sept. 5
        "nothing to tell you",
        "Kim Jong-un",  # the same person as Kim Jong Un
        "Sergey Shoigu",  # the same person as Sergei Shoigu
        "In late July",  # inside July
        "armored train",  # armoured / armored
    ],
)
def test_agreeing_statements_do_not_fire(report: Report, fragment: str) -> None:
    cross_article = {"date", "attribution", "number", "place", "polarity", "disputed"}
    noisy = [
        f
        for f in report.flags
        if f.kind in cross_article and any(fragment in e.quote for e in f.evidence)
    ]
    assert noisy == []


def test_shoigu_as_general_and_as_defence_minister_is_no_change_of_title(
    report: Report,
) -> None:
    # 002 calls him "Russian Defense Minister Sergey Shoigu" and then "Gen. Shoigu": a rank
    # beside an office, both true at once.
    assert flags_of(report, "title") == []


def test_every_flag_has_a_confidence(report: Report) -> None:
    assert report.flags
    for flag in report.flags:
        assert flag.confidence in {"high", "medium", "low"}
        assert (flag.confidence == "high") == (flag.confidence_note is None)


def test_every_evidence_quote_is_verbatim(report: Report) -> None:
    texts = {a.id: a.text for a in load_corpus(SEEDS).articles}
    assert report.flags
    for flag in report.flags:
        for e in flag.evidence:
            assert texts[e.article][e.start : e.end] == e.quote


def test_flag_ids_are_unique_and_stable(report: Report) -> None:
    ids = [f.id for f in report.flags]
    assert len(ids) == len(set(ids))
    assert [f.id for f in run_check(SEEDS, RuleExtractor()).flags] == ids


def test_same_flags_whatever_the_file_order(report: Report, tmp_path: Path) -> None:
    """The same articles as a shuffled JSONL corpus give byte-identical flags."""
    manifest = json.loads((SEEDS / "manifest.json").read_text(encoding="utf-8"))
    articles = sorted(SEEDS.glob("*.txt"))
    random.Random(7).shuffle(articles)
    lines = [
        json.dumps(
            {
                "id": p.stem,
                "text": p.read_text(encoding="utf-8"),
                "published": manifest[p.stem]["published"],
            }
        )
        for p in articles
    ]
    corpus = tmp_path / "shuffled.jsonl"
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    shuffled = run_check(corpus, RuleExtractor())
    assert [f.model_dump() for f in shuffled.flags] == [f.model_dump() for f in report.flags]


def test_json_report_is_byte_identical_across_runs(report: Report) -> None:
    assert render_json(run_check(SEEDS, RuleExtractor())) == render_json(report)
