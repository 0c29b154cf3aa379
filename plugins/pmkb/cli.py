"""The `pmkb` command: the same core as the MkDocs plugin, answered in a terminal or CI."""

from __future__ import annotations

import json
import os
import sys
from datetime import date
from pathlib import Path
from typing import Any, Callable, TypeVar

import click

from pmkb.config import ConfigError, KBConfig, load_config
from pmkb.findings import Finding
from pmkb.index import KnowledgeBase
from pmkb.schema import json_schema

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class Context:
    """What every command shares: the config file and the date that counts as today."""

    def __init__(self, config_file: Path, today: date) -> None:
        self.config_file = config_file
        self.today = today
        self._config: KBConfig | None = None
        self._kb: KnowledgeBase | None = None

    @property
    def config(self) -> KBConfig:
        if self._config is None:
            try:
                self._config = load_config(self.config_file)
            except ConfigError as exc:
                fail(str(exc))
            _warn_missing_folders(self._config)
        return self._config

    @property
    def kb(self) -> KnowledgeBase:
        if self._kb is None:
            self._kb = KnowledgeBase.load(self.config, self.today)
        return self._kb


def fail(message: str, code: int = EXIT_USAGE) -> None:
    click.echo(f"pmkb: {message}", err=True)
    sys.exit(code)


def _warn_missing_folders(config: KBConfig) -> None:
    for option in ("postmortems_dir", "runbooks_dir"):
        folder = config.root / getattr(config, option)
        if not folder.is_dir():
            click.echo(f"pmkb: warning: {option} folder {folder} does not exist; it holds no documents", err=True)


def parse_today(value: str | None) -> date:
    text = value if value is not None else os.environ.get("PMKB_TODAY") or None
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        source = "--today" if value is not None else "PMKB_TODAY"
        fail(f"{source} must be a date YYYY-MM-DD, not {text!r}")
        raise  # unreachable: fail() exits


def common_options(command: F) -> F:
    """-f/--config-file and --today, accepted by every command (before or after its name)."""
    command = click.option(
        "-f", "--config-file", "config_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
        help="The mkdocs.yml to read (default: ./mkdocs.yml).",
    )(command)
    command = click.option(
        "--today", "today", metavar="YYYY-MM-DD", default=None,
        help="The date that counts as today for overdue checks (default: PMKB_TODAY or the current date).",
    )(command)
    return command


def make_context(ctx: click.Context, config_file: Path | None, today: str | None) -> Context:
    group: dict[str, Any] = ctx.find_root().params
    return Context(
        config_file=config_file or group.get("config_file") or Path("mkdocs.yml"),
        today=parse_today(today if today is not None else group.get("today")),
    )


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@common_options
@click.version_option(package_name="pmkb")
def main(config_file: Path | None, today: str | None) -> None:
    """pmkb: check, query and scaffold a postmortem knowledge base."""


# check ---------------------------------------------------------------------------------


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "output_format", type=click.Choice(["text", "json", "github"]), default="text", show_default=True)
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@common_options
@click.pass_context
def check(
    ctx: click.Context, paths: tuple[Path, ...], output_format: str, strict: bool, config_file: Path | None, today: str | None
) -> None:
    """Validate the knowledge base; with PATHs, report only findings in those files.

    Exit 0 when there are no errors, 1 when there are errors (or warnings with
    --strict), 2 for a usage or configuration error.
    """
    state = make_context(ctx, config_file, today)
    config = state.config
    selected = _select(state.kb.findings, paths, config.root) if paths else state.kb.findings
    if output_format == "json":
        click.echo(json.dumps([item.as_dict() for item in selected], indent=2, ensure_ascii=False))
    elif output_format == "github":
        for item in selected:
            click.echo(_github_annotation(item))
    else:
        for item in selected:
            click.echo(item.as_text())
        click.echo(_summary(selected, len(state.kb.entries)))
    errors = sum(item.level == "error" for item in selected)
    warnings = len(selected) - errors
    sys.exit(EXIT_FINDINGS if errors or (strict and warnings) else EXIT_OK)


def _select(findings: list[Finding], paths: tuple[Path, ...], root: Path) -> list[Finding]:
    wanted: list[Path] = []
    for path in paths:
        if not path.exists():
            fail(f"{path}: no such file or folder")
        wanted.append(path.resolve())

    def inside(finding: Finding) -> bool:
        target = (root / finding.path).resolve()
        return any(target == path or path in target.parents for path in wanted)

    return [item for item in findings if inside(item)]


def _summary(findings: list[Finding], documents: int) -> str:
    errors = sum(item.level == "error" for item in findings)
    warnings = len(findings) - errors
    files = len({item.path for item in findings})
    if not findings:
        return f"All checks passed: {documents} documents, no errors, no warnings."
    return (
        f"Found {errors} error{'s' * (errors != 1)} and {warnings} warning{'s' * (warnings != 1)} "
        f"in {files} file{'s' * (files != 1)} ({documents} documents checked)."
    )


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _github_annotation(item: Finding) -> str:
    return (
        f"::{item.level} file={_escape_property(item.path)},line={item.line},"
        f"title={_escape_property(item.code)}::{_escape_data(item.message)}"
    )


# export and schema ---------------------------------------------------------------------


@main.command()
@common_options
@click.pass_context
def export(ctx: click.Context, config_file: Path | None, today: str | None) -> None:
    """The knowledge base as JSON on stdout (the same document as the site's kb.json)."""
    state = make_context(ctx, config_file, today)
    click.echo(json.dumps(state.kb.export(), indent=2, ensure_ascii=False))


@main.command()
@click.argument("kind", type=click.Choice(["postmortem", "runbook"]))
@common_options
@click.pass_context
def schema(ctx: click.Context, kind: str, config_file: Path | None, today: str | None) -> None:
    """The front matter of a postmortem or runbook as JSON Schema, for editors.

    Reads mkdocs.yml when there is one, so configured severities and categories
    appear in the schema.
    """
    state = make_context(ctx, config_file, today)
    config = state.config if state.config_file.exists() else KBConfig()
    click.echo(json.dumps(json_schema(kind, config), indent=2, ensure_ascii=False))


def _register_optional_commands() -> None:
    """Commands that live in their own modules."""
    from pmkb import reports, scaffold

    for module in (reports, scaffold):
        for command in getattr(module, "COMMANDS", ()):
            main.add_command(command)


try:
    _register_optional_commands()
except ImportError:  # a module of this list not present in this build
    pass


if __name__ == "__main__":
    main()
