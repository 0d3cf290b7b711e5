"""Progress on stderr (checker.progress): a bar on a terminal, paced lines otherwise."""

from __future__ import annotations

import io

from checker.progress import ProgressLine


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_plain_lines_come_first_then_paced_by_time_and_always_at_the_end() -> None:
    stream, clock = io.StringIO(), Clock()
    progress = ProgressLine(stream, interval=5.0, clock=clock)
    for done in range(1, 11):
        clock.now = done  # one article a second
        progress(done, 10)
    progress.end()
    assert stream.getvalue().splitlines() == [
        "checker: extracted 1/10 articles",
        "checker: extracted 6/10 articles",
        "checker: extracted 10/10 articles",
    ]


def test_a_terminal_gets_a_bar_redrawn_in_place_ending_its_line() -> None:
    stream = Terminal()
    progress = ProgressLine(stream)
    for done in range(1, 4):
        progress(done, 3)
    text = stream.getvalue()
    assert text.count("\r") == 3 and text.endswith("] 3/3 articles\n")
    assert "[" + "#" * 30 + "]" in text


def test_a_big_run_redraws_the_bar_only_when_a_hundredth_or_the_bar_changes() -> None:
    stream = Terminal()
    progress = ProgressLine(stream)
    for done in range(1, 100_001):
        progress(done, 100_000)
    assert 100 <= stream.getvalue().count("\r") <= 100 + 30


def test_an_unfinished_bar_is_ended_so_an_error_starts_its_own_line() -> None:
    stream = Terminal()
    progress = ProgressLine(stream)
    progress(1, 3)
    progress.end()
    progress.end()  # only once
    assert stream.getvalue().endswith("] 1/3 articles\n") and stream.getvalue().count("\n") == 1


def test_none_means_stderr_at_the_time_of_writing(capsys: object) -> None:
    progress = ProgressLine()
    progress(1, 1)
    assert "extracted 1/1 articles" in capsys.readouterr().err  # type: ignore[attr-defined]


def test_the_words_are_the_callers() -> None:
    stream = io.StringIO()
    ProgressLine(stream, done="compared", unit="stories")(2, 2)
    assert stream.getvalue() == "checker: compared 2/2 stories\n"


def test_a_step_marked_as_started_says_how_long_it_took() -> None:
    stream, clock = io.StringIO(), Clock()
    progress = ProgressLine(stream, clock=clock)
    progress(0, 2)  # started: nothing shown
    clock.now = 1.0
    progress(1, 2)
    clock.now = 42.25
    progress(2, 2)
    assert stream.getvalue().splitlines() == [
        "checker: extracted 1/2 articles",
        "checker: extracted 2/2 articles in 42.2 s",
    ]
