"""The editor's report: one self-contained HTML page (`--format html`, `checker serve`).

Every string that comes from an article, an extractor or a report is untrusted and goes
through `_e` (html.escape) before it reaches the page; DOM ids are indexes we make, never
article or flag ids. The only script and style are the constants of `html_assets`,
allowed by their hashes in a Content-Security-Policy, so the page works from file:// and
a `<script>` inside an article is shown as text and never runs.

Rendering is pure: the same inputs give byte-identical output.
"""

from __future__ import annotations

import html
import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TypedDict, Unpack

from checker.html_assets import SCRIPT, STYLE, content_security_policy
from checker.models import Article, ArticleSummary, Claim, Extraction, Flag, Report
from checker.report import flags_by_story, story_label, summary_line
from checker.spool import Spool

_SEVERITIES = ("high", "medium", "low")
_CONFIDENCES = ("high", "medium", "low")
_STATUSES = ("new", "unchanged", "confirmed", "dismissed")
_CONTEXT = 140  # characters of surrounding text shown around an evidence sentence
_QUOTED = re.compile(r"'([^'\n]{2,60})'|\"([^\"\n]{2,80})\"|“([^”\n]{2,80})”")


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


@dataclass(frozen=True)
class _Ctx:
    report: Report
    has_text: Callable[[str], bool]
    text: Callable[[str], str | None]
    claims: Callable[[str], tuple[Claim, ...]]
    aidx: dict[str, str]  # article id -> DOM id ("a0")
    fidx: dict[str, str]  # flag id -> DOM id ("f0")
    summaries: dict[str, ArticleSummary]
    flags_of: dict[str, list[Flag]]  # article id -> flags with evidence in it, report order


class HtmlOptions(TypedDict, total=False):
    """`iter_html`'s keywords, which `render_html` passes on."""

    articles: Sequence[Article]
    extractions: Sequence[Extraction]
    spool: Spool | None
    show_dismissed: bool
    serve_token: str | None
    run_label: str | None
    run_note: str | None


def render_html(report: Report, **options: Unpack[HtmlOptions]) -> str:
    """The whole page. `serve_token` switches on the review buttons of `checker serve`."""
    return "".join(iter_html(report, **options))


def iter_html(
    report: Report,
    *,
    articles: Sequence[Article] = (),
    extractions: Sequence[Extraction] = (),
    spool: Spool | None = None,
    show_dismissed: bool = False,
    serve_token: str | None = None,
    run_label: str | None = None,
    run_note: str | None = None,
) -> Iterator[str]:
    """`render_html` in pieces, to be written as they come.

    The article view takes texts and claims from `articles` and `extractions`, or from
    `spool` one article at a time (a large run: the page is still ~11 KB per article).
    `run_note` is shown under the title as a warning (`checker serve`: the run's latest
    run has not finished, `checker.store.run_notice`).
    """
    flags_of: dict[str, list[Flag]] = defaultdict(list)
    for f in report.flags:
        for aid in dict.fromkeys(ev.article for ev in f.evidence):
            flags_of[aid].append(f)
    if spool is not None:
        has_text: Callable[[str], bool] = spool.__contains__

        # Flags come story by story and an article's text and claims are asked for
        # together: a few recent pairs kept spare re-reading (unpickling) one per use.
        @lru_cache(maxsize=32)
        def pair(aid: str) -> tuple[Article, Extraction] | None:
            return spool.get(aid) if aid in spool else None

        def text(aid: str) -> str | None:
            found = pair(aid)
            return found[0].text if found else None

        def claims(aid: str) -> tuple[Claim, ...]:
            found = pair(aid)
            return found[1].claims if found else ()

    else:
        texts = {a.id: a.text for a in articles}
        claims_by_id = {e.article: e.claims for e in extractions}
        has_text = texts.__contains__

        def text(aid: str) -> str | None:
            return texts.get(aid)

        def claims(aid: str) -> tuple[Claim, ...]:
            return claims_by_id.get(aid, ())

    ctx = _Ctx(
        report=report,
        has_text=has_text,
        text=text,
        claims=claims,
        aidx={a.id: f"a{n}" for n, a in enumerate(report.articles)},
        fidx={f.id: f"f{n}" for n, f in enumerate(report.flags)},
        summaries={a.id: a for a in report.articles},
        flags_of=flags_of,
    )
    serve = serve_token is not None
    csp = content_security_policy(serve=serve)
    head = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_e(csp)}">',
        '<meta name="referrer" content="no-referrer">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
    ]
    if serve:
        head.append(f'<meta name="checker-token" content="{_e(serve_token)}">')
    head += [
        "<title>checker report</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
    ]
    where = f" · run <code>{_e(run_label)}</code>" if run_label else ""
    mode = "live review: decisions are saved to the run" if serve else "static report"
    body = [
        '<header class="top">',
        "<h1>checker report</h1>",
        f"<p>{_e(summary_line(report))} · extractor <code>{_e(report.extractor)}</code>"
        f"{where} · {mode}</p>",
        *([f'<p role="alert"><strong>warning:</strong> {_e(run_note)}</p>'] if run_note else []),
        "</header>",
        "<main>",
        *_summary(report),
        *_filters(ctx, show_dismissed),
    ]
    tail = [
        *_problems(report),
        "</main>",
        '<div id="live" class="sr" role="status" aria-live="polite"></div>',
        f"<script>{SCRIPT}</script>",
        "</body>",
        "</html>",
        "",
    ]
    lines = itertools.chain(head, body, _flags(ctx, serve, show_dismissed), _articles(ctx), tail)
    yield next(lines)
    for line in lines:
        yield "\n" + line


# -- summary and filters --------------------------------------------------------------------


def _summary(report: Report) -> list[str]:
    severity = Counter[str](f.severity for f in report.flags)
    kinds = Counter[str](f.kind for f in report.flags)
    statuses = Counter[str](f.review for f in report.flags if f.review)

    def chips(field: str, counts: Mapping[str, int], order: Sequence[str]) -> str:
        out = [
            f'<button type="button" class="chip" data-filter="{field}" data-value="{_e(v)}">'
            f'<span class="badge sev-{_e(v)}">{_e(v)}</span><b>{counts[v]}</b></button>'
            if field == "severity"
            else f'<button type="button" class="chip" data-filter="{field}" '
            f'data-value="{_e(v)}">{_e(v)} <b>{counts[v]}</b></button>'
            for v in order
            if counts[v]
        ]
        return '<div class="chips">' + "".join(out) + "</div>" if out else "<p>none</p>"

    lines = [
        '<section class="summary" aria-label="Summary">',
        f'<div class="panel"><h3>By severity</h3>{chips("severity", severity, _SEVERITIES)}</div>',
        f'<div class="panel"><h3>By kind</h3>{chips("kind", kinds, sorted(kinds))}</div>',
    ]
    if statuses:
        lines.append(
            '<div class="panel"><h3>By review status</h3>'
            f"{chips('status', statuses, _STATUSES)}</div>"
        )
    lines.append("</section>")
    return lines


def _filters(ctx: _Ctx, show_dismissed: bool) -> list[str]:
    report = ctx.report

    def select(name: str, label: str, options: list[tuple[str, str]], default: str = "") -> str:
        opts = "".join(
            f'<option value="{_e(v)}"{" selected" if v == default else ""}>{_e(t)}</option>'
            for v, t in options
        )
        return f'<label>{label}<select name="{name}">{opts}</select></label>'

    kinds = sorted({f.kind for f in report.flags})
    status_default = "all" if show_dismissed else "open"
    status_options = [("open", "open (not dismissed)"), ("all", "all")]
    status_options += [(s, s) for s in _STATUSES]
    return [
        '<form id="filters" class="filters" aria-label="Filter flags">',
        select("kind", "Kind", [("", "all kinds"), *((k, k) for k in kinds)]),
        select("severity", "Severity", [("", "all severities"), *((s, s) for s in _SEVERITIES)]),
        select(
            "confidence",
            "Confidence",
            [("", "any confidence"), *((c, c) for c in _CONFIDENCES)],
        ),
        select(
            "article",
            "Article",
            [("", "all articles"), *((ctx.aidx[a.id], _label(a)) for a in report.articles)],
        ),
        select("status", "Review status", status_options, status_default),
        '<span class="count" id="shown" aria-live="polite"></span>',
        "</form>",
        '<p class="keys">Keys: <kbd>j</kbd>/<kbd>k</kbd> next/previous flag · <kbd>a</kbd> '
        "show in article · <kbd>c</kbd> confirm · <kbd>d</kbd> dismiss · <kbd>u</kbd> reopen · "
        "<kbd>n</kbd> note · <kbd>/</kbd> filters · <kbd>?</kbd> help</p>",
        '<div id="help" class="panel" hidden><h3>Keyboard</h3><p>Every control is reachable '
        "with <kbd>Tab</kbd>. On a flag: <kbd>j</kbd>/<kbd>k</kbd> move, <kbd>a</kbd> jumps to "
        "the evidence in its article, and in <code>checker serve</code> <kbd>c</kbd>, "
        "<kbd>d</kbd> and <kbd>u</kbd> confirm, dismiss or reopen it (<kbd>n</kbd> types a note "
        "first). <kbd>Esc</kbd> leaves a text field.</p></div>",
    ]


# -- flags ----------------------------------------------------------------------------------


def _flags(ctx: _Ctx, serve: bool, show_dismissed: bool) -> Iterator[str]:
    yield '<section id="flags" aria-label="Flags">'
    yield "<h2>Flags</h2>"
    if not ctx.report.flags:
        yield '<p class="empty panel">No conflicts found.</p>'
    several = len(ctx.report.stories) > 1
    for story, flags in flags_by_story(ctx.report):
        if several:
            label = f"Story: {story_label(story)}" if story else "Other flags"
            code = f" <code>{_e(story.id)}</code>" if story else ""
            yield f'<section class="story" aria-label="{_e(label)}"><h3>{_e(label)}{code}</h3>'
        for flag in flags:
            yield from _flag(ctx, flag, serve, show_dismissed)
        if several:
            yield "</section>"
    yield '<p id="none-shown" class="empty panel" hidden>No flag matches these filters.</p>'
    if ctx.report.flags and not serve:
        yield (
            '<p class="hint">To record a decision: <code>checker review RUN ID --dismiss --note '
            "&quot;why&quot;</code>, or open the run in <code>checker serve RUN</code>.</p>"
        )
    yield "</section>"


def _flag(ctx: _Ctx, flag: Flag, serve: bool, show_dismissed: bool) -> list[str]:
    status = flag.review or "new"
    articles = " ".join(ctx.aidx.get(a, "") for a in flag.articles)
    hidden = " hidden" if status == "dismissed" and not show_dismissed else ""
    keys = _key_terms(flag.summary)
    out = [
        f'<article class="flag sev-{_e(flag.severity)}" id="{ctx.fidx[flag.id]}" tabindex="0" '
        f'data-id="{_e(flag.id)}" data-kind="{_e(flag.kind)}" data-severity="{_e(flag.severity)}" '
        f'data-confidence="{_e(flag.confidence or "")}" '
        f'data-articles="{_e(articles)}" data-status="{_e(status)}" '
        f'aria-label="{_e(flag.severity)} {_e(flag.kind)} flag"{hidden}>',
        "<header>",
        f'<span class="badge sev-{_e(flag.severity)}">{_e(flag.severity)}</span>',
        f'<span class="badge kind">{_e(flag.kind)}</span>',
        *(
            [
                f'<span class="badge conf conf-{_e(flag.confidence)}" '
                f'title="how sure checker is that this is a real conflict">'
                f"confidence {_e(flag.confidence)}</span>"
            ]
            if flag.confidence
            else []
        ),
        f'<span class="badge st st-{_e(status)}">{_e(status)}</span>',
        f'<span class="fid" title="flag id">{_e(flag.id)}</span>',
        "</header>",
        f'<p class="explain">{_e(flag.summary)}</p>',
        *(
            [f'<p class="doubt">Not sure because: {_e(flag.confidence_note)}.</p>']
            if flag.confidence_note
            else []
        ),
        '<div class="evidence">',
    ]
    for ev in flag.evidence:
        summary = ctx.summaries.get(ev.article)
        label = _label(summary) if summary else ev.article
        published = summary.published.isoformat() if summary and summary.published else ""
        text = ctx.text(ev.article)
        if text is not None and text[ev.start : ev.end] == ev.quote:
            before = _context_before(text, ev.start)
            after = _context_after(text, ev.end)
        else:
            before = after = ""
        out += [
            '<figure class="ev">',
            f"<figcaption><strong>{_e(label)}</strong><span>"
            f"{_e(published + ' · ' if published else '')}chars {ev.start}–{ev.end}"
            "</span></figcaption>",
            "<blockquote>"
            + (f'<span class="ctx">{_e(before)}</span>' if before else "")
            + f'<mark class="hit">{_highlight(ev.quote, keys)}</mark>'
            + (f'<span class="ctx">{_e(after)}</span>' if after else "")
            + "</blockquote>",
        ]
        if text is not None and ev.article in ctx.aidx:
            anchor = f"{ctx.aidx[ev.article]}-{ev.start}-{ev.end}"
            out.append(f'<a class="jump" href="#{anchor}">Show in article →</a>')
        out.append("</figure>")
    out.append("</div>")
    note = f"Note: {flag.review_note}" if flag.review_note else ""
    out.append(f'<p class="note">{_e(note)}</p>')
    if serve:
        out += [
            '<form class="review-form" aria-label="Decision">',
            f'<input name="note" maxlength="2000" placeholder="Note for this decision" '
            f'aria-label="Note" value="{_e(flag.review_note or "")}">',
            '<button type="submit" class="confirm" value="confirmed">Confirm</button>',
            '<button type="submit" class="dismiss" value="dismissed">Dismiss</button>',
            '<button type="submit" class="reopen" value="reopen">Reopen</button>',
            "<output></output>",
            "</form>",
        ]
    out.append("</article>")
    return out


def _key_terms(summary: str) -> list[str]:
    """Words the explanation quotes ('In November', 'His'): marked inside the evidence."""
    terms = {next(g for g in m.groups() if g) for m in _QUOTED.finditer(summary)}
    return sorted(terms, key=lambda t: (-len(t), t))


def _highlight(quote: str, keys: Sequence[str]) -> str:
    if not keys:
        return _e(quote)
    pattern = re.compile("|".join(rf"(?<!\w){re.escape(k)}(?!\w)" for k in keys))
    out, pos = [], 0
    for m in pattern.finditer(quote):
        out.append(_e(quote[pos : m.start()]))
        out.append(f'<span class="key">{_e(m.group())}</span>')
        pos = m.end()
    out.append(_e(quote[pos:]))
    return "".join(out)


def _context_before(text: str, start: int) -> str:
    lo = max(0, start - _CONTEXT)
    piece = text[lo:start]
    if lo > 0:
        cut = piece.find(" ")
        piece = "…" + (piece[cut + 1 :] if cut >= 0 else piece)
    return " ".join(piece.split()) + (" " if piece[-1:].isspace() else "")


def _context_after(text: str, end: int) -> str:
    hi = min(len(text), end + _CONTEXT)
    piece = text[end:hi]
    if hi < len(text):
        cut = piece.rfind(" ")
        piece = (piece[:cut] if cut > 0 else piece) + "…"
    return (" " if piece[:1].isspace() else "") + " ".join(piece.split())


def _label(summary: ArticleSummary) -> str:
    name = summary.title or summary.source
    return f"{name} ({summary.id})" if name else summary.id


# -- article view ---------------------------------------------------------------------------


def _articles(ctx: _Ctx) -> Iterator[str]:
    if not any(ctx.has_text(a.id) for a in ctx.report.articles):
        return
    yield from (
        '<section id="articles" aria-label="Articles">',
        "<h2>Articles</h2>",
        '<p class="legend"><mark class="claim">extracted claim</mark> '
        '<mark class="claim flagged">evidence of a flag</mark> '
        '<mark class="claim flagged sev-high">evidence of a high-severity flag</mark> · '
        "the small tags link each evidence to its flags.</p>",
    )
    for summary in ctx.report.articles:
        text = ctx.text(summary.id)
        if text is not None:
            yield from _article(ctx, summary, text)
    yield "</section>"


def _article(ctx: _Ctx, summary: ArticleSummary, text: str) -> list[str]:
    aid = summary.id
    claims = ctx.claims(aid)
    claim_spans: dict[tuple[int, int], list[Claim]] = defaultdict(list)
    for c in claims:
        if text[c.evidence.start : c.evidence.end] == c.evidence.quote:
            claim_spans[(c.evidence.start, c.evidence.end)].append(c)
    flag_spans: dict[tuple[int, int], list[Flag]] = defaultdict(list)
    for f in ctx.flags_of.get(aid, ()):
        for ev in f.evidence:
            if ev.article == aid and text[ev.start : ev.end] == ev.quote:
                flag_spans[(ev.start, ev.end)].append(f)
    cuts = {0, len(text)}
    for s, e in (*claim_spans, *flag_spans):
        cuts.update((s, e))
    points = sorted(cuts)
    ends: dict[int, list[Flag]] = defaultdict(list)
    for (_, e), fs in sorted(flag_spans.items()):
        ends[e].extend(fs)
    body: list[str] = []
    for lo, hi in itertools.pairwise(points):
        for s, e in sorted(k for k in flag_spans if k[0] == lo):
            body.append(f'<span class="anchor" id="{ctx.aidx[aid]}-{s}-{e}"></span>')
        over_claims = [c for (s, e), cs in claim_spans.items() if s <= lo and hi <= e for c in cs]
        over_flags = [f for (s, e), fs in flag_spans.items() if s <= lo and hi <= e for f in fs]
        piece = _e(text[lo:hi])
        if over_claims or over_flags:
            classes = ["claim" if over_claims else "plain"]
            if over_flags:
                classes.append("flagged")
                if any(f.severity == "high" for f in over_flags):
                    classes.append("sev-high")
            title = "; ".join(_describe(c) for c in over_claims[:3])
            title_attr = f' title="{_e(title)}"' if title else ""
            body.append(f'<mark class="{" ".join(classes)}"{title_attr}>{piece}</mark>')
        else:
            body.append(piece)
        seen: set[str] = set()
        for f in ends.get(hi, ()):
            if f.id in seen:
                continue
            seen.add(f.id)
            body.append(
                f'<a class="flagref sev-{_e(f.severity)}" href="#{ctx.fidx[f.id]}" '
                f'title="{_e(f.summary)}">{_e(f.kind)}</a>'
            )
    published = summary.published.isoformat() if summary.published else "date unknown"
    meta = [published, f"{len(claims)} claim{'' if len(claims) == 1 else 's'}", summary.extractor]
    if summary.url:
        meta.append(summary.url)
    return [
        f'<article class="art" id="{ctx.aidx[aid]}" aria-label="{_e(_label(summary))}">',
        f"<h3>{_e(_label(summary))}</h3>",
        f'<p class="meta">{" · ".join(_e(m) for m in meta)}</p>',
        f'<div class="text">{"".join(body)}</div>',
        "</article>",
    ]


def _describe(c: Claim) -> str:
    parts = [c.predicate]
    for name in ("subject", "object", "time", "place", "speaker"):
        value = getattr(c, name)
        if value:
            parts.append(f"{name}: {value}")
    if c.quantity:
        parts.append(f"quantity: {c.quantity.text}")
    if c.polarity != "affirmed":
        parts.append(c.polarity)
    if c.modality != "asserted":
        parts.append(c.modality)
    return " · ".join(parts)


def _problems(report: Report) -> list[str]:
    if not report.problems:
        return []
    rows = "".join(
        f"<tr><td><code>{_e(p.path)}</code></td><td>{_e(p.message)}</td></tr>"
        for p in report.problems
    )
    return [
        '<section aria-label="Problems"><h2>Inputs that could not be used</h2>',
        f'<table class="problems">{rows}</table></section>',
    ]
