"""The `pmkb` command: the same core as the MkDocs plugin, answered in a terminal or CI.

`pmkb.cli.context` holds what every command shares (options, the config, the
knowledge base, exit codes); each command group lives in its own module and is
registered here.
"""

from __future__ import annotations

import gc
import importlib
import os
import sys
from pathlib import Path
from typing import NoReturn

import click

from pmkb.cli.context import common_options

# Each command by name, with the module that defines it under that name. A module is
# imported only when one of its commands is wanted, so `pmkb check` pays neither for
# Jinja nor for the incident readers nor for the reports.
COMMAND_MODULES: dict[str, str] = {
    "check": "pmkb.cli.check",
    "export": "pmkb.cli.export",
    "schema": "pmkb.cli.export",
    "stats": "pmkb.cli.reports",
    "brief": "pmkb.cli.reports",
    "actions": "pmkb.cli.reports",
    "new": "pmkb.cli.new",
    "init": "pmkb.cli.init",
}


class LazyGroup(click.Group):
    """A group that imports a command's module the first time the command is wanted."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMAND_MODULES, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMAND_MODULES.get(cmd_name)
        if cmd_name not in self.commands and module is not None:
            command = getattr(importlib.import_module(module), cmd_name)
            assert isinstance(command, click.Command) and command.name == cmd_name, cmd_name
            self.add_command(command)
        return super().get_command(ctx, cmd_name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@common_options
@click.version_option(package_name="pmkb")
def main(config_file: Path | None, today: str | None) -> None:
    """pmkb: check, query and scaffold a postmortem knowledge base."""


def run() -> NoReturn:
    """The `pmkb` console script: run the command, then end the process without tearing
    down what the command built. A check holds a record of every file, and freeing them
    one by one at exit took longer than reading them (mypy ends its runs the same way).

    Nor does it run the cyclic garbage collector: a command lasts seconds and makes little
    cyclic garbage, and each pass over the records of thousands of files only added to its
    time (about 0.05 s of a cached `pmkb check` of 1,000 postmortems)."""
    gc.disable()
    try:
        main()
        status: int = 0
    except SystemExit as stop:
        status = _exit_status(stop.code)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # the reader went away (`pmkb export | head`): nothing more can be said
        status = status or 1
    os._exit(status)


def _exit_status(code: object) -> int:
    """What the interpreter would make of `SystemExit(code)`."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1
