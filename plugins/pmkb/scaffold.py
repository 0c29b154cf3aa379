"""`pmkb new`: scaffold a postmortem or runbook from a Jinja2 template.

A repository overrides a template by putting a file of the same name
(`postmortem.md.j2`, `runbook.md.j2`) in its `scaffolds_dir`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import click
import jinja2

from pmkb.config import KBConfig
from pmkb.loader import normalise_heading
from pmkb.model import slugify_id
from pmkb.prompts import section_hint

MAX_SLUG_LENGTH = 60

POSTMORTEM_ORDER = [
    "summary",
    "impact",
    "timeline",
    "detection",
    "root cause",
    "contributing factors",
    "resolution",
    "what went well",
    "what went poorly",
    "lessons learned",
]


@dataclass(frozen=True)
class Section:
    name: str
    hint: str


def slugify_title(title: str, day: date | None = None) -> str:
    """A file-name-safe, id-valid slug for a new document's title.

    Transliterated where the title has letters or digits in any script; a title of
    punctuation alone gets a short hash of the title (after `day`, when given: a
    postmortem's name carries its date already), so two such titles never share a name.
    """
    digest = hashlib.sha256(title.strip().encode("utf-8")).hexdigest()[:8]
    fallback = f"{day.isoformat()}-{digest}" if day is not None else digest
    return slugify_id(title, MAX_SLUG_LENGTH, fallback=fallback)


def _sections(names: list[str], order: list[str]) -> list[Section]:
    def position(name: str) -> int:
        key = normalise_heading(name)
        return order.index(key) if key in order else len(order)

    ordered = sorted(dict.fromkeys(names), key=position)
    return [Section(name, section_hint(name)) for name in ordered]


def _environment(config: KBConfig) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if config.scaffolds_dir:
        loaders.append(jinja2.FileSystemLoader(str(config.root / config.scaffolds_dir)))
    loaders.append(jinja2.PackageLoader("pmkb", "scaffolds"))
    # Markdown and YAML, not HTML: values are made safe by the `yaml` filter instead.
    environment = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=False,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    environment.filters["yaml"] = lambda value: json.dumps(value, ensure_ascii=False)
    return environment


def render(kind: str, config: KBConfig, context: dict[str, Any]) -> str:
    try:
        template = _environment(config).get_template(f"{kind}.md.j2")
        return template.render(**context)
    except jinja2.TemplateError as exc:
        where = f"{exc.filename}:{exc.lineno}: " if isinstance(exc, jinja2.TemplateSyntaxError) else ""
        raise click.ClickException(f"{where}template {kind}.md.j2: {exc}") from None


def write_new(path: Path, content: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        # e.g. a file where a folder of the path should be.
        raise click.ClickException(f"cannot create the folder {path.parent}: {exc.strerror or exc}") from None
    try:
        with path.open("x", encoding="utf-8", newline="\n") as handle:
            handle.write(content)
    except FileExistsError:
        raise click.ClickException(
            f"{path} already exists; pmkb new never overwrites (choose another title or date)"
        ) from None
    except OSError as exc:
        raise click.ClickException(f"cannot write {path}: {exc.strerror or exc}") from None


def _display(path: Path) -> str:
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)
