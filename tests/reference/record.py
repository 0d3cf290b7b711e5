"""Re-record the replay cassettes of a corpus (`make record` runs it on seeds/).

With OPENAI_API_KEY set, the exchanges are recorded against the real endpoint
(OPENAI_BASE_URL, default OpenAI; model CHECKER_MODEL, default gpt-4o-mini). Without one,
the reference server is started on 127.0.0.1:8765 and answers from the annotations in
tests/reference/annotations/. Either way the cassettes are scrubbed of credentials before
they are written (checker.replay), one per article, in cassettes/replay/.
"""

from __future__ import annotations

import argparse
import os
import sys
from contextlib import ExitStack
from pathlib import Path

from checker.corpus import load_corpus
from checker.llm import DEFAULT_MODEL, LLMSettings
from checker.replay import REPLAY_FOLDER, record_articles
from tests.reference.server import REFERENCE_MODEL, ReferenceServer

RECORD_PORT = 8765


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default="seeds")
    parser.add_argument("--cassettes", type=Path, default=Path("cassettes"))
    parser.add_argument("--mode", default="tools")
    parser.add_argument("--keep", action="store_true", help="keep cassettes of other articles")
    args = parser.parse_args(argv)

    corpus = load_corpus(args.corpus)
    folder = args.cassettes / REPLAY_FOLDER
    if not args.keep and folder.is_dir():
        for old in folder.glob("*.yaml"):
            old.unlink()
    with ExitStack() as stack:
        api_key = os.environ.get("OPENAI_API_KEY", "").strip()
        if api_key:
            settings = LLMSettings(
                model=os.environ.get("CHECKER_MODEL", "").strip() or DEFAULT_MODEL,
                api_key=api_key,
                base_url=os.environ.get("OPENAI_BASE_URL", "").strip() or None,
                mode=args.mode,
            )
            where = settings.base_url or "the OpenAI API"
        else:
            server = ReferenceServer(RECORD_PORT).start()
            stack.callback(server.stop)
            settings = LLMSettings(
                model=REFERENCE_MODEL, api_key="reference", base_url=server.url, mode=args.mode
            )
            where = f"the reference server at {server.url}"
        print(f"recording {len(corpus.articles)} articles against {where}", file=sys.stderr)
        for article, extraction, path in record_articles(corpus.articles, settings, args.cassettes):
            print(
                f"  {article.id}: {len(extraction.claims)} claims, "
                f"{len(extraction.mentions)} mentions -> {path}",
                file=sys.stderr,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
