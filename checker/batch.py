"""LLM extraction through the OpenAI Batch API: half price, no rate-limit pressure.

    articles -> first request of every chunk not cached yet (the very body the synchronous
    path would send) -> JSONL, ``custom_id`` = ``<cache key>:<chunk>`` -> files.create
    -> batches.create -> batches.retrieve until done -> files.content -> answers

Each answer is then handed to `checker.llm.LLMExtractor` as the first answer of its chunk,
and goes through exactly the same validation as a live one. An answer that fails it is
re-asked synchronously (instructor's re-ask, over HTTP), a request the batch could not
answer (error file, expired, cancelled, failed batch) is sent synchronously, and every
valid result lands in the same cache, so a rerun costs nothing. The batch is remembered in
the cache by the hash of its input: a run killed while polling picks the same batch up
again instead of paying for it twice.

Costs are logged per request in the cache's ``calls`` table (outcome ``batch``) at the
Batch API's half price. With ``--max-cost``, articles are submitted only while the
estimated cost fits the budget; the rest go the synchronous way, which stops at the limit.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Sequence
from typing import Any, Final

import openai
from openai.types.chat import ChatCompletion
from pydantic import ValidationError

from checker.errors import ConfigError
from checker.llm import (
    BATCH_PRICE_FACTOR,
    COMPLETION_RATIO,
    LLMExtractor,
    estimate_tokens,
    split_chunks,
)
from checker.models import Article, Extraction

ENDPOINT: Final = "/v1/chat/completions"
TERMINAL = frozenset({"completed", "failed", "expired", "cancelled"})


class BatchExtractor:
    """Submit every article to the Batch API first, then extract from the answers."""

    def __init__(
        self,
        llm: LLMExtractor,
        *,
        poll_s: float = 30.0,
        max_wait_s: float = 25 * 3600.0,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        if poll_s <= 0:
            raise ConfigError("--batch-poll-seconds must be more than 0")
        self.llm = llm
        self.poll_s = poll_s
        self.max_wait_s = max_wait_s
        self._sleep = sleep or llm.settings.sleep
        self.notes: list[str] = []
        self.submitted = 0
        self.answered = 0

    @property
    def name(self) -> str:
        return self.llm.name

    @property
    def identity(self) -> str:
        return self.llm.identity

    @property
    def concurrency(self) -> int:
        return self.llm.concurrency

    def extract(self, article: Article) -> Extraction:
        return self.llm.extract(article)

    def extract_many(self, articles: Sequence[Article]) -> list[Extraction]:
        self.prepare(articles)
        return self.llm.extract_many(articles)

    # --- submit, poll, collect ----------------------------------------------------------

    def prepare(self, articles: Sequence[Article]) -> None:
        """Run one batch with the first request of every uncached chunk of `articles`."""
        requests = self._requests(articles)
        if not requests:
            return
        lines = [
            json.dumps(
                {"custom_id": cid, "method": "POST", "url": ENDPOINT, "body": body},
                ensure_ascii=False,
                sort_keys=True,
            )
            for cid, body in sorted(requests.items())
        ]
        data = ("\n".join(lines) + "\n").encode("utf-8")
        try:
            answers = self._run(data, len(lines))
        except (openai.AuthenticationError, openai.PermissionDeniedError) as exc:
            raise ConfigError(
                f"the endpoint refused the credentials ({exc.status_code}); "
                "check OPENAI_API_KEY and --base-url"
            ) from exc
        except openai.APIError as exc:
            self.notes.append(f"the Batch API failed ({exc}); every article was sent live")
            return
        for custom_id, completion in answers.items():
            key, _, chunk = custom_id.rpartition(":")
            self.llm.prefill(key, int(chunk), completion)
        self.answered = len(answers)
        missing = len(lines) - len(answers)
        if missing:
            self.notes.append(f"{missing} batch requests had no usable answer and were sent live")

    def _requests(self, articles: Sequence[Article]) -> dict[str, dict[str, Any]]:
        """custom_id -> request body, within the budget left."""
        llm = self.llm
        budget = llm.budget_left()
        planned = 0.0
        requests: dict[str, dict[str, Any]] = {}
        left_out = 0
        for article in articles:
            key = llm.cache_key(article)
            if llm.cache.get(key) is not None:
                continue
            chunks = split_chunks(article.text, llm.settings.max_chunk_chars)
            bodies = {
                f"{key}:{i}": llm.request_body(article, chunk, i)
                for i, chunk in enumerate(chunks)
                if f"{key}:{i}" not in requests
            }
            if budget is not None:
                cost = sum(self._estimated_cost(body) for body in bodies.values())
                if planned + cost > budget:
                    left_out += 1
                    continue
                planned += cost
            requests.update(bodies)
        if left_out:
            self.notes.append(
                f"{left_out} articles were not submitted: their estimated cost would pass "
                "--max-cost"
            )
        return requests

    def _estimated_cost(self, body: dict[str, Any]) -> float:
        prompt = estimate_tokens(json.dumps(body, ensure_ascii=False))
        completion = math.ceil(COMPLETION_RATIO * prompt / 2)
        return (self.llm.settings.cost(prompt, completion) or 0.0) * BATCH_PRICE_FACTOR

    def _run(self, data: bytes, count: int) -> dict[str, ChatCompletion]:
        client = self.llm.client
        cache = self.llm.cache
        input_sha = hashlib.sha256(data).hexdigest()
        batch_id = cache.pending_batch(input_sha)
        if batch_id is None:
            uploaded = client.files.create(
                file=("checker-batch.jsonl", data, "application/jsonl"), purpose="batch"
            )
            batch = client.batches.create(
                input_file_id=uploaded.id,
                endpoint=ENDPOINT,
                completion_window="24h",
                metadata={"tool": "checker"},
            )
            batch_id = batch.id
            cache.remember_batch(input_sha, batch_id, count, "submitted")
            self.submitted = count
        else:
            self.notes.append(f"resumed batch {batch_id} submitted by an earlier run")
            batch = client.batches.retrieve(batch_id)
        waited = 0.0
        while batch.status not in TERMINAL:
            if waited >= self.max_wait_s:
                self.notes.append(f"batch {batch_id} still {batch.status}; gave up waiting")
                return {}
            self._sleep(self.poll_s)
            waited += self.poll_s
            batch = client.batches.retrieve(batch_id)
        cache.remember_batch(input_sha, batch_id, count, batch.status)
        if batch.status != "completed":
            self.notes.append(f"batch {batch_id} ended {batch.status}")
        if not batch.output_file_id:
            return {}
        text = client.files.content(batch.output_file_id).text
        return parse_output(text)

    # --- reporting ----------------------------------------------------------------------

    def summary(self) -> str | None:
        parts = []
        if self.submitted or self.answered:
            parts.append(
                f"Batch API: {self.submitted} requests submitted, {self.answered} answered"
            )
        parts.extend(self.notes)
        own = self.llm.summary()
        if own:
            parts.append(own)
        return "; ".join(parts) or None

    def estimate(self, articles: Sequence[Article]) -> str:
        return (
            self.llm.estimate(articles).replace(" No call was made.", "")
            + f" Through the Batch API that is about {BATCH_PRICE_FACTOR:.0%} of the "
            "estimated cost, plus live re-asks. No call was made."
        )


def parse_output(text: str) -> dict[str, ChatCompletion]:
    """custom_id -> completion for every successful line of a batch output file."""
    answers: dict[str, ChatCompletion] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            response = record.get("response") or {}
            if record.get("error") or response.get("status_code") != 200:
                continue
            answers[str(record["custom_id"])] = ChatCompletion.model_validate(response["body"])
        except (ValueError, KeyError, TypeError, AttributeError, ValidationError):
            continue  # an unreadable line is a missing answer: sent live instead
    return answers
