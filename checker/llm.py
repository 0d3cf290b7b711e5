"""Claims from any OpenAI-compatible endpoint, through instructor, into checker's models.

One article becomes one request (or one per chunk for long articles):

    article -> chunks (offsets kept) -> prompt + schema -> instructor -> HTTP -> answer
            -> validated against the article text -> Claim[] + EntityMention[]

Three layers of trying again, each with one job and none stacked on another:

* transport: 429 (honouring Retry-After), 408/409/5xx, timeouts and dropped connections
  are retried here with tenacity around each HTTP call; the openai client's own retries
  are switched off (``max_retries=0``).
* validation: an answer whose evidence or quotes are not in the article is re-asked by
  instructor (``max_reasks``, 2 by default), within a token budget per chunk.
* caching: a validated answer is stored (`checker.cache`), so a rerun makes no call.

A chunk whose answer never validates makes the article ``extraction_failed`` with the
reason, and the run goes on. Only this module (with `checker.replay`) imports openai or
instructor. The article reaches the model only as the Jinja variable ``article_text``:
instructor renders messages as templates, and text such as ``{{ x }}`` in an article must
arrive unchanged.
"""

from __future__ import annotations

import email.utils
import json
import logging
import math
import random
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import IO, Any, cast

import instructor
import openai
from instructor.core.exceptions import (
    IncompleteOutputException,
    InstructorRetryException,
)
from openai.types.chat import ChatCompletion
from pydantic import ValidationError
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from checker.cache import CallRecord, ExtractionCache, cache_key
from checker.errors import CheckerError, ConfigError, LLMError, ReplayMissError
from checker.models import Article, Claim, EntityMention, Extraction
from checker.progress import ProgressLine
from checker.schema import (
    ARTICLE_VARIABLE,
    PROMPT,
    PROMPT_VERSION,
    SCHEMA_VERSION,
    WHOLE_ARTICLE,
    ArticleClaims,
    Chunk,
    to_extraction_parts,
)
from checker.text import sentence_spans

# instructor logs every failed attempt at ERROR; a library must not print on its own.
logging.getLogger("instructor").addHandler(logging.NullHandler())

MODES: Mapping[str, instructor.Mode] = {
    "tools": instructor.Mode.TOOLS,
    "json_schema": instructor.Mode.JSON_SCHEMA,
    "json": instructor.Mode.JSON,
    "md_json": instructor.Mode.MD_JSON,
}

DEFAULT_MODEL = "gpt-4o-mini"
RECORD_HINT = "re-record the cassettes with `make record` (see cassettes/README.md)"

# US dollars per million (prompt, completion) tokens; estimates, check your provider.
PRICES: Mapping[str, tuple[float, float]] = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
}

# Completion tokens per article token, for dry-run estimates: measured on the seed
# cluster's reference annotations (see the issue 3 note); real models vary.
COMPLETION_RATIO = 5.0
# The Batch API bills half the synchronous price.
BATCH_PRICE_FACTOR = 0.5
_RETRYABLE_STATUS = frozenset({408, 409, 429})


def estimate_tokens(text: str) -> int:
    """Tokens in `text`, estimated as characters / 4 (no tokenizer download, ever)."""
    return math.ceil(len(text) / 4)


@dataclass(frozen=True)
class LLMSettings:
    """How to reach the model and how hard to try. Waits are injectable for tests."""

    model: str
    api_key: str
    base_url: str | None = None
    mode: str = "tools"
    timeout_s: float = 120.0
    transport_attempts: int = 3
    backoff_s: float = 1.0
    max_wait_s: float = 60.0
    max_reasks: int = 2
    reask_token_budget: int = 40_000
    max_chunk_chars: int = 6_000
    temperature: float = 0.0
    price_per_mtok: tuple[float, float] | None = None
    # Start no new call once this run spent this much, counting calls in flight at their
    # estimated cost.
    max_cost_usd: float | None = None
    default_headers: Mapping[str, str] | None = None
    sleep: Callable[[float], None] = time.sleep

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ConfigError(f"unknown mode {self.mode!r}: choose one of {', '.join(MODES)}")
        if self.transport_attempts < 1 or self.max_reasks < 0 or self.max_chunk_chars < 200:
            raise ConfigError("attempts must be >= 1, re-asks >= 0 and chunks >= 200 chars")
        if self.max_cost_usd is not None and self.price is None:
            raise ConfigError(
                f"--max-cost needs a price for model {self.model!r}: give --price-per-mtok "
                "IN,OUT (US dollars per million prompt and completion tokens)"
            )

    @property
    def price(self) -> tuple[float, float] | None:
        return self.price_per_mtok or PRICES.get(self.model)

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float | None:
        price = self.price
        if price is None:
            return None
        return (prompt_tokens * price[0] + completion_tokens * price[1]) / 1_000_000


def split_chunks(text: str, max_chars: int) -> list[Chunk]:
    """Cut `text` at sentence ends into chunks of at most `max_chars` (offsets kept).

    A text that fits is one chunk, byte for byte; a single sentence longer than the
    limit is a chunk of its own.
    """
    if len(text) <= max_chars:
        return [Chunk(start=0, text=text)]
    chunks: list[Chunk] = []
    first: int | None = None
    last = 0
    for start, end in sentence_spans(text):
        if first is not None and end - first > max_chars:
            chunks.append(Chunk(start=first, text=text[first:last]))
            first = None
        if first is None:
            first = start
        last = end
    if first is not None:
        chunks.append(Chunk(start=first, text=text[first:last]))
    return chunks


@dataclass
class RunStats:
    """What this run cost, summed over articles; thread-safe through `lock`."""

    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    articles: int = 0
    failed: int = 0
    cache_hits: int = 0
    calls: int = 0
    reasks: int = 0
    retries: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    cost_known: bool = True
    latency_s: float = 0.0
    over_budget: int = 0
    # Estimated cost of the calls in flight: with --concurrency N, calls that started
    # before the first one's cost was known would each overshoot --max-cost.
    reserved_usd: float = 0.0


class _Captured(Exception):
    """Raised by the capturing `create` of `request_body` once it has the request."""


class _BudgetSpent(Exception):
    """The re-ask token budget of one chunk is spent: stop asking."""


@dataclass
class _ChunkCall:
    """State of one chunk's conversation across transport retries and re-asks."""

    article: Article
    chunk_index: int
    key: str
    answers: int = 0
    tokens: int = 0


class LLMExtractor:
    """Extract claims from an OpenAI-compatible endpoint; cached, bounded, accounted."""

    def __init__(
        self,
        settings: LLMSettings,
        cache: ExtractionCache | None = None,
        *,
        concurrency: int = 4,
        label: str | None = None,
        progress: IO[str] | None = None,
        replaying: bool = False,
    ) -> None:
        if concurrency < 1:
            raise ConfigError("--concurrency must be at least 1")
        self.settings = settings
        self.cache = cache if cache is not None else ExtractionCache(None)
        self.concurrency = concurrency
        self._name = label or f"llm:{settings.model}"
        self._progress = progress
        self.replaying = replaying
        self.run_id = uuid.uuid4().hex
        self.stats = RunStats()
        self._mode = MODES[settings.mode]
        self._prefilled: dict[tuple[str, int], ChatCompletion] = {}
        self._prefill_lock = threading.Lock()
        self._fixed_tokens: int | None = None
        self._client = openai.OpenAI(
            api_key=settings.api_key,
            base_url=settings.base_url,
            timeout=settings.timeout_s,
            max_retries=0,
            default_headers=settings.default_headers,
        )

    @property
    def name(self) -> str:
        return self._name

    @property
    def client(self) -> openai.OpenAI:
        """The openai client (the Batch API runner uploads and polls with it)."""
        return self._client

    @property
    def identity(self) -> str:
        """What a stored extraction must match to be reused (`checker.store`)."""
        s = self.settings
        return (
            f"{self.name}|prompt {PROMPT_VERSION}|schema {SCHEMA_VERSION}|mode {s.mode}"
            f"|chunk {s.max_chunk_chars}"
        )

    def prefill(self, key: str, chunk_index: int, response: ChatCompletion) -> None:
        """Use `response` as the first answer for this chunk (from the Batch API)."""
        with self._prefill_lock:
            self._prefilled[(key, chunk_index)] = response

    def request_body(self, article: Article, chunk: Chunk, index: int = 0) -> dict[str, Any]:
        """The exact chat-completions body the first request for `chunk` would send."""
        captured: dict[str, Any] = {}

        def capture(**kwargs: Any) -> ChatCompletion:
            captured.update(kwargs)
            raise _Captured

        call = _ChunkCall(article=article, chunk_index=index, key=self.cache_key(article))
        try:
            self._instruct(capture, call, chunk)
        except Exception:
            if not captured:
                raise
        return captured

    def budget_left(self) -> float | None:
        """US dollars this run may still spend under ``max_cost_usd`` (None: no limit)."""
        limit = self.settings.max_cost_usd
        if limit is None:
            return None
        with self.stats.lock:
            return limit - self.stats.cost_usd

    def _reserve(self, chunk: Chunk) -> tuple[float, str | None]:
        """Book a call's estimated cost before it starts: (amount booked, None), or
        (0, why not) when what was spent plus what calls in flight are estimated to cost
        already reaches ``max_cost_usd``. `_release` the amount once the call is over
        (its real cost is then in `stats.cost_usd`)."""
        limit = self.settings.max_cost_usd
        if limit is None:
            return 0.0, None
        prompt = self._fixed_prompt_tokens() + estimate_tokens(chunk.text)
        completion = math.ceil(COMPLETION_RATIO * estimate_tokens(chunk.text))
        estimate = self.settings.cost(prompt, completion) or 0.0
        with self.stats.lock:
            if self.stats.cost_usd + self.stats.reserved_usd < limit:
                self.stats.reserved_usd += estimate
                return estimate, None
            spent, in_flight = self.stats.cost_usd, self.stats.reserved_usd
        held = f", ${in_flight:.4f} more estimated for calls in flight" if in_flight else ""
        return 0.0, (
            f"not extracted: --max-cost ${limit:.4f} reached (${spent:.4f} spent by this "
            f"run{held}); rerun with --run to resume"
        )

    def _release(self, amount: float) -> None:
        if amount:
            with self.stats.lock:
                self.stats.reserved_usd -= amount

    def _fixed_prompt_tokens(self) -> int:
        """Estimated tokens of what every request sends besides the article: prompts and
        the schema."""
        if self._fixed_tokens is None:
            schema = json.dumps(ArticleClaims.model_json_schema(), ensure_ascii=False)
            self._fixed_tokens = estimate_tokens(PROMPT.system + PROMPT.user + schema)
        return self._fixed_tokens

    def cache_key(self, article: Article) -> str:
        mode = f"{self.settings.mode};chunk={self.settings.max_chunk_chars}"
        return cache_key(
            article.content_hash, PROMPT_VERSION, SCHEMA_VERSION, self.settings.model, mode
        )

    # --- one article ------------------------------------------------------------------

    def extract(self, article: Article) -> Extraction:
        """Claims of one article; raises `LLMError` when the endpoint keeps failing."""
        with self.stats.lock:
            self.stats.articles += 1
        key = self.cache_key(article)
        chunks = split_chunks(article.text, self.settings.max_chunk_chars)
        cached = self._from_cache(article, key, chunks)
        if cached is not None:
            with self.stats.lock:
                self.stats.cache_hits += 1
            return cached
        answers: list[ArticleClaims] = []
        for index, chunk in enumerate(chunks):
            booked, spent = self._reserve(chunk)
            if spent is not None:
                with self.stats.lock:
                    self.stats.over_budget += 1
                return Extraction(
                    article=article.id,
                    extractor=self.name,
                    status="extraction_failed",
                    reason=spent,
                )
            call = _ChunkCall(article=article, chunk_index=index, key=key)
            try:
                answer, reason = self._ask(call, chunk)
            finally:
                self._release(booked)
            if answer is None:
                with self.stats.lock:
                    self.stats.failed += 1
                return Extraction(
                    article=article.id,
                    extractor=self.name,
                    status="extraction_failed",
                    reason=reason,
                )
            answers.append(answer)
        self.cache.put(
            key,
            article_hash=article.content_hash,
            prompt_version=PROMPT_VERSION,
            schema_version=SCHEMA_VERSION,
            model=self.settings.model,
            mode=self.settings.mode,
            answer_json=json.dumps([a.model_dump(mode="json") for a in answers]),
        )
        return self._extraction(article, chunks, answers)

    def _from_cache(self, article: Article, key: str, chunks: list[Chunk]) -> Extraction | None:
        stored = self.cache.get(key)
        if stored is None:
            return None
        raw = json.loads(stored)
        if not isinstance(raw, list) or len(raw) != len(chunks):
            return None
        try:
            answers = [
                ArticleClaims.model_validate(item, context=_context(article, chunk))
                for item, chunk in zip(raw, chunks, strict=True)
            ]
        except ValidationError:
            return None
        return self._extraction(article, chunks, answers)

    def _extraction(
        self, article: Article, chunks: list[Chunk], answers: list[ArticleClaims]
    ) -> Extraction:
        claims: list[Claim] = []
        mentions: list[EntityMention] = []
        for chunk, answer in zip(chunks, answers, strict=True):
            more_claims, more_mentions = to_extraction_parts(article, chunk, answer)
            claims.extend(more_claims)
            mentions.extend(more_mentions)
        claims.sort(key=lambda c: (c.evidence.start, c.evidence.end))
        mentions.sort(key=lambda m: (m.evidence.start, m.evidence.end))
        return Extraction(
            article=article.id,
            extractor=self.name,
            claims=tuple(claims),
            mentions=tuple(mentions),
        )

    def _instruct(
        self, send: Callable[..., ChatCompletion], call: _ChunkCall, chunk: Chunk
    ) -> ArticleClaims:
        create = cast(Callable[..., ArticleClaims], instructor.patch(create=send, mode=self._mode))
        return create(
            response_model=ArticleClaims,
            context=_context(call.article, chunk),
            max_retries=self.settings.max_reasks,
            model=self.settings.model,
            messages=PROMPT.messages(),
            temperature=self.settings.temperature,
        )

    def _ask(self, call: _ChunkCall, chunk: Chunk) -> tuple[ArticleClaims | None, str]:
        """The validated answer for one chunk, or None and the reason it failed."""
        try:
            answer = self._instruct(lambda **kw: self._send(call, kw), call, chunk)
        except IncompleteOutputException:
            return None, "the answer was cut off (finish_reason=length); use smaller chunks"
        except InstructorRetryException as exc:
            self._raise_transport_failure(exc, call)
            return None, _failure_reason(exc, call.answers)
        return answer, ""

    def _raise_transport_failure(self, exc: BaseException, call: _ChunkCall) -> None:
        """Re-raise what is not the model's fault as one of checker's errors."""
        for cause in _causes(exc):
            if isinstance(cause, CheckerError):
                raise cause
            if isinstance(cause, openai.AuthenticationError | openai.PermissionDeniedError):
                raise ConfigError(
                    f"the endpoint refused the credentials ({cause.status_code}); "
                    "check OPENAI_API_KEY and --base-url"
                ) from cause
            if isinstance(cause, openai.APIError):
                raise LLMError(
                    f"{call.article.id}: the model endpoint failed: {_describe(cause)}"
                ) from cause

    # --- one HTTP call ----------------------------------------------------------------

    def _send(self, call: _ChunkCall, kwargs: dict[str, Any]) -> ChatCompletion:
        """One chat completion, with transport retries; every attempt is logged.

        The first request of a chunk whose answer came from the Batch API is answered from
        it (`prefill`); only re-asks then go over HTTP.
        """
        if call.answers == 0:
            with self._prefill_lock:
                ready = self._prefilled.pop((call.key, call.chunk_index), None)
            if ready is not None:
                return self._accept(call, kwargs, ready, 0.0, "batch", BATCH_PRICE_FACTOR)
        if call.answers and call.tokens >= self.settings.reask_token_budget:
            raise _BudgetSpent(
                f"re-ask token budget spent ({call.tokens} of "
                f"{self.settings.reask_token_budget} tokens)"
            )
        retrying = Retrying(
            stop=stop_after_attempt(self.settings.transport_attempts),
            retry=retry_if_exception(_is_transient),
            wait=self._wait,
            sleep=self.settings.sleep,
            reraise=True,
        )
        for attempt in retrying:
            with attempt:
                if attempt.retry_state.attempt_number > 1:
                    with self.stats.lock:
                        self.stats.retries += 1
                return self._send_once(call, kwargs)
        raise AssertionError("unreachable: tenacity reraises")  # pragma: no cover

    def _send_once(self, call: _ChunkCall, kwargs: dict[str, Any]) -> ChatCompletion:
        started = time.perf_counter()
        try:
            response: ChatCompletion = self._client.chat.completions.create(**kwargs)
        except openai.APIError as exc:
            with self.stats.lock:
                self.stats.calls += 1
            self._log(call, _outcome(exc), 0, 0, time.perf_counter() - started)
            if _is_replay_miss(exc):
                raise ReplayMissError(
                    f"{call.article.id}: no recorded exchange matches this request (the "
                    f"prompt, schema, model or article changed); {RECORD_HINT}"
                ) from exc
            raise
        return self._accept(call, kwargs, response, time.perf_counter() - started, "ok")

    def _accept(
        self,
        call: _ChunkCall,
        kwargs: dict[str, Any],
        response: ChatCompletion,
        latency: float,
        outcome: str,
        price_factor: float = 1.0,
    ) -> ChatCompletion:
        """Count and log one answer (a live call, or a Batch API result at `price_factor`)."""
        usage = response.usage
        if usage is not None:
            prompt_tokens, completion_tokens = usage.prompt_tokens, usage.completion_tokens
        else:
            sent = json.dumps(kwargs.get("messages", []), ensure_ascii=False)
            prompt_tokens = estimate_tokens(sent)
            completion_tokens = estimate_tokens(response.model_dump_json())
        call.answers += 1
        call.tokens += prompt_tokens + completion_tokens
        with self.stats.lock:
            self.stats.calls += 1
            if call.answers > 1:
                self.stats.reasks += 1
        self._log(call, outcome, prompt_tokens, completion_tokens, latency, price_factor)
        return response

    def _wait(self, state: RetryCallState) -> float:
        """Seconds before the next attempt: the server's Retry-After, else backoff."""
        outcome = state.outcome
        exc = outcome.exception() if outcome is not None else None
        if isinstance(exc, openai.APIStatusError):
            asked = retry_after_seconds(exc.response.headers)
            if asked is not None:
                return min(asked, self.settings.max_wait_s)
        backoff = self.settings.backoff_s * float(2 ** (state.attempt_number - 1))
        return min(backoff + random.uniform(0, self.settings.backoff_s), self.settings.max_wait_s)

    def _log(
        self,
        call: _ChunkCall,
        outcome: str,
        prompt_tokens: int,
        completion_tokens: int,
        latency: float,
        price_factor: float = 1.0,
    ) -> None:
        cost = self.settings.cost(prompt_tokens, completion_tokens)
        if cost is not None:
            cost *= price_factor
        with self.stats.lock:
            self.stats.prompt_tokens += prompt_tokens
            self.stats.completion_tokens += completion_tokens
            self.stats.latency_s += latency
            if cost is None:
                self.stats.cost_known = False
            else:
                self.stats.cost_usd += cost
        self.cache.record_call(
            CallRecord(
                run_id=self.run_id,
                article=call.article.id,
                cache_key=call.key,
                chunk=call.chunk_index,
                model=self.settings.model,
                outcome=outcome,
                prompt_tokens=prompt_tokens,
                completion_tokens=completion_tokens,
                cost_usd=cost,
                latency_s=latency,
            )
        )

    # --- many articles ----------------------------------------------------------------

    def extract_many(self, articles: Sequence[Article]) -> list[Extraction]:
        """Extract every article with at most `concurrency` requests in flight.

        Results come back in input order. An article whose endpoint kept failing is
        ``extraction_failed``; a configuration error (bad key) stops the run.
        """
        return run_bounded(self._extract_or_fail, articles, self.concurrency, self._progress)

    def _extract_or_fail(self, article: Article) -> Extraction:
        try:
            return self.extract(article)
        except LLMError as exc:
            with self.stats.lock:
                self.stats.failed += 1
            return Extraction(
                article=article.id, extractor=self.name, status="extraction_failed", reason=str(exc)
            )

    def summary(self) -> str | None:
        """One paragraph: calls, cache hits, tokens, estimated cost and latency."""
        s = self.stats
        if s.articles == 0:
            return None
        if self.replaying:
            return (
                f"{self.name} (prompt {PROMPT_VERSION}, schema {SCHEMA_VERSION}): "
                f"{s.articles} articles replayed from cassettes, {s.failed} failed; "
                f"{s.calls} recorded calls ({s.reasks} re-asks, {s.retries} transport "
                f"retries); recorded usage {s.prompt_tokens} prompt + {s.completion_tokens} "
                "completion tokens; no model was called."
            )
        cost = f"${s.cost_usd:.4f}" if s.cost_known else "unknown (no price for this model)"
        per_call = s.latency_s / s.calls if s.calls else 0.0
        return (
            f"{self.name} (prompt {PROMPT_VERSION}, schema {SCHEMA_VERSION}, mode "
            f"{self.settings.mode}): {s.articles} articles, {s.cache_hits} from cache, "
            f"{s.failed} failed; {s.calls} calls ({s.reasks} re-asks, {s.retries} transport "
            f"retries); {s.prompt_tokens} prompt + {s.completion_tokens} completion tokens; "
            f"estimated cost {cost}; model latency {s.latency_s:.1f} s "
            f"({per_call:.2f} s per call)."
            + (
                f" {s.over_budget} articles not extracted: --max-cost reached."
                if s.over_budget
                else ""
            )
        )

    def estimate(self, articles: Sequence[Article]) -> str:
        """What a run would cost, from token estimates; makes no call."""
        fixed = self._fixed_prompt_tokens()
        calls = prompt = completion = cached = 0
        for article in articles:
            if self.cache.get(self.cache_key(article)) is not None:
                cached += 1
                continue
            for chunk in split_chunks(article.text, self.settings.max_chunk_chars):
                calls += 1
                prompt += fixed + estimate_tokens(chunk.text)
                completion += math.ceil(COMPLETION_RATIO * estimate_tokens(chunk.text))
        cost = self.settings.cost(prompt, completion)
        shown = f"${cost:.4f}" if cost is not None else "unknown (no price for this model)"
        return (
            f"Dry run for {self.name}: {len(articles)} articles, {cached} already cached; "
            f"{calls} calls (re-asks, at most {self.settings.max_reasks} per chunk, not "
            f"counted); about {prompt} prompt + {completion} completion tokens (estimated as "
            f"characters / 4); estimated cost {shown}. No call was made."
        )


# --- helpers shared with checker.replay ---------------------------------------------------


def run_bounded(
    work: Callable[[Article], Extraction],
    articles: Sequence[Article],
    concurrency: int,
    stream: IO[str] | None,
) -> list[Extraction]:
    """Apply `work` to every article on `concurrency` threads; results in input order."""
    progress = ProgressLine(stream)
    total = len(articles)
    progress(0, total)
    try:
        if concurrency <= 1 or total <= 1:
            results = []
            for article in articles:
                results.append(work(article))
                progress(len(results), total)
            return results
        slots: list[Extraction | None] = [None] * total
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            futures: dict[Future[Extraction], int] = {
                pool.submit(work, article): i for i, article in enumerate(articles)
            }
            try:
                for done, future in enumerate(as_completed(futures), start=1):
                    slots[futures[future]] = future.result()
                    progress(done, total)
            except BaseException:
                for future in futures:
                    future.cancel()
                raise
    finally:
        progress.end()
    return [slot for slot in slots if slot is not None]


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """The wait a server asks for: retry-after-ms, or Retry-After in seconds or as a date."""
    lowered = {k.lower(): v for k, v in headers.items()}
    millis = lowered.get("retry-after-ms")
    if millis is not None:
        try:
            return max(float(millis) / 1000, 0.0)
        except ValueError:
            pass
    value = lowered.get("retry-after")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    when = email.utils.parsedate_to_datetime(value) if value else None
    if when is None:
        return None
    return max(when.timestamp() - time.time(), 0.0)


def _context(article: Article, chunk: Chunk) -> dict[str, str]:
    """Template variables and validation context: only the chunk is rendered."""
    return {ARTICLE_VARIABLE: chunk.text, WHOLE_ARTICLE: article.text}


def _is_transient(exc: BaseException) -> bool:
    if _is_replay_miss(exc):
        return False
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code in _RETRYABLE_STATUS or exc.status_code >= 500
    return isinstance(exc, openai.APIConnectionError)  # includes APITimeoutError


def _is_replay_miss(exc: BaseException) -> bool:
    """True when vcrpy refused a request that no cassette recorded (never retried)."""
    return any(
        type(cause).__name__ == "CannotOverwriteExistingCassetteException" for cause in _causes(exc)
    )


def _causes(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _outcome(exc: openai.APIError) -> str:
    if isinstance(exc, openai.APITimeoutError):
        return "timeout"
    if isinstance(exc, openai.APIStatusError):
        return f"http_{exc.status_code}"
    return "connection_error"


def _describe(exc: openai.APIError) -> str:
    if isinstance(exc, openai.APIStatusError):
        return f"HTTP {exc.status_code}: {exc.message}"
    return str(exc)


def _failure_reason(exc: InstructorRetryException, answers: int) -> str:
    """Why the answers were rejected, short enough for a report."""
    problems: list[str] = []
    for cause in _causes(exc):
        if isinstance(cause, _BudgetSpent):
            return f"answer rejected and {cause} after {answers} calls"
        if isinstance(cause, ValidationError):
            for error in cause.errors(include_url=False):
                lines = [ln.strip("- ").strip() for ln in str(error["msg"]).splitlines()]
                found = [ln for ln in lines if " is not in " in ln]
                where = ".".join(str(part) for part in error["loc"]) or "answer"
                problems.extend(found or [f"{where}: {lines[0] if lines else 'invalid'}"])
            break
    if not problems:
        problems = [str(exc).strip().splitlines()[0][:200]]
    shown = "; ".join(dict.fromkeys(problems[:3]))
    return f"answer still invalid after {answers} calls ({max(answers - 1, 0)} re-asks): {shown}"
