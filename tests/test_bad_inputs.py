"""The bad-input matrix (issue 5), end to end through ``checker check --run``.

Each case puts one bad input next to a good article. What must hold every time: a clear
one-line message naming the file, the good article checked, the problem listed in the
report (RUN/report.json), and exit 0 (the good article has no flags). Exit 2 only when
nothing could be processed.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from checker.cli import main

GOOD = "The committee met on Tuesday."
Setup = Callable[[Path], str]  # makes the bad input, returns the name the message must use


def put(folder: Path, name: str, data: bytes) -> str:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return name


def symlink_loop(folder: Path) -> str:
    (folder / "sub").mkdir()
    try:
        (folder / "sub" / "back").symlink_to(folder, target_is_directory=True)
    except OSError:
        pytest.skip("symlinks not supported here")
    return "sub/back"


CASES: dict[str, tuple[Setup, str, str | None]] = {
    # case: (setup, words the problem must say, text of the article when it still loads)
    "empty": (lambda d: put(d, "empty.txt", b""), "empty file", None),
    "whitespace-only": (lambda d: put(d, "blank.txt", b" \n\t\r\n "), "only whitespace", None),
    "binary": (lambda d: put(d, "photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00"), "binary", None),
    "latin-1": (
        lambda d: put(d, "old.txt", "Caf\u00e9 owners met on Monday.".encode("latin-1")),
        "read as Windows-1252",
        "Caf\u00e9 owners met on Monday.",
    ),
    "utf-16 with BOM": (
        lambda d: put(d, "wide.txt", "Ministers met on Friday.\r\n".encode("utf-16")),
        "",
        "Ministers met on Friday.\n",
    ),
    "5 MB article": (
        lambda d: put(d, "huge.txt", ("Words and more words. " * 240_000).encode()),
        "over the limit of 1,000,000; skipped",
        None,
    ),
    "duplicate ids": (
        lambda d: put(d, "z/good.txt", b"Another text under the same id."),
        "duplicate article id 'good'",
        None,
    ),
    "malformed JSONL line": (
        lambda d: put(d, "feed.jsonl", b'{"id": "j1", "text": "Fine line."}\n{"id": "j2", "te\n'),
        "not valid JSON",
        None,
    ),
    "bad front-matter date": (
        lambda d: put(d, "dated.md", b"---\npublished: 2023-02-30\n---\nBoard met on Monday.\n"),
        "'published' is not a date",
        "Board met on Monday.\n",
    ),
    "symlink loop": (symlink_loop, "symlink loop", None),
}


@pytest.mark.parametrize("case", list(CASES))
def test_one_bad_input_is_named_and_the_rest_is_checked(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    setup, says, loaded_text = CASES[case]
    corpus, run = tmp_path / "corpus", tmp_path / "run"
    corpus.mkdir()
    put(corpus, "good.txt", GOOD.encode())
    name = setup(corpus)

    code = main(["check", str(corpus), "--run", str(run), "--extractor", "rules"])

    err = capsys.readouterr().err
    assert code == 0, err
    report = json.loads((run / "report.json").read_text(encoding="utf-8"))
    ids = {a["id"] for a in report["articles"]}
    assert "good" in ids
    problems = [p for p in report["problems"] if name in p["path"]]
    if case == "utf-16 with BOM":
        assert problems == []
    else:
        assert len(problems) == 1, report["problems"]
        assert says in problems[0]["message"]
        assert "\n" not in problems[0]["message"]
        assert f"checker: warning: {problems[0]['path']}: " in err
    if loaded_text is not None:
        stem = Path(name).stem
        assert stem in ids, "the article is checked, not lost"
    if case == "malformed JSONL line":
        assert "j1" in ids and problems[0]["path"].endswith("feed.jsonl:2")


def test_the_decoded_texts_are_what_the_file_says(tmp_path: Path) -> None:
    from checker.corpus import load_corpus

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for case in ("latin-1", "utf-16 with BOM", "bad front-matter date"):
        CASES[case][0](corpus)
    texts = {a.id: a.text for a in load_corpus(corpus).articles}
    assert texts == {
        "old": "Caf\u00e9 owners met on Monday.",
        "wide": "Ministers met on Friday.\n",
        "dated": "Board met on Monday.\n",
    }


def test_an_unreadable_file_is_named_and_the_rest_is_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus, run = tmp_path / "corpus", tmp_path / "run"
    corpus.mkdir()
    put(corpus, "good.txt", GOOD.encode())
    put(corpus, "locked.txt", b"Secret.")
    real_read_bytes = Path.read_bytes

    def read_bytes(self: Path) -> bytes:  # as chmod 000 would, even for root
        if self.name == "locked.txt":
            raise PermissionError(13, "Permission denied", str(self))
        return real_read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    assert main(["check", str(corpus), "--run", str(run), "--extractor", "rules"]) == 0
    report = json.loads((run / "report.json").read_text(encoding="utf-8"))
    assert [a["id"] for a in report["articles"]] == ["good"]
    assert report["problems"] == [
        {"path": f"{corpus.as_posix()}/locked.txt", "message": "cannot read: permission denied"}
    ]
    assert "locked.txt: cannot read: permission denied" in capsys.readouterr().err


def test_a_missing_folder_is_exit_2_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope"
    assert main(["check", str(missing), "--run", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err
    assert err == f"checker: error: {missing}: no such file or folder\n"


def test_nothing_processable_is_exit_2_with_the_reasons(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    put(corpus, "empty.txt", b"")
    put(corpus, "huge.txt", b"x. " * 400_000)
    assert main(["check", str(corpus), "--run", str(tmp_path / "run"), "--extractor", "rules"]) == 2
    err = capsys.readouterr().err
    assert "no article could be read" in err and "empty.txt: empty file" in err
    assert "huge.txt" in err


def test_the_size_limit_can_be_raised_or_lifted(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    put(corpus, "good.txt", GOOD.encode())
    put(corpus, "long.txt", ("Officials met on Monday. " * 100).encode())
    for limit, expected in (("1000", {"good"}), ("0", {"good", "long"})):
        run = tmp_path / f"run{limit}"
        args = ["check", str(corpus), "--run", str(run), "--extractor", "rules", "-q"]
        assert main([*args, "--max-article-chars", limit]) == 0
        report = json.loads((run / "report.json").read_text(encoding="utf-8"))
        assert {a["id"] for a in report["articles"]} == expected


def test_utf_8_bom_and_utf_32_bom_decode(tmp_path: Path) -> None:
    from checker.corpus import load_corpus

    put(tmp_path, "a.txt", codecs.BOM_UTF8 + b"One.")
    put(tmp_path, "b.txt", "Two.".encode("utf-32"))
    assert [a.text for a in load_corpus(tmp_path).articles] == ["One.", "Two."]
