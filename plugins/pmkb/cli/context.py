"""What every pmkb command shares: options, the config, the knowledge base, exits."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from pmkb.config import ConfigError, KBConfig, load_config, resolve_today
from pmkb.findings import Finding
from pmkb.index import KnowledgeBase
from pmkb.pipeline import CheckedKnowledgeBase, load_knowledge_base
from pmkb.plaintext import plain, plain_lines
from pmkb.rules import rule_settings
from pmkb.times import parse_day

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class Context:
    """What every command shares: the config file and the date that counts as today."""

    def __init__(self, config_file: Path, today: date, use_cache: bool = True) -> None:
        self.config_file = config_file
        self.today = today
        self.use_cache = use_cache
        self._config: KBConfig | None = None
        self._checked: CheckedKnowledgeBase | None = None

    @property
    def config(self) -> KBConfig:
        if self._config is None:
            try:
                self._config = load_config(self.config_file)
                rule_settings(self._config)
            except ConfigError as exc:
                fail(str(exc))
        return self._config

    @property
    def checked(self) -> CheckedKnowledgeBase:
        if self._checked is None:
            self._checked = load_knowledge_base(self.config, self.today, use_cache=self.use_cache)
        return self._checked

    @property
    def kb(self) -> KnowledgeBase:
        return self.checked.kb

    @property
    def findings(self) -> list[Finding]:
        return self.checked.findings


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    click.echo(plain_lines(f"pmkb: {message}"), err=True)
    sys.exit(code)


def warn_missing_folders(config: KBConfig) -> None:
    for option in ("postmortems_dir", "runbooks_dir"):
        folder = config.root / getattr(config, option)
        if not folder.is_dir():
            click.echo(
                plain(f"pmkb: warning: {option} folder {folder} does not exist; it holds no documents"), err=True
            )


def left_out(kb: KnowledgeBase) -> list[str]:
    """Paths of the files whose documents are not in the knowledge base because of errors."""
    kept = set(map(id, kb.sources.values()))
    return [entry.path for entry in kb.entries if entry.document is None or id(entry.source) not in kept]


def report_left_out(kb: KnowledgeBase, what: str, fail_on_invalid: bool) -> None:
    """Say on stderr which files were left out, or stop with exit 1 under --fail-on-invalid.

    A command that reads the whole knowledge base works from the valid documents; a
    reader of its output must know when that is not all of them.
    """
    broken = left_out(kb)
    if not broken:
        return
    count = f"{len(broken)} file{'s' * (len(broken) != 1)}"
    shown = plain(", ".join(broken[:3])) + (", …" if len(broken) > 3 else "")
    if fail_on_invalid:
        fail(f"{count} with errors would be left out of {what} (run pmkb check): {shown}", EXIT_FINDINGS)
    click.echo(f"pmkb: warning: {count} with errors left out of {what} (run pmkb check): {shown}", err=True)


def fail_on_invalid_option(command: F) -> F:
    """--fail-on-invalid: exit 1 rather than work from the valid documents only."""
    return click.option(
        "--fail-on-invalid",
        is_flag=True,
        help="Exit 1 (writing nothing) when any document is left out because of errors, instead of a warning on stderr.",
    )(command)


def parse_today(value: str | None) -> date:
    try:
        return resolve_today(value)
    except ConfigError as exc:
        fail(str(exc))


class _DateType(click.ParamType):  # type: ignore[type-arg]  # generic only in newer click
    """A YYYY-MM-DD option, read as everywhere else in pmkb."""

    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        try:
            return parse_day(str(value))
        except ValueError:
            self.fail(f"{value!r} is not a date; write YYYY-MM-DD, e.g. 2024-05-01", param, ctx)


DATE = _DateType()


_NO_CACHE = "pmkb.no_cache"


def _remember_no_cache(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        ctx.meta[_NO_CACHE] = True  # shared by the group's context and the command's


def common_options(command: F) -> F:
    """-f/--config-file, --today and --no-cache, accepted by every command (before or after its name)."""
    command = click.option(
        "--no-cache",
        is_flag=True,
        expose_value=False,
        callback=_remember_no_cache,
        help="Read and check every file afresh, neither reading nor writing .cache/pmkb/.",
    )(command)
    command = click.option(
        "-f",
        "--config-file",
        "config_file",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="The mkdocs.yml to read (default: ./mkdocs.yml).",
    )(command)
    command = click.option(
        "--today",
        "today",
        metavar="YYYY-MM-DD",
        default=None,
        help="The date that counts as today for overdue checks (default: PMKB_TODAY or the current date).",
    )(command)
    return command


def make_context(ctx: click.Context, config_file: Path | None, today: str | None) -> Context:
    group: dict[str, Any] = ctx.find_root().params
    return Context(
        config_file=config_file or group.get("config_file") or Path("mkdocs.yml"),
        today=parse_today(today if today is not None else group.get("today")),
        use_cache=not ctx.meta.get(_NO_CACHE, False),
    )
