"""Load a corpus folder (or one file) into Articles, and everything unusable into Problems.

A corpus is a folder walked recursively, or a single file:

* ``.txt`` / ``.md`` / ``.markdown``: one article, id = file stem. An optional YAML front
  matter (first line ``---``, closed by a line ``---`` or ``...``) may give ``title``,
  ``source``, ``url``, ``published`` and ``id``; other keys are ignored.
* ``.jsonl``: one JSON object per line with ``text`` (required), ``id`` (default
  ``{stem}:{line}``), ``title``, ``source``, ``url`` and ``published``.
* ``manifest.json`` at the top of the folder maps article ids to the same metadata; it only
  fills what an article does not say itself.

Article text is what evidence offsets are counted in, so it must be reproducible from the
file alone: it is the decoded file with ``\\r\\n`` and ``\\r`` turned into ``\\n``, minus the
front matter and its closing line, and nothing else is touched (no stripping). Offsets of
a ``.md``/``.txt`` article are therefore relative to the body after the front matter.

Encodings: UTF-8 (with or without a BOM), UTF-16 and UTF-32 with a BOM. A file that is
not UTF-8 but reads as Windows-1252 (or Latin-1) text is loaded that way *with* a problem
saying so, since older newsroom archives are often in it and dropping them would lose the
article; a wrong guess shows as odd accented letters, never as wrong offsets (offsets are
counted in the decoded text). A file with NUL bytes or control characters is binary.

A user's mistake never raises: each unusable file, line or manifest entry becomes a
`Problem` (``path`` names it, ``message`` says what is wrong in one line) and the rest of
the corpus still loads. Only a corpus that cannot be opened at all raises `CorpusError`.
Output is sorted, so the same files give the same `Corpus` whatever the filesystem order.
"""

from __future__ import annotations

import codecs
import datetime as dt
import errno
import json
import os
import re
import stat
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path, PurePosixPath

import yaml

from checker.errors import CorpusError
from checker.models import Article, Problem, PublishedOrigin

TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown"})
JSONL_SUFFIXES = frozenset({".jsonl"})
_SUPPORTED = TEXT_SUFFIXES | JSONL_SUFFIXES
MANIFEST_NAME = "manifest.json"
_META_KEYS = ("title", "source", "url")
_DATE_FORMAT = "(YYYY-MM-DD)"


@dataclass(frozen=True)
class Corpus:
    """The loaded articles (sorted by id) and the inputs that could not be used."""

    articles: tuple[Article, ...]
    problems: tuple[Problem, ...]


@dataclass
class _Draft:
    """An article whose metadata is still being filled (front matter, manifest, inference)."""

    id: str
    path: str
    text: str
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published: dt.date | None = None
    origin: PublishedOrigin = "none"
    note: str | None = None

    def article(self) -> Article:
        return Article(
            id=self.id,
            path=self.path,
            text=self.text,
            title=self.title,
            source=self.source,
            url=self.url,
            published=self.published,
            published_origin=self.origin,
            published_note=self.note,
        )


class _Problems(list[Problem]):
    def add(self, path: str, message: str) -> None:
        self.append(Problem(path=path, message=message))


def load_corpus(path: str | os.PathLike[str]) -> Corpus:
    """Load every supported file under `path` (a folder or one file)."""
    root = Path(path)
    shown = root.as_posix()
    try:
        root_stat = root.stat()
    except (FileNotFoundError, NotADirectoryError):
        raise CorpusError(f"{path}: no such file or folder") from None
    except OSError as exc:
        raise CorpusError(f"{path}: cannot open: {_reason(exc)}") from None

    problems = _Problems()
    files: list[tuple[Path, str]]
    if stat.S_ISDIR(root_stat.st_mode):
        files = _walk(root, shown, root_stat, problems)
    elif stat.S_ISREG(root_stat.st_mode) and _suffix(root) in _SUPPORTED:
        files = [(root, shown)]
    else:
        raise CorpusError(
            f"{path}: not a corpus: give a folder or a .txt, .md, .markdown or .jsonl file"
        )

    drafts: list[_Draft] = []
    for file, name in sorted(files, key=lambda item: item[1]):
        text = _read_text(file, name, problems)
        if text is None:
            continue
        if _suffix(file) in JSONL_SUFFIXES:
            drafts.extend(_parse_jsonl(text, file.stem, name, problems))
        else:
            draft = _parse_text_file(text, file.stem, name, problems)
            if draft is not None:
                drafts.append(draft)

    kept: dict[str, _Draft] = {}
    for draft in drafts:
        first = kept.get(draft.id)
        if first is None:
            kept[draft.id] = draft
        else:
            problems.add(
                draft.path, f"duplicate article id {_quote(draft.id)} (also in {first.path})"
            )

    if stat.S_ISDIR(root_stat.st_mode):
        _apply_manifest(
            root / MANIFEST_NAME, str(PurePosixPath(shown, MANIFEST_NAME)), kept, problems
        )
    for draft in kept.values():
        if draft.published is None:
            _infer_published(draft)

    return Corpus(
        articles=tuple(kept[key].article() for key in sorted(kept)),
        problems=tuple(sorted(problems, key=lambda p: (p.path, p.message))),
    )


def _walk(
    root: Path, shown: str, root_stat: os.stat_result, problems: _Problems
) -> list[tuple[Path, str]]:
    """Supported files under `root`, following symlinks but never into the same folder twice.

    Each folder is identified by (device, inode), so a symlink back to an ancestor becomes a
    "symlink loop" Problem instead of an endless walk; hidden names are skipped.
    """
    key = (root_stat.st_dev, root_stat.st_ino)
    seen: dict[tuple[int, int], str] = {key: shown}
    stack: list[tuple[Path, str, frozenset[tuple[int, int]]]] = [(root, shown, frozenset({key}))]
    files: list[tuple[Path, str]] = []
    while stack:
        folder, folder_shown, ancestors = stack.pop()
        try:
            # iterdir's paths are made without parsing, unlike `folder / name`
            entries = sorted(folder.iterdir(), key=attrgetter("name"))
        except OSError as exc:
            problems.add(folder_shown, f"cannot read folder: {_reason(exc)}")
            continue
        subfolders: list[tuple[Path, str, frozenset[tuple[int, int]]]] = []
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            entry_shown = _child_shown(folder_shown, name)
            supported = _suffix(entry) in _SUPPORTED
            try:
                entry_stat = entry.stat()
            except OSError as exc:
                if exc.errno == errno.ELOOP:
                    problems.add(entry_shown, "symlink loop")
                elif isinstance(exc, FileNotFoundError) and entry.is_symlink():
                    problems.add(entry_shown, "broken symlink: its target does not exist")
                else:
                    problems.add(entry_shown, f"cannot read: {_reason(exc)}")
                continue
            if stat.S_ISDIR(entry_stat.st_mode):
                key = (entry_stat.st_dev, entry_stat.st_ino)
                if key in ancestors:
                    problems.add(entry_shown, f"symlink loop (leads back to {seen[key]})")
                elif key in seen:
                    problems.add(entry_shown, f"skipped: same folder as {seen[key]}")
                else:
                    seen[key] = entry_shown
                    subfolders.append((entry, entry_shown, ancestors | {key}))
            elif supported:
                if stat.S_ISREG(entry_stat.st_mode):
                    files.append((entry, entry_shown))
                else:
                    problems.add(entry_shown, "not a regular file")
        stack.extend(reversed(subfolders))
    return files


def _child_shown(folder_shown: str, name: str) -> str:
    """``str(PurePosixPath(folder_shown, name))`` for a folder as shown (normalised, as
    `as_posix` gives it) and a file name, without parsing either."""
    if folder_shown == ".":
        return name
    if folder_shown.endswith("/"):
        return folder_shown + name
    return folder_shown + "/" + name


def _read_text(file: Path, shown: str, problems: _Problems) -> str | None:
    """Decode a file as UTF-8 (or UTF-16/32 with a BOM), with newlines normalised to \\n."""
    try:
        data = file.read_bytes()
    except OSError as exc:
        problems.add(shown, f"cannot read: {_reason(exc)}")
        return None
    if not data:
        problems.add(shown, "empty file")
        return None
    text: str
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        encoding = "utf-32"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = "utf-8"
    if encoding != "utf-8":
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            problems.add(shown, f"not valid {encoding.upper()} text despite its byte-order mark")
            return None
    elif b"\x00" in data:
        problems.add(shown, "binary file, not text")
        return None
    else:
        skip = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
        try:
            text = data[skip:].decode("utf-8")
        except UnicodeDecodeError as exc:
            offset = skip + exc.start
            legacy = _decode_legacy(data[skip:])
            if legacy is None:
                problems.add(
                    shown,
                    f"not UTF-8 text (invalid byte 0x{data[offset]:02x} at offset {offset}) "
                    "and not readable as Windows-1252 either; re-save it as UTF-8",
                )
                return None
            text, encoding = legacy
            problems.add(
                shown,
                f"not UTF-8 text (invalid byte 0x{data[offset]:02x} at offset {offset}); read "
                f"as {encoding}: check its accented letters, or re-save it as UTF-8",
            )
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        problems.add(shown, "only whitespace, no text")
        return None
    return text


def _decode_legacy(data: bytes) -> tuple[str, str] | None:
    """Text in the 8-bit encoding older newsroom files use, or None when it is not text.

    Windows-1252 first (Latin-1 plus curly quotes and dashes in 0x80-0x9F), then Latin-1
    for the five bytes Windows-1252 leaves undefined. Control characters other than
    whitespace mean the bytes are not text in either.
    """
    for encoding, shown in (("cp1252", "Windows-1252"), ("latin-1", "Latin-1")):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for ch in text if ch not in "\t\n\r\f\v" and _is_control(ch))
        return (text, shown) if controls == 0 else None
    return None


def _is_control(ch: str) -> bool:
    code = ord(ch)
    return code < 0x20 or 0x7F <= code < 0xA0


def _parse_text_file(text: str, stem: str, shown: str, problems: _Problems) -> _Draft | None:
    front, body = _split_front_matter(text, shown, problems)
    if not body.strip():
        problems.add(shown, "no article text after the front matter")
        return None
    draft = _Draft(id=stem, path=shown, text=body)
    if front is None:
        return draft
    try:
        meta = yaml.load(front, Loader=_FrontMatterLoader)
    except (yaml.YAMLError, ValueError) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark is not None else ""
        problem = " ".join(str(getattr(exc, "problem", None) or exc).split())
        problems.add(shown, f"front matter is not valid YAML{where}: {problem}; metadata ignored")
        return draft
    if meta is None:
        return draft
    if not isinstance(meta, dict):
        problems.add(shown, "front matter is not a mapping of keys to values; metadata ignored")
        return draft
    _fill(draft, meta, "front matter ", shown, problems, origin="front_matter", override=True)
    new_id = _string(meta.get("id"), "front matter 'id'", shown, problems)
    if new_id is not None:
        draft.id = new_id
    return draft


def _split_front_matter(text: str, shown: str, problems: _Problems) -> tuple[str | None, str]:
    """(front matter, body); the body starts right after the closing delimiter line."""
    first_end = text.find("\n")
    if (text if first_end == -1 else text[:first_end]).rstrip() != "---":
        return None, text
    if first_end == -1:
        problems.add(shown, "front matter opened with '---' but never closed")
        return None, text
    pos = first_end + 1
    while pos <= len(text):
        end = text.find("\n", pos)
        line = text[pos:] if end == -1 else text[pos:end]
        if line.rstrip() in ("---", "..."):
            return text[first_end + 1 : pos], "" if end == -1 else text[end + 1 :]
        if end == -1:
            break
        pos = end + 1
    problems.add(shown, "front matter opened with '---' but never closed; read as text")
    return None, text


class _FrontMatterLoader(yaml.SafeLoader):
    """SafeLoader that leaves dates as strings, so a bad date is reported, not a YAML error."""


_FrontMatterLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _parse_jsonl(text: str, stem: str, shown: str, problems: _Problems) -> list[_Draft]:
    drafts: list[_Draft] = []
    for lineno, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"{shown}:{lineno}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.add(where, f"not valid JSON: {exc.msg} (column {exc.colno})")
            continue
        if not isinstance(record, dict):
            problems.add(where, "not a JSON object")
            continue
        body = record.get("text")
        if not isinstance(body, str) or not body.strip():
            problems.add(where, "missing or empty 'text'")
            continue
        body = body.replace("\r\n", "\n").replace("\r", "\n")
        draft = _Draft(id=f"{stem}:{lineno}", path=where, text=body)
        _fill(draft, record, "", where, problems, origin="jsonl", override=True)
        new_id = _string(record.get("id"), "'id'", where, problems)
        if new_id is not None:
            draft.id = new_id
        drafts.append(draft)
    return drafts


def _apply_manifest(file: Path, shown: str, kept: dict[str, _Draft], problems: _Problems) -> None:
    """Fill metadata the articles do not give themselves from the folder's manifest.json."""
    try:
        if not stat.S_ISREG(file.stat().st_mode):
            return
    except OSError:
        return
    text = _read_text(file, shown, problems)
    if text is None:
        return
    try:
        manifest = json.loads(text)
    except json.JSONDecodeError as exc:
        problems.add(
            shown,
            f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno}); manifest ignored",
        )
        return
    if not isinstance(manifest, dict):
        problems.add(shown, "must be a JSON object mapping article ids to metadata; ignored")
        return
    for article_id, entry in manifest.items():
        label = f"entry {_quote(article_id)}"
        draft = kept.get(article_id)
        if draft is None:
            problems.add(shown, f"{label} matches no article")
        elif not isinstance(entry, dict):
            problems.add(shown, f"{label} is not a JSON object")
        else:
            _fill(draft, entry, f"{label}: ", shown, problems, origin="manifest", override=False)


def _fill(
    draft: _Draft,
    meta: dict[object, object],
    context: str,
    shown: str,
    problems: _Problems,
    *,
    origin: PublishedOrigin,
    override: bool,
) -> None:
    """Copy title/source/url/published from `meta`; without `override`, only into gaps."""
    for key in _META_KEYS:
        if override or getattr(draft, key) is None:
            value = _string(meta.get(key), f"{context}'{key}'", shown, problems)
            if value is not None:
                setattr(draft, key, value)
    raw = meta.get("published")
    if raw is None or (not override and draft.published is not None):
        return
    published = _parse_date(raw)
    if published is None:
        problems.add(shown, f"{context}'published' is not a date {_DATE_FORMAT}: {_quote(raw)}")
        return
    draft.published, draft.origin = published, origin


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _parse_date(value: object) -> dt.date | None:
    """A date from YYYY-MM-DD, a date/datetime object, or an ISO datetime (date part kept)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not _ISO_DATE.match(value):
        return None
    try:
        if len(value) == 10:
            return dt.date.fromisoformat(value)
        if value[10] in "T ":
            return dt.datetime.fromisoformat(value).date()
    except ValueError:
        return None
    return None


def _string(value: object, label: str, shown: str, problems: _Problems) -> str | None:
    """A metadata string; numbers are accepted as written, other types are reported."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    problems.add(shown, f"{label} is not text: {_quote(value)}; ignored")
    return None


_MONTHS = {
    "January": 1, "February": 2, "March": 3, "April": 4, "May": 5, "June": 6, "July": 7,
    "August": 8, "September": 9, "October": 10, "November": 11, "December": 12,
    "Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "Jun": 6, "Jul": 7, "Aug": 8,
    "Sep": 9, "Sept": 9, "Oct": 10, "Nov": 11, "Dec": 12,
}  # fmt: skip
_MONTH = "(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4})(?!\d)"
_DATE_PATTERNS = (
    re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}"),
    re.compile(rf"\b{_DAY}\s+{_MONTH},?\s+{_YEAR}"),
    re.compile(r"(?<![\d-])(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})(?![\d])"),
)


def _infer_published(draft: _Draft) -> None:
    """Take the latest full date written in the text: news is dated by its newest event."""
    best: tuple[dt.date, int, str] | None = None
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(draft.text):
            month = match["month"]
            try:
                found = dt.date(
                    int(match["year"]),
                    _MONTHS[month] if month in _MONTHS else int(month),
                    int(match["day"]),
                )
            except ValueError:
                continue
            if best is None or (found, -match.start()) > (best[0], -best[1]):
                best = (found, match.start(), match.group())
    if best is not None:
        draft.published, draft.origin = best[0], "inferred"
        draft.note = f"inferred from {_quote(best[2])} in the text"


def _suffix(path: Path) -> str:
    return path.suffix.lower()


def _reason(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied"
    return (exc.strerror or type(exc).__name__).lower()


def _quote(value: object, limit: int = 80) -> str:
    """Quote a user's value for a one-line message."""
    text = str(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return "'" + text.replace("\n", "\\n").replace("\r", "\\r") + "'"
