"""The pipeline's bounded-memory path (checker.pipeline): articles spooled as they are
extracted, stories compared one at a time, and the very same report as the all-in-memory
path (`build_report`), with or without a run store, fresh or resumed."""

from __future__ import annotations

import gc
import os
import re
import sqlite3
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checker import compare, pipeline
from checker import spool as spool_module
from checker.corpus import load_corpus
from checker.models import Article, ArticleSummary, Claim, Extraction, Flag
from checker.pipeline import (
    Collector,
    build_report,
    check_corpus,
    extract_all,
    run_check,
)
from checker.report import render_json
from checker.rules import RuleExtractor
from checker.spool import Spool
from checker.store import STORE_NAME, RunStore, StoredJson, extractor_identity
from checker.workers import can_fork

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
# Three stories: the seed cluster, and two rewrites of it with other people and dates.
STORIES: tuple[tuple[str, dict[str, str], int], ...] = (
    ("", {}, 0),
    ("b-", {"Adrienne Watson": "Marta Lindqvist", "John Kirby": "Olek Brandauer"}, 40),
    ("c-", {"Kim Jong Un": "Ines Okonkwo", "Kim Jong-un": "Ines Okonkwo", "Shoigu": "Haral"}, 90),
)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Fifteen articles in three stories, as .txt files with front matter."""
    folder = tmp_path_factory.mktemp("stories")
    seeds = load_corpus(SEEDS).articles
    for prefix, mapping, days in STORIES:
        pattern = re.compile("|".join(re.escape(k) for k in mapping) or "(?!)")
        for a in seeds:
            assert a.published is not None
            text = pattern.sub(partial(_swap, mapping), a.text)
            published = a.published.toordinal() + days
            date = type(a.published).fromordinal(published).isoformat()
            (folder / f"{prefix}{a.id}.txt").write_text(
                f"---\npublished: {date}\n---\n{text}", encoding="utf-8"
            )
    return folder


def _swap(mapping: dict[str, str], match: re.Match[str]) -> str:
    return mapping[match.group()]


def in_memory(folder: Path) -> str:
    """The report as the pipeline made it before it streamed: everything in memory."""
    loaded = load_corpus(folder)
    return render_json(build_report(loaded, extract_all(RuleExtractor(), loaded.articles), "rules"))


def test_the_streamed_report_is_the_in_memory_report(corpus: Path) -> None:
    expected = in_memory(corpus)
    report = run_check(corpus, RuleExtractor(), label="rules")
    assert render_json(report) == expected
    assert len(report.stories) == 3
    assert len({f.story for f in report.flags}) == 3, "every story has flags of its own"


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_run_store_fresh_rerun_and_resumed_give_the_same_report(
    corpus: Path, tmp_path: Path, jobs: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With 2 jobs (and any number of articles worth forking for), worker processes
    extract the new articles and read the stored ones back."""
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_ARTICLES", 1)
    forked = jobs > 1 and can_fork()
    expected = in_memory(corpus)

    def check(store: RunStore, extractor: RuleExtractor) -> None:
        result = check_corpus(corpus, extractor, label="rules", store=store, jobs=jobs)
        try:
            assert render_json(result.report) == expected
            # what workers send comes pickled, for the spool's file: nothing is held
            assert result.spool.in_memory == (0 if forked else 15)
        finally:
            result.close()

    with RunStore(tmp_path / "fresh") as store:
        check(store, RuleExtractor())
        assert store.counts.extracted == 15
    with RunStore(tmp_path / "fresh") as store:
        check(store, RuleExtractor())
        assert (store.counts.extracted, store.counts.reused) == (0, 15)
    # A run killed after six articles: those are in the store, the rest is not.
    rules = RuleExtractor()
    with RunStore(tmp_path / "resumed") as store:
        store.begin_run(str(corpus), "rules")
        for article in load_corpus(corpus).articles[4:10]:
            store.save(article, extractor_identity(rules), rules.extract(article))
    with RunStore(tmp_path / "resumed") as store:
        check(store, rules)
        assert (store.counts.extracted, store.counts.reused) == (9, 6)


def live(model: type) -> int:
    return sum(isinstance(o, model) for o in gc.get_objects())


def test_stories_are_compared_one_at_a_time_from_the_spool(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the spool's memory budget (here none), while a story is compared only its own
    claims are alive, and no extraction: the others wait in the spool's file (or the
    store), whether they were extracted now or reused, and the comparator reads only
    what it uses of a story's extractions (checker.comparable)."""
    monkeypatch.setattr(spool_module, "MEMORY_BUDGET", 0)
    compare_members = compare.compare_members
    seen: list[tuple[int, int, int, int]] = []

    def spy(members: compare.StoryMembers, story: str | None = None) -> tuple[Flag, ...]:
        claims = sum(len(m.claims) for m in members)
        seen.append((len(members), live(Extraction) - before, live(Claim) - claims_before, claims))
        return compare_members(members, story)

    monkeypatch.setattr(compare, "compare_members", spy)
    for _ in range(2):  # extracted now, then reused from the store
        gc.collect()
        before, claims_before = live(Extraction), live(Claim)
        with RunStore(tmp_path / "run") as store:
            result = check_corpus(corpus, RuleExtractor(), store=store)
        result.close()
        assert [n for n, _, _, _ in seen] == [5, 5, 5]
        assert all(extractions <= 0 for _, extractions, _, _ in seen), seen
        assert all(0 < alive <= claims for _, _, alive, claims in seen), seen
        seen.clear()


def test_the_store_is_read_one_article_at_a_time(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with RunStore(tmp_path / "run") as store:
        run_check(corpus, RuleExtractor(), store=store)
    monkeypatch.setattr(spool_module, "MEMORY_BUDGET", 0)  # no pair held by the spool
    load = RunStore.load_json
    alive: list[int] = []

    def spy(self: RunStore, article: Article, identity: str) -> StoredJson | None:
        alive.append(live(Extraction) - before)
        return load(self, article, identity)

    monkeypatch.setattr(RunStore, "load_json", spy)
    gc.collect()
    before = live(Extraction)
    with RunStore(tmp_path / "run") as store:
        run_check(corpus, RuleExtractor(), store=store)
    assert len(alive) == 15
    assert max(alive) <= 1, alive


def test_extract_all_with_a_sink_lets_each_article_go(corpus: Path) -> None:
    articles: list[Article | None] = list(load_corpus(corpus).articles)
    got: list[str] = []

    def sink(article: Article, extraction: Extraction) -> None:
        assert article.id == extraction.article
        assert articles.count(None) == len(got), "the articles before this one were let go"
        got.append(article.id)

    assert extract_all(RuleExtractor(), articles, sink=sink) == []
    assert len(got) == 15
    assert articles == [None] * 15


def test_collector_report_orders_articles_by_id_whatever_the_order_they_come_in(
    corpus: Path,
) -> None:
    loaded = load_corpus(corpus)
    extractions = extract_all(RuleExtractor(), loaded.articles)
    expected = render_json(build_report(loaded, extractions, "rules"))

    def shuffled() -> Iterator[tuple[Article, Extraction]]:
        pairs = list(zip(loaded.articles, extractions, strict=True))
        yield from pairs[1::2]
        yield from reversed(pairs[0::2])

    with Spool() as spool:
        collector = Collector(spool)
        for article, extraction in shuffled():
            collector.add(article, extraction)
        assert render_json(collector.report("rules", loaded.problems)) == expected


def test_the_report_is_the_same_whatever_the_spool_holds_in_memory(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reports = []
    for budget in (0, 30 * 1024 * 1024 // 15, spool_module.MEMORY_BUDGET):
        monkeypatch.setattr(spool_module, "MEMORY_BUDGET", budget)
        result = check_corpus(corpus, RuleExtractor())
        reports.append((result.spool.in_memory, render_json(result.report)))
        result.close()
    assert [held for held, _ in reports][::2] == [0, 15]
    assert 0 < reports[1][0] < 15
    assert len({report for _, report in reports}) == 1


@pytest.mark.skipif(not can_fork(), reason="needs the fork start method")
@pytest.mark.parametrize("budget", [0, 30 * 1024 * 1024 // 15, spool_module.MEMORY_BUDGET])
def test_forked_comparison_reads_the_spool_and_gives_the_same_report(
    corpus: Path, budget: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stories compared by worker processes (three stories: forced past the minimum),
    whether their pairs are held in memory, in the spool's file, or both."""
    monkeypatch.setattr(spool_module, "MEMORY_BUDGET", budget)
    monkeypatch.setattr(compare, "PARALLEL_MIN_STORIES", 1)
    expected = in_memory(corpus)
    pids = tmp_path / "pids"
    compare_members = compare.compare_members

    def spy(members: compare.StoryMembers, story: str | None = None) -> tuple[Flag, ...]:
        with pids.open("a") as out:  # a worker's lists die with it; a file does not
            out.write(f"{os.getpid()}\n")
        return compare_members(members, story)

    monkeypatch.setattr(compare, "compare_members", spy)
    done: list[tuple[int, int]] = []
    grouped: list[tuple[int, int]] = []
    result = check_corpus(
        corpus,
        RuleExtractor(),
        jobs=2,
        group_progress=lambda *d: grouped.append(d),
        compare_progress=lambda *d: done.append(d),
    )
    try:
        assert render_json(result.report) == expected
        assert grouped == [(0, 15), (15, 15)]  # 15 articles, in 3 stories
        assert done[-1] == (3, 3)
        compared_in = pids.read_text().split()
        assert len(compared_in) == 3 and str(os.getpid()) not in compared_in
    finally:
        result.close()


@pytest.mark.skipif(not can_fork(), reason="needs the fork start method")
def test_rule_extraction_in_processes_is_the_same_extraction_in_the_same_order(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    articles = load_corpus(corpus).articles
    serial = extract_all(RuleExtractor(), articles)
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_ARTICLES", 1)
    assert pipeline.forks_for(RuleExtractor(), len(articles), 2)
    forked = list(pipeline.extract_in_processes(RuleExtractor(), iter(articles), 2))
    assert [e.model_dump_json() for e in forked] == [e.model_dump_json() for e in serial]
    assert extract_all(RuleExtractor(), articles, jobs=2) == serial


@pytest.mark.skipif(not can_fork(), reason="needs the fork start method")
def test_articles_extracted_and_packed_by_workers_give_the_same_report(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a run store, workers also make each article's report row and features and
    pickle the pair for the spool: this process extracts nothing and holds no pair."""
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_ARTICLES", 1)
    expected = in_memory(corpus)
    pids = tmp_path / "pids"
    extract = RuleExtractor.extract

    def spy(self: RuleExtractor, article: Article) -> Extraction:
        with pids.open("a") as out:
            out.write(f"{os.getpid()}\n")
        return extract(self, article)

    monkeypatch.setattr(RuleExtractor, "extract", spy)
    done: list[tuple[int, int]] = []
    result = check_corpus(corpus, RuleExtractor(), jobs=2, progress=lambda *d: done.append(d))
    try:
        assert render_json(result.report) == expected
        extracted_in = pids.read_text().split()
        assert len(extracted_in) == 15 and str(os.getpid()) not in extracted_in
        assert (result.spool.in_memory, len(result.spool)) == (0, 15)
        assert done[0] == (0, 15) and done[-1] == (15, 15) and len(done) == 16
    finally:
        result.close()


@pytest.mark.skipif(not can_fork(), reason="needs the fork start method")
def test_a_run_with_worker_processes_stores_and_reports_what_one_process_does(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_ARTICLES", 1)
    monkeypatch.setattr(compare, "PARALLEL_MIN_STORIES", 1)
    reports = []
    for jobs in (1, 2):
        with RunStore(tmp_path / f"run{jobs}") as store:
            reports.append(render_json(run_check(corpus, RuleExtractor(), store=store, jobs=jobs)))
            assert (store.counts.extracted, store.counts.reused) == (15, 0)
            assert set(store.extracted_by()) == {a.id for a in load_corpus(corpus).articles}
            assert set(store.extracted_by().values()) == {store.run_id}
    assert reports[0] == reports[1] == in_memory(corpus)
    stored = []
    for jobs in (1, 2):
        with sqlite3.connect(tmp_path / f"run{jobs}" / STORE_NAME) as db:
            stored.append(
                [
                    db.execute(sql).fetchall()
                    for sql in (
                        "SELECT id, path, content_hash, extractor_identity, extractor, status,"
                        " reason, claims, mentions FROM articles ORDER BY id",
                        "SELECT * FROM claims ORDER BY article, seq",
                        "SELECT * FROM mentions ORDER BY article, seq",
                    )
                ]
            )
    assert stored[0] == stored[1]  # the rows workers made are the rows this process makes
    assert len(stored[0][1]) > 15 and len(stored[0][2]) > 15


def test_only_a_cpu_bound_extractor_with_enough_articles_and_jobs_forks() -> None:
    class Waits:  # an LLM extractor waits on the network: threads, not processes
        name = "llm"

    many = pipeline.PARALLEL_MIN_ARTICLES
    assert not pipeline.forks_for(Waits(), many, 2)  # type: ignore[arg-type]
    assert not pipeline.forks_for(RuleExtractor(), many - 1, 2)
    assert not pipeline.forks_for(RuleExtractor(), many, 1)
    assert pipeline.forks_for(RuleExtractor(), many, 2) == can_fork()


_OPTIONAL = st.one_of(st.none(), st.text(max_size=5))


@given(
    article=st.builds(
        Article,
        id=st.text(min_size=1, max_size=5),
        path=st.text(max_size=5),
        text=st.text(max_size=20),
        title=_OPTIONAL,
        source=_OPTIONAL,
        url=_OPTIONAL,
        published=st.one_of(st.none(), st.dates()),
        published_origin=st.sampled_from(["front_matter", "jsonl", "manifest", "inferred", "none"]),
        published_note=_OPTIONAL,
    ),
    failed=st.booleans(),
)
def test_summary_row_equals_the_dumped_article_fields(article: Article, failed: bool) -> None:
    """`summarise` reads the article's field values as they are: the row built from
    `model_dump(exclude={"text"})` through `ArticleSummary(...)`, down to its fields set."""
    extraction = (
        Extraction(article=article.id, extractor="x", status="extraction_failed", reason="r")
        if failed
        else RuleExtractor().extract(article)
    )
    row = pipeline.summarise(article, extraction)
    dumped = ArticleSummary(
        **article.model_dump(exclude={"text"}),
        extractor=extraction.extractor,
        status=extraction.status,
        reason=extraction.reason,
        claims=len(extraction.claims),
        mentions=len(extraction.mentions),
    )
    assert row == dumped
    assert list(row.__dict__.items()) == list(dumped.__dict__.items())
    assert row.model_fields_set == dumped.model_fields_set
