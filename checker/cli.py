"""The `checker` command: a thin shell over `checker.pipeline`.

Data goes to stdout (or --out), messages to stderr. Exit codes: 0 no flags, 1 flags found,
2 error. Only this module turns `CheckerError`s into messages; anything else escaping is a
bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from checker import __version__
from checker.errors import CheckerError, ConfigError
from checker.extractors import Extractor, ExtractorOptions, build_extractor
from checker.pipeline import (
    DEFAULT_MAX_ARTICLE_CHARS,
    check_corpus,
    load_checkable,
)
from checker.progress import ProgressLine
from checker.report import FORMATS, iter_json, render, summary_line
from checker.review import previous_flag_ids, visible
from checker.review_cli import add_check_options, add_commands, record_run
from checker.store import REPORT_NAME, RunStore, extractor_identity, run_notice, write_atomic

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
        "--dry-run",
        action="store_true",
        help="load the corpus, apply the limits and estimate LLM tokens and cost; extract nothing",
    )
    _add_batch_options(check)
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even when flags are found")
    check.add_argument("--quiet", "-q", action="store_true", help="print no progress or summary")
    add_check_options(check)
    add_commands(commands)
    return parser


def _add_batch_options(check: argparse.ArgumentParser) -> None:
    """Options for large, resumable runs (issue 5): run directory, budget guards, Batch API."""
    check.add_argument(
        "--run",
        metavar="DIR",
        help=(
            "run directory: DIR/checker.sqlite stores every article's extraction as soon as it "
            "is done (and the LLM cache), DIR/report.json the latest JSON report; rerunning "
            "with the same DIR resumes, reusing finished articles (a run killed before it "
            "finished is marked killed); at the end of a run, articles no longer in CORPUS "
            "are dropped from the store"
        ),
    )
    check.add_argument(
        "--max-article-chars",
        type=int,
        metavar="N",
        default=DEFAULT_MAX_ARTICLE_CHARS,
        help=(
            "skip articles longer than N characters, with a problem naming each "
            f"(default: {DEFAULT_MAX_ARTICLE_CHARS:,}; 0: no limit); the llm extractor "
            "splits anything longer than --chunk-chars into chunks"
        ),
    )
    check.add_argument(
        "--chunk-chars",
        type=int,
        metavar="N",
        default=6_000,
        help="llm extractor: longest text sent in one request (default: 6000)",
    )
    check.add_argument(
        "--max-cost",
        type=float,
        metavar="USD",
        help=(
            "llm extractor: start no new call once this run's spend, plus the estimated cost "
            "of the calls in flight, reaches USD; the articles left are reported as not "
            "extracted (a rerun with --run resumes)"
        ),
    )
    check.add_argument(
        "--price-per-mtok",
        metavar="IN,OUT",
        help="US dollars per million prompt and completion tokens, for models checker has "
        "no price for (e.g. 0.15,0.60)",
    )
    check.add_argument(
        "--batch",
        action="store_true",
        help=(
            "llm extractor: send the articles through the OpenAI Batch API (upload, poll, "
            "collect; half price, results within 24 h); answers that fail validation are "
            "asked again synchronously"
        ),
    )
    check.add_argument(
        "--jobs",
        type=int,
        metavar="N",
        help=(
            "worker processes for the rule extractor (200 articles or more), for "
            "grouping stories (20,000 articles or more) and for comparing them (64 "
            "stories or more) (default: the CPUs checker may use; 1: none forked); the "
            "report is the same whatever N"
        ),
    )
    check.add_argument(
        "--batch-poll-seconds",
        type=float,
        default=30.0,
        metavar="S",
        help="--batch: seconds between status checks (default: 30)",
    )


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
    if args.jobs is not None and args.jobs < 1:
        raise ConfigError("--jobs must be at least 1")
    if args.max_article_chars < 0:
        raise ConfigError("--max-article-chars must be 0 (no limit) or more")
    if args.max_cost is not None and args.max_cost < 0:
        raise ConfigError("--max-cost must not be negative")
    store = RunStore(args.run) if args.run else None
    try:
        return _check_with(args, store)
    finally:
        if store is not None:
            store.close()


def _check_with(args: argparse.Namespace, store: RunStore | None) -> int:
    cache = Path(args.cache) if args.cache else (store.path if store is not None else None)
    options = ExtractorOptions(
        choice=args.extractor,
        model=args.model,
        base_url=args.base_url,
        mode=args.mode,
        concurrency=args.concurrency,
        cache_path=cache,
        cassette_dir=Path(args.cassettes),
        dry_run=args.dry_run,
        progress=not args.quiet,
        max_chunk_chars=args.chunk_chars,
        max_cost_usd=args.max_cost,
        price_per_mtok=_price(args.price_per_mtok),
        batch=args.batch,
        batch_poll_s=args.batch_poll_seconds,
    )
    extractor = build_extractor(options, os.environ)
    max_chars = args.max_article_chars or None
    if args.dry_run:
        return _dry_run(args, extractor, store, max_chars)
    if store is not None:
        for dead in store.close_dead_runs():
            if dead.finished_at:  # its store rows all written, not its report.json
                what = f"while writing its report (all {dead.articles} articles committed"
            else:
                what = f"before it finished ({dead.extracted} articles committed"
            if not args.quiet:
                print(
                    f"checker: warning: run {store.dir}: the run started {dead.started_at} was "
                    f"killed {what}; those unchanged are reused)",
                    file=sys.stderr,
                )
    progress = None if args.quiet else ProgressLine()
    # The previous report's flag ids, read now, before the run's memory fills up.
    previous = previous_flag_ids(store.dir) if store is not None else None
    result = check_corpus(
        args.corpus,
        extractor,
        label=args.extractor,
        progress=progress,
        group_progress=None if args.quiet else ProgressLine(done="grouped", unit="articles"),
        compare_progress=None if args.quiet else ProgressLine(done="compared", unit="stories"),
        store=store,
        max_article_chars=max_chars,
        jobs=args.jobs,
    )
    spool = result.spool
    try:
        report = record_run(result, store.dir, previous) if store is not None else result.report
        if store is not None:
            store.report_written()
        del result  # from here on, only the (marked) report and the spool are needed
        fmt = args.format or ("json" if (args.out or "").endswith(".json") else "markdown")
        output: str | Iterable[str]
        if fmt == "html":
            from checker.html import iter_html

            output = iter_html(report, spool=spool, show_dismissed=args.show_dismissed)
        elif fmt == "json":
            output = iter_json(visible(report, args.show_dismissed))
        else:
            output = render(visible(report, args.show_dismissed), fmt)
        report = visible(report, args.show_dismissed)
        if args.out:
            _write_atomic(Path(args.out), output)
        else:
            sys.stdout.writelines([output] if isinstance(output, str) else output)
            sys.stdout.flush()
    finally:
        spool.close()
    if not args.quiet:
        for problem in report.problems:
            print(f"checker: warning: {problem}", file=sys.stderr)
        summary = getattr(extractor, "summary", None)
        text = summary() if callable(summary) else None
        if text:
            print(f"checker: {text}", file=sys.stderr)
        if store is not None:
            c = store.counts
            removed = f", {c.removed} no longer in the corpus dropped" if c.removed else ""
            print(
                f"checker: run {store.dir}: {c.extracted} articles extracted, {c.reused} "
                f"reused from the store, {c.failed} failed{removed} -> "
                f"{store.dir / REPORT_NAME}",
                file=sys.stderr,
            )
        where = f" -> {args.out}" if args.out else ""
        print(f"checker: {summary_line(report)}{where}", file=sys.stderr)
    if report.articles and all(a.status != "ok" for a in report.articles):
        print(
            f"checker: error: no article could be extracted ({report.articles[0].reason})",
            file=sys.stderr,
        )
        return EXIT_ERROR
    if report.flags and not args.exit_zero:
        return EXIT_FLAGS
    return EXIT_CLEAN


def _dry_run(
    args: argparse.Namespace, extractor: Extractor, store: RunStore | None, max_chars: int | None
) -> int:
    """Say what a run would do and cost; extract nothing, write nothing but the store file."""
    corpus = load_checkable(args.corpus, max_chars)
    for problem in corpus.problems:
        print(f"checker: warning: {problem}", file=sys.stderr)
    articles = list(corpus.articles)
    if store is not None:
        notice = run_notice(store.dir)
        if notice:
            print(f"checker: dry run: {store.dir}: {notice}", file=sys.stderr)
        identity = extractor_identity(extractor)
        todo = [a for a in articles if not store.has(a, identity)]
        print(
            f"checker: dry run: {len(articles) - len(todo)} of {len(articles)} articles are "
            f"already in {store.path} and would be reused",
            file=sys.stderr,
        )
        articles = todo
    estimate = getattr(extractor, "estimate", None)
    if not callable(estimate):
        print(
            f"checker: dry run: {len(articles)} articles to extract; the "
            f"{extractor.name} extractor makes no LLM call",
            file=sys.stderr,
        )
        return EXIT_CLEAN
    print(f"checker: dry run: {estimate(articles)}", file=sys.stderr)
    return EXIT_CLEAN


def _price(value: str | None) -> tuple[float, float] | None:
    if value is None:
        return None
    try:
        prompt, completion = (float(part) for part in value.split(","))
    except ValueError:
        raise ConfigError(
            f"--price-per-mtok {value!r}: give two numbers, prompt and completion US dollars "
            "per million tokens, e.g. 0.15,0.60"
        ) from None
    if prompt < 0 or completion < 0:
        raise ConfigError("--price-per-mtok: prices must not be negative")
    return prompt, completion


_write_atomic = write_atomic


if __name__ == "__main__":
    raise SystemExit(main())
