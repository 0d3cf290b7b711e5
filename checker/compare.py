"""The deterministic comparator: claims in, flags out.

Pure: no I/O, no clock, no randomness. The same articles and extractions give a
byte-identical tuple of flags whatever their order. Each rule below is one function that
returns flags with a kind, a severity, a one-line summary and evidence from every article
involved.

Claims are never compared all-pairs: each rule first *blocks* them by a key (a canonical
entity, a predicate, the rarest words of what was said) and only compares within blocks,
so the cost grows close to linearly with the corpus.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, combinations
from typing import get_args

from checker import lexicon as lx
from checker.comparable import Comparable, comparable
from checker.confidence import CONFIDENCE_RANK, grade, written_in
from checker.dates import Tense, TimeInterval, describe, overlaps, resolve_time
from checker.entities import (
    EntityIndex,
    Title,
    canonical_name,
    fold_spelling,
    parse_title,
    titles_conflict,
)
from checker.models import (
    Article,
    Claim,
    EntityKind,
    EntityMention,
    Evidence,
    Extraction,
    Flag,
    FlagKind,
    Modality,
    Polarity,
    Quantity,
    Severity,
    Story,
)
from checker.quantities import canonical_unit, quantities_conflict
from checker.stories import group_stories
from checker.text import WordTable
from checker.unionfind import DisjointSets
from checker.workers import can_fork, forked_imap

SPEECH_PREDICATES = frozenset({"say", "warn", "confirm", "accuse", "deny"})
TRIP_PREDICATES = frozenset({"visit", "travel", "meet", "attend", "hold"})
_MAX_BLOCK = 400  # a blocking key shared by more claims than this is too common to use
_ALL_PAIRS = 96  # up to this many items, _clusters tests every pair's masks, not buckets
assert _ALL_PAIRS < _MAX_BLOCK  # so all of a small group's keys are usable

_STOPWORDS = frozenset(
    """a an the and or of to in on at for by with from that this these those is are was were
    be been being has have had will would may might could can it its their they them he she
    his her we our you your as about over into than then there here not no so such but if
    also which who whom whose what when where while said says say stated told according
    between more most very just only even still both any some all each other""".split()
)
_SYNONYMS = {
    "negotiations": "talk",
    "negotiation": "talk",
    "negotiating": "talk",
    "talks": "talk",
    "talking": "talk",
    "discussions": "talk",
    "discussion": "talk",
    "discussing": "talk",
    "discuss": "talk",
    "progress": "advance",
    "progressing": "advance",
    "advancing": "advance",
    "advances": "advance",
    "actively": "active",
    "weapons": "arm",
    "weapon": "arm",
    "weaponry": "arm",
    "arms": "arm",
    "munitions": "arm",
    "missiles": "arm",
    "rockets": "arm",
    "ammunition": "arm",
    "provided": "supply",
    "providing": "supply",
    "provide": "supply",
    "supplied": "supply",
    "supplying": "supply",
    "supplies": "supply",
    "dprk": "north_korea",
    "pyongyang": "north_korea",
    "drills": "exercise",
    "exercises": "exercise",
    "entities": "entity",
    "organisations": "entity",
    "organizations": "entity",
}
# Each is `\bPHRASE\b` (`\b(the )?united states\b|\bu\.s\.|\bus\b|\bamerican\b` for "us"),
# written to start with the phrase itself and check the boundary before it with a
# lookbehind, so that the regex engine can skip to where the phrase starts (a pattern
# that starts with `\b` is tried at every position: several times slower).
_PHRASES = (
    (re.compile(r"north korea(?<!\wnorth korea)(n)?\b"), "north_korea"),
    (re.compile(r"south korea(?<!\wsouth korea)(n)?\b"), "south_korea"),
    (
        re.compile(
            r"the united states(?<!\wthe united states)\b|united states(?<!\wunited states)\b"
            r"|u\.s\.(?<!\wu\.s\.)|us(?<!\wus)\b|american(?<!\wamerican)\b"
        ),
        "us",
    ),
    (re.compile(r"russian(?<!\wrussian)\b"), "russia"),
)
# Words that place a speaker on one side of a story, for telling statements apart.
_SIDE_WORDS = (
    (
        "us",
        (
            "u.s.", "united states", "american", "washington", "white house",
            "pentagon", "national security council", "nsc", "state department", "biden",
        ),
    ),
    ("russia", ("kremlin", "russia", "russian", "moscow", "putin")),
    ("north korea", ("north korea", "north korean", "pyongyang", "dprk")),
    ("south korea", ("south korea", "south korean", "seoul")),
    ("ukraine", ("ukraine", "ukrainian", "kyiv")),
    ("china", ("china", "chinese", "beijing")),
)  # fmt: skip


def _any_phrase(phrases: Iterable[str]) -> re.Pattern[str]:
    """A pattern for any of `phrases` standing alone: no word character just before or
    just after it (as `\\b(p1|p2|...)\\b` for phrases that start and end with a letter,
    but "u.s." also matches before a space, where a `\\b` after its dot could not). It is
    written to start with the phrases themselves (each begins with a letter) and to check
    the boundary before each with a lookbehind, so that the regex engine skips to where
    one starts."""
    escaped = [re.escape(p) for p in phrases]
    return re.compile("(?:" + "|".join(f"{e}(?<!\\w{e})" for e in escaped) + ")(?!\\w)")


_SIDES = tuple((_any_phrase(phrases), side) for side, phrases in _SIDE_WORDS)
# "US" in capitals only: lowercased, it is the pronoun ("told us", "let us").
_US = re.compile(r"(?<!\w)US(?!\w)")
_SEVERITY_RANK = {"high": 0, "medium": 1, "low": 2}
_NO_SIDES: frozenset[str] = frozenset()
_CONJUNCTS = re.compile(r",\s*|\s+and\s+|\s*&\s*")
_ENTITY_KINDS = tuple(sorted(get_args(EntityKind)))  # in alphabetical order


@dataclass(slots=True, eq=False)
class _Norm:
    """A claim with everything the rules need resolved once, and the fields of the claim
    that every rule reads (an attribute of a pydantic model is read through its
    `__getattr__` hook, several times slower than one of this slotted class)."""

    claim: Claim
    article: Article
    order: int
    predicate: str
    polarity: Polarity
    modality: Modality
    place: str | None
    quantity: Quantity | None
    interval: TimeInterval | None
    speaker: str | None  # canonical id
    speaker_is_person: bool
    sides: frozenset[str]
    subject_parts: tuple[str, ...]
    object: str | None
    signature: frozenset[str]
    quote_words: tuple[str, ...]
    quote_content: frozenset[str]  # quote words that are not stopwords
    is_speech: bool
    hedged: bool
    # `_repeats_another(self)`, found when a rule first asks (`_repeats`); two rules do
    repeats: bool | None = None


class _Context:
    """One story's claims and mentions, normalised once for every rule.

    Names, speakers and subjects repeat across a story's claims, so each distinct one is
    resolved once (`_speaker`, `_parts`), not once per claim.
    """

    def __init__(self, members: Sequence[Comparable]) -> None:
        ordered = sorted(members, key=_member_id)
        self.articles = {c.article.id: c.article for c in ordered}
        names = [name for c in ordered for name in c.names]
        self.index = EntityIndex(
            sorted({text for text, kind, _ in names if kind in ("person", "organization")})
        )
        resolve = self.index.resolve
        # mentions of each (entity id, kind): what kind of entity each is (`_voted_kind`)
        kind_votes: dict[tuple[str, str], int] = {}
        for text, kind, count in names:
            vote = (resolve(text), kind)
            kind_votes[vote] = kind_votes.get(vote, 0) + count
        self.kind_votes = kind_votes
        # persons' mentions with a gender or descriptors, and the entity id of each
        self.people = [m for c in ordered for m in c.people]
        self.people_keys = [resolve(m.text) for m in self.people]
        person_descriptors: dict[str, set[str]] = defaultdict(set)
        for m, key in zip(self.people, self.people_keys, strict=True):
            if m.descriptors:
                person_descriptors[key].update(m.descriptors)
        self.person_sides = {
            key: _sides(" ".join(sorted(ds))) for key, ds in person_descriptors.items()
        }
        self._speakers: dict[str, tuple[str, bool, frozenset[str]]] = {}
        self._subjects: dict[str, tuple[str, ...]] = {}
        claims = [claim for c in ordered for claim in c.claims]
        self.claims = [self._normalise(c, i) for i, c in enumerate(_sort_claims(claims))]

    def _normalise(self, claim: Claim, order: int) -> _Norm:
        # The claim's fields read from its __dict__: a dict lookup each, not a call of
        # the model's attribute hook (about four times the instructions).
        fields = claim.__dict__
        article = self.articles[fields["article"]]
        predicate = fields["predicate"]
        modality = fields["modality"]
        time = fields["time"]
        interval = (
            _resolve_time(
                time,
                article.published,
                "future" if modality == "planned" or modality == "speculative" else "past",
            )
            if time
            else None
        )
        speaker: str | None = None
        is_person = False
        name = fields["speaker"]
        if name:
            speaker, is_person, sides = self._speakers.get(name) or self._speaker(name)
        else:
            sides = _NO_SIDES
        subject = fields["subject"] or ""
        parts = self._subjects.get(subject)
        if parts is None:
            resolve = self.index.resolve_agent
            parts = self._subjects[subject] = tuple(resolve(p) for p in _split_conjuncts(subject))
        quote = fields["quote"]
        quote_words = _words(quote) if quote else ()
        obj = fields["object"]
        return _Norm(
            claim,
            article,
            order,
            predicate,
            fields["polarity"],
            modality,
            fields["place"],
            fields["quantity"],
            interval,
            speaker,
            is_person,
            sides,
            parts,
            self.index.resolve(obj) if obj else None,
            _signature(fields["content"] or quote or ""),
            quote_words,
            _content_words(quote_words),
            predicate in SPEECH_PREDICATES,
            modality == "speculative",
        )

    def _speaker(self, name: str) -> tuple[str, bool, frozenset[str]]:
        """A speaker's entity id, whether it is a person, and the sides it speaks for."""
        speaker = self.index.resolve(name)
        sides = _sides(name)
        person_sides = self.person_sides.get(speaker)
        if person_sides:
            sides |= person_sides
        is_person = _voted_kind(self.kind_votes, speaker) == "person"
        found = self._speakers[name] = (speaker, is_person, sides)
        return found


def _voted_kind(kind_votes: dict[tuple[str, str], int], key: str) -> str | None:
    """The kind of entity that most mentions give `key` (`kind_votes`: mentions of each
    (entity id, kind)), a tie going to the first kind in alphabetical order; None if no
    mention names it. Asked of speakers only, not sorted out for every entity of a story."""
    best: str | None = None
    most = 0
    for kind in _ENTITY_KINDS:
        count = kind_votes.get((key, kind))
        if count is not None and (best is None or count > most):
            best, most = kind, count
    return best


def compare_claims(
    articles: Sequence[Article], extractions: Sequence[Extraction]
) -> tuple[Flag, ...]:
    """Every flag the rules find, story by story, merged and in a stable order."""
    return compare_corpus(articles, extractions)[1]


def compare_corpus(
    articles: Sequence[Article], extractions: Sequence[Extraction]
) -> tuple[tuple[Story, ...], tuple[Flag, ...]]:
    """Group the corpus into stories, then compare claims within each story only."""
    stories = group_stories(articles, extractions)
    by_article = {a.id: a for a in articles}
    by_extraction = {e.article: e for e in extractions}

    def members(story: Story) -> list[Comparable]:
        return [comparable(by_article[i], by_extraction.get(i)) for i in story.articles]

    return stories, compare_stories(stories, members)


# A story's members as the comparator reads them: one `Comparable` per article.
StoryMembers = Sequence[Comparable]


def compare_stories(
    stories: Iterable[Story],
    members: Callable[[Story], StoryMembers],
    progress: Callable[[int, int], None] | None = None,
) -> tuple[Flag, ...]:
    """The flags of every story, in a stable order. `members` gives a story's articles as
    the comparator reads them (`checker.comparable`) when it is compared, so a caller can
    load one story at a time and let it go afterwards (`checker.pipeline` re-reads them
    from a temporary file). `progress`, if given, is called with (0, stories in all)
    first, then (stories done, stories in all) after each story."""
    stories = list(stories)
    flags: list[Flag] = []
    if progress is not None:
        progress(0, len(stories))
    for done, story in enumerate(stories, start=1):
        flags.extend(compare_members(members(story), story=story.id))
        if progress is not None:
            progress(done, len(stories))
    return tuple(sorted(flags, key=_flag_order))


PARALLEL_MIN_STORIES = 64  # fewer stories than this are compared in-process
_CHUNKS_PER_WORKER = 16  # stories are handed out in about this many batches per worker


def compare_stories_parallel(
    stories: Sequence[Story],
    members: Callable[[Story], StoryMembers],
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[Flag, ...]:
    """`compare_stories` run by `workers` processes: the same flags, byte for byte.

    Stories are independent, so each worker process compares whole stories and returns
    their flags; the parent merges them into `compare_stories`' order (`_flag_order`, a
    total order: no two stories share a flag id), so the result depends neither on the
    number of workers nor on which worker finished first. Stories go out in contiguous
    batches and their flags are collected in batch order before that sort, exactly as
    `compare_stories` collects them.

    Contract, for callers (`checker.pipeline`):

    - Workers are *forked* (``multiprocessing`` "fork" context): they inherit `stories`
      and `members` as they are at the call, so only story positions go to a worker and
      only flags come back (pickled). Nothing needs to be picklable but the flags.
    - `members` is called in a worker, once per story, and must be safe there: it must
      not rely on state it shares with the parent or with the other worker through an
      inherited open file's position (a file object's ``seek`` + ``read`` races; open the
      file again in the worker, or read with ``os.pread``). Data read-only in memory is
      fine: it is shared copy-on-write. Whatever `members` changes in a worker (a cache)
      is lost when the worker ends.
    - Falls back to `compare_stories` in this process when `workers` <= 1, when there are
      fewer than `PARALLEL_MIN_STORIES` stories, or where forking is not available or not
      safe (Windows; macOS, whose system libraries may not survive a fork).
    - A worker's exception is raised again here; the pool is then shut down
      (`checker.workers.forked_imap`, which also keeps a worker's collections off the
      memory it shares with the parent).
    - `progress` is called here, in the parent, as each batch of stories comes back.
    - Not reentrant: one call at a time per process.
    """
    stories = list(stories)
    if workers <= 1 or len(stories) < PARALLEL_MIN_STORIES or not can_fork():
        return compare_stories(stories, members, progress)
    per_chunk = max(1, len(stories) // (workers * _CHUNKS_PER_WORKER))
    chunks = [(i, min(i + per_chunk, len(stories))) for i in range(0, len(stories), per_chunk)]
    flags: list[Flag] = []
    if progress is not None:
        progress(0, len(stories))

    def compare_batch(bounds: tuple[int, int]) -> list[Flag]:  # in a worker
        return list(compare_stories(stories[bounds[0] : bounds[1]], members))

    batches = forked_imap(compare_batch, chunks, workers)
    for (_, stop), part in zip(chunks, batches, strict=True):
        flags.extend(part)
        if progress is not None:
            progress(stop, len(stories))
    return tuple(sorted(flags, key=_flag_order))


def compare_story(
    articles: Sequence[Article], extractions: Sequence[Extraction], story: str | None = None
) -> tuple[Flag, ...]:
    """The flags of one story: every rule, deduplicated, with findings about one conflict
    merged into one flag that carries all their evidence."""
    by_extraction = {e.article: e for e in extractions}
    return compare_members([comparable(a, by_extraction.get(a.id)) for a in articles], story)


def compare_members(members: StoryMembers, story: str | None = None) -> tuple[Flag, ...]:
    """`compare_story` of a story's articles as the comparator reads them."""
    ctx = _Context(members)
    found: dict[str, Flag] = {}
    for rule in RULES:
        for flag in rule(ctx):
            found.setdefault(flag.id, flag)
    merged = merge_flags(found.values())
    if story is not None:
        merged = [f.model_copy(update={"story": story}) for f in merged]
    return tuple(sorted(merged, key=_flag_order))


def merge_flags(flags: Iterable[Flag]) -> list[Flag]:
    """Merge flags of one kind that share a piece of evidence: one conflict, one flag.

    Pairwise rules report a conflict once per pair of articles (a wrong number in one
    article against four others is four findings); an editor needs one flag with all the
    evidence. The merged flag takes the most severe finding's severity and summary, and
    its id is the fingerprint of its kind and full evidence, like any flag's. Its
    confidence is its surest finding's: one well-founded finding makes the conflict real,
    whatever the doubts about the others.
    """
    ordered = sorted(flags, key=lambda f: f.id)
    sets = DisjointSets(len(ordered))
    first_with: dict[tuple[str, str, int, int], int] = {}
    for i, flag in enumerate(ordered):
        for e in flag.evidence:
            j = first_with.setdefault((flag.kind, e.article, e.start, e.end), i)
            if j != i:
                sets.union(i, j)
    out = []
    for members in sets.groups():
        group = [ordered[i] for i in members]
        if len(group) == 1:
            out.append(group[0])
            continue
        lead = min(group, key=_flag_order)
        surest = min(group, key=lambda f: (CONFIDENCE_RANK[f.confidence or "low"], f.id))
        more = len(group) - 1
        merged = _flag(
            lead.kind,
            lead.severity,
            f"{lead.summary} (+{more} related finding{'s' if more > 1 else ''})",
            [e for f in group for e in f.evidence],
            (),
        )
        update = {
            "merged": sum(f.merged for f in group),
            "confidence": surest.confidence,
            "confidence_note": surest.confidence_note,
        }
        out.append(merged.model_copy(update=update))
    return out


# -- rules ---------------------------------------------------------------------------------


def check_self_reference(ctx: _Context) -> Iterable[Flag]:
    """'Russia and China have joined China': one party on both sides of a relation."""
    for n in ctx.claims:
        if n.is_speech or n.object is None or not n.subject_parts:
            continue
        if n.object in n.subject_parts and len(n.subject_parts) >= 2:
            c = n.claim
            repeated = c.evidence.quote.casefold().count((c.object or "").casefold()) >= 2
            yield _flag(
                "self_reference",
                "high",
                f"'{c.subject}' {c.predicate} '{c.object}': {c.object} is named on both sides "
                "of the relation; the sentence is garbled",
                [c.evidence],
                [] if repeated else ["the party is not written twice in the sentence"],
            )


def check_date_sanity(ctx: _Context) -> Iterable[Flag]:
    """A past event dated after publication, or an undated month that must mean last year."""
    for n in ctx.claims:
        iv = n.interval
        if iv is None or n.modality in ("planned", "speculative"):
            continue
        published = n.article.published
        if published is None:
            continue
        if iv.start <= published and not iv.shifted:
            continue
        doubts = _time_doubts(n)
        if n.article.published_origin == "inferred":
            doubts.append("the publication date is inferred from the text")
        if iv.start > published:
            yield _flag(
                "date_sanity",
                "high",
                f"'{iv.text}' dates a past event to {describe(iv)}, after the article's "
                f"publication on {published.isoformat()}",
                [n.claim.evidence],
                doubts,
            )
        else:
            yield _flag(
                "date_sanity",
                "medium",
                f"'{iv.text}' names no year in an article published {published.isoformat()}; "
                f"as a past event it can only be {describe(iv)}: check the year",
                [n.claim.evidence],
                doubts,
            )


def check_statement_dates(ctx: _Context) -> Iterable[Flag]:
    """The same statement dated to different days by different articles."""
    speech = [n for n in ctx.claims if n.is_speech and n.predicate != "deny"]
    clusters = _clusters(speech, _same_statement, _signature_keys, sided=True, min_shared=4)
    for cluster in clusters:
        dated = [n for n in cluster if n.interval is not None and n.interval.granularity == "day"]
        days = sorted({(n.interval.start, n.interval.end) for n in dated if n.interval})
        if len(dated) < 2 or len({n.article.id for n in dated}) < 2 or len(days) < 2:
            continue
        if all(
            overlaps(a.interval, b.interval)
            for a, b in combinations(dated, 2)
            if a.interval and b.interval
        ):
            continue
        by_day: dict[str, list[str]] = defaultdict(list)
        for n in dated:
            assert n.interval is not None
            by_day[describe(n.interval)].append(f"{n.article.id} ('{n.claim.time}')")
        parts = "; ".join(
            f"{day} in {', '.join(sorted(set(ids)))}" for day, ids in sorted(by_day.items())
        )
        what = _short(dated[0].claim.quote or dated[0].claim.content or "")
        yield _flag(
            "date",
            "high",
            f"The statement that {what} is dated differently: {parts}",
            [n.claim.evidence for n in dated],
            _statement_date_doubts(dated),
        )


def check_attribution(ctx: _Context) -> Iterable[Flag]:
    """The same quoted words given to different people. A person who only reports or
    rebuts the words as someone else's claim is not given them (`_repeats_another`)."""
    quoted = [n for n in ctx.claims if n.quote_words and n.speaker_is_person and not _repeats(n)]
    for cluster in _clusters(quoted, _same_quote, _quote_keys):
        speakers = sorted({n.speaker for n in cluster if n.speaker})
        if len(speakers) < 2:
            continue
        names = sorted({n.claim.speaker or "" for n in cluster})
        shortest: tuple[str, ...] = min((n.quote_words for n in cluster), key=_length_then_text)
        words = " ".join(shortest)
        yield _flag(
            "attribution",
            "high",
            f'The words "{words}" are attributed to different people: {", ".join(names)}',
            [n.claim.evidence for n in cluster],
            _attribution_doubts(cluster, shortest),
        )


def check_gender(ctx: _Context) -> Iterable[Flag]:
    """One person given conflicting genders by descriptors or pronouns."""
    within: dict[tuple[str, str], list[EntityMention]] = defaultdict(list)
    across: dict[str, list[EntityMention]] = defaultdict(list)
    for m, key in zip(ctx.people, ctx.people_keys, strict=True):
        if m.gender is None:
            continue
        within[(m.article, key)].append(m)
        if m.cue and m.cue.lower() not in lx.GENDERED_PRONOUNS:
            across[key].append(m)
    for (article, _), group in sorted(within.items()):
        if len({m.gender for m in group}) > 1:
            yield _gender_flag(group, f"in {article}")
    for _, group in sorted(across.items()):
        if len({m.gender for m in group}) > 1 and len({m.article for m in group}) > 1:
            yield _gender_flag(group, "across articles")


def check_numbers(ctx: _Context) -> Iterable[Flag]:
    """The same event counted differently ('three entities' vs 'five entities').

    Exact counts on both sides are a high-severity conflict, qualified ones ('about',
    'more than') medium; when either side is hedged ('may', 'could even', 'is likely to')
    the conflict is low: a guess disagreeing with a count is worth a look, not an alarm.
    """
    blocks: dict[tuple[str, str, str], list[_Norm]] = defaultdict(list)
    for n in ctx.claims:
        q = n.quantity
        if q is None or n.is_speech or not n.subject_parts or q.unit is None:
            continue
        blocks[("+".join(n.subject_parts), n.predicate, canonical_unit(q.unit))].append(n)
    for _, group in sorted(blocks.items()):
        for a, b in _pairs(group):
            qa, qb = a.quantity, b.quantity
            assert qa is not None and qb is not None
            if _times_compatible(a, b) and quantities_conflict(qa, qb):
                both_exact = qa.qualifier == "exact" and qb.qualifier == "exact"
                severity: Severity = (
                    "low" if a.hedged or b.hedged else "high" if both_exact else "medium"
                )
                doubts = _hedge_doubts(a, b)
                if a.interval is None or b.interval is None:
                    doubts.append("the counts are not both dated, so may be of different events")
                if not written_in(qa.text, a.claim.evidence.quote) or not written_in(
                    qb.text, b.claim.evidence.quote
                ):
                    doubts.append("a count is not written as such in its sentence")
                yield _flag(
                    "number",
                    severity,
                    f"{a.claim.subject} {a.predicate}: '{qa.text}' in {a.article.id} "
                    f"but '{qb.text}' in {b.article.id}",
                    [a.claim.evidence, b.claim.evidence],
                    doubts,
                )


def check_places(ctx: _Context) -> Iterable[Flag]:
    """The same trip or meeting placed in different cities; low severity when hedged."""
    blocks: dict[str, list[_Norm]] = defaultdict(list)
    for n in ctx.claims:
        if n.place and n.predicate in TRIP_PREDICATES and n.subject_parts:
            blocks["+".join(n.subject_parts)].append(n)
    for _, group in sorted(blocks.items()):
        for a, b in _pairs(group):
            if a.interval is None or b.interval is None or not overlaps(a.interval, b.interval):
                continue
            pa, pb = canonical_name(a.place or ""), canonical_name(b.place or "")
            if pa == pb or lx.CONTAINED_IN.get(pa) == pb or lx.CONTAINED_IN.get(pb) == pa:
                continue
            if pa not in lx.CONTAINED_IN and pb not in lx.CONTAINED_IN:
                continue  # two countries, or places we cannot relate: not a clear conflict
            doubts = _hedge_doubts(a, b)
            coarse = sorted(
                n.interval.granularity
                for n in (a, b)
                if n.interval is not None and n.interval.granularity != "day"
            )
            if coarse:
                doubts.append(f"the two are only known to fall in the same {coarse[-1]}")
            if not written_in(a.place, a.claim.evidence.quote) or not written_in(
                b.place, b.claim.evidence.quote
            ):
                doubts.append("a place is not written as such in its sentence")
            yield _flag(
                "place",
                "low" if a.hedged or b.hedged else "medium",
                f"{a.claim.subject} {a.predicate} in '{a.place}' ({a.article.id}) "
                f"but in '{b.place}' ({b.article.id})",
                [a.claim.evidence, b.claim.evidence],
                doubts,
            )


def check_polarity(ctx: _Context) -> Iterable[Flag]:
    """A denial against an affirmation: `disputed` when different parties speak."""
    denials = [n for n in ctx.claims if n.polarity == "denied" or n.predicate == "deny"]
    if not denials:
        return
    affirmations = [n for n in ctx.claims if n.polarity == "affirmed" and n.predicate != "deny"]
    # signature word: affirmations' orders, for the words of some denial (only those
    # are looked up)
    denied_words = frozenset().union(*(d.signature for d in denials))
    keys: dict[str, list[int]] = defaultdict(list)
    for n in affirmations:
        for key in n.signature & denied_words:
            keys[key].append(n.order)
    claims = ctx.claims  # claims[n.order] is n
    for d in denials:
        # each candidate with how many of the denial's words it shares, counted through
        # the blocks; exact unless a block too large to use was left out
        shared_words: Counter[int] = Counter()
        exact = True
        for key in d.signature:
            bucket = keys.get(key)
            if bucket is None:
                continue
            if len(bucket) <= _MAX_BLOCK:
                shared_words.update(bucket)
            else:
                exact = False
        size = len(d.signature)
        # counted exactly, a candidate sharing fewer than 3 words cannot pass: left in C
        candidates = (
            [order for order, count in shared_words.items() if count >= 3]
            if exact
            else list(shared_words)
        )
        for order in sorted(candidates):
            if order == d.order:
                continue
            a = claims[order]
            shared = shared_words[order] if exact else len(a.signature & d.signature)
            overlap = shared / min(len(a.signature), size)  # both non-empty: they share a word
            if overlap < 0.6 or shared < 3 or not _times_compatible(a, d):
                continue
            doubts = _hedge_doubts(a, d)
            if overlap < 0.8:
                doubts.append("the two statements share only part of their wording")
            if d.sides and a.sides and not (d.sides & a.sides):
                yield _flag(
                    "disputed",
                    "low",
                    f"The sources disagree: {d.claim.speaker or d.claim.subject} deny what "
                    f"{a.claim.speaker or a.claim.subject} assert{'s' if a.claim.speaker else ''}",
                    [d.claim.evidence, a.claim.evidence],
                    doubts,
                )
            elif d.claim.speaker is None and a.claim.speaker is None and not a.is_speech:
                yield _flag(
                    "polarity",
                    "high",
                    f"'{_short(a.claim.evidence.quote)}' is affirmed in {a.article.id} and "
                    f"denied in {d.article.id}",
                    [d.claim.evidence, a.claim.evidence],
                    doubts,
                )


def check_quote_marks(ctx: _Context) -> Iterable[Flag]:
    """A closing quotation mark with no opening one: a quotation lost in editing."""
    for article in ctx.articles.values():
        text = article.text
        closing = text.find("”")
        while closing != -1:  # each paragraph that holds a closing mark (few do)
            offset = text.rfind("\n", 0, closing) + 1
            end = text.find("\n", closing)
            paragraph = text[offset:] if end == -1 else text[offset:end]
            for i in _unopened_closings(paragraph):
                start = offset + _sentence_start(paragraph, i)
                mixed = '"' in paragraph
                yield _flag(
                    "garble",
                    "low",
                    f"A closing quotation mark with no opening one in {article.id}: "
                    "part of a quotation is missing",
                    [Evidence.span(article, start, offset + i + 1)],
                    ["the paragraph mixes straight and curly quotation marks"] if mixed else [],
                )
            closing = -1 if end == -1 else text.find("”", end)


def check_attribution_sides(ctx: _Context) -> Iterable[Flag]:
    """The same quoted words given to an organisation or government of one side and a
    speaker of another ('the Kremlin said "..."', 'the White House said "..."').

    An organisation and its spokespeople are one source: "the White House said" and
    "White House spokesperson Karine Jean-Pierre said" never conflict, nor do two
    organisations of one side, and a speaker whose side is unknown is never set against an
    organisation. A capital speaking is its government ("Pyongyang said"). Two sides can
    use the same few words, or repeat each other's ("Pyongyang called the US claim that
    talks were 'actively advancing' a lie"), so it takes three quoted words in common, no
    mention of the other side between a speaker and the quote, and no sign that the words
    are reported or rebutted as someone else's (`_repeats_another`: "the Kremlin dismissed
    reports that ..."). Named people against named people are `check_attribution`'s.
    """
    quoted = [n for n in ctx.claims if n.quote_words and n.speaker is not None]
    org_words = {w for n in quoted if not n.speaker_is_person and n.sides for w in n.quote_content}
    if not org_words:
        return  # no organisation of a known side quoted: nothing to set against
    quoted = [n for n in quoted if not org_words.isdisjoint(n.quote_content)]
    sides = {n.order: _source_sides(n) for n in quoted}
    quoted = [n for n in quoted if sides[n.order] and not _repeats(n)]
    for cluster in _clusters(quoted, _same_quote, _quote_keys):
        orgs = [n for n in cluster if not n.speaker_is_person]
        against = [
            (o, m)
            for o in orgs
            for m in cluster
            if m is not o
            and sides[o.order].isdisjoint(sides[m.order])
            and not _names_before_quote(o, sides[m.order])
            and not _names_before_quote(m, sides[o.order])
            and len(_content_words(min(o.quote_words, m.quote_words, key=len))) >= 3
        ]
        if not against:
            continue
        involved = sorted({n.order: n for pair in against for n in pair}.items())
        named = sorted(
            {
                f"{n.claim.speaker} ({'/'.join(sorted(sides[n.order]))})"
                for _, n in involved
                if n.claim.speaker
            }
        )
        shortest = min((n.quote_words for _, n in involved), key=_length_then_text)
        doubts = _attribution_doubts([n for _, n in involved], shortest)
        doubts.append("a side is an organisation or government, not a named person")
        yield _flag(
            "attribution",
            "medium",
            f'The words "{" ".join(shortest)}" are attributed to different sides: '
            f"{', '.join(named)}",
            [n.claim.evidence for _, n in involved],
            doubts,
        )


def check_titles(ctx: _Context) -> Iterable[Flag]:
    """A person's title changing within one article: "Defense Minister Sergei Shoigu" then
    "Foreign Minister Shoigu", "Gen." then "Col.".

    Compatible forms stay quiet: a shorter form ("minister"), an office beside a rank
    ("Gen. Shoigu", the defence minister), the gendered forms of one title ("spokeswoman",
    "spokesman": pronoun_gender's question). So does a person whose titles the article
    dates ("former", "then-", "new", "now") or whose appointment it reports, and a bare
    surname that may be several people's. Two different offices may both be held at once,
    so they are flagged with a doubt; two ranks, portfolios or grades ("deputy") cannot.
    """
    groups: dict[tuple[str, str], list[tuple[EntityMention, Title]]] = defaultdict(list)
    for m, key in zip(ctx.people, ctx.people_keys, strict=True):
        if not m.descriptors:
            continue
        if " " not in key:
            continue  # a bare surname: whose title it is cannot be told
        title = _mention_title(m.descriptors)
        if title is not None:
            groups[(m.article, key)].append((m, title))
    for (article, _), group in sorted(groups.items()):
        if len({t for _, t in group}) < 2:
            continue
        group.sort(key=lambda mt: (mt[0].evidence.start, mt[0].text, mt[1].text))
        pair = next(
            (
                (a, b, why)
                for i, a in enumerate(group)
                for b in group[i + 1 :]
                if (why := titles_conflict(a[1], b[1])) is not None
            ),
            None,
        )
        if pair is None or any(
            t.dated or _dated_in_sentence(m) or _reports_appointment(m.evidence.quote)
            for m, t in group
        ):
            continue
        (ma, ta), (mb, tb), why = pair
        doubts = []
        if why == "offices":
            doubts.append("one person can hold two offices at once")
        if not all(written_in(d, m.evidence.quote) for m in (ma, mb) for d in m.descriptors):
            doubts.append("a title is not written as such in its sentence")
        name = max((ma.text, mb.text), key=lambda t: (len(t), t))
        yield _flag(
            "title",
            "medium",
            f"{name} is titled '{ta.text}' and '{tb.text}' in {article}: {_TITLE_CONFLICTS[why]}",
            [ma.evidence, mb.evidence],
            doubts,
        )


RULES: tuple[Callable[[_Context], Iterable[Flag]], ...] = (
    check_self_reference,
    check_date_sanity,
    check_statement_dates,
    check_attribution,
    check_attribution_sides,
    check_titles,
    check_gender,
    check_numbers,
    check_places,
    check_polarity,
    check_quote_marks,
)


# -- confidence: the doubts a flag's evidence leaves (checker.confidence) ----------------


def _time_doubts(n: _Norm) -> list[str]:
    if n.claim.time and not written_in(n.claim.time, n.claim.evidence.quote):
        return ["the date is not written in the sentence it dates"]
    return []


def _hedge_doubts(a: _Norm, b: _Norm) -> list[str]:
    return ["one side is hedged ('may', 'could', 'is likely to')"] if a.hedged or b.hedged else []


def _statement_date_doubts(dated: list[_Norm]) -> list[str]:
    """Doubts about one statement dated differently: how it was matched, where its dates
    are written, and how many articles stand on each side."""
    doubts = [d for n in dated for d in _time_doubts(n)]
    by_day: dict[tuple[dt.date, dt.date], set[str]] = defaultdict(set)
    for n in dated:
        assert n.interval is not None
        by_day[(n.interval.start, n.interval.end)].add(n.article.id)
    if max(len(ids) for ids in by_day.values()) < 2:
        doubts.append("one article on each side")
    quoted = [n for n in dated if n.quote_content]
    if not any(
        len(a.quote_content & b.quote_content) >= 2
        for a, b in combinations(quoted, 2)
        if a.interval and b.interval and not overlaps(a.interval, b.interval)
    ):
        doubts.append("the statements are matched by their wording, not by words they quote")
    return doubts


def _attribution_doubts(cluster: Sequence[_Norm], shortest: tuple[str, ...]) -> list[str]:
    doubts = []
    content = [w for w in shortest if w not in _STOPWORDS]
    if len(content) < 3:
        doubts.append(f"only {len(content)} quoted words in common")
    for n in cluster:
        quote, names = n.claim.evidence.quote, (n.claim.speaker or "").split()
        if names and not written_in(names[-1], quote):
            doubts.append("a speaker is not named in the sentence of the quote")
    sides = {n.order: _source_sides(n) for n in cluster}
    for n in cluster:
        others = frozenset().union(*(sides[m.order] for m in cluster if m.speaker != n.speaker))
        if _names_before_quote(n, others - sides[n.order]):
            doubts.append("a speaker's sentence names the other side before the quoted words")
    return doubts


def _names_before_quote(n: _Norm, sides: frozenset[str]) -> bool:
    """True when the sentence names one of `sides` between its speaker and the quoted
    words ("Peskov said Washington's claim that talks were 'actively advancing' was
    false"): the words may be that side's, repeated."""
    if not sides or not n.claim.quote:
        return False
    quote = n.claim.evidence.quote
    end = quote.find(n.claim.quote)
    before = quote[:end] if end != -1 else quote
    speaker = n.claim.speaker or ""
    at = before.find(speaker) if speaker else -1
    between = before[at + len(speaker) :] if at != -1 else before.replace(speaker, " ")
    return not sides.isdisjoint(_sides(between))


# Nouns that report what follows as a claim made by someone ("Washington's claim that",
# "reports that"), verbs that rebut what follows ("denied", "dismissed"), words that give
# what follows as someone's term ("what Washington called", "so-called"), and verbs of
# speech that start the speaker's own words again ("saying", "added").
_CLAIM_NOUNS = frozenset(
    """claim claims statement statements assertion assertions allegation allegations
    accusation accusations report reports suggestion suggestions remark remarks comment
    comments contention contentions insinuation insinuations rumor rumors rumour rumours
    denial denials""".split()
)
# Before a noun above, a word that makes it a verb ("Kirby claims that", "who reports
# that"), and verbs by which a speaker makes a claim their own ("issued a statement that").
_SUBJECT_WORDS = frozenset("he she it they we i you who which".split())
_ADVERBS = frozenset("also still now again often further too".split())
_MAKING_VERBS = frozenset(
    """made makes make making issued issues issue issuing released releases gave gives
    published publishes put puts repeated repeats reiterated reiterates""".split()
)
_REBUTTAL_VERBS = frozenset(
    """deny denies denied denying dismiss dismisses dismissed dismissing reject rejects
    rejected rejecting refute refutes refuted refuting rebut rebuts rebutted rebutting
    rebuff rebuffs rebuffed rebuffing dispute disputes disputed disputing debunk debunks
    debunked debunking repudiate repudiates repudiated repudiating""".split()
)
_TERM_VERBS = frozenset("calls called describes described terms termed dubs dubbed".split())
_REPORTING_WORDS = _CLAIM_NOUNS | _REBUTTAL_VERBS | _TERM_VERBS | {"so-called"}
_CLAIM_NOUN = re.compile(r"\b(?:" + "|".join(sorted(_CLAIM_NOUNS)) + r")\s+that\b", re.I)
_REBUTTAL_VERB = re.compile(r"\b(?:" + "|".join(sorted(_REBUTTAL_VERBS)) + r")\b", re.I)
_CALLED_BY = re.compile(
    r"\b(?:so-called|what\s+(?P<owner>(?:[\w.'’-]+\s+){1,5}?)"
    r"(?:calls|called|describes\s+as|described\s+as|terms|termed|dubs|dubbed))$",
    re.IGNORECASE,
)
_OWN_WORDS = re.compile(
    r"\b(?:says?|said|saying|told|telling|tells|add(?:s|ed|ing)|stat(?:es|ed|ing)"
    r"|insist(?:s|ed|ing)|not(?:es|ed|ing)|stress(?:es|ed|ing)|warn(?:s|ed|ing)"
    r"|explain(?:s|ed|ing)|declar(?:es|ed|ing)|argu(?:es|ed|ing)|assert(?:s|ed|ing)"
    r"|repl(?:ies|ied|ying)|respond(?:s|ed|ing)|counter(?:s|ed|ing)"
    r"|call(?:s|ed|ing)|describ(?:es|ed|ing))\b|[;:!?“”\"]|,(?!\s*$)"
    r"|(?<!(?-i:[A-Z]))(?<!\bMr)(?<!\bMrs)(?<!\bMs)(?<!\bDr)(?<!\bSt)\.\s",
    re.IGNORECASE,
)
_FALSE_AFTER = re.compile(
    r"[,.]?[\"”’']\s*,?\s*(?:(?:was|were|is|are|as)\s+)?"
    r"(?:(?:a|an|simply|completely|totally|absolutely|utterly|entirely|plainly|pure)\s+)*"
    r"(?:false|untrue|lies?(?!\s+(?:ahead|in|with|at|on|behind|beyond|within|between))"
    r"|lying|baseless|groundless|unfounded|nonsense|absurd|fabricat\w*|fake|fiction"
    r"|wrong|incorrect|inaccurate|misleading|propaganda|slander\w*|disinformation"
    r"|misinformation|hoax)\b",
    re.IGNORECASE,
)
# The marks _FALSE_AFTER starts with, and the word after them; the words it can go on with
# there (and any starting "fabricat" or "slander"), lowercased. _FALSE_AFTER is run only
# where that word is one of them (`_judged_false`): it tries each of its alternatives
# under re.I, several times slower than this test (most quotes go on "said Peskov").
_AFTER_CLOSING = re.compile(r"[,.]?[\"”’']\s*,?\s*(\w*)")
_FALSE_AFTER_WORDS = frozenset(
    """was were is are as a an simply completely totally absolutely utterly entirely plainly
    pure false untrue lie lies lying baseless groundless unfounded nonsense absurd fake
    fiction wrong incorrect inaccurate misleading propaganda disinformation misinformation
    hoax""".split()
)
_FALSE_AFTER_STEMS = ("fabricat", "slander")
# The patterns that search the words before a quote, and the same without re.I, for
# that text lowercased: several times faster (under re.I the regex engine tries every
# alternative at every position, with no first letter to skip to). Both give the same
# spans when the text holds none of _CASE_ODD: lowercasing any other character gives one
# character, which matches a letter of these patterns exactly when the character matches
# it under re.I, and is a word or space character exactly when the character is
# (tests/test_compare_lowered.py checks this over every character).
_BEFORE_QUOTE = (_CALLED_BY, _CLAIM_NOUN, _REBUTTAL_VERB)
_BEFORE_QUOTE_LOWER = tuple(re.compile(p.pattern) for p in _BEFORE_QUOTE)
_CASE_ODD = frozenset("İıſ")  # "İ" lowercases to two characters, "ı" and "ſ" match i, s
_OWNER_PRONOUN = re.compile(r"\b(?:his|her|its|their|our|my)\b", re.IGNORECASE)
_SUBJECT_PRONOUN = re.compile(r"\b(?:he|she|it|they|we|I)\b", re.IGNORECASE)
_OPENING = " \t\n\"“‘'(["  # what may stand between the words before a quote and the quote
_POSSESSIVE = re.compile(r"\w(?:['’]s|s['’])(?!\w)")
_AS_LABEL = re.compile(r"\bas$", re.IGNORECASE)
_MAX_GAP_WORDS = 25


def _repeats_another(n: _Norm) -> bool:
    """True when the sentence gives the quoted words as someone else's claim, not the
    speaker's own: reported ("Peskov said Washington's claim that talks were 'actively
    advancing' was false", "the US assertion that", "reports that"), rebutted ("Peskov
    dismissed the White House's statement that ...", "denied that ..."), judged false
    right after the quote ("... 'actively advancing' were lies") or given as another's
    term ("what Washington called", "so-called"). Such a claim does not attribute the
    words to its speaker, so it never takes part in an `attribution` flag.

    A cue before the quote governs it only up to a verb of the speaker's own speech or a
    clause break ("denied the reports, saying talks were '...'" is the speaker's own), a
    rebuttal ending in "as" labels with the speaker's own words ("dismissed the reports
    as '...'"), and a claim of the speaker's own ("his claim that", "the White House's
    statement that" from a White House spokesman, "Kirby claims that", "issued a
    statement that") is no one else's."""
    sentence, words = n.claim.evidence.quote, n.claim.quote
    if not words:
        return False
    at = sentence.find(words)
    if at == -1:
        at = sentence.casefold().find(words.casefold())
        if at == -1:
            return False
    if _judged_false(sentence, at + len(words)):
        return True
    before = sentence[:at].rstrip(_OPENING)
    speaker = n.claim.speaker or ""
    for name in (speaker, speaker.rpartition(" ")[2]):  # "Dmitry Peskov", then "Peskov"
        found = before.rfind(name) if name else -1
        if found != -1:
            before = before[found + len(name) :]
            break
    low = before.lower()
    if _REPORTING_WORDS.isdisjoint(low.split()):
        return False  # nothing reports the words as anyone's (most sentences)
    # searched in `low` where that gives the same spans (positions in `before`), for speed
    if _CASE_ODD.isdisjoint(before):
        text, (called_by, claim_noun, rebuttal_verb) = low, _BEFORE_QUOTE_LOWER
    else:
        text, (called_by, claim_noun, rebuttal_verb) = before, _BEFORE_QUOTE
    called = called_by.search(text)
    if called:
        owner = before[called.start("owner") : called.end("owner")] if called["owner"] else ""
        return not (_SUBJECT_PRONOUN.search(owner) or _owned_by_speaker(n, owner))
    cues = [(m.end(), True, m.start()) for m in claim_noun.finditer(text)]
    cues += [(m.end(), False, m.start()) for m in rebuttal_verb.finditer(text)]
    if not cues:
        return False
    end, is_noun, start = max(cues)  # the cue nearest the quote
    gap = before[end:]
    if _OWN_WORDS.search(gap) or len(gap.split()) > _MAX_GAP_WORDS:
        return False  # the speaker's own words start again after the cue
    if not is_noun:
        return _AS_LABEL.search(gap) is None
    lead = [w.strip(",").lower() for w in before[:start].split()]
    while lead and (lead[-1] in _ADVERBS or lead[-1].endswith("ly")):
        lead.pop()  # "Kirby also claims that", "Washington falsely claims that"
    if not lead or lead[-1] in _SUBJECT_WORDS:
        return False  # "Kirby claims that", "who reports that": the speaker's own claim
    owner = _BOUNDARY.split(before[max(0, start - 60) : start])[-1]
    if _MAKING_VERBS.isdisjoint(owner.lower().split()) or _POSSESSIVE.search(owner):
        return not _owned_by_speaker(n, owner)
    return False  # "issued a statement that": the speaker's own


def _judged_false(sentence: str, end: int) -> bool:
    """Whether `_FALSE_AFTER` matches at `end` (right after quoted words): '..." was
    false', '...", lies'. Where the word after the closing mark is ASCII, it is looked up
    first: the pattern can only match if it is one of `_FALSE_AFTER_WORDS` or starts with
    one of `_FALSE_AFTER_STEMS` (under re.I an ASCII character matches a letter of the
    pattern exactly when lowercased it is that letter; another may match a letter it
    does not lowercase to, as "ſ" matches "s": its word goes to the pattern)."""
    after = _AFTER_CLOSING.match(sentence, end)
    if after is None:
        return False  # no closing mark: the pattern starts with one
    word = after[1]
    if word.isascii():
        word = word.lower()
        if word not in _FALSE_AFTER_WORDS and not word.startswith(_FALSE_AFTER_STEMS):
            return False
    return _FALSE_AFTER.match(sentence, end) is not None


def _repeats(n: _Norm) -> bool:
    """`_repeats_another(n)`, found once per claim (check_attribution and
    check_attribution_sides both ask about most quoted claims)."""
    if n.repeats is None:
        n.repeats = _repeats_another(n)
    return n.repeats


def _owned_by_speaker(n: _Norm, owner: str) -> bool:
    """Whether the words before a claim ("his", "the White House's", "Washington's") make
    it the speaker's own: a possessive pronoun with no named owner, or a named owner of
    the speaker's own side."""
    if _POSSESSIVE.search(owner) is None and _OWNER_PRONOUN.search(owner):
        return True
    sides = _sides(owner)
    return bool(sides) and sides <= _source_sides(n)


# -- sources and titles --------------------------------------------------------------------

_TITLE_CONFLICTS = {
    "ranks": "two different ranks",
    "offices": "two different offices",
    "grades": "one office with and without a grade such as 'deputy' or 'vice'",
    "portfolios": "one office with two different portfolios",
}
_BOUNDARY = re.compile(r"[.;:“”\",]|\b(?:said|says|that|and|but|while)\b", re.IGNORECASE)
_DATING = re.compile(
    r"(?i:\b(?:" + "|".join(sorted(lx.TITLE_TIME_MARKERS)) + r"))[\s\-]+"
    r"(?:[A-Z][\w.'’]*[\s\-]+){0,3}$"
)


def _source_sides(n: _Norm) -> frozenset[str]:
    """The side a speaker stands for: an organisation's own ("the Kremlin": russia), a
    person's from their titles, wherever written ("White House spokesperson Karine
    Jean-Pierre": us)."""
    sides = _sides(n.claim.speaker or "") | n.sides
    if not n.speaker_is_person:
        return sides
    quote, name = n.claim.evidence.quote, n.claim.speaker or ""
    at = quote.find(name)
    if at > 0:
        before = quote[max(0, at - 100) : at]
        cut = list(_BOUNDARY.finditer(before))
        phrase = before[cut[-1].end() :] if cut else before
        words = phrase.lower().split()
        if words and words[-1].rstrip(".") in lx.ROLE_WORDS | lx.TITLE_WORDS:
            sides |= _sides(phrase)
    return sides


@lru_cache(maxsize=1 << 12)
def _mention_title(descriptors: tuple[str, ...]) -> Title | None:
    """The title of a mention: what its descriptors hold together (None if no title)."""
    titles = [t for t in (parse_title(d) for d in descriptors) if t is not None]
    if len(titles) <= 1:
        return titles[0] if titles else None
    return Title(
        " ".join(t.text for t in titles),
        frozenset().union(*(t.offices for t in titles)),
        frozenset().union(*(t.ranks for t in titles)),
        frozenset().union(*(t.grades for t in titles)),
        frozenset().union(*(t.portfolios for t in titles)),
        any(t.dated for t in titles),
    )


def _dated_in_sentence(m: EntityMention) -> bool:
    """True when the sentence dates a title of this mention ("former Defense Minister
    Shoigu", "then-Defense Minister"): the words right before it say so."""
    quote = m.evidence.quote
    low = quote.casefold()
    for descriptor in m.descriptors:
        needle = descriptor.casefold()
        at = low.find(needle)
        while at != -1:
            if _DATING.search(quote[max(0, at - 60) : at]):
                return True
            at = low.find(needle, at + 1)
    return False


def _reports_appointment(quote: str) -> bool:
    return not lx.APPOINTMENT_WORDS.isdisjoint(_words(quote))


# -- clustering ----------------------------------------------------------------------------


def _clusters(
    items: list[_Norm],
    same: Callable[[_Norm, _Norm], bool],
    keys: Callable[[_Norm], frozenset[str]],
    sided: bool = False,
    min_shared: int = 0,
) -> list[list[_Norm]]:
    """Connected groups of items that `same` links, comparing only within blocking keys.

    With `sided`, a group never mixes speakers of different sides: links are checked
    against the whole group, not only the pair, so an unattributed claim cannot bridge the
    Kremlin's statement and Washington's. `same` is only asked about pairs that share at
    least `min_shared` keys (a bound it implies).

    Links are applied in a fixed order: by the first blocking key (in sorted order) the
    two items share, then by their positions in `items`. Blocking keys shared by more
    than `_MAX_BLOCK` items are not used. Each pair is tested once, whatever the number
    of keys it shares: only keys held by two or more items can be shared, so only they
    are ranked (in sorted order), and each item carries a bit mask of its keys' ranks.
    """
    item_keys = [keys(n) for n in items]
    if len(items) <= _ALL_PAIRS:
        # the keys of two or more items, by set operations in C (fewer steps than a
        # Counter of every key for a small group)
        shared: set[str] = set()
        seen: set[str] = set()
        for ks in item_keys:
            shared |= seen & ks
            seen |= ks
    else:
        size = Counter(chain.from_iterable(item_keys))
        shared = {k for k, c in size.items() if c >= 2}
    ranked = sorted(shared)
    bit = {k: 1 << r for r, k in enumerate(ranked)}
    full = [sum(map(bit.__getitem__, shared.intersection(ks))) for ks in item_keys]  # in C
    links: list[tuple[int, int, int]] = []
    least = max(min_shared, 1)  # shared keys a linked pair has: one at least
    if len(items) <= _ALL_PAIRS:
        # Fewer items than _MAX_BLOCK: every key is usable, so one AND of two items'
        # masks gives both tests (a usable key shared, and enough keys shared).
        able = [i for i, f in enumerate(full) if f.bit_count() >= least]
        for at, i in enumerate(able):
            fi, a = full[i], items[i]
            for j in able[at + 1 :]:
                common = fi & full[j]
                if common.bit_count() >= least and same(a, items[j]):
                    links.append(((common & -common).bit_length(), i, j))
    else:
        usable = sum(b for k, b in bit.items() if size[k] <= _MAX_BLOCK)
        masks = [f & usable for f in full]
        rank = {k: r for r, k in enumerate(ranked)}
        ranks = [[rank[k] for k in ks if k in rank] for ks in item_keys]
        for i, j in _sharing_pairs(ranks, masks, least):
            if same(items[i], items[j]):
                common = masks[i] & masks[j]
                links.append(((common & -common).bit_length(), i, j))
    links.sort()
    sets = DisjointSets(len(items))
    find = sets.find
    group_sides = [n.sides for n in items]  # the sides of each set, kept at its root
    for _, i, j in links:
        ra, rb = find(i), find(j)
        if ra == rb:
            continue
        sa, sb = group_sides[ra], group_sides[rb]
        if sided and sa and sb and not (sa & sb):
            continue
        group_sides[sets.union(ra, rb)] = (sa & sb) if sa and sb else (sa or sb)
    groups = [[items[i] for i in g] for g in sets.groups() if len(g) > 1]
    return sorted(groups, key=lambda g: g[0].order)


def _sharing_pairs(
    ranks: list[list[int]], masks: list[int], least: int
) -> Iterator[tuple[int, int]]:
    """Pairs (i, j), i < j, of items that share at least `least` keys, one of them usable
    (a bit of both `masks`); `ranks` are each item's keys. Each item's later partners are
    gathered from per-key lists and counted in C (`Counter`), so a pair that shares too
    few keys is never looked at in Python."""
    members: defaultdict[int, list[int]] = defaultdict(list)  # key rank: its items
    held: list[list[tuple[list[int], int]]] = []  # per item: (a key's items, its place)
    for i, rs in enumerate(ranks):
        mine = []
        for r in rs:
            m = members[r]
            m.append(i)
            mine.append((m, len(m)))
        held.append(mine)
    for i, mine in enumerate(held):
        mi = masks[i]
        if not mi:
            continue
        partners: list[int] = []
        for m, after in mine:
            partners.extend(m[after:])  # the key's later items
        for j, count in Counter(partners).items():
            if count >= least and mi & masks[j]:
                yield i, j


def _signature_keys(n: _Norm) -> frozenset[str]:
    return n.signature


def _quote_keys(n: _Norm) -> frozenset[str]:
    return n.quote_content


def _same_statement(a: _Norm, b: _Norm) -> bool:
    if a.sides and b.sides and not (a.sides & b.sides):
        return False
    qa, qb = a.quote_content, b.quote_content
    if qa and qb and qa.isdisjoint(qb):
        return False  # both quote someone, and not the same words
    sa, sb = a.signature, b.signature
    shared = len(sa & sb)
    return shared >= 4 and shared / min(len(sa), len(sb)) >= 0.6


def _same_quote(a: _Norm, b: _Norm) -> bool:
    """Whether the shorter quote, holding two or more content words, occurs in the other."""
    if len(b.quote_words) < len(a.quote_words):
        a, b = b, a
    x, y = a.quote_words, b.quote_words
    if len(a.quote_content) < 2 and _content_count(x) < 2:  # counted only if it can be < 2
        return False
    n, first = len(x), x[0]
    i, stop = -1, len(y) - n + 1
    while True:  # each place the shorter quote's first word occurs in the other
        try:
            i = y.index(first, i + 1, stop)
        except ValueError:
            return False
        if y[i : i + n] == x:
            return True


def _pairs(group: list[_Norm]) -> Iterable[tuple[_Norm, _Norm]]:
    if len(group) > _MAX_BLOCK:
        return
    for a, b in combinations(group, 2):
        if a.article is not b.article or a.claim.evidence != b.claim.evidence:  # one per id
            yield a, b


# -- small helpers -------------------------------------------------------------------------


def _flag(
    kind: FlagKind,
    severity: Severity,
    summary: str,
    evidence: Sequence[Evidence],
    doubts: Iterable[str],
) -> Flag:
    """A flag; its id fingerprints kind and evidence only (not severity or confidence)."""
    unique = sorted(set(evidence), key=lambda e: (e.article, e.start, e.end))
    confidence, note = grade(doubts)
    basis = "\x1f".join([kind, *(f"{e.article}\x1e{e.quote}" for e in unique)])
    fingerprint = hashlib.sha256(basis.encode("utf-8")).hexdigest()[:16]
    return Flag(
        id=fingerprint,
        kind=kind,
        severity=severity,
        summary=summary,
        evidence=tuple(unique),
        articles=tuple(sorted({e.article for e in unique})),
        confidence=confidence,
        confidence_note=note,
    )


def _gender_flag(group: list[EntityMention], where: str) -> Flag:
    name = max((m.text for m in group), key=lambda t: (len(t), t))
    cues = sorted({f"'{m.cue}' ({m.gender})" for m in group if m.cue})
    pronoun = any(m.cue and m.cue.lower() in lx.GENDERED_PRONOUNS for m in group)
    return _flag(
        "pronoun_gender",
        "medium",
        f"{name} is referred to with conflicting genders {where}: {', '.join(cues)}",
        [m.evidence for m in group],
        ["a gender comes from a pronoun, whose person is inferred"] if pronoun else [],
    )


def _flag_order(flag: Flag) -> tuple[int, str, str, int, str]:
    first = flag.evidence[0]
    return (_SEVERITY_RANK[flag.severity], flag.kind, first.article, first.start, flag.id)


def _claim_key(c: Claim) -> tuple[str, int, int, str, str]:
    return (c.article, c.evidence.start, c.evidence.end, c.predicate, c.model_dump_json())


def _sort_claims(claims: list[Claim]) -> list[Claim]:
    """`sorted(claims, key=_claim_key)`, serialising a claim only to break a tie."""
    heads = list(map(_claim_head, claims))
    order = sorted(range(len(claims)), key=heads.__getitem__)
    out: list[Claim] = []
    i, n = 0, len(order)
    while i < n:
        key = heads[order[i]]
        j = i + 1
        while j < n and heads[order[j]] == key:
            j += 1
        if j == i + 1:
            out.append(claims[order[i]])
        else:
            out.extend(sorted((claims[k] for k in order[i:j]), key=_claim_key))
        i = j
    return out


def _claim_head(c: Claim) -> tuple[str, int, int, str]:
    """(article, evidence start, evidence end, predicate): a claim's place in the story.
    The fields are read from the models' __dict__: a dict lookup each, not a call of
    their attribute hook (several times the instructions)."""
    fields = c.__dict__
    evidence = fields["evidence"].__dict__
    return (fields["article"], evidence["start"], evidence["end"], fields["predicate"])


@lru_cache(maxsize=1 << 16)
def _resolve_time(text: str, published: dt.date | None, tense: Tense) -> TimeInterval | None:
    """`resolve_time`, memoised: claims of one story repeat a few time phrases."""
    return resolve_time(text, published, tense)


@lru_cache(maxsize=1 << 16)
def _content_words(words: tuple[str, ...]) -> frozenset[str]:
    return frozenset(w for w in words if w not in _STOPWORDS)


def _member_id(member: Comparable) -> str:
    return member.article.id


@lru_cache(maxsize=1 << 14)
def _content_count(words: tuple[str, ...]) -> int:
    """How many of `words` are not stopwords, repeats counted."""
    return sum(w not in _STOPWORDS for w in words)


def _length_then_text(words: tuple[str, ...]) -> tuple[int, tuple[str, ...]]:
    return (len(words), words)


def _times_compatible(a: _Norm, b: _Norm) -> bool:
    return a.interval is None or b.interval is None or overlaps(a.interval, b.interval)


_WORD_RE = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
# Each byte that is not in a signature word (a-z and "_") maps to a space.
_SIG_BYTES = bytes(c if c == 0x5F or 0x61 <= c <= 0x7A else 0x20 for c in range(256))
# Substrings one of which a text holds wherever the phrase pattern beside them matches: a
# pattern is only run over a text that holds one (a cheap test that skips most of them).
# A bare "us" needs no hint: it is replaced by itself.
_PHRASE_HINTS = (
    ("north korea",),
    ("south korea",),
    ("u.s.", "united states", "american"),
    ("russian",),
)
_PHRASE_RULES = tuple(
    (pattern, replacement, hints)
    for (pattern, replacement), hints in zip(_PHRASES, _PHRASE_HINTS, strict=True)
)


@lru_cache(maxsize=1 << 14)
def _words(text: str) -> tuple[str, ...]:
    folded = text.replace("’", "'").lower()
    return tuple(map(fold_spelling, _WORD_RE.findall(folded)))


@lru_cache(maxsize=1 << 14)
def _signature(text: str) -> frozenset[str]:
    """Content words of what was said, folded so that paraphrases share a signature."""
    folded = text.lower()  # "’" and "'" alike are neither in a word nor in a phrase
    for pattern, replacement, hints in _PHRASE_RULES:
        for hint in hints:
            if hint in folded:
                folded = pattern.sub(replacement, folded)
                break
    found = frozenset(map(_SIGNATURE_WORDS.__getitem__, _signature_words(folded)))
    return found - _LEFT_OUT if "" in found else found


def _signature_words(text: str) -> list[str]:
    """The runs of a-z and "_" in `text` (`re.findall("[a-z_]+", text)`), found a few
    times faster in C: any other character, once a non-ASCII one is encoded as "?", is
    translated to a space, and the text split on spaces."""
    return text.encode("ascii", "replace").translate(_SIG_BYTES).decode("ascii").split()


def _signature_word(word: str) -> str:
    """The signature form of one word, or "" for a word a signature leaves out."""
    word = fold_spelling(word)
    word = _SYNONYMS.get(word, word)
    if word in _STOPWORDS or len(word) < 3:
        return ""
    return _stem(word)


# Texts are many, their words few: each word's signature form is looked up, in C.
_SIGNATURE_WORDS = WordTable(_signature_word)
_LEFT_OUT = frozenset({""})


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


@lru_cache(maxsize=1 << 14)
def _sides(text: str) -> frozenset[str]:
    low = text.lower()
    found = [side for pattern, side in _SIDES if pattern.search(low)]
    if "us" not in found and _US.search(text):
        found.append("us")
    return frozenset(found)


@lru_cache(maxsize=1 << 14)
def _split_conjuncts(subject: str) -> tuple[str, ...]:
    parts = _CONJUNCTS.split(subject)
    return tuple(p.strip() for p in parts if p.strip())


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _unopened_closings(paragraph: str) -> Iterator[int]:
    """Where `paragraph` has a closing quotation mark (”) that no opening one (“) left
    open, in order. Only the marks are visited, each found with `str.find`."""
    depth = 0  # opening marks not yet closed
    opening, closing = paragraph.find("“"), paragraph.find("”")
    while closing != -1:
        if opening != -1 and opening < closing:  # an opening mark comes first
            depth += 1
            opening = paragraph.find("“", opening + 1)
            continue
        if depth == 0:
            yield closing
        else:
            depth -= 1
        closing = paragraph.find("”", closing + 1)


def _sentence_start(paragraph: str, pos: int) -> int:
    cut = max(
        paragraph.rfind(". ", 0, pos), paragraph.rfind("? ", 0, pos), paragraph.rfind("! ", 0, pos)
    )
    return 0 if cut == -1 else cut + 2
