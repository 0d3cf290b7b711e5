"""Progress of a check's long steps (extracting articles, comparing stories) on stderr.

One printer for every extractor: the rule extractor does hundreds of articles a second, a
model one every few seconds, so plain lines (a log, CI) are paced by time, not by count.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import IO

_BAR_WIDTH = 30


class ProgressLine:
    """Called with (done, total) after each item ("extracted 3/10 articles"). On a
    terminal, a bar redrawn in place; otherwise a plain line at the first item, then at
    most one every `interval` seconds, and always at the last. A call with done=0 marks
    the start of the step (nothing is shown): the last line then says how long it took.
    `stream` None means stderr at the time of writing."""

    def __init__(
        self,
        stream: IO[str] | None = None,
        *,
        done: str = "extracted",
        unit: str = "articles",
        interval: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._stream = stream
        self._done = done
        self._unit = unit
        self._interval = interval
        self._clock = clock
        self._last_line: float | None = None
        self._last_bar: tuple[int, int] | None = None  # (filled, done) last drawn
        self._open_bar = False
        self._started: float | None = None

    def __call__(self, done: int, total: int) -> None:
        if done == 0:
            self._started = self._clock()
            return
        stream = self._stream if self._stream is not None else sys.stderr
        if getattr(stream, "isatty", lambda: False)():
            self._draw_bar(stream, done, total)
            return
        now = self._clock()
        if done == total or self._last_line is None or now - self._last_line >= self._interval:
            stream.write(
                f"checker: {self._done} {done}/{total} {self._unit}{self._took(done, total)}\n"
            )
            stream.flush()
            self._last_line = now

    def _draw_bar(self, stream: IO[str], done: int, total: int) -> None:
        filled = _BAR_WIDTH * done // max(total, 1)
        # Redraw when the bar or the hundredth changes: 100,000 redraws would cost more
        # than the articles at the rule extractor's pace.
        mark = (filled, 100 * done // max(total, 1))
        if mark == self._last_bar and done != total:
            return
        self._last_bar = mark
        bar = "#" * filled + "." * (_BAR_WIDTH - filled)
        stream.write(
            f"\rchecker: {self._done} [{bar}] {done}/{total} {self._unit}{self._took(done, total)}"
        )
        self._open_bar = done != total
        if done == total:
            stream.write("\n")
        stream.flush()

    def _took(self, done: int, total: int) -> str:
        if done != total or self._started is None:
            return ""
        return f" in {self._clock() - self._started:.1f} s"

    def end(self) -> None:
        """End a bar left unfinished (the step failed), so what follows starts a line."""
        if self._open_bar:
            stream = self._stream if self._stream is not None else sys.stderr
            stream.write("\n")
            stream.flush()
            self._open_bar = False
