"""Comparison at scale on many-story corpora: time, peak memory, planted recall, false flags.

Usage: .venv/bin/python benchmarks/bench_stories.py [--sizes 1000,4000,16000,100000]
       [--seed 0] [--extract transplant|rules] [--workers N] [--dump DIR]

Each size runs in its own subprocess (so peak memory is that size's), pinned to the first
`--workers` CPUs (one by default).
The corpus comes from story_synth.py; claims are transplanted from one rule extraction of
each base text (``--extract rules`` re-extracts every article instead: slow). Generating
articles and claims, and parking each article with its claims in a `checker.spool.Spool`
(memory up to its budget, the rest in a temporary file), are never timed. What is timed,
in CPU seconds, is the comparison, run as the pipeline runs it (`Collector.report`):

1. ``article_features`` for every article, kept as the pipeline keeps them
   (``checker.stories.FeatureTable``; claims are then dropped);
2. ``FeatureTable.stories``: the stories, grouped as the pipeline groups them, the
   linked pairs looked for by ``--workers`` forked processes (from 20,000 articles);
3. ``compare_stories_parallel`` of every story, with ``--workers`` forked worker
   processes (1: in this process), each story's articles read back from the spool as the
   comparator reads them (``Spool.comparables``).

Like the pipeline, the run defers Python's full garbage collections
(``checker.gc_tuning``): without that, the collector revisits every article's features
and every story's claims again and again, which the pipeline never pays.

``compare_s`` is the sum, in CPU seconds of this process and of its worker processes;
``wall_s`` is the wall-clock time of the same three steps. ``features_s`` is step 1's
CPU time (in this process alone: the CLI makes each article's features in the worker
that extracts it, and counts them as extraction), ``group_s`` step 2's (workers
included); ``group_wall_s`` and ``step3_wall_s`` are the wall-clock times of steps 2 and
3, what the CLI reports as grouping and comparison. ``compare_corpus`` does exactly these
steps in memory, with one worker.

Memory: ``maxrss_MB`` is this process's peak RSS, ``child_MB`` the largest peak RSS of a
worker process (which counts memory shared with this process), and ``pss_MB`` the peak,
sampled every 0.1 s, of the sum of the proportional set sizes (shared pages divided
among their sharers) of this process and its workers: the memory the whole comparison
holds, workers included.

Definitions:
- A planted conflict is *found* when some flag of its kind has evidence in the planted
  article overlapping the edited sentence. recall = found / planted.
- *Seed-inherent* flags: the seed texts contradict themselves and each other (the seed
  suite asserts several such flags), so every story carries them. They are measured per
  story by comparing the same story with no planted edit. A flag is explained by them
  when a flag of the same kind of the unedited story shares a piece of evidence with it
  (same article, same quote).
- A *false flag* is any other flag that matches no planted conflict, and any flag whose
  articles span two synthetic stories. false-flag rate = false / (flags not explained by
  the seed texts), i.e. among the flags a planted conflict could explain, the share that
  none does. Seed-inherent flags are reported separately, not hidden.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

# This checkout's code and the generators beside this file, whatever is installed in the venv.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import itertools

import story_synth as ss

from checker.compare import StoryMembers, compare_stories_parallel, compare_story
from checker.gc_tuning import full_collections_deferred
from checker.models import Article, Extraction, Flag, Story
from checker.rules import RuleExtractor
from checker.spool import Spool
from checker.stories import FeatureTable, article_features

TARGET_RATIO = 4.4


class _Clock:
    """CPU time of this process and its reaped children, and wall time, summed over the
    timed sections."""

    def __init__(self) -> None:
        self.cpu = self.wall = 0.0

    def __enter__(self) -> _Clock:
        self._start = (_cpu(), time.perf_counter())
        return self

    def __exit__(self, *exc: object) -> None:
        self.cpu += _cpu() - self._start[0]
        self.wall += time.perf_counter() - self._start[1]


def _cpu() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def measure(
    n: int,
    seed: int,
    extract: str,
    workers: int = 1,
    dump: str | None = None,
    score_false: bool = True,
) -> dict[str, float | int]:
    extractor = RuleExtractor().extract if extract == "rules" else None
    clock = _Clock()
    features = FeatureTable()
    planted: list[ss.Planted] = []
    spool = Spool()
    for item in ss.generate(n, seed, extract=extractor):
        with clock:
            features.add(article_features(item.article, item.extraction))
        if item.planted:
            planted.append(item.planted)
        spool.put(item.article, item.extraction)  # the extraction's side: not timed
    step1_wall = clock.wall
    features_s = clock.cpu
    with clock:
        stories = features.stories(workers)
    group_s = clock.cpu - features_s
    group_wall = clock.wall - step1_wall
    del features

    def members(story: Story) -> StoryMembers:
        return list(spool.comparables(story.articles))

    wall_before = clock.wall
    with clock:
        flags = list(compare_stories_parallel(stories, members, workers))
    step3_wall = clock.wall - wall_before
    spool.close()
    inherent = _inherent(n, seed, extractor) if score_false else None
    if dump:
        with (Path(dump) / f"flags{n}.jsonl").open("w") as f:
            f.writelines(sorted(flag.model_dump_json() + "\n" for flag in flags))
    row = _score(n, flags, planted, inherent, len(stories), clock.cpu, group_s)
    row["workers"] = workers
    row["wall_s"] = round(clock.wall, 3)
    row["features_s"] = round(features_s, 3)
    row["group_wall_s"] = round(group_wall, 3)
    row["step3_wall_s"] = round(step3_wall, 3)
    row["maxrss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    row["child_mb"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
    return row


def _inherent(
    n: int, seed: int, extractor: Callable[[Article], Extraction] | None
) -> dict[int, list[Flag]]:
    """The flags of each true story with no planted edit: what the seed texts hold
    already (not timed)."""
    inherent: dict[int, list[Flag]] = {}
    true_story: list[ss.StoryArticle] = []
    for plain in ss.generate(n, seed, planted=False, extract=extractor):
        if true_story and true_story[0].story != plain.story:
            inherent[true_story[0].story] = _compare_true(true_story)
            true_story = []
        true_story.append(plain)
    if true_story:
        inherent[true_story[0].story] = _compare_true(true_story)
    return inherent


def _compare_true(items: list[ss.StoryArticle]) -> list[Flag]:
    return list(compare_story([i.article for i in items], [i.extraction for i in items]))


def _score(
    n: int,
    flags: list[Flag],
    planted: list[ss.Planted],
    inherent: dict[int, list[Flag]] | None,
    n_stories: int,
    cpu: float,
    group_s: float,
) -> dict[str, float | int]:
    spans: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    for f in flags:  # each flag's evidence by (kind, article): no planted x flags pass
        for e in f.evidence:
            spans[(f.kind, e.article)].append((e.start, e.end))
    found = sum(
        any(start < p.end and end > p.start for start, end in spans.get((p.kind, p.article), ()))
        for p in planted
    )
    by_article = defaultdict(list)
    for p in planted:
        by_article[p.article].append(p)
    n_inherent = n_planted_match = n_false = 0
    if inherent is None:  # not measured (--no-false-flags)
        n_inherent = n_planted_match = n_false = -1
    for f in flags if inherent is not None else ():
        stories = {ss.story_of(a) for a in f.articles}
        if len(stories) > 1:
            n_false += 1
            continue
        (story,) = stories
        cites = {(e.article, e.quote) for e in f.evidence}
        if any(
            g.kind == f.kind and cites & {(e.article, e.quote) for e in g.evidence}
            for g in inherent.get(story, [])
        ):
            n_inherent += 1
        elif any(
            p.kind == f.kind and e.start < p.end and e.end > p.start
            for e in f.evidence
            for p in by_article.get(e.article, [])
        ):
            n_planted_match += 1
        else:
            n_false += 1
    return {
        "articles": n,
        "true_stories": (n + 4) // 5,
        "stories": n_stories,
        "compare_s": round(cpu, 3),
        "group_s": round(group_s, 3),
        "planted": len(planted),
        "found": found,
        "flags": len(flags),
        "inherent": n_inherent,
        "planted_flags": n_planted_match,
        "false": n_false,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default="1000,4000,16000,100000")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--extract", choices=("transplant", "rules"), default="transplant")
    parser.add_argument(
        "--workers", type=int, default=1, help="worker processes comparing stories (default 1)"
    )
    parser.add_argument("--dump", help="write each size's flags, sorted, to DIR/flags{N}.jsonl")
    parser.add_argument(
        "--no-false-flags",
        action="store_true",
        help="skip the seed-inherent comparison of every unedited story (a third pass that "
        "costs more than the timed work; not timed): no false-flag figures (-1, nan)",
    )
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        if hasattr(os, "sched_setaffinity"):
            cpus = sorted(os.sched_getaffinity(0))
            os.sched_setaffinity(0, set(cpus[: max(1, args.workers)]))
        with full_collections_deferred():  # as the pipeline runs (checker.gc_tuning)
            row = measure(
                args.worker, args.seed, args.extract, args.workers, args.dump,
                not args.no_false_flags,
            )  # fmt: skip
        print(json.dumps(row))
        return 0
    rows = []
    for n in (int(s) for s in args.sizes.split(",")):
        command = [
            sys.executable, __file__, "--worker", str(n), "--seed", str(args.seed),
            "--extract", args.extract, "--workers", str(args.workers),
            *(["--dump", args.dump] if args.dump else []),
            *(["--no-false-flags"] if args.no_false_flags else []),
        ]  # fmt: skip
        out, pss = _run_sampled(command)
        row = json.loads(out.strip().splitlines()[-1])
        row["pss_mb"] = round(pss / 1024)
        rows.append(row)
        print(f"  measured {n}", file=sys.stderr)
    head = (
        "articles workers stories(true) compare_s wall_s features_s group_s group_wall_s "
        "step3_wall_s maxrss_MB "
        "child_MB pss_MB "
        "planted recall flags inherent planted_flags false false_rate"
    )
    print(head)
    for r in rows:
        recall = r["found"] / r["planted"] if r["planted"] else 1.0
        explainable = r["flags"] - r["inherent"]
        rate = r["false"] / explainable if explainable and r["inherent"] >= 0 else float("nan")
        print(
            f"{r['articles']} {r['workers']} {r['stories']}({r['true_stories']}) "
            f"{r['compare_s']:.2f} {r['wall_s']:.2f} {r['features_s']:.2f} "
            f"{r['group_s']:.2f} {r['group_wall_s']:.2f} {r['step3_wall_s']:.2f} {r['maxrss_mb']} "
            f"{r['child_mb']} {r['pss_mb']} {r['planted']} {recall:.3f} {r['flags']} "
            f"{r['inherent']} {r['planted_flags']} {r['false']} {rate:.3f}"
        )
    for a, b in itertools.pairwise(rows):
        ratio = b["compare_s"] / a["compare_s"]
        k = b["articles"] / a["articles"]
        print(f"{b['articles']}/{a['articles']} compare time ratio {ratio:.2f} (size x{k:g})")
    return 0


def _run_sampled(command: list[str]) -> tuple[str, int]:
    """Run `command`; its stdout, and the peak of the summed PSS (KB) of its process tree."""
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as proc:
        peak = 0
        while proc.poll() is None:
            peak = max(peak, sum(map(_pss_kb, _tree(proc.pid))))
            time.sleep(0.1)
        out = proc.stdout.read() if proc.stdout else ""
    if proc.returncode:
        raise subprocess.CalledProcessError(proc.returncode, command)
    return out, peak


def _tree(pid: int) -> list[int]:
    """`pid` and its descendants (Linux /proc; just `pid` elsewhere)."""
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        with contextlib.suppress(OSError):
            todo.extend(int(c) for c in Path(f"/proc/{p}/task/{p}/children").read_text().split())
    return found


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
