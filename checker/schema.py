"""The contract with the model: the prompt it reads and the shape it must answer in.

The response models here are what instructor asks the model to fill. Their docstrings and
`Field(description=...)` texts are part of the prompt, so they say *how* to fill each slot
(copy surface text as written, never fix the article). They mirror `checker.models.Claim`
and `EntityMention` minus everything code computes: ids and evidence offsets.

Validation needs the article as instructor's validation context: ``article_text`` (the
chunk sent) and ``whole_article_text``. Every evidence sentence and direct quote must occur in
the article, or the whole answer is rejected and instructor re-asks with the reasons.
Typographic variants (curly versus straight quotes, dash kinds, runs of whitespace) are
tolerated when locating a sentence, but what is kept is always the article's own text.

`PROMPT_VERSION` and `SCHEMA_VERSION` are content hashes: they go into the cache key and
the report, so a changed prompt or schema is never served stale results.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, model_validator

from checker.models import Article, Claim, EntityMention, Evidence, Quantity

PROMPT_NAME = "extract_claims.md"
ARTICLE_VARIABLE = "article_text"
WHOLE_ARTICLE = "whole_article_text"  # names may be written outside a chunk
ARTICLE_OPEN = "<article>"
ARTICLE_CLOSE = "</article>"

# Characters a model commonly swaps for one another when it copies a sentence.
_EQUIVALENT = {
    "'": "'’‘`",
    "’": "'’‘`",
    "‘": "'’‘`",
    '"': '"“”',
    "“": '"“”',
    "”": '"“”',
    "-": "-–—",
    "–": "-–—",
    "—": "-–—",
}


def find_verbatim(text: str, quote: str, near: int = 0) -> tuple[int, int] | None:
    """Span of `quote` in `text` (the occurrence nearest `near`), or None.

    An exact match wins. Failing that, quotation marks, dashes and whitespace runs may
    differ (models normalise typography); the span returned is the text's own, so what is
    kept as evidence is still verbatim.
    """
    quote = quote.strip()
    if not quote:
        return None
    starts = [m.start() for m in re.finditer(re.escape(quote), text)]
    if starts:
        best = min(starts, key=lambda s: abs(s - near))
        return best, best + len(quote)
    spans = [m.span() for m in _tolerant_pattern(quote).finditer(text)]
    if not spans:
        return None
    return min(spans, key=lambda span: abs(span[0] - near))


def _tolerant_pattern(quote: str) -> re.Pattern[str]:
    parts: list[str] = []
    for token in re.findall(r"\s+|.", quote, flags=re.DOTALL):
        if token.isspace():
            parts.append(r"\s+")
        elif token in _EQUIVALENT:
            parts.append("[" + re.escape(_EQUIVALENT[token]) + "]")
        else:
            parts.append(re.escape(token))
    return re.compile("".join(parts))


class _Out(BaseModel):
    model_config = ConfigDict(extra="ignore")


class QuantityOut(_Out):
    """A number in the sentence, as written."""

    text: str = Field(
        description="The number phrase exactly as written: 'three entities', "
        "'more than four years', 'roughly 300 miles', '1 Million Tons'."
    )
    value: float = Field(description="Its value as a number: 3, 4, 300, 1000000.")
    unit: str | None = Field(
        default=None, description="What is counted, as written: 'entities', 'years', 'miles'."
    )
    qualifier: Literal["exact", "about", "more_than", "less_than", "at_least", "at_most"] = Field(
        default="exact",
        description="'more than four years' -> more_than, 'roughly 300' -> about; "
        "exact when the text gives none.",
    )


class ClaimOut(_Out):
    """One atomic statement or event of the article, in the article's own words."""

    evidence: str = Field(
        description="The source sentence, copied character for character from the article: "
        "same spelling, typos, quotation marks and punctuation. Never paraphrase or fix it."
    )
    predicate: str = Field(
        description="Lower-case verb lemma. Statements: 'say' (also for state, claim, tell), "
        "or 'deny', 'accuse', 'warn' when that is the verb. Events: 'visit', 'meet', "
        "'travel', 'join', 'sanction', 'impose', 'supply', 'discuss', 'test' ..."
    )
    subject: str | None = Field(
        default=None,
        description="Who or what acts, as written, even when it looks wrong "
        "('Russia and China' in 'Russia and China have joined China').",
    )
    object: str | None = Field(
        default=None,
        description="What or whom the verb acts on, as written ('China', 'Pyongyang').",
    )
    time: str | None = Field(
        default=None,
        description="The time expression as written: 'Monday', 'on Sept. 5', 'earlier on "
        "Tuesday', 'In November', 'last month', 'in July'. Never convert it to a date.",
    )
    place: str | None = Field(default=None, description="Where, as written: 'Vladivostok'.")
    quantity: QuantityOut | None = Field(
        default=None, description="The number the claim is about, if any."
    )
    speaker: str | None = Field(
        default=None,
        description="Who said or denied it, the name at its fullest in the sentence "
        "('Adrienne Watson', 'Jake Sullivan', 'The Kremlin', 'A US source'). Resolve "
        "'he'/'she' to the named person when the article makes it clear, else keep the pronoun.",
    )
    speech_verb: str | None = Field(
        default=None, description="Statements only: the speech verb as written ('said', 'warned')."
    )
    quote: str | None = Field(
        default=None,
        description="The exact words inside quotation marks, without the marks, if any.",
    )
    content: str | None = Field(
        default=None,
        description="What was said (reported speech) or done, as written in the sentence.",
    )
    polarity: Literal["affirmed", "denied"] = Field(
        default="affirmed",
        description="denied when the article itself negates the event ('did not', "
        "'has yet to', 'never'); a party's denial is a 'deny' statement instead.",
    )
    modality: Literal["asserted", "reported", "planned", "speculative"] = Field(
        default="asserted",
        description="reported: attributed to a source; planned: an intention or schedule "
        "('plans to', 'is set to', 'expects to'); speculative: may, could, likely, possibly; "
        "asserted: the article states it as fact.",
    )


class MentionOut(_Out):
    """A person, organisation or place mention, with its titles and gender cues."""

    evidence: str = Field(
        description="The sentence of the mention, copied character for character."
    )
    text: str = Field(
        description="The name as written ('Kim Jong-un', 'Mr. Kim', 'Adrienne Watson'). For a "
        "pronoun, the name of the person it refers to, as written elsewhere in the article."
    )
    kind: Literal["person", "organization", "place", "other"]
    descriptors: list[str] = Field(
        default_factory=list,
        description="Titles and roles attached to this mention, as written: 'spokeswoman', "
        "'Gen.', 'National Security Council spokeswoman', 'Russian Defense Minister'.",
    )
    gender: Literal["female", "male"] | None = Field(
        default=None,
        description="The gender a word in this sentence assigns the person: 'spokeswoman', "
        "'Mr.', 'she', 'his' ... Leave empty when no word does.",
    )
    cue: str | None = Field(
        default=None,
        description="The gendered word exactly as written in the evidence ('spokeswoman', "
        "'His', 'her', 'Mr.'). Give one mention per gendered word.",
    )


class ArticleClaims(_Out):
    """Every attributed statement, key event and entity mention of one news article.

    Copy surface text exactly as written; another program judges and compares.
    """

    claims: list[ClaimOut] = Field(
        description="Attributed statements and key events, in article order."
    )
    mentions: list[MentionOut] = Field(
        description="People, organisations and places, one per gendered word or title."
    )

    @model_validator(mode="after")
    def _copied_from_the_article(self, info: ValidationInfo) -> ArticleClaims:
        context = info.context if isinstance(info.context, dict) else {}
        text = context.get(ARTICLE_VARIABLE)
        if not isinstance(text, str):
            raise ValueError("validation needs the article text as context")
        whole = context.get(WHOLE_ARTICLE)
        problems = check_against(self, text, whole if isinstance(whole, str) else text)
        if problems:
            listed = "\n".join(f"- {p}" for p in problems[:20])
            raise ValueError(
                "Some items are not copied from the article. Copy every evidence sentence "
                "and quote character for character from the text between <article> and "
                "</article>, or leave the item out:\n" + listed
            )
        return self


def check_against(answer: ArticleClaims, text: str, whole: str | None = None) -> list[str]:
    """Reasons why `answer` is not faithful to `text` (empty when it is).

    Evidence and quotes must be in `text` (the chunk sent); a mention's name may be written
    anywhere in `whole` (the article), as a pronoun's antecedent often is.
    """
    problems: list[str] = []
    for i, claim in enumerate(answer.claims):
        if find_verbatim(text, claim.evidence) is None:
            problems.append(f"claims[{i}].evidence is not in the article: {claim.evidence!r}")
        if claim.quote and find_verbatim(text, claim.quote) is None:
            problems.append(f"claims[{i}].quote is not in the article: {claim.quote!r}")
    for i, mention in enumerate(answer.mentions):
        if find_verbatim(text, mention.evidence) is None:
            problems.append(f"mentions[{i}].evidence is not in the article: {mention.evidence!r}")
        if find_verbatim(whole or text, mention.text) is None:
            problems.append(f"mentions[{i}].text is not in the article: {mention.text!r}")
        if mention.cue and mention.cue.casefold() not in mention.evidence.casefold():
            problems.append(f"mentions[{i}].cue {mention.cue!r} is not in its evidence sentence")
    return problems


@dataclass(frozen=True)
class Chunk:
    """A slice of an article sent in one request; `start` maps its offsets back."""

    start: int
    text: str


def to_extraction_parts(
    article: Article, chunk: Chunk, answer: ArticleClaims
) -> tuple[list[Claim], list[EntityMention]]:
    """Turn a validated answer into checker's models, with offsets computed here."""
    claims: list[Claim] = []
    for item in answer.claims:
        evidence = _evidence(article, chunk, item.evidence)
        if evidence is None:
            continue
        quote = item.quote
        if quote:
            span = find_verbatim(article.text, quote, near=evidence.start)
            quote = article.text[span[0] : span[1]] if span else quote
        claims.append(
            Claim(
                article=article.id,
                subject=item.subject,
                predicate=item.predicate.strip().lower(),
                object=item.object,
                time=item.time,
                place=item.place,
                quantity=_quantity(item.quantity),
                speaker=item.speaker,
                speech_verb=item.speech_verb,
                quote=quote,
                content=item.content,
                polarity=item.polarity,
                modality=item.modality,
                evidence=evidence,
            )
        )
    mentions: list[EntityMention] = []
    for mention in answer.mentions:
        evidence = _evidence(article, chunk, mention.evidence)
        if evidence is None:
            continue
        mentions.append(
            EntityMention(
                article=article.id,
                text=mention.text,
                kind=mention.kind,
                descriptors=tuple(mention.descriptors),
                gender=mention.gender,
                cue=mention.cue,
                evidence=evidence,
            )
        )
    return claims, mentions


def _evidence(article: Article, chunk: Chunk, sentence: str) -> Evidence | None:
    span = find_verbatim(chunk.text, sentence)
    if span is None:
        return None
    return Evidence.span(article, chunk.start + span[0], chunk.start + span[1])


def _quantity(item: QuantityOut | None) -> Quantity | None:
    if item is None:
        return None
    return Quantity(text=item.text, value=item.value, unit=item.unit, qualifier=item.qualifier)


# --- the prompt -------------------------------------------------------------------------

_ROLE_MARKER = re.compile(r"^<!-- role: (system|user) -->[ \t]*$", flags=re.MULTILINE)


@dataclass(frozen=True)
class Prompt:
    """The prompt file split into chat messages; `version` is its content hash."""

    system: str
    user: str
    version: str

    def messages(self) -> list[dict[str, str]]:
        """Chat messages; the user one holds the article only as a template variable."""
        return [
            {"role": "system", "content": self.system},
            {"role": "user", "content": self.user},
        ]


def _prompt_bytes(name: str = PROMPT_NAME) -> bytes:
    """The prompt file: packaged in checker/prompts in a wheel, else the repo's prompts/."""
    packaged = resources.files("checker").joinpath("prompts", name)
    if packaged.is_file():
        return packaged.read_bytes()
    return (Path(__file__).resolve().parent.parent / "prompts" / name).read_bytes()


def parse_prompt(data: bytes) -> Prompt:
    """Split a prompt file at its `<!-- role: ... -->` markers."""
    text = data.decode("utf-8")
    parts = _ROLE_MARKER.split(text)
    roles = dict(zip(parts[1::2], (p.strip() for p in parts[2::2]), strict=True))
    if set(roles) != {"system", "user"}:
        raise ValueError("the prompt needs one system and one user section")
    variable = "{{ " + ARTICLE_VARIABLE + " }}"
    if roles["user"].count(variable) != 1 or variable in roles["system"]:
        raise ValueError(f"the user section must hold {variable} exactly once")
    for role, body in roles.items():
        rest = body.replace(variable, "")
        if any(token in rest for token in ("{{", "{%", "{#")):
            raise ValueError(f"the {role} section has template syntax besides {variable}")
    version = hashlib.sha256(data).hexdigest()[:12]
    return Prompt(system=roles["system"], user=roles["user"], version=version)


def load_prompt() -> Prompt:
    return parse_prompt(_prompt_bytes())


def schema_hash(model: type[BaseModel] = ArticleClaims) -> str:
    """Content hash of the JSON schema the model is asked to fill."""
    schema: dict[str, Any] = model.model_json_schema()
    canonical = json.dumps(schema, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12]


PROMPT = load_prompt()
PROMPT_VERSION = PROMPT.version
SCHEMA_VERSION = schema_hash()
