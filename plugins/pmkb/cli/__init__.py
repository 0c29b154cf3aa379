"""The `pmkb` command: the same core as the MkDocs plugin, answered in a terminal or CI.

`pmkb.cli.context` holds what every command shares (options, the config, the
knowledge base, exit codes); each command group lives in its own module and is
registered here.
"""

from __future__ import annotations

from pathlib import Path

import click

from pmkb.cli.check import check
from pmkb.cli.context import common_options
from pmkb.cli.export import export, schema
from pmkb.cli.init import init
from pmkb.cli.new import new
from pmkb.cli.reports import actions, brief, stats


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@common_options
@click.version_option(package_name="pmkb")
def main(config_file: Path | None, today: str | None) -> None:
    """pmkb: check, query and scaffold a postmortem knowledge base."""


for command in (check, export, schema, stats, brief, actions, new, init):
    main.add_command(command)
