"""The built-in rule extractor: checker's default when no model is configured.

It reads news English with patterns rather than a model, and like every extractor it only
copies what the text says: speakers and what they said (direct and reported speech,
"according to X", "X told reporters"), events with their time, place and numbers,
entity mentions with titles, and gendered cues (descriptors and pronouns). Judging them is
the comparator's job.

The heuristics favour precision: a pronoun whose antecedent is ambiguous, or a speaker
that cannot be found, is left out rather than guessed.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Container
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import compress, count, repeat
from typing import Any, Literal

from checker import lexicon as lx
from checker.dates import find_time_expressions
from checker.models import (
    Article,
    Claim,
    EntityKind,
    EntityMention,
    Evidence,
    Extraction,
    Gender,
    Modality,
    Quantity,
    validator_of,
)
from checker.quantities import find_quantities
from checker.text import WordTable, sentence_spans

# A word: an abbreviation of single letters ("U.S.", "a.m.") or a run of \w, possibly
# joined by hyphens or apostrophes ("Kim Jong-un's"). Written as `\w` followed by the two
# ways to go on, which matches exactly what "[A-Za-z]\.(?:[A-Za-z]\.)+|\w+(?:[-’']\w+)*"
# does, because a pattern that opens with one character class lets the regex engine skip
# to the next word character in C instead of trying the pattern at every position. The
# repeats are possessive ("*+") because giving back a \w could never let the match go on
# (what follows each one opens with a character that is not \w), and a possessive repeat
# keeps no backtracking state; the abbreviation's dot is tested before the letter behind
# it, which fails at once for most words. Each saves a few percent of tokenising.
_TOKEN = re.compile(r"\w(?:\.(?<=[A-Za-z]\.)(?:[A-Za-z]\.)+|\w*+(?:[-’']\w++)*+)")
# A quotation: an opening mark, then everything up to the first closing mark of its kind
# (the text inside the marks captured). Found by finditer, which goes on after a
# quotation's closing mark, and after an opening mark with no closing mark (the repeats
# are possessive: giving back could never find one); one scan in C instead of a regex
# search per mark and a find per closing mark. In text with marks of one kind only, that
# kind's pattern alone finds what `_QUOTATION` finds.
_CURLY_QUOTATION = re.compile(r"“([^”]*+)”")
_STRAIGHT_QUOTATION = re.compile(r"\"([^\"]*+)\"")
_QUOTATION = re.compile(f"{_CURLY_QUOTATION.pattern}|{_STRAIGHT_QUOTATION.pattern}")
_OTHER_NAME_WORDS = frozenset({"war", "day", "summit", "pandemic", "union", "games", "times"})
_AUXILIARIES = frozenset(
    """have has had is was were are be been will would may might could can also already
    now recently reportedly previously still just only both""".split()
)
_RELATIVES = frozenset({"who", "which", "where", "whose", "that"})
_LEADING = frozenset(
    "but and so then also while although though as because when where if since once".split()
)
_ACCORDING_TO = re.compile(r"\b[Aa]ccording to\b")


# Not frozen: an article makes hundreds of these, and a frozen dataclass sets each field
# through object.__setattr__ (several times slower to build). Nothing mutates them.
@dataclass(slots=True)
class _Mention:
    text: str  # name as written (possessive stripped)
    kind: EntityKind
    start: int
    end: int
    descriptors: tuple[str, ...] = ()
    full: str | None = None  # the full name a short form refers to
    quoted: bool = False  # inside quotation marks (`_Sentence.in_quote` of its start)


# Not frozen, as `_Mention`: a frozen dataclass sets each field through object.__setattr__,
# a third of the cost of classifying a run not seen before. Shapes are memoised and
# shared: nothing may change one.
@dataclass(slots=True)
class _Shape:
    """What a capitalised run names, before short forms are resolved to full names.

    It depends on the run's words (and the role word before it) only, so it is computed
    once per distinct run (`_shape`) and placed in each sentence by `_Sentence.shapes`:
    the name starts at the run's word `first` and ends `last_len` characters into its
    last word.

    kind "maybe" is a single bare word: a person only if some full name in the article
    has it as a short form. `register` holds the words of a full person name.
    """

    kind: Literal["place", "organization", "person", "maybe"]
    name: str
    low: str
    first: int
    last_len: int
    descriptors: tuple[str, ...]
    single: bool  # one name word: a short form to look up
    register: tuple[str, ...] | None
    time_word: bool  # the whole run is month or weekday names: never a mention


@dataclass(slots=True)
class _Sentence:
    """A sentence and its words (tokens), as parallel lists: token `i` is `words[i]`,
    in lower case `lows[i]`, at `starts[i]` in the article (it ends at
    `starts[i] + len(words[i])`). Lists rather than one object per token: an article
    has hundreds of tokens, and building objects for them was a fifth of the run."""

    start: int
    end: int
    text: str
    words: list[str]
    lows: list[str]
    starts: list[int]
    caps: list[bool]  # whether the word is capitalised (`_ArticleReader.caps`)
    quotes: list[tuple[int, int]]  # absolute spans of quoted text (inside the marks)
    mentions: list[_Mention] = field(default_factory=list)
    heading: bool = False
    shapes: list[tuple[_Shape, int, int]] = field(default_factory=list)  # with start, end
    times: list[tuple[int, int]] | None = None  # memo of `_ArticleReader._times`
    evidence: Evidence | None = None  # memo of `_ArticleReader._evidence`
    commas: list[tuple[int, int]] | None = None  # memo of `_ArticleReader._commas`

    def in_quote(self, pos: int) -> bool:
        # A loop rather than any() over a generator: asked for most words the claims start
        # from, and building the generator cost more than the one or two quotes it tests.
        for a, b in self.quotes:  # noqa: SIM110
            if a <= pos < b:
                return True
        return False


class RuleExtractor:
    """Pattern-based extractor; deterministic and offline."""

    # Pure computation: a big corpus is worth extracting in several processes
    # (`checker.pipeline.forks_for`).
    cpu_bound = True

    @property
    def name(self) -> str:
        return "rules"

    def extract(self, article: Article) -> Extraction:
        return _ArticleReader(article).read()


class _ArticleReader:
    def __init__(self, article: Article) -> None:
        self.article = article
        self.text = article.text
        # The words of the whole article, found in one pass and then shared out among its
        # sentences: no word crosses a sentence's edge (sentences are cut where a space or
        # a line break follows, and neither is part of a word), so these are the words a
        # pass over each sentence alone would find, without a regex scan per sentence.
        self.words, self.starts, self.lows, self.caps = _read_words(article.text)
        self.sentences: list[_Sentence] = []
        first = 0  # the index of the sentence's first word
        for start, end in sentence_spans(article.text):
            first = bisect_left(self.starts, start, first)
            last = bisect_left(self.starts, end, first)
            self.sentences.append(self._sentence(start, end, first, last))
        self.persons: dict[str, str] = {}  # short form (lower) -> full name
        self.claims: list[Claim] = []
        self.mentions: list[EntityMention] = []

    # -- structure ---------------------------------------------------------------------

    def _sentence(self, start: int, end: int, first: int, last: int) -> _Sentence:
        """The sentence from `start` to `end`, whose words are the article's words
        `first` up to `last`."""
        text = self.text[start:end]
        words = self.words[first:last]
        starts = self.starts[first:last]
        lows = self.lows[first:last]
        caps = self.caps[first:last]
        # The spans of quoted text, inside the marks. Most sentences quote nothing: `in`
        # rules that out faster than a regex search.
        curly, straight = "“" in text, '"' in text
        quotes: list[tuple[int, int]]
        if curly and straight:
            spans = map(_MATCH_SPAN, _QUOTATION.finditer(text))
            quotes = [(start + i + 1, start + j - 1) for i, j in spans]
        elif curly or straight:
            # Quotation marks of one kind (most): the spans of the group inside the marks,
            # read in the article by map() over `Match.span`, without a Python loop.
            pattern = _CURLY_QUOTATION if curly else _STRAIGHT_QUOTATION
            quotes = list(map(_MATCH_SPAN, pattern.finditer(self.text, start, end), repeat(1)))
        else:
            quotes = []
        heading = text[-1] not in '.!?"”’)' and len(words) <= 10
        # All fields passed by position (mentions and shapes new lists, as their default
        # factories make): a dataclass's __init__ called with a keyword costs more.
        return _Sentence(start, end, text, words, lows, starts, caps, quotes, [], heading, [])

    def read(self) -> Extraction:
        for sentence in self.sentences:
            sentence.shapes = self._find_shapes(sentence)
            for shape, _, _ in sentence.shapes:
                if shape.register is not None:
                    self._register_person(shape.register)
        # Second pass: short forms ("Kim", "Shoigu") now resolve to full names seen anywhere.
        for sentence in self.sentences:
            sentence.mentions = self._resolve_mentions(sentence)
        previous: _Sentence | None = None
        for sentence in self.sentences:
            if not sentence.heading:
                # One pass over the words finds the verbs and pronouns of all three.
                cues = _indices(sentence.lows, _CUE_WORDS)
                used_times = self._speech_claims(sentence, previous, cues)
                self._event_claims(sentence, previous, used_times, cues)
                self._gender_mentions(sentence, previous, cues)
            previous = None if sentence.heading else sentence
        return Extraction(
            article=self.article.id,
            extractor="rules",
            claims=tuple(self.claims),
            mentions=tuple(self.mentions),
        )

    def _evidence(self, sentence: _Sentence) -> Evidence:
        if sentence.evidence is None:
            sentence.evidence = Evidence.span(self.article, sentence.start, sentence.end)
        return sentence.evidence

    # -- entities ----------------------------------------------------------------------

    def _find_shapes(self, sentence: _Sentence) -> list[tuple[_Shape, int, int]]:
        """Capitalised runs of the sentence, classified as far as the run alone allows,
        each with the start and end of the name it holds."""
        shapes: list[tuple[_Shape, int, int]] = []
        words, lows, starts, caps = sentence.words, sentence.lows, sentence.starts, sentence.caps
        text = self.text
        n = len(words)
        free = 0  # the first word after the last run
        # count() rather than range(n): compress stops with `caps`, and no range is made.
        for i in compress(count(), caps):
            if i < free:
                continue
            # The run goes on to the next word while it is capitalised and joined to the
            # run's last word (`j`) by an adjacent gap, unless that one is a possessive
            # (its last letter tested first: str.endswith parses its arguments slowly).
            j = i
            k = i + 1
            while (
                k < n
                and caps[k]
                and text[starts[j] + len(words[j]) : starts[k]] in _ADJACENT_GAPS
                and (words[j][-1] != "s" or not words[j].endswith(("’s", "'s")))
            ):
                j = k
                k += 1
            free = k
            role = None
            if i and lows[i - 1] in _BEFORE_RUNS:  # most runs: none of these before them
                before = lows[i - 1]
                if before in {"for", "of", "&"} and i >= 2 and caps[i - 2]:
                    continue  # the tail of a longer name ("Institute for National Unification")
                if before in lx.ROLE_WORDS:
                    role = before
            if j == i and role is None:  # most runs: one word, keyed by itself
                shape = _word_shape(words[i])
            else:
                shape = _shape(tuple(words[i:k]), role)
            if shape is not None:
                shapes.append((shape, starts[i + shape.first], starts[j] + shape.last_len))
        return shapes

    def _resolve_mentions(self, sentence: _Sentence) -> list[_Mention]:
        mentions: list[_Mention] = []
        for shape, start, end in sentence.shapes:
            if shape.time_word:
                continue
            quoted = bool(sentence.quotes) and sentence.in_quote(start)  # most quote nothing
            if shape.kind == "maybe":
                full = self.persons.get(shape.low)
                if full is not None:
                    mentions.append(_Mention(shape.name, "person", start, end, (), full, quoted))
                continue
            full = self.persons.get(shape.low) if shape.kind == "person" and shape.single else None
            mentions.append(
                _Mention(shape.name, shape.kind, start, end, shape.descriptors, full, quoted)
            )
        return mentions

    def _register_person(self, words: tuple[str, ...]) -> None:
        full = " ".join(words)
        for short in {words[0].lower(), words[-1].lower()}:
            known = self.persons.get(short)
            if known is None:
                self.persons[short] = full
            elif _name_key(known) != _name_key(full):
                self.persons[short] = ""  # ambiguous: never resolve this short form
        self.persons[full.lower()] = full

    # -- speech ------------------------------------------------------------------------

    def _speech_claims(
        self, sentence: _Sentence, previous: _Sentence | None, cues: list[int]
    ) -> set[int]:
        """Add one claim per attributed statement; return the time spans they used.

        `cues`: the indices of the sentence's words in `_CUE_WORDS`."""
        used: set[int] = set()
        found = False
        words = sentence.words
        for index in cues:
            word = words[index]
            lemma = lx.SPEECH_VERBS.get(word)
            if lemma is None:
                continue
            if sentence.in_quote(sentence.starts[index]):
                continue
            if word == "issued" and not self.text.startswith(
                " a statement", sentence.starts[index] + len(word)
            ):
                continue
            before = sentence.lows[index - 1] if index else ""
            if before in {"to", "is", "was", "are", "were", "be", "been"}:
                continue
            claim = self._speech_claim(sentence, index, lemma, previous, used)
            if claim is not None:
                self.claims.append(claim)
                found = True
                break  # one attributed statement per sentence keeps speakers unambiguous
        if not found:
            claim = self._according_to(sentence)
            if claim is not None:
                self.claims.append(claim)
        return used

    def _speech_claim(
        self,
        sentence: _Sentence,
        index: int,
        lemma: str,
        previous: _Sentence | None,
        used: set[int],
    ) -> Claim | None:
        verb_text, verb_start = sentence.words[index], sentence.starts[index]
        verb_end = verb_start + len(verb_text)
        left = self.text[sentence.start : verb_start]
        after = None  # a person right after the verb, when the statement comes first
        if left.rstrip().endswith((",", ",”", ',"')) or not left.strip(" ,“”\"'"):
            persons = (m for m in sentence.mentions if m.start >= verb_end and m.kind == "person")
            after = next(persons, None)
        if after is not None and after.start - verb_end <= 3:
            # "..., said Andrei Lankov" / "“...,” says Keir Giles"
            speaker_text = after.full or after.text
            subject_start = sentence.start
            content_text = left.rstrip(" ,").strip()
        else:
            # Only now: a speaker after the verb needs no subject before it.
            subject, subject_start = self._subject(sentence, verb_start)
            if subject is None:
                return None
            speaker_text = subject
            content_text = self.text[verb_end : sentence.end]
            # The cheapest test first: a quote after the verb rules out the rest.
            if "“" not in content_text and '"' not in content_text:
                before_speaker = self.text[sentence.start : subject_start].rstrip(" ,")
                bare = before_speaker
                for a, b in self._times(sentence):
                    if b <= subject_start:
                        bare = bare.replace(self.text[a:b], "")
                if len(bare.split()) >= 4:
                    after_words = content_text.split()
                    if "that" not in after_words[:5] and len(after_words) <= 10:
                        # "“...,” Sullivan told reporters" / "..., Watson said Monday."
                        content_text = before_speaker
        if speaker_text.lower() in {"he", "she"}:
            resolved = self._antecedent(sentence, verb_start, previous)
            if resolved is not None:
                speaker_text = resolved
        # When it was said: right after the verb (before 'that', a quote or a comma), or in
        # an adverbial that opens the sentence before the speaker.
        times = self._times(sentence)
        chosen = None
        if times:  # most sentences name no time: then there is no clause end to look for
            window_end = _clause_end(self.text, verb_end, sentence.end)
            chosen = next(((a, b) for a, b in times if verb_end <= a < window_end), None)
            if chosen is None:
                chosen = next(((a, b) for a, b in times if b <= subject_start), None)
        time_text = None
        if chosen is not None:
            time_text = self.text[chosen[0] : chosen[1]]
            used.add(chosen[0])
        content_text = _strip_content(content_text, time_text)
        fields: dict[str, Any] = {
            "article": self.article.id,
            "subject": speaker_text,
            "predicate": lemma,
            "speaker": speaker_text,
            "speech_verb": verb_text,
            "modality": "reported",
            "evidence": self._evidence(sentence),
        }
        # Fields left at their defaults are not passed (see `_new_claim`).
        if time_text is not None:
            fields["time"] = time_text
        quote = self._main_quote(sentence)
        if quote is not None:
            fields["quote"] = quote
        if content_text:
            fields["content"] = content_text
        if lemma == "deny" or _negated_content(content_text):
            fields["polarity"] = "denied"
        return _new_claim(fields)

    def _according_to(self, sentence: _Sentence) -> Claim | None:
        if "ccording to" not in sentence.text:  # a plain substring test first: most have none
            return None
        match = _ACCORDING_TO.search(sentence.text)
        if match is None:
            return None
        at = sentence.start + match.end()
        after = [
            m for m in sentence.mentions if m.start >= at and m.kind in ("person", "organization")
        ]
        if not after or after[0].start - at > 6:
            return None
        speaker = after[0].full or after[0].text
        if match.start() == 0:
            comma = sentence.text.find(",", after[0].end - sentence.start)
            content = sentence.text[comma + 1 :] if comma != -1 else ""
            quote_starts = [a for a, _ in sentence.quotes if a > after[0].end]
            if quote_starts and comma != -1:
                content = self.text[quote_starts[0] - 1 : sentence.end]
        else:
            content = sentence.text[: match.start()]
        content = content.strip(" ,.")
        fields: dict[str, Any] = {
            "article": self.article.id,
            "subject": speaker,
            "predicate": "say",
            "speaker": speaker,
            "speech_verb": "according to",
            "modality": "reported",
            "evidence": self._evidence(sentence),
        }
        # Fields left at their defaults are not passed (see `_new_claim`).
        quote = self._main_quote(sentence)
        if quote is not None:
            fields["quote"] = quote
        if content:
            fields["content"] = content
        if _negated_content(content):
            fields["polarity"] = "denied"
        return _new_claim(fields)

    def _main_quote(self, sentence: _Sentence) -> str | None:
        """The longest quote of two words or more (the first of the longest)."""
        longest = None
        for a, b in sentence.quotes:
            quote = self.text[a:b]
            if len(quote.split(None, 1)) == 2:  # two words or more: split no further
                quote = quote.strip(" ,.")
                if longest is None or len(quote) > len(longest):
                    longest = quote
        return longest

    def _subject(self, sentence: _Sentence, verb_start: int) -> tuple[str | None, int]:
        """The speaker or actor before a verb, and where its clause starts: the nearest
        person in the clause (the last three comma-separated segments), else its NP."""
        segments = _segments(self._commas(sentence), sentence.start, verb_start)
        if not segments:
            return None, verb_start
        # One scan back over the mentions instead of one per segment: they are in order,
        # and a name holds no comma, so each mention before the verb lies in one segment;
        # the last person among those from the third last segment on is the nearest.
        first = segments[-3][0] if len(segments) >= 3 else segments[0][0]
        mentions = sentence.mentions
        for m in reversed(mentions):
            if m.start < first:
                break
            if m.end <= verb_start and m.kind == "person" and not m.quoted:
                for seg_start, _ in reversed(segments):  # the segment it lies in
                    if seg_start <= m.start:
                        return m.full or m.text, seg_start
        for seg_start, seg_end in reversed(segments):
            phrase = _noun_phrase(self.text[seg_start:seg_end])
            if not phrase:
                continue
            offset = self.text.find(phrase, seg_start, seg_end)
            core = _PREPOSITION.split(phrase, maxsplit=1)[0].split()
            head = _strip_possessive(core[-1]).lower() if core else ""
            # The speaker noun first: most phrases have none, and then their words need
            # not be looked up as verbs.
            if head in lx.SPEAKER_NOUNS or phrase.lower() in {"he", "she", "they"}:
                words = phrase.split()
                verbish = any(w in lx.EVENT_VERBS or w in lx.SPEECH_VERBS for w in words[1:])
                if len(core) <= 4 and len(words) <= 10 and not verbish:
                    return phrase, offset
            # A phrase that ends with the segment's last name ("the envoy, Kim").
            for m in reversed(mentions):
                if seg_start <= m.start and m.end <= seg_end:
                    if phrase.lower().endswith(m.text.lower()):
                        return phrase, offset
                    break
            return None, offset
        return None, verb_start

    def _commas(self, sentence: _Sentence) -> list[tuple[int, int]]:
        """Spans of the sentence's commas (with a closing quote and the space after them),
        found once for all the verbs of the sentence."""
        if sentence.commas is None:
            if "," not in sentence.text:  # a third of sentences: no regex scan
                sentence.commas = []
            else:
                # map() with the C method rather than a comprehension.
                matches = _COMMA.finditer(self.text, sentence.start, sentence.end)
                sentence.commas = list(map(_MATCH_SPAN, matches))
        return sentence.commas

    def _times(self, sentence: _Sentence) -> list[tuple[int, int]]:
        if sentence.times is None:
            spans = find_time_expressions(
                sentence.text, sentence.lows, sentence.starts, sentence.start
            )
            sentence.times = (
                [
                    (sentence.start + a, sentence.start + b)
                    for a, b in spans
                    if not sentence.in_quote(sentence.start + a)
                ]
                if spans  # most sentences name no time
                else []
            )
        return sentence.times

    # -- events ------------------------------------------------------------------------

    def _event_claims(
        self, sentence: _Sentence, previous: _Sentence | None, used: set[int], cues: list[int]
    ) -> None:
        # The sentence's times and numbers, found when a first event needs them.
        times: list[tuple[int, int]] | None = None
        quantities: list[tuple[int, int, Quantity]] = []
        words, lows, starts = sentence.words, sentence.lows, sentence.starts
        for index in cues:
            word = words[index]
            lemma = lx.EVENT_VERBS.get(word)
            if lemma is None:
                continue
            if sentence.in_quote(starts[index]):
                continue
            low, verb_start = lows[index], starts[index]
            verb_end = verb_start + len(word)
            before = lows[max(0, index - 4) : index]
            base_form = low == lemma or low in {"head", "heads", "meets"}
            if (
                base_form
                and low != "heads"
                and not (
                    before and before[-1] in {"to", "will", "would", "may", "might", "could", "can"}
                )
            ):
                continue
            if before and before[-1] in {"the", "a", "an", "his", "her", "its", "their", "first"}:
                continue
            subject, _ = self._subject(sentence, verb_start)
            subject_text = subject or self._relative_subject(sentence, verb_start)
            if subject_text and subject_text.lower() in {"he", "she"}:
                subject_text = self._antecedent(sentence, verb_start, previous) or subject_text
            if not subject_text:
                continue
            # The object only now: a verb without a subject makes no claim.
            predicate, obj_start = lemma, verb_end
            obj_text = _object_phrase(self.text, verb_end, sentence.end)
            if lemma == "impose" and obj_text and obj_text.lower().startswith("sanctions"):
                predicate = "sanction"
                on = _ON.search(self.text[verb_end : sentence.end])
                if on is not None:
                    obj_start = verb_end + on.end()
                    obj_text = _object_phrase(self.text, obj_start, sentence.end)
                else:
                    obj_text = None
            if times is None:
                times = self._times(sentence)
                if used:  # most sentences: none taken by a statement, nothing to filter
                    times = [t for t in times if t[0] not in used]
                quantities = find_quantities(
                    sentence.text, sentence.lows, sentence.starts, sentence.start
                )
            time_text = _nearest(self.text, times, verb_start)
            place = self._place_after(sentence, verb_end, lemma)
            quantity = (
                next((q for a, _, q in quantities if sentence.start + a >= obj_start), None)
                if quantities
                else None
            )
            fields: dict[str, Any] = {
                "article": self.article.id,
                "subject": subject_text,
                "predicate": predicate,
                "evidence": self._evidence(sentence),
            }
            # Fields left at their defaults are not passed (see `_new_claim`).
            if obj_text is not None:
                fields["object"] = obj_text
            if time_text is not None:
                fields["time"] = time_text
            if place is not None:
                fields["place"] = place
            if quantity is not None:
                fields["quantity"] = quantity
            if not lx.NEGATION_WORDS.isdisjoint(before[-3:]):
                fields["polarity"] = "denied"
            modality = _modality(before)
            if modality != "asserted":
                fields["modality"] = modality
            self.claims.append(_new_claim(fields))

    def _relative_subject(self, sentence: _Sentence, verb_start: int) -> str | None:
        """'Shoigu, who visited Pyongyang' -> Shoigu."""
        left = self.text[sentence.start : verb_start].rstrip()
        if not left.lower().endswith(("who", "which")):
            return None
        persons = [m for m in sentence.mentions if m.end <= verb_start and m.kind == "person"]
        return (persons[-1].full or persons[-1].text) if persons else None

    def _place_after(self, sentence: _Sentence, pos: int, lemma: str) -> str | None:
        for m in sentence.mentions:
            if m.start < pos or m.kind != "place" or m.quoted:
                continue
            gap = self.text[pos : m.start].lower()
            if lemma == "visit" and not gap.strip():
                return m.text
            preposition = _MEET_PREPOSITION if lemma == "meet" else _PLACE_PREPOSITION
            if len(gap) < 60 and preposition.search(gap):
                return m.text
            return None
        return None

    # -- gender and pronouns -----------------------------------------------------------

    def _gender_mentions(
        self, sentence: _Sentence, previous: _Sentence | None, cues: list[int]
    ) -> None:
        evidence = sentence.evidence  # the sentence's evidence, made when first needed
        article = self.article.id
        add = self.mentions.append
        for m in sentence.mentions:
            if m.quoted:
                continue
            if evidence is None:
                evidence = self._evidence(sentence)
            if not m.descriptors:
                # Most mentions: built here rather than by a call of `_add_mention` (the
                # commonest object made), with the fields left at their defaults not
                # passed: pydantic does not validate them again.
                add(
                    _new_mention(
                        {
                            "article": article,
                            "text": m.full or m.text,
                            "kind": m.kind,
                            "evidence": evidence,
                        }
                    )
                )
                continue
            gender, cue = None, None
            for descriptor in m.descriptors:
                gender, cue = _GENDER_OF[descriptor]
                if gender is not None:
                    break
            self._add_mention(sentence, m.full or m.text, m.kind, gender, cue, m.descriptors)
        for index in cues:
            low = sentence.lows[index]
            if low not in lx.GENDERED_PRONOUNS:
                continue
            start = sentence.starts[index]
            if sentence.in_quote(start):
                continue
            name = self._antecedent(sentence, start, previous)
            if name is not None:
                pronoun_gender: Gender = "female" if low in lx.FEMALE_WORDS else "male"
                cue = sentence.words[index]
                self._add_mention(sentence, name, "person", pronoun_gender, cue, ())

    def _add_mention(
        self,
        sentence: _Sentence,
        name: str,
        kind: EntityKind,
        gender: Gender | None,
        cue: str | None,
        descriptors: tuple[str, ...],
    ) -> None:
        """A mention with a gender or descriptors (a plain one is made in
        `_gender_mentions`): all its fields passed."""
        mention = _new_mention(
            {
                "article": self.article.id,
                "text": name,
                "kind": kind,
                "descriptors": descriptors,
                "gender": gender,
                "cue": cue,
                "evidence": self._evidence(sentence),
            }
        )
        self.mentions.append(mention)

    def _antecedent(self, sentence: _Sentence, pos: int, previous: _Sentence | None) -> str | None:
        """The person a pronoun at `pos` refers to, or None when it is not clear."""
        before = [
            m for m in sentence.mentions if m.kind == "person" and m.end <= pos and not m.quoted
        ]
        # One person before it (most) has one name: no keys to compare.
        if len(before) == 1 or len({_name_key(m.full or m.text) for m in before}) == 1:
            return before[-1].full or before[-1].text
        if before:
            # "<Person> said he ...": the speaker right before the pronoun.
            gap = self.text[before[-1].end : pos].lower().split()
            if gap and gap[0] in lx.SPEECH_VERBS and len(gap) <= 3:
                return before[-1].full or before[-1].text
            return None
        if previous is None:
            return None
        persons = [m for m in previous.mentions if m.kind == "person" and not m.quoted]
        return (persons[0].full or persons[0].text) if persons else None


# -- helpers -------------------------------------------------------------------------------

_TITLES = frozenset(w.rstrip(".") for w in lx.TITLE_WORDS)
_PREPOSITION = re.compile(r"\s(?:of|at|for|from|with|in)\s")
_ON = re.compile(r"\bon\s+")
_PLACE_PREPOSITION = re.compile(r"\b(in|to|at)\b[^,.;]*$")
# One meets *in* or *at* a place; "meet Putin and discuss supplies to Moscow" does not
# place the meeting in Moscow.
_MEET_PREPOSITION = re.compile(r"\b(in|at)\b[^,.;]*$")
_NAME_GAPS = re.compile(r"[\s\-]+")
_COMMA = re.compile(r",[”\"]?\s*")
# These are searched for, so they open with a character class or with one literal letter
# (a leading \b moved into a look-behind): the regex engine then skips in C to the next
# place one can begin instead of trying the pattern at every character; with one literal
# letter it skips fastest, so the negation is two patterns. tests/test_rules.py checks
# them against their plain forms, r"\bthat\b|[“\",;:]" and
# r"\b(never|not|no plan|denied|deny)\b".
_CLAUSE_END = re.compile(r"[t“\",;:](?:(?<=\bt)hat\b|(?<=[“\",;:]))")
_NOT = re.compile(r"n(?<=\bn)(?:ever|ot|o plan)\b")
_DENY = re.compile(r"d(?<=\bd)(?:enied|eny)\b")
_CONTENT_LEAD = re.compile(
    r"^(to reporters|reporters|a statement|in a statement|warning|saying|that)\b\s*"
)
_OBJECT_END = re.compile(
    r"[,;:“”\"(]|\.(?=\s|$)|\s(in|on|to|for|at|by|from|after|since|that|which|who|it|as|"
    r"with|because|while|where|when|across|between|unlike|during|seeking|and\s+\w+ed)\s"
)
_PLANNING_WORDS = frozenset(
    {"will", "plans", "plan", "planned", "planning", "intends", "expects", "set"}
)
_ABBREVIATIONS = frozenset({"mr", "mrs", "ms", "dr", "gen", "sen", "rep", "gov", "st", "lt", "col"})


_CAPITALISED_ABBREVIATIONS = frozenset({"u.s.", "u.k.", "u.n."})
# The words the claims and pronoun cues start from, all in lower case: a word is a verb of
# saying or an event verb only as written in lower case (`words[i] in lx.SPEECH_VERBS`),
# so it is one of these in `lows` too; a pronoun is one in any case.
_CUE_WORDS = frozenset(lx.SPEECH_VERBS) | frozenset(lx.EVENT_VERBS) | lx.GENDERED_PRONOUNS
_MATCH_SPAN = re.Match.span
_BEFORE_RUNS = lx.ROLE_WORDS | {"for", "of", "&"}  # the words `_find_shapes` tests before a run
_ADJACENT_GAPS = frozenset({"", " ", ". ", "-"})  # what may separate the words of a name
# Claims and mentions, the commonest objects made, built by their models' own validators
# (`validator_of`). A claim's fields left at their defaults (None, "affirmed", "asserted")
# are not passed: a tenth of the cost of a claim.
_new_claim = validator_of(Claim)
_new_mention = validator_of(EntityMention)


@lru_cache(maxsize=1 << 16)
def _shape(run: tuple[str, ...], role: str | None) -> _Shape | None:
    """Classify a capitalised run of words (`role`: a role word right before it,
    "spokeswoman"). Pure, and memoised: names and sentence-initial words recur."""
    if len(run) == 1:
        return _shape_of_word(run[0], role)
    # map() with C methods, loops and set tests rather than comprehensions, generators,
    # any() and max(): each of those makes a function or a generator object, and a run
    # not seen before (a new name) cost tens of thousands of instructions.
    words = list(map(_strip_possessive, run))
    lows = list(map(str.lower, words))
    time_word = _is_time_word(run)
    first = 0  # index in `run` of the name's first word
    while first < len(lows) and lows[first] in lx.STOP_CAPS:
        first += 1
    stripped, words, lows = words[:first], words[first:], lows[first:]
    if not words:
        return None
    last_title = len(lows) - 1  # the last title word, -1 if none
    while last_title >= 0 and lows[last_title].rstrip(".") not in _TITLES:
        last_title -= 1
    descriptors = [" ".join(words[: last_title + 1])] if last_title >= 0 else []
    if descriptors and last_title >= 0 and stripped and stripped[-1].lower() in lx.PORTFOLIOS:
        descriptors[0] = f"{stripped[-1]} {descriptors[0]}"  # "Defense Minister", not "Minister"
    if role:
        descriptors.insert(0, role)
    name_words = words[last_title + 1 :]
    first += last_title + 1
    if not name_words:
        return None
    name = " ".join(name_words)
    low = name.lower()
    last_len = len(name_words[-1])
    name_lows = lows[last_title + 1 :]  # the lower case of `name_words`
    # A leading demonym ("Russian", "North Korean") describes; it does not name.
    while len(name_words) > 1 and name_lows[0] in lx.DEMONYMS and low not in lx.PLACE_NAMES:
        descriptors.append(name_words[0])
        name_words, name_lows = name_words[1:], name_lows[1:]
        name, low = " ".join(name_words), " ".join(name_lows)
        first += 1
    single = len(name_words) == 1
    if low in lx.PLACE_NAMES and not descriptors:
        return _Shape("place", name, low, first, last_len, (), single, None, time_word)
    if not lx.ORG_WORDS.isdisjoint(map(str.rstrip, name_lows, repeat("."))) or not (
        lx.ORG_ACRONYMS.isdisjoint(name_words)
    ):
        return _Shape(
            "organization", name, low, first, last_len, tuple(descriptors), False, None, time_word
        )
    if descriptors or not single:
        if not _OTHER_NAME_WORDS.isdisjoint(name_lows) or low in lx.PLACE_NAMES:
            return None
        if name_lows[0] in lx.DEMONYMS:
            return None
        register = None if single else tuple(name_words)
        return _Shape(
            "person", name, low, first, last_len, tuple(descriptors), single, register, time_word
        )
    return _Shape("maybe", name, low, first, last_len, (), True, None, time_word)


def _shape_of_word(written: str, role: str | None = None) -> _Shape | None:
    """`_shape` of a run of one word (most runs), without the list handling."""
    word = _strip_possessive(written)
    low = word.lower()
    if low in lx.STOP_CAPS or low.rstrip(".") in _TITLES:
        return None
    written_low = written.lower()
    time_word = written_low.rstrip(".") in lx.MONTHS or written_low in lx.WEEKDAYS
    descriptors = (role,) if role else ()
    n = len(word)
    if low in lx.PLACE_NAMES and not descriptors:
        return _Shape("place", word, low, 0, n, (), True, None, time_word)
    if low.rstrip(".") in lx.ORG_WORDS or word in lx.ORG_ACRONYMS:
        return _Shape("organization", word, low, 0, n, descriptors, False, None, time_word)
    if descriptors:
        if low in _OTHER_NAME_WORDS or low in lx.PLACE_NAMES or low in lx.DEMONYMS:
            return None
        return _Shape("person", word, low, 0, n, descriptors, True, None, time_word)
    return _Shape("maybe", word, low, 0, n, (), True, None, time_word)


def _capitalised(word: str) -> bool:
    """Whether a word is capitalised: its first character is upper case ("U.S." also
    when written "u.s.")."""
    return word[0].isupper() or word.lower() in _CAPITALISED_ABBREVIATIONS


# What a piece of text between two spaces holds (`_read_piece`): its lower case, whether
# it is capitalised, None, and its length plus one when it is one whole word (most
# pieces); else "", False, its words (each with its offset in the piece, its lower case
# and whether it is capitalised), and its length plus one.
_Piece = tuple[str, bool, tuple[tuple[int, str, str, bool], ...] | None, int]


def _read_piece(piece: str) -> _Piece:
    step = len(piece) + 1  # from the piece's start to the next piece's
    matches = list(_TOKEN.finditer(piece))
    if len(matches) == 1 and matches[0].end() - matches[0].start() == len(piece):
        return piece.lower(), _capitalised(piece), None, step
    words = tuple(
        (m.start(), m.group(), m.group().lower(), _capitalised(m.group())) for m in matches
    )
    return "", False, words, step


class _PieceTable(WordTable[_Piece]):
    """`_read_piece` of the pieces of text between spaces, memoised: most are one word
    ("said") or a word and its punctuation ("Monday,"), and recur. A piece longer than a
    word can be (text without spaces) is read again each time, not stored."""

    def __missing__(self, piece: str) -> _Piece:
        if len(piece) > 40:
            return _read_piece(piece)
        return super().__missing__(piece)


_PIECES = _PieceTable(_read_piece)

# `_shape_of_word` of a word with no role word before it (most runs), memoised by the
# word as written: a look-up of the word itself, cheaper than `_shape`'s of a 1-tuple.
_WORD_SHAPES: WordTable[_Shape | None] = WordTable(_shape_of_word)
# Read through its bound C method: a dict subclass's subscript goes through a slot.
_word_shape = _WORD_SHAPES.__getitem__


def _read_words(text: str) -> tuple[list[str], list[int], list[str], list[bool]]:
    """The matches of `_TOKEN` in `text` (its words), in order: where each starts, its
    lower case and whether it is capitalised (`_capitalised`).

    Read piece by piece between single spaces (`str.split`, in C), each piece looked up
    in `_PIECES`: a word holds no space, and `_TOKEN` looks at nothing outside what it
    matches, so the words of the text are the words of its pieces. One loop step and one
    look-up a piece (most are one word) replace a regex scan of every character, the
    words' positions added up again, and a look-up a word for each of its lower case and
    whether it is capitalised: a fifth of extracting.
    """
    words: list[str] = []
    starts: list[int] = []
    lows: list[str] = []
    caps: list[bool] = []
    read = _PIECES.__getitem__  # the bound C method: a subscript goes through a slot
    start = 0  # where the piece starts
    for piece in text.split(" "):
        low, cap, inside, step = read(piece)
        if inside is None:  # one whole word
            words.append(piece)
            starts.append(start)
            lows.append(low)
            caps.append(cap)
        else:
            for offset, word, low, cap in inside:
                words.append(word)
                starts.append(start + offset)
                lows.append(low)
                caps.append(cap)
        start += step
    return words, starts, lows, caps


def _indices(words: list[str], vocabulary: Container[str]) -> list[int]:
    """The indices of the words that are in `vocabulary`, in order.

    Written with map() and compress() over the vocabulary's own `__contains__`, which run
    in C: this is asked of every word of an article (`_CUE_WORDS`), and a Python loop over
    every word was one of the largest costs.
    """
    return list(compress(range(len(words)), map(vocabulary.__contains__, words)))


def _strip_possessive(word: str) -> str:
    if word.endswith(("’s", "'s")):
        return word[:-2]
    return word


def _is_time_word(run: tuple[str, ...]) -> bool:
    """Whether every word of `run` is a month or a weekday name (any case)."""
    for word in run:  # a loop rather than all() over a generator (see `_shape`)
        low = word.lower()
        if low.rstrip(".") not in lx.MONTHS and low not in lx.WEEKDAYS:
            return False
    return True


def _name_key(name: str) -> str:
    low = name.lower()
    # Names are words joined by single spaces: then there is nothing to replace (a
    # printable string holds no whitespace but " "), and the regex need not run.
    if "-" not in low and "  " not in low and low.isprintable():
        return low.strip()
    return _NAME_GAPS.sub(" ", low).strip()


def _segments(commas: list[tuple[int, int]], start: int, end: int) -> list[tuple[int, int]]:
    """Comma-separated pieces of the text from `start` to a verb at `end`, as spans.

    A comma match (",", a closing quote, spaces) that begins before the verb also ends
    before it, as the verb begins with a word character: the sentence's commas serve for
    every verb in it.
    """
    spans: list[tuple[int, int]] = []
    for comma_start, comma_end in commas:
        if comma_start >= end:
            break
        if comma_start > start:  # empty spans (",," or a comma first) are skipped
            spans.append((start, comma_start))
        start = comma_end
    if end > start:
        spans.append((start, end))
    return spans


def _noun_phrase(segment: str) -> str | None:
    words = segment.strip(' “”"').split()
    while words and (words[-1].lower() in _AUXILIARIES or words[-1].lower() in lx.WEEKDAYS):
        words.pop()
    while words and words[0].lower() in _LEADING:
        words.pop(0)
    if not words or len(words) > 8:
        return None
    if words[-1].lower() in _RELATIVES:
        return None
    return " ".join(words)


def _clause_end(text: str, start: int, limit: int) -> int:
    match = _CLAUSE_END.search(text[start:limit])
    return start + match.start() if match else limit


def _strip_content(content: str, time_text: str | None) -> str:
    content = content.strip(" ,")
    while True:
        before = content
        if time_text and content.startswith(time_text):
            content = content[len(time_text) :].strip(" ,")
        lead = _CONTENT_LEAD.match(content)  # anchored: what sub() would replace
        if lead is not None:
            content = content[lead.end() :]
        content = content.strip(" ,")
        if content == before:
            return content.strip(" ,.")


def _negated_content(content: str) -> bool:
    """Whether a negation word is among the first 80 characters of `content`, lower-cased
    (searched up to `endpos`, which reads as the end of the text: no slice is made)."""
    low = content.lower()
    return _NOT.search(low, 0, 80) is not None or _DENY.search(low, 0, 80) is not None


def _object_phrase(text: str, start: int, limit: int) -> str | None:
    rest = text[start:limit]
    cut = len(rest)
    for match in _OBJECT_END.finditer(rest):
        if match.group() == ".":
            word = rest[: match.start()].split()[-1:] or [""]
            if word[0].lower().rstrip(".") in _ABBREVIATIONS:
                continue
        cut = match.start()
        break
    phrase = rest[:cut].strip()
    return phrase or None


def _nearest(text: str, times: list[tuple[int, int]], pos: int) -> str | None:
    if not times:
        return None
    if len(times) == 1:  # most: nothing to choose from
        a, b = times[0]
        return text[a:b]
    a, b = min(times, key=lambda t: (abs(t[0] - pos), t[0]))
    return text[a:b]


def _modality(before: list[str]) -> Modality:
    window = before[-3:]
    if not lx.SPECULATIVE_WORDS.isdisjoint(window):
        return "speculative"
    if not _PLANNING_WORDS.isdisjoint(window) or (before and before[-1] == "to"):
        return "planned"
    return "asserted"


def _gender_of(descriptor: str) -> tuple[Gender | None, str | None]:
    for word in descriptor.split():
        low = word.lower()
        if low in lx.FEMALE_WORDS:
            return "female", word
        if low in lx.MALE_WORDS:
            return "male", word
    return None, None


# A memo of `_gender_of`: descriptors are titles and roles, few and recurring.
_GENDER_OF: WordTable[tuple[Gender | None, str | None]] = WordTable(_gender_of, 4096)
