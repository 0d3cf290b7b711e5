"""Disjoint sets (union-find) over the integers 0..n-1: one helper for every grouping.

Story grouping, the comparator's clusters of matching claims and the merging of flags
about one conflict all join items linked pairwise into connected groups. Each group's
root is its smallest member, so roots, and anything keyed by them, do not depend on the
order in which links were applied.
"""

from __future__ import annotations

from collections import defaultdict


class DisjointSets:
    """Union-find with path halving; the root of a set is its smallest member."""

    __slots__ = ("parent",)

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        """The root (smallest member) of the set holding `x`."""
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a: int, b: int) -> int:
        """Join the sets of `a` and `b`; return the root of the joined set."""
        ra, rb = self.find(a), self.find(b)
        if ra < rb:
            self.parent[rb] = ra
            return ra
        self.parent[ra] = rb
        return rb

    def groups(self) -> list[list[int]]:
        """Every set as a list of its members in increasing order, the sets ordered by
        their smallest member."""
        found: dict[int, list[int]] = defaultdict(list)
        find = self.find
        for i in range(len(self.parent)):
            found[find(i)].append(i)
        return list(found.values())
