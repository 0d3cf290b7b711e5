"""Reports: the JSON contract other tools read, and the Markdown an editor reads."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.models import (
    SCHEMA_VERSION,
    Article,
    ArticleSummary,
    Evidence,
    Flag,
    Problem,
    Report,
)
from checker.pipeline import run_check
from checker.report import (
    _indent,
    iter_json,
    render,
    render_json,
    render_markdown,
    summary_line,
)
from checker.rules import RuleExtractor

THREE = "In August, the United States imposed sanctions on three entities linked to arms deals between North Korea and Russia.\n"
FIVE = "In August, the United States imposed sanctions on five entities linked to arms deals between North Korea and Russia.\n"


def write_corpus(root: Path, *, bad: bool = True) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "a.txt").write_text("---\npublished: 2023-09-05\n---\n" + THREE, encoding="utf-8")
    (root / "b.txt").write_text(FIVE, encoding="utf-8")
    if bad:
        (root / "broken.jsonl").write_text('{"text": ""}\nnot json\n', encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def conflict_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_corpus(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="module")
def report(conflict_dir: Path) -> Report:
    return run_check(conflict_dir, RuleExtractor())


@pytest.fixture(scope="module")
def contract(report: Report) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(render_json(report))
    return data


def summary(aid: str, published: date | None = date(2023, 9, 5)) -> ArticleSummary:
    return ArticleSummary(
        id=aid,
        path=f"corpus/{aid}.txt",
        title=None,
        source=None,
        url=None,
        published=published,
        published_origin="manifest" if published else "none",
        published_note=None,
        extractor="rules",
        status="ok",
        reason=None,
        claims=1,
        mentions=0,
    )


def flag(severity: str, n: int = 0) -> Flag:
    a = Article(id=f"x{n}", path=f"x{n}.txt", text=f"Sentence number {n} says “so”.")
    return Flag(
        id=f"f{n:03d}",
        kind="number",
        severity=severity,  # type: ignore[arg-type]
        summary=f"summary {n}",
        evidence=(Evidence.span(a, 0, len(a.text)),),
        articles=(a.id,),
    )


# -- the JSON contract --------------------------------------------------------------------


def test_two_articles_that_disagree_give_a_number_flag(report: Report) -> None:
    assert [a.id for a in report.articles] == ["a", "b"]
    numbers = [f for f in report.flags if f.kind == "number"]
    assert len(numbers) == 1
    assert set(numbers[0].articles) == {"a", "b"}
    assert "three" in numbers[0].summary and "five" in numbers[0].summary


def test_json_top_level_keys(contract: dict[str, Any]) -> None:
    assert {"schema_version", "extractor", "articles", "flags", "problems"} <= set(contract)
    assert contract["schema_version"] == SCHEMA_VERSION
    assert contract["extractor"] == "rules"
    assert isinstance(contract["articles"], list)
    assert isinstance(contract["flags"], list) and contract["flags"]
    assert isinstance(contract["problems"], list)


def test_json_articles(contract: dict[str, Any], conflict_dir: Path) -> None:
    by_id = {a["id"]: a for a in contract["articles"]}
    assert set(by_id) == {"a", "b"}
    for a in contract["articles"]:
        assert {"id", "path", "published"} <= set(a)
        assert Path(a["path"]).name == f"{a['id']}.txt"
    assert by_id["a"]["published"] == "2023-09-05"  # ISO date string
    assert by_id["b"]["published"] is None


def test_json_flags_and_their_evidence(contract: dict[str, Any], report: Report) -> None:
    texts = {a.id: Path(a.path).read_text(encoding="utf-8") for a in report.articles}
    for f in contract["flags"]:
        assert {"id", "kind", "severity", "summary", "evidence"} <= set(f)
        assert f["severity"] in {"high", "medium", "low"}
        assert f["confidence"] in {"high", "medium", "low"}
        assert (f["confidence_note"] is None) == (f["confidence"] == "high")
        assert isinstance(f["summary"], str) and f["summary"]
        assert isinstance(f["evidence"], list) and f["evidence"]
        for e in f["evidence"]:
            assert set(e) == {"article", "start", "end", "quote"}
            assert isinstance(e["start"], int) and isinstance(e["end"], int)
            body = texts[e["article"]]
            if body.startswith("---\n"):  # offsets count from the body after front matter
                body = body.split("---\n", 2)[2]
            assert body[e["start"] : e["end"]] == e["quote"]


def test_a_report_from_before_confidence_still_reads() -> None:
    old = flag("high").model_dump(mode="json")
    del old["confidence"], old["confidence_note"]
    assert Flag.model_validate(old).confidence is None


def test_markdown_shows_confidence_and_its_doubts() -> None:
    sure = flag("high", 1).model_copy(update={"confidence": "high"})
    unsure = flag("high", 2).model_copy(
        update={"confidence": "low", "confidence_note": "one article on each side; a doubt"}
    )
    text = render_markdown(Report(extractor="rules", articles=(), flags=(sure, unsure)))
    assert "### 1. high · number · confidence high · `f001`" in text
    assert "### 2. high · number · confidence low · `f002`" in text
    assert text.count("Not sure because:") == 1
    assert "Not sure because: one article on each side; a doubt." in text


def test_json_problems_name_the_file_and_the_fault(contract: dict[str, Any]) -> None:
    assert len(contract["problems"]) == 2
    for p in contract["problems"]:
        assert set(p) == {"path", "message"}
        assert "broken.jsonl" in p["path"] and p["message"]


def test_json_parses_back_into_the_same_report(report: Report) -> None:
    assert Report.model_validate_json(render_json(report)) == report


def test_json_is_byte_identical_across_renders_and_runs(report: Report, tmp_path: Path) -> None:
    first = render_json(report)
    assert render_json(report) == first
    assert first.endswith("\n")
    # a second corpus with the same content gives the same flags (ids included)
    again = run_check(write_corpus(tmp_path / "again"), RuleExtractor())
    assert [f.id for f in again.flags] == [f.id for f in report.flags]
    assert [f.summary for f in again.flags] == [f.summary for f in report.flags]


def test_json_in_pieces_is_the_json_dump_of_the_whole_report(report: Report) -> None:
    empty = Report(extractor="rules", articles=(), flags=())
    for r in (report, empty, report.model_copy(update={"flags": ()})):
        whole = json.dumps(r.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
        pieces = list(iter_json(r))
        assert "".join(pieces) == whole == render_json(r)
    assert len(list(iter_json(report))) > len(report.flags) + len(report.articles)


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("a \n“\t{}")), max_size=40),
    st.sampled_from(["  ", "    "]),
)
def test_indent_prefixes_every_line(text: str, prefix: str) -> None:
    # the one-replace form is the line-by-line form
    assert _indent(text, prefix) == "\n".join(prefix + line for line in text.split("\n"))


def test_json_keeps_curly_quotes_verbatim() -> None:
    r = Report(extractor="rules", articles=(summary("x0"),), flags=(flag("high"),))
    out = render_json(r)
    assert "“so”" in out
    assert json.loads(out)["flags"][0]["evidence"][0]["quote"] == "Sentence number 0 says “so”."


def test_json_is_written_as_json_dumps_with_indent_2_writes_it(report: Report) -> None:
    # The contract's layout: what json.dumps(indent=2, ensure_ascii=False) writes, control
    # characters, line separators, quotes and characters outside the BMP included.
    odd = "".join(map(chr, range(0x20))) + '\u2028\u2029\x7f\x80é😀"\\/<>&'
    tricky = report.model_copy(update={"problems": (Problem(path=odd, message=odd),)})
    for r in (report, tricky):
        expected = json.dumps(r.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
        assert render_json(r) == expected


# -- Markdown -----------------------------------------------------------------------------


def test_markdown_shows_summary_line_flags_and_evidence(report: Report) -> None:
    md = render_markdown(report)
    assert summary_line(report) in md
    for f in report.flags:
        assert f.summary in md
        assert f.id in md
        for e in f.evidence:
            assert " ".join(e.quote.split()) in md
    assert "No conflicts found." not in md


def test_markdown_lists_every_article(report: Report) -> None:
    md = render_markdown(report)
    for a in report.articles:
        assert f"| {a.id} |" in md
    assert "2023-09-05" in md
    assert "unknown" in md  # b has no publication date


def test_problems_appear_in_both_formats(report: Report) -> None:
    md = render_markdown(report)
    as_json = render_json(report)
    assert report.problems
    for p in report.problems:
        assert p.path in md and p.message in md
        assert json.dumps(p.path) in as_json


def test_render_dispatches_on_format(report: Report) -> None:
    assert render(report, "json") == render_json(report)
    assert render(report, "markdown") == render_markdown(report)


def test_rendering_is_pure(report: Report) -> None:
    assert render_markdown(report) == render_markdown(report)


# -- a clean corpus -----------------------------------------------------------------------


def test_report_without_flags_says_no_conflicts_found() -> None:
    r = Report(extractor="rules", articles=(summary("a"), summary("b")), flags=())
    md = render_markdown(r)
    assert "No conflicts found." in md
    assert "2 articles, 0 flags, 0 problems" in md
    assert "## Problems" not in md
    assert json.loads(render_json(r))["flags"] == []


def test_agreeing_articles_end_to_end(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(THREE, encoding="utf-8")
    (tmp_path / "b.txt").write_text(THREE.replace("In August, the", "The"), encoding="utf-8")
    r = run_check(tmp_path, RuleExtractor())
    assert r.flags == ()
    assert "No conflicts found." in render_markdown(r)


def test_problems_without_flags_still_shown() -> None:
    r = Report(
        extractor="rules",
        articles=(summary("a"),),
        flags=(),
        problems=(Problem(path="corpus/bad.jsonl:3", message="not valid JSON"),),
    )
    md = render_markdown(r)
    assert "No conflicts found." in md
    assert "corpus/bad.jsonl:3" in md and "not valid JSON" in md
    assert json.loads(render_json(r))["problems"] == [
        {"path": "corpus/bad.jsonl:3", "message": "not valid JSON"}
    ]


# -- the summary line ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("articles", "severities", "problems", "expected"),
    [
        (1, [], 0, "1 article, 0 flags, 0 problems"),
        (2, ["high"], 1, "2 articles, 1 flag (1 high), 1 problem"),
        (
            5,
            ["low", "high", "medium", "high", "medium", "low", "medium"],
            0,
            "5 articles, 7 flags (2 high, 3 medium, 2 low), 0 problems",
        ),
        (3, ["low", "low"], 2, "3 articles, 2 flags (2 low), 2 problems"),
        (0, [], 0, "0 articles, 0 flags, 0 problems"),
    ],
)
def test_summary_line_counts_and_plurals(
    articles: int, severities: list[str], problems: int, expected: str
) -> None:
    r = Report(
        extractor="rules",
        articles=tuple(summary(f"a{i}") for i in range(articles)),
        flags=tuple(flag(s, n) for n, s in enumerate(severities)),
        problems=tuple(Problem(path=f"p{i}", message="bad") for i in range(problems)),
    )
    assert summary_line(r) == expected
    assert expected in render_markdown(r)
