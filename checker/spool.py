"""Articles and their extractions parked in a temporary file, read back one at a time.

Why: an `Extraction` is a tree of Pydantic models, about 125 KB of memory per article
(20 claims, 70 mentions, each with its evidence), while its pickle is about 17 KB. A run
over 100,000 articles cannot hold them all, but it never needs to: story grouping needs a
few features per article, and the comparator needs one story at a time. So the pipeline
writes each (article, extraction) pair here as soon as it has it, keeps only the file
offset, and re-materialises a story's pairs when it compares that story.

The file is an anonymous temporary file (deleted when closed, or when the process dies);
it holds nothing a run directory must keep, which is the run store's job (`checker.store`).
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterable, Iterator

from checker.models import Article, Extraction

Pair = tuple[Article, Extraction]


class Spool:
    """(article, extraction) pairs by article id, in a temporary file."""

    def __init__(self) -> None:
        # Closed by close() or __exit__; the file lives as long as the spool.
        self._file = tempfile.TemporaryFile(prefix="checker-spool-")  # noqa: SIM115
        # article id -> (offset, size of the pickled article, size of the extraction)
        self._index: dict[str, tuple[int, int, int]] = {}
        self._end = 0
        self._at_end = True  # the file position is where the next pair goes

    def put(self, article: Article, extraction: Extraction) -> None:
        """Park one pair; a second pair for the same id replaces the first."""
        first = pickle.dumps(article, protocol=pickle.HIGHEST_PROTOCOL)
        second = pickle.dumps(extraction, protocol=pickle.HIGHEST_PROTOCOL)
        if not self._at_end:
            self._file.seek(self._end)
            self._at_end = True
        self._file.write(first)
        self._file.write(second)
        self._index[article.id] = (self._end, len(first), len(second))
        self._end += len(first) + len(second)

    def get(self, article_id: str) -> Pair:
        """The pair of `article_id`; KeyError when it was never put."""
        offset, first, second = self._index[article_id]
        data = self._read(offset, first + second)
        article: Article = pickle.loads(data[:first])
        extraction: Extraction = pickle.loads(data[first:])
        return article, extraction

    def article(self, article_id: str) -> Article:
        """The article alone (cheap: its extraction is not unpickled)."""
        offset, first, _ = self._index[article_id]
        article: Article = pickle.loads(self._read(offset, first))
        return article

    def _read(self, offset: int, size: int) -> bytes:
        self._file.flush()
        self._file.seek(offset)
        self._at_end = False
        return self._file.read(size)

    def pairs(self, article_ids: Iterable[str]) -> Iterator[Pair]:
        """The pairs of `article_ids` that were put, in that order."""
        for article_id in article_ids:
            if article_id in self._index:
                yield self.get(article_id)

    def ids(self) -> list[str]:
        """Every article id held, sorted."""
        return sorted(self._index)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._index

    def __len__(self) -> int:
        return len(self._index)

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
