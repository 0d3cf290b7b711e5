"""The data that flows through checker, one model per noun.

corpus files -> Article -> Extraction (Claim[] + EntityMention[]) -> Flag[] -> Report

Everything an editor may be shown carries an `Evidence`: a verbatim quote of the article
and the character offsets of that quote, computed by code (`Evidence.locate`), never taken
on trust from an extractor. `quote == article.text[start:end]` always holds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Any, Literal, SupportsIndex, TypeVar, cast

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

SCHEMA_VERSION = "1"

Polarity = Literal["affirmed", "denied"]
Modality = Literal["asserted", "reported", "planned", "speculative"]
Qualifier = Literal["exact", "about", "more_than", "less_than", "at_least", "at_most"]
EntityKind = Literal["person", "organization", "place", "other"]
Gender = Literal["female", "male"]
Severity = Literal["high", "medium", "low"]
# How sure checker is that a flag is a real conflict and not an artefact of reading or
# matching; independent of severity (how bad it would be). See README, "Confidence".
Confidence = Literal["high", "medium", "low"]
FlagKind = Literal[
    "self_reference",  # "Russia and China have joined China"
    "date",  # the same event dated differently by two articles
    "date_sanity",  # a past event dated after publication, an ambiguous month
    "attribution",  # the same quoted words given to different speakers
    "pronoun_gender",  # "spokeswoman Adrienne Watson ... His comments"
    "number",  # three entities in one article, five in another
    "place",  # the same meeting in two different cities
    "polarity",  # X happened / X did not happen, unattributed
    "disputed",  # the sources disagree (a denial against an accusation): news, not error
    "garble",  # unbalanced quotation marks and other mangled text
    "title",  # "Defense Minister Sergei Shoigu" ... "Foreign Minister Shoigu", one article
]
PublishedOrigin = Literal["front_matter", "jsonl", "manifest", "inferred", "none"]
ReviewStatus = Literal["new", "unchanged", "confirmed", "dismissed"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    def __reduce_ex__(self, protocol: SupportsIndex) -> tuple[Any, ...]:
        """Pickle as the instance's own attributes, rebuilt by `_rebuilt`: a third less
        CPU to pickle than pydantic's `__getstate__` (which builds a state dict per
        model; the spool and worker processes pickle ~160 models per article)."""
        return (
            _rebuilt,
            (
                type(self),
                self.__dict__,
                self.__pydantic_fields_set__,
                self.__pydantic_extra__,
                self.__pydantic_private__,
            ),
        )


def _rebuilt(
    cls: type[_Model],
    values: dict[str, Any],
    fields_set: set[str],
    extra: dict[str, Any] | None,
    private: dict[str, Any] | None,
) -> _Model:
    """A model as `_Model.__reduce_ex__` pickled it (not validated again: it was)."""
    model = cls.__new__(cls)
    _set = object.__setattr__
    _set(model, "__dict__", values)
    _set(model, "__pydantic_fields_set__", fields_set)
    _set(model, "__pydantic_extra__", extra)
    _set(model, "__pydantic_private__", private)
    return model


def content_hash(text: str) -> str:
    """SHA-256 of the article text: the identity of its content for caches and flags."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Article(_Model):
    """One article of the corpus, with the metadata that anchors its relative dates."""

    id: str
    path: str
    text: str
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published: dt.date | None = None
    published_origin: PublishedOrigin = "none"
    published_note: str | None = Field(
        default=None, description="How an inferred publication date was found."
    )

    @property
    def content_hash(self) -> str:
        return content_hash(self.text)


class Evidence(_Model):
    """A verbatim span of one article: what an editor reads to check a flag."""

    article: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    quote: str

    # A validator of the last field rather than of the model: pydantic runs a model's
    # "after" validator again whenever a validated Evidence is put in a Claim or a
    # mention (~90,000 times per 1,000 articles), a field's only when it is validated.
    @field_validator("quote")
    @classmethod
    def _span_matches_quote(cls, quote: str, info: ValidationInfo) -> str:
        start, end = info.data.get("start"), info.data.get("end")
        if start is not None and end is not None and end - start != len(quote):
            raise ValueError("evidence offsets do not match the quote length")
        return quote

    @classmethod
    def span(cls, article: Article, start: int, end: int) -> Evidence:
        """Evidence for `article.text[start:end]`."""
        if not 0 <= start <= end <= len(article.text):
            raise ValueError(f"span {start}:{end} outside article {article.id}")
        # The validator called directly: what `cls(...)` runs, without `BaseModel.__init__`.
        fields = {
            "article": article.id,
            "start": start,
            "end": end,
            "quote": article.text[start:end],
        }
        validate = _new_evidence if cls is Evidence else validator_of(cls)
        evidence: Evidence = validate(fields)
        return evidence

    @classmethod
    def locate(cls, article: Article, quote: str, near: int = 0) -> Evidence | None:
        """Find `quote` verbatim in the article (the occurrence nearest `near`).

        Returns None when the quote is not in the text: such a claim must never reach
        an editor.
        """
        if not quote:
            return None
        best: int | None = None
        pos = article.text.find(quote)
        while pos != -1:
            if best is None or abs(pos - near) < abs(best - near):
                best = pos
            pos = article.text.find(quote, pos + 1)
        if best is None:
            return None
        return cls.span(article, best, best + len(quote))


_M = TypeVar("_M", bound=BaseModel)


def validator_of(model: type[_M]) -> Callable[[dict[str, Any]], _M]:
    """`model`'s own validator, called with the fields as a dict: what `model(**fields)`
    runs, the same checks, without the Python-level `BaseModel.__init__` around it (a
    third of the cost of a small model). Taken once, for a model built in a hot loop:
    reading an attribute of a model class goes through pydantic's metaclass
    `__getattr__` (~1,400 instructions). Fields left at their defaults can be left out:
    pydantic does not validate a default, and `model_fields_set` holds the fields given,
    as with `model(**fields)`."""
    return cast(Callable[[dict[str, Any]], _M], model.__pydantic_validator__.validate_python)


_new_evidence = validator_of(Evidence)


class Quantity(_Model):
    """A number as written, with its unit and qualifier ("more than four years")."""

    text: str = Field(description="The number phrase exactly as written.")
    value: float
    unit: str | None = None
    qualifier: Qualifier = "exact"


class Claim(_Model):
    """One atomic statement of an article, with typed slots and its evidence.

    Slots hold surface text as written; resolving it (dates, aliases, numbers) is the
    normalizers' job, so any extractor can fill a claim.
    """

    article: str
    subject: str | None = Field(default=None, description="Who or what the claim is about.")
    predicate: str = Field(description="The relation, a lower-case verb lemma: say, visit ...")
    object: str | None = None
    time: str | None = Field(default=None, description="Time expression as written.")
    place: str | None = None
    quantity: Quantity | None = None
    speaker: str | None = Field(default=None, description="Who said it, as written.")
    speech_verb: str | None = None
    quote: str | None = Field(default=None, description="Directly quoted words, if any.")
    content: str | None = Field(
        default=None, description="What was said or done, as written (reported speech)."
    )
    polarity: Polarity = "affirmed"
    modality: Modality = "asserted"
    evidence: Evidence


class EntityMention(_Model):
    """A mention of a person, organisation or place, with descriptors that can conflict."""

    article: str
    text: str = Field(description="The name as written: 'Kim Jong-un', 'Mr. Kim'.")
    kind: EntityKind
    descriptors: tuple[str, ...] = Field(
        default=(), description="Titles and roles as written: 'spokeswoman', 'Gen.'."
    )
    gender: Gender | None = Field(
        default=None, description="Gender a gendered word or pronoun assigns here."
    )
    cue: str | None = Field(default=None, description="The word that assigns the gender.")
    evidence: Evidence


class Extraction(_Model):
    """What one extractor made of one article."""

    article: str
    extractor: str = Field(description="'rules', 'replay' or 'llm:<model>'.")
    status: Literal["ok", "extraction_failed"] = "ok"
    reason: str | None = None
    claims: tuple[Claim, ...] = ()
    mentions: tuple[EntityMention, ...] = ()


class Flag(_Model):
    """A conflict for an editor: what kind, how bad, why, and the evidence."""

    id: str = Field(description="Stable fingerprint of kind + evidence quotes.")
    kind: FlagKind
    severity: Severity
    summary: str
    evidence: tuple[Evidence, ...]
    articles: tuple[str, ...]
    confidence: Confidence | None = Field(
        default=None,
        description="How sure checker is that the conflict is real; not part of the id. "
        "None only in reports written before confidence was graded.",
    )
    confidence_note: str | None = Field(
        default=None, description="Why the confidence is not high: the doubts found."
    )
    story: str | None = Field(
        default=None, description="The story the flag belongs to; not part of its id."
    )
    merged: int = Field(
        default=1, description="How many findings about this one conflict were merged."
    )
    review: ReviewStatus | None = Field(
        default=None,
        description="Editor triage in a run directory (checker.review); None outside one.",
    )
    review_note: str | None = None


class Story(_Model):
    """Articles about one news story: claims are only ever compared within a story."""

    id: str = Field(description="A hash of the sorted member ids.")
    articles: tuple[str, ...]
    entities: tuple[str, ...] = Field(
        default=(), description="The story's most shared distinctive entities, for a label."
    )


class Problem(_Model):
    """Input checker could not use, named so the user can fix it."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class ArticleSummary(_Model):
    id: str
    path: str
    title: str | None
    source: str | None
    url: str | None
    published: dt.date | None
    published_origin: PublishedOrigin
    published_note: str | None
    extractor: str
    status: Literal["ok", "extraction_failed"]
    reason: str | None
    claims: int
    mentions: int


class Report(_Model):
    """The stable JSON contract other tools read (see README, 'JSON report')."""

    schema_version: str = SCHEMA_VERSION
    extractor: str
    articles: tuple[ArticleSummary, ...]
    flags: tuple[Flag, ...]
    problems: tuple[Problem, ...] = ()
    stories: tuple[Story, ...] = ()
