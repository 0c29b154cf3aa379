"""`pmkb stats`, `pmkb brief` and `pmkb actions`: the reports of `pmkb.reports` in a terminal.

Every figure comes from `pmkb.reports`, which the site uses too; this module only
parses options and renders text or JSON. JSON shapes are documented in
`pmkb.reports`.

Text output is made for reading at a glance: aligned tables no wider than 100
columns (long titles end in "…"), durations as "2 h 5 min", medians first.
Colour only when stdout is a terminal and NO_COLOR is unset, never when piped.
"""

from __future__ import annotations

import os
import sys
import textwrap
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Callable, Sequence

import click

from pmkb import reports
from pmkb.cli_context import (
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
from pmkb.index import KnowledgeBase
from pmkb.model import ACTION_STATUSES
from pmkb.plaintext import json_text, plain

WIDTH = 100
GAP = "  "
MAX_LISTED_SERVICES = 12


# Options ------------------------------------------------------------------------------


def _format_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
        help="Text for people, JSON for scripts.",
    )(command)


def _since_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--since", type=DATE, default=None, metavar="YYYY-MM-DD",
        help="Only incidents that started on or after this date (UTC).",
    )(command)


# Rendering helpers --------------------------------------------------------------------


def _stdout_is_terminal() -> bool:
    # click.echo writes to sys.stdout, so that is the stream whose nature decides.
    isatty = getattr(sys.stdout, "isatty", None)
    return bool(isatty and isatty())


def use_color() -> bool:
    """https://no-color.org: any non-empty NO_COLOR turns colour off; so does a pipe."""
    return not os.environ.get("NO_COLOR") and _stdout_is_terminal()


class Printer:
    """click.echo with the colour decision made once, so no ANSI code reaches a pipe."""

    def __init__(self) -> None:
        self.color = use_color()

    def __call__(self, text: str = "") -> None:
        click.echo(text, color=self.color)

    def style(self, text: str, **styles: Any) -> str:
        return click.style(text, **styles) if self.color and styles else text


def one_line(text: str) -> str:
    """Control characters shown as escapes (values come from files), runs of spaces as one."""
    return " ".join(plain(text).split())


def truncate(text: str, width: int) -> str:
    """At most `width` characters, ending in "…" when cut; control characters shown as escapes."""
    text = one_line(text)
    if len(text) <= width:
        return text
    if width <= 0:
        return ""
    return text[: width - 1].rstrip() + "…"


@dataclass
class Column:
    header: str
    right: bool = False  # numbers align right


Cell = str | tuple[str, dict[str, Any]]


def table(
    out: Printer,
    columns: Sequence[Column],
    rows: Sequence[Sequence[Cell]],
    indent: int = 0,
    shrink: Sequence[tuple[int, int]] = (),
) -> list[str]:
    """Aligned lines no wider than WIDTH.

    `shrink` lists (column index, narrowest width) in the order columns give way
    when the table is too wide: the caller knows which text people can spare.
    """
    texts = [[cell if isinstance(cell, str) else cell[0] for cell in row] for row in rows]
    widths = [max([len(column.header), *(len(one_line(row[i])) for row in texts)]) for i, column in enumerate(columns)]
    excess = indent + sum(widths) + len(GAP) * (len(columns) - 1) - WIDTH
    for index, narrowest in shrink:
        if excess <= 0:
            break
        cut = max(0, min(excess, widths[index] - narrowest))
        widths[index] -= cut
        excess -= cut

    def line(cells: Sequence[Cell], header: bool = False) -> str:
        parts = []
        for i, (column, cell) in enumerate(zip(columns, cells)):
            text, styles = (cell, {}) if isinstance(cell, str) else cell
            text = truncate(text, widths[i])
            padding = " " * (widths[i] - len(text))
            # Style the text only, never the padding, so alignment survives colour.
            styled = text if header else out.style(text, **styles)
            parts.append(padding + styled if column.right else styled + padding)
        rendered = " " * indent + GAP.join(parts).rstrip()
        return out.style(rendered, bold=True) if header else rendered

    return [line([column.header for column in columns], header=True), *(line(row) for row in rows)]


def _wrap(text: str, indent: int, first_indent: int | None = None) -> list[str]:
    return textwrap.wrap(
        plain(text), width=WIDTH, initial_indent=" " * (indent if first_indent is None else first_indent),
        subsequent_indent=" " * indent, break_on_hyphens=False, break_long_words=False,
    ) or [""]


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else (plural or word + 's')}"


def _severity_style(kb: KnowledgeBase, severity: str) -> dict[str, Any]:
    rank = kb.config.severity_rank(severity)
    return {"fg": "red", "bold": True} if rank == 0 else {"fg": "yellow"} if rank == 1 else {}


def _heading(out: Printer, text: str) -> None:
    out()
    out(out.style(text, bold=True, underline=True))


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
    ctx: click.Context, since: date | None, output_format: str, fail_on_invalid: bool, config_file: Path | None, today: str | None
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
    for number, line in enumerate(_wrap(shown, indent=label_width)):
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
    columns = [Column("SEVERITY"), Column("MEASURE"), Column("N", right=True), Column("MEDIAN"), Column("P90"), Column("MEAN")]
    rows: list[list[Cell]] = []
    for level, measures in data["durations"].items():
        label: Cell = (level, _severity_style(kb, level))
        if not any(figures["count"] for figures in measures.values()):
            rows.append([label, "nothing to measure", "0", "—", "—", "—"])
            continue
        for metric, name in reports.METRICS:
            figures = measures[metric]
            rows.append([
                label, name, str(figures["count"]),
                (reports.format_minutes(figures["median"]), {"bold": True}),
                reports.format_minutes(figures["p90"]), reports.format_minutes(figures["mean"]),
            ])
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
    bar_room = WIDTH - max(len(click.unstyle(line)) for line in lines) - len(GAP)
    busiest = max(month["total"] for month in months)
    scale = min(1.0, bar_room / busiest) if bar_room > 0 and busiest else 0.0
    out(lines[0])
    for line, month in zip(lines[1:], months):
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
        out(out.style(truncate(head, WIDTH), bold=True))
        for line in _wrap(", ".join(recurrence["incidents"]), indent=4):
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
    ctx: click.Context, services: tuple[str, ...], since: date | None, output_format: str, fail_on_invalid: bool,
    config_file: Path | None, today: str | None,
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
    out(out.style(truncate(f"Brief: {names}", WIDTH), bold=True))
    summary = (
        f"{_plural(len(result.incidents), 'incident')}{since} · "
        f"{_plural(len(result.action_items), 'open action item')}"
        + (f" ({overdue} overdue)" if overdue else "")
        + f" · {_plural(len(result.runbooks), 'runbook')}"
    )
    out(summary)

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
        title = truncate(incident.title, WIDTH - indent - len(marker_text))
        severity = out.style(incident.severity, **_severity_style(kb, incident.severity))
        padding = " " * (severity_width - len(incident.severity))
        out(
            f"  {incident.date.isoformat()}{GAP}{severity}{padding}{GAP}{out.style(title, bold=True)}"
            + out.style(marker_text, fg="magenta")
        )
        if incident.impact:
            out(" " * indent + truncate(f"Impact: {incident.impact}", WIDTH - indent))
        out(" " * indent + out.style(truncate(incident.url, WIDTH - indent), fg="cyan"))

    _heading(out, "Open action items, overdue first")
    if not result.action_items:
        out("No open action items." if result.incidents else "No open action items: no incidents to act on.")
    else:
        for line in _actions_table(out, result.action_items, indent=2):
            out(line)

    _heading(out, "Runbooks")
    if not result.runbooks:
        out(f"No runbooks for {names}.")
    for runbook in result.runbooks:
        if runbook.stale and runbook.review_due:
            review, review_style = f"review overdue since {runbook.review_due.isoformat()}", {"fg": "red"}
        else:
            review, review_style = (f"reviewed {runbook.last_reviewed.isoformat()}" if runbook.last_reviewed else ""), {}
        owner = f" · owner {truncate(runbook.owner, 30)}"
        suffix_width = len(owner) + (len(" · ") + len(review) if review else 0)
        title = truncate(runbook.title, max(20, WIDTH - 2 - suffix_width))
        out(
            f"  {out.style(title, bold=True)}{owner}"
            + (f" · {out.style(review, **review_style)}" if review else "")
        )
        out("    " + out.style(truncate(runbook.url, WIDTH - 4), fg="cyan"))
        alerts = ", ".join(runbook.alerts) if runbook.alerts else "none listed"
        for line in _wrap(f"alerts: {alerts}", indent=6, first_indent=4):
            out(line)


# pmkb actions -------------------------------------------------------------------------


def _actions_table(out: Printer, rows: Sequence[reports.ActionRow], indent: int = 0) -> list[str]:
    columns = [Column("DUE"), Column("STATUS"), Column("PRI"), Column("OWNER"), Column("TITLE"), Column("POSTMORTEM")]
    # A cut postmortem id still says which incident it was; titles and owners are what
    # people act on, so they give way later.
    shrink = [(5, 20), (4, 24), (3, 10), (5, 12), (4, 12)]
    cells: list[list[Cell]] = []
    for row in rows:
        item = row.item
        closed = not item.is_open
        due: Cell = (f"{item.due.isoformat()} overdue", {"fg": "red", "bold": True}) if row.overdue else item.due.isoformat()
        dim = {"dim": True} if closed else {}
        cells.append([
            due,
            (item.status, dim),
            (item.priority, {"bold": True} if item.priority == "P0" and not closed else dim),
            (item.owner, dim),
            (item.title, dim),
            (row.postmortem_id, dim),
        ])
    return table(out, columns, cells, indent=indent, shrink=shrink)


@click.command()
@click.option("--status", type=click.Choice(list(ACTION_STATUSES)), default=None, help="Only items with this status.")
@click.option("--owner", metavar="NAME", default=None, help="Only items of this owner (ignoring case).")
@click.option("--overdue", "overdue_only", is_flag=True, help="Only overdue items: not done or wont-do, due before today.")
@click.option("--fail-on-overdue", is_flag=True, help="Exit 1 when any listed item is overdue (for CI).")
@_format_option
@fail_on_invalid_option
@common_options
@click.pass_context
def actions(
    ctx: click.Context, status: str | None, owner: str | None, overdue_only: bool, fail_on_overdue: bool,
    output_format: str, fail_on_invalid: bool, config_file: Path | None, today: str | None,
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
            filters = [f"status {status}" if status else "", f"owner {owner}" if owner else "", "overdue" if overdue_only else ""]
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


COMMANDS = [stats, brief, actions]

