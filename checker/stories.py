"""Group the articles of a corpus into stories before anything is compared.

A real corpus holds many stories at once, and two stories often say near-identical things
("the Kremlin said Tuesday it had nothing to say") about different people or weeks. Claims
of different stories must never meet, so the comparator runs story by story.

How articles are grouped, and why it stays near-linear and order-independent:

1. Each article gets a set of *features*: the canonical keys of the people, organisations
   and places it mentions (a surname resolved to the one full name of the same article),
   plus its capitalised words, the words it quotes directly (the same quoted words in two
   articles are strong evidence of one story) and who-did-what keys of its claims
   ("united states|sanction"). Features come from one article alone.
2. A feature is *distinctive* when 2 <= df <= `MAX_DF` (df: how many articles have it).
   "Russia" in a corpus about Russia links everything and nothing, so it is ignored.
3. Candidate pairs come only from the postings of distinctive features (an inverted index):
   no all-pairs pass. A pair is linked when the two articles share at least `MIN_SHARED`
   distinctive features (or all of them, for an article that has fewer), that is at least
   `MIN_FRACTION` of the smaller article's distinctive features, and were
   published at most `MAX_DAYS` apart (articles with no date link on features alone).
   The shared features must also stand for at least `MIN_SHARED` distinct pieces of
   evidence (or all of the smaller article's): a person's name and the who-did-what keys
   of that person ("n:x", "r:x|meet", "r:x|travel") are one piece, so two stories that
   merely mention one common name are not linked by it.
   Two articles that each name `MIN_PEOPLE` or more distinctive people but share fewer
   than two of them, or under `PEOPLE_FRACTION` of the smaller set, are never linked:
   near-identical statements about other people are another story.
4. A pair's strength is the Jaccard index of the two articles' distinctive features. A
   pair that passes rule 3 is kept only if its strength is at least `RELATIVE_STRENGTH`
   of the strongest pair of *each* of its two articles. An article's own story gives it
   strong links; a chance overlap with another story is weak next to them, so it is not
   kept, and a few such overlaps can no longer chain unrelated stories into one giant
   story (single linkage did: on a 100,000-article synthetic corpus with names reused
   across 20,000 stories, 93,191 articles became one story). Both passes are linear in
   the candidate pairs, and the rule depends on no order. The pairs that pass rule 3
   are looked for a span of articles at a time, in forked worker processes for a large
   corpus (`FeatureTable.stories(workers)`); rule 4 then weighs them all together, so
   the stories are the same whatever the number of workers.
5. Stories are the connected components (union-find) of kept pairs; every article is in
   exactly one story, a lone article in a story of its own. A story's id is a hash of its
   sorted member ids, so it does not depend on the input order.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import accumulate, chain, pairwise
from operator import itemgetter
from typing import NamedTuple

from checker.comparable import NameCounts
from checker.entities import EntityIndex, canonical_name
from checker.models import Article, Extraction, Story
from checker.unionfind import DisjointSets
from checker.workers import can_fork, forked_imap

MAX_DF = 100  # a feature in more articles than this is not distinctive
MIN_SHARED = 2
MIN_FRACTION = 0.25
MAX_DAYS = 10
MIN_PEOPLE = 3
PEOPLE_FRACTION = 1 / 3
RELATIVE_STRENGTH = Fraction(1, 2)  # of each article's strongest pair (rule 4)
# Looking for linked pairs in worker processes pays from about this corpus size.
PARALLEL_MIN_ARTICLES = 20_000
_SPANS_PER_WORKER = 4

# `\b[A-Z][a-z]{3,}\b`, written to start with the capital so the regex engine can skip to
# the next capital instead of trying every position.
_CAPITALISED = re.compile(r"[A-Z](?<!\w[A-Z])[a-z]{3,}(?!\w)")
_TEXT_AND_KIND = itemgetter(0, 1)  # of a `NameCounts` entry
_LONG_WORD = re.compile(r"[a-z]{4,}")  # the words of more than three letters
_SPEECH = frozenset({"say", "warn", "confirm", "accuse", "deny"})
# Capitalised words too common in news copy to say anything about a story.
_COMMON = frozenset(
    """The This That These Those There Their They When While After Before According
    However Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February
    March April June July August September October November December Sept President
    Minister Defense Defence Foreign Secretary Security Council National House White
    Times News Press Agency Ministry Department Government State United States North
    South East West Western Eastern Last Next Also Even Instead Although Meanwhile""".split()
)


@dataclass(frozen=True)
class ArticleFeatures:
    """What story grouping needs of one article: small, and computed from it alone."""

    id: str
    published: dt.date | None
    features: frozenset[str]


def article_features(
    article: Article, extraction: Extraction | None, names: NameCounts | None = None
) -> ArticleFeatures:
    """The entity keys and distinctive capitalised words of one article. `names`, where
    the caller has them, are `comparable_parts(extraction)`'s: the pipeline reads the
    mentions once for both (the comparator reads the parts it keeps)."""
    features: set[str] = set()
    if extraction is not None and extraction.status == "ok":
        # an article names the same few entities again and again: each distinct one once
        mentions = (
            {(m.text, m.kind) for m in extraction.mentions}
            if names is None
            else list(map(_TEXT_AND_KIND, names))
        )
        index = EntityIndex(t for t, kind in mentions if kind in ("person", "organization"))
        resolve = index.resolve
        for text, kind in mentions:
            key = resolve(text) if kind != "place" else canonical_name(text)
            if key:
                features.add(("n:" if kind == "person" else "e:") + key)
        quoted: set[str] = set()
        for c in extraction.claims:
            # the fields read from the claim's __dict__: a pydantic model's __getattr__
            # keeps each attribute read unspecialised on Python 3.11
            fields = c.__dict__
            quote, subject, predicate = fields["quote"], fields["subject"], fields["predicate"]
            if quote:
                quoted.update(_LONG_WORD.findall(quote.lower()))
            if subject and predicate not in _SPEECH:
                features.add(f"r:{resolve(subject)}|{predicate}")
        features.update(["q:" + w for w in quoted])
    capitalised = set(_CAPITALISED.findall(article.text))
    capitalised -= _COMMON
    if capitalised:
        # "w:" + each word in lower case, made by one join, lower and split instead of
        # two new strings per word (a capitalised word holds no "\0")
        features.update(("w:" + "\0w:".join(capitalised)).lower().split("\0"))
    return ArticleFeatures(article.id, article.published, frozenset(features))


class FeatureTable:
    """The story features of many articles, kept compactly, and the stories they make.

    Each distinct feature string is kept once and numbered, and each article holds an
    array of its features' numbers (a frozenset of ~100 strings per article would cost
    ~10 KB; this costs ~0.5 KB). Grouping works on the numbers throughout."""

    def __init__(self) -> None:
        self._numbers: dict[str, int] = {}
        self._rows: list[tuple[str, dt.date | None, array[int]]] = []

    def __len__(self) -> int:
        return len(self._rows)

    def add(self, item: ArticleFeatures) -> None:
        numbers = self._numbers
        # unsigned ("I"): CPython fills a signed array through PyArg_Parse per item, an
        # unsigned one through PyLong_AsUnsignedLong, a sixth of the cost of `add`
        row = array("I", [numbers.setdefault(f, len(numbers)) for f in item.features])
        self._rows.append((item.id, item.published, row))

    def stories(self, workers: int = 1) -> tuple[Story, ...]:
        """Partition the articles added so far into stories (see the module docstring
        for the rule), in the order of their first article id; `workers` processes
        look for the linked pairs of a large corpus (the same stories with any number)."""
        rows = sorted(self._rows, key=lambda r: r[0])
        df = Counter(chain.from_iterable(row for _, _, row in rows))
        keep = frozenset(n for n, count in df.items() if is_distinctive(count))
        distinctive = [keep.intersection(row) for _, _, row in rows]
        names = list(self._numbers)  # in numbering order: feature n is names[n]
        named = frozenset(n for n in keep if names[n].startswith("n:"))
        people = [feats & named for feats in distinctive]
        units: dict[str, int] = {}
        unit_of = {n: units.setdefault(_unit(names[n]), len(units)) for n in keep}
        dates = [published for _, published, _ in rows]
        sets = DisjointSets(len(rows))
        for i, j in _linked_pairs(dates, distinctive, people, unit_of, workers):
            sets.union(i, j)
        entities = frozenset(n for n in keep if names[n].startswith(("n:", "e:")))
        stories = []
        for members in sets.groups():
            ids = tuple(rows[i][0] for i in members)
            counts: Counter[int] = Counter()
            for i in members:
                counts.update(distinctive[i] & entities)
            ranked = sorted(counts.items(), key=lambda kv: (-kv[1], names[kv[0]]))
            label = tuple(names[n][2:] for n, _ in ranked[:5])
            stories.append(Story(id=story_id(ids), articles=ids, entities=label))
        return tuple(sorted(stories, key=lambda s: s.articles[0]))


def group_features(items: Iterable[ArticleFeatures]) -> tuple[Story, ...]:
    """Partition articles into stories (see the module docstring for the rule)."""
    table = FeatureTable()
    for item in items:
        table.add(item)
    return table.stories()


def is_distinctive(df: int) -> bool:
    """Whether a feature found in `df` articles can link two of them (rule 2 above)."""
    return 2 <= df <= MAX_DF


def group_stories(
    articles: Sequence[Article], extractions: Iterable[Extraction]
) -> tuple[Story, ...]:
    """The stories of a corpus, in the order of their first article id."""
    by_id = {e.article: e for e in extractions}
    return group_features([article_features(a, by_id.get(a.id)) for a in articles])


def _linked_pairs(
    dates: Sequence[dt.date | None],
    distinctive: Sequence[frozenset[int]],
    people: Sequence[frozenset[int]],
    unit_of: dict[int, int],
    workers: int = 1,
) -> Iterator[tuple[int, int]]:
    """The pairs that pass the link rule and are not much weaker than the strongest pair
    of either article (rules 3 and 4 of the module docstring): each pair once.

    `_PairFinder` finds the pairs that pass rule 3 a span of articles at a time, in
    `workers` forked processes for a large corpus (the spans are independent); rule 4
    needs them all, so it runs here."""
    finder = _PairFinder(dates, distinctive, people, unit_of)
    spans = finder.spans(workers * _SPANS_PER_WORKER)
    found: list[_Pairs]
    if workers > 1 and len(dates) >= PARALLEL_MIN_ARTICLES and can_fork():
        found = list(forked_imap(finder.pairs, spans, workers))
    else:
        found = [finder.pairs(span) for span in spans]
    best_shared = [0] * len(dates)
    best_union = [1] * len(dates)
    for pairs in found:
        for i, j, count, total in zip(*pairs, strict=True):
            if count * best_union[i] > best_shared[i] * total:
                best_shared[i], best_union[i] = count, total
            if count * best_union[j] > best_shared[j] * total:
                best_shared[j], best_union[j] = count, total
    num, den = RELATIVE_STRENGTH.numerator, RELATIVE_STRENGTH.denominator
    for pairs in found:
        for i, j, count, total in zip(*pairs, strict=True):
            # count / total >= RELATIVE_STRENGTH * best of each end, in integers
            strength = count * den
            if (
                strength * best_union[i] >= num * best_shared[i] * total
                and strength * best_union[j] >= num * best_shared[j] * total
            ):
                yield i, j


def story_id(article_ids: Iterable[str]) -> str:
    """A story's id: a hash of its sorted member ids, whatever order they came in."""
    basis = "\x1f".join(sorted(article_ids))
    return "s" + hashlib.sha256(basis.encode("utf-8")).hexdigest()[:11]


class _Pairs(NamedTuple):
    """Pairs of articles (first[k], second[k]) that pass rule 3, with their strength as
    the exact fraction shared[k] / union[k] (the Jaccard index of their distinctive
    features): flat arrays of ints, with no rounding, small, and cheap to send from a
    worker process."""

    first: array[int]
    second: array[int]
    shared: array[int]
    union: array[int]


class _PairFinder:
    """The pairs of articles that pass rule 3 of the module docstring, counted from an
    inverted index of their distinctive features: no all-pairs pass.

    Articles are visited in date order (the undated last) and each posting list is kept
    in that order, so a dated article's partners in time are a contiguous run of each
    list, found by bisection: no pair further apart in time is ever counted, and the
    work grows with the pairs that can link, not with the square of a posting list. Each
    pair is counted once, from its earlier position in that order.
    """

    def __init__(
        self,
        dates: Sequence[dt.date | None],
        distinctive: Sequence[frozenset[int]],
        people: Sequence[frozenset[int]],
        unit_of: dict[int, int],
    ) -> None:
        dated = sorted((d.toordinal(), i) for i, d in enumerate(dates) if d is not None)
        self.visit = [i for _, i in dated] + [i for i, d in enumerate(dates) if d is None]
        self.n_dated = len(dated)
        self.day_at = [d for d, _ in dated]  # the day of each dated position in `visit`
        postings: dict[int, list[int]] = defaultdict(list)  # positions, ascending
        # By position in `visit`: where that article stands in the posting list of each
        # of its distinctive features, in the order `distinctive[i]` iterates them (the
        # later partners start just after it: no bisection per feature in `pairs`). A
        # posting list holds at most MAX_DF positions, so the slots fit in bytes.
        slots: list[bytes] = []
        for pos, i in enumerate(self.visit):
            own = []
            for f in distinctive[i]:
                members = postings[f]
                own.append(len(members))
                members.append(pos)
            slots.append(bytes(own))
        self.postings = postings
        self.slots = slots
        self.distinctive = distinctive
        self.people = people
        self.unit_of = unit_of
        self.sizes = [len(feats) for feats in distinctive]
        self.units = [len(set(map(unit_of.__getitem__, feats))) for feats in distinctive]
        self.n_people = [len(p) for p in people]
        # by position in `visit`: what a pair needs to share when that article is its
        # smaller end, and the articles with fewer than MIN_SHARED features
        self.need_at = [_shared_needed(self.sizes[i]) for i in self.visit]
        self.small = {pos for pos, need in enumerate(self.need_at) if need < MIN_SHARED}

    def spans(self, count: int) -> list[tuple[int, int]]:
        """The positions of the visit cut into at most `count` contiguous spans, each
        with about as many features to look up."""
        ends = list(accumulate(self.sizes[i] for i in self.visit))
        total = ends[-1] if ends else 0
        cuts = [bisect_left(ends, total * k / count) for k in range(1, count)]
        bounds = sorted({0, *cuts, len(ends)})
        return list(pairwise(bounds))

    def pairs(self, span: tuple[int, int]) -> _Pairs:
        """The pairs that pass rule 3 and whose earlier position in the visit is in
        `span` (a range of positions)."""
        visit, postings, distinctive = self.visit, self.postings, self.distinctive
        n_dated, day_at, sizes, need_at = self.n_dated, self.day_at, self.sizes, self.need_at
        slots = self.slots
        found = _Pairs(array("l"), array("l"), array("l"), array("l"))
        for pos in range(*span):
            i = visit[pos]
            partners: list[int] = []
            if pos < n_dated:  # dated: later dated articles in the window
                # positions before `stop` are dated at most MAX_DAYS after this one
                stop = bisect_right(day_at, day_at[pos] + MAX_DAYS)
                for f, slot in zip(distinctive[i], slots[pos], strict=True):
                    members = postings[f]
                    # a bisection only where the list runs past the window
                    if members[-1] < stop:
                        partners.extend(members[slot + 1 :])
                    else:
                        partners.extend(members[slot + 1 : bisect_left(members, stop, slot + 1)])
            else:  # undated: every dated article, and later undated ones
                for f, slot in zip(distinctive[i], slots[pos], strict=True):
                    members = postings[f]
                    partners.extend(members[: bisect_left(members, n_dated)])
                    partners.extend(members[slot + 1 :])
            counts = Counter(partners)
            # A pair needs to share what its smaller end needs, min(need, need_at[q]).
            # Most partners share one feature: when this article needs MIN_SHARED or
            # more, they fail the first, cheapest test; only partners with fewer than
            # MIN_SHARED features (`small`) can link on one.
            need = need_at[pos]
            if need < MIN_SHARED:
                hits = list(counts.items())  # one feature or none: any shared is all
            else:
                hits = [
                    (q, count)
                    for q, count in counts.items()
                    if count >= MIN_SHARED and (count >= need or count >= need_at[q])
                ]
                hits.extend(
                    (q, count)
                    for q in self.small.intersection(counts)
                    if (count := counts[q]) < MIN_SHARED and count >= need_at[q]
                )
            for q, count in hits:
                j = visit[q]
                if self._evidence_links(i, j, count):
                    found.first.append(i)
                    found.second.append(j)
                    found.shared.append(count)
                    found.union.append(sizes[i] + sizes[j] - count)
        return found

    def _evidence_links(self, i: int, j: int, count: int) -> bool:
        """Whether two articles sharing `count` distinctive features (enough of them)
        pass the rest of rule 3: the people test, and the pieces of evidence."""
        n_people = self.n_people
        if (
            n_people[i] >= MIN_PEOPLE
            and n_people[j] >= MIN_PEOPLE
            and _different_people(self.people[i], self.people[j])
        ):
            return False
        # the shared features must stand for min(MIN_SHARED, units of each) pieces of
        # evidence; one they always stand for (they are at least one feature)
        # (comparisons rather than min(): asked of every pair that shares enough)
        sizes, units = self.sizes, self.units
        need = units[i] if units[i] < units[j] else units[j]
        if need < 2 or MIN_SHARED < 2:
            return True
        need = need if need < MIN_SHARED else MIN_SHARED
        # An article with s features standing for u pieces of evidence has at most
        # s - u + 1 features standing for any one piece: more shared features than
        # that stand for two pieces or more, without looking.
        if count > sizes[i] - units[i] + 1 or count > sizes[j] - units[j] + 1:
            return True
        shared = self.distinctive[i] & self.distinctive[j]
        return len(set(map(self.unit_of.__getitem__, shared))) >= need


def _shared_needed(size: int) -> int:
    """The fewest distinctive features that an article with `size` of them must share
    with one that has as many or more (rule 3): `MIN_SHARED`, or all of its own if it
    has fewer, and at least `MIN_FRACTION` of its own. It grows with `size`, so a pair
    needs what its smaller article needs: the smaller of the two articles' needs."""
    return max(min(MIN_SHARED, size), math.ceil(MIN_FRACTION * size))


def _unit(feature: str) -> str:
    """The piece of evidence a feature stands for: who-did-what keys ("r:x|visit",
    "r:x|meet") all stand for their subject x, as does the name "n:x"; any other feature
    stands for its key without the kind prefix. One shared person is one piece of
    evidence, however many of its features two articles share."""
    if feature.startswith("r:"):
        return feature[2:].split("|", 1)[0]
    return feature[2:]


def _different_people(pa: frozenset[int], pb: frozenset[int]) -> bool:
    """Two articles that each name several distinctive people (`MIN_PEOPLE` or more: the
    caller checks, before the call) but share few of them are about different stories,
    however alike their words: the same statement about other people is another story."""
    shared = len(pa & pb)  # under max(2, ...), without max(): asked of most pairs here
    return shared < 2 or shared < PEOPLE_FRACTION * min(len(pa), len(pb))
