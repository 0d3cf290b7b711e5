"""Run directories (checker.store): resumable, atomic, never a duplicate, never a lost row.

The kill test is real: it starts ``python -m checker.cli check ... --run DIR`` as a child
process, slowed down by the test-only per-article delay, kills it with SIGKILL once some
articles are committed, and runs the same command again.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from checker.cli import main
from checker.corpus import load_corpus
from checker.models import Article, Extraction
from checker.pipeline import TEST_ONLY_DELAY_ENV, run_check
from checker.rules import RuleExtractor
from checker.store import (
    REPORT_NAME,
    STORE_NAME,
    RunStore,
    extractor_identity,
)

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
ARTICLES = 12


def small_corpus(folder: Path, n: int = ARTICLES) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"a{i:02d}.txt").write_text(
            f"Officials said on Tuesday that {i + 2} ships arrived in Vladivostok. "
            f"Spokeswoman Anna Berg said the talks were “going well,” in statement {i}.",
            encoding="utf-8",
        )
    return folder


def rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def committed(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        return int(rows(db, "SELECT count(*) FROM articles")[0][0])  # type: ignore[arg-type]
    except sqlite3.OperationalError:
        return 0


def check_cmd(corpus: Path, run: Path) -> list[str]:
    return [sys.executable, "-m", "checker.cli", "check", str(corpus), "--run", str(run)]


def test_kill_9_mid_run_then_rerun_resumes_without_duplicates(tmp_path: Path) -> None:
    corpus, run = small_corpus(tmp_path / "corpus"), tmp_path / "run"
    db = run / STORE_NAME
    cmd = [*check_cmd(corpus, run), "--extractor", "rules", "--quiet"]
    env = {**os.environ, TEST_ONLY_DELAY_ENV: "0.4"}
    child = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        while committed(db) < 3 and time.monotonic() < deadline and child.poll() is None:
            time.sleep(0.05)
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    first = dict(rows(db, "SELECT id, run_id FROM articles"))
    assert 3 <= len(first) < ARTICLES, "the kill landed mid-run"
    assert not (run / REPORT_NAME).exists(), "no report from a run that never finished"
    killed_claims = dict(rows(db, "SELECT article, count(*) FROM claims GROUP BY article"))

    rerun = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)

    assert rerun.returncode in (0, 1), rerun.stderr
    after = dict(rows(db, "SELECT id, run_id FROM articles"))
    assert len(after) == ARTICLES
    assert {k: after[k] for k in first} == first, "finished articles were not re-extracted"
    claims = dict(rows(db, "SELECT article, count(*) FROM claims GROUP BY article"))
    stored = dict(rows(db, "SELECT id, claims FROM articles"))
    assert claims == {k: v for k, v in stored.items() if v}, "no duplicate and no lost claim"
    assert {k: claims.get(k) for k in killed_claims} == killed_claims
    runs = rows(db, "SELECT status, extracted, reused FROM runs ORDER BY started_at, rowid")
    assert runs[0][0] == "running"  # the killed run never finished
    assert runs[-1] == ("finished", ARTICLES - len(first), len(first))
    report = json.loads((run / REPORT_NAME).read_text(encoding="utf-8"))
    assert sorted(a["id"] for a in report["articles"]) == sorted(after)
    fresh = tmp_path / "fresh"
    assert main([*check_cmd(corpus, fresh)[3:], "--extractor", "rules", "--quiet"]) in (0, 1)
    assert (run / REPORT_NAME).read_bytes() == (fresh / REPORT_NAME).read_bytes(), (
        "the resumed run reports exactly what an uninterrupted run does"
    )


def test_a_rerun_reuses_everything_and_gives_the_same_report(tmp_path: Path) -> None:
    run = tmp_path / "run"
    with RunStore(run) as store:
        first = run_check(SEEDS, RuleExtractor(), store=store)
        assert (store.counts.extracted, store.counts.reused) == (5, 0)
    report_text = (run / REPORT_NAME).read_text(encoding="utf-8")
    with RunStore(run) as store:
        again = run_check(SEEDS, RuleExtractor(), store=store)
        assert (store.counts.extracted, store.counts.reused) == (0, 5)
    assert again == first
    assert (run / REPORT_NAME).read_text(encoding="utf-8") == report_text
    assert rows(run / STORE_NAME, "SELECT count(*) FROM flags")[0][0] == len(first.flags)


def test_a_changed_article_is_extracted_again_and_replaced(tmp_path: Path) -> None:
    corpus, run = small_corpus(tmp_path / "corpus", 3), tmp_path / "run"
    with RunStore(run) as store:
        run_check(corpus, RuleExtractor(), store=store)
    (corpus / "a01.txt").write_text(
        "Officials said on Friday that 9 ships arrived in Moscow.", encoding="utf-8"
    )
    with RunStore(run) as store:
        run_check(corpus, RuleExtractor(), store=store)
        assert (store.counts.extracted, store.counts.reused) == (1, 2)
        assert store.extracted_by()["a01"] == store.run_id
    quotes = [
        json.loads(q)["evidence"]["quote"]
        for (q,) in rows(run / STORE_NAME, "SELECT claim_json FROM claims WHERE article = 'a01'")
    ]
    assert quotes and all("Moscow" in q for q in quotes)


def test_another_extractor_or_changed_code_is_not_reused(tmp_path: Path) -> None:
    article = load_corpus(SEEDS).articles[0]
    rules = RuleExtractor()
    identity = extractor_identity(rules)
    assert identity.startswith("rules|checker ") and "|code " in identity
    with RunStore(tmp_path) as store:
        store.begin_run("seeds", "rules")
        store.save(article, identity, rules.extract(article))
        assert store.load(article, identity) is not None
        assert store.load(article, identity.replace("|code ", "|code x")) is None


def test_a_failed_extraction_is_stored_but_tried_again(tmp_path: Path) -> None:
    article = Article(id="a", path="a.txt", text="Text.")
    failed = Extraction(article="a", extractor="x", status="extraction_failed", reason="boom")
    with RunStore(tmp_path) as store:
        store.begin_run("c", "x")
        store.save(article, "x", failed)
        assert store.load(article, "x") is None
    assert rows(tmp_path / STORE_NAME, "SELECT status, reason FROM articles") == [
        ("extraction_failed", "boom")
    ]


def test_tables_the_store_does_not_own_are_left_alone(tmp_path: Path) -> None:
    run = tmp_path / "run"
    run.mkdir()
    with sqlite3.connect(run / STORE_NAME) as db:
        db.execute("CREATE TABLE editor_notes (flag TEXT, verdict TEXT)")
        db.execute("INSERT INTO editor_notes VALUES ('f1', 'confirmed')")
    assert main(["check", str(SEEDS), "--run", str(run), "--extractor", "rules", "-q"]) == 1
    assert main(["check", str(SEEDS), "--run", str(run), "--extractor", "rules", "-q"]) == 1
    assert rows(run / STORE_NAME, "SELECT * FROM editor_notes") == [("f1", "confirmed")]
    assert rows(run / STORE_NAME, "PRAGMA journal_mode") == [("wal",)]


def test_a_reader_can_use_the_store_while_a_run_writes(tmp_path: Path) -> None:
    run = tmp_path / "run"
    with RunStore(run) as store:
        store.begin_run("c", "rules")
        reader = sqlite3.connect(run / STORE_NAME, timeout=5)
        reader.execute("BEGIN")
        assert reader.execute("SELECT count(*) FROM articles").fetchone() == (0,)
        article = Article(id="a", path="a.txt", text="Text.")
        store.save(article, "x", Extraction(article="a", extractor="x"))  # not blocked
        reader.execute("COMMIT")
        assert reader.execute("SELECT count(*) FROM articles").fetchone() == (1,)
        reader.close()


def test_cli_run_writes_report_json_with_the_json_contract(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = tmp_path / "run"
    code = main(
        ["check", str(SEEDS), "--run", str(run), "--extractor", "rules", "--format", "json"]
    )
    out = capsys.readouterr()
    assert code == 1
    assert (run / REPORT_NAME).read_text(encoding="utf-8") == out.out
    assert "5 articles extracted, 0 reused" in out.err
    main(["check", str(SEEDS), "--run", str(run), "--extractor", "rules", "-q"])
    assert not list(run.glob(".report.json.*")), "no temporary file left behind"


def test_dry_run_says_what_a_rerun_would_reuse(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = tmp_path / "run"
    main(["check", str(SEEDS), "--run", str(run), "--extractor", "rules", "-q"])
    capsys.readouterr()
    assert main(["check", str(SEEDS), "--run", str(run), "--extractor", "rules", "--dry-run"]) == 0
    err = capsys.readouterr().err
    assert "5 of 5 articles are already in" in err
    assert "0 articles to extract" in err


def test_a_store_from_a_newer_checker_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    RunStore(tmp_path).close()
    with sqlite3.connect(tmp_path / STORE_NAME) as db:
        db.execute("UPDATE store_meta SET value = '99' WHERE key = 'schema_version'")
    assert main(["check", str(SEEDS), "--run", str(tmp_path), "--extractor", "rules"]) == 2
    assert "newer checker" in capsys.readouterr().err


def test_exit_2_when_no_article_could_be_extracted_and_the_report_is_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus, run = small_corpus(tmp_path / "corpus", 2), tmp_path / "run"
    args = ["check", str(corpus), "--run", str(run), "--extractor", "replay"]
    assert main([*args, "--cassettes", str(tmp_path / "none")]) == 2
    assert "no article could be extracted" in capsys.readouterr().err
    report = json.loads((run / REPORT_NAME).read_text(encoding="utf-8"))
    assert {a["status"] for a in report["articles"]} == {"extraction_failed"}


class _StopsAfter(RuleExtractor):
    """The rule extractor, until its `limit`-th article: then `exc` is raised."""

    def __init__(self, limit: int, exc: BaseException) -> None:
        self.limit, self.exc, self.seen = limit, exc, 0

    def extract(self, article: Article) -> Extraction:
        self.seen += 1
        if self.seen > self.limit:
            raise self.exc
        return super().extract(article)


@pytest.mark.parametrize(
    ("exc", "status"), [(KeyboardInterrupt(), "interrupted"), (RuntimeError("bug"), "failed")]
)
def test_a_run_stopped_by_ctrl_c_or_an_error_is_closed_as_such(
    tmp_path: Path, exc: BaseException, status: str
) -> None:
    corpus, run = small_corpus(tmp_path / "corpus", 6), tmp_path / "run"
    with RunStore(run) as store, pytest.raises(type(exc)):
        run_check(corpus, _StopsAfter(4, exc), store=store, jobs=1)
    runs = rows(run / STORE_NAME, "SELECT status, extracted, finished_at IS NOT NULL FROM runs")
    assert runs == [(status, 4, 1)]
    assert committed(run / STORE_NAME) == 4, "what was extracted before stays committed"
    assert not (run / REPORT_NAME).exists()


def test_stored_json_validates_into_what_the_store_loads(tmp_path: Path) -> None:
    rules = RuleExtractor()
    article = load_corpus(SEEDS).articles[0]
    changed = article.model_copy(update={"text": article.text + " More."})
    extraction = rules.extract(article)
    with RunStore(tmp_path / "run") as store:
        store.begin_run(str(SEEDS), "rules")
        store.save(article, extractor_identity(rules), extraction)
        rows = store.load_json(article, extractor_identity(rules))
        assert rows is not None
        assert (len(rows.claims), len(rows.mentions)) == (
            len(extraction.claims),
            len(extraction.mentions),
        )
        assert rows.extraction() == store.load(article, extractor_identity(rules)) == extraction
        assert store.load_json(changed, extractor_identity(rules)) is None
        assert store.load_json(article, "another extractor") is None
