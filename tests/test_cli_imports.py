"""`pmkb check` imports only what a check needs: other commands' modules load when run."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

from click.testing import CliRunner

from pmkb.cli import COMMAND_MODULES, main

# Imported by commands other than check, or by the check itself only once it runs.
NOT_AT_STARTUP = ("jinja2", "pmkb.incidents", "pmkb.reports", "pmkb.scaffold", "pmkb.init", "pmkb.commands", "pmkb.rules.blame", "pmkb.rules.secrets")


def _loaded_after(code: str) -> set[str]:
    script = f"import json, sys\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


def test_importing_the_cli_leaves_other_commands_modules_unloaded() -> None:
    loaded = _loaded_after("import pmkb.cli")
    assert not loaded & set(NOT_AT_STARTUP)


def test_every_command_of_the_command_modules_is_listed_by_name() -> None:
    listed = {
        command.name: module
        for module in set(COMMAND_MODULES.values())
        for command in importlib.import_module(module).COMMANDS
    }
    assert listed == COMMAND_MODULES


def test_a_lazily_loaded_command_runs_and_shows_in_help() -> None:
    runner = CliRunner()
    help_text = runner.invoke(main, ["--help"]).output
    assert all(name in help_text for name in COMMAND_MODULES)
    result = runner.invoke(main, ["new", "--help"])
    assert result.exit_code == 0 and "postmortem" in result.output
    assert runner.invoke(main, ["no-such-command"]).exit_code == 2
