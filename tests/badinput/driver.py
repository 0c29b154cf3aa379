"""Run every pmkb command on knowledge bases, in-process, and print the results as JSON.

The corpus test starts this script once, in a child process with limits on time and
memory, for every case's mkdocs.yml (one interpreter for all keeps the corpus fast);
each command's exit code, output and any exception that escaped become one record.
"""

from __future__ import annotations

import json
import sys
import traceback

from click.testing import CliRunner
from pmkb.cli import main

COMMANDS = {
    "check": ["check"],
    "check json": ["check", "--format", "json"],
    "check github": ["check", "--format", "github"],
    "export": ["export"],
    "stats": ["stats"],
    "stats json": ["stats", "--format", "json"],
    "brief": ["brief", "checkout-api"],
    "actions": ["actions"],
}


def run(config_file: str, today: str) -> dict[str, dict[str, object]]:
    results: dict[str, dict[str, object]] = {}
    for name, arguments in COMMANDS.items():
        result = CliRunner().invoke(main, [*arguments, "-f", config_file, "--today", today])
        escaped = None
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            escaped = "".join(traceback.format_exception(result.exception))
        results[name] = {
            "exit": result.exit_code,
            "stdout": result.stdout,
            "stderr": result.stderr,
            "traceback": escaped,
        }
    return results


if __name__ == "__main__":
    today, config_files = sys.argv[1], sys.argv[2:]
    json.dump({config_file: run(config_file, today) for config_file in config_files}, sys.stdout)
