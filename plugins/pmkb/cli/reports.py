"""`pmkb stats`, `pmkb brief` and `pmkb actions`: the reports of `pmkb.reports` in a terminal.

Every figure comes from `pmkb.reports`, which the site uses too; this module only
parses options and renders text or JSON. The JSON documents are the models of
`pmkb.report_models`.

Text output is made for reading at a glance: aligned tables as wide as the terminal,
long cells wrapped onto more lines rather than cut (`terminal.py`); durations as
"2 h 5 min", medians first.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import click

from pmkb import reports
from pmkb.cli.context import (
    DATE,
    EXIT_FINDINGS,
    EXIT_OK,
    common_options,
    fail,
    fail_on_invalid_option,
    make_context,
    report_left_out,
    warn_missing_folders,
)
from pmkb.cli.terminal import FALLBACK_WIDTH, GAP, Cell, Column, Printer, one_line, table, wrap_text
from pmkb.index import KnowledgeBase
from pmkb.model import ACTION_STATUSES
from pmkb.plaintext import json_text, plain

MAX_LISTED_SERVICES = 12


# Options ------------------------------------------------------------------------------


def _format_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(["text", "json"]),
        default="text",
        show_default=True,
        help="Text for people, JSON for scripts.",
    )(command)


def _since_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--since",
        type=DATE,
        default=None,
        metavar="YYYY-MM-DD",
        help="Only incidents that started on or after this date (UTC).",
    )(command)


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else (plural or word + 's')}"


def _severity_style(kb: KnowledgeBase, severity: str) -> dict[str, Any]:
    rank = kb.config.severity_rank(severity)
    return {"fg": "red", "bold": True} if rank == 0 else {"fg": "yellow"} if rank == 1 else {}


def _heading(out: Printer, text: str) -> None:
    out()
    for line in wrap_text(text, indent=0, width=out.width):
        out(out.style(line, bold=True, underline=True))


def _emit_json(data: Any) -> None:
    click.echo(json_text(data))


def _load(ctx: click.Context, config_file: Path | None, today: str | None, fail_on_invalid: bool) -> KnowledgeBase:
    state = make_context(ctx, config_file, today)
    warn_missing_folders(state.config)
    kb = state.kb
    # Invalid files are not in the figures; saying so avoids trusting a partial count.
    report_left_out(kb, "these figures", fail_on_invalid)
    return kb


# pmkb stats ---------------------------------------------------------------------------


@click.command()
@_since_option
@_format_option
@fail_on_invalid_option
@common_options
@click.pass_context
def stats(
    ctx: click.Context,
    since: date | None,
    output_format: str,
    fail_on_invalid: bool,
    config_file: Path | None,
    today: str | None,
) -> None:
    """Counts, time to detect, mitigate and resolve by severity, incidents per month and
    recurring problems.

    Durations are skewed by the odd long incident, so the median leads, then the
    90th percentile and the mean. Drafts are left out of durations; every
    postmortem counts everywhere else.
    """
    kb = _load(ctx, config_file, today, fail_on_invalid)
    data = reports.stats(kb, since)
    if output_format == "json":
        _emit_json(data)
        return
    out = Printer()
    total = data["counts"]["total"]
    if total == 0:
        out(f"No postmortems since {since.isoformat()}." if since else "No postmortems yet.")
        return
    _stats_counts(out, data, since)
    _stats_durations(out, kb, data)
    _stats_per_month(out, kb, data)
    _stats_recurring(out, data)


def _counts_line(out: Printer, label: str, counts: dict[str, int], keep_zeros: bool = True) -> None:
    label_width = 14
    shown = " · ".join(f"{name} {count}" for name, count in counts.items() if keep_zeros or count) or "none"
    for number, line in enumerate(wrap_text(shown, indent=label_width, width=out.width)):
        out((label.ljust(label_width) + line.lstrip()) if number == 0 else line)


def _stats_counts(out: Printer, data: dict[str, Any], since: date | None) -> None:
    counts = data["counts"]
    notes = []
    if counts["status"].get("draft"):
        notes.append(_plural(counts["status"]["draft"], "draft"))
    if counts["type"].get("near-miss"):
        notes.append(_plural(counts["type"]["near-miss"], "near-miss", "near-misses"))
    heading = f"{_plural(counts['total'], 'postmortem')}" + (f" ({', '.join(notes)})" if notes else "")
    heading += f" since {since.isoformat()}" if since else ""
    out(out.style(heading, bold=True))
    out()
    _counts_line(out, "By severity", counts["severity"])
    _counts_line(out, "By status", counts["status"])
    _counts_line(out, "By type", counts["type"])
    categories = dict(counts["category"])
    if counts["uncategorized"]:
        categories["uncategorized"] = counts["uncategorized"]
    categories = dict(sorted(categories.items(), key=lambda item: -item[1]))
    _counts_line(out, "By category", categories, keep_zeros=False)


def _stats_durations(out: Printer, kb: KnowledgeBase, data: dict[str, Any]) -> None:
    _heading(out, "Durations by severity (median first; drafts left out)")
    columns = [
        Column("SEVERITY"),
        Column("MEASURE"),
        Column("N", right=True),
        Column("MEDIAN"),
        Column("P90"),
        Column("MEAN"),
    ]
    rows: list[list[Cell]] = []
    for level, measures in data["durations"].items():
        label: Cell = (level, _severity_style(kb, level))
        if not any(figures["count"] for figures in measures.values()):
            rows.append([label, "nothing to measure", "0", "—", "—", "—"])
            continue
        for metric, name in reports.METRICS:
            figures = measures[metric]
            rows.append(
                [
                    label,
                    name,
                    str(figures["count"]),
                    (reports.format_minutes(figures["median"]), {"bold": True}),
                    reports.format_minutes(figures["p90"]),
                    reports.format_minutes(figures["mean"]),
                ]
            )
            label = ""
    for line in table(out, columns, rows):
        out(line)


def _stats_per_month(out: Printer, kb: KnowledgeBase, data: dict[str, Any]) -> None:
    _heading(out, "Incidents per month (UTC, every postmortem)")
    months = data["per_month"]
    levels = list(months[0]["severity"]) if months else []
    columns = [Column("MONTH"), Column("TOTAL", right=True), *(Column(level, right=True) for level in levels)]
    rows: list[list[Cell]] = [
        [month["month"], str(month["total"]), *(str(month["severity"][level]) for level in levels)] for month in months
    ]
    lines = table(out, columns, rows)
    # Bars use whatever the numbers leave of the width, one block per incident when it fits.
    bar_room = (out.width or FALLBACK_WIDTH) - max(len(click.unstyle(line)) for line in lines) - len(GAP)
    busiest = max(month["total"] for month in months)
    scale = min(1.0, bar_room / busiest) if bar_room > 0 and busiest else 0.0
    out(lines[0])
    for line, month in zip(lines[1:], months, strict=False):
        bar = "█" * (max(1, round(month["total"] * scale)) if month["total"] and scale else 0)
        out(line + (GAP + out.style(bar, fg="cyan") if bar else ""))


def _stats_recurring(out: Printer, data: dict[str, Any]) -> None:
    days = data["recurrence_days"]
    _heading(out, f"Recurring: same service and category, each within {days} days of the previous")
    if not data["recurring"]:
        out("No recurring incidents.")
        return
    for recurrence in data["recurring"]:
        head = (
            f"{recurrence['service']} · {recurrence['category']}: {recurrence['count']} incidents, "
            f"{recurrence['first']} → {recurrence['last']}"
        )
        for line in wrap_text(head, indent=4, first_indent=0, width=out.width):
            out(out.style(line, bold=True))
        for line in wrap_text(", ".join(recurrence["incidents"]), indent=4, width=out.width):
            out(line)


# pmkb brief ---------------------------------------------------------------------------


@click.command()
@click.argument("services", nargs=-1, required=True, metavar="SERVICE...")
@_since_option
@_format_option
@fail_on_invalid_option
@common_options
@click.pass_context
def brief(
    ctx: click.Context,
    services: tuple[str, ...],
    since: date | None,
    output_format: str,
    fail_on_invalid: bool,
    config_file: Path | None,
    today: str | None,
) -> None:
    """What to read before a deploy of SERVICE...: past incidents touching those
    services (newest first), their open action items (overdue first) and the
    runbooks for those services.
    """
    kb = _load(ctx, config_file, today, fail_on_invalid)
    try:
        result = reports.brief(kb, services, since)
    except reports.UnknownServiceError as exc:
        fail(_unknown_service_message(kb, exc))
    if output_format == "json":
        _emit_json(reports.brief_to_json(kb, result))
        return
    _brief_text(Printer(), kb, result)


def _unknown_service_message(kb: KnowledgeBase, exc: reports.UnknownServiceError) -> str:
    lines = []
    for name, close in exc.suggestions.items():
        hint = f"; did you mean {' or '.join(close)}?" if close else ""
        lines.append(plain(f"unknown service {name!r}{hint}"))
    known = kb.services
    if not known:
        lines.append("no postmortem or runbook names a service yet")
    else:
        listed = ", ".join(known[:MAX_LISTED_SERVICES])
        more = f" and {len(known) - MAX_LISTED_SERVICES} more" if len(known) > MAX_LISTED_SERVICES else ""
        lines.append(plain(f"known services: {listed}{more}"))
    return "\n".join(lines[:1] + [f"pmkb: {line}" for line in lines[1:]])


def _brief_text(out: Printer, kb: KnowledgeBase, result: reports.Brief) -> None:
    names = plain(", ".join(result.services))
    since = f" since {result.since.isoformat()}" if result.since else ""
    overdue = sum(row.overdue for row in result.action_items)
    for line in wrap_text(f"Brief: {names}", indent=2, first_indent=0, width=out.width):
        out(out.style(line, bold=True))
    summary = (
        f"{_plural(len(result.incidents), 'incident')}{since} · "
        f"{_plural(len(result.lessons), 'lesson')} · "
        f"{_plural(len(result.action_items), 'open action item')}"
        + (f" ({overdue} overdue)" if overdue else "")
        + f" · {_plural(len(result.runbooks), 'runbook')}"
    )
    out(summary)
    _brief_incidents(out, kb, result, names, since)
    _brief_lessons(out, result)

    _heading(out, "Open action items, overdue first")
    if not result.action_items:
        out("No open action items." if result.incidents else "No open action items: no incidents to act on.")
    else:
        for line in _actions_table(out, result.action_items, indent=2):
            out(line)

    _brief_runbooks(out, result, names)


def _brief_incidents(out: Printer, kb: KnowledgeBase, result: reports.Brief, names: str, since: str) -> None:
    _heading(out, "Incidents, newest first")
    if not result.incidents:
        out(f"No incidents touch {names}{since}.")
    severity_width = max((len(incident.severity) for incident in result.incidents), default=0)
    indent = 2 + 10 + len(GAP) + severity_width + len(GAP)
    for incident in result.incidents:
        markers = []
        if incident.status != "final":
            markers.append(f"[{incident.status}]")
        if incident.type != "incident":
            markers.append(f"[{incident.type}]")
        marker_text = (" " + " ".join(markers)) if markers else ""
        severity = out.style(incident.severity, **_severity_style(kb, incident.severity))
        padding = " " * (severity_width - len(incident.severity))
        lead = f"  {incident.date.isoformat()}{GAP}{severity}{padding}{GAP}"
        title_lines = wrap_text(
            incident.title, indent=indent, width=None if out.width is None else out.width - len(marker_text)
        )
        for number, line in enumerate(title_lines):
            styled = out.style(line.strip(), bold=True)
            tail = out.style(marker_text, fg="magenta") if number == len(title_lines) - 1 else ""
            out((lead if number == 0 else " " * indent) + styled + tail)
        category = f" ({incident.category})" if incident.category else ""
        if incident.root_cause:
            cause = f"Root cause{category}: {incident.root_cause}"
            for line in wrap_text(cause, indent=indent + 2, first_indent=indent, width=out.width):
                out(line)
        else:
            out(" " * indent + out.style(f"Root cause{category}: not written yet", dim=True))
        if incident.impact:
            for line in wrap_text(
                f"Impact: {incident.impact}", indent=indent + 2, first_indent=indent, width=out.width
            ):
                out(line)
        out(" " * indent + out.style(incident.url, fg="cyan"))


def _brief_lessons(out: Printer, result: reports.Brief) -> None:
    _heading(out, "Lessons learned, newest first")
    if not result.lessons:
        out("No lessons written down yet." if result.incidents else "No lessons: no incidents.")
    shown: str | None = None
    for lesson in result.lessons:
        # Grouped under the incident they came from, which heads its group once.
        if lesson.postmortem_id != shown:
            shown = lesson.postmortem_id
            out(f"  {lesson.date.isoformat()}{GAP}" + out.style(lesson.postmortem_url, fg="cyan"))
        for line in wrap_text(f"• {lesson.text}", indent=6, first_indent=4, width=out.width):
            out(line)


def _brief_runbooks(out: Printer, result: reports.Brief, names: str) -> None:
    _heading(out, "Runbooks")
    if not result.runbooks:
        out(f"No runbooks for {names}.")
    for runbook in result.runbooks:
        if runbook.stale and runbook.review_due:
            review, review_style = f"review overdue since {runbook.review_due.isoformat()}", {"fg": "red"}
        else:
            review, review_style = (
                (f"reviewed {runbook.last_reviewed.isoformat()}" if runbook.last_reviewed else ""),
                {},
            )
        head = f"  {runbook.title} · owner {runbook.owner}" + (f" · {review}" if review else "")
        lines = wrap_text(head, indent=4, first_indent=2, width=out.width)
        if len(lines) == 1:
            # One line: title bold, review state coloured, as everywhere else.
            head = f"  {out.style(one_line(runbook.title), bold=True)} · owner {one_line(runbook.owner)}"
            lines = [head + (f" · {out.style(review, **review_style)}" if review else "")]
        for line in lines:
            out(line)
        out("    " + out.style(runbook.url, fg="cyan"))
        alerts = ", ".join(runbook.alerts) if runbook.alerts else "none listed"
        for line in wrap_text(f"alerts: {alerts}", indent=6, first_indent=4, width=out.width):
            out(line)


# pmkb actions -------------------------------------------------------------------------


def _actions_table(out: Printer, rows: Sequence[reports.ActionRow], indent: int = 0) -> list[str]:
    columns = [Column("DUE"), Column("STATUS"), Column("PRI"), Column("OWNER"), Column("TITLE"), Column("POSTMORTEM")]
    # Titles, owners, postmortem ids and the overdue mark wrap; dates, statuses and
    # priorities stay whole. At 72 columns the table still fits.
    shrink = [(0, 10), (3, 8), (4, 16), (5, 12)]
    cells: list[list[Cell]] = []
    for row in rows:
        item = row.item
        closed = not item.is_open
        due: Cell = (
            (f"{item.due.isoformat()} overdue", {"fg": "red", "bold": True}) if row.overdue else item.due.isoformat()
        )
        dim = {"dim": True} if closed else {}
        cells.append(
            [
                due,
                (item.status, dim),
                (item.priority, {"bold": True} if item.priority == "P0" and not closed else dim),
                (item.owner, dim),
                (item.title, dim),
                (row.postmortem_id, dim),
            ]
        )
    return table(out, columns, cells, indent=indent, shrink=shrink)


@click.command()
@click.option("--status", type=click.Choice(list(ACTION_STATUSES)), default=None, help="Only items with this status.")
@click.option("--owner", metavar="NAME", default=None, help="Only items of this owner (ignoring case).")
@click.option(
    "--overdue", "overdue_only", is_flag=True, help="Only overdue items: not done or wont-do, due before today."
)
@click.option("--fail-on-overdue", is_flag=True, help="Exit 1 when any listed item is overdue (for CI).")
@_format_option
@fail_on_invalid_option
@common_options
@click.pass_context
def actions(
    ctx: click.Context,
    status: str | None,
    owner: str | None,
    overdue_only: bool,
    fail_on_overdue: bool,
    output_format: str,
    fail_on_invalid: bool,
    config_file: Path | None,
    today: str | None,
) -> None:
    """Action items of every postmortem: overdue first, then open and in progress,
    then done and wont-do; by priority and due date within each.
    """
    kb = _load(ctx, config_file, today, fail_on_invalid)
    rows = reports.action_rows(kb, status=status, owner=owner, overdue_only=overdue_only)
    if output_format == "json":
        _emit_json(reports.actions_to_json(kb, rows, status=status, owner=owner, overdue_only=overdue_only))
    else:
        out = Printer()
        if not rows:
            filters = [
                f"status {status}" if status else "",
                f"owner {owner}" if owner else "",
                "overdue" if overdue_only else "",
            ]
            described = ", ".join(part for part in filters if part)
            out(f"No action items match ({described})." if described else "No action items.")
        else:
            for line in _actions_table(out, rows):
                out(line)
            open_count = sum(row.item.is_open for row in rows)
            overdue = sum(row.overdue for row in rows)
            out()
            out(f"{_plural(len(rows), 'action item')}: {open_count} open, {overdue} overdue.")
    sys.exit(EXIT_FINDINGS if fail_on_overdue and any(row.overdue for row in rows) else EXIT_OK)
