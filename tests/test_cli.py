"""The `checker` command as a user runs it: formats, exit codes, messages, bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from checker.cli import main

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
CONFLICT_A = "The United States imposed sanctions on three entities in August.\n"
CONFLICT_B = "Russia and China have joined China in opposing further sanctions.\n"
CALM = "The council met on Tuesday and agreed a budget.\n"


def write(folder: Path, files: dict[str, str | bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return folder


def test_seeds_exit_1_with_flags_in_markdown(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", str(SEEDS), "--extractor", "rules"])
    out, err = capsys.readouterr()
    assert code == 1
    assert out.startswith("# checker report")
    assert "self_reference" in out
    assert "5 articles" in err  # the summary goes to stderr, data to stdout
    steps = [line.split(" in ")[0] for line in err.splitlines() if line.endswith(" s")]
    assert steps == [
        "checker: extracted 5/5 articles",
        "checker: grouped 5/5 articles",
        "checker: compared 1/1 stories",
    ]


def test_json_format_is_the_contract(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", str(SEEDS), "--extractor", "rules", "--format", "json", "-q"])
    out, err = capsys.readouterr()
    assert code == 1
    assert err == ""  # --quiet keeps stderr clean
    report = json.loads(out)
    assert report["schema_version"] == "1"
    assert report["extractor"] == "rules"
    assert {a["id"] for a in report["articles"]} == {p.stem for p in SEEDS.glob("*.txt")}
    texts = {p.stem: p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt")}
    for flag in report["flags"]:
        assert set(flag) >= {"id", "kind", "severity", "summary", "evidence"}
        for e in flag["evidence"]:
            assert texts[e["article"]][e["start"] : e["end"]] == e["quote"]


def test_clean_corpus_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = write(tmp_path / "c", {"a.txt": CALM})
    assert main(["check", str(corpus), "--extractor", "rules"]) == 0
    assert "No conflicts found." in capsys.readouterr().out


def test_exit_zero_overrides_findings(tmp_path: Path) -> None:
    corpus = write(tmp_path / "c", {"a.txt": CONFLICT_B})
    assert main(["check", str(corpus), "--extractor", "rules", "-q"]) == 1
    assert main(["check", str(corpus), "--extractor", "rules", "-q", "--exit-zero"]) == 0


def test_out_writes_file_and_infers_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = write(tmp_path / "c", {"a.txt": CONFLICT_B})
    target = tmp_path / "reports" / "run.json"
    assert main(["check", str(corpus), "--extractor", "rules", "--out", str(target)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert json.loads(target.read_text(encoding="utf-8"))["flags"][0]["kind"] == "self_reference"
    assert str(target) in err
    assert not list(target.parent.glob(".*.tmp"))  # the atomic write left nothing behind


def test_missing_folder_is_error_2_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["check", str(tmp_path / "nope")])
    err = capsys.readouterr().err
    assert code == 2
    assert "nope" in err and "Traceback" not in err
    assert err.count("\n") == 1  # one line


def test_nothing_usable_is_error_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = write(tmp_path / "c", {"empty.txt": "", "blank.md": "  \n\t\n"})
    assert main(["check", str(corpus)]) == 2
    err = capsys.readouterr().err
    assert "no article could be read" in err and "empty.txt" in err


def test_bad_files_are_reported_and_the_rest_is_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = write(
        tmp_path / "c",
        {
            "good.txt": CONFLICT_B,
            "empty.txt": "",
            "binary.txt": b"\x00\x01\x02garbage",
            "latin1.txt": "Caf\xe9 society met on Tuesday.".encode("latin-1"),
            "feed.jsonl": '{"id": "j1", "text": "A calm line."}\n{not json}\n',
            "dated.md": "---\npublished: 2023-13-45\n---\nThe council met on Tuesday.\n",
        },
    )
    code = main(["check", str(corpus), "--extractor", "rules", "--format", "json"])
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert code == 1  # the good article's flag is still found
    assert {a["id"] for a in report["articles"]} == {"good", "j1", "dated", "latin1"}
    problem_paths = " ".join(p["path"] for p in report["problems"])
    for name in ("empty.txt", "binary.txt", "latin1.txt", "feed.jsonl:2", "dated.md"):
        assert name in problem_paths
        assert name in captured.err  # each problem is also a one-line warning
    assert "Traceback" not in captured.err


def test_unavailable_llm_without_endpoint_is_a_config_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    corpus = write(tmp_path / "c", {"a.txt": CALM})
    assert main(["check", str(corpus), "--extractor", "llm"]) == 2
    assert "error" in capsys.readouterr().err


def test_bad_option_value_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["check", str(SEEDS), "--format", "pdf"])
    assert exc.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_output_is_byte_identical_across_runs(capsys: pytest.CaptureFixture[str]) -> None:
    outputs = []
    for fmt in ("json", "json", "markdown", "markdown"):
        main(["check", str(SEEDS), "--extractor", "rules", "--format", fmt, "-q"])
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1]
    assert outputs[2] == outputs[3]


def test_help_documents_every_option() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "checker.cli", "check", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    for option in ("--format", "--out", "--extractor", "--exit-zero", "--dry-run", "--concurrency"):
        assert option in result.stdout
    assert "0 no flags, 1 flags found, 2 error" in result.stdout


def test_python_dash_m_checker_runs_the_cli() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "checker", "check", "no-such-folder"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "no-such-folder" in result.stderr
    assert "Traceback" not in result.stderr
