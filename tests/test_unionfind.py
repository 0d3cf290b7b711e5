"""Disjoint sets: groups are the connected components, whatever the order of the links."""

from __future__ import annotations

import random

from checker.unionfind import DisjointSets


def _components(n: int, links: list[tuple[int, int]]) -> list[list[int]]:
    sets = DisjointSets(n)
    for a, b in links:
        sets.union(a, b)
    return sets.groups()


def test_groups_are_the_components_ordered_by_smallest_member() -> None:
    assert _components(6, [(4, 1), (5, 3), (1, 2)]) == [[0], [1, 2, 4], [3, 5]]


def test_the_root_is_the_smallest_member() -> None:
    sets = DisjointSets(5)
    assert sets.union(3, 4) == 3
    assert sets.union(4, 1) == 1
    assert [sets.find(i) for i in range(5)] == [0, 1, 2, 1, 1]


def test_groups_do_not_depend_on_the_order_of_links() -> None:
    rng = random.Random(7)
    links = [(rng.randrange(40), rng.randrange(40)) for _ in range(30)]
    expected = _components(40, links)
    for _ in range(20):
        rng.shuffle(links)
        swapped = [(b, a) if rng.random() < 0.5 else (a, b) for a, b in links]
        assert _components(40, swapped) == expected
