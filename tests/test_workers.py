"""Forked worker pools (checker.workers): order kept, errors raised here, Ctrl-C left to
the parent."""

from __future__ import annotations

import os
import signal

import pytest

from checker.workers import can_fork, forked_imap, forked_pool

pytestmark = pytest.mark.skipif(not can_fork(), reason="needs the fork start method")


def square(n: int) -> tuple[int, int]:
    return n * n, os.getpid()


def sigint_handler(_: int) -> bool:
    return signal.getsignal(signal.SIGINT) is signal.SIG_IGN


def fail(n: int) -> int:
    if n == 3:
        raise ValueError("three")
    return n


def test_results_come_back_in_order_from_other_processes() -> None:
    with forked_pool(2) as pool:
        results = list(pool.imap(square, range(50), chunksize=3))
    assert [r for r, _ in results] == [n * n for n in range(50)]
    assert os.getpid() not in {pid for _, pid in results}


def test_workers_ignore_ctrl_c_and_the_parent_does_not() -> None:
    with forked_pool(2) as pool:
        assert all(pool.map(sigint_handler, range(4)))
    assert signal.getsignal(signal.SIGINT) is not signal.SIG_IGN


def test_a_workers_error_is_raised_here_and_the_pool_is_ended() -> None:
    with pytest.raises(ValueError, match="three"), forked_pool(2) as pool:
        list(pool.imap(fail, range(6)))
    with pytest.raises(ValueError, match="Pool not running"):
        pool.apply(square, (2,))


def test_forked_imap_runs_a_closure_the_workers_inherit_in_order() -> None:
    held = {n: n * 3 for n in range(40)}  # never pickled: the workers inherit it

    def triple(n: int) -> tuple[int, int]:
        return held[n], os.getpid()

    results = list(forked_imap(triple, range(40), 2, chunksize=4))
    assert [r for r, _ in results] == [n * 3 for n in range(40)]
    assert os.getpid() not in {pid for _, pid in results}
