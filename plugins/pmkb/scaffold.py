"""`pmkb new`: scaffold a postmortem or runbook from a Jinja2 template.

A repository overrides a template by putting a file of the same name
(`postmortem.md.j2`, `runbook.md.j2`) in its `scaffolds_dir`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import click
import jinja2

from pmkb.cli_context import DATE, common_options, make_context
from pmkb.config import KBConfig
from pmkb.incidents import FORMATS as INCIDENT_FORMATS
from pmkb.loader import normalise_heading
from pmkb.model import slugify_id
from pmkb.prompts import TIMELINE_EVENTS, section_hint

MAX_SLUG_LENGTH = 60

POSTMORTEM_ORDER = [
    "summary", "impact", "timeline", "detection", "root cause", "contributing factors",
    "resolution", "what went well", "what went poorly", "lessons learned",
]


@dataclass(frozen=True)
class Section:
    name: str
    hint: str


def slugify_title(title: str, day: date | None = None) -> str:
    """A file-name-safe, id-valid slug for a new document's title.

    Transliterated where the title has letters or digits in any script; a title of
    punctuation alone gets a short hash of the title (after `day`, when given: a
    postmortem's name carries its date already), so two such titles never share a name.
    """
    digest = hashlib.sha256(title.strip().encode("utf-8")).hexdigest()[:8]
    fallback = f"{day.isoformat()}-{digest}" if day is not None else digest
    return slugify_id(title, MAX_SLUG_LENGTH, fallback=fallback)


def _sections(names: list[str], order: list[str]) -> list[Section]:
    def position(name: str) -> int:
        key = normalise_heading(name)
        return order.index(key) if key in order else len(order)

    ordered = sorted(dict.fromkeys(names), key=position)
    return [Section(name, section_hint(name)) for name in ordered]


def _environment(config: KBConfig) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if config.scaffolds_dir:
        loaders.append(jinja2.FileSystemLoader(str(config.root / config.scaffolds_dir)))
    loaders.append(jinja2.PackageLoader("pmkb", "scaffolds"))
    # Markdown and YAML, not HTML: values are made safe by the `yaml` filter instead.
    environment = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders), autoescape=False, keep_trailing_newline=True, undefined=jinja2.StrictUndefined
    )
    environment.filters["yaml"] = lambda value: json.dumps(value, ensure_ascii=False)
    return environment


def render(kind: str, config: KBConfig, context: dict[str, Any]) -> str:
    try:
        template = _environment(config).get_template(f"{kind}.md.j2")
        return template.render(**context)
    except jinja2.TemplateError as exc:
        where = f"{exc.filename}:{exc.lineno}: " if isinstance(exc, jinja2.TemplateSyntaxError) else ""
        raise click.ClickException(f"{where}template {kind}.md.j2: {exc}") from None


def write_new(path: Path, content: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        # e.g. a file where a folder of the path should be.
        raise click.ClickException(f"cannot create the folder {path.parent}: {exc.strerror or exc}") from None
    try:
        with path.open("x", encoding="utf-8", newline="\n") as handle:
            handle.write(content)
    except FileExistsError:
        raise click.ClickException(f"{path} already exists; pmkb new never overwrites (choose another title or date)") from None
    except OSError as exc:
        raise click.ClickException(f"cannot write {path}: {exc.strerror or exc}") from None


def _display(path: Path) -> str:
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)


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
    "--from", "from_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Incident data (JSON) to draft from: lifecycle timestamps, services and a UTC timeline.",
)
@click.option(
    "--format", "source_format", type=click.Choice(INCIDENT_FORMATS),
    help="The format of --from (default: detected from its content).",
)
@click.option(
    "--log-entries", type=click.Path(exists=True, dir_okay=False, path_type=Path),
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
        from pmkb.incidents.draft import DraftRequest, new_from_incident

        new_from_incident(config, DraftRequest(from_file, source_format, log_entries, title, severity, services))
        return
    if title is None or not title.strip():
        raise click.UsageError("TITLE must not be empty" if title is not None else "Missing argument 'TITLE' (or give --from FILE).")
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


COMMANDS = [new]
