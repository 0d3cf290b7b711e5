"""Articles and their extractions parked aside, read back one at a time.

Why: an `Extraction` is a tree of Pydantic models, about 125 KB of memory per article
(20 claims, 70 mentions, each with its evidence), while its pickle is about 17 KB. A run
over 100,000 articles cannot hold them all, but it never needs to: story grouping needs a
few features per article, and the comparator needs one story at a time. So the pipeline
hands each (article, extraction) pair to the spool as soon as it has it and re-materialises
a story's pairs when it compares that story.

Like `tempfile.SpooledTemporaryFile`, the spool keeps pairs in memory up to a budget
(`MEMORY_BUDGET`, estimated from their claims and mentions) and writes the rest, pickled,
to an anonymous temporary file (deleted when closed, or when the process dies). A corpus of
a couple of thousand articles thus never pays for pickling (about a seventh of a rule
extractor run), and memory stays bounded whatever the corpus size. The spool holds nothing
a run directory must keep, which is the run store's job (`checker.store`).

Beside each pair the file holds what the comparator reads of it (`checker.comparable`):
the claims and a third of the mentions. Comparing a story loads only that
(`Spool.comparables`), a third of the models the extraction would cost to unpickle.

A pair extracted in a worker process arrives already pickled (`pickled`, in the worker):
`put_pickled` writes those bytes to the file as they are, so this process never builds
the extraction's models only to pickle them again.

Reads use positional I/O (`os.pread`, where the OS has it), so a process forked from this
one (a comparison worker) can read the spool without moving the file position it shares
with this process.
"""

from __future__ import annotations

import io
import os
import pickle
import tempfile
from collections.abc import Iterable, Iterator
from typing import NamedTuple, cast

from checker.comparable import Comparable, ComparableParts, comparable, comparable_parts
from checker.models import Article, Extraction

Pair = tuple[Article, Extraction]

# Pairs held in memory, at most (estimated bytes): about 2,000 articles of the seeds' size.
MEMORY_BUDGET = 256 * 1024 * 1024
# Estimated memory of a held pair: per claim or mention (each with its evidence; measured
# at 1.5 KB on the seeds and on synthetic corpora), plus twice its text's length.
_BYTES_PER_ITEM = 1_600


class Pickled(NamedTuple):
    """A pair as the spool's file holds it (`pickled`, for `Spool.put_pickled`)."""

    data: bytes
    article_end: int  # where the article's pickle ends in `data`
    comparable_end: int  # where `comparable_parts`' pickle ends


def pickled(
    article: Article, extraction: Extraction, parts: ComparableParts | None = None
) -> Pickled:
    """One pickle stream of the article, what the comparator reads of the extraction
    (`comparable_parts`, unless the caller has made them: `parts`) and the extraction,
    in that order. Each part refers back to objects the earlier ones hold (the claims
    are written once), and the first two can be read without the third."""
    out = io.BytesIO()
    pickler = pickle.Pickler(out, pickle.HIGHEST_PROTOCOL)
    pickler.dump(article)
    article_end = out.tell()
    pickler.dump(comparable_parts(extraction) if parts is None else parts)
    comparable_end = out.tell()
    pickler.dump(extraction)
    return Pickled(out.getvalue(), article_end, comparable_end)


def _unpickled(data: bytes, parts: int) -> list[object]:
    """The first `parts` objects of a `pickled` stream."""
    unpickler = pickle.Unpickler(io.BytesIO(data))
    return [unpickler.load() for _ in range(parts)]


def estimated_bytes(article: Article, extraction: Extraction) -> int:
    """What holding this pair in memory costs, roughly."""
    items = len(extraction.claims) + len(extraction.mentions)
    return _BYTES_PER_ITEM * items + 2 * len(article.text)


class Spool:
    """(article, extraction) pairs by article id: in memory up to `memory_budget`
    estimated bytes, the rest in a temporary file."""

    def __init__(self, memory_budget: int | None = None) -> None:
        self._budget = MEMORY_BUDGET if memory_budget is None else memory_budget
        # id -> (pair, its `comparable_parts` if given, estimated bytes)
        self._held: dict[str, tuple[Pair, ComparableParts | None, int]] = {}
        self._held_bytes = 0
        # Closed by close() or __exit__; the file lives as long as the spool.
        self._file = tempfile.TemporaryFile(prefix="checker-spool-")  # noqa: SIM115
        # article id -> (offset, `Pickled.article_end`, `.comparable_end`, size)
        self._index: dict[str, tuple[int, int, int, int]] = {}
        self._end = 0

    def put(
        self, article: Article, extraction: Extraction, parts: ComparableParts | None = None
    ) -> None:
        """Park one pair, with its `comparable_parts` if the caller has made them (then
        they are not made again); a second pair for the same id replaces the first."""
        self._forget(article.id)
        cost = estimated_bytes(article, extraction)
        if self._held_bytes + cost <= self._budget:
            self._held[article.id] = ((article, extraction), parts, cost)
            self._held_bytes += cost
            return
        self._write(article.id, pickled(article, extraction, parts))

    def put_pickled(self, article_id: str, pair: Pickled) -> None:
        """Park one pair given as `pickled` gives it; it goes to the file, whatever the
        budget (it is already pickled). A second pair for the same id replaces the first."""
        self._forget(article_id)
        self._write(article_id, pair)

    def _write(self, article_id: str, pair: Pickled) -> None:
        self._file.seek(self._end)
        self._file.write(pair.data)
        size = len(pair.data)
        self._index[article_id] = (self._end, pair.article_end, pair.comparable_end, size)
        self._end += size

    def _forget(self, article_id: str) -> None:
        held = self._held.pop(article_id, None)
        if held is not None:
            self._held_bytes -= held[2]
        self._index.pop(article_id, None)  # its bytes stay in the file, unreferenced

    def get(self, article_id: str) -> Pair:
        """The pair of `article_id`; KeyError when it was never put."""
        held = self._held.get(article_id)
        if held is not None:
            return held[0]
        offset, _, _, size = self._index[article_id]
        article, _, extraction = _unpickled(self._read(offset, size), 3)
        assert isinstance(article, Article) and isinstance(extraction, Extraction)
        return article, extraction

    def comparable(self, article_id: str) -> Comparable:
        """What the comparator reads of the pair (cheap: its extraction is not unpickled,
        only the claims and the mentions the comparator uses)."""
        held = self._held.get(article_id)
        if held is not None:
            pair, parts, _ = held
            return comparable(*pair) if parts is None else Comparable(pair[0], *parts)
        offset, _, end, _ = self._index[article_id]
        article, stored = _unpickled(self._read(offset, end), 2)
        return Comparable(cast(Article, article), *cast(ComparableParts, stored))

    def article(self, article_id: str) -> Article:
        """The article alone (cheap: its extraction is not unpickled)."""
        held = self._held.get(article_id)
        if held is not None:
            return held[0][0]
        offset, end, _, _ = self._index[article_id]
        article: Article = pickle.loads(self._read(offset, end))
        return article

    def _read(self, offset: int, size: int) -> bytes:
        self._file.flush()
        if hasattr(os, "pread"):
            return os.pread(self._file.fileno(), size, offset)
        self._file.seek(offset)  # Windows: no forked readers there
        return self._file.read(size)

    def pairs(self, article_ids: Iterable[str]) -> Iterator[Pair]:
        """The pairs of `article_ids` that were put, in that order."""
        for article_id in article_ids:
            if article_id in self:
                yield self.get(article_id)

    def comparables(self, article_ids: Iterable[str]) -> Iterator[Comparable]:
        """`comparable` of each of `article_ids` that was put, in that order."""
        for article_id in article_ids:
            if article_id in self:
                yield self.comparable(article_id)

    def ids(self) -> list[str]:
        """Every article id held, sorted."""
        return sorted([*self._held, *self._index])

    @property
    def in_memory(self) -> int:
        """How many pairs are held in memory (the others are in the file)."""
        return len(self._held)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._held or article_id in self._index

    def __len__(self) -> int:
        return len(self._held) + len(self._index)

    def close(self) -> None:
        self._held.clear()
        self._held_bytes = 0
        self._file.close()

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
