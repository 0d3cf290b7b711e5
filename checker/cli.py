"""The `checker` command: a thin shell over `checker.pipeline`.

Data goes to stdout (or --out), messages to stderr. Exit codes: 0 no flags, 1 flags found,
2 error. Only this module turns `CheckerError`s into messages; anything else escaping is a
bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from checker import __version__
from checker.errors import CheckerError, ConfigError
from checker.extractors import ExtractorOptions, build_extractor
from checker.pipeline import check_corpus, stderr_progress
from checker.report import FORMATS, render, summary_line
from checker.review import visible
from checker.review_cli import add_check_options, add_commands

EXIT_CLEAN, EXIT_FLAGS, EXIT_ERROR = 0, 1, 2
EXTRACTORS = ("auto", "rules", "llm", "replay")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="checker",
        description="Find where news articles disagree with each other or with themselves.",
    )
    parser.add_argument("--version", action="version", version=f"checker {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    check = commands.add_parser(
        "check",
        help="check a corpus and report conflicts",
        description=(
            "Read every article in CORPUS (a folder of .txt/.md files, a .jsonl file, or one "
            "article), extract claims, and report where articles disagree or contradict "
            "themselves. Exit status: 0 no flags, 1 flags found, 2 error."
        ),
    )
    check.add_argument("corpus", metavar="CORPUS", help="folder or file to check")
    check.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="report format (default: markdown, or json when --out ends in .json)",
    )
    check.add_argument("--out", metavar="PATH", help="write the report to PATH instead of stdout")
    check.add_argument(
        "--extractor",
        choices=EXTRACTORS,
        default="auto",
        help=(
            "how claims are extracted: rules (built-in, offline), llm (OpenAI-compatible "
            "endpoint), replay (recorded cassettes), auto (llm if configured, else replay "
            "where recorded, else rules; the default)"
        ),
    )
    check.add_argument("--model", help="model name for llm/replay (default: $CHECKER_MODEL)")
    check.add_argument("--base-url", help="OpenAI-compatible endpoint (default: $OPENAI_BASE_URL)")
    check.add_argument(
        "--mode",
        default="tools",
        choices=("tools", "json_schema", "json", "md_json"),
        help="structured-output mode for the llm extractor (default: tools)",
    )
    check.add_argument(
        "--concurrency", type=int, default=4, help="parallel LLM requests (default: 4)"
    )
    check.add_argument("--cache", metavar="PATH", help="SQLite cache of LLM extractions")
    check.add_argument(
        "--cassettes",
        metavar="DIR",
        default="cassettes",
        help="recorded LLM exchanges for replay (default: ./cassettes)",
    )
    check.add_argument(
        "--dry-run", action="store_true", help="estimate LLM tokens and cost; make no call"
    )
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even when flags are found")
    check.add_argument("--quiet", "-q", action="store_true", help="print no progress or summary")
    add_check_options(check)
    add_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_ERROR
    try:
        handler = getattr(args, "handler", _check)
        code: int = handler(args)
        return code
    except CheckerError as exc:
        print(f"checker: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("checker: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`checker ... | head`): not an error worth a traceback.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_ERROR


def _check(args: argparse.Namespace) -> int:
    if args.concurrency < 1:
        raise ConfigError("--concurrency must be at least 1")
    options = ExtractorOptions(
        choice=args.extractor,
        model=args.model,
        base_url=args.base_url,
        mode=args.mode,
        concurrency=args.concurrency,
        cache_path=Path(args.cache) if args.cache else None,
        cassette_dir=Path(args.cassettes),
        dry_run=args.dry_run,
        progress=not args.quiet,
    )
    extractor = build_extractor(options, os.environ)
    if args.dry_run:
        return _dry_run(args, extractor)
    progress = None if args.quiet else stderr_progress
    result = check_corpus(args.corpus, extractor, label=args.extractor, progress=progress)
    report = result.report
    if args.run:
        from checker.review_cli import record_run

        report = record_run(result, args.run)
    fmt = args.format or ("json" if (args.out or "").endswith(".json") else "markdown")
    if fmt == "html":
        from checker.html import render_html

        output = render_html(
            report,
            articles=result.corpus.articles,
            extractions=result.extractions,
            show_dismissed=args.show_dismissed,
        )
    else:
        output = render(visible(report, args.show_dismissed), fmt)
    report = visible(report, args.show_dismissed)
    if args.out:
        _write_atomic(Path(args.out), output)
    else:
        sys.stdout.write(output)
        sys.stdout.flush()
    if not args.quiet:
        for problem in report.problems:
            print(f"checker: warning: {problem}", file=sys.stderr)
        summary = getattr(extractor, "summary", None)
        text = summary() if callable(summary) else None
        if text:
            print(f"checker: {text}", file=sys.stderr)
        where = f" -> {args.out}" if args.out else ""
        print(f"checker: {summary_line(report)}{where}", file=sys.stderr)
    if report.flags and not args.exit_zero:
        return EXIT_FLAGS
    return EXIT_CLEAN


def _dry_run(args: argparse.Namespace, extractor: object) -> int:
    from checker.corpus import load_corpus

    corpus = load_corpus(args.corpus)
    estimate = getattr(extractor, "estimate", None)
    if not callable(estimate):
        print(
            f"checker: dry run: {len(corpus.articles)} articles; the "
            f"{getattr(extractor, 'name', 'rules')} extractor makes no LLM call",
            file=sys.stderr,
        )
        return EXIT_CLEAN
    print(f"checker: dry run: {estimate(corpus.articles)}", file=sys.stderr)
    return EXIT_CLEAN


def _write_atomic(path: Path, text: str) -> None:
    """Write via a temporary file and rename, so a crash never leaves half a report."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        Path(tmp).replace(path)
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc.strerror or exc}") from exc


if __name__ == "__main__":
    raise SystemExit(main())
