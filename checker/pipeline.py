"""One check, end to end: corpus -> extract -> compare -> report.

The library entry point; the CLI is a thin shell over `run_check`.

Memory is bounded by the largest story, not the corpus, because a corpus of 100,000
articles would need ~13 GB to hold every extraction as models:

    extract (or reuse from the run store) ─▶ Collector.add: report row + story features
                                              in memory, (article, extraction) to a Spool
                                              (in worker processes, with --jobs: each
                                              worker makes the row and the features and
                                              pickles the pair; Collector.add_packed)
    FeatureTable.stories()          ─▶ stories
    compare_stories_parallel: each story's pairs re-read from the spool, compared, let go
                              (by forked worker processes when there are several CPUs)

The report is the one `build_report` (everything in memory) gives, byte for byte.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import NamedTuple, TypedDict, TypeVar, Unpack

from checker.comparable import Comparable, comparable_parts
from checker.compare import compare_corpus, compare_stories_parallel
from checker.corpus import Corpus, load_corpus
from checker.errors import ExtractionError, NoArticlesError
from checker.extractors import Extractor
from checker.gc_tuning import collections_paused, full_collections_deferred
from checker.models import (
    Article,
    ArticleSummary,
    Extraction,
    Problem,
    Report,
    Story,
    validator_of,
)
from checker.report import iter_json
from checker.spool import Pickled, Spool, pickled
from checker.store import (
    REPORT_NAME,
    RunStore,
    StoredJson,
    StoredRows,
    extractor_identity,
    stored_rows,
    write_atomic,
)
from checker.stories import ArticleFeatures, FeatureTable, article_features
from checker.workers import available_cpus, can_fork, forked_imap

# Called with (0, total) when a step starts, then (done, total) as it goes.
Progress = Callable[[int, int], None]
Sink = Callable[[Article, Extraction], None]
R = TypeVar("R")

# Articles longer than this are skipped with a problem (`--max-article-chars`): one pasted
# archive must not eat a run's time or budget. The LLM extractor chunks anything longer
# than its chunk size (6,000 characters) below this limit.
DEFAULT_MAX_ARTICLE_CHARS = 1_000_000
# Test-only: seconds to sleep after each article extracted in a `--run`, so a test can
# kill the process mid-run. Never set it outside tests.
TEST_ONLY_DELAY_ENV = "CHECKER_TEST_ONLY_DELAY_PER_ARTICLE"


@dataclass(frozen=True)
class CheckResult:
    """A report with what it was made from: the HTML article view needs texts and claims.

    The articles and their extractions wait in `spool` (a temporary file), read back one
    at a time with `spool.get(id)`; `corpus` and `extractions` load them all, which only
    a small corpus can afford. Close the spool (`close()`) when done.
    """

    report: Report
    spool: Spool

    @property
    def corpus(self) -> Corpus:
        return Corpus(
            articles=tuple(a for a, _ in self.spool.pairs(self.spool.ids())),
            problems=self.report.problems,
        )

    @property
    def extractions(self) -> tuple[Extraction, ...]:
        return tuple(e for _, e in self.spool.pairs(self.spool.ids()))

    def close(self) -> None:
        self.spool.close()


class CheckOptions(TypedDict, total=False):
    """`check_corpus`'s keywords, which `run_check` passes on."""

    label: str | None
    progress: Progress | None
    group_progress: Progress | None
    compare_progress: Progress | None
    store: RunStore | None
    max_article_chars: int | None
    jobs: int | None


def run_check(
    corpus_path: str | os.PathLike[str], extractor: Extractor, **options: Unpack[CheckOptions]
) -> Report:
    """Check a corpus and return its report (`check_corpus` says what `options` do).

    Raises `CorpusError` when the corpus cannot be opened and `NoArticlesError` when no
    article in it could be used; problems with single files are listed in the report.
    With a `store` (a run directory), each article is committed as soon as it is
    extracted, finished articles are reused, and ``report.json`` is written at the end.
    """
    result = check_corpus(corpus_path, extractor, **options)
    store = options.get("store")
    result.close()
    if store is not None:
        write_atomic(store.dir / REPORT_NAME, iter_json(result.report))
        store.report_written()
    return result.report


@full_collections_deferred()
def check_corpus(
    corpus_path: str | os.PathLike[str],
    extractor: Extractor,
    *,
    label: str | None = None,
    progress: Progress | None = None,
    group_progress: Progress | None = None,
    compare_progress: Progress | None = None,
    store: RunStore | None = None,
    max_article_chars: int | None = None,
    jobs: int | None = None,
) -> CheckResult:
    """`run_check`, keeping the articles and extractions (in a spool) alongside the report.

    `label` names the extractor in the report (default: its name). `progress` is called
    with (done, total) as articles are extracted, `group_progress` with (0, articles)
    and (articles, articles) before and after they are grouped into stories, and
    `compare_progress` as stories are compared. Articles over `max_article_chars` are
    skipped, each with a problem.
    `jobs` processes (default: as many as this process has CPUs) extract articles, with
    a CPU-bound extractor (`forks_for`), and compare stories
    (`checker.compare.compare_stories_parallel`); the result is the same whatever the
    number. With a `store`, extractions and flags are committed to it; writing
    ``report.json`` is left to the caller (the CLI marks review statuses first).

    Memory stays bounded by the largest story, not the corpus: each article is spooled
    to a temporary file as soon as it is extracted (or loaded from the store) and its
    text let go; only its summary row and story features stay in memory. Stories are
    then compared one at a time, re-read from the spool.
    """
    corpus = load_checkable(corpus_path, max_article_chars)
    articles: list[Article | None] = list(corpus.articles)
    problems = corpus.problems
    del corpus
    name = label or extractor.name
    collector = Collector(Spool())
    try:
        workers = available_cpus() if jobs is None else jobs
        # Our own CPU-bound extractor, grouping and comparison make no reference cycles: the
        # cyclic collector would only traverse what they keep (`collections_paused`). An
        # LLM extractor's client may make cycles, so the collector runs while it does.
        with collections_paused(cpu_bound(extractor)):
            if store is None:
                collector.extract(extractor, articles, progress=progress, jobs=workers)
            else:
                store.begin_run(os.fspath(corpus_path), name)
                extract_resumable(
                    extractor, articles, store, collector, progress=progress, jobs=workers
                )
        with collections_paused():
            report = collector.report(
                name,
                problems,
                jobs=workers,
                group_progress=group_progress,
                progress=compare_progress,
            )
    except BaseException as exc:
        collector.spool.close()
        if store is not None and store.run_id:
            store.end_run("interrupted" if isinstance(exc, KeyboardInterrupt) else "failed")
        raise
    if store is not None:
        store.finish_run(report.flags, report.problems, (a.id for a in report.articles))
    return CheckResult(report, collector.spool)


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
    articles: list[Article | None],
    store: RunStore,
    collector: Collector,
    *,
    progress: Progress | None = None,
    jobs: int = 1,
) -> None:
    """Extract what the store does not hold yet, committing each article when done.

    Every article goes to `collector` with its extraction, reused or new, and its slot in
    `articles` is emptied, so its text can be let go. Stored articles are read back one
    at a time. Articles to extract run on the extractor's `concurrency` threads (an LLM
    extractor), or in `jobs` forked processes for a CPU-bound one (`forks_for`), which
    also make the store's rows and pack the article for the collector (`pack`);
    `collector` and the store are used on this thread only. An extractor with a `prepare`
    method (the Batch API runner) is first given every article still to do, so it can
    submit them at once.
    """
    identity = extractor_identity(extractor)
    total = len(articles)
    todo = [i for i, a in enumerate(articles) if a is not None and not store.has(a, identity)]
    store.counts.articles = total
    store.counts.reused = total - len(todo)
    if progress is not None:
        progress(0, total)
    prepare = getattr(extractor, "prepare", None)
    if todo and callable(prepare):
        prepare([articles[i] for i in todo])
    pending = set(todo)
    reused = [i for i, a in enumerate(articles) if a is not None and i not in pending]
    changed = reuse_stored(articles, reused, store, identity, collector, jobs)
    todo.extend(changed)
    store.counts.reused -= len(changed)
    delay = float(os.environ.get(TEST_ONLY_DELAY_ENV) or 0)
    done = total - len(todo)
    if progress is not None and done:
        progress(done, total)

    def paced() -> None:
        if delay:
            time.sleep(delay)

    def work(index: int) -> Extraction:
        extraction = extract_one(extractor, _present(articles, index))
        store.save(_present(articles, index), identity, extraction)
        paced()
        return extraction

    def counted(index: int, status: str) -> None:
        nonlocal done
        articles[index] = None
        store.counts.extracted += 1
        store.counts.failed += status != "ok"
        done += 1
        if progress is not None:
            progress(done, total)

    def finished(index: int, extraction: Extraction) -> None:
        collector.add(_present(articles, index), extraction)
        counted(index, extraction.status)

    workers = max(1, int(getattr(extractor, "concurrency", 1) or 1))
    if forks_for(extractor, len(todo), jobs):
        present = (_present(articles, i) for i in todo)
        packs = forked_imap(
            partial(pack, extractor, identity=identity), present, jobs, _EXTRACT_CHUNK
        )
        for index, packed in zip(todo, packs, strict=True):
            assert packed.stored is not None
            store.save_rows(packed.stored)
            paced()
            collector.add_packed(packed)
            counted(index, packed.summary.status)
    elif workers == 1 or len(todo) <= 1:
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


def reuse_stored(
    articles: list[Article | None],
    reused: list[int],
    store: RunStore,
    identity: str,
    collector: Collector,
    jobs: int,
) -> list[int]:
    """Give `collector` the stored extractions of the articles at `reused`, emptying their
    slots; return the indices of those the store no longer holds (changed under us by
    another process: to extract after all)."""
    changed: list[int] = []

    def stored() -> Iterator[tuple[int, Article, StoredJson]]:
        for index in reused:
            article = _present(articles, index)
            rows = store.load_json(article, identity)
            if rows is None:
                changed.append(index)
            else:
                yield index, article, rows

    if _worth_forking(len(reused), jobs):
        # Validating stored JSON into models, making features and pickling for the spool
        # take ~1.5 ms of CPU an article, minutes for a big corpus: whatever the
        # extractor, workers do that; this process only reads the rows.
        for index, packed in forked_imap(reuse, stored(), jobs, _EXTRACT_CHUNK):
            collector.add_packed(packed)
            articles[index] = None
    else:
        for index, article, rows in stored():
            collector.add(article, rows.extraction())
            articles[index] = None
    return changed


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
    extractor: Extractor,
    articles: Sequence[Article | None],
    *,
    progress: Progress | None = None,
    sink: Sink | None = None,
    jobs: int = 1,
) -> list[Extraction]:
    """Extract every article; a failure is recorded on its article and the run goes on.

    A CPU-bound extractor (the rule extractor) runs in `jobs` forked processes when there
    are enough articles (`forks_for`); the result is the same, in the same order.

    With a `sink`, each article goes to it with its extraction as soon as it is done,
    its slot in `articles` (a list) is emptied so its text can be let go, and nothing is
    returned; without one, the extractions are returned in input order. An extractor with
    its own `extract_many` (LLM, replay) is given all articles at once, as it schedules
    them itself.
    """
    many = getattr(extractor, "extract_many", None)
    if callable(many):
        present = [a for a in articles if a is not None]
        result: list[Extraction] = many(present)
        if sink is None:
            return result
        for article, extraction in zip(present, result, strict=True):
            sink(article, extraction)
        _empty(articles)
        return []
    out: list[Extraction] = []
    indices = [i for i, a in enumerate(articles) if a is not None]
    extractions: Iterable[Extraction]
    if forks_for(extractor, len(indices), jobs):
        extractions = extract_in_processes(
            extractor, (_present(articles, i) for i in indices), jobs
        )
    else:
        extractions = (extract_one(extractor, _present(articles, i)) for i in indices)
    if sink is None:
        _drain(articles, indices, extractions, lambda _, e: out.append(e), progress, False)
    else:
        _drain(articles, indices, extractions, sink, progress, True)
    return out


def _drain(
    articles: Sequence[Article | None],
    indices: list[int],
    results: Iterable[R],
    handle: Callable[[Article, R], None],
    progress: Progress | None,
    let_go: bool,
) -> None:
    """Give `handle` each article at `indices` with its result, in order, reporting
    progress; with `let_go`, empty each article's slot in `articles` (a list) once
    handled, so its text can be let go."""
    total = len(indices)
    if progress is not None:
        progress(0, total)
    for done, (index, result) in enumerate(zip(indices, results, strict=True), start=1):
        handle(_present(articles, index), result)
        if let_go and isinstance(articles, list):
            articles[index] = None
        if progress is not None:
            progress(done, total)


# Below this many articles to extract, forking workers costs more than it saves.
PARALLEL_MIN_ARTICLES = 200
# Articles per work item sent to an extraction worker (a few tens of milliseconds each).
_EXTRACT_CHUNK = 8


def forks_for(extractor: Extractor, articles: int, jobs: int) -> bool:
    """Whether `articles` are worth extracting in `jobs` forked processes: only for an
    extractor that says it is CPU-bound (``cpu_bound = True``: the rule extractor; an
    LLM extractor waits on the network, on threads), and where forking is safe."""
    return cpu_bound(extractor) and _worth_forking(articles, jobs)


def cpu_bound(extractor: Extractor) -> bool:
    """Whether `extractor` says it is CPU-bound (``cpu_bound = True``)."""
    return bool(getattr(extractor, "cpu_bound", False))


def _worth_forking(articles: int, jobs: int) -> bool:
    """Whether CPU work on `articles` is worth `jobs` forked processes."""
    return jobs > 1 and articles >= PARALLEL_MIN_ARTICLES and can_fork()


def extract_in_processes(
    extractor: Extractor, articles: Iterable[Article], jobs: int
) -> Iterator[Extraction]:
    """`extract_one` of each article, in order, computed by `jobs` forked processes.

    Workers inherit the extractor; each article goes out pickled (its text: a few KB)
    and its extraction comes back pickled, so the caller's memory, store and sink are
    never touched by a worker (`checker.workers.forked_imap`).
    """
    return forked_imap(partial(extract_one, extractor), articles, jobs, _EXTRACT_CHUNK)


def _present(articles: Sequence[Article | None], index: int) -> Article:
    article = articles[index]
    assert article is not None
    return article


def _empty(articles: Sequence[Article | None]) -> None:
    if isinstance(articles, list):
        articles[:] = [None] * len(articles)


class Collector:
    """What the pipeline keeps of each extracted article: its report row and its story
    features in memory, the article and extraction themselves in a `Spool`."""

    def __init__(self, spool: Spool) -> None:
        self.spool = spool
        self.summaries: dict[str, ArticleSummary] = {}
        self.features = FeatureTable()

    def add(self, article: Article, extraction: Extraction) -> None:
        # what the comparator reads of the pair, made once for the features and the spool
        parts = comparable_parts(extraction)
        self.summaries[article.id] = summarise(article, extraction)
        self.features.add(article_features(article, extraction, parts[2]))
        self.spool.put(article, extraction, parts)

    def add_packed(self, packed: Packed) -> None:
        """`add` of an article a worker has extracted and packed (`pack`)."""
        self.summaries[packed.summary.id] = packed.summary
        self.features.add(packed.features)
        self.spool.put_pickled(packed.summary.id, packed.pair)

    def extract(
        self,
        extractor: Extractor,
        articles: list[Article | None],
        *,
        progress: Progress | None = None,
        jobs: int = 1,
    ) -> None:
        """`extract_all` of `articles` into this collector.

        When they are extracted in worker processes (`forks_for`), each worker also
        makes the article's report row and story features and pickles the pair for the
        spool (`pack`): done here, that work kept this process busier than either
        worker (1.6 ms of CPU per article against 0.3 ms; it shares the CPUs with them).
        """
        indices = [i for i, a in enumerate(articles) if a is not None]
        if not forks_for(extractor, len(indices), jobs):
            extract_all(extractor, articles, progress=progress, sink=self.add)
            return
        present = (_present(articles, i) for i in indices)
        packs = forked_imap(partial(pack, extractor), present, jobs, _EXTRACT_CHUNK)
        _drain(articles, indices, packs, lambda _, p: self.add_packed(p), progress, True)

    def report(
        self,
        label: str,
        problems: tuple[Problem, ...],
        *,
        jobs: int = 1,
        group_progress: Progress | None = None,
        progress: Progress | None = None,
    ) -> Report:
        """Group the articles into stories and compare them, one story at a time (both
        in `jobs` forked processes where it pays; comparing workers read the spool as
        this one does)."""
        articles = len(self.summaries)
        if group_progress is not None:
            group_progress(0, articles)
        stories = self.features.stories(jobs)
        self.features = FeatureTable()
        if group_progress is not None:
            group_progress(articles, articles)

        def members(story: Story) -> list[Comparable]:
            return list(self.spool.comparables(story.articles))

        flags = compare_stories_parallel(stories, members, jobs, progress)
        return Report(
            extractor=label,
            articles=tuple(self.summaries[key] for key in sorted(self.summaries)),
            flags=flags,
            problems=problems,
            stories=stories,
        )


class Packed(NamedTuple):
    """One extracted article as a worker sends it to the `Collector`."""

    summary: ArticleSummary
    features: ArticleFeatures
    pair: Pickled  # the article and its extraction, pickled for the spool
    stored: StoredRows | None  # the run store's rows, in a run with a store


def pack(extractor: Extractor, article: Article, identity: str | None = None) -> Packed:
    """Extract `article` and make all the `Collector` keeps of it (in a worker), and,
    given the extractor's `identity` in a run store, the store's rows."""
    return packed(article, extract_one(extractor, article), identity)


def reuse(stored: tuple[int, Article, StoredJson]) -> tuple[int, Packed]:
    """`pack` of an article's stored extraction (in a worker), with its index."""
    index, article, rows = stored
    return index, packed(article, rows.extraction(), None)


def packed(article: Article, extraction: Extraction, identity: str | None) -> Packed:
    parts = comparable_parts(extraction)  # made once for the features and the pickle
    return Packed(
        summarise(article, extraction),
        article_features(article, extraction, parts[2]),
        pickled(article, extraction, parts),
        None if identity is None else stored_rows(article, identity, extraction),
    )


def summarise(article: Article, extraction: Extraction) -> ArticleSummary:
    """The report row of one article: its metadata (every field but the text) and what
    its extraction gave."""
    # The article's field values as they are (what `model_dump(exclude={"text"})` gives
    # of its plain fields, without a serialiser run), validated by the row's validator
    # (`validator_of`): half the cost.
    fields = article.__dict__.copy()
    del fields["text"]
    fields["extractor"] = extraction.extractor
    fields["status"] = extraction.status
    fields["reason"] = extraction.reason
    fields["claims"] = len(extraction.claims)
    fields["mentions"] = len(extraction.mentions)
    return _new_summary(fields)


_new_summary = validator_of(ArticleSummary)


def build_report(corpus: Corpus, extractions: Sequence[Extraction], label: str) -> Report:
    """The report of a corpus whose extractions are all in memory (small corpora, tests)."""
    by_id = {e.article: e for e in extractions}
    summaries = [summarise(article, by_id[article.id]) for article in corpus.articles]
    stories, flags = compare_corpus(corpus.articles, extractions)
    return Report(
        extractor=label,
        articles=tuple(summaries),
        flags=flags,
        problems=corpus.problems,
        stories=stories,
    )
