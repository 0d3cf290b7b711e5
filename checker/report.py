"""Render a `Report`: JSON for tools (a stable contract), Markdown and HTML for people.

Rendering is pure: the same report gives byte-identical output.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator

from pydantic import BaseModel

from checker.models import Flag, Report, Severity, Story

FORMATS = ("markdown", "json", "html")
_SEVERITIES: tuple[Severity, ...] = ("high", "medium", "low")


def render(report: Report, fmt: str) -> str:
    if fmt == "json":
        return render_json(report)
    if fmt == "html":  # the page with no article view; see checker.html for the full one
        from checker.html import render_html

        return render_html(report)
    return render_markdown(report)


def render_json(report: Report) -> str:
    """The JSON contract: schema_version, extractor, articles, flags, problems."""
    return "".join(iter_json(report))


def iter_json(report: Report) -> Iterator[str]:
    """`render_json` in pieces, one article, flag, problem or story at a time.

    The same bytes as ``json.dumps(report.model_dump(mode="json"), indent=2,
    ensure_ascii=False) + "\\n"``, without building the whole tree of dicts first (at
    100,000 articles that tree is several times the size of the text).
    """
    yield "{"
    for number, name in enumerate(Report.model_fields):
        value = getattr(report, name)
        yield ("\n" if number == 0 else ",\n") + f"  {json.dumps(name)}: "
        if isinstance(value, tuple) and value and isinstance(value[0], BaseModel):
            for i, item in enumerate(value):
                # `model_dump_json(indent=2)` minus its Python wrapper (whose keywords
                # cost more than a small model's serialisation), indented as bytes
                # (cheaper than as text), then decoded once
                piece = item.__pydantic_serializer__.to_json(item, indent=2)
                indented = b"    " + piece.replace(b"\n", b"\n    ")
                yield ("[\n" if i == 0 else ",\n") + indented.decode()
            yield "\n  ]"
        else:
            plain = report.model_dump(mode="json", include={name})[name]
            yield _indent(json.dumps(plain, indent=2, ensure_ascii=False), "  ")[2:]
    yield "\n}\n"


def _indent(text: str, prefix: str) -> str:
    # JSON escapes every newline inside a string, so each "\n" here is a line break.
    # One str.replace: a tenth of the instructions of joining the split lines.
    return prefix + text.replace("\n", "\n" + prefix)


def summary_line(report: Report) -> str:
    """'5 articles, 7 flags (2 high, 3 medium, 2 low), 0 problems'."""
    counts = Counter(f.severity for f in report.flags)
    by_severity = ", ".join(f"{counts[s]} {s}" for s in _SEVERITIES if counts[s])
    flags = f"{len(report.flags)} flag{'s' if len(report.flags) != 1 else ''}"
    if by_severity:
        flags += f" ({by_severity})"
    problems = len(report.problems)
    return (
        f"{len(report.articles)} article{'s' if len(report.articles) != 1 else ''}, {flags}, "
        f"{problems} problem{'s' if problems != 1 else ''}"
    )


def render_markdown(report: Report) -> str:
    lines = [
        "# checker report",
        "",
        f"{summary_line(report)}. Extractor: `{report.extractor}`.",
        "",
    ]
    if report.flags:
        kinds = Counter(f.kind for f in report.flags)
        lines.append("By kind: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())) + ".")
        lines.append("")
        lines.append("## Flags")
        lines.append("")
        number = 0
        for heading, flags in _by_story(report):
            if heading:
                lines.extend([heading, ""])
            for flag in flags:
                number += 1
                lines.extend(_flag_markdown(number, flag))
    else:
        lines.extend(["No conflicts found.", ""])
    lines.extend(["## Articles", ""])
    lines.append("| article | published | extractor | claims | mentions | status |")
    lines.append("|---|---|---|---:|---:|---|")
    for a in report.articles:
        published = a.published.isoformat() if a.published else "unknown"
        if a.published_origin == "inferred":
            published += " (inferred)"
        status = a.status if a.reason is None else f"{a.status}: {_cell(a.reason)}"
        lines.append(
            f"| {_cell(a.id)} | {published} | {a.extractor} | {a.claims} | {a.mentions} "
            f"| {status} |"
        )
    lines.append("")
    notes = [a for a in report.articles if a.published_note]
    if notes:
        lines.extend(f"- {a.id}: publication date {a.published_note}" for a in notes)
        lines.append("")
    if report.problems:
        lines.extend(["## Problems", ""])
        lines.extend(f"- `{p.path}`: {p.message}" for p in report.problems)
        lines.append("")
    return "\n".join(lines)


def flags_by_story(report: Report) -> list[tuple[Story | None, list[Flag]]]:
    """Flags grouped under their story, stories in report order, stories without flags
    left out; flags of no known story last, under None. One group (None) when the report
    has at most one story: there is nothing to organise."""
    if len(report.stories) <= 1:
        return [(None, list(report.flags))] if report.flags else []
    by_story: dict[str | None, list[Flag]] = {}
    for flag in report.flags:
        by_story.setdefault(flag.story, []).append(flag)
    out: list[tuple[Story | None, list[Flag]]] = []
    for story in report.stories:
        flags = by_story.pop(story.id, [])
        if flags:
            out.append((story, flags))
    rest = [f for f in report.flags if f.story in by_story]  # no story, or an unknown one
    if rest:
        out.append((None, rest))
    return out


def story_label(story: Story) -> str:
    """What a story is about, in a few words: its first entities and its size."""
    count = len(story.articles)
    about = ", ".join(story.entities[:3]) or "unlabelled"
    return f"{count} article{'s' if count != 1 else ''}: {about}"


def _by_story(report: Report) -> list[tuple[str, list[Flag]]]:
    """`flags_by_story` with Markdown headings ("" for a lone group)."""
    groups = flags_by_story(report)
    if len(report.stories) <= 1:
        return [("", flags) for _, flags in groups]
    return [
        (
            f"### Story `{story.id}` ({story_label(story)})" if story else "### Other flags",
            flags,
        )
        for story, flags in groups
    ]


def _flag_markdown(number: int, flag: Flag) -> list[str]:
    confidence = f" · confidence {flag.confidence}" if flag.confidence else ""
    lines = [
        f"### {number}. {flag.severity} · {flag.kind}{confidence} · `{flag.id}`",
        "",
        flag.summary,
        "",
    ]
    if flag.confidence_note:
        lines[-1:] = ["", f"Not sure because: {flag.confidence_note}.", ""]
    for e in flag.evidence:
        quote = " ".join(e.quote.split())
        lines.append(f"- **{e.article}**, characters {e.start}–{e.end}:")
        lines.append(f"  > {quote}")
    lines.append("")
    return lines


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
