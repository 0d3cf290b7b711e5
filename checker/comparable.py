"""What the comparator reads of one article: its claims, and of its mentions only what the
rules use.

An extraction holds about 60 entity mentions per article, half of them places, each a
model with its evidence. The comparator uses a mention's text and kind only to index names
and vote on what kind of entity a name is, which a count of (text, kind) pairs answers as
well; only a person's mention that carries a gender or descriptors is read whole (gender
and title rules). So `Comparable` keeps the claims, those mentions, and the counts:
about a third of the models, which is what a story's comparison costs to load back from
the spool (`checker.spool`) and to walk.
"""

from __future__ import annotations

from collections import Counter
from typing import NamedTuple

from checker.models import Article, Claim, EntityMention, Extraction

# (text, kind, how many mentions of the article have both), sorted
NameCounts = tuple[tuple[str, str, int], ...]
ComparableParts = tuple[tuple[Claim, ...], tuple[EntityMention, ...], NameCounts]


class Comparable(NamedTuple):
    """One article as the comparator reads it (`comparable`)."""

    article: Article
    claims: tuple[Claim, ...]  # none unless the extraction succeeded
    people: tuple[EntityMention, ...]  # persons' mentions with a gender or descriptors
    names: NameCounts  # every mention's (text, kind), counted


def comparable(article: Article, extraction: Extraction | None) -> Comparable:
    """What the comparator reads of `article` and its extraction (none: not extracted)."""
    return Comparable(article, *comparable_parts(extraction))


def comparable_parts(extraction: Extraction | None) -> ComparableParts:
    """`comparable` but the article: what the spool pickles beside the pair."""
    if extraction is None or extraction.status != "ok":
        return (), (), ()
    # One pass over the mentions, each one's fields read from its __dict__: a pydantic
    # model defines __getattr__, so on Python 3.11 no read of its fields is specialised
    # (one read of __dict__ and dict lookups cost about half of three field reads).
    people: list[EntityMention] = []
    pairs: list[tuple[str, str]] = []
    for mention in extraction.mentions:
        fields = mention.__dict__
        kind = fields["kind"]
        pairs.append((fields["text"], kind))
        if kind == "person" and (fields["gender"] is not None or fields["descriptors"]):
            people.append(mention)
    counts = Counter(pairs)
    names = tuple(sorted([(text, kind, n) for (text, kind), n in counts.items()]))
    return extraction.claims, tuple(people), names
