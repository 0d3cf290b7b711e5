"""Replay recorded model exchanges: the LLM path with no key and no network.

`ReplayExtractor` runs the very same code as `checker.llm.LLMExtractor` (prompt, instructor,
validation, conversion), but every HTTP exchange is played from a vcrpy cassette in
``cassettes/replay/``, one per article, named ``<article id>.<content hash>.yaml``. Requests
are matched on method, path and JSON body, so a changed prompt, schema, model or article
cannot replay an old answer: it is a `ReplayMissError` that says how to re-record.

`AutoExtractor` is what runs with no endpoint configured: replay where a cassette
matches, the rule extractor otherwise, and each `Extraction` names the one used.

This module also owns the cassette format shared with the test suite: secrets and vendor
headers scrubbed on the way in, JSON bodies stored parsed and readable, multi-line text as
YAML blocks. vcrpy is imported only when a cassette is played or recorded.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import yaml

from checker.errors import ConfigError, ReplayMissError
from checker.extractors import Extractor
from checker.llm import RECORD_HINT, LLMExtractor, LLMSettings, run_bounded
from checker.models import Article, Extraction

REPLAY_FOLDER = "replay"
SERIALIZER = "yaml"
# Runtime replay ignores scheme, host and port: a cassette recorded against the reference
# server on 127.0.0.1:8765 or against api.openai.com replays the same.
REPLAY_MATCH_ON = ("method", "path", "body")
TEST_MATCH_ON = ("method", "scheme", "host", "port", "path", "query", "body")

_SECRET_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "api-key",
        "cookie",
        "set-cookie",
        "openai-organization",
        "openai-project",
    }
)
# Noise that changes on every call or no longer describes the stored body.
_NOISY_HEADERS = frozenset(
    {
        "user-agent",
        "date",
        "server",
        "via",
        "request-id",
        "content-length",
        "content-encoding",
        "transfer-encoding",
        "connection",
        "keep-alive",
        "openai-processing-ms",
        "openai-version",
        "strict-transport-security",
        "alt-svc",
    }
)


def dropped_header(name: str) -> bool:
    """True for headers never written to a cassette: secrets, x-*, cf-* and noise."""
    lowered = name.lower()
    return (
        lowered in _SECRET_HEADERS or lowered in _NOISY_HEADERS or lowered.startswith(("x-", "cf-"))
    )


def scrub_request(request: Any) -> Any:
    """vcrpy `before_record_request`: drop secret and vendor headers (also when matching)."""
    for name in list(request.headers.keys()):
        if dropped_header(name):
            del request.headers[name]
    return request


def scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    """vcrpy `before_record_response`: the same for the response's headers."""
    headers = response.get("headers") or {}
    response["headers"] = {k: v for k, v in headers.items() if not dropped_header(k)}
    return response


_Dumper: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LiteralDumper(_Dumper):  # type: ignore[valid-type,misc]
    """Multi-line strings as YAML literal blocks, so articles and prompts stay readable."""


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_LiteralDumper.add_representer(str, _represent_str)


class CassetteSerializer:
    """vcrpy serializer: YAML with JSON bodies parsed (``parsed_body``) for review."""

    @staticmethod
    def serialize(cassette: dict[str, Any]) -> str:
        for interaction in cassette.get("interactions", []):
            for kind in ("request", "response"):
                data = interaction[kind]
                body = data.get("body")
                text = body.get("string") if isinstance(body, dict) else body
                if isinstance(text, bytes):
                    try:
                        text = text.decode("utf-8")
                    except UnicodeDecodeError:
                        continue
                if not isinstance(text, str) or not text:
                    continue
                try:
                    parsed = json.loads(text)
                except ValueError:
                    continue
                data.pop("body", None)
                data["parsed_body"] = parsed
        return yaml.dump(
            cassette, Dumper=_LiteralDumper, allow_unicode=True, sort_keys=False, width=100
        )

    @staticmethod
    def deserialize(text: str) -> dict[str, Any]:
        cassette: dict[str, Any] = yaml.load(text, Loader=_Loader) or {}
        for interaction in cassette.get("interactions", []):
            for kind in ("request", "response"):
                data = interaction[kind]
                if "parsed_body" in data:
                    body = json.dumps(data.pop("parsed_body"), ensure_ascii=False)
                    data["body"] = {"string": body} if kind == "response" else body
        return cassette


def vcr_options(match_on: Sequence[str] = TEST_MATCH_ON) -> dict[str, Any]:
    """Keyword arguments for `VCR.use_cassette` (and pytest-recording's `vcr_config`)."""
    return {
        "serializer": SERIALIZER,
        "match_on": tuple(match_on),
        "before_record_request": scrub_request,
        "before_record_response": scrub_response,
        "decode_compressed_response": True,
        "allow_playback_repeats": False,
    }


def new_vcr() -> Any:
    """A vcrpy `VCR` with checker's serializer registered."""
    try:
        import vcr
    except ImportError as exc:  # replay is optional: auto falls back to the rule extractor
        raise ReplayMissError("replaying cassettes needs vcrpy: pip install vcrpy") from exc

    recorder = vcr.VCR()
    recorder.register_serializer(SERIALIZER, CassetteSerializer)
    return recorder


def cassette_path(folder: Path, article: Article) -> Path:
    """Where the replay cassette of `article` lives: readable id, content-addressed."""
    safe_id = re.sub(r"[^A-Za-z0-9_.-]+", "_", article.id)[:80]
    return folder / f"{safe_id}.{article.content_hash[:16]}.yaml"


def find_cassette(folder: Path, article: Article) -> Path | None:
    """The cassette recorded for this article's text, under whatever id it had."""
    exact = cassette_path(folder, article)
    if exact.is_file():
        return exact
    matches = sorted(folder.glob(f"*.{article.content_hash[:16]}.yaml"))
    return matches[0] if matches else None


def recorded_request(path: Path) -> tuple[str, str, str]:
    """(model, mode, base URL) of the first request recorded in a cassette."""
    cassette = CassetteSerializer.deserialize(path.read_text(encoding="utf-8"))
    interactions = cassette.get("interactions") or []
    if not interactions:
        raise ReplayMissError(f"{path}: the cassette holds no exchange; {RECORD_HINT}")
    request = interactions[0]["request"]
    body = json.loads(request.get("body") or "{}")
    uri = str(request.get("uri", ""))
    base_url = uri.rsplit("/chat/completions", 1)[0]
    if "tools" in body:
        mode = "tools"
    elif body.get("response_format", {}).get("type") == "json_schema":
        mode = "json_schema"
    elif body.get("response_format", {}).get("type") == "json_object":
        mode = "json"
    else:
        mode = "md_json"
    return str(body.get("model", "")), mode, base_url


class ReplayExtractor:
    """Claims from recorded exchanges; never touches the network, needs no key."""

    def __init__(self, cassette_dir: Path, *, progress: IO[str] | None = None) -> None:
        self.folder = cassette_dir / REPLAY_FOLDER
        self._progress = progress
        self._vcr: Any = None
        self._players: dict[tuple[str, str, str], LLMExtractor] = {}
        self._lock = threading.Lock()  # vcrpy patches globally: one cassette at a time
        self.misses: list[str] = []

    @property
    def name(self) -> str:
        models = sorted({player.settings.model for player in self._players.values()})
        return "replay:" + ",".join(models) if models else "replay"

    def extract(self, article: Article) -> Extraction:
        """Replay the recorded extraction of `article`; `ReplayMissError` if there is none."""
        path = find_cassette(self.folder, article) if self.folder.is_dir() else None
        if path is None:
            self.misses.append(article.id)
            raise ReplayMissError(
                f"{article.id}: no cassette recorded for this article's text in {self.folder}; "
                f"{RECORD_HINT}"
            )
        model, mode, base_url = recorded_request(path)
        player = self._player(model, mode, base_url)
        if self._vcr is None:
            self._vcr = new_vcr()
        with (
            self._lock,
            self._vcr.use_cassette(str(path), record_mode="none", **vcr_options(REPLAY_MATCH_ON)),
        ):
            try:
                return player.extract(article)
            except ReplayMissError:
                self.misses.append(article.id)
                raise

    def _player(self, model: str, mode: str, base_url: str) -> LLMExtractor:
        key = (model, mode, base_url)
        if key not in self._players:
            settings = LLMSettings(
                model=model,
                api_key="replay-needs-no-key",
                base_url=base_url or None,
                mode=mode,
                sleep=lambda _seconds: None,  # a replayed Retry-After costs no time
            )
            self._players[key] = LLMExtractor(settings, label=f"replay:{model}", replaying=True)
        return self._players[key]

    def extract_many(self, articles: Sequence[Article]) -> list[Extraction]:
        """Replay every article in order; a miss is reported as ``extraction_failed``."""
        return run_bounded(self._extract_or_fail, articles, 1, self._progress)

    def _extract_or_fail(self, article: Article) -> Extraction:
        try:
            return self.extract(article)
        except ReplayMissError as exc:
            return Extraction(
                article=article.id, extractor="replay", status="extraction_failed", reason=str(exc)
            )

    def played(self) -> str | None:
        """What the replayed exchanges cost when they were recorded."""
        return "; ".join(s for p in self._players.values() if (s := p.summary())) or None

    def summary(self) -> str | None:
        parts = [self.played()] if self._players else []
        if self.misses:
            parts.append(f"no matching cassette for {len(self.misses)} articles")
        return "; ".join(p for p in parts if p) or None

    def estimate(self, articles: Sequence[Article]) -> str:
        return f"Dry run: replay makes no model call; {len(articles)} articles, cost $0."


class AutoExtractor:
    """Replay where a cassette matches, the rule extractor otherwise (per article)."""

    def __init__(
        self,
        replay: ReplayExtractor,
        rules: Callable[[], Extractor],
        *,
        progress: IO[str] | None = None,
    ) -> None:
        self.replay = replay
        self._make_rules = rules
        self._rules: Extractor | None = None
        self._progress = progress
        self.fell_back: list[str] = []

    @property
    def name(self) -> str:
        return "auto"

    def extract(self, article: Article) -> Extraction:
        try:
            return self.replay.extract(article)
        except ReplayMissError:
            self.fell_back.append(article.id)
            if self._rules is None:
                self._rules = self._make_rules()
            return self._rules.extract(article)

    def extract_many(self, articles: Sequence[Article]) -> list[Extraction]:
        return run_bounded(self.extract, articles, 1, self._progress)

    def summary(self) -> str | None:
        parts = [self.replay.played()]
        if self.fell_back:
            parts.append(
                f"{len(self.fell_back)} articles had no matching cassette and used the rule "
                "extractor"
            )
        return "; ".join(p for p in parts if p) or None

    def estimate(self, articles: Sequence[Article]) -> str:
        return (
            f"Dry run: no endpoint configured, so {len(articles)} articles are replayed or "
            "read by the rule extractor; no model call, cost $0."
        )


@contextmanager
def recording(path: Path, match_on: Sequence[str] = REPLAY_MATCH_ON) -> Iterator[Any]:
    """Record every exchange made inside the block into a fresh cassette at `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    with new_vcr().use_cassette(str(path), record_mode="all", **vcr_options(match_on)) as tape:
        yield tape


def record_articles(
    articles: Sequence[Article], settings: LLMSettings, cassette_dir: Path
) -> list[tuple[Article, Extraction, Path]]:
    """Extract each article live, recording its exchanges as its replay cassette."""
    folder = cassette_dir / REPLAY_FOLDER
    results = []
    for article in articles:
        for stale in folder.glob(f"*.{article.content_hash[:16]}.yaml"):
            stale.unlink()
        path = cassette_path(folder, article)
        extractor = LLMExtractor(settings, concurrency=1)
        with recording(path):
            extraction = extractor.extract(article)
        if extraction.status != "ok":
            raise ConfigError(f"{article.id}: recording failed: {extraction.reason}")
        results.append((article, extraction, path))
    return results


def recorded_calls(path: Path) -> list[Mapping[str, Any]]:
    """The interactions stored in a cassette, bodies parsed (for tests and notes)."""
    cassette = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader) or {}
    interactions: list[Mapping[str, Any]] = cassette.get("interactions") or []
    return interactions
