"""Editor decisions on flags, kept in a run directory, and what they do to the next run.

A run directory `RUN` holds `RUN/checker.sqlite` (shared with the run store; this module
owns only its `reviews` table) and `RUN/report.json`, the latest report of `check --run`.
An editor confirms or dismisses a flag by its stable id (a hash of its kind and evidence
quotes, so it survives edits elsewhere in the corpus). The next run marks every flag:

    new        not in the previous report.json
    unchanged  in the previous report and not decided on
    confirmed  an editor agreed it needs fixing
    dismissed  an editor judged it a false alarm: hidden by default, like a linter baseline

`RUN/articles.json` keeps the article texts and extractions for the HTML article view
(`checker serve`), until the run store offers them.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from checker.errors import ConfigError
from checker.models import Article, Extraction, Flag, Report
from checker.store import REPORT_NAME, STORE_NAME, write_atomic

Decision = Literal["confirmed", "dismissed"]
DB_NAME = STORE_NAME
ARTICLES_NAME = "articles.json"
NOTE_LIMIT = 2000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS reviews (
    flag_id TEXT PRIMARY KEY,
    status TEXT NOT NULL CHECK (status IN ('confirmed', 'dismissed')),
    note TEXT NOT NULL DEFAULT '',
    decided_at TEXT NOT NULL,
    kind TEXT,
    summary TEXT
)
"""


@dataclass(frozen=True)
class Review:
    """One editor decision on one flag."""

    flag_id: str
    status: Decision
    note: str
    decided_at: str


class ReviewStore:
    """The `reviews` table of `RUN/checker.sqlite`: one decision per flag id.

    Each operation opens its own short connection (WAL, busy timeout), so the threads of
    `checker serve` and a concurrent `checker review` never share a handle.
    """

    def __init__(self, run_dir: str | os.PathLike[str]) -> None:
        self.run_dir = Path(run_dir)
        self.path = self.run_dir / DB_NAME

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            self.run_dir.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=10)
        except (OSError, sqlite3.Error) as exc:
            raise ConfigError(f"cannot open {self.path}: {exc}") from exc
        try:
            conn.execute("PRAGMA busy_timeout = 10000")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute(_SCHEMA)
            with conn:
                yield conn
        except sqlite3.Error as exc:
            raise ConfigError(f"{self.path}: {exc}") from exc
        finally:
            conn.close()

    def ensure(self) -> None:
        """Create the file and the `reviews` table if they are missing."""
        with self._connect():
            pass

    def decide(self, flag: Flag, status: Decision, note: str = "") -> Review:
        """Record (or replace) the decision on `flag`."""
        if status not in ("confirmed", "dismissed"):
            raise ConfigError(f"unknown decision {status!r}")
        note = note.strip()
        if len(note) > NOTE_LIMIT:
            raise ConfigError(f"note is longer than {NOTE_LIMIT} characters")
        now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        with self._connect() as conn:
            conn.execute(
                "INSERT INTO reviews (flag_id, status, note, decided_at, kind, summary) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(flag_id) DO UPDATE SET "
                "status = excluded.status, note = excluded.note, "
                "decided_at = excluded.decided_at, kind = excluded.kind, "
                "summary = excluded.summary",
                (flag.id, status, note, now, flag.kind, flag.summary),
            )
        return Review(flag.id, status, note, now)

    def reopen(self, flag_id: str) -> bool:
        """Forget the decision on `flag_id`; False when there was none."""
        with self._connect() as conn:
            cursor = conn.execute("DELETE FROM reviews WHERE flag_id = ?", (flag_id,))
            return cursor.rowcount > 0

    def decisions(self) -> dict[str, Review]:
        if not self.path.exists():
            return {}
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT flag_id, status, note, decided_at FROM reviews ORDER BY flag_id"
            ).fetchall()
        return {r[0]: Review(r[0], r[1], r[2], r[3]) for r in rows}


# -- statuses -------------------------------------------------------------------------------


def mark_flags(
    report: Report, previous_ids: set[str] | None, decisions: Mapping[str, Review]
) -> Report:
    """Give every flag its review status: a decision wins, else new or unchanged.

    With `previous_ids` None (no earlier run), a flag keeps the new/unchanged mark it
    already carries, or is new.
    """
    flags = []
    for flag in report.flags:
        decision = decisions.get(flag.id)
        if decision is not None:
            flags.append(
                flag.model_copy(
                    update={"review": decision.status, "review_note": decision.note or None}
                )
            )
            continue
        if previous_ids is None:
            kept = flag.review if flag.review in ("new", "unchanged") else "unchanged"
            status = kept if flag.review is not None else "new"
        else:
            status = "unchanged" if flag.id in previous_ids else "new"
        flags.append(flag.model_copy(update={"review": status, "review_note": None}))
    return report.model_copy(update={"flags": tuple(flags)})


def apply_reviews(
    report: Report, run_dir: str | os.PathLike[str], previous_ids: set[str] | None = None
) -> Report:
    """Mark a fresh report against the run's previous report.json and its decisions.

    `previous_ids`: the flag ids of that report.json, when the caller read them already
    (`previous_flag_ids`, before the run replaced it).
    """
    run = Path(run_dir)
    if previous_ids is None:
        previous_ids = previous_flag_ids(run)
    return mark_flags(report, previous_ids, ReviewStore(run).decisions())


class _FlagId(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: str


class _FlagIds(BaseModel):
    model_config = ConfigDict(extra="ignore")
    schema_version: str
    flags: tuple[_FlagId, ...]


def previous_flag_ids(run_dir: str | os.PathLike[str]) -> set[str]:
    """The flag ids of the run's report.json (empty when there is none yet).

    Reads only the ids, not the whole report: a 100,000-article report would otherwise
    be parsed into models just to learn which flags it had.
    """
    target = Path(run_dir) / REPORT_NAME
    if not target.exists():
        return set()
    return {f.id for f in _read_report(target, _FlagIds).flags}


def current_report(run_dir: str | os.PathLike[str]) -> Report:
    """The run's report.json with today's decisions laid over it (for review and serve)."""
    run = Path(run_dir)
    return mark_flags(load_report(run), None, ReviewStore(run).decisions())


def visible(report: Report, show_dismissed: bool = False) -> Report:
    """The report an editor sees: dismissed flags left out unless asked for."""
    if show_dismissed:
        return report
    kept = tuple(f for f in report.flags if f.review != "dismissed")
    return report.model_copy(update={"flags": kept})


def find_flag(report: Report, prefix: str) -> Flag:
    """The flag whose id starts with `prefix`; a ConfigError when none or several do."""
    prefix = prefix.strip().lower()
    if not prefix:
        raise ConfigError("empty flag id")
    matches = [f for f in report.flags if f.id.startswith(prefix)]
    if not matches:
        raise ConfigError(f"no flag with id {prefix!r} in this run")
    if len(matches) > 1 and not any(f.id == prefix for f in matches):
        ids = ", ".join(f.id for f in matches[:5])
        raise ConfigError(f"flag id {prefix!r} is ambiguous: {ids}")
    return next((f for f in matches if f.id == prefix), matches[0])


# -- run directory files --------------------------------------------------------------------


def report_path(path: str | os.PathLike[str]) -> Path:
    """`path` itself when it is a file, else `path/report.json`."""
    p = Path(path)
    return p / REPORT_NAME if p.is_dir() else p


def load_report(path: str | os.PathLike[str]) -> Report:
    """Read a run directory's report.json, or a report.json path."""
    return _read_report(report_path(path), Report)


_Parsed = TypeVar("_Parsed", bound=BaseModel)


def _read_report(target: Path, model: type[_Parsed]) -> _Parsed:
    """`target`, a JSON report, parsed as `model`; a ConfigError naming it otherwise."""
    try:
        return model.model_validate_json(target.read_bytes())
    except FileNotFoundError as exc:
        raise ConfigError(f"{target}: no report here (run `checker check --run DIR`)") from exc
    except OSError as exc:
        raise ConfigError(f"cannot read {target}: {exc.strerror or exc}") from exc
    except ValidationError as exc:
        raise ConfigError(
            f"{target}: not a checker JSON report ({exc.error_count()} errors)"
        ) from exc


_ARTICLE_VIEW = TypeAdapter(list[tuple[Article, Extraction]])
_ARTICLE_PAIR = TypeAdapter(tuple[Article, Extraction])


def save_articles(
    run_dir: str | os.PathLike[str],
    articles: Sequence[Article],
    extractions: Sequence[Extraction],
) -> None:
    """Keep texts and extractions beside report.json for the HTML article view."""
    by_id = {e.article: e for e in extractions}
    write_article_view(run_dir, ((a, by_id[a.id]) for a in articles if a.id in by_id))


def write_article_view(
    run_dir: str | os.PathLike[str], pairs: Iterable[tuple[Article, Extraction]]
) -> None:
    """`save_articles` from (article, extraction) pairs that come one at a time: the file
    is written pair by pair, never held whole (it is ~45 KB per article)."""

    def pieces() -> Iterator[str]:
        yield "["
        for number, pair in enumerate(pairs):
            yield ("," if number else "") + _ARTICLE_PAIR.dump_json(pair).decode("utf-8")
        yield "]"

    write_atomic(Path(run_dir) / ARTICLES_NAME, pieces())


def load_articles(
    run_dir: str | os.PathLike[str],
) -> tuple[tuple[Article, ...], tuple[Extraction, ...]]:
    """The article view data of a run; empty when the run has none."""
    path = Path(run_dir) / ARTICLES_NAME
    try:
        pairs = _ARTICLE_VIEW.validate_json(path.read_bytes())
    except (OSError, ValidationError):
        return (), ()
    return tuple(a for a, _ in pairs), tuple(e for _, e in pairs)


# -- diff -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportDiff:
    new: tuple[Flag, ...]
    gone: tuple[Flag, ...]
    unchanged: tuple[Flag, ...]


def diff_reports(before: Report, after: Report) -> ReportDiff:
    """Flags by stable id: new in `after`, gone from `before`, in both."""
    before_ids = {f.id for f in before.flags}
    after_ids = {f.id for f in after.flags}
    return ReportDiff(
        new=tuple(f for f in after.flags if f.id not in before_ids),
        gone=tuple(f for f in before.flags if f.id not in after_ids),
        unchanged=tuple(f for f in after.flags if f.id in before_ids),
    )


def diff_json(diff: ReportDiff) -> str:
    def rows(flags: tuple[Flag, ...]) -> list[dict[str, str]]:
        return [
            {"id": f.id, "kind": f.kind, "severity": f.severity, "summary": f.summary}
            for f in flags
        ]

    data = {"new": rows(diff.new), "gone": rows(diff.gone), "unchanged": rows(diff.unchanged)}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
