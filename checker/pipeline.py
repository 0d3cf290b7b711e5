"""One check, end to end: corpus -> extract -> compare -> report.

The library entry point; the CLI is a thin shell over `run_check`.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from checker.compare import compare_corpus
from checker.corpus import Corpus, load_corpus
from checker.errors import ExtractionError, NoArticlesError
from checker.extractors import Extractor
from checker.gc_tuning import full_collections_deferred
from checker.models import Article, ArticleSummary, Extraction, Problem, Report
from checker.report import render_json
from checker.store import REPORT_NAME, RunStore, extractor_identity, write_atomic

Progress = Callable[[int, int], None]

# Articles longer than this are skipped with a problem (`--max-article-chars`): one pasted
# archive must not eat a run's time or budget. The LLM extractor chunks anything longer
# than its chunk size (6,000 characters) below this limit.
DEFAULT_MAX_ARTICLE_CHARS = 1_000_000
# Test-only: seconds to sleep after each article extracted in a `--run`, so a test can
# kill the process mid-run. Never set it outside tests.
TEST_ONLY_DELAY_ENV = "CHECKER_TEST_ONLY_DELAY_PER_ARTICLE"


@dataclass(frozen=True)
class CheckResult:
    """A report with what it was made from: the HTML article view needs texts and claims."""

    report: Report
    corpus: Corpus
    extractions: tuple[Extraction, ...]


def run_check(
    corpus_path: str | os.PathLike[str],
    extractor: Extractor,
    *,
    label: str | None = None,
    progress: Progress | None = None,
    store: RunStore | None = None,
    max_article_chars: int | None = None,
) -> Report:
    """Check a corpus and return its report.

    Raises `CorpusError` when the corpus cannot be opened and `NoArticlesError` when no
    article in it could be used; problems with single files are listed in the report.
    With a `store` (a run directory), each article is committed as soon as it is
    extracted, finished articles are reused, and ``report.json`` is written at the end.
    """
    result = check_corpus(
        corpus_path,
        extractor,
        label=label,
        progress=progress,
        store=store,
        max_article_chars=max_article_chars,
    )
    if store is not None:
        write_atomic(store.dir / REPORT_NAME, render_json(result.report))
    return result.report


@full_collections_deferred()
def check_corpus(
    corpus_path: str | os.PathLike[str],
    extractor: Extractor,
    *,
    label: str | None = None,
    progress: Progress | None = None,
    store: RunStore | None = None,
    max_article_chars: int | None = None,
) -> CheckResult:
    """`run_check`, keeping the articles and extractions alongside the report.

    With a `store`, extractions and flags are committed to it; writing ``report.json``
    is left to the caller (the CLI marks review statuses first).
    """
    corpus = load_checkable(corpus_path, max_article_chars)
    name = label or extractor.name
    if store is None:
        extractions = extract_all(extractor, corpus.articles, progress=progress)
        return CheckResult(build_report(corpus, extractions, name), corpus, tuple(extractions))
    store.begin_run(os.fspath(corpus_path), name)
    extractions = extract_resumable(extractor, corpus.articles, store, progress=progress)
    report = build_report(corpus, extractions, name)
    store.finish_run(report.flags, report.problems)
    return CheckResult(report, corpus, tuple(extractions))


def load_checkable(corpus_path: str | os.PathLike[str], max_article_chars: int | None) -> Corpus:
    """The corpus minus articles over the size limit; `NoArticlesError` if none is left."""
    corpus = limit_size(load_corpus(corpus_path), max_article_chars)
    if not corpus.articles:
        detail = "; ".join(str(p) for p in corpus.problems[:3]) or "no .txt, .md or .jsonl files"
        raise NoArticlesError(f"{os.fspath(corpus_path)}: no article could be read ({detail})")
    return corpus


def limit_size(corpus: Corpus, max_chars: int | None) -> Corpus:
    """Skip articles longer than `max_chars` characters, each with a problem naming it."""
    if max_chars is None:
        return corpus
    kept: list[Article] = []
    problems = list(corpus.problems)
    for article in corpus.articles:
        if len(article.text) <= max_chars:
            kept.append(article)
        else:
            problems.append(
                Problem(
                    path=article.path,
                    message=(
                        f"article {article.id!r} is {len(article.text):,} characters, over "
                        f"the limit of {max_chars:,}; skipped (raise --max-article-chars "
                        "to check it)"
                    ),
                )
            )
    problems.sort(key=lambda p: (p.path, p.message))
    return Corpus(articles=tuple(kept), problems=tuple(problems))


def extract_resumable(
    extractor: Extractor,
    articles: Sequence[Article],
    store: RunStore,
    *,
    progress: Progress | None = None,
) -> list[Extraction]:
    """Extract what the store does not hold yet, committing each article when done.

    Articles run on the extractor's `concurrency` threads (1 for the rule extractor);
    results come back in input order. An extractor with a `prepare` method (the Batch API
    runner) is first given every article still to do, so it can submit them at once.
    """
    identity = extractor_identity(extractor)
    slots: list[Extraction | None] = [store.load(a, identity) for a in articles]
    todo = [i for i, found in enumerate(slots) if found is None]
    store.counts.articles = len(articles)
    store.counts.reused = len(articles) - len(todo)
    prepare = getattr(extractor, "prepare", None)
    if todo and callable(prepare):
        prepare([articles[i] for i in todo])
    delay = float(os.environ.get(TEST_ONLY_DELAY_ENV) or 0)
    done = store.counts.reused
    if progress is not None and done:
        progress(done, len(articles))

    def work(index: int) -> Extraction:
        article = articles[index]
        extraction = extract_one(extractor, article)
        store.save(article, identity, extraction)
        if delay:
            time.sleep(delay)
        return extraction

    def finished(index: int, extraction: Extraction) -> None:
        nonlocal done
        slots[index] = extraction
        store.counts.extracted += 1
        store.counts.failed += extraction.status != "ok"
        done += 1
        if progress is not None:
            progress(done, len(articles))

    workers = max(1, int(getattr(extractor, "concurrency", 1) or 1))
    if workers == 1 or len(todo) <= 1:
        for index in todo:
            finished(index, work(index))
    else:
        pool = ThreadPoolExecutor(max_workers=workers)
        try:
            for index, extraction in zip(todo, pool.map(work, todo), strict=True):
                finished(index, extraction)
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)  # a bad key stops the run now
            raise
        pool.shutdown()
    return [slot for slot in slots if slot is not None]


def extract_one(extractor: Extractor, article: Article) -> Extraction:
    """One article; an `ExtractionError` becomes an ``extraction_failed`` result."""
    try:
        return extractor.extract(article)
    except ExtractionError as exc:
        return Extraction(
            article=article.id,
            extractor=extractor.name,
            status="extraction_failed",
            reason=str(exc),
        )


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
