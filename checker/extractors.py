"""The extractor interface: one article in, typed claims and entity mentions out.

Extractors only read. They copy surface text as written ("on Tuesday", "Mr. Kim") and
leave every judgement to the normalizers and the comparator. Offsets in the evidence are
always computed by code from the article text.
"""

from __future__ import annotations

from typing import Protocol

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
