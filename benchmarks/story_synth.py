"""Synthetic corpora of many stories, with planted conflicts and their ground truth.

Story ``s`` is the five seed articles rewritten with its own people (invented names from a
large pool), countries, number words, weekdays and months, all substituted consistently, and
published around its own date; so the seed texts' own conflicts recur in every story, and
every story says near-identical things about different people. About one story in seven is
the *twin* of the story before it: the same names, published 13 weeks later (statements
near-identical to its twin's, which must not be compared with them).

About 60% of stories get one *planted* conflict: a single edit of one seed sentence in one
article, of a known kind (see `PLANTS`). The ground truth records the article, the kind and
the character span of the edited sentence in the final text.

Claims are *transplanted*, not re-extracted: each distinct base text (a seed, or a seed with
one planted edit) is extracted once with the rule extractor, and its claims and mentions are
carried into each story through the same word substitution as the text, with evidence
offsets recomputed and checked verbatim against the story's text. This keeps 100k-article
corpora affordable (rule extraction costs ~80 ms an article here); `--extract rules` in
bench_stories.py re-extracts every article instead, to check the two agree.

Generation depends only on ``(seed, i)``: the corpus of 4N articles starts with the N
articles of the corpus of N.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from synth import (
    COUNTRIES,
    FIRST_NAMES,
    MONTHS,
    NUMBER_WORDS,
    PEOPLE,
    WEEKDAYS,
    Seed,
    _cased,
    _replacer,
    load_seeds,
)

from checker.models import Article, Claim, EntityMention, Evidence, Extraction, Quantity
from checker.quantities import parse_quantity
from checker.rules import RuleExtractor

_HEADS = (
    "Bal Cor Dra Fen Gor Hal Ivar Jas Kel Lom Mar Nov Orl Pet Rask Sol Tor Vel Zan Brun "
    "Dav Erk Fal Grig Hur Jur Kaz Lev Mik Nar Oks Pol Rud Sav Tam Ul Vor Yar Zel Bog"
).split()
_MIDS = "a e i o u an el in or ul ar en il on ur as es is os us".split()
_TAILS = "ani berg czyk dorf enko ford ic ides man ov ski vitz lund mont ra".split()
_FIRSTS = (*FIRST_NAMES, *"Aino Benedikt Celina Dorota Edvin Fatima Gustav Helga Igor "
    "Jelena Kasimir Liv Milos Nora Otto Pavla Rasmus Selma Teodor Una Viktor Wanda Xenia "
    "Yusuf Zora Anouk Bjorn Clara Dusan Emma".split())  # fmt: skip

TWIN_RATE = 1 / 7
TWIN_DAYS = 91  # 13 weeks: weekdays stay consistent with dates
PLANT_RATE = 0.6


@dataclass(frozen=True)
class Plant:
    """One kind of planted conflict: an edit of one sentence of one seed article."""

    kind: str
    slot: int
    old: str
    new: Callable[[random.Random], str]


def _other(words: list[str], old: str) -> Callable[[random.Random], str]:
    return lambda rng: rng.choice([w for w in words if w != old])


PLANTS: tuple[Plant, ...] = (
    Plant(
        "number",
        0,
        "sanctions on three entities it accuses",
        lambda rng: f"sanctions on {_other(NUMBER_WORDS, 'three')(rng)} entities it accuses",
    ),
    Plant(
        "date",
        0,
        "The Kremlin said Tuesday it had",
        lambda rng: f"The Kremlin said {rng.choice(['Thursday', 'Friday', 'Saturday'])} it had",
    ),
    Plant(
        "date_sanity",
        0,
        "who visited Pyongyang in July for",
        lambda rng: f"who visited Pyongyang in {rng.choice(['October', 'November'])} for",
    ),
    Plant(
        "attribution",
        4,
        "NSC spokesperson, Adrienne Watson, said",
        lambda rng: "NSC spokesperson, John Kirby, said",
    ),
    Plant(
        "pronoun_gender",
        0,
        "Although he traveled more overseas than his father",
        lambda rng: "Although she traveled more overseas than her father",
    ),
    Plant(
        "self_reference",
        0,
        "Russia has joined China in opposing",
        lambda rng: "Russia and China have joined China in opposing",
    ),
)


@dataclass(frozen=True)
class Planted:
    """Ground truth: the conflict planted in `article` at `start:end` (its edited sentence)."""

    story: int
    article: str
    kind: str
    start: int
    end: int


@dataclass(frozen=True)
class StoryArticle:
    article: Article
    extraction: Extraction
    story: int
    planted: Planted | None


def _story_mapping(rng: random.Random) -> dict[str, str]:
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for full_forms, short_forms in PEOPLE:
        surname = ""
        while not surname or surname in used:
            surname = rng.choice(_HEADS) + rng.choice(_MIDS) + rng.choice(_TAILS)
        used.add(surname)
        full = f"{rng.choice(_FIRSTS)} {surname}"
        for form in full_forms:
            mapping[form] = full
        for form in short_forms:
            mapping[form] = surname
    targets = rng.sample(COUNTRIES, 7)
    for src, dst in zip(COUNTRIES[:7], targets, strict=True):
        for s, d in zip(src, dst, strict=True):
            mapping.setdefault(s, d)
    mapping["US"] = mapping["U.S."] = mapping["United States"]
    if rng.random() < 0.5:
        shuffled = NUMBER_WORDS[:]
        rng.shuffle(shuffled)
        mapping.update(_cased(dict(zip(NUMBER_WORDS, shuffled, strict=True))))
    return mapping


@dataclass
class _StoryPlan:
    replace: Callable[[str], str]
    day_offset: int
    plant: Plant | None
    plant_text: str


def _plan(seed: int, story: int) -> _StoryPlan:
    twin = story > 0 and random.Random(f"{seed}:twin:{story}").random() < TWIN_RATE
    base_story = story - 1 if twin else story
    rng = random.Random(f"{seed}:story:{base_story}")
    mapping = _story_mapping(rng)
    day_offset = rng.randint(-21, 21)
    month_shift = rng.choice((0, 0, 0, 1, -1))
    for k, day in enumerate(WEEKDAYS):
        mapping[day] = WEEKDAYS[(k + day_offset) % 7]
    if month_shift:
        for k, month in enumerate(MONTHS):
            if month != "May":
                mapping[month] = MONTHS[(k + month_shift) % 12]
    if twin:
        day_offset += TWIN_DAYS
    prng = random.Random(f"{seed}:plant:{story}")
    plant = prng.choice(PLANTS) if prng.random() < PLANT_RATE else None
    return _StoryPlan(_replacer(mapping), day_offset, plant, plant.new(prng) if plant else "")


@lru_cache(maxsize=64)
def _extract_base(seed_id: str, text: str) -> Extraction:
    """Rule extraction of one base text (a seed, or a seed with one planted edit)."""
    return RuleExtractor().extract(Article(id=seed_id, path=seed_id, text=text))


def _transplant(
    base: Extraction, base_text: str, article: Article, f: Callable[[str], str]
) -> Extraction:
    """Carry a base text's claims into `article`, whose text is ``f(base_text)``."""
    cuts = sorted(
        {0, len(base_text)} | {e.start for e in _evidence(base)} | {e.end for e in _evidence(base)}
    )
    new_at = {0: 0}
    pos = 0
    for a, b in itertools.pairwise(cuts):
        pos += len(f(base_text[a:b]))
        new_at[b] = pos
    if pos != len(article.text):
        raise ValueError("substitution is not local: evidence offsets cannot be carried")

    def ev(e: Evidence) -> Evidence:
        start, end = new_at[e.start], new_at[e.end]
        quote = article.text[start:end]
        if quote != f(e.quote):
            raise ValueError(f"evidence moved off its quote in {article.id}")
        # model_construct: offsets and quote are checked just above; validation is the
        # bulk of the cost at 100k articles.
        return Evidence.model_construct(article=article.id, start=start, end=end, quote=quote)

    def opt(s: str | None) -> str | None:
        return f(s) if s else s

    claims = []
    for c in base.claims:
        q = c.quantity
        if q is not None:
            text = f(q.text)
            parsed = parse_quantity(text)
            q = Quantity.model_construct(
                text=text,
                value=parsed.value if parsed else q.value,
                unit=opt(q.unit),
                qualifier=q.qualifier,
            )
        claims.append(
            Claim.model_construct(
                article=article.id,
                subject=opt(c.subject),
                predicate=c.predicate,
                object=opt(c.object),
                time=opt(c.time),
                place=opt(c.place),
                quantity=q,
                speaker=opt(c.speaker),
                speech_verb=c.speech_verb,
                quote=opt(c.quote),
                content=opt(c.content),
                polarity=c.polarity,
                modality=c.modality,
                evidence=ev(c.evidence),
            )
        )
    mentions = [
        EntityMention.model_construct(
            article=article.id,
            text=f(m.text),
            kind=m.kind,
            descriptors=tuple(f(d) for d in m.descriptors),
            gender=m.gender,
            cue=m.cue,
            evidence=ev(m.evidence),
        )
        for m in base.mentions
    ]
    return Extraction.model_construct(
        article=article.id,
        extractor="rules",
        status="ok",
        reason=None,
        claims=tuple(claims),
        mentions=tuple(mentions),
    )


def _evidence(e: Extraction) -> Iterator[Evidence]:
    for c in e.claims:
        yield c.evidence
    for m in e.mentions:
        yield m.evidence


def generate(
    n: int,
    seed: int = 0,
    seeds: list[Seed] | None = None,
    *,
    planted: bool = True,
    extract: Callable[[Article], Extraction] | None = None,
) -> Iterator[StoryArticle]:
    """The first `n` articles, with claims; `planted=False` gives every story unedited
    (the same articles and ids, for measuring the conflicts the seed texts hold already)."""
    seeds = seeds if seeds is not None else load_seeds()
    plan: _StoryPlan | None = None
    for i in range(n):
        story, slot = divmod(i, len(seeds))
        if slot == 0 or plan is None:
            plan = _plan(seed, story)
        base = seeds[slot]
        base_text = base.text
        plant = plan.plant if planted and plan.plant and plan.plant.slot == slot else None
        if plant is not None:
            if plant.old not in base_text:
                raise ValueError(f"plant {plant.kind} does not apply to seed {base.id}")
            base_text = base_text.replace(plant.old, plan.plant_text, 1)
        text = plan.replace(base_text)
        aid = f"{i:06d}_{base.id.split('_', 1)[0]}"
        article = Article(
            id=aid,
            path=f"{aid}.txt",
            text=text,
            published=base.published + dt.timedelta(days=plan.day_offset),
            published_origin="manifest",
        )
        record = None
        if plant is not None:
            edited = plan.replace(plan.plant_text)
            at = text.find(edited)
            start = max(text.rfind(". ", 0, at) + 2, text.rfind("\n", 0, at) + 1, 0)
            ends = [p for p in (text.find(". ", at), text.find("\n", at)) if p != -1]
            end = min(ends) if ends else len(text)
            record = Planted(story, aid, plant.kind, start, end)
        if extract is not None:
            extraction = extract(article)
        else:
            extraction = _transplant(
                _extract_base(base.id, base_text), base_text, article, plan.replace
            )
        yield StoryArticle(article, extraction, story, record)


def story_of(article_id: str, n_seeds: int = 5) -> int:
    return int(article_id.split("_", 1)[0]) // n_seeds
