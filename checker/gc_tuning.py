"""Deferring CPython's full garbage collections while a check builds its results.

CPython's cyclic collector runs a *full* collection (generation 2) whenever the objects
that survived two younger collections have grown by a quarter since the last one, and a
full collection visits every container object alive. A check builds hundreds of thousands
of long-lived, acyclic objects (one pydantic model, its field dict and its fields-set per
claim, mention and evidence), so the collector revisits all of them each time the results
grow by a quarter: about a fifth of the CPU time of a rule-extractor run (1,000 synthetic
articles: 2.7 s of 14 s), for no garbage at all (the rule extractor and the comparator make
no reference cycles). Young collections keep running, so short-lived cycles (an LLM
client's) are still freed; a cycle that lives long enough to reach the old generation
waits until the check ends. They run every 50,000 new container objects rather than
every 700: an article's working set (its sentences, words and mentions) is then mostly
freed before a young collection, instead of being traversed by several of them.

Where the code that runs makes no reference cycles at all, even young collections buy
nothing: each traverses every container object made since the last one that is still
alive, and a check keeps almost all it makes. `collections_paused` turns the collector off
for such code (the rule extractor, story grouping and the comparator: a whole check of
1,000 synthetic or 2,000 wild articles leaves 32 objects in cycles, all made once per run,
none per article), and reference counting frees everything else as before.

Generation thresholds are process-wide: this sets the first and third and restores them, and
on an interpreter without generational thresholds it changes nothing that matters.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# Full collections happen once this many young (generation 1) collections have run since
# the last full one: never, within a check.
_NO_FULL_COLLECTION = 1 << 30
# A generation-0 collection once this many more container objects were made than freed.
_YOUNG_THRESHOLD = 50_000


@contextmanager
def full_collections_deferred() -> Iterator[None]:
    """Run the body with no full (generation 2) garbage collection triggered, and with
    fewer young ones."""
    young, middle, old = gc.get_threshold()
    gc.set_threshold(max(young, _YOUNG_THRESHOLD), middle, _NO_FULL_COLLECTION)
    try:
        yield
    finally:
        _, middle, _ = gc.get_threshold()
        gc.set_threshold(young, middle, old)


@contextmanager
def collections_paused(pause: bool = True) -> Iterator[None]:
    """Run the body with the cyclic garbage collector off (if `pause`), for code that makes
    no reference cycles; its previous state is restored after."""
    was_enabled = gc.isenabled()
    if pause:
        gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if pause and gc.get_freeze_count() == 0:
                # What the body made is still in the youngest generation: the first young
                # collection would traverse all of it. Freezing and unfreezing moves it
                # to the oldest one untraversed (and nobody else had frozen objects).
                gc.freeze()
                gc.unfreeze()
            gc.enable()
