"""The built-in rule extractor: who said what and when, events, names and gender cues.

Every test runs the extractor on real news sentences (most from the seed cluster) and checks
the slots an editor relies on; the last ones hold it to the evidence contract on the seeds.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker import lexicon as lx
from checker import rules
from checker.corpus import load_corpus
from checker.models import Article, Claim, EntityMention, Evidence, Extraction
from checker.rules import RuleExtractor
from checker.text import sentence_spans

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
PUBLISHED = date(2023, 9, 5)
PRONOUNS = {"he", "him", "his", "himself", "she", "her", "hers", "herself"}


def article(text: str, aid: str = "a") -> Article:
    return Article(id=aid, path=f"{aid}.txt", text=text, published=PUBLISHED)


def extract(text: str) -> Extraction:
    return RuleExtractor().extract(article(text))


def claims_where(extraction: Extraction, **slots: Any) -> list[Claim]:
    return [c for c in extraction.claims if all(getattr(c, k) == v for k, v in slots.items())]


def one_claim(extraction: Extraction, **slots: Any) -> Claim:
    found = claims_where(extraction, **slots)
    assert len(found) == 1, (slots, extraction.claims)
    return found[0]


def pronoun_mentions(extraction: Extraction) -> list[EntityMention]:
    return [m for m in extraction.mentions if m.cue is not None and m.cue.lower() in PRONOUNS]


# -- speech: who said it, when, and what --------------------------------------------------

SPEECH = [
    pytest.param(
        "US National Security Council spokeswoman Adrienne Watson said Monday that arms talks "
        "between Russia and North Korea were making active progress.",
        {"speaker": "Adrienne Watson", "time": "Monday", "quote": None},
        "arms talks",
        id="title-name-said-weekday-that",
    ),
    pytest.param(
        "On Sept. 5, White House spokesman John Kirby said talks between Russia and North Korea "
        "about potential weapons transfers were “actively advancing.”",
        {"speaker": "John Kirby", "quote": "actively advancing"},
        "weapons transfers",
        id="opening-date-and-quote",
    ),
    pytest.param(
        "The Kremlin said Tuesday it had “nothing to say” about US officials’ claims that North "
        "Korean leader Kim Jong Un plans to travel to Russia this month.",
        {"time": "Tuesday", "quote": "nothing to say"},
        "nothing to say",
        id="organisation-speaker",
    ),
    pytest.param(
        "Russian Defense Minister Sergei Shoigu, who visited Pyongyang in July for an exhibition "
        "of weapons, said Monday that the two countries were discussing the possibility of joint "
        "military exercises.",
        {"speaker": "Sergei Shoigu", "time": "Monday"},
        "joint military exercises",
        id="time-of-speech-not-of-the-relative-clause",
    ),
    pytest.param(
        "Sergei Shoigu, the defence minister of Russia, claimed on Monday that his country and "
        "North Korea are talking about conducting joint military drills.",
        {"speaker": "Sergei Shoigu", "time": "on Monday"},
        "joint military drills",
        id="appositive-between-speaker-and-verb",
    ),
    pytest.param(
        "When asked about the claims on Sept. 5, Kremlin spokesman Dmitry Peskov said, “We have "
        "nothing to tell you.”",
        {"speaker": "Dmitry Peskov", "time": "on Sept. 5", "quote": "We have nothing to tell you"},
        "nothing to tell you",
        id="said-comma-quote",
    ),
    pytest.param(
        "“We have nothing to tell you,” Kremlin spokesman Dmitry Peskov said.",
        {"speaker": "Dmitry Peskov", "quote": "We have nothing to tell you"},
        "nothing to tell you",
        id="quote-first",
    ),
    pytest.param(
        "Kim may want to stress Russia’s sense of support, and may seek a deal on arms sales, aid "
        "and sending workers to Russia, said Andrei Lankov, a North Korea expert at Seoul’s "
        "Kookmin University.",
        {"speaker": "Andrei Lankov", "time": None},
        "may seek a deal on arms sales",
        id="inverted-said-name",
    ),
    pytest.param(
        "“Just as you can tell a person from their friends, you can tell a country by the "
        "friendships they have,” says Keir Giles, Senior Consulting Fellow in the Russia & "
        "Eurasia Program at Chatham House.",
        {"speaker": "Keir Giles"},
        "tell a country by the friendships",
        id="inverted-quote-says-name",
    ),
]


@pytest.mark.parametrize(("text", "slots", "content"), SPEECH)
def test_one_attributed_statement_with_speaker_time_and_content(
    text: str, slots: dict[str, Any], content: str
) -> None:
    extraction = extract(text)
    statements = [c for c in extraction.claims if c.modality == "reported"]
    assert len(statements) == 1, extraction.claims
    claim = statements[0]
    assert claim.predicate == "say"
    for key, value in slots.items():
        assert getattr(claim, key) == value, key
    assert claim.content is not None and content in claim.content


def test_kirby_time_of_speech_contains_the_date() -> None:
    claim = one_claim(
        extract(
            "On Sept. 5, White House spokesman John Kirby said talks between Russia and North "
            "Korea about potential weapons transfers were “actively advancing.”"
        ),
        predicate="say",
    )
    assert claim.time is not None and "Sept. 5" in claim.time
    assert claim.speech_verb == "said"


def test_kremlin_is_the_speaker_of_nothing_to_say() -> None:
    claim = one_claim(
        extract(
            "The Kremlin said Tuesday it had “nothing to say” about US officials’ claims that "
            "North Korean leader Kim Jong Un plans to travel to Russia this month."
        ),
        predicate="say",
    )
    assert claim.speaker is not None and "Kremlin" in claim.speaker
    assert claim.subject == claim.speaker


@pytest.mark.parametrize(
    ("text", "speaker", "content"),
    [
        (
            "US national security advisor Jake Sullivan spoke at the White House.\n"
            "According to Sullivan, the talks will continue.",
            "Jake Sullivan",
            "the talks will continue",
        ),
        (
            "Jake Sullivan spoke at the White House.\n"
            "Moscow is now “looking to whatever source they can find” for ammunition, according to Sullivan.",
            "Jake Sullivan",
            "looking to whatever source they can find",
        ),
        (
            "According to The New York Times, Kim Jong Un may visit Russia next week.",
            "New York Times",
            "Kim Jong Un may visit Russia next week",
        ),
    ],
)
def test_according_to_names_the_source(text: str, speaker: str, content: str) -> None:
    claim = one_claim(extract(text), speech_verb="according to")
    assert claim.speaker == speaker
    assert claim.predicate == "say" and claim.modality == "reported"
    assert claim.content is not None and content in claim.content


def test_according_to_a_full_name_seen_later_in_the_article_still_resolves() -> None:
    text = (
        "According to Sullivan, the talks will continue.\n"
        "US national security advisor Jake Sullivan spoke at the White House."
    )
    assert one_claim(extract(text), speech_verb="according to").speaker == "Jake Sullivan"


def test_ambiguous_short_name_is_not_guessed() -> None:
    text = "Kim Jong Un met his sister Kim Yo Jong.\nAccording to Kim, the talks will continue."
    claim = one_claim(extract(text), speech_verb="according to")
    assert claim.speaker not in {"Kim Jong Un", "Kim Yo Jong"}


@pytest.mark.parametrize(
    ("text", "speaker", "quote"),
    [
        (
            "On the same day, U.S. National Security Adviser Jake Sullivan warned Pyongyang that it "
            "would “pay a price” if it supplied Russia with weapons.\n"
            "Such a move, he told reporters, “is not going to reflect well on North Korea, and they "
            "[Pyongyang] will pay a price for this in the international community.”",
            "Jake Sullivan",
            "is not going to reflect well on North Korea",
        ),
        (
            "Sergei Shoigu visited Pyongyang in July.\n“We are friends,” he told reporters.",
            "Sergei Shoigu",
            "We are friends",
        ),
        (
            "Adrienne Watson said Monday that talks were advancing.\n"
            "“We have information that Kim expects these discussions to continue,” she added.",
            "Adrienne Watson",
            "We have information that Kim expects these discussions to continue",
        ),
    ],
)
def test_pronoun_speaker_resolves_to_the_person_of_the_previous_sentence(
    text: str, speaker: str, quote: str
) -> None:
    second_line = text.index("\n") + 1
    claims = [c for c in extract(text).claims if c.evidence.start >= second_line]
    said = [c for c in claims if c.modality == "reported"]
    assert len(said) == 1
    assert said[0].speaker == speaker
    assert said[0].quote is not None and said[0].quote.startswith(quote)


def test_pronoun_speaker_without_a_person_before_it_is_left_unresolved() -> None:
    text = (
        "Kim Jong Un met officials.\n"
        "An official at the ministry said developments were worrying.\n"
        "“Cooperation must respect international norms,” he told reporters."
    )
    claim = one_claim(extract(text), speech_verb="told")
    assert claim.speaker != "Kim Jong Un"
    assert claim.quote == "Cooperation must respect international norms"


@pytest.mark.parametrize(
    ("text", "predicate", "polarity"),
    [
        (
            "Moscow and Pyongyang have denied previous US accusations that North Korea has "
            "provided weapons to Russia.",
            "deny",
            "denied",
        ),
        (
            "In mid-August, Gen. Shoigu said military cooperation between Russia and North Korea "
            "did not pose a threat to any third countries.",
            "say",
            "denied",
        ),
        (
            "A US source stated on Tuesday that arms talks between Russia and North Korea are "
            "actively progressing.",
            "say",
            "affirmed",
        ),
    ],
)
def test_denials_are_marked_denied(text: str, predicate: str, polarity: str) -> None:
    claim = one_claim(extract(text), modality="reported")
    assert claim.predicate == predicate
    assert claim.polarity == polarity


def test_words_inside_a_quotation_are_not_speech_verbs() -> None:
    text = "Kremlin spokesman Dmitry Peskov said, “Some said it would happen; they told us so.”"
    claims = extract(text).claims
    assert [(c.speaker, c.speech_verb) for c in claims] == [("Dmitry Peskov", "said")]
    assert claims[0].quote == "Some said it would happen; they told us so"


# -- events -------------------------------------------------------------------------------


def test_self_reference_is_copied_as_written() -> None:
    text = (
        "Russia and China have joined China in opposing further sanctions against North Korea, "
        "thwarting an initiative by the US."
    )
    claim = one_claim(extract(text), predicate="join")
    assert claim.subject == "Russia and China"
    assert claim.object == "China"
    assert claim.modality == "asserted" and claim.polarity == "affirmed"


@pytest.mark.parametrize(
    ("text", "subject", "time", "value", "unit"),
    [
        (
            "In August, the United States imposed sanctions on three entities that it claimed were "
            "connected to arms deals between North Korea and Russia.",
            "the United States",
            "In August",
            3,
            "entities",
        ),
        (
            "The United States recently imposed sanctions on three entities it accuses of being "
            "link to an arms deal between North Korea and Russia.",
            "The United States",
            "recently",
            3,
            "entities",
        ),
        (
            "In August, the US imposed sanctions on three organisations it claimed were involved "
            "in military transfers between Russia and North Korea.",
            "the US",
            "In August",
            3,
            "organisations",
        ),
        (
            "In August, the United States imposed sanctions on five entities.",
            "the United States",
            "In August",
            5,
            "entities",
        ),
    ],
)
def test_sanctions_with_their_target_count(
    text: str, subject: str, time: str, value: float, unit: str
) -> None:
    claim = one_claim(extract(text), predicate="sanction")
    assert claim.subject == subject
    assert claim.time == time
    assert claim.quantity is not None
    assert claim.quantity.value == value
    assert claim.quantity.unit == unit
    assert claim.object is not None and claim.object.endswith(unit)


@pytest.mark.parametrize(
    ("text", "slots"),
    [
        (
            "In late July, Russian Defense Minister Sergey Shoigu visited Pyongyang, where he "
            "attended a ceremony.",
            {
                "predicate": "visit",
                "subject": "Sergey Shoigu",
                "place": "Pyongyang",
                "time": "In late July",
            },
        ),
        (
            "North Korean leader Kim Jong Un plans to travel to Russia.",
            {
                "predicate": "travel",
                "subject": "Kim Jong Un",
                "place": "Russia",
                "modality": "planned",
            },
        ),
        (
            "In 2019, Mr. Kim traveled by train to Vladivostok.",
            {"predicate": "travel", "subject": "Kim", "place": "Vladivostok", "time": "In 2019"},
        ),
        (
            "In May 2022, China and Russia vetoed a U.S.-led push at the UN Security Council.",
            {"predicate": "veto", "subject": "China and Russia", "time": "In May 2022"},
        ),
    ],
)
def test_events_with_actor_place_time_and_modality(text: str, slots: dict[str, Any]) -> None:
    assert len(claims_where(extract(text), **slots)) == 1


def test_a_meeting_is_placed_by_in_or_at_not_by_a_later_to() -> None:
    later_to = extract(
        "Kim Jong Un plans to travel to Russia this month to meet President Vladimir Putin and "
        "discuss weapons supplies to Moscow for an attack on Ukraine."
    )
    assert one_claim(later_to, predicate="meet").place is None
    assert one_claim(later_to, predicate="travel").place == "Russia"
    placed = extract("Kim Jong Un will meet Vladimir Putin in Vladivostok later this month.")
    assert one_claim(placed, predicate="meet").place == "Vladivostok"


def test_statement_and_event_in_one_sentence_keep_their_own_times() -> None:
    text = (
        "Russian Defense Minister Sergei Shoigu, who visited Pyongyang in July, said Monday that "
        "the two countries were discussing joint exercises."
    )
    extraction = extract(text)
    assert one_claim(extraction, predicate="say").time == "Monday"
    assert one_claim(extraction, predicate="visit").time == "in July"


@pytest.mark.parametrize(
    "text",
    [
        "The trip will be Kim’s first overseas visit in more than four years.",
        "It was the first known visit to North Korea by a Russian defense minister.",
    ],
)
def test_nouns_that_look_like_verbs_are_not_events(text: str) -> None:
    assert claims_where(extract(text), predicate="visit") == []


# -- names --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "North Korean leader Kim Jong Un plans to travel to Russia.",
        "Kim Jong Un addressed UN officials in Pyongyang.",
        "Kim Jong Un met Vladimir Putin.",
    ],
)
def test_kim_jong_un_is_a_person_not_the_un(text: str) -> None:
    mentions = extract(text).mentions
    kim = [m for m in mentions if "Kim" in m.text]
    assert kim and all(m.kind == "person" and m.text == "Kim Jong Un" for m in kim)
    organisations = {m.text for m in mentions if m.kind == "organization"}
    assert not any("Un" in name.split() or "Kim" in name for name in organisations)


def test_un_itself_is_an_organisation() -> None:
    mentions = extract("Kim Jong Un addressed UN officials in Pyongyang.").mentions
    assert [m.kind for m in mentions if m.text == "UN"] == ["organization"]


def test_short_form_resolves_to_the_full_name_in_the_article() -> None:
    text = "North Korean leader Kim Jong Un plans to travel.\nMr. Kim would take an armored train."
    second = [m for m in extract(text).mentions if m.evidence.start > text.index("\n")]
    assert [m.text for m in second if m.kind == "person"] == ["Kim Jong Un"]


# -- gender cues --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "descriptor"),
    [
        ("Defense Minister Sergei Shoigu visited Pyongyang.", "Defense Minister"),
        ("But Defence Minister Sergei Shoigu left early.", "Defence Minister"),
        ("Foreign Minister Sergei Lavrov spoke.", "Foreign Minister"),
        ("Russian Defense Minister Sergei Shoigu spoke.", "Russian Defense Minister"),
        ("But President Vladimir Putin spoke.", "President"),  # "But" is no portfolio
    ],
)
def test_a_title_keeps_its_portfolio_at_the_start_of_a_sentence(text: str, descriptor: str) -> None:
    people = [m for m in extract(text).mentions if m.kind == "person"]
    assert [m.descriptors for m in people] == [(descriptor,)]


def test_spokeswoman_then_his_gives_two_genders_for_watson() -> None:
    text = (
        "US National Security Council spokeswoman Adrienne Watson said Monday that arms talks "
        "between Russia and North Korea were making active progress.\n"
        "His comments came after the New York Times quoted unnamed US officials."
    )
    watson = {
        (m.gender, m.cue)
        for m in extract(text).mentions
        if m.text == "Adrienne Watson" and m.gender is not None
    }
    assert watson == {("female", "spokeswoman"), ("male", "His")}


@pytest.mark.parametrize(
    ("text", "name", "gender", "cue"),
    [
        (
            "Kremlin spokesman Dmitry Peskov declined to comment.",
            "Dmitry Peskov",
            "male",
            "spokesman",
        ),
        ("NSC spokeswoman Adrienne Watson said so.", "Adrienne Watson", "female", "spokeswoman"),
        ("Mr. Kirby has hinted at fresh sanctions.", "Kirby", "male", "Mr"),
        ("Mrs. Jane Doe said Monday that the plan was sound.", "Jane Doe", "female", "Mrs"),
        (
            "Adrienne Watson said talks were advancing.\nShe added that a summit was likely.",
            "Adrienne Watson",
            "female",
            "She",
        ),
        (
            "News of the meeting between Kim Jong Un and Vladimir Putin came as Volodymyr "
            "Zelensky said he had visited the front.",
            "Volodymyr Zelensky",
            "male",
            "he",
        ),
    ],
)
def test_gender_cues(text: str, name: str, gender: str, cue: str) -> None:
    cued = {(m.text, m.gender, m.cue) for m in extract(text).mentions if m.gender is not None}
    assert (name, gender, cue) in cued
    assert all(m.kind == "person" for m in extract(text).mentions if m.gender is not None)


@pytest.mark.parametrize(
    "text",
    [
        "Kim Jong Un met Vladimir Putin, and his aides took notes.",
        "Kim Jong Un told Vladimir Putin that his country would help.",
        "Kim Jong Un and Vladimir Putin met, and he promised aid.",
    ],
)
def test_ambiguous_pronoun_gives_no_gendered_mention(text: str) -> None:
    assert pronoun_mentions(extract(text)) == []


def test_pronoun_after_a_heading_does_not_reach_back_across_it() -> None:
    text = (
        "Adrienne Watson said Monday that talks were advancing.\n"
        "Warning from Washington\n"
        "His comments came after the report."
    )
    assert pronoun_mentions(extract(text)) == []


def test_pronouns_inside_quotations_are_not_cues() -> None:
    text = "Adrienne Watson said, “He told us his plans.”"
    assert pronoun_mentions(extract(text)) == []


# -- headings -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "heading",
    [
        "Kim Jong Un’s Journey",
        "Warning from Washington",
        "Envoy Scorns Sanctions",
        "Putin says talks advancing",
        "Russia joins China on sanctions",
        "- Diplomatic isolation -",
    ],
)
def test_headings_produce_no_claims_or_gender_cues(heading: str) -> None:
    extraction = extract(heading)
    assert extraction.claims == ()
    assert [m for m in extraction.mentions if m.gender is not None] == []


def test_heading_between_sentences_is_never_evidence() -> None:
    text = (
        "Russia has joined China in opposing new sanctions.\n"
        "Putin says talks advancing\n"
        "In August, the United States imposed sanctions on three entities."
    )
    heading_start = text.index("Putin")
    heading_end = text.index("\n", heading_start)
    claims = extract(text).claims
    assert {c.predicate for c in claims} == {"join", "sanction"}
    assert all(not (heading_start <= c.evidence.start < heading_end) for c in claims)


# -- the evidence contract ----------------------------------------------------------------

ALL_TEXTS = [p.values[0] for p in SPEECH] + [
    "Russia and China have joined China in opposing further sanctions against North Korea.",
    "In August, the United States imposed sanctions on three entities.",
    "Kim Jong Un’s Journey\nThe trip will be Kim’s first overseas visit in more than four years.",
    "“We have nothing to tell you,” Kremlin spokesman Dmitry Peskov said.",
    "Such a move, he told reporters, “is not going to reflect well.”",
    "",
    "   \n\n ",
    "“unbalanced quote, said nobody",
]


@pytest.mark.parametrize("text", ALL_TEXTS)
def test_every_evidence_is_a_verbatim_sentence(text: str) -> None:
    a = article(text)
    extraction = RuleExtractor().extract(a)
    spans = set(sentence_spans(text))
    assert extraction.article == a.id and extraction.extractor == "rules"
    assert extraction.status == "ok"
    for item in (*extraction.claims, *extraction.mentions):
        e = item.evidence
        assert e.article == a.id
        assert a.text[e.start : e.end] == e.quote
        assert (e.start, e.end) in spans


def test_extractor_name_is_rules() -> None:
    assert RuleExtractor().name == "rules"


@pytest.fixture(scope="module")
def seed_articles() -> list[Article]:
    corpus = load_corpus(SEEDS)
    assert len(corpus.articles) == 5
    return list(corpus.articles)


def test_extraction_is_deterministic(seed_articles: list[Article]) -> None:
    extractor = RuleExtractor()
    for a in seed_articles:
        first = extractor.extract(a)
        assert extractor.extract(a) == first
        assert RuleExtractor().extract(a) == first


def test_models_are_built_as_their_constructors_build_them(
    seed_articles: list[Article],
) -> None:
    # The extractor calls the models' validators directly: the result must be what the
    # constructor makes of the same fields, down to which fields were set.
    for a in seed_articles:
        extraction = RuleExtractor().extract(a)
        for model in (*extraction.claims, *extraction.mentions):
            rebuilt = type(model)(**{f: getattr(model, f) for f in model.model_fields_set})
            assert rebuilt == model
            assert rebuilt.model_fields_set == model.model_fields_set
            evidence = model.evidence
            assert Evidence.span(a, evidence.start, evidence.end) == evidence
        assert {"descriptors", "gender", "cue"}.isdisjoint(
            next(m for m in extraction.mentions if not (m.gender or m.descriptors)).model_fields_set
        )
        for claim in extraction.claims:  # a claim's fields at their defaults are not passed
            defaults = {
                name
                for name, info in Claim.model_fields.items()
                if not info.is_required() and getattr(claim, name) == info.default
            }
            assert defaults.isdisjoint(claim.model_fields_set)


def test_extracting_other_articles_does_not_leak_names(seed_articles: list[Article]) -> None:
    # names learned from one article must not resolve short forms in the next
    extractor = RuleExtractor()
    for a in seed_articles:
        extractor.extract(a)
    text = "According to Sullivan, the talks will continue."
    assert all(c.speaker != "Jake Sullivan" for c in extractor.extract(article(text)).claims)


def test_every_seed_yields_claims_with_verbatim_evidence(seed_articles: list[Article]) -> None:
    for a in seed_articles:
        extraction = RuleExtractor().extract(a)
        assert extraction.article == a.id
        assert len(extraction.claims) > 0, a.id
        assert len(extraction.mentions) > 0, a.id
        spans = set(sentence_spans(a.text))
        for item in (*extraction.claims, *extraction.mentions):
            e = item.evidence
            assert e.article == a.id
            assert a.text[e.start : e.end] == e.quote
            assert (e.start, e.end) in spans
        for claim in extraction.claims:
            if claim.quote is not None:
                assert claim.quote in claim.evidence.quote
            assert claim.predicate == claim.predicate.lower() and " " not in claim.predicate


@pytest.mark.parametrize(
    ("seed", "speaker", "fragment"),
    [
        ("000", "Adrienne Watson", "arms talks"),
        ("000", "Andrei Lankov", "Kim may want to stress"),
        ("001", "Jake Sullivan", "is not going to reflect well"),
        ("002", "John Kirby", "actively advancing"),
        ("002", "Dmitry Peskov", "nothing to tell you"),
        ("003", "Adrienne Watson", "actively advancing"),
        ("004", "John Kirby", "high-level discussions"),
    ],
)
def test_seed_statements_have_the_right_speaker(
    seed_articles: list[Article], seed: str, speaker: str, fragment: str
) -> None:
    a = next(x for x in seed_articles if x.id.startswith(seed))
    said = [
        c
        for c in RuleExtractor().extract(a).claims
        if c.modality == "reported" and fragment in c.evidence.quote
    ]
    assert said and all(c.speaker == speaker for c in said)


# The plain form of the word pattern; `rules._TOKEN` is written for speed and must match
# exactly the same words.
_PLAIN_TOKEN = re.compile(r"[A-Za-z]\.(?:[A-Za-z]\.)+|\w+(?:[-’']\w+)*")


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="aZq.-’'_5é ſ\n", max_size=30))
def test_token_pattern_matches_its_plain_form(text: str) -> None:
    spans = [m.span() for m in rules._TOKEN.finditer(text)]
    assert spans == [m.span() for m in _PLAIN_TOKEN.finditer(text)]


def test_token_pattern_on_abbreviations_and_joined_words() -> None:
    text = (
        "The U.S.-led talks at 10 a.m. with Kim Jong-un's envoy, Ms. O'Neil, and J.R.R."
        " Not abbreviations: 5.a.m. é.b.c. x_.y.z. 9.9"
    )
    words = [m.group() for m in rules._TOKEN.finditer(text)]
    assert words == [m.group() for m in _PLAIN_TOKEN.finditer(text)]
    assert "U.S." in words and "a.m." in words and "Jong-un's" in words and "J.R.R." in words


@settings(max_examples=1000, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["U.S.", "u.s.", "a.m", "J.", "5", "x-", "O'Neil", "’s", "é", "Word", "_", "İ"]
        )
        | st.sampled_from([" ", "  ", "", ".", ",", "-", "’", "'", "\n", "\t", "\xa0"]),
        max_size=16,
    ).map("".join)
)
def test_read_words_finds_the_words_of_the_token_pattern(text: str) -> None:
    # `_read_words` reads the pieces between spaces, each looked up in a memo.
    matches = list(rules._TOKEN.finditer(text))
    words = [m.group() for m in matches]
    assert rules._read_words(text) == (
        words,
        [m.start() for m in matches],
        [w.lower() for w in words],
        [w[0].isupper() or w.lower() in {"u.s.", "u.k.", "u.n."} for w in words],
    )


def test_read_words_reads_a_long_piece_without_storing_it() -> None:
    # A piece longer than a word can be (text without spaces) is not memoised.
    piece = "-".join(["word"] * 20) + "\nNext"
    text = f"{piece} {piece}"
    matches = list(rules._TOKEN.finditer(text))
    assert rules._read_words(text)[:2] == (
        [m.group() for m in matches],
        [m.start() for m in matches],
    )
    assert piece not in rules._PIECES


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["Mr.", "U.S.", "u.s.", "a.m.", "J.", "5.", "x-", "O'Neil", "é", "word", "İ"]
        )
        | st.sampled_from([" ", "  ", "", ".", "!", "?", "”", "“", ")", "-", "’", "\n", "\r\n"])
        | st.sampled_from(["\x1c", "\u2028", "\t", "\xa0", "\x85", "\v"]),
        max_size=14,
    ).map("".join)
)
def test_sentences_get_the_words_a_pass_over_each_finds(text: str) -> None:
    # The reader tokenises the whole article once and shares the words out among its
    # sentences: they must be the words a pass over each sentence alone finds.
    reader = rules._ArticleReader(article(text))
    assert [(s.start, s.end) for s in reader.sentences] == sentence_spans(text)
    for s in reader.sentences:
        matches = list(rules._TOKEN.finditer(text, s.start, s.end))
        assert s.words == [m.group() for m in matches]
        assert s.starts == [m.start() for m in matches]
        assert s.lows == [m.group().lower() for m in matches]
        # Capitalised: a first character in upper case, or a capitalised abbreviation.
        assert s.caps == [
            m.group()[0].isupper() or m.group().lower() in {"u.s.", "u.k.", "u.n."} for m in matches
        ]
    assert sum(len(s.words) for s in reader.sentences) == len(rules._TOKEN.findall(text))


def test_cue_words_are_lower_case() -> None:
    # `_CUE_WORDS` is looked up in the lower-cased words: a verb written otherwise in the
    # lexicon would never be found.
    assert all(w == w.lower() for w in rules._CUE_WORDS)
    assert set(lx.SPEECH_VERBS) | set(lx.EVENT_VERBS) | lx.GENDERED_PRONOUNS == rules._CUE_WORDS


def test_verbs_only_in_lower_case_pronouns_in_any_case() -> None:
    text = "Officials Said nothing. Kim Jong Un Visited Moscow. Adrienne Watson said HE left."
    article = Article(id="a", path="a.txt", text=text)
    extraction = RuleExtractor().extract(article)
    assert [c.predicate for c in extraction.claims] == ["say"]
    assert [(m.text, m.cue) for m in extraction.mentions if m.cue] == [("Adrienne Watson", "HE")]


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            'that that’s thatch athat that, “ " ; : never not note knot no plan no planet'
            " denied deny denying undenied nothing x _".split()
        )
        | st.sampled_from([" ", "", ",", "-", "’"]),
        max_size=12,
    ).map("".join)
)
def test_searched_patterns_match_their_plain_forms(text: str) -> None:
    clause_end = re.compile(r"\bthat\b|[“\",;:]")
    negation = re.compile(r"\b(never|not|no plan|denied|deny)\b")
    plain, fast = clause_end.search(text), rules._CLAUSE_END.search(text)
    assert (plain and plain.span()) == (fast and fast.span())
    negations = [*rules._NOT.finditer(text), *rules._DENY.finditer(text)]
    assert [m.span() for m in negation.finditer(text)] == sorted(m.span() for m in negations)


@settings(max_examples=500, deadline=None)
@given(
    st.integers(min_value=60, max_value=80),
    st.lists(
        st.sampled_from("Not NOT not never No plan DENIED deny denying İ x _".split())
        | st.sampled_from([" ", "", ",", "-"]),
        max_size=12,
    ).map("".join),
)
def test_negated_content_reads_the_first_80_characters(padding: int, tail: str) -> None:
    # The search stops at `endpos` 80 as a search of the slice [:80] would, also where
    # lower case lengthens the text before it ("İ").
    negation = re.compile(r"\b(never|not|no plan|denied|deny)\b")
    for content in ("x" * padding + " " + tail, "İ" * (padding // 2) + " " + tail):
        plain = bool(negation.search(content.lower()[:80]))
        assert rules._negated_content(content) == plain


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.sampled_from(["Kim", "Jong-un", "İ", "É", "O'Neil", "x"])
        | st.sampled_from([" ", "  ", "", "-", " - ", "\t", "\xa0", "\n", "\u2028"]),
        max_size=8,
    ).map("".join)
)
def test_name_key_is_its_plain_form(name: str) -> None:
    # `_name_key` skips its regex when there is nothing to replace
    assert rules._name_key(name) == re.sub(r"[\s\-]+", " ", name.lower()).strip()


@pytest.mark.parametrize(
    "word", "Kim Kim’s Pyongyang NATO Ministry Monday Sept. The President U.S.".split()
)
def test_one_word_shapes_are_those_of_a_run_of_one_word(word: str) -> None:
    # _find_shapes looks a lone word up in rules._WORD_SHAPES rather than asking _shape.
    assert rules._WORD_SHAPES[word] == rules._shape((word,), None)


def _plain_segments(commas: list[tuple[int, int]], start: int, end: int) -> list[tuple[int, int]]:
    spans = []
    for comma_start, comma_end in commas:
        if comma_start >= end:
            break
        spans.append((start, comma_start))
        start = comma_end
    spans.append((start, end))
    return [(a, b) for a, b in spans if b > a]


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), max_size=6),
    st.integers(0, 4),
    st.integers(0, 30),
)
def test_segments_are_the_nonempty_pieces_between_commas(
    gaps: list[tuple[int, int]], start: int, end: int
) -> None:
    # `_segments` skips empty pieces as it goes rather than filtering them afterwards.
    commas, pos = [], start
    for gap, width in gaps:
        commas.append((pos + gap, pos + gap + width))
        pos += gap + width
    assert rules._segments(commas, start, end) == _plain_segments(commas, start, end)


def _plain_subject(
    reader: rules._ArticleReader, sentence: rules._Sentence, verb_start: int
) -> tuple[str | None, int]:
    """`_subject` as first written: one pass over the mentions per segment."""
    segments = _plain_segments(reader._commas(sentence), sentence.start, verb_start)
    for seg_start, seg_end in reversed(segments[-3:]):
        persons = [
            m
            for m in sentence.mentions
            if seg_start <= m.start and m.end <= seg_end and m.kind == "person" and not m.quoted
        ]
        if persons:
            return persons[-1].full or persons[-1].text, seg_start
    for seg_start, seg_end in reversed(segments):
        phrase = rules._noun_phrase(reader.text[seg_start:seg_end])
        if phrase:
            offset = reader.text.find(phrase, seg_start, seg_end)
            inside = [m for m in sentence.mentions if seg_start <= m.start and m.end <= seg_end]
            if inside and phrase.lower().endswith(inside[-1].text.lower()):
                return phrase, offset
            core = rules._PREPOSITION.split(phrase, maxsplit=1)[0].split()
            head = rules._strip_possessive(core[-1]).lower() if core else ""
            verbish = any(w in lx.EVENT_VERBS or w in lx.SPEECH_VERBS for w in phrase.split()[1:])
            short = len(core) <= 4 and len(phrase.split()) <= 10 and not verbish
            if short and (head in lx.SPEAKER_NOUNS or phrase.lower() in {"he", "she", "they"}):
                return phrase, offset
            return None, offset
    return None, verb_start


@settings(max_examples=1000, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "Kim Jong Un",
                "Kim",
                "Adrienne Watson",
                "Mr. Lee",
                "Moscow",
                "the Kremlin",
                "NATO",
                "the spokeswoman",
                "officials",
                "the minister of defense",
                "he",
                "she",
                "they",
                "who",
                "also",
                "and",
                "said",
                "told",
                "visited",
                "met",
                "“Talks",
                "went well,”",
                '"We',
                'agree,"',
                "on Monday",
            ]
        )
        | st.sampled_from([" ", ", ", ",", " , ", ". "]),
        max_size=16,
    ).map("".join)
)
def test_subject_is_that_of_its_plain_form(text: str) -> None:
    # `_subject` finds the person in one scan back over the mentions and tests a speaker
    # noun before looking for verbs: it must find what the plain form finds.
    reader = rules._ArticleReader(article(text))
    reader.read()
    for sentence in reader.sentences:
        for start in sentence.starts:
            assert reader._subject(sentence, start) == _plain_subject(reader, sentence, start)


def _plain_strip_content(content: str, time_text: str | None) -> str:
    content = content.strip(" ,")
    while True:
        before = content
        if time_text and content.startswith(time_text):
            content = content[len(time_text) :].strip(" ,")
        content = rules._CONTENT_LEAD.sub("", content).strip(" ,")
        if content == before:
            return content.strip(" ,.")


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.sampled_from("that saying reporters to a statement in warning on Monday x".split())
        | st.sampled_from([" ", "", ",", ".", "  "]),
        max_size=12,
    ).map("".join),
    st.sampled_from([None, "", "on Monday", "Monday"]),
)
def test_strip_content_is_its_plain_form(content: str, time_text: str | None) -> None:
    # `_strip_content` cuts the anchored lead with match() rather than sub().
    assert rules._strip_content(content, time_text) == _plain_strip_content(content, time_text)


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.sampled_from(['"', "“", "”", "We agree", '"ab cd"', "“cd ab”", ". .", " , ", "x"])
        | st.sampled_from([" ", "", ",", ".", "\n"]),
        max_size=14,
    ).map("".join)
)
def test_main_quote_is_that_of_its_plain_form(text: str) -> None:
    # `_main_quote` keeps the first longest quote in one loop, counting words only up to two.
    reader = rules._ArticleReader(article(text))
    for sentence in reader.sentences:
        quotes = [text[a:b] for a, b in sentence.quotes]
        quotes = [q.strip(" ,.") for q in quotes if len(q.split()) >= 2]
        assert reader._main_quote(sentence) == (max(quotes, key=len) if quotes else None)


def _plain_quotes(text: str) -> list[tuple[int, int]]:
    # The plain form: search for an opening mark, find its closing mark, go on after it
    # (or after an opening mark that is never closed).
    pairs = {"“": "”", '"': '"'}
    quotes = []
    opening = re.search(r"[“\"]", text)
    while opening is not None:
        i = opening.start()
        j = text.find(pairs[text[i]], i + 1)
        if j != -1:
            quotes.append((i + 1, j))
            opening = re.compile(r"[“\"]").search(text, j + 1)
        else:
            opening = re.compile(r"[“\"]").search(text, i + 1)
    return quotes


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet='“”"a ,.', max_size=30))
def test_quotation_pattern_finds_the_quotes_of_its_plain_form(text: str) -> None:
    found = [(m.start() + 1, m.end() - 1) for m in rules._QUOTATION.finditer(text)]
    assert found == _plain_quotes(text)
    reader = rules._ArticleReader(article(text + "."))
    assert [q for s in reader.sentences for q in s.quotes] == [
        q
        for s in reader.sentences
        for q in [(s.start + a, s.start + b) for a, b in _plain_quotes(s.text)]
    ]


def _plain_find_shapes(
    reader: rules._ArticleReader, sentence: rules._Sentence
) -> list[tuple[rules._Shape, int, int]]:
    """`_find_shapes` as first written: a run's words and the word before it tested in
    the order the rules read."""
    shapes = []
    words, lows, starts, caps = sentence.words, sentence.lows, sentence.starts, sentence.caps
    n = len(words)
    free = 0
    for i in range(n):
        if not caps[i] or i < free:
            continue
        j = i
        while (
            j + 1 < n
            and caps[j + 1]
            and reader.text[starts[j] + len(words[j]) : starts[j + 1]] in {"", " ", ". ", "-"}
        ):
            if words[j].endswith(("’s", "'s")):
                break
            j += 1
        free = j + 1
        if i >= 2 and lows[i - 1] in {"for", "of", "&"} and caps[i - 2]:
            continue
        role = lows[i - 1] if i > 0 and lows[i - 1] in lx.ROLE_WORDS else None
        shape = rules._shape(tuple(words[i : j + 1]), role)
        if shape is not None:
            shapes.append((shape, starts[i + shape.first], starts[j] + shape.last_len))
    return shapes


@settings(max_examples=1000, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "Kim",
                "Jong-un’s",
                "Watson's",
                "States",
                "Institute",
                "National",
                "Unification",
                "Defense",
                "Minister",
                "Mr.",
                "U.S.",
                "u.s.",
                "Moscow",
                "NATO",
                "Ministry",
                "Russian",
                "The",
                "Monday",
                "spokeswoman",
                "for",
                "of",
                "&",
                "said",
                "the",
            ]
        )
        | st.sampled_from([" ", "  ", ". ", "-", "", ", ", "’", "\n"]),
        max_size=16,
    ).map("".join)
)
def test_find_shapes_is_its_plain_form(text: str) -> None:
    # `_find_shapes` tests a run's next word in one condition, the word before it against
    # all the words it may be at once, and keys a bare word by itself: it must find
    # what the plain form finds.
    reader = rules._ArticleReader(article(text))
    for sentence in reader.sentences:
        assert reader._find_shapes(sentence) == _plain_find_shapes(reader, sentence)


def _plain_shape(run: tuple[str, ...], role: str | None) -> rules._Shape | None:
    """`_shape` of a run of two words or more as first written, with comprehensions,
    generators, any() and max()."""
    words = [rules._strip_possessive(w) for w in run]
    lows = [w.lower() for w in words]
    time_word = all(w.lower().rstrip(".") in lx.MONTHS or w.lower() in lx.WEEKDAYS for w in run)
    first = 0
    while first < len(lows) and lows[first] in lx.STOP_CAPS:
        first += 1
    stripped, words, lows = words[:first], words[first:], lows[first:]
    if not words:
        return None
    titles = {w.rstrip(".") for w in lx.TITLE_WORDS}
    last_title = max((k for k, w in enumerate(lows) if w.rstrip(".") in titles), default=-1)
    descriptors = [" ".join(words[: last_title + 1])] if last_title >= 0 else []
    if descriptors and last_title >= 0 and stripped and stripped[-1].lower() in lx.PORTFOLIOS:
        descriptors[0] = f"{stripped[-1]} {descriptors[0]}"
    if role:
        descriptors.insert(0, role)
    name_words = words[last_title + 1 :]
    first += last_title + 1
    if not name_words:
        return None
    name = " ".join(name_words)
    low = name.lower()
    last_len = len(name_words[-1])
    name_lows = [w.lower() for w in name_words]
    while len(name_words) > 1 and name_lows[0] in lx.DEMONYMS and low not in lx.PLACE_NAMES:
        descriptors.append(name_words[0])
        name_words, name_lows = name_words[1:], name_lows[1:]
        name, low = " ".join(name_words), " ".join(name_lows)
        first += 1
    single = len(name_words) == 1
    shape = rules._Shape
    if low in lx.PLACE_NAMES and not descriptors:
        return shape("place", name, low, first, last_len, (), single, None, time_word)
    if any(w.rstrip(".") in lx.ORG_WORDS for w in name_lows) or any(
        w in lx.ORG_ACRONYMS for w in name_words
    ):
        return shape(
            "organization", name, low, first, last_len, tuple(descriptors), False, None, time_word
        )
    if descriptors or not single:
        if any(
            w in {"war", "day", "summit", "pandemic", "union", "games", "times"} for w in name_lows
        ):
            return None
        if low in lx.PLACE_NAMES or name_lows[0] in lx.DEMONYMS:
            return None
        register = None if single else tuple(name_words)
        return shape(
            "person", name, low, first, last_len, tuple(descriptors), single, register, time_word
        )
    return shape("maybe", name, low, first, last_len, (), True, None, time_word)


@settings(max_examples=2000, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            "The As Kim Kim’s Putin's Jong-un Sergei Shoigu President Gen. Mr. Minister Defense"
            " Foreign Russian North Korean South Korea Russia Ukraine New York Times Ministry"
            " Council Kremlin NATO UN UNSC War Day Summit Sept. Sept May Monday Friday’s"
            " U.S. Institute Nations United States".split()
        ),
        min_size=2,
        max_size=6,
    ).map(tuple),
    st.sampled_from([None, "spokeswoman", "leader", "minister"]),
)
def test_shape_is_its_plain_form(run: tuple[str, ...], role: str | None) -> None:
    # `_shape` reads a run with map(), loops and set tests instead of comprehensions,
    # generators, any() and max(); it classifies as the plain form does.
    assert rules._shape.__wrapped__(run, role) == _plain_shape(run, role)
