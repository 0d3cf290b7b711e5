"""Comparison at scale on many-story corpora: time, peak memory, planted recall, false flags.

Usage: .venv/bin/python benchmarks/bench_stories.py [--sizes 1000,4000,16000,100000]
       [--seed 0] [--extract transplant|rules]

Each size runs in its own subprocess (so peak memory is that size's), pinned to one CPU.
The corpus comes from story_synth.py; claims are transplanted from one rule extraction of
each base text (``--extract rules`` re-extracts every article instead: slow). Generating
articles and claims is never timed. What is timed, in CPU seconds, is the comparison, run
the way a large corpus has to be run to fit in memory:

1. ``article_features`` for every article (claims are then dropped);
2. ``group_features``: the stories;
3. ``compare_story`` for each story, as soon as all its articles have been seen again
   (a second generation pass).

``compare_s`` is the sum. ``compare_corpus`` does exactly these steps in memory.

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
import json
import os
import resource
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

# This checkout's code and the generators beside this file, whatever is installed in the venv.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import itertools

import story_synth as ss

from checker.compare import compare_story
from checker.models import Flag
from checker.rules import RuleExtractor
from checker.stories import article_features, group_features

TARGET_RATIO = 4.4


def measure(n: int, seed: int, extract: str) -> dict[str, float | int]:
    extractor = RuleExtractor().extract if extract == "rules" else None
    cpu = 0.0
    features = []
    planted: list[ss.Planted] = []
    for item in ss.generate(n, seed, extract=extractor):
        t = time.process_time()
        features.append(article_features(item.article, item.extraction))
        cpu += time.process_time() - t
        if item.planted:
            planted.append(item.planted)
    t = time.process_time()
    stories = group_features(features)
    group_s = time.process_time() - t
    cpu += group_s
    del features
    story_of = {a: s.id for s in stories for a in s.articles}
    remaining = {s.id: len(s.articles) for s in stories}
    pending: dict[str, list[ss.StoryArticle]] = defaultdict(list)
    flags: list[Flag] = []
    inherent: dict[int, list[Flag]] = {}
    true_story: list[ss.StoryArticle] = []
    unplanted = ss.generate(n, seed, planted=False, extract=extractor)
    for item, plain in zip(ss.generate(n, seed, extract=extractor), unplanted, strict=True):
        sid = story_of[item.article.id]
        pending[sid].append(item)
        remaining[sid] -= 1
        if remaining[sid] == 0:
            members = pending.pop(sid)
            t = time.process_time()
            flags.extend(
                compare_story(
                    [m.article for m in members], [m.extraction for m in members], story=sid
                )
            )
            cpu += time.process_time() - t
        # seed-inherent flags: the same true story with no planted edit (not timed)
        if true_story and true_story[0].story != plain.story:
            inherent[true_story[0].story] = _compare_true(true_story)
            true_story = []
        true_story.append(plain)
    if true_story:
        inherent[true_story[0].story] = _compare_true(true_story)
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return _score(n, flags, planted, inherent, len(stories), cpu, group_s, maxrss)


def _compare_true(items: list[ss.StoryArticle]) -> list[Flag]:
    return list(compare_story([i.article for i in items], [i.extraction for i in items]))


def _score(
    n: int,
    flags: list[Flag],
    planted: list[ss.Planted],
    inherent: dict[int, list[Flag]],
    n_stories: int,
    cpu: float,
    group_s: float,
    maxrss: float,
) -> dict[str, float | int]:
    found = sum(
        any(
            f.kind == p.kind
            and any(
                e.article == p.article and e.start < p.end and e.end > p.start for e in f.evidence
            )
            for f in flags
        )
        for p in planted
    )
    by_article = defaultdict(list)
    for p in planted:
        by_article[p.article].append(p)
    n_inherent = n_planted_match = n_false = 0
    for f in flags:
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
        "maxrss_mb": round(maxrss),
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
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        if hasattr(os, "sched_setaffinity"):
            os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
        print(json.dumps(measure(args.worker, args.seed, args.extract)))
        return 0
    rows = []
    for n in (int(s) for s in args.sizes.split(",")):
        out = subprocess.run(
            [sys.executable, __file__, "--worker", str(n), "--seed", str(args.seed),
             "--extract", args.extract],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(f"  measured {n}", file=sys.stderr)
    head = (
        "articles stories(true) compare_s group_s maxrss_MB planted recall flags inherent "
        "planted_flags false false_rate"
    )
    print(head)
    for r in rows:
        recall = r["found"] / r["planted"] if r["planted"] else 1.0
        explainable = r["flags"] - r["inherent"]
        rate = r["false"] / explainable if explainable else 0.0
        print(
            f"{r['articles']} {r['stories']}({r['true_stories']}) {r['compare_s']:.2f} "
            f"{r['group_s']:.2f} {r['maxrss_mb']} {r['planted']} {recall:.3f} {r['flags']} "
            f"{r['inherent']} {r['planted_flags']} {r['false']} {rate:.3f}"
        )
    for a, b in itertools.pairwise(rows):
        ratio = b["compare_s"] / a["compare_s"]
        k = b["articles"] / a["articles"]
        print(f"{b['articles']}/{a['articles']} compare time ratio {ratio:.2f} (size x{k:g})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
