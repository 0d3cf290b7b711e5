"""The run store: one SQLite file per run directory, so a batch run survives being killed.

A run directory ``RUN`` holds ``RUN/checker.sqlite`` (this store) and ``RUN/report.json``
(the latest JSON report, written atomically at the end of every ``check --run RUN``).

What the store owns, and nothing else (other tools add their own tables to the same file,
e.g. ``reviews``; the store never drops, alters or rewrites a table it does not own):

    store_meta   key/value, including the store's schema version
    runs         one row per ``check --run``: when, what, how many extracted / reused
    articles     one row per article id of the corpus: content hash, extractor identity,
                 status (a finished run drops the rows of articles no longer in its corpus)
    claims       the article's claims, one JSON row each   } written with their article
    mentions     the article's entity mentions             } in one transaction
    flags        the latest run's flags (replaced at the end of each run)
    problems     the latest run's input problems (replaced likewise)

When the LLM extractor runs with ``--run`` its cache (`checker.cache`: ``extractions`` and
``calls`` with tokens, cost and latency) lives in the same file, so nothing is duplicated.

Resuming: every extracted article is committed on its own, keyed by article id, content
hash and extractor identity (the extractor's name plus a hash of the code that extracts).
A rerun loads what matches instead of extracting again; an article whose text or extractor
changed is extracted again and replaced, never duplicated. A failed extraction is stored
with its reason but not reused: a rerun tries it again. The file uses WAL and a busy
timeout, so ``checker serve RUN`` can read and write while a run is going. When a run
finishes, the rows of articles that are not in its corpus (removed since, or now over the
size limit) are deleted with their claims and mentions, so the store holds the corpus it
was last run on.

A live run from a dead one: while a run goes, its process holds an exclusive POSIX lock
(``fcntl.lockf``) on ``RUN/checker-run-<run id>.lock``, made before its ``runs`` row and
deleted once the run is over (`end_run`; after `finish_run`, once report.json is written:
`report_written`, or `close`). The kernel drops the lock when the process dies, however
it dies (SIGKILL, the OOM killer; a power cut leaves no lock either), and forked workers do
not inherit it. So a row still ``running`` whose lock file can be locked (or is gone) is a
run that died without closing it, and a ``finished`` row whose lock file is still there,
unlocked, a run killed while writing its report: readers (`read_runs`, `run_notice`:
review, serve, diff) show it as ``killed``, and the next run marks it so in the table
(`close_dead_runs`), with the number of articles it committed. Where locks are not
available (Windows, some network file systems) a ``running`` row stays ``running``: its
state cannot be told.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import inspect
import json
import os
import sqlite3
import sys
import tempfile
import threading
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from types import ModuleType
from typing import Literal, NamedTuple

from checker import __version__
from checker.errors import ConfigError
from checker.models import Article, Claim, EntityMention, Extraction, Flag, Problem

if sys.platform != "win32":
    import fcntl

STORE_NAME = "checker.sqlite"
REPORT_NAME = "report.json"
STORE_SCHEMA_VERSION = 1
BUSY_TIMEOUT_MS = 30_000
# `RUN/checker-run-<run id>.lock`: locked by the process doing that run while it goes.
LOCK_PREFIX = "checker-run-"
LOCK_SUFFIX = ".lock"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    corpus TEXT NOT NULL,
    extractor TEXT NOT NULL,
    status TEXT NOT NULL,            -- running, finished, interrupted, failed, killed
    articles INTEGER NOT NULL DEFAULT 0,
    extracted INTEGER NOT NULL DEFAULT 0,
    reused INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    flags INTEGER NOT NULL DEFAULT 0,
    problems INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,
    path TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    extractor_identity TEXT NOT NULL,
    extractor TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT,
    claims INTEGER NOT NULL,
    mentions INTEGER NOT NULL,
    run_id TEXT NOT NULL,            -- the run that extracted it
    extracted_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS claims (
    article TEXT NOT NULL,
    seq INTEGER NOT NULL,
    predicate TEXT NOT NULL,
    subject TEXT,
    claim_json TEXT NOT NULL,
    PRIMARY KEY (article, seq)
);
CREATE TABLE IF NOT EXISTS mentions (
    article TEXT NOT NULL,
    seq INTEGER NOT NULL,
    text TEXT NOT NULL,
    mention_json TEXT NOT NULL,
    PRIMARY KEY (article, seq)
);
CREATE TABLE IF NOT EXISTS flags (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    severity TEXT NOT NULL,
    summary TEXT NOT NULL,
    articles_json TEXT NOT NULL,
    flag_json TEXT NOT NULL,
    run_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS problems (
    path TEXT NOT NULL,
    message TEXT NOT NULL,
    run_id TEXT NOT NULL,
    PRIMARY KEY (path, message)
);
"""


@dataclass
class RunCounts:
    """What one run did: articles extracted now, reused from the store, failed."""

    articles: int = 0
    extracted: int = 0
    reused: int = 0
    failed: int = 0
    removed: int = 0  # articles dropped from the store: no longer in the corpus


@dataclass(frozen=True)
class RunInfo:
    """One row of table ``runs``, with the status a reader should believe: a row still
    ``running`` whose process is gone reads ``killed`` (`extracted`, `failed`: what it had
    committed), and so does a ``finished`` one whose process died writing its report
    (`finished_at` set). `alive`: True while the run's process holds its lock (running,
    or finished and writing its report), False when killed, None when this system cannot
    tell (the status then stays ``running``) or the run is closed."""

    id: str
    started_at: str
    finished_at: str | None
    corpus: str
    extractor: str
    status: str
    articles: int
    extracted: int
    reused: int
    failed: int
    flags: int
    problems: int
    alive: bool | None = None


class StoredJson(NamedTuple):
    """A stored extraction as the store holds it: one JSON text per claim and mention.
    Reading it is cheap; validating it into models (`extraction`) is the costly part."""

    article: str
    extractor: str
    claims: list[str]
    mentions: list[str]

    def extraction(self) -> Extraction:
        return Extraction(
            article=self.article,
            extractor=self.extractor,
            claims=tuple(Claim.model_validate_json(c) for c in self.claims),
            mentions=tuple(EntityMention.model_validate_json(m) for m in self.mentions),
        )


class StoredRows(NamedTuple):
    """One article's extraction as rows of the store, but for the run and the time: made
    where the extraction is (`stored_rows`, in a worker process), committed by
    `RunStore.save_rows`."""

    article: tuple[str, str, str, str, str, str, str | None, int, int]
    claims: list[tuple[str, int, str, str | None, str]]
    mentions: list[tuple[str, int, str, str]]


def stored_rows(article: Article, identity: str, extraction: Extraction) -> StoredRows:
    return StoredRows(
        (
            article.id,
            article.path,
            article.content_hash,
            identity,
            extraction.extractor,
            extraction.status,
            extraction.reason,
            len(extraction.claims),
            len(extraction.mentions),
        ),
        [
            (article.id, seq, c.predicate, c.subject, c.model_dump_json())
            for seq, c in enumerate(extraction.claims)
        ],
        [
            (article.id, seq, m.text, m.model_dump_json())
            for seq, m in enumerate(extraction.mentions)
        ],
    )


class RunStore:
    """The SQLite store of one run directory; safe to share across threads."""

    def __init__(self, run_dir: str | os.PathLike[str]) -> None:
        self.dir = Path(run_dir)
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(f"cannot create run directory {self.dir}: {exc.strerror}") from exc
        self.path = self.dir / STORE_NAME
        self._lock = threading.Lock()
        try:
            self._db = sqlite3.connect(
                str(self.path),
                check_same_thread=False,
                isolation_level=None,
                timeout=BUSY_TIMEOUT_MS / 1000,
            )
            self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self._db.execute("PRAGMA journal_mode = WAL")
            # WAL + NORMAL: a killed process loses nothing committed; only power loss can.
            self._db.execute("PRAGMA synchronous = NORMAL")
            self._db.executescript(_SCHEMA)
            self._check_version()
        except sqlite3.DatabaseError as exc:
            raise ConfigError(f"{self.path}: not a usable checker store: {exc}") from exc
        self.run_id = ""
        self.counts = RunCounts()
        self._run_lock: _RunLock | None = None

    def _check_version(self) -> None:
        row = self._db.execute(
            "SELECT value FROM store_meta WHERE key = 'schema_version'"
        ).fetchone()
        if row is None:
            self._db.execute(
                "INSERT OR IGNORE INTO store_meta VALUES ('schema_version', ?)",
                (str(STORE_SCHEMA_VERSION),),
            )
        elif int(row[0]) > STORE_SCHEMA_VERSION:
            raise ConfigError(
                f"{self.path} was written by a newer checker (store schema {row[0]}); "
                "upgrade checker or use another --run directory"
            )

    # --- runs -------------------------------------------------------------------------

    def begin_run(self, corpus: str, extractor: str) -> str:
        """Open a run row (``running``), first locking the run's lock file, which this
        process holds until `end_run` or `finish_run` (or its death); runs found dead are
        closed as ``killed`` first (`close_dead_runs`)."""
        run_id = uuid.uuid4().hex
        self._release_run_lock()  # a run begun before and never ended: now a dead one
        self._run_lock = _RunLock.take(lock_path(self.dir, run_id))
        self.run_id = run_id
        self.counts = RunCounts()
        self.close_dead_runs()
        with self._lock:
            self._db.execute(
                "INSERT INTO runs (id, started_at, corpus, extractor, status)"
                " VALUES (?, ?, ?, ?, 'running')",
                (self.run_id, _now(), corpus, extractor),
            )
        return self.run_id

    def close_dead_runs(self) -> list[RunInfo]:
        """Mark ``killed`` every ``running`` run whose process is gone, with the number of
        articles it committed, and delete its lock file (and any lock file left by a run
        killed before its row was written). Returns those runs, as now stored."""
        closed: list[RunInfo] = []
        for run in self.runs():
            if run.status != "killed" or run.alive is not False:
                continue  # alive, finished, or marked killed already
            # Killed while writing its report: its row says finished, and its lock is dead.
            was, dead = (
                ("finished", ("dead",)) if run.finished_at else ("running", ("dead", "gone"))
            )
            with _probe(lock_path(self.dir, run.id)) as state, self._lock:
                if state not in dead:
                    continue
                updated = self._db.execute(
                    "UPDATE runs SET status = 'killed', extracted = ?, failed = ?"
                    " WHERE id = ? AND status = ?",
                    (run.extracted, run.failed, run.id, was),
                ).rowcount
                lock_path(self.dir, run.id).unlink(missing_ok=True)
            if updated:
                closed.append(run)
        with self._lock:
            known = {str(r) for (r,) in self._db.execute("SELECT id FROM runs")}
        for path in self.dir.glob(f"{LOCK_PREFIX}*{LOCK_SUFFIX}"):
            run_id = path.name[len(LOCK_PREFIX) : -len(LOCK_SUFFIX)]
            if run_id in known or run_id == self.run_id:
                continue
            with _probe(path) as state:
                if state == "dead":
                    path.unlink(missing_ok=True)
        return closed

    def runs(self) -> list[RunInfo]:
        """Every run in the order they started, a dead one read as ``killed``."""
        with self._lock:
            return _read_runs(self._db, self.dir)

    def report_written(self) -> None:
        """The run's report.json is written: let go of the run's lock (`finish_run` keeps
        it, so that a process killed while writing the report reads as killed)."""
        self._release_run_lock()

    def _release_run_lock(self) -> None:
        lock, self._run_lock = self._run_lock, None
        if lock is not None:
            lock.release()

    def end_run(self, status: Literal["interrupted", "failed"]) -> None:
        """Close the run row of a run that stopped before its report (Ctrl-C, an error).
        What it extracted stays committed for the next run; its flags are not stored."""
        with self._lock:
            self._db.execute(
                "UPDATE runs SET finished_at = ?, status = ?, articles = ?, extracted = ?,"
                " reused = ?, failed = ? WHERE id = ?",
                (
                    _now(),
                    status,
                    self.counts.articles,
                    self.counts.extracted,
                    self.counts.reused,
                    self.counts.failed,
                    self.run_id,
                ),
            )
        self._release_run_lock()

    def finish_run(
        self,
        flags: Sequence[Flag],
        problems: Sequence[Problem],
        articles: Iterable[str] | None = None,
    ) -> None:
        """Replace the stored flags and problems with this run's, and close the run row.

        `articles`: the ids of every article of the run's corpus (its report's); the rows
        of any other article (removed from the corpus, or now over the size limit) are
        deleted with their claims and mentions, so the store matches the corpus. None
        keeps them, and so does another run of this directory still going (its corpus may
        be another). The run's lock stays held until `report_written` (or `close`): a
        process killed while it writes the report leaves the row ``finished`` and its
        lock file unlocked, read as ``killed``.
        """
        keep = None if articles is None else set(articles)
        if keep is not None and any(
            r.status == "running" and r.alive is not False and r.id != self.run_id
            for r in self.runs()
        ):
            keep = None
        with self._lock, _transaction(self._db):
            if keep is not None:
                gone = [
                    (a,)
                    for (a,) in self._db.execute("SELECT id FROM articles").fetchall()
                    if a not in keep
                ]
                self._db.executemany("DELETE FROM claims WHERE article = ?", gone)
                self._db.executemany("DELETE FROM mentions WHERE article = ?", gone)
                self._db.executemany("DELETE FROM articles WHERE id = ?", gone)
                self.counts.removed = len(gone)
            self._db.execute("DELETE FROM flags")
            self._db.executemany(
                "INSERT OR REPLACE INTO flags VALUES (?, ?, ?, ?, ?, ?, ?)",
                (  # a generator: one row's JSON at a time, not every flag's at once
                    (
                        f.id,
                        f.kind,
                        f.severity,
                        f.summary,
                        json.dumps(list(f.articles)),
                        f.model_dump_json(),
                        self.run_id,
                    )
                    for f in flags
                ),
            )
            self._db.execute("DELETE FROM problems")
            self._db.executemany(
                "INSERT OR IGNORE INTO problems VALUES (?, ?, ?)",
                [(p.path, p.message, self.run_id) for p in problems],
            )
            c = self.counts
            self._db.execute(
                "UPDATE runs SET finished_at = ?, status = 'finished', articles = ?,"
                " extracted = ?, reused = ?, failed = ?, flags = ?, problems = ? WHERE id = ?",
                (
                    _now(),
                    c.articles,
                    c.extracted,
                    c.reused,
                    c.failed,
                    len(flags),
                    len(problems),
                    self.run_id,
                ),
            )

    # --- articles ---------------------------------------------------------------------

    def has(self, article: Article, identity: str) -> bool:
        """Whether the store holds a finished extraction of `article` by this extractor."""
        with self._lock:
            row = self._db.execute(
                "SELECT 1 FROM articles WHERE id = ? AND content_hash = ?"
                " AND extractor_identity = ? AND status = 'ok'",
                (article.id, article.content_hash, identity),
            ).fetchone()
        return row is not None

    def load(self, article: Article, identity: str) -> Extraction | None:
        """The stored extraction of `article` by this extractor, if it finished."""
        found = self.load_json(article, identity)
        return None if found is None else found.extraction()

    def load_json(self, article: Article, identity: str) -> StoredJson | None:
        """`load`, up to the models: the rows' JSON, to be validated anywhere (a worker)."""
        with self._lock:
            row = self._db.execute(
                "SELECT extractor FROM articles WHERE id = ? AND content_hash = ?"
                " AND extractor_identity = ? AND status = 'ok'",
                (article.id, article.content_hash, identity),
            ).fetchone()
            if row is None:
                return None
            claims = self._db.execute(
                "SELECT claim_json FROM claims WHERE article = ? ORDER BY seq", (article.id,)
            ).fetchall()
            mentions = self._db.execute(
                "SELECT mention_json FROM mentions WHERE article = ? ORDER BY seq", (article.id,)
            ).fetchall()
        return StoredJson(article.id, str(row[0]), [c for (c,) in claims], [m for (m,) in mentions])

    def save(self, article: Article, identity: str, extraction: Extraction) -> None:
        """Commit one article's extraction atomically, replacing whatever was stored."""
        self.save_rows(stored_rows(article, identity, extraction))

    def save_rows(self, rows: StoredRows) -> None:
        """`save` of an extraction already made into rows (`stored_rows`)."""
        article_id = rows.article[0]
        with self._lock, _transaction(self._db):
            self._db.execute("DELETE FROM claims WHERE article = ?", (article_id,))
            self._db.execute("DELETE FROM mentions WHERE article = ?", (article_id,))
            self._db.execute(
                "INSERT OR REPLACE INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*rows.article, self.run_id, _now()),
            )
            self._db.executemany("INSERT INTO claims VALUES (?, ?, ?, ?, ?)", rows.claims)
            self._db.executemany("INSERT INTO mentions VALUES (?, ?, ?, ?)", rows.mentions)

    def extracted_by(self) -> dict[str, str]:
        """Article id -> id of the run that extracted it (for tests and `runs`)."""
        with self._lock:
            rows = self._db.execute("SELECT id, run_id FROM articles").fetchall()
        return {str(a): str(r) for a, r in rows}

    def close(self) -> None:
        """Close the file. A run still open keeps its row ``running`` and lets go of its
        lock: readers will see it as ``killed``."""
        self._release_run_lock()
        with self._lock:
            self._db.close()

    def __enter__(self) -> RunStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# --- live and dead runs --------------------------------------------------------------------


def lock_path(run_dir: Path, run_id: str) -> Path:
    """The file the process doing run `run_id` keeps locked while it goes."""
    return run_dir / f"{LOCK_PREFIX}{run_id}{LOCK_SUFFIX}"


# Lock files this process holds, by path. A POSIX lock belongs to the process: probing one of
# these from this process would succeed, and closing the probe's descriptor would drop it.
_HELD: dict[str, _RunLock] = {}
_HELD_GUARD = threading.Lock()
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


class _RunLock:
    """An exclusive POSIX lock on a run's lock file, held by the process doing the run."""

    def __init__(self, path: Path, fd: int | None) -> None:
        self.path, self.fd = path, fd

    @classmethod
    def take(cls, path: Path) -> _RunLock:
        """Lock a new file and move it to `path`: a file of that name is locked from the
        moment it exists, so a process clearing dead runs' files never takes it for one.
        Where locks are not available the file is left unlocked: a reader cannot lock it
        either, and calls the run's state unknown."""
        tmp = path.with_name(f".{path.name}.tmp")
        try:
            fd = os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_TRUNC | _CLOEXEC, 0o644)
        except OSError as exc:
            raise ConfigError(f"cannot create {tmp}: {exc.strerror or exc}") from exc
        lock = cls(path, fd)
        try:
            if sys.platform != "win32":
                try:
                    fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    os.write(fd, f"pid {os.getpid()}\n".encode())  # for a person looking
                except OSError:
                    os.close(fd)
                    lock.fd = None
            tmp.replace(path)
        except OSError as exc:
            if lock.fd is not None:
                os.close(lock.fd)
            tmp.unlink(missing_ok=True)
            raise ConfigError(f"cannot create {path}: {exc.strerror or exc}") from exc
        with _HELD_GUARD:
            _HELD[str(path)] = lock
        return lock

    def release(self) -> None:
        """Delete the file, then let go of the lock (a reader that opened it before the
        deletion gets the lock only once the run row is closed)."""
        with _HELD_GUARD:
            _HELD.pop(str(self.path), None)
        self.path.unlink(missing_ok=True)
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


Probe = Literal["alive", "dead", "gone", "unknown"]


@contextmanager
def _probe(path: Path) -> Iterator[Probe]:
    """The state of the process that locked `path`: ``alive`` (it holds the lock),
    ``dead`` (the file is there and nobody holds it: the process died without releasing
    it), ``gone`` (no file, or it was deleted while we waited: released, or never made),
    ``unknown`` (no locks here). While the block runs after ``dead`` the lock is held here
    (shared), so the run's row can be read and closed without racing its owner."""
    with _HELD_GUARD:
        held = str(path) in _HELD
    if held:
        yield "alive"
        return
    if sys.platform == "win32":
        yield "unknown"
        return
    try:
        fd = os.open(path, os.O_RDONLY | _CLOEXEC)
    except FileNotFoundError:
        yield "gone"
        return
    except OSError:
        yield "unknown"
        return
    try:
        state: Probe
        try:
            fcntl.lockf(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError as exc:
            state = "alive" if exc.errno in (errno.EACCES, errno.EAGAIN) else "unknown"
        else:
            state = "gone" if os.fstat(fd).st_nlink == 0 else "dead"
        yield state
    finally:
        os.close(fd)


_RUN_COLUMNS = (
    "id, started_at, finished_at, corpus, extractor, status, articles, extracted, reused,"
    " failed, flags, problems"
)


def _read_runs(db: sqlite3.Connection, run_dir: Path) -> list[RunInfo]:
    """Table ``runs`` in the order the runs started, a dead run read as ``killed``: one
    still ``running`` whose lock nobody holds (with the articles it committed), or one
    ``finished`` whose lock file is still there, unlocked (killed while writing its report).
    Each lock is probed, then its row read again, so a run that closes meanwhile reads as
    it closed."""
    select = f"SELECT {_RUN_COLUMNS} FROM runs"
    runs = [RunInfo(*row) for row in db.execute(f"{select} ORDER BY rowid").fetchall()]
    for n, run in enumerate(runs):
        path = lock_path(run_dir, run.id)
        if run.status == "finished" and not path.exists():
            continue  # closed, its report written
        if run.status not in ("running", "finished"):
            continue
        with _probe(path) as state:
            row = db.execute(f"{select} WHERE id = ?", (run.id,)).fetchone()
        now = RunInfo(*row) if row is not None else run
        if now.status == "running" and state in ("dead", "gone"):
            extracted, failed = db.execute(
                "SELECT count(*), coalesce(sum(status != 'ok'), 0) FROM articles WHERE run_id = ?",
                (run.id,),
            ).fetchone()
            now = replace(now, status="killed", extracted=int(extracted), failed=int(failed))
        elif now.status == "finished" and state == "dead":
            now = replace(now, status="killed")
        if now.status == "killed":
            runs[n] = replace(now, alive=False)
        elif now.status in ("running", "finished") and state in ("alive", "unknown"):
            runs[n] = replace(now, alive=True if state == "alive" else None)
        else:
            runs[n] = now
    return runs


def read_runs(run_dir: str | os.PathLike[str]) -> list[RunInfo]:
    """`RunStore.runs` for a reader (review, serve, diff): creates nothing, writes nothing;
    empty when `run_dir` has no store, or its store no table ``runs``."""
    path = Path(run_dir) / STORE_NAME
    if not path.is_file():
        return []
    try:
        db = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error:
        return []
    try:
        return _read_runs(db, Path(run_dir))
    except sqlite3.Error:
        return []
    finally:
        db.close()


def run_notice(run_dir: str | os.PathLike[str]) -> str | None:
    """A sentence on the state of `run_dir` when its latest run has not finished (still
    going or writing its report, killed, interrupted or failed): report.json is then from
    an earlier run, or missing. None when the latest run finished, or there is no store."""
    runs = read_runs(run_dir)
    if not runs or (runs[-1].status == "finished" and not runs[-1].alive):
        return None
    last = runs[-1]
    started = f"the latest run (started {last.started_at})"
    resume = f"`checker check {last.corpus} --run {os.fspath(run_dir)}` resumes it"
    committed = f"{last.extracted} article{'s' if last.extracted != 1 else ''} committed"
    if last.status == "finished":
        state = f"{started} is writing its report"
    elif last.status == "running" and last.alive is None:
        state = (
            f"{started} has not finished: it is still going, or was killed (this system "
            "cannot tell)"
        )
    elif last.status == "running":
        state = f"{started} is still going"
    elif last.status == "killed" and last.finished_at:
        state = (
            f"{started} was killed while writing its report (every article committed; "
            f"{resume}, reusing them)"
        )
    elif last.status == "killed":
        state = f"{started} was killed before it finished ({committed}; {resume}, reusing them)"
    elif last.status == "interrupted":
        state = f"{started} was interrupted ({resume})"
    else:
        state = f"{started} stopped on an error ({resume})"
    finished = [r for r in runs[:-1] if r.status == "finished"]
    if finished:
        return f"{state}; report.json is from the run finished {finished[-1].finished_at}"
    return f"{state}; no run has finished yet"


class _transaction:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK when the block raises."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self.db.execute("ROLLBACK" if exc_type is not None else "COMMIT")


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomic(path: Path, text: str | Iterable[str]) -> None:
    """Write via a temporary file in the same folder and rename: never half a file.

    `text` may come in pieces (an iterable of strings), so a large report is written
    without ever being one string in memory.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            # mkstemp makes the file private (0600); a report is for sharing, as with open().
            Path(tmp).chmod(0o666 & ~_umask())
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                if isinstance(text, str):
                    handle.write(text)
                else:
                    handle.writelines(text)
                handle.flush()
                os.fsync(handle.fileno())
            Path(tmp).replace(path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc.strerror or exc}") from exc


# --- extractor identity --------------------------------------------------------------------


def extractor_identity(extractor: object) -> str:
    """What must match for a stored extraction to be reused.

    The extractor's own ``identity`` when it has one (the LLM extractor: model, prompt,
    schema, mode, chunk size); else its name, checker's version and a hash of the source
    of every checker module its code reaches, so editing the rules re-extracts.
    """
    own = getattr(extractor, "identity", None)
    if isinstance(own, str) and own:
        return own
    name = str(getattr(extractor, "name", type(extractor).__name__))
    roots = {type(extractor).__module__}
    if name == "auto":  # falls back to the rule extractor, imported lazily
        roots.add("checker.rules")
    return f"{name}|checker {__version__}|code {code_hash(roots)}"


def code_hash(roots: Iterable[str]) -> str:
    """SHA-256 (16 hex) over the source of `roots` and every checker module they use."""
    seen: set[str] = set()
    todo = [r for r in roots if r.startswith("checker")]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        module = sys.modules.get(name)
        if module is None:
            try:
                module = __import__(name, fromlist=["_"])
            except ImportError:
                continue
        seen.add(name)
        todo.extend(_checker_imports(module) - seen)
    digest = hashlib.sha256()
    for name in sorted(seen):
        source = inspect.getsourcefile(sys.modules[name])
        digest.update(name.encode())
        if source:
            digest.update(Path(source).read_bytes())
    return digest.hexdigest()[:16]


def _checker_imports(module: ModuleType) -> set[str]:
    found: set[str] = set()
    for value in vars(module).values():
        name = value.__name__ if isinstance(value, ModuleType) else getattr(value, "__module__", "")
        if isinstance(name, str) and name.startswith("checker.") and name != "checker.store":
            found.add(name)
    return found


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
