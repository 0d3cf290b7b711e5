"""One check, end to end: corpus -> extract -> compare -> report.

The library entry point; the CLI is a thin shell over `run_check`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence

from checker.compare import compare_corpus
from checker.corpus import Corpus, load_corpus
from checker.errors import ExtractionError, NoArticlesError
from checker.extractors import Extractor
from checker.models import Article, ArticleSummary, Extraction, Report

Progress = Callable[[int, int], None]


def run_check(
    corpus_path: str | os.PathLike[str],
    extractor: Extractor,
    *,
    label: str | None = None,
    progress: Progress | None = None,
) -> Report:
    """Check a corpus and return its report.

    Raises `CorpusError` when the corpus cannot be opened and `NoArticlesError` when no
    article in it could be used; problems with single files are listed in the report.
    """
    corpus = load_corpus(corpus_path)
    if not corpus.articles:
        detail = "; ".join(str(p) for p in corpus.problems[:3]) or "no .txt, .md or .jsonl files"
        raise NoArticlesError(f"{os.fspath(corpus_path)}: no article could be read ({detail})")
    extractions = extract_all(extractor, corpus.articles, progress=progress)
    return build_report(corpus, extractions, label or extractor.name)


def extract_all(
    extractor: Extractor, articles: Sequence[Article], *, progress: Progress | None = None
) -> list[Extraction]:
    """Extract every article; a failure is recorded on its article and the run goes on."""
    many = getattr(extractor, "extract_many", None)
    if callable(many):
        result: list[Extraction] = many(articles)
        return result
    out: list[Extraction] = []
    for done, article in enumerate(articles, 1):
        try:
            out.append(extractor.extract(article))
        except ExtractionError as exc:
            out.append(
                Extraction(
                    article=article.id,
                    extractor=extractor.name,
                    status="extraction_failed",
                    reason=str(exc),
                )
            )
        if progress is not None:
            progress(done, len(articles))
    return out


def build_report(corpus: Corpus, extractions: Sequence[Extraction], label: str) -> Report:
    by_id = {e.article: e for e in extractions}
    summaries = []
    for article in corpus.articles:
        e = by_id[article.id]
        summaries.append(
            ArticleSummary(
                id=article.id,
                path=article.path,
                title=article.title,
                source=article.source,
                url=article.url,
                published=article.published,
                published_origin=article.published_origin,
                published_note=article.published_note,
                extractor=e.extractor,
                status=e.status,
                reason=e.reason,
                claims=len(e.claims),
                mentions=len(e.mentions),
            )
        )
    stories, flags = compare_corpus(corpus.articles, extractions)
    return Report(
        extractor=label,
        articles=tuple(summaries),
        flags=flags,
        problems=corpus.problems,
        stories=stories,
    )


def stderr_progress(done: int, total: int) -> None:
    """A one-line progress counter on stderr, redrawn in place on a terminal."""
    if sys.stderr.isatty():
        end = "\n" if done == total else ""
        print(f"\rchecker: extracted {done}/{total} articles", end=end, file=sys.stderr)
    elif done == total or done % 500 == 0:
        print(f"checker: extracted {done}/{total} articles", file=sys.stderr)
