"""`pmkb new postmortem` and `pmkb new runbook`: a new file from a template, never overwriting."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import click

from pmkb.cli.context import DATE, EXIT_USAGE, common_options, fail, make_context
from pmkb.config import KBConfig
from pmkb.incidents import FORMATS as INCIDENT_FORMATS
from pmkb.incidents import IncidentError
from pmkb.incidents.draft import DraftRequest, build_draft
from pmkb.loader import normalise_heading
from pmkb.prompts import TIMELINE_EVENTS
from pmkb.scaffold import POSTMORTEM_ORDER, _display, _sections, render, slugify_title, write_new


def _state(ctx: click.Context, config_file: Path | None, today: str | None) -> tuple[KBConfig, date]:
    state = make_context(ctx, config_file, today)
    return state.config, state.today


@click.group()
def new() -> None:
    """Create a postmortem or runbook from a template (never overwrites)."""


@new.command("postmortem")
@click.argument("title", required=False)
@click.option("--severity", help="Severity level (default: the least severe configured level).")
@click.option("--service", "services", multiple=True, help="A service the incident touched; repeat for several.")
@click.option("--date", "incident_date", type=DATE, help="Incident date (default: today).")
@click.option(
    "--from",
    "from_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Incident data (JSON) to draft from: lifecycle timestamps, services and a UTC timeline.",
)
@click.option(
    "--format",
    "source_format",
    type=click.Choice(INCIDENT_FORMATS),
    help="The format of --from (default: detected from its content).",
)
@click.option(
    "--log-entries",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="PagerDuty log entries (GET /incidents/{id}/log_entries) for the incident in --from.",
)
@common_options
@click.pass_context
def new_postmortem(
    ctx: click.Context,
    title: str | None,
    severity: str | None,
    services: tuple[str, ...],
    incident_date: date | None,
    from_file: Path | None,
    source_format: str | None,
    log_entries: Path | None,
    config_file: Path | None,
    today: str | None,
) -> None:
    """Write postmortems/<year>/<date>-<slug>.md with every section and print its path.

    With --from FILE, TITLE is optional (it replaces the incident's title) and the
    draft carries the incident's timestamps, services and timeline.
    """
    config, current = _state(ctx, config_file, today)
    if severity is not None and severity not in config.severities:
        raise click.BadParameter(f"{severity!r} is not one of {', '.join(config.severities)}", param_hint="--severity")
    if from_file is None and (source_format or log_entries):
        raise click.UsageError("--format and --log-entries describe the file given with --from")
    if from_file is not None:
        if incident_date is not None:
            raise click.UsageError("--date can't be combined with --from: the incident data gives the date")
        _new_from_incident(config, DraftRequest(from_file, source_format, log_entries, title, severity, services))
        return
    if title is None or not title.strip():
        raise click.UsageError(
            "TITLE must not be empty" if title is not None else "Missing argument 'TITLE' (or give --from FILE)."
        )
    severity = severity or config.severities[-1]
    day = incident_date or current
    if not config.earliest_year <= day.year <= config.latest_year:
        raise click.BadParameter(
            f"{day.isoformat()} is outside the years {config.earliest_year}..{config.latest_year}", param_hint="--date"
        )
    path = config.postmortems_path / str(day.year) / f"{day.isoformat()}-{slugify_title(title)}.md"
    content = render(
        "postmortem",
        config,
        {
            "title": title.strip(),
            "severity": severity,
            "severities": config.severities,
            "categories": config.categories,
            "services": list(services) or ["unassigned"],
            "started_at": f"{day.isoformat()}T00:00:00Z",
            "time": "00:00",
            "timeline_events": TIMELINE_EVENTS,
            "example_due": (day + timedelta(days=30)).isoformat(),
            "sections": _sections(config.required_sections + config.recommended_sections, POSTMORTEM_ORDER),
        },
    )
    write_new(path, content)
    click.echo(_display(path))


@new.command("runbook")
@click.argument("title")
@click.option("--service", "services", multiple=True, help="A service this runbook covers; repeat for several.")
@click.option("--owner", default="unassigned-team", show_default=True, help="The team that owns the runbook.")
@common_options
@click.pass_context
def new_runbook(
    ctx: click.Context, title: str, services: tuple[str, ...], owner: str, config_file: Path | None, today: str | None
) -> None:
    """Write runbooks/<slug>.md with every section and print its path."""
    config, current = _state(ctx, config_file, today)
    if not title.strip():
        raise click.UsageError("TITLE must not be empty")
    path = config.runbooks_path / f"{slugify_title(title, current)}.md"
    content = render(
        "runbook",
        config,
        {
            "title": title.strip(),
            "services": list(services) or ["unassigned"],
            "owner": owner,
            "today": current.isoformat(),
            "review_days": config.runbook_review_days,
            "sections": _sections(config.runbook_sections, [normalise_heading(n) for n in config.runbook_sections]),
        },
    )
    write_new(path, content)
    click.echo(_display(path))


def _new_from_incident(config: KBConfig, request: DraftRequest) -> None:
    """`pmkb new postmortem --from FILE`: write the draft and print its path; exit 2 on bad data."""
    try:
        path, content, source_format = build_draft(config, request)
    except IncidentError as exc:
        fail(str(exc), EXIT_USAGE)
    write_new(path, content)
    click.echo(f"pmkb: read {_display(request.source)} as {source_format} incident data", err=True)
    click.echo(_display(path))
