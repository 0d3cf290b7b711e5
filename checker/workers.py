"""Forked worker processes for checker's CPU-bound steps: rule extraction and comparison.

Both steps are pure functions of data the parent already holds, so workers are *forked*
(they inherit that data; only small work items go out and results come back pickled),
and the parent keeps every result in input order, so a run's output is byte for byte the
same whatever the number of workers.

Forking is used only where it is safe: not on Windows (no fork), not on macOS (system
libraries may not survive a fork). Callers fall back to doing the work in-process.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from multiprocessing.pool import Pool
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# The task of the running `forked_imap`, set before its workers fork: they inherit it.
_TASK: Callable[[Any], Any] | None = None


def available_cpus() -> int:
    """The CPUs this process may run on (its affinity where the OS tells), at least 1."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def can_fork() -> bool:
    """Whether worker processes can be forked safely here."""
    return sys.platform != "darwin" and "fork" in multiprocessing.get_all_start_methods()


@contextmanager
def forked_pool(workers: int) -> Iterator[Pool]:
    """A pool of `workers` forked processes, closed and joined on the way out, or
    terminated if the body raises (a Ctrl-C stops the workers at once).

    Objects alive at the call are frozen out of the collector (``gc.freeze``) while the
    workers start, so a worker's garbage collections do not touch, and copy, the memory
    it shares with the parent. Workers ignore SIGINT: a Ctrl-C reaches the whole process
    group, and the parent alone should handle it (workers would each print a traceback).
    """
    gc.freeze()
    try:
        pool = multiprocessing.get_context("fork").Pool(workers, initializer=_ignore_sigint)
    finally:
        gc.unfreeze()
    try:
        yield pool
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def forked_imap(
    task: Callable[[T], R], items: Iterable[T], workers: int, chunksize: int = 1
) -> Iterator[R]:
    """`task` of each item, in order, computed by `workers` forked processes.

    The workers inherit `task` through the fork, so it may be a closure over anything
    this process holds (read-only: what a worker changes stays in that worker); only the
    items and the results are pickled. `items` is read lazily, a few chunks ahead of the
    results. Closing the iterator early (an error in the caller) ends the workers. Not
    reentrant: one call at a time per process.
    """
    global _TASK
    _TASK = task
    try:
        with forked_pool(workers) as pool:
            yield from pool.imap(_run_task, items, chunksize)
    finally:
        _TASK = None


def _run_task(item: Any) -> Any:
    assert _TASK is not None, "forked_imap's workers must be forked"
    return _TASK(item)
