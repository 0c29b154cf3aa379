"""`pmkb export` and `pmkb schema`: the knowledge base and its front matter as JSON."""

from __future__ import annotations

import json
from pathlib import Path

import click

from pmkb.cli.context import common_options, fail_on_invalid_option, make_context, report_left_out
from pmkb.config import KBConfig
from pmkb.plaintext import json_text
from pmkb.schema import json_schema


@click.command()
@fail_on_invalid_option
@common_options
@click.pass_context
def export(ctx: click.Context, fail_on_invalid: bool, config_file: Path | None, today: str | None) -> None:
    """The knowledge base as JSON on stdout (the same document as the site's kb.json).

    Documents with errors are left out, and stderr says how many; with
    --fail-on-invalid that is an error (exit 1) and nothing is written.
    """
    state = make_context(ctx, config_file, today)
    report_left_out(state.kb, "the export", fail_on_invalid)
    click.echo(json_text(state.kb.export()))


@click.command()
@click.argument("kind", type=click.Choice(["postmortem", "runbook", "incident"]))
@common_options
@click.pass_context
def schema(ctx: click.Context, kind: str, config_file: Path | None, today: str | None) -> None:
    """The front matter of a postmortem or runbook as JSON Schema, for editors;
    `incident`: the generic incident data `pmkb new postmortem --from` reads.

    Reads mkdocs.yml when there is one, so configured severities and categories
    appear in the schema.
    """
    if kind == "incident":
        from pmkb.incidents import incident_schema  # the incident readers load only when asked for

        click.echo(json.dumps(incident_schema(), indent=2, ensure_ascii=False))
        return
    state = make_context(ctx, config_file, today)
    config = state.config if state.config_file.exists() else KBConfig()
    click.echo(json.dumps(json_schema(kind, config), indent=2, ensure_ascii=False))
