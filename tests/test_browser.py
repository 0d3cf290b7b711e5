"""The editor's pages in a real browser: headless Chromium driven by Playwright.

Uses Debian's `chromium` (never a browser Playwright downloads). When it or Playwright is
missing the tests skip with the reason, except in CI (CI=true), where they fail.
Screenshots land in each test's tmp_path.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from checker.cli import main
from checker.review import ReviewStore, load_report
from checker.serve import ReviewServer

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
EVIL = (
    "Russia and China have joined China in opposing <script>window.__pwned = 1</script> "
    "further sanctions.\n"
    '<img src=x onerror="window.__pwned = 2"> The council met on Tuesday.\n'
)


def _chromium() -> str | None:
    for candidate in (os.environ.get("CHECKER_CHROMIUM"), "/usr/bin/chromium"):
        if candidate and Path(candidate).exists():
            return candidate
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests must run in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install -e '.[test]')")
    executable = _chromium()
    if executable is None:
        _unavailable("no chromium found (apt-get install chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    pg = context.new_page()
    pg.problems = []  # console errors (CSP violations among them) and page errors
    pg.on("console", lambda m: pg.problems.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: pg.problems.append(str(e)))
    yield pg
    context.close()


def make_run(corpus: Path, run: Path) -> Path:
    main(
        ["check", str(corpus), "--run", str(run), "--extractor", "rules", "-q", "--format", "json"]
    )
    return run


@pytest.fixture
def served(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Iterator[ReviewServer]:
    run = make_run(SEEDS, tmp_path / "run")
    capsys.readouterr()
    srv = ReviewServer(run, "127.0.0.1", 0)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()
    thread.join()


def test_static_report_from_file_filters_and_keys(
    page: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report.html"
    main(["check", str(SEEDS), "--extractor", "rules", "--format", "html", "--out", str(out)])
    capsys.readouterr()
    page.goto(out.as_uri())
    total = page.locator("section#flags .flag").count()
    assert total > 3
    assert page.inner_text("#shown") == f"{total} of {total} flags shown"  # the script ran
    page.select_option("select[name=severity]", "high")
    high = page.locator("section#flags .flag:visible").count()
    assert 0 < high < total
    assert page.locator("section#flags .flag.sev-high:visible").count() == high
    page.select_option("select[name=severity]", "")
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("j")
    page.keyboard.press("j")
    focused = page.evaluate("document.activeElement.id")
    assert focused == page.locator("section#flags .flag").nth(1).get_attribute("id")
    page.keyboard.press("a")  # jump to the evidence in its article
    assert page.evaluate("location.hash").startswith("#a")
    page.screenshot(path=str(tmp_path / "static.png"))
    assert (tmp_path / "static.png").stat().st_size > 10_000
    assert page.problems == []


def test_script_in_an_article_shows_as_text_and_never_runs(
    page: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "evil.txt").write_text(EVIL, encoding="utf-8")
    out = tmp_path / "evil.html"
    main(["check", str(corpus), "--extractor", "rules", "--format", "html", "--out", str(out)])
    capsys.readouterr()
    page.goto(out.as_uri())
    assert page.evaluate("window.__pwned") is None
    assert "<script>window.__pwned = 1</script>" in page.inner_text("section#flags")
    assert '<img src=x onerror="window.__pwned = 2">' in page.inner_text("#articles")
    assert page.locator("#articles img, section#flags img").count() == 0
    page.screenshot(path=str(tmp_path / "evil.png"), full_page=True)
    assert page.problems == []


def test_serve_dismiss_with_a_note_survives_a_reload(
    page: Any, served: ReviewServer, tmp_path: Path
) -> None:
    page.goto(served.url)
    first = page.locator("section#flags .flag").first
    flag_id = first.get_attribute("data-id")
    total = page.locator("section#flags .flag").count()
    first.locator("input[name=note]").fill("Both dates are in the wire copy; not an error.")
    first.locator("button.dismiss").click()
    page.wait_for_function(
        "id => document.querySelector(`.flag[data-id='${id}']`).dataset.status === 'dismissed'",
        arg=flag_id,
    )
    assert ReviewStore(served.run_dir).decisions()[flag_id].status == "dismissed"
    page.reload()
    assert page.inner_text("#shown") == f"{total - 1} of {total} flags shown"  # hidden now
    page.select_option("select[name=status]", "dismissed")
    shown = page.locator("section#flags .flag:visible")
    assert shown.count() == 1
    assert shown.first.get_attribute("data-id") == flag_id
    assert shown.first.locator(".badge.st").inner_text().lower() == "dismissed"
    assert "not an error" in shown.first.locator(".note").inner_text()
    # keyboard triage: focus the next open flag and confirm it with `c`
    page.select_option("select[name=status]", "open")
    page.locator("section#flags .flag:visible").first.focus()
    target = page.evaluate("document.activeElement.dataset.id")
    page.keyboard.press("c")
    page.wait_for_function(
        "id => document.querySelector(`.flag[data-id='${id}']`).dataset.status === 'confirmed'",
        arg=target,
    )
    page.select_option("select[name=status]", "all")
    page.screenshot(path=str(tmp_path / "serve.png"))
    assert page.problems == []
    report = make_run(SEEDS, served.run_dir)  # the next run keeps both decisions
    statuses = {f.id: f.review for f in load_report(report).flags}
    assert statuses[flag_id] == "dismissed" and statuses[target] == "confirmed"


def test_a_story_whose_flags_are_all_filtered_out_is_hidden(page: Any, tmp_path: Path) -> None:
    from checker.html import render_html
    from checker.pipeline import check_corpus
    from checker.rules import RuleExtractor

    result = check_corpus(SEEDS, RuleExtractor())
    report = result.report
    result.close()
    (only,) = report.stories
    stories = (only.model_copy(update={"id": "s-high"}), only.model_copy(update={"id": "s-rest"}))
    flags = [
        f.model_copy(update={"story": "s-high" if f.severity == "high" else "s-rest"})
        for f in report.flags
    ]
    out = tmp_path / "stories.html"
    out.write_text(
        render_html(report.model_copy(update={"stories": stories, "flags": tuple(flags)})),
        encoding="utf-8",
    )
    page.goto(out.as_uri())
    assert page.locator("section#flags .story:visible").count() == 2
    page.select_option("select[name=severity]", "high")
    visible = page.locator("section#flags .story:visible")
    assert visible.count() == 1
    assert visible.locator(".flag").count() == sum(f.severity == "high" for f in flags)
    page.select_option("select[name=severity]", "")
    assert page.locator("section#flags .story:visible").count() == 2
    page.screenshot(path=str(tmp_path / "stories.png"), full_page=True)
    assert page.problems == []
