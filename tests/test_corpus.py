"""Tests for checker.corpus: every bad input is a Problem, and nothing else is lost."""

from __future__ import annotations

import codecs
import datetime as dt
import json
import os
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.corpus import Corpus, _child_shown, load_corpus
from checker.errors import CorpusError
from checker.models import Problem

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_bytes(content.encode("utf-8"))
    return path


def messages(corpus: Corpus) -> dict[str, str]:
    """Problem messages by the last component of their path."""
    return {Path(p.path.split(":")[0]).name: p.message for p in corpus.problems}


def by_id(corpus: Corpus) -> dict[str, object]:
    return {a.id: a for a in corpus.articles}


def test_folder_of_txt_and_md_recursive_with_posix_paths(tmp_path: Path) -> None:
    write(tmp_path, "b.txt", "Second article.")
    write(tmp_path, "sub/a.md", "First article.")
    write(tmp_path, "sub/c.markdown", "Third article.")
    write(tmp_path, "notes.json", "{}")
    write(tmp_path, "picture.png", b"\x89PNG\x00\x00")
    write(tmp_path, ".hidden.txt", "Hidden.")
    write(tmp_path, ".git/d.txt", "In a hidden folder.")

    corpus = load_corpus(tmp_path)

    assert [a.id for a in corpus.articles] == ["a", "b", "c"]
    assert [a.path for a in corpus.articles] == [
        f"{tmp_path.as_posix()}/sub/a.md",
        f"{tmp_path.as_posix()}/b.txt",
        f"{tmp_path.as_posix()}/sub/c.markdown",
    ]
    assert corpus.articles[0].text == "First article."
    assert corpus.problems == ()


def test_relative_path_is_kept_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "corpus/x/a.txt", "Text.")
    monkeypatch.chdir(tmp_path)
    assert load_corpus("corpus").articles[0].path == "corpus/x/a.txt"
    assert load_corpus("corpus/x/a.txt").articles[0].path == "corpus/x/a.txt"


def test_front_matter_fields_and_body_offsets(tmp_path: Path) -> None:
    body = "\nKim met Putin on Tuesday.\n"
    write(
        tmp_path,
        "a.md",
        "---\ntitle: Kim meets Putin\nsource: Reuters\nurl: https://example.com/a\n"
        "published: 2023-09-05\nid: kim-putin\nunknown: ignored\n---\n" + body,
    )
    corpus = load_corpus(tmp_path / "a.md")

    (article,) = corpus.articles
    assert corpus.problems == ()
    assert article.id == "kim-putin"
    assert (article.title, article.source, article.url) == (
        "Kim meets Putin",
        "Reuters",
        "https://example.com/a",
    )
    assert article.published == dt.date(2023, 9, 5)
    assert article.published_origin == "front_matter"
    assert article.text == body
    start = article.text.index("Putin")
    assert article.text[start : start + 5] == "Putin"
    assert start == 9


def test_front_matter_closed_with_dots_and_datetime_kept_as_date(tmp_path: Path) -> None:
    write(tmp_path, "a.txt", "---\npublished: 2023-09-05T23:10:00+02:00\n...\nBody.")
    write(tmp_path, "b.txt", "---\npublished: 2023-09-06 08:00:00\n---\nBody.")
    articles = load_corpus(tmp_path).articles
    assert [a.published for a in articles] == [dt.date(2023, 9, 5), dt.date(2023, 9, 6)]
    assert articles[0].text == "Body."


def test_malformed_front_matter_is_a_problem_and_body_still_loads(tmp_path: Path) -> None:
    write(tmp_path, "a.md", "---\ntitle: [unclosed\n---\nThe body.\n")
    corpus = load_corpus(tmp_path)
    (article,) = corpus.articles
    assert article.text == "The body.\n"
    assert article.title is None
    assert "front matter is not valid YAML" in messages(corpus)["a.md"]


def test_bad_front_matter_date_keeps_the_article(tmp_path: Path) -> None:
    write(tmp_path, "a.txt", "---\npublished: 2023-13-45\ntitle: T\n---\nNo date here.")
    write(tmp_path, "b.txt", "---\npublished: yesterday\n---\nWritten on Sept. 5, 2023.")
    corpus = load_corpus(tmp_path)

    a, b = corpus.articles
    assert (a.id, a.title, a.published, a.published_origin) == ("a", "T", None, "none")
    assert (b.published, b.published_origin) == (dt.date(2023, 9, 5), "inferred")
    root = tmp_path.as_posix()
    assert corpus.problems == (
        Problem(
            path=f"{root}/a.txt",
            message="front matter 'published' is not a date (YYYY-MM-DD): '2023-13-45'",
        ),
        Problem(
            path=f"{root}/b.txt",
            message="front matter 'published' is not a date (YYYY-MM-DD): 'yesterday'",
        ),
    )


def test_crlf_and_cr_newlines_are_normalised(tmp_path: Path) -> None:
    write(tmp_path, "a.txt", "---\r\ntitle: T\r\n---\r\nOne.\r\nTwo.\rThree.")
    (article,) = load_corpus(tmp_path).articles
    assert article.title == "T"
    assert article.text == "One.\nTwo.\nThree."


def test_jsonl_good_and_malformed_lines(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "x1", "text": "First.", "title": "T", "published": "2023-09-05"}),
        "",
        json.dumps({"text": "Second, no id."}),
        "{not json",
        json.dumps(["a list"]),
        json.dumps({"id": "x6", "text": "  "}),
        json.dumps({"id": "x7"}),
        json.dumps({"id": "x8", "text": "Bad date.", "published": "2023-02-30"}),
    ]
    write(tmp_path, "feed.jsonl", "\n".join(lines) + "\n")
    corpus = load_corpus(tmp_path)

    articles = by_id(corpus)
    assert sorted(articles) == ["feed:3", "x1", "x8"]
    first = corpus.articles[1]
    assert (first.id, first.title, first.published, first.published_origin) == (
        "x1",
        "T",
        dt.date(2023, 9, 5),
        "jsonl",
    )
    assert first.path == f"{tmp_path.as_posix()}/feed.jsonl:1"
    assert corpus.articles[0].text == "Second, no id."
    assert corpus.articles[2].published is None
    problems = {p.path.rsplit(":", 1)[1]: p.message for p in corpus.problems}
    assert set(problems) == {"4", "5", "6", "7", "8"}
    assert problems["4"].startswith("not valid JSON")
    assert problems["5"] == "not a JSON object"
    assert problems["6"] == problems["7"] == "missing or empty 'text'"
    assert problems["8"] == "'published' is not a date (YYYY-MM-DD): '2023-02-30'"


def test_manifest_fills_gaps_and_article_metadata_wins(tmp_path: Path) -> None:
    write(tmp_path, "a.txt", "---\nsource: Own Source\npublished: 2023-01-01\n---\nA.")
    write(tmp_path, "b.txt", "Dated September 9, 2023 in the text.")
    write(tmp_path, "feed.jsonl", json.dumps({"id": "c", "text": "C.", "title": "Own"}))
    manifest = {
        "a": {"source": "Manifest Source", "published": "2023-09-05", "title": "From manifest"},
        "b": {"published": "2023-09-04", "url": "https://example.com/b"},
        "c": {"title": "Manifest title", "published": "2023-09-03"},
        "ghost": {"published": "2023-09-05"},
    }
    write(tmp_path, "manifest.json", json.dumps(manifest))
    corpus = load_corpus(tmp_path)

    a, b, c = corpus.articles
    assert (a.source, a.title, a.published, a.published_origin) == (
        "Own Source",
        "From manifest",
        dt.date(2023, 1, 1),
        "front_matter",
    )
    assert (b.published, b.published_origin, b.url) == (
        dt.date(2023, 9, 4),
        "manifest",
        "https://example.com/b",
    )
    assert (c.title, c.published_origin) == ("Own", "manifest")
    assert corpus.problems == (
        Problem(
            path=f"{tmp_path.as_posix()}/manifest.json",
            message="entry 'ghost' matches no article",
        ),
    )


@pytest.mark.parametrize(
    ("content", "expected"),
    [("{broken", "not valid JSON"), ("[1, 2]", "must be a JSON object")],
)
def test_malformed_manifest_is_a_problem_and_loading_goes_on(
    tmp_path: Path, content: str, expected: str
) -> None:
    write(tmp_path, "a.txt", "Text.")
    write(tmp_path, "manifest.json", content)
    corpus = load_corpus(tmp_path)
    assert [a.id for a in corpus.articles] == ["a"]
    assert messages(corpus)["manifest.json"].startswith(expected)


def test_inferred_date_is_the_latest_full_date(tmp_path: Path) -> None:
    write(
        tmp_path,
        "a.txt",
        "On Sept. 4, 2023 they met. By 5 September 2023 it was over; "
        "a 2023-09-01 memo and a talk on September 5 (no year) changed nothing. "
        "Bad: February 30, 2023.",
    )
    write(tmp_path, "b.txt", "No date at all, only September 5.")
    a, b = load_corpus(tmp_path).articles

    assert a.published == dt.date(2023, 9, 5)
    assert a.published_origin == "inferred"
    assert a.published_note == "inferred from '5 September 2023' in the text"
    assert (b.published, b.published_origin, b.published_note) == (None, "none", None)


def test_iso_date_in_text_is_inferred(tmp_path: Path) -> None:
    write(tmp_path, "a.txt", "Filed 2023-09-06 after the September 5, 2023 meeting.")
    (a,) = load_corpus(tmp_path).articles
    assert a.published == dt.date(2023, 9, 6)
    assert a.published_note == "inferred from '2023-09-06' in the text"


def test_bad_inputs_each_become_one_problem_and_the_rest_loads(tmp_path: Path) -> None:
    write(tmp_path, "empty.txt", b"")
    write(tmp_path, "blank.md", " \n\t\r\n")
    write(tmp_path, "binary.txt", b"abc\x00def")
    write(tmp_path, "latin1.txt", "Caf\u00e9 au lait".encode("latin-1"))
    write(tmp_path, "utf16.txt", "Kim met Putin.\r\n".encode("utf-16"))
    write(tmp_path, "bom.txt", codecs.BOM_UTF8 + b"Putin met Kim.")
    write(tmp_path, "only_front.md", "---\ntitle: T\n---\n\n")
    write(tmp_path, "good.txt", "Good text.")
    corpus = load_corpus(tmp_path)

    texts = {a.id: a.text for a in corpus.articles}
    assert texts == {
        "utf16": "Kim met Putin.\n",
        "bom": "Putin met Kim.",
        "good": "Good text.",
        "latin1": "Caf\u00e9 au lait",
    }
    assert messages(corpus) == {
        "empty.txt": "empty file",
        "blank.md": "only whitespace, no text",
        "binary.txt": "binary file, not text",
        "latin1.txt": "not UTF-8 text (invalid byte 0xe9 at offset 3); read as Windows-1252: "
        "check its accented letters, or re-save it as UTF-8",
        "only_front.md": "no article text after the front matter",
    }
    assert all("\n" not in p.message for p in corpus.problems)


def test_invalid_byte_offset_counts_the_bom(tmp_path: Path) -> None:
    write(tmp_path, "a.txt", codecs.BOM_UTF8 + b"ab\xff")
    corpus = load_corpus(tmp_path)
    assert [a.text for a in corpus.articles] == ["ab\u00ff"]
    assert messages(corpus)["a.txt"].startswith("not UTF-8 text (invalid byte 0xff at offset 5)")


def test_8_bit_control_bytes_are_binary_not_latin_1(tmp_path: Path) -> None:
    write(tmp_path, "a.txt", b"ab\xff\x01\x02 cd")
    corpus = load_corpus(tmp_path)
    assert corpus.articles == ()
    assert "not readable as Windows-1252" in messages(corpus)["a.txt"]


def test_duplicate_ids_keep_the_first_in_sorted_path_order(tmp_path: Path) -> None:
    write(tmp_path, "b/same.txt", "Second.")
    write(tmp_path, "a/same.txt", "First.")
    write(tmp_path, "c.txt", "---\nid: same\n---\nThird.")
    write(tmp_path, "d.jsonl", json.dumps({"id": "same", "text": "Fourth."}))
    corpus = load_corpus(tmp_path)

    root = tmp_path.as_posix()
    assert [(a.id, a.text) for a in corpus.articles] == [("same", "First.")]
    assert corpus.problems == tuple(
        Problem(
            path=f"{root}/{path}",
            message=f"duplicate article id 'same' (also in {root}/a/same.txt)",
        )
        for path in ("b/same.txt", "c.txt", "d.jsonl:1")
    )


def test_unreadable_file_is_a_problem(tmp_path: Path) -> None:
    locked = write(tmp_path, "locked.txt", "Secret.")
    write(tmp_path, "open.txt", "Open.")
    locked.chmod(0)
    try:
        if os.access(locked, os.R_OK):
            pytest.skip("running with privileges that ignore file permissions")
        corpus = load_corpus(tmp_path)
    finally:
        locked.chmod(0o644)
    assert [a.id for a in corpus.articles] == ["open"]
    assert messages(corpus) == {"locked.txt": "cannot read: permission denied"}


def test_read_error_is_a_problem_even_as_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = write(tmp_path, "locked.txt", "Secret.")
    write(tmp_path, "open.txt", "Open.")
    real_read_bytes = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == locked.name:
            raise PermissionError(13, "Permission denied", str(self))
        return real_read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    corpus = load_corpus(tmp_path)
    assert [a.id for a in corpus.articles] == ["open"]
    assert messages(corpus) == {"locked.txt": "cannot read: permission denied"}


def test_symlink_loops_are_problems_not_hangs(tmp_path: Path) -> None:
    write(tmp_path, "sub/a.txt", "Text.")
    try:
        (tmp_path / "sub" / "back").symlink_to(tmp_path, target_is_directory=True)
        (tmp_path / "self.txt").symlink_to("self.txt")
        (tmp_path / "broken.txt").symlink_to("missing.txt")
    except OSError:
        pytest.skip("symlinks not supported here")
    corpus = load_corpus(tmp_path)

    root = tmp_path.as_posix()
    assert [a.id for a in corpus.articles] == ["a"]
    assert corpus.problems == (
        Problem(path=f"{root}/broken.txt", message="broken symlink: its target does not exist"),
        Problem(path=f"{root}/self.txt", message="symlink loop"),
        Problem(path=f"{root}/sub/back", message=f"symlink loop (leads back to {root})"),
    )


def test_missing_path_raises_corpus_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    with pytest.raises(CorpusError, match="no such file or folder"):
        load_corpus(missing)


def test_unsupported_single_file_raises_corpus_error(tmp_path: Path) -> None:
    write(tmp_path, "data.csv", "a,b")
    with pytest.raises(CorpusError, match=r"data\.csv: not a corpus"):
        load_corpus(tmp_path / "data.csv")


def test_empty_folder_is_an_empty_corpus(tmp_path: Path) -> None:
    assert load_corpus(tmp_path) == Corpus(articles=(), problems=())


def test_result_does_not_depend_on_file_creation_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {
        "z.txt": "Zed on 1 May 2023.",
        "a/m.md": "---\ntitle: M\n---\nEm.",
        "a/k.jsonl": json.dumps({"text": "Kay."}) + "\n{bad",
        "dup.txt": "Dup one.",
        "a/dup.txt": "Dup two.",
        "empty.txt": "",
        "manifest.json": json.dumps({"m": {"source": "S"}, "none": {}}),
    }
    for parent, names in (("one", list(files)), ("two", list(reversed(files)))):
        for name in names:
            write(tmp_path / parent / "corpus", name, files[name])

    monkeypatch.chdir(tmp_path / "one")
    one = load_corpus("corpus")
    monkeypatch.chdir(tmp_path / "two")
    two = load_corpus("corpus")

    assert one == two
    assert [(a.id, a.path) for a in one.articles] == [
        ("dup", "corpus/a/dup.txt"),
        ("k:1", "corpus/a/k.jsonl:1"),
        ("m", "corpus/a/m.md"),
        ("z", "corpus/z.txt"),
    ]
    assert [p.path for p in one.problems] == [
        "corpus/a/k.jsonl:2",
        "corpus/dup.txt",
        "corpus/empty.txt",
        "corpus/manifest.json",
    ]


def test_real_seeds_get_their_dates_from_the_manifest() -> None:
    corpus = load_corpus(SEEDS)

    assert corpus.problems == ()
    dates = {a.id: (a.published, a.published_origin) for a in corpus.articles}
    sept5 = (dt.date(2023, 9, 5), "manifest")
    assert dates == {
        "000_73c42ecbebd4ad36": sept5,
        "001_f9476dc9d441f33e": sept5,
        "002_3e011c3f0e887c7c": sept5,
        "003_c67951271ba7f43c": (dt.date(2023, 9, 4), "manifest"),
        "004_791fc19b09277c11": sept5,
    }
    sources = {a.id: a.source for a in corpus.articles}
    assert sources["001_f9476dc9d441f33e"] == "Reuters"
    assert sources["003_c67951271ba7f43c"] == "NDTV"
    assert sources["000_73c42ecbebd4ad36"] is None


@settings(max_examples=500, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("ab./:\\")), min_size=1, max_size=12),
    st.text(alphabet=st.sampled_from(list("ab. \\:")), min_size=1, max_size=6),
)
def test_child_shown_is_the_posix_join(folder: str, name: str) -> None:
    # a folder as shown is normalised (`as_posix`); a name from a listing has no "/"
    # and is neither "." nor ".."
    shown = PurePosixPath(folder).as_posix()
    if name not in (".", ".."):
        assert _child_shown(shown, name) == str(PurePosixPath(shown, name))
