"""`pmkb init`: a working knowledge base, from mkdocs.yml to the CI workflow."""

from __future__ import annotations

from pathlib import Path

import click

from pmkb.cli.context import EXIT_USAGE, fail
from pmkb.init import DEFAULT_BRANCH, _next_steps, init_knowledge_base, pmkb_requirement, render_files


@click.command("init")
@click.argument("directory", required=False, default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--site-name", default="Postmortems", show_default=True, help="The site's name in mkdocs.yml.")
@click.option(
    "--branch",
    default=DEFAULT_BRANCH,
    show_default=True,
    help="The default branch: pushes to it build and publish the site.",
)
def init(directory: Path, site_name: str, branch: str) -> None:
    """Write a working knowledge base into DIRECTORY (default: the current folder).

    mkdocs.yml, postmortems/, runbooks/, docs/, .pre-commit-config.yaml, a GitHub
    Actions workflow (checks pull requests, publishes to GitHub Pages) and the
    requirements.txt it installs. Never overwrites: existing files are skipped.
    """
    if directory.exists() and not directory.is_dir():
        fail(f"{directory} is not a folder")
    requirement = pmkb_requirement()
    try:
        report = init_knowledge_base(directory, render_files(site_name, branch, requirement))
    except OSError as exc:
        fail(f"cannot write the knowledge base in {directory}: {exc}", EXIT_USAGE)
    shown = "." if directory.resolve() == Path.cwd().resolve() else str(directory)
    click.echo(f"Knowledge base in {shown}:")
    for relative in report.written:
        click.echo(f"  wrote    {relative}")
    for relative in report.skipped:
        click.echo(f"  skipped  {relative} (exists; pmkb init never overwrites)")
    if "mkdocs.yml" in report.skipped and "pmkb" not in (directory / "mkdocs.yml").read_text(
        encoding="utf-8", errors="replace"
    ):
        click.echo(
            "pmkb: warning: the existing mkdocs.yml does not mention pmkb: add `- pmkb` to its plugins", err=True
        )
    click.echo("\nNext steps:")
    for step in _next_steps(directory, requirement):
        click.echo(f"  {step}")
