"""The extraction cache and call log: one SQLite file, so a rerun costs nothing.

A cached answer is keyed by everything that could change it: the article's content hash,
the prompt and schema versions, the model, the mode and the chunk size. What is stored is
the model's validated answer per chunk, not checker's `Claim`s, so the article id and the
offsets are recomputed by code on every run (the same text under another id still hits).

Every HTTP call the LLM extractor makes is logged in `calls` with its tokens, estimated
cost and latency, so a run can be summed up and an interrupted run resumed. Batch API jobs
are remembered in `batches` by the hash of their input, so a killed run does not submit
(and pay for) the same batch twice.
Schema changes are numbered migrations applied in order (`_MIGRATIONS`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

_MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE extractions (
        key TEXT PRIMARY KEY,
        article_hash TEXT NOT NULL,
        prompt_version TEXT NOT NULL,
        schema_version TEXT NOT NULL,
        model TEXT NOT NULL,
        mode TEXT NOT NULL,
        answer_json TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE calls (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id TEXT NOT NULL,
        article TEXT NOT NULL,
        cache_key TEXT NOT NULL,
        chunk INTEGER NOT NULL,
        model TEXT NOT NULL,
        outcome TEXT NOT NULL,
        prompt_tokens INTEGER NOT NULL,
        completion_tokens INTEGER NOT NULL,
        cost_usd REAL,
        latency_s REAL NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE INDEX calls_run ON calls (run_id);
    """,
    # 2: Batch API jobs, so a run killed while a batch is pending picks it up again.
    """
    CREATE TABLE batches (
        input_sha TEXT PRIMARY KEY,
        batch_id TEXT NOT NULL,
        status TEXT NOT NULL,
        requests INTEGER NOT NULL,
        created_at TEXT NOT NULL
    );
    """,
)


def cache_key(
    article_hash: str, prompt_version: str, schema_version: str, model: str, mode: str
) -> str:
    """The identity of one extraction request, whatever the article's id or path."""
    parts = "\x1f".join((article_hash, prompt_version, schema_version, model, mode))
    return hashlib.sha256(parts.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CallRecord:
    """One HTTP call to the model endpoint (a re-ask or a retry is a call of its own)."""

    run_id: str
    article: str
    cache_key: str
    chunk: int
    model: str
    outcome: str  # "ok", "invalid" (answer rejected), "http_429", "timeout", ...
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float | None
    latency_s: float


class ExtractionCache:
    """SQLite store of validated answers and of every call; safe to share across threads."""

    def __init__(self, path: Path | None) -> None:
        """Open (or create) the cache at `path`; None keeps it in memory for this run."""
        self.path = path
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(
            ":memory:" if path is None else str(path),
            check_same_thread=False,
            isolation_level=None,
        )
        if path is not None:
            self._db.execute("PRAGMA journal_mode=WAL")
        self._migrate()

    def _migrate(self) -> None:
        with self._lock:
            version = int(self._db.execute("PRAGMA user_version").fetchone()[0])
            for number, script in enumerate(_MIGRATIONS[version:], start=version + 1):
                self._db.executescript(f"BEGIN; {script}; PRAGMA user_version = {number}; COMMIT;")

    def get(self, key: str) -> str | None:
        """The stored answer JSON for `key`, or None."""
        with self._lock:
            row = self._db.execute(
                "SELECT answer_json FROM extractions WHERE key = ?", (key,)
            ).fetchone()
        return None if row is None else str(row[0])

    def put(
        self,
        key: str,
        *,
        article_hash: str,
        prompt_version: str,
        schema_version: str,
        model: str,
        mode: str,
        answer_json: str,
    ) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO extractions VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    key,
                    article_hash,
                    prompt_version,
                    schema_version,
                    model,
                    mode,
                    answer_json,
                    _now(),
                ),
            )

    def record_call(self, call: CallRecord) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO calls (run_id, article, cache_key, chunk, model, outcome,"
                " prompt_tokens, completion_tokens, cost_usd, latency_s, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    call.run_id,
                    call.article,
                    call.cache_key,
                    call.chunk,
                    call.model,
                    call.outcome,
                    call.prompt_tokens,
                    call.completion_tokens,
                    call.cost_usd,
                    call.latency_s,
                    _now(),
                ),
            )

    def calls(self, run_id: str) -> list[CallRecord]:
        """Every call logged for one run, in order."""
        with self._lock:
            rows = self._db.execute(
                "SELECT run_id, article, cache_key, chunk, model, outcome, prompt_tokens,"
                " completion_tokens, cost_usd, latency_s FROM calls WHERE run_id = ?"
                " ORDER BY id",
                (run_id,),
            ).fetchall()
        return [CallRecord(*row) for row in rows]

    def pending_batch(self, input_sha: str) -> str | None:
        """The id of a submitted, not yet collected batch of exactly this input."""
        with self._lock:
            row = self._db.execute(
                "SELECT batch_id FROM batches WHERE input_sha = ? AND status = 'submitted'",
                (input_sha,),
            ).fetchone()
        return None if row is None else str(row[0])

    def remember_batch(self, input_sha: str, batch_id: str, requests: int, status: str) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO batches VALUES (?, ?, ?, ?, ?)",
                (input_sha, batch_id, status, requests, _now()),
            )

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
