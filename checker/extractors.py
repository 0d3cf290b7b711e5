"""The extractor interface: one article in, typed claims and entity mentions out.

Extractors only read. They copy surface text as written ("on Tuesday", "Mr. Kim") and
leave every judgement to the normalizers and the comparator. Offsets in the evidence are
always computed by code from the article text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

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


@dataclass(frozen=True)
class ExtractorOptions:
    """What the CLI knows about how to extract; `build_extractor` turns it into one."""

    choice: Literal["auto", "rules", "llm", "replay"] = "auto"
    model: str | None = None
    base_url: str | None = None
    mode: str = "tools"
    concurrency: int = 4
    cache_path: Path | None = None
    cassette_dir: Path = Path("cassettes")
    dry_run: bool = False


def build_extractor(options: ExtractorOptions, env: Mapping[str, str]) -> Extractor:
    """Pick the extractor the options and environment ask for."""
    from checker.rules import RuleExtractor

    if options.choice in ("auto", "rules"):
        return RuleExtractor()
    raise ConfigError(f"extractor {options.choice!r} is not available yet")
