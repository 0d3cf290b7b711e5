"""Deterministic synthetic news corpora built by varying the seed articles.

Article ``i`` of a corpus is seed ``i % len(seeds)`` rewritten for *story* ``i // len(seeds)``:
every article of a story names the same invented people and the same (swapped) countries, so
the comparator sees clusters of related coverage, as in a real corpus, while different stories
mostly use different names. Each story also draws its own number words, weekdays and months,
and some articles get one extra private change (a number, weekday or month), which is what
makes articles of a story disagree.

Generation depends only on ``(seed, i)``: a corpus of 4N articles starts with the same N
articles as the corpus of N articles. Nothing here is timed by the benchmark.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"

# Real people in the seeds: the forms of their full name, then short forms (surname alone).
PEOPLE: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("Kim Jong Un", "Kim Jong-un", "Kim Jong-Un"), ("Kim",)),
    (("Vladimir Putin",), ("Putin",)),
    (("Sergei Shoigu", "Sergey Shoigu"), ("Shoigu",)),
    (("Adrienne Watson",), ("Watson",)),
    (("Jake Sullivan",), ("Sullivan",)),
    (("John Kirby",), ("Kirby",)),
    (("Dmitry Peskov",), ("Peskov",)),
    (("Keir Giles",), ("Giles",)),
    (("Andrei Lankov",), ("Lankov",)),
    (("Alexander Matsegora",), ("Matsegora",)),
    (("Cho Han-bum",), ("Cho",)),
    (("Park Won-gon",), ()),
    (("Kang Sun Nam",), ()),
    (("Recep Tayyip Erdogan",), ("Erdogan",)),
    (("Volodymyr Zelensky",), ("Zelensky",)),
    (("Yevgeny Prigozhin",), ("Prigozhin",)),
    (("Steve Rosenberg",), ("Rosenberg",)),
)
FIRST_NAMES = (
    "Alina Boris Carmen Dario Elena Farid Greta Hugo Irina Jonas Kaveh Lena Marek Nadia "
    "Oskar Petra Quentin Rosa Stefan Tamar Ulrich Vera Wiktor Yara Zoran Amir Bianca Caspar "
    "Dagny Emil"
).split()
_SURNAME_HEADS = "Bal Cor Dra Fen Gor Hal Ivar Jas Kel Lom Mar Nov Orl Pet Rask Sol Tor Vel".split()
_SURNAME_TAILS = "ani berg czyk dorf enko ford ic ides man ov ski vitz".split()
SURNAMES = tuple(head + tail for head in _SURNAME_HEADS for tail in _SURNAME_TAILS)

# (country, adjective, capital, second city); the first seven appear in the seeds. Later
# entries keep to names checker's lexicon knows, or to single words it ignores.
COUNTRIES: tuple[tuple[str, str, str, str], ...] = (
    ("Russia", "Russian", "Moscow", "Vladivostok"),
    ("North Korea", "North Korean", "Pyongyang", "Pyongyang"),
    ("Ukraine", "Ukrainian", "Kyiv", "Donetsk"),
    ("China", "Chinese", "Beijing", "Beijing"),
    ("Japan", "Japanese", "Tokyo", "Tokyo"),
    ("South Korea", "South Korean", "Seoul", "Seoul"),
    ("United States", "American", "Washington", "Washington"),
    ("Germany", "German", "Berlin", "Berlin"),
    ("France", "French", "Paris", "Paris"),
    ("Britain", "British", "London", "London"),
    ("India", "Indian", "Delhi", "Mumbai"),
    ("Iran", "Iranian", "Tehran", "Tehran"),
    ("Turkey", "Turkish", "Ankara", "Istanbul"),
    ("Poland", "Polish", "Warsaw", "Warsaw"),
    ("Belarus", "Belarusian", "Minsk", "Minsk"),
    ("Taiwan", "Taiwanese", "Taipei", "Taipei"),
    ("Syria", "Syrian", "Damascus", "Damascus"),
    ("Israel", "Israeli", "Jerusalem", "Jerusalem"),
)
_SEED_COUNTRIES = 7
# Other spellings of a seed country, replaced by the name of the country it becomes.
_COUNTRY_ALIASES = {"US": "United States", "U.S.": "United States"}

NUMBER_WORDS = "two three four five six seven eight nine ten".split()
WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
# "May" is left out as a source word: in running text it is mostly the verb.
MONTHS = (
    "January February March April May June July August September October November December"
).split()


@dataclass(frozen=True)
class Seed:
    id: str
    text: str
    published: dt.date
    source: str | None


@dataclass(frozen=True)
class SynthArticle:
    id: str
    text: str
    published: dt.date
    source: str | None


def story_of(article_id: str, n_seeds: int) -> int:
    """The story an article of a synthetic corpus belongs to (ids start with its index)."""
    return int(article_id.split("_", 1)[0]) // n_seeds


def load_seeds(seeds_dir: Path = SEEDS_DIR) -> list[Seed]:
    """The seed articles with their manifest metadata, sorted by id."""
    manifest: dict[str, dict[str, str]] = json.loads(
        (seeds_dir / "manifest.json").read_text(encoding="utf-8")
    )
    seeds = []
    for path in sorted(seeds_dir.glob("*.txt")):
        meta = manifest.get(path.stem, {})
        seeds.append(
            Seed(
                id=path.stem,
                text=path.read_text(encoding="utf-8"),
                published=dt.date.fromisoformat(meta.get("published", "2023-09-05")),
                source=meta.get("source"),
            )
        )
    if not seeds:
        raise SystemExit(f"no seed articles in {seeds_dir}")
    return seeds


def _replacer(mapping: Mapping[str, str]) -> Callable[[str], str]:
    """One pass over the text, longest source first, so replacements never chain."""
    if not mapping:
        return lambda text: text
    alternation = "|".join(re.escape(k) for k in sorted(mapping, key=lambda k: (-len(k), k)))
    # Not \b: "U.S." ends in a non-word character, and "U.S.-led" must still match.
    pattern = re.compile(rf"(?<!\w)(?:{alternation})(?!\w)")
    return lambda text: pattern.sub(lambda m: mapping[m.group()], text)


def _cased(mapping: Mapping[str, str]) -> dict[str, str]:
    """Add lower-case and capitalised forms of a word mapping."""
    out: dict[str, str] = {}
    for src, dst in mapping.items():
        out[src.lower()] = dst.lower()
        out[src.capitalize()] = dst.capitalize()
    return out


def _story_mapping(rng: random.Random) -> dict[str, str]:
    """Names, places, number words, weekdays and months for every article of one story."""
    mapping: dict[str, str] = {}
    surnames = rng.sample(SURNAMES, len(PEOPLE))
    for (full_forms, short_forms), surname in zip(PEOPLE, surnames, strict=True):
        full = f"{rng.choice(FIRST_NAMES)} {surname}"
        for form in full_forms:
            mapping[form] = full
        for form in short_forms:
            mapping[form] = surname
    targets = rng.sample(COUNTRIES, _SEED_COUNTRIES)
    for src, dst in zip(COUNTRIES[:_SEED_COUNTRIES], targets, strict=True):
        for s, d in zip(src, dst, strict=True):
            mapping.setdefault(s, d)
    for alias, country in _COUNTRY_ALIASES.items():
        mapping[alias] = mapping[country]
    if rng.random() < 0.5:
        shuffled = NUMBER_WORDS[:]
        rng.shuffle(shuffled)
        mapping.update(_cased(dict(zip(NUMBER_WORDS, shuffled, strict=True))))
    return mapping


def _private_change(rng: random.Random, text: str) -> str:
    """Change one number word, weekday or month in one article only."""
    kind = rng.choice(("number", "weekday", "month"))
    if kind == "number":
        words = [w for w in NUMBER_WORDS if re.search(rf"\b{w}\b", text)]
        pool = NUMBER_WORDS
    elif kind == "weekday":
        words = [w for w in WEEKDAYS if re.search(rf"\b{w}\b", text)]
        pool = WEEKDAYS
    else:
        words = [w for w in MONTHS if w != "May" and re.search(rf"\b{w}\b", text)]
        pool = MONTHS
    if not words:
        return text
    word = rng.choice(words)
    other = rng.choice([w for w in pool if w != word])
    hits = list(re.finditer(rf"\b{word}\b", text))
    hit = rng.choice(hits)
    return text[: hit.start()] + other + text[hit.end() :]


def _shuffle_lightly(rng: random.Random, text: str) -> str:
    """Swap up to two pairs of neighbouring paragraphs, never moving the lead."""
    trailing = text.endswith("\n")
    paragraphs = text.rstrip("\n").split("\n")
    if len(paragraphs) > 3:
        for _ in range(rng.randint(0, 2)):
            i = rng.randrange(1, len(paragraphs) - 1)
            paragraphs[i], paragraphs[i + 1] = paragraphs[i + 1], paragraphs[i]
    return "\n".join(paragraphs) + ("\n" if trailing else "")


def generate(
    n: int, seed: int = 0, seeds: list[Seed] | None = None, conflict_rate: float = 0.25
) -> Iterator[SynthArticle]:
    """The first `n` articles of the corpus for `seed`."""
    seeds = seeds if seeds is not None else load_seeds()
    story_rng: random.Random | None = None
    story_replace: Callable[[str], str] = lambda text: text  # noqa: E731
    weekday_shift = 0
    month_shift = 0
    day_offset = 0
    for i in range(n):
        story, slot = divmod(i, len(seeds))
        if slot == 0 or story_rng is None:
            story_rng = random.Random(f"{seed}:story:{story}")
            mapping = _story_mapping(story_rng)
            # Dates move with the weekdays, so "said Monday" stays consistent with the date.
            day_offset = story_rng.randint(-21, 21)
            weekday_shift = day_offset % 7
            month_shift = story_rng.choice((0, 0, 0, 1, -1))
            for k, day in enumerate(WEEKDAYS):
                mapping[day] = WEEKDAYS[(k + weekday_shift) % 7]
            if month_shift:
                for k, month in enumerate(MONTHS):
                    if month != "May":
                        mapping[month] = MONTHS[(k + month_shift) % 12]
            story_replace = _replacer(mapping)
        base = seeds[slot]
        rng = random.Random(f"{seed}:article:{i}")
        text = story_replace(base.text)
        if rng.random() < conflict_rate:
            text = _private_change(rng, text)
        text = _shuffle_lightly(rng, text)
        published = base.published + dt.timedelta(days=day_offset + rng.choice((0, 0, 0, 1)))
        yield SynthArticle(
            id=f"{i:06d}_{base.id.split('_', 1)[0]}",
            text=text,
            published=published,
            source=base.source,
        )


def write_corpus(
    out_dir: Path, n: int, seed: int = 0, seeds: list[Seed] | None = None
) -> list[SynthArticle]:
    """Write `n` articles as .txt files plus a manifest.json of their dates and sources."""
    out_dir.mkdir(parents=True, exist_ok=True)
    articles = list(generate(n, seed, seeds))
    manifest: dict[str, dict[str, str]] = {}
    for article in articles:
        (out_dir / f"{article.id}.txt").write_text(article.text, encoding="utf-8")
        meta = {"published": article.published.isoformat()}
        if article.source:
            meta["source"] = article.source
        manifest[article.id] = meta
    (out_dir / "manifest.json").write_text(
        json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    return articles
