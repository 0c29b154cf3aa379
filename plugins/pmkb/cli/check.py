"""`pmkb check`: every finding, as text for people, JSON for scripts or GitHub annotations."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

import click

from pmkb.cli.context import EXIT_FINDINGS, EXIT_OK, common_options, fail, make_context, warn_missing_folders
from pmkb.findings import Finding


@click.command()
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
    warn_missing_folders(config)
    selected = _select(state.findings, paths, config.root) if paths else state.findings
    if output_format == "json":
        click.echo(json.dumps([asdict(item) for item in selected], indent=2, ensure_ascii=False))
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
        # Relative to the current folder, else to the folder of mkdocs.yml (as findings are).
        candidates = [path, root / path] if not path.is_absolute() else [path]
        found = next((candidate for candidate in candidates if candidate.exists()), None)
        if found is None:
            fail(f"{path}: no such file or folder")
        wanted.append(found.resolve())

    def inside(finding: Finding) -> bool:
        target = (root / finding.path).resolve()
        return any(target == path or path in target.parents for path in wanted)

    return [item for item in findings if inside(item)]


def _summary(findings: list[Finding], documents: int) -> str:
    errors = sum(item.level == "error" for item in findings)
    warnings = len(findings) - errors
    files = len({item.path for item in findings})
    if not findings:
        return f"All checks passed: {documents} document{'s' * (documents != 1)}, no errors, no warnings."
    return (
        f"Found {errors} error{'s' * (errors != 1)} and {warnings} warning{'s' * (warnings != 1)} "
        f"in {files} file{'s' * (files != 1)} ({documents} document{'s' * (documents != 1)} checked)."
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
