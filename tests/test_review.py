"""Review decisions in a run directory: the store, statuses across runs, ids, diff, CLI."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from pydantic import TypeAdapter

from checker.cli import main
from checker.errors import ConfigError
from checker.models import Article, Extraction, Report
from checker.review import (
    ARTICLES_NAME,
    ReviewStore,
    apply_reviews,
    current_report,
    diff_reports,
    find_flag,
    load_articles,
    load_report,
    previous_flag_ids,
    write_article_view,
)

GARBLE = "Russia and China have joined China in opposing further sanctions.\n"
THREE = "In August, the United States imposed sanctions on three entities linked to arms deals between North Korea and Russia.\n"
FIVE = "In August, the United States imposed sanctions on five entities linked to arms deals between North Korea and Russia.\n"
CALM = "The council met on Tuesday and agreed a budget.\n"


def corpus(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def check_run(corpus_dir: Path, run: Path, *extra: str) -> int:
    return main(["check", str(corpus_dir), "--run", str(run), "--extractor", "rules", "-q", *extra])


@pytest.fixture
def run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    c = corpus(tmp_path / "c", {"a.txt": THREE, "b.txt": FIVE, "g.txt": GARBLE})
    target = tmp_path / "run"
    assert check_run(c, target) == 1
    capsys.readouterr()
    return target


def test_check_run_writes_the_json_contract_and_marks_every_flag_new(run: Path) -> None:
    data = json.loads((run / "report.json").read_text(encoding="utf-8"))
    assert data["schema_version"] == "1" and data["flags"]
    assert {f["review"] for f in data["flags"]} == {"new"}
    assert (run / "checker.sqlite").exists()
    assert not list(run.glob(".*.tmp"))


def test_store_keeps_one_decision_per_flag_in_wal_mode(run: Path) -> None:
    report = load_report(run)
    store = ReviewStore(run)
    flag = report.flags[0]
    store.decide(flag, "confirmed", "real error")
    store.decide(flag, "dismissed", "  on second thought  ")
    decisions = store.decisions()
    assert list(decisions) == [flag.id]
    assert decisions[flag.id].status == "dismissed"
    assert decisions[flag.id].note == "on second thought"
    with sqlite3.connect(run / "checker.sqlite") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        row = conn.execute("SELECT flag_id, status, note FROM reviews").fetchone()
    assert row == (flag.id, "dismissed", "on second thought")
    assert store.reopen(flag.id) is True
    assert store.reopen(flag.id) is False
    assert store.decisions() == {}


def test_store_rejects_unknown_decisions_and_long_notes(run: Path) -> None:
    flag = load_report(run).flags[0]
    with pytest.raises(ConfigError):
        ReviewStore(run).decide(flag, "maybe", "")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="longer"):
        ReviewStore(run).decide(flag, "confirmed", "x" * 5000)


def test_next_run_marks_unchanged_new_confirmed_and_hides_dismissed(
    run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = load_report(run)
    number = next(f for f in report.flags if f.kind == "number")
    garble = next(f for f in report.flags if f.kind == "self_reference")
    ReviewStore(run).decide(number, "dismissed", "both figures are in the sources")
    c = tmp_path / "c"
    (c / "z.txt").write_text("China and Japan have joined Japan in a pact.\n", encoding="utf-8")
    assert check_run(c, run, "--format", "json") == 1
    shown = Report.model_validate_json(capsys.readouterr().out)
    by_id = {f.id: f for f in shown.flags}
    assert number.id not in by_id  # dismissed: hidden by default
    assert by_id[garble.id].review == "unchanged"
    assert {f.review for f in shown.flags if f.id != garble.id} == {"new"}
    saved = load_report(run)  # report.json keeps every flag, dismissed included
    assert {f.id: f.review for f in saved.flags}[number.id] == "dismissed"
    assert check_run(c, run, "--format", "json", "--show-dismissed") == 1
    again = Report.model_validate_json(capsys.readouterr().out)
    assert {f.id: f.review_note for f in again.flags}[number.id] == (
        "both figures are in the sources"
    )


def test_dismissing_every_flag_makes_the_next_run_exit_0(
    run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for flag in load_report(run).flags:
        assert main(["review", str(run), flag.id[:10], "--dismiss", "--note", "ok"]) == 0
    capsys.readouterr()
    assert check_run(tmp_path / "c", run) == 0
    assert "No conflicts found." in capsys.readouterr().out


def test_flag_id_survives_edits_to_other_articles(tmp_path: Path) -> None:
    c = corpus(tmp_path / "c", {"a.txt": THREE, "b.txt": FIVE, "g.txt": GARBLE, "d.txt": CALM})
    assert check_run(c, tmp_path / "r1") == 1
    (c / "d.txt").write_text("Completely rewritten.\n" + CALM * 3, encoding="utf-8")
    (c / "g.txt").write_text("A new opening line.\n\n" + GARBLE, encoding="utf-8")  # offsets move
    assert check_run(c, tmp_path / "r2") == 1
    first = {f.kind: f.id for f in load_report(tmp_path / "r1").flags}
    second = {f.kind: f.id for f in load_report(tmp_path / "r2").flags}
    assert first["number"] == second["number"]
    assert first["self_reference"] == second["self_reference"]


def test_apply_reviews_without_a_previous_report_marks_all_new(run: Path, tmp_path: Path) -> None:
    report = load_report(run)
    fresh = apply_reviews(report, tmp_path / "empty-run")
    assert {f.review for f in fresh.flags} == {"new"}


def test_previous_flag_ids_reads_only_the_ids_and_rejects_what_is_not_a_report(
    run: Path, tmp_path: Path
) -> None:
    assert previous_flag_ids(run) == {f.id for f in load_report(run).flags} != set()
    assert previous_flag_ids(tmp_path / "no-run-yet") == set()
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "report.json").write_text('{"flags": 3}', encoding="utf-8")
    with pytest.raises(ConfigError, match="not a checker JSON report"):
        previous_flag_ids(tmp_path / "bad")


def test_the_article_view_written_pair_by_pair_is_the_whole_dump(run: Path, tmp_path: Path) -> None:
    articles, extractions = load_articles(run)
    assert len(articles) == 3
    pairs = list(zip(articles, extractions, strict=True))
    write_article_view(tmp_path, iter(pairs))
    whole = TypeAdapter(list[tuple[Article, Extraction]]).dump_json(pairs)
    assert (tmp_path / ARTICLES_NAME).read_bytes() == whole
    write_article_view(tmp_path, iter([]))
    assert (tmp_path / ARTICLES_NAME).read_text(encoding="utf-8") == "[]"
    assert load_articles(tmp_path) == ((), ())


def test_find_flag_accepts_unique_prefixes_only(run: Path) -> None:
    report = current_report(run)
    target = report.flags[0]
    assert find_flag(report, target.id[:12].upper()) == target
    with pytest.raises(ConfigError, match="no flag"):
        find_flag(report, "zzzz")
    twin = target.model_copy(update={"id": target.id[:4] + "ffff"})
    crowded = report.model_copy(update={"flags": (target, twin)})
    with pytest.raises(ConfigError, match="ambiguous"):
        find_flag(crowded, target.id[:4])
    assert find_flag(crowded, twin.id) == twin  # a full id is never ambiguous


def test_review_cli_lists_decides_and_reports_errors(
    run: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["review", str(run)]) == 0
    listing = capsys.readouterr().out
    flag = load_report(run).flags[0]
    assert flag.id[:12] in listing and "new" in listing
    assert main(["review", str(run), flag.id[:8], "--confirm", "--note", "checked the wire"]) == 0
    assert "confirmed" in capsys.readouterr().out
    assert main(["review", str(run)]) == 0
    assert "note: checked the wire" in capsys.readouterr().out
    assert main(["review", str(run), "0000000000"]) == 2
    assert "no flag" in capsys.readouterr().err
    assert main(["review", str(run), "--dismiss"]) == 2
    assert main(["review", str(run.parent / "nowhere")]) == 2
    err = capsys.readouterr().err
    assert "no report here" in err and "Traceback" not in err


def test_diff_new_gone_unchanged_and_exit_codes(
    run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    c = tmp_path / "c"
    (c / "b.txt").unlink()  # the number conflict is gone
    (c / "z.txt").write_text("China and Japan have joined Japan in a pact.\n", encoding="utf-8")
    assert check_run(c, tmp_path / "run2") == 1
    capsys.readouterr()
    before, after = load_report(run), load_report(tmp_path / "run2")
    diff = diff_reports(before, after)
    assert [f.kind for f in diff.gone] == ["number"]
    assert [f.kind for f in diff.new] == ["self_reference"]
    assert [f.kind for f in diff.unchanged] == ["self_reference"]
    assert main(["diff", str(run), str(tmp_path / "run2" / "report.json")]) == 1
    out = capsys.readouterr().out
    assert out.count("\n+ ") + out.startswith("+ ") == 1 and "- " in out
    assert main(["diff", str(run), str(run), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["new"] == [] and data["gone"] == [] and len(data["unchanged"]) == 2
    assert main(["diff", str(run), str(tmp_path / "missing")]) == 2
    (tmp_path / "bad.json").write_text("{}", encoding="utf-8")
    assert main(["diff", str(run), str(tmp_path / "bad.json")]) == 2
    assert "not a checker JSON report" in capsys.readouterr().err
