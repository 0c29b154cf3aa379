"""`pmkb check`: every finding, as text for people, JSON for scripts or GitHub annotations."""

from __future__ import annotations

import os
import sys
from dataclasses import asdict
from functools import cache
from pathlib import Path

import click

from pmkb.cli.context import EXIT_FINDINGS, EXIT_OK, common_options, fail, make_context, warn_missing_folders
from pmkb.config import KBConfig
from pmkb.findings import Finding
from pmkb.index import Scope
from pmkb.pipeline import check_knowledge_base
from pmkb.plaintext import json_text, plain


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format", "output_format", type=click.Choice(["text", "json", "github"]), default="text", show_default=True
)
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@common_options
@click.pass_context
def check(
    ctx: click.Context,
    paths: tuple[Path, ...],
    output_format: str,
    strict: bool,
    config_file: Path | None,
    today: str | None,
) -> None:
    """Validate the knowledge base; with PATHs, report only findings in those files.

    Exit 0 when there are no errors, 1 when there are errors (or warnings with
    --strict), 2 for a usage or configuration error.
    """
    state = make_context(ctx, config_file, today)
    config = state.config
    warn_missing_folders(config)
    # With PATHs, only those files are looked into; the rest lend their ids.
    scope = _scope(paths, config) if paths else None
    checked = check_knowledge_base(config, state.today, scope, use_cache=state.use_cache)
    selected = checked.findings
    if output_format == "json":
        click.echo(json_text([asdict(item) for item in selected]))
    elif output_format == "github":
        for item in selected:
            click.echo(_github_annotation(item))
    else:
        for item in selected:
            click.echo(item.as_text())
        click.echo(_summary(selected, checked.documents))
    errors = sum(item.level == "error" for item in selected)
    warnings = len(selected) - errors
    sys.exit(EXIT_FINDINGS if errors or (strict and warnings) else EXIT_OK)


def _scope(paths: tuple[Path, ...], config: KBConfig) -> Scope:
    """A test for the files (relative to mkdocs.yml) that are, or are inside, one of PATHs."""
    root = config.root
    wanted: list[Path] = []
    for path in paths:
        # Relative to the current folder, else to the folder of mkdocs.yml (as findings are).
        candidates = [path, root / path] if not path.is_absolute() else [path]
        existing = [candidate for candidate in candidates if candidate.exists() or candidate.is_symlink()]
        found = next((candidate for candidate in existing if _in_knowledge_base(candidate, config)), None)
        if not existing:
            fail(f"{path}: no such file or folder")
        elif found is None:
            fail(f"{path}: not in the knowledge base (the folder of mkdocs.yml, {root}, and its document folders)")
        else:
            wanted.append(found.resolve())

    # Resolved paths as text: a folder's files are the paths that start with it and a separator.
    exact = {str(path) for path in wanted}
    prefixes = tuple(str(path).rstrip(os.sep) + os.sep for path in wanted)

    @cache
    def resolved_folder(relfolder: str) -> str:
        return str((root / relfolder).resolve())

    @cache
    def inside(relpath: str) -> bool:
        # Each folder is resolved once; a file resolves on its own only when it is a link.
        folder, _, name = relpath.rpartition("/")
        path = os.path.join(root, relpath)
        target = str(Path(path).resolve()) if os.path.islink(path) else os.path.join(resolved_folder(folder), name)
        return target in exact or target.startswith(prefixes)

    return inside


def _in_knowledge_base(path: Path, config: KBConfig) -> bool:
    """Inside the folder of mkdocs.yml or a document folder, or a folder holding one.

    Other files of the project (README.md, docs/) are accepted and simply have no
    findings, so a pre-commit hook can pass every changed Markdown file.
    """
    folders = (config.root.resolve(), config.postmortems_path, config.runbooks_path)
    # Spelled as given (a symbolic link in a folder counts) and with links resolved.
    for spelling in (Path(os.path.abspath(path)), path.resolve()):
        for folder in folders:
            if spelling == folder or folder in spelling.parents or spelling in folder.parents:
                return True
    return False


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
    # GitHub's own escapes for line breaks first; any other control character is shown plain.
    return plain(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _github_annotation(item: Finding) -> str:
    return (
        f"::{item.level} file={_escape_property(item.path)},line={item.line},"
        f"title={_escape_property(item.code)}::{_escape_data(item.message)}"
    )
