"""The invariants the models enforce themselves."""

from __future__ import annotations

import pickle

import pytest
from pydantic import ValidationError

from checker.models import Article, Claim, Evidence, Extraction, Quantity, validator_of


def _article() -> Article:
    return Article(id="a", path="a.txt", text="Kim said on Monday that talks advance.")


def test_evidence_span_quotes_the_text() -> None:
    evidence = Evidence.span(_article(), 0, 3)
    assert (evidence.start, evidence.end, evidence.quote) == (0, 3, "Kim")


@pytest.mark.parametrize("end", [2, 4])
def test_evidence_whose_offsets_do_not_fit_its_quote_is_refused(end: int) -> None:
    with pytest.raises(ValidationError, match="do not match the quote length"):
        Evidence(article="a", start=0, end=end, quote="Kim")


def test_evidence_from_json_is_checked_too() -> None:
    with pytest.raises(ValidationError, match="do not match the quote length"):
        Evidence.model_validate_json('{"article": "a", "start": 5, "end": 6, "quote": "Kim"}')


def test_evidence_inside_a_claim_is_checked() -> None:
    raw = {"article": "a", "start": 0, "end": 9, "quote": "Kim"}
    with pytest.raises(ValidationError, match="do not match the quote length"):
        Claim.model_validate({"article": "a", "predicate": "say", "evidence": raw})


def test_negative_offsets_are_refused() -> None:
    with pytest.raises(ValidationError, match="greater than or equal to 0"):
        Evidence(article="a", start=-1, end=2, quote="Kim")


def test_span_outside_the_article_is_refused() -> None:
    with pytest.raises(ValueError, match="outside article a"):
        Evidence.span(_article(), 30, 60)


def test_validator_of_builds_what_the_model_does_with_the_same_checks() -> None:
    """`validator_of(Model)(fields)` is `Model(**fields)`: equal, the same fields set,
    and the same refusals."""
    evidence = Evidence.span(_article(), 0, 3)
    fields = {"article": "a", "subject": "Kim", "predicate": "say", "evidence": evidence}
    built = validator_of(Claim)(fields)
    assert type(built) is Claim
    assert built == Claim(**fields)
    assert built.model_fields_set == {"article", "subject", "predicate", "evidence"}
    with pytest.raises(ValidationError, match="do not match the quote length"):
        validator_of(Evidence)({"article": "a", "start": 0, "end": 9, "quote": "Kim"})
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        validator_of(Claim)({**fields, "nonsense": 1})


def test_models_come_back_from_pickle_equal_with_the_fields_they_were_given() -> None:
    """`_Model.__reduce_ex__`: equal, frozen, and the same fields set (exclude_unset)."""
    article = _article()
    evidence = Evidence.span(article, 0, 3)
    claim = Claim(
        article="a",
        subject="Kim",
        predicate="say",
        quantity=Quantity(text="three", value=3.0),
        evidence=evidence,
    )
    extraction = Extraction(article="a", extractor="rules", claims=(claim,))
    for model in (article, evidence, claim, extraction):
        back = pickle.loads(pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL))
        assert back == model and type(back) is type(model)
        assert back.model_dump(exclude_unset=True) == model.model_dump(exclude_unset=True)
        assert back.model_dump_json() == model.model_dump_json()
        assert hash(back) == hash(model)
        with pytest.raises(ValidationError, match="frozen"):
            back.article = "b"  # type: ignore[misc]
