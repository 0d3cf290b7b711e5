"""Run directories (checker.store): resumable, atomic, never a duplicate, never a lost row.

The kill test is real: it starts ``python -m checker.cli check ... --run DIR`` as a child
process, slowed down by the test-only per-article delay, kills it with SIGKILL once some
articles are committed, and runs the same command again.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from checker.cli import main
from checker.corpus import load_corpus
from checker.models import Article, Extraction
from checker.pipeline import TEST_ONLY_DELAY_ENV, run_check
from checker.review import load_articles
from checker.rules import RuleExtractor
from checker.serve import ReviewServer
from checker.store import (
    REPORT_NAME,
    STORE_NAME,
    RunStore,
    extractor_identity,
    read_runs,
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
    # The rerun closed the killed run's row, with the articles it had committed.
    assert runs[0] == ("killed", len(first), 0)
    assert not list(run.glob("checker-run-*.lock")), "no lock file left behind"
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


# --- a killed run is told from a live one -----------------------------------------------------


def start_slow_run(corpus: Path, run: Path, delay: float = 0.4) -> subprocess.Popen[bytes]:
    """`check --run` in a child process, slowed down by the test-only per-article delay."""
    cmd = [*check_cmd(corpus, run), "--extractor", "rules", "--quiet"]
    env = {**os.environ, TEST_ONLY_DELAY_ENV: str(delay)}
    return subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def wait_for_commits(child: subprocess.Popen[bytes], db: Path, n: int) -> None:
    """Until the child's run (the latest) has committed `n` articles."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and child.poll() is None:
        if len(rows(db, "SELECT id FROM runs")) >= 2:
            latest = rows(db, "SELECT id FROM runs ORDER BY rowid DESC LIMIT 1")[0][0]
            done = rows(db, f"SELECT count(*) FROM articles WHERE run_id = '{latest}'")[0][0]
            if int(done) >= n:  # type: ignore[call-overload]
                return
        time.sleep(0.05)
    raise AssertionError("the child run committed nothing in time")


def kill_9(child: subprocess.Popen[bytes]) -> None:
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL


def test_a_run_killed_with_sigkill_reads_killed_everywhere_then_a_rerun_closes_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus, run = small_corpus(tmp_path / "corpus", 8), tmp_path / "run"
    db = run / STORE_NAME
    assert main([*check_cmd(corpus, run)[3:], "--extractor", "rules", "-q"]) in (0, 1)
    finished_report = (run / REPORT_NAME).read_bytes()
    for path in sorted(corpus.glob("*.txt")):  # every article changed: all to extract again
        path.write_text(path.read_text(encoding="utf-8") + " It rained.", encoding="utf-8")
    capsys.readouterr()

    child = start_slow_run(corpus, run)
    try:
        wait_for_commits(child, db, 2)
        # Live: the child holds its lock, so its row is running, and said to be.
        live = read_runs(run)[-1]
        assert (live.status, live.alive) == ("running", True)
        assert main(["review", str(run)]) == 0
        assert "is still going; report.json is from the run finished" in capsys.readouterr().err
    finally:
        kill_9(child)

    assert rows(db, "SELECT status FROM runs ORDER BY rowid") == [("finished",), ("running",)]
    dead = read_runs(run)[-1]
    killed_ids = {a for a, r in rows(db, "SELECT id, run_id FROM articles") if r == dead.id}
    assert (dead.status, dead.alive) == ("killed", False)
    assert dead.extracted == len(killed_ids) >= 2
    # review, diff and serve say the latest run was killed, and whose report they show.
    assert main(["review", str(run)]) == 0
    err = capsys.readouterr().err
    assert f"was killed before it finished ({len(killed_ids)} articles committed" in err
    assert "report.json is from the run finished" in err
    assert main(["diff", str(run), str(run / REPORT_NAME)]) == 0
    assert capsys.readouterr().err.count("was killed before it finished") == 2
    assert "was killed before it finished" in served_page(run)
    assert (run / REPORT_NAME).read_bytes() == finished_report, "the killed run wrote none"

    # The rerun closes the dead row for good and reuses what the killed run committed.
    code = main([*check_cmd(corpus, run)[3:], "--extractor", "rules"])
    assert code in (0, 1)
    err = capsys.readouterr().err
    assert "was killed before it finished" in err
    assert f"{8 - len(killed_ids)} articles extracted, {len(killed_ids)} reused" in err
    statuses = rows(db, "SELECT status, extracted FROM runs ORDER BY rowid")
    assert statuses[1] == ("killed", len(killed_ids))
    assert statuses[2][0] == "finished"
    by_run = dict(rows(db, "SELECT id, run_id FROM articles"))
    assert {a for a, r in by_run.items() if r == dead.id} == killed_ids
    assert not list(run.glob("checker-run-*.lock"))
    assert main(["review", str(run)]) == 0
    assert "warning" not in capsys.readouterr().err


def served_page(run: Path) -> str:
    """The page `checker serve RUN` serves, fetched over HTTP."""
    server = ReviewServer(run, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/", headers={"Host": f"127.0.0.1:{port}"})
        page = conn.getresponse().read().decode()
        conn.close()
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    return page


def test_serve_shows_a_run_that_never_closed_on_the_page(tmp_path: Path) -> None:
    corpus, run = small_corpus(tmp_path / "corpus", 4), tmp_path / "run"
    assert main([*check_cmd(corpus, run)[3:], "--extractor", "rules", "-q"]) in (0, 1)
    assert "<strong>warning:</strong>" not in served_page(run)
    with RunStore(run) as store:  # a run whose process lets go of it without closing it
        store.begin_run(str(corpus), "rules")
    page = served_page(run)
    assert "<strong>warning:</strong> the latest run" in page
    assert "was killed before it finished (0 articles committed" in page


_FORKS_THEN_WAITS = """
import os, sys, time
from checker.store import RunStore
store = RunStore(sys.argv[1])
store.begin_run("c", "rules")
child = os.fork()
if child == 0:  # a worker, as the pipeline forks them: it inherits the lock file's descriptor
    time.sleep(60)
    os._exit(0)
print(child, flush=True)
time.sleep(60)
"""


def test_a_forked_worker_outliving_its_killed_run_does_not_keep_it_alive(tmp_path: Path) -> None:
    run = tmp_path / "run"
    parent = subprocess.Popen(
        [sys.executable, "-c", _FORKS_THEN_WAITS, str(run)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert parent.stdout is not None
    worker = int(parent.stdout.readline())
    try:
        assert [(r.status, r.alive) for r in read_runs(run)] == [("running", True)]
        kill_9(parent)
        os.kill(worker, 0)  # the worker lives on
        assert [(r.status, r.alive) for r in read_runs(run)] == [("killed", False)]
    finally:
        os.kill(worker, signal.SIGKILL)
        parent.stdout.close()


_KILLED_WRITING_ITS_REPORT = """
import os, signal, sys
from checker.pipeline import check_corpus
from checker.rules import RuleExtractor
from checker.store import RunStore
store = RunStore(sys.argv[2])
check_corpus(sys.argv[1], RuleExtractor(), store=store, jobs=1)  # flags stored, run finished
os.kill(os.getpid(), signal.SIGKILL)  # before its report.json is written
"""


def test_a_run_killed_while_writing_its_report_reads_killed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus, run = small_corpus(tmp_path / "corpus", 4), tmp_path / "run"
    child = subprocess.run(
        [sys.executable, "-c", _KILLED_WRITING_ITS_REPORT, str(corpus), str(run)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )
    assert child.returncode == -signal.SIGKILL
    assert not (run / REPORT_NAME).exists()
    assert rows(run / STORE_NAME, "SELECT status FROM runs") == [("finished",)]
    [dead] = read_runs(run)
    assert (dead.status, dead.alive, dead.extracted) == ("killed", False, 4)
    assert main(["review", str(run)]) == 2  # no report.json: an error, with the warning first
    err = capsys.readouterr().err
    assert "was killed while writing its report" in err and "no run has finished yet" in err
    assert main([*check_cmd(corpus, run)[3:], "--extractor", "rules"]) in (0, 1)
    err = capsys.readouterr().err
    assert "was killed while writing its report (all 4 articles committed" in err
    assert "0 articles extracted, 4 reused" in err
    assert rows(run / STORE_NAME, "SELECT status FROM runs ORDER BY rowid") == [
        ("killed",),
        ("finished",),
    ]
    assert (run / REPORT_NAME).exists() and not list(run.glob("checker-run-*.lock"))


def test_a_finished_run_writing_its_report_is_live_until_written(tmp_path: Path) -> None:
    from checker.pipeline import check_corpus
    from checker.store import run_notice

    corpus, run = small_corpus(tmp_path / "corpus", 3), tmp_path / "run"
    with RunStore(run) as store:
        check_corpus(corpus, RuleExtractor(), store=store, jobs=1).close()
        assert [(r.status, r.alive) for r in read_runs(run)] == [("finished", True)]
        assert "is writing its report; no run has finished yet" in (run_notice(run) or "")
        store.report_written()
        assert [(r.status, r.alive) for r in read_runs(run)] == [("finished", None)]
        assert run_notice(run) is None
        assert not list(run.glob("checker-run-*.lock"))


def test_a_run_in_this_process_is_live_until_closed_then_killed(tmp_path: Path) -> None:
    run = tmp_path / "run"
    store = RunStore(run)
    run_id = store.begin_run("c", "rules")
    assert (run / f"checker-run-{run_id}.lock").exists()
    assert [(r.status, r.alive) for r in read_runs(run)] == [("running", True)]
    assert [(r.status, r.alive) for r in store.runs()] == [("running", True)]
    store.close()  # never ended: the process let go of it, as a dead one would
    assert [(r.status, r.alive) for r in read_runs(run)] == [("killed", False)]
    assert rows(run / STORE_NAME, "SELECT status FROM runs") == [
        ("running",)
    ]  # readers write nothing
    with RunStore(run) as again:
        closed = again.close_dead_runs()
        assert [r.id for r in closed] == [run_id]
        assert again.close_dead_runs() == []
    assert rows(run / STORE_NAME, "SELECT status FROM runs") == [("killed",)]
    assert not list(run.glob("checker-run-*.lock"))


def test_finished_interrupted_and_failed_runs_leave_no_lock(tmp_path: Path) -> None:
    corpus, run = small_corpus(tmp_path / "corpus", 3), tmp_path / "run"
    with RunStore(run) as store:
        run_check(corpus, RuleExtractor(), store=store)
    with RunStore(run) as store, pytest.raises(KeyboardInterrupt):
        (corpus / "a00.txt").write_text("Changed: 4 ships in Riga.", encoding="utf-8")
        run_check(corpus, _StopsAfter(0, KeyboardInterrupt()), store=store, jobs=1)
    assert not list(run.glob("checker-run-*.lock"))
    assert [r.status for r in read_runs(run)] == ["finished", "interrupted"]


def test_a_lock_file_left_by_a_run_killed_before_its_row_is_cleared(tmp_path: Path) -> None:
    run = tmp_path / "run"
    RunStore(run).close()
    stray = run / "checker-run-0123abcd.lock"
    stray.write_text("pid 1\n", encoding="utf-8")
    with RunStore(run) as store:
        store.begin_run("c", "rules")
        assert not stray.exists()
        assert len(list(run.glob("checker-run-*.lock"))) == 1  # this run's own


def test_a_row_left_running_by_an_older_checker_reads_killed(tmp_path: Path) -> None:
    run = tmp_path / "run"
    RunStore(run).close()
    with sqlite3.connect(run / STORE_NAME) as db:  # no lock file: no process is doing it
        db.execute(
            "INSERT INTO runs (id, started_at, corpus, extractor, status)"
            " VALUES ('old', '2026-01-01T00:00:00+00:00', 'c', 'rules', 'running')"
        )
    assert [r.status for r in read_runs(run)] == ["killed"]
    assert read_runs(tmp_path / "nothing here") == []


# --- the store holds the corpus it was last run on ----------------------------------------------


def test_articles_removed_from_the_corpus_leave_the_store_at_the_end_of_a_rerun(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus, run = small_corpus(tmp_path / "corpus", 6), tmp_path / "run"
    db = run / STORE_NAME
    args = [*check_cmd(corpus, run)[3:], "--extractor", "rules"]
    assert main([*args, "-q"]) in (0, 1)
    first = dict(rows(db, "SELECT id, run_id FROM articles"))
    assert len(first) == 6
    for gone in ("a01", "a04"):
        (corpus / f"{gone}.txt").unlink()
    capsys.readouterr()

    assert main(args) in (0, 1)

    kept = {"a00", "a02", "a03", "a05"}
    assert dict(rows(db, "SELECT id, run_id FROM articles")) == {k: first[k] for k in kept}
    assert {a for (a,) in rows(db, "SELECT DISTINCT article FROM claims")} == kept
    assert {a for (a,) in rows(db, "SELECT DISTINCT article FROM mentions")} == kept
    err = capsys.readouterr().err
    assert "0 articles extracted, 4 reused from the store, 0 failed, 2 no longer in" in err
    report = json.loads((run / REPORT_NAME).read_text(encoding="utf-8"))
    assert {a["id"] for a in report["articles"]} == kept
    assert {a.id for a in load_articles(run)[0]} == kept
    # An article put back is extracted again, as any new one.
    small_corpus(corpus, 6)
    with RunStore(run) as store:
        run_check(corpus, RuleExtractor(), store=store)
        assert (store.counts.extracted, store.counts.reused, store.counts.removed) == (2, 4, 0)


def test_articles_now_over_the_size_limit_leave_the_store(tmp_path: Path) -> None:
    corpus, run = small_corpus(tmp_path / "corpus", 3), tmp_path / "run"
    (corpus / "a02.txt").write_text("Officials said 4 ships arrived. " * 20, encoding="utf-8")
    db = run / STORE_NAME
    args = [*check_cmd(corpus, run)[3:], "--extractor", "rules", "-q"]
    assert main(args) in (0, 1)
    assert committed(db) == 3
    assert main([*args, "--max-article-chars", "300"]) in (0, 1)
    assert {a for (a,) in rows(db, "SELECT id FROM articles")} == {"a00", "a01"}
    assert rows(db, "SELECT count(*) FROM claims WHERE article = 'a02'") == [(0,)]


def test_a_run_that_does_not_finish_drops_nothing(tmp_path: Path) -> None:
    corpus, run = small_corpus(tmp_path / "corpus", 4), tmp_path / "run"
    with RunStore(run) as store:
        run_check(corpus, RuleExtractor(), store=store)
    (corpus / "a03.txt").unlink()
    (corpus / "a00.txt").write_text("Changed: 4 ships in Riga.", encoding="utf-8")
    with RunStore(run) as store, pytest.raises(KeyboardInterrupt):
        run_check(corpus, _StopsAfter(0, KeyboardInterrupt()), store=store, jobs=1)
    assert committed(run / STORE_NAME) == 4, "an interrupted run keeps every row"


def test_a_run_drops_nothing_while_another_run_of_the_directory_goes(tmp_path: Path) -> None:
    corpus, run = small_corpus(tmp_path / "corpus", 4), tmp_path / "run"
    with RunStore(run) as store:
        run_check(corpus, RuleExtractor(), store=store)
    (corpus / "a03.txt").unlink()
    with RunStore(run) as other, RunStore(run) as store:
        other.begin_run("another corpus", "rules")  # live, in this process
        run_check(corpus, RuleExtractor(), store=store)
        assert store.counts.removed == 0
        assert committed(run / STORE_NAME) == 4
