"""Batch-run figures (issue 5): end to end through the CLI with a run directory.

Prints figures; asserts nothing. For each size N given (articles of a synthetic corpus,
see synth.py) it runs, each as a child process so peak memory is its own:

1. ``checker check CORPUS --run RUN --extractor rules --format json --out ...``: first run,
   every article extracted and committed to RUN/checker.sqlite (articles/s by wall and by
   CPU time, peak RSS);
2. the same command again: a rerun that reuses every stored article (the same figures).

Then, in this process:

3. replay throughput: ``--extractor replay`` over R articles whose texts are the seed
   articles (their cassettes are in cassettes/replay/), articles/s;
4. rerun with a full LLM cache: the LLM extractor against the reference server fills the
   cache for the seed texts, then extracts R articles with those texts: every one is a
   cache hit, no call is made (articles/s).

Usage: .venv/bin/python benchmarks/bench_batch.py [--sizes 10000 100000] [--repeat 500]
       [--seed 0] [--keep DIR]
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))

from synth import load_seeds, write_corpus  # noqa: E402

from checker.cache import ExtractionCache  # noqa: E402
from checker.corpus import load_corpus  # noqa: E402
from checker.llm import LLMExtractor, LLMSettings  # noqa: E402
from checker.models import Article  # noqa: E402
from checker.replay import ReplayExtractor  # noqa: E402


def child(cmd: list[str]) -> tuple[float, float, float, int]:
    """(wall seconds, CPU seconds, peak RSS in MB, exit status) of one child process.

    CPU time (user + system) is the figure to compare on a shared machine; wall time
    includes waiting for the CPU. stderr goes to a temporary file, not a pipe, so a long
    run's progress lines can never fill a pipe and stall it.
    """
    started = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err)
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        err.seek(0)
        message = err.read().decode(errors="replace")
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed ({code}):\n{message}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, code


def end_to_end(n: int, work: Path, seed: int) -> None:
    corpus = work / f"corpus_{n}"
    run = work / f"run_{n}"
    if not corpus.is_dir():
        write_corpus(corpus, n, seed, load_seeds())
    shutil.rmtree(run, ignore_errors=True)
    cmd = [
        sys.executable,
        "-m",
        "checker.cli",
        "check",
        str(corpus),
        "--run",
        str(run),
        "--extractor",
        "rules",
        "--format",
        "json",
        "--out",
        str(work / f"report_{n}.json"),
        "--quiet",
    ]
    for label in ("first run, every article extracted", "rerun, all reused from the store"):
        wall, cpu, rss, _ = child(cmd)
        print(
            f"  {label}: {n} articles, {wall:.1f} s wall ({n / wall:.1f} articles/s), "
            f"{cpu:.1f} s CPU ({n / cpu:.1f} articles/CPU-s), peak RSS {rss:.0f} MB",
            flush=True,
        )
    size = (run / "checker.sqlite").stat().st_size / 1e6
    view = (run / "articles.json").stat().st_size / 1e6
    print(f"  store {size:.0f} MB, articles.json {view:.0f} MB", flush=True)


def copies(repeat: int) -> list[Article]:
    seeds = load_corpus(ROOT / "seeds").articles
    return [
        a.model_copy(update={"id": f"{a.id}-{i}"})
        for i in range(repeat // len(seeds) + 1)
        for a in seeds
    ][:repeat]


def replay_throughput(repeat: int) -> None:
    articles = copies(repeat)
    replay = ReplayExtractor(ROOT / "cassettes", progress=io.StringIO())
    started = time.perf_counter()
    results = replay.extract_many(articles)
    wall = time.perf_counter() - started
    ok = sum(r.status == "ok" for r in results)
    print(
        f"  replay: {len(articles)} articles ({ok} ok) in {wall:.1f} s: "
        f"{len(articles) / wall:.1f} articles/s"
    )


def cached_rerun(repeat: int, work: Path) -> None:
    from tests.reference.server import REFERENCE_MODEL, ReferenceServer

    server = ReferenceServer().start()
    try:
        cache = ExtractionCache(work / "llm.sqlite")
        settings = LLMSettings(model=REFERENCE_MODEL, api_key="reference", base_url=server.url)
        LLMExtractor(settings, cache, progress=io.StringIO()).extract_many(copies(5))
        articles = copies(repeat)
        llm = LLMExtractor(settings, cache, progress=io.StringIO())
        started = time.perf_counter()
        llm.extract_many(articles)
        wall = time.perf_counter() - started
        print(
            f"  LLM rerun with a full cache: {len(articles)} articles, {llm.stats.cache_hits} "
            f"hits, {llm.stats.calls} calls, {wall:.1f} s: {len(articles) / wall:.1f} articles/s"
        )
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000])
    parser.add_argument("--repeat", type=int, default=500, help="articles for replay/cache")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", type=Path, help="keep corpora and runs in this folder")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="checker-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs visible; work in {work}")
    try:
        print("replay and cache:")
        replay_throughput(args.repeat)
        cached_rerun(args.repeat, work)
        for n in args.sizes:
            print(f"end to end, rule extractor, {n} articles:")
            end_to_end(n, work, args.seed)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
