"""The review commands of `checker`: `review`, `serve` and `diff`, and the `--run` hook.

Kept apart from `checker.cli` so that module stays a thin dispatcher; the logic lives in
`checker.review` and `checker.serve`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from checker.errors import ConfigError
from checker.models import Report
from checker.pipeline import CheckResult
from checker.report import iter_json
from checker.review import (
    Decision,
    ReviewStore,
    apply_reviews,
    current_report,
    diff_json,
    diff_reports,
    find_flag,
    load_report,
    write_article_view,
)
from checker.store import REPORT_NAME, run_notice, write_atomic

EXIT_CLEAN, EXIT_FLAGS, EXIT_ERROR = 0, 1, 2


def add_commands(commands: Any) -> None:
    """Add `review`, `serve` and `diff` to the `checker` subparsers."""
    review = commands.add_parser(
        "review",
        help="list a run's flags with their review status, or record a decision",
        description=(
            "Without FLAG_ID, list the flags of RUN (a directory made by `checker check --run "
            "RUN`) with their status: new, unchanged, confirmed or dismissed. With FLAG_ID (a "
            "unique prefix is enough), record a decision. Dismissed flags are hidden from later "
            "reports and do not count for the exit status. When the latest `check --run RUN` has "
            "not finished (still going or writing its report, killed, interrupted, failed), a "
            "warning on stderr says so: report.json is then an earlier run's."
        ),
    )
    review.add_argument("run", metavar="RUN", help="run directory")
    review.add_argument("flag_id", metavar="FLAG_ID", nargs="?", help="flag id or unique prefix")
    decision = review.add_mutually_exclusive_group()
    decision.add_argument("--confirm", action="store_true", help="the flag is a real problem")
    decision.add_argument("--dismiss", action="store_true", help="the flag is a false alarm")
    decision.add_argument("--reopen", action="store_true", help="forget the decision")
    review.add_argument("--note", default="", help="why (kept with the decision)")
    review.set_defaults(handler=review_command)

    serve = commands.add_parser(
        "serve",
        help="open a run in a local web app to confirm or dismiss flags",
        description=(
            "Serve the report of RUN at http://127.0.0.1:PORT/ where editors confirm or "
            "dismiss flags with a note; decisions go to RUN/checker.sqlite. Listens on this "
            "machine only unless --allow-remote is given. The page says when the latest `check "
            "--run RUN` has not finished (still going or writing its report, killed, "
            "interrupted, failed)."
        ),
    )
    serve.add_argument("run", metavar="RUN", help="run directory")
    serve.add_argument("--host", default="127.0.0.1", help="address (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8421, help="port (default: 8421; 0 picks one)")
    serve.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a non-loopback --host (the app has no login: anyone who reaches it can decide)",
    )
    serve.set_defaults(handler=serve_command)

    diff = commands.add_parser(
        "diff",
        help="compare the flags of two runs: new, gone, unchanged",
        description=(
            "Compare two runs by stable flag id. RUN_A and RUN_B are run directories or "
            "report.json files; a warning on stderr says when the latest `check --run` of "
            "either has not finished (its report.json is then an earlier run's). Exit status: "
            "0 no new flags, 1 new flags, 2 error."
        ),
    )
    diff.add_argument("before", metavar="RUN_A", help="the earlier run")
    diff.add_argument("after", metavar="RUN_B", help="the later run")
    diff.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    diff.set_defaults(handler=diff_command)


def add_check_options(check: argparse.ArgumentParser) -> None:
    check.add_argument(
        "--show-dismissed", action="store_true", help="include flags an editor dismissed"
    )


def record_run(
    result: CheckResult, run_dir: str | Path, previous_ids: set[str] | None = None
) -> Report:
    """The `check --run` hook: mark flags, then save report.json and the article view.

    `previous_ids`: the flag ids of the run's report.json before this run (read by the
    caller early, while memory is free; read here when None).
    """
    run = Path(run_dir)
    ReviewStore(run).ensure()
    report = apply_reviews(result.report, run, previous_ids)
    spool = result.spool
    write_article_view(run, spool.pairs(spool.ids()))
    write_atomic(run / REPORT_NAME, iter_json(report))
    return report


def warn_run_state(path: str | Path) -> None:
    """Say on stderr when the latest run of `path` (a run directory, or a report.json in
    one) has not finished: still going or writing its report, killed, interrupted or
    failed (`run_notice`)."""
    run = Path(path)
    notice = run_notice(run if run.is_dir() else run.parent)
    if notice:
        print(f"checker: warning: {path}: {notice}", file=sys.stderr)


def review_command(args: argparse.Namespace) -> int:
    warn_run_state(args.run)
    report = current_report(args.run)
    if args.flag_id is None:
        if args.confirm or args.dismiss or args.reopen or args.note:
            raise ConfigError("name the flag to decide on: checker review RUN FLAG_ID --dismiss")
        _list(report)
        return EXIT_CLEAN
    flag = find_flag(report, args.flag_id)
    store = ReviewStore(args.run)
    if args.reopen:
        store.reopen(flag.id)
        print(f"reopened {flag.id}: {flag.summary}")
    elif args.confirm or args.dismiss:
        status: Decision = "confirmed" if args.confirm else "dismissed"
        store.decide(flag, status, args.note)
        note = f" ({args.note.strip()})" if args.note.strip() else ""
        print(f"{status} {flag.id}{note}: {flag.summary}")
    else:
        _list(report.model_copy(update={"flags": (flag,)}), detail=True)
    return EXIT_CLEAN


def _list(report: Report, detail: bool = False) -> None:
    if not report.flags:
        print("no flags")
    for f in report.flags:
        summary = f.summary if detail or len(f.summary) <= 90 else f.summary[:89] + "…"
        print(f"{f.id[:12]}  {f.review or 'new':<9}  {f.severity:<6}  {f.kind:<14}  {summary}")
        if f.review_note:
            print(f"{'':12}  note: {f.review_note}")
        if detail:
            for e in f.evidence:
                print(f"{'':12}  {e.article} {e.start}-{e.end}: {' '.join(e.quote.split())}")


def serve_command(args: argparse.Namespace) -> int:
    from checker.serve import ReviewServer

    warn_run_state(args.run)
    server = ReviewServer(args.run, args.host, args.port, allow_remote=args.allow_remote)
    print(f"checker: reviewing {args.run} at {server.url} (Ctrl-C stops)", file=sys.stderr)
    try:
        server.serve_forever()
    finally:
        server.server_close()
    return EXIT_CLEAN


def diff_command(args: argparse.Namespace) -> int:
    warn_run_state(args.before)
    warn_run_state(args.after)
    diff = diff_reports(load_report(args.before), load_report(args.after))
    if args.format == "json":
        sys.stdout.write(diff_json(diff))
    else:
        for sign, flags in (("+", diff.new), ("-", diff.gone), ("=", diff.unchanged)):
            for f in flags:
                print(f"{sign} {f.id}  {f.severity:<6}  {f.kind:<14}  {f.summary}")
        print(
            f"checker: {len(diff.new)} new, {len(diff.gone)} gone, {len(diff.unchanged)} unchanged",
            file=sys.stderr,
        )
    return EXIT_FLAGS if diff.new else EXIT_CLEAN
