"""The HTML report without a browser: escaping, CSP, self-containment, links, filters."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from checker.cli import main
from checker.html import iter_html, render_html
from checker.html_assets import SCRIPT, STYLE, content_security_policy, csp_hash
from checker.models import Report
from checker.pipeline import CheckResult, check_corpus
from checker.rules import RuleExtractor

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
EVIL = (
    "Russia and China have joined China in opposing <script>window.__pwned = 1</script> "
    "further sanctions.\n"
    '<img src=x onerror="window.__pwned = 2"> The council met on Tuesday. '
    "</textarea><style>body{display:none}</style>\n"
)


@pytest.fixture(scope="module")
def evil(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CheckResult]:
    folder = tmp_path_factory.mktemp("evil")
    (folder / "evil<b>.txt").write_text(EVIL, encoding="utf-8")
    result = check_corpus(folder, RuleExtractor())
    yield result
    result.close()


@pytest.fixture(scope="module")
def seeds() -> Iterator[CheckResult]:
    result = check_corpus(SEEDS, RuleExtractor())
    yield result
    result.close()


def page(result: CheckResult, **kwargs: object) -> str:
    return render_html(
        result.report,
        articles=result.corpus.articles,
        extractions=result.extractions,
        **kwargs,  # type: ignore[arg-type]
    )


def test_article_markup_is_escaped_everywhere(evil: CheckResult) -> None:
    html = page(evil)
    assert evil.report.flags  # the garbled sentence carrying the script is flagged
    assert "<script>window" not in html and "<img src=x" not in html
    assert "<style>body" not in html and "<b>.txt" not in html
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in html
    assert html.count("<script>") == 1  # ours, and only ours
    assert html.count("<style>") == 1


def test_csp_allows_exactly_the_inline_script_and_style(evil: CheckResult) -> None:
    html = page(evil)
    meta = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', html)
    assert meta is not None
    policy = meta.group(1).replace("&#x27;", "'")
    assert policy == content_security_policy(serve=False)
    assert "default-src 'none'" in policy and "unsafe-inline" not in policy
    assert "connect-src 'none'" in policy
    script = re.search(r"<script>(.*?)</script>", html, re.S)
    style = re.search(r"<style>(.*?)</style>", html, re.S)
    assert script is not None and style is not None
    assert script.group(1) == SCRIPT and csp_hash(SCRIPT) in policy
    assert style.group(1) == STYLE and csp_hash(STYLE) in policy


def test_page_is_self_contained(seeds: CheckResult) -> None:
    html = page(seeds)
    assert not re.search(r"""\s(src|href)=["']?(https?:)?//""", html)
    assert "<link" not in html and "@import" not in html and "url(" not in STYLE
    assert " style=" not in html  # inline style attributes would need 'unsafe-inline'
    assert not re.search(r"\son[a-z]+=", html)  # no inline event handlers either


def test_every_jump_has_its_target_and_every_flag_tag_its_flag(seeds: CheckResult) -> None:
    html = page(seeds)
    ids = set(re.findall(r'\sid="([^"]+)"', html))
    jumps = re.findall(r'class="jump" href="#([^"]+)"', html)
    refs = re.findall(r'class="flagref[^"]*" href="#([^"]+)"', html)
    assert jumps and refs
    assert set(jumps) <= ids and set(refs) <= ids
    assert len(jumps) == sum(len(f.evidence) for f in seeds.report.flags)


def test_every_claim_is_highlighted_in_its_article(seeds: CheckResult) -> None:
    html = page(seeds)
    for n, article in enumerate(seeds.report.articles):
        section = html.split(f'<article class="art" id="a{n}"', 1)[1].split("</article>", 1)[0]
        claims = next(e.claims for e in seeds.extractions if e.article == article.id)
        assert claims
        assert section.count('<mark class="claim') >= len({c.evidence.start for c in claims})


def test_summary_counts_and_filters(seeds: CheckResult) -> None:
    html = page(seeds)
    report = seeds.report
    for kind in {f.kind for f in report.flags}:
        n = sum(f.kind == kind for f in report.flags)
        assert f'data-filter="kind" data-value="{kind}">{kind} <b>{n}</b>' in html
    for name in ("kind", "severity", "confidence", "article", "status"):
        assert f'<select name="{name}">' in html
    for flag in report.flags:
        assert f'data-confidence="{flag.confidence}"' in html
    graded = {f.confidence for f in report.flags}
    shown = set(re.findall(r"confidence \w+</span>", html))
    assert {f"confidence {c}</span>" for c in graded} <= shown
    doubtful = [f for f in report.flags if f.confidence_note]
    assert doubtful and html.count('<p class="doubt">') == len(doubtful)
    assert '<option value="open" selected>' in html


def test_key_terms_of_the_explanation_are_marked_in_the_evidence(seeds: CheckResult) -> None:
    html = page(seeds)
    assert '<span class="key">In November</span>' in html


def test_dismissed_flags_are_hidden_unless_asked(seeds: CheckResult) -> None:
    flag = seeds.report.flags[0]
    dismissed = seeds.report.model_copy(
        update={"flags": (flag.model_copy(update={"review": "dismissed"}),)}
    )
    hidden = render_html(dismissed)
    shown = render_html(dismissed, show_dismissed=True)
    assert 'data-status="dismissed"' in hidden and " hidden>" in hidden
    assert '<option value="all" selected>' in shown
    assert 'data-status="dismissed" aria-label="high' in shown.replace("medium", "high")


def test_serve_mode_adds_token_and_review_forms_static_mode_does_not(seeds: CheckResult) -> None:
    static = page(seeds)
    served = page(seeds, serve_token="tok<en>")
    assert '<meta name="checker-token"' not in static
    assert '<form class="review-form"' not in static
    assert '<meta name="checker-token" content="tok&lt;en&gt;">' in served
    assert served.count('<form class="review-form"') == len(seeds.report.flags)
    assert "connect-src 'self'" in content_security_policy(serve=True)


def test_rendering_is_deterministic(seeds: CheckResult) -> None:
    assert page(seeds) == page(seeds)


def test_the_article_view_from_the_spool_is_the_page_from_lists(
    seeds: CheckResult, evil: CheckResult
) -> None:
    for result in (seeds, evil):
        from_spool = render_html(result.report, spool=result.spool)
        assert from_spool == page(result)
        assert "".join(iter_html(result.report, spool=result.spool)) == from_spool
    assert 'id="articles"' in render_html(seeds.report, spool=seeds.spool)


def test_cli_format_html(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report.html"
    code = main(
        ["check", str(SEEDS), "--extractor", "rules", "--format", "html", "--out", str(out)]
    )
    assert code == 1
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and 'id="articles"' in html
    assert "Show in article" in html


def split_into_stories(report: Report) -> Report:
    """The seed report as if its flags came from two stories (and one from none)."""
    (only,) = report.stories
    first = only.model_copy(update={"id": "story-a", "articles": only.articles[:3]})
    second = only.model_copy(update={"id": "story-b", "articles": only.articles[3:]})
    flags = [
        f.model_copy(update={"story": ("story-b", "story-a", None)[i % 3]})
        for i, f in enumerate(report.flags)
    ]
    return report.model_copy(update={"stories": (first, second), "flags": tuple(flags)})


def test_flags_are_grouped_by_story_when_there_are_several(seeds: CheckResult) -> None:
    one = render_html(seeds.report)
    assert 'class="story"' not in one  # one story: nothing to organise
    html = render_html(split_into_stories(seeds.report))
    sections = re.findall(r'<section class="story" aria-label="([^"]+)">', html)
    assert sections == [
        f"Story: 3 articles: {', '.join(seeds.report.stories[0].entities[:3])}",
        f"Story: 2 articles: {', '.join(seeds.report.stories[0].entities[:3])}",
        "Other flags",
    ]
    starts = [html.index(f'aria-label="{label}"') for label in sections] + [len(html)]
    section_of = {"story-a": 0, "story-b": 1, None: 2}
    for flag in split_into_stories(seeds.report).flags:
        at, n = html.index(f'data-id="{flag.id}"'), section_of[flag.story]
        assert starts[n] < at < starts[n + 1], flag.id
    assert html.count('<article class="flag') == len(seeds.report.flags)
