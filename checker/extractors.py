"""The extractor interface: one article in, typed claims and entity mentions out.

Extractors only read. They copy surface text as written ("on Tuesday", "Mr. Kim") and
leave every judgement to the normalizers and the comparator. Offsets in the evidence are
always computed by code from the article text.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal, Protocol

from checker.errors import ConfigError
from checker.models import Article, Extraction


class Extractor(Protocol):
    """Anything that turns an article into an `Extraction`."""

    @property
    def name(self) -> str:
        """Short name reported per article: 'rules', 'replay', 'llm:<model>'."""
        ...

    def extract(self, article: Article) -> Extraction:
        """Extract claims and mentions; raise `ExtractionError` on failure."""
        ...


MODES = ("tools", "json_schema", "json", "md_json")
DEFAULT_MODEL = "gpt-4o-mini"


@dataclass(frozen=True)
class ExtractorOptions:
    """What the CLI knows about how to extract; `build_extractor` turns it into one.

    choice: auto = the model when an endpoint is configured (OPENAI_API_KEY or
    OPENAI_BASE_URL or `base_url`), else recorded cassettes where they match and the rule
    extractor for the rest. model: else CHECKER_MODEL, else gpt-4o-mini. mode: how
    instructor asks for structure (tools, json_schema, json, md_json; servers differ).
    cache_path: the SQLite extraction cache (default: $XDG_CACHE_HOME/checker/llm.sqlite).
    """

    choice: Literal["auto", "rules", "llm", "replay"] = "auto"
    model: str | None = None
    base_url: str | None = None
    mode: str = "tools"
    concurrency: int = 4
    cache_path: Path | None = None
    cassette_dir: Path = Path("cassettes")
    dry_run: bool = False
    timeout_s: float = 120.0
    max_reasks: int = 2
    reask_token_budget: int = 40_000
    max_chunk_chars: int = 6_000
    progress: bool = True  # a progress bar (or line) on stderr; the CLI's --quiet clears it
    max_cost_usd: float | None = None  # stop starting articles once this run spent it
    price_per_mtok: tuple[float, float] | None = None  # for models not in checker.llm.PRICES
    batch: bool = False  # send articles through the OpenAI Batch API (checker.batch)
    batch_poll_s: float = 30.0


def build_extractor(options: ExtractorOptions, env: Mapping[str, str]) -> Extractor:
    """Pick the extractor the options and environment ask for.

    Raises `ConfigError` for settings that cannot work (unknown mode, `--extractor llm`
    with no endpoint, concurrency below 1). Nothing here makes a network call.
    """
    if options.mode not in MODES:
        raise ConfigError(f"unknown --mode {options.mode!r}: choose one of {', '.join(MODES)}")
    if options.concurrency < 1:
        raise ConfigError("--concurrency must be at least 1")
    if options.choice == "rules":
        if options.batch:
            raise ConfigError("--batch needs the llm extractor, not rules")
        return _rules()
    api_key = env.get("OPENAI_API_KEY", "").strip()
    base_url = options.base_url or env.get("OPENAI_BASE_URL", "").strip() or None
    has_endpoint = bool(api_key or base_url)
    if options.choice == "llm" or (options.choice == "auto" and has_endpoint):
        if not has_endpoint:
            raise ConfigError(
                "--extractor llm needs a model endpoint: set OPENAI_API_KEY, or "
                "OPENAI_BASE_URL / --base-url for a local OpenAI-compatible server"
            )
        return _llm(options, env, api_key, base_url)
    if options.batch:
        raise ConfigError(
            "--batch sends articles to a model endpoint: set OPENAI_API_KEY, or "
            "OPENAI_BASE_URL / --base-url"
        )

    from checker.replay import AutoExtractor, ReplayExtractor

    progress = _progress_stream(options)
    replay = ReplayExtractor(_cassette_dir(options.cassette_dir), progress=progress)
    if options.choice == "replay":
        return replay
    return AutoExtractor(replay, _rules, progress=progress)


def _rules() -> Extractor:
    from checker.rules import RuleExtractor

    return RuleExtractor()


def _llm(
    options: ExtractorOptions, env: Mapping[str, str], api_key: str, base_url: str | None
) -> Extractor:
    from checker.cache import ExtractionCache
    from checker.llm import LLMExtractor, LLMSettings

    settings = LLMSettings(
        model=options.model or env.get("CHECKER_MODEL", "").strip() or DEFAULT_MODEL,
        # Local servers (Ollama, vLLM, llama.cpp) take any key; the client insists on one.
        api_key=api_key or "no-key-needed",
        base_url=base_url,
        mode=options.mode,
        timeout_s=options.timeout_s,
        max_reasks=options.max_reasks,
        reask_token_budget=options.reask_token_budget,
        max_chunk_chars=options.max_chunk_chars,
        max_cost_usd=options.max_cost_usd,
        price_per_mtok=options.price_per_mtok,
    )
    cache = ExtractionCache(options.cache_path or _default_cache(env))
    llm = LLMExtractor(
        settings, cache, concurrency=options.concurrency, progress=_progress_stream(options)
    )
    if not options.batch:
        return llm
    from checker.batch import BatchExtractor

    return BatchExtractor(llm, poll_s=options.batch_poll_s)


def _progress_stream(options: ExtractorOptions) -> IO[str] | None:
    """None means stderr; a quiet run writes its progress nowhere."""
    return None if options.progress else io.StringIO()


def _default_cache(env: Mapping[str, str]) -> Path:
    root = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(root) / "checker" / "llm.sqlite"


def _cassette_dir(folder: Path) -> Path:
    """The cassette folder; the default falls back to the source checkout's own."""
    if folder.is_dir() or folder != Path("cassettes"):
        return folder
    return Path(__file__).resolve().parent.parent / "cassettes"
