"""The README's "Template API" is what templates really get, and all they use.

Overrides rely on that section, so each documented name must reach the template of
its page kind, nothing undocumented may, and the shipped templates may use only
documented names (never the index: no `kb`).
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from jinja2 import meta, nodes
from kb_helpers import TODAY
from markupsafe import Markup
from mkdocs.structure.files import File
from pmkb.config import load_config
from pmkb.index import KnowledgeBase
from pmkb.pipeline import load_knowledge_base
from pmkb.rules.id_links import UNKNOWN_LINK
from pmkb.site import preview, view_models
from pmkb.site.links import Links
from pmkb.site.pages import PageSpec, plan
from pmkb.site.render import TEMPLATES, Renderer, template_environment

REPO = Path(__file__).resolve().parents[2]
_CODE = re.compile(r"`([^`]*)`")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _section() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start = readme.index("#### Template API")
    end = readme.index("\n#", start + 1)
    return readme[start:end]


def _tables(section: str) -> list[list[list[str]]]:
    """Every Markdown table of the section as rows of cells, header and rule dropped."""
    tables: list[list[list[str]]] = []
    current: list[list[str]] = []
    for line in section.splitlines() + [""]:
        if line.startswith("|"):
            current.append([cell.strip() for cell in line.strip().strip("|").split("|")])
        elif current:
            tables.append(current[2:])
            current = []
    return tables


def _names(cell: str) -> set[str]:
    """`total: int`, `pm: PostmortemView` -> {"total", "pm"}; parenthesised remarks skipped."""
    cell = re.sub(r"\([^()`]*(`[^`]*`[^()`]*)*\)", "", cell)
    found: set[str] = set()
    for code in _CODE.findall(cell):
        match = _NAME.match(code)
        if match is not None:
            found.add(match.group(0))
    return found


@pytest.fixture(scope="module")
def documented() -> dict[str, dict[str, set[str]]]:
    common, pages, models = _tables(_section())
    return {
        "common": {"": {_CODE.findall(row[0])[0] for row in common}},
        "pages": {_CODE.findall(row[0])[0]: _names(row[2]) for row in pages},
        "models": {_CODE.findall(row[0])[0]: _names(row[1]) for row in models},
    }


@pytest.fixture(scope="module")
def example() -> tuple[KnowledgeBase, list[PageSpec]]:
    kb = load_knowledge_base(load_config(REPO / "mkdocs.yml"), TODAY).kb
    return kb, plan(kb, "index.md")


def _context(kb: KnowledgeBase, spec: PageSpec) -> dict[str, object]:
    renderer = Renderer(kb, Links(REPO), template_environment([]), "Example")
    file = File(spec.src_uri, src_dir=None, dest_dir="/site", use_directory_urls=True)
    return renderer.context(spec, file, body=Markup("<p>body</p>") if spec.is_document else None)


PREVIEW_TEMPLATES = {preview.PROBLEMS_TEMPLATE, preview.BANNER_TEMPLATE, preview.INVALID_TEMPLATE}


def test_every_page_kind_is_documented(documented, example):
    _, specs = example
    assert {spec.template for spec in specs} | PREVIEW_TEMPLATES == set(documented["pages"])


def test_each_template_gets_exactly_the_documented_names(documented, example):
    kb, specs = example
    common = documented["common"][""]
    seen: set[str] = set()
    for spec in specs:
        if spec.template in seen:
            continue
        seen.add(spec.template)
        context = _context(kb, spec)
        assert set(context) == common | documented["pages"][spec.template], spec.template
        assert "kb" not in context


def test_preview_templates_get_exactly_the_documented_names(documented, example):
    kb, _ = example
    findings = [
        UNKNOWN_LINK.finding(kb.entries[0].path, 3, "link to unknown id"),
        UNKNOWN_LINK.finding("postmortems/not-in-the-index.md", 1, "link to unknown id"),
    ]
    shown = preview.Preview(kb, findings, Renderer(kb, Links(REPO), template_environment([]), "Example"))
    problems_spec, page_spec = shown.specs()[-1], PageSpec(("postmortem", "x"), "x.md", "X", preview.INVALID_TEMPLATE)
    dashboard = next(spec for spec in plan(kb, "index.md") if spec.kind == "dashboard")
    given = {
        preview.PROBLEMS_TEMPLATE: shown.page_names(problems_spec, Markup("")),
        preview.INVALID_TEMPLATE: shown.page_names(page_spec, Markup("<p>body</p>")),
        preview.BANNER_TEMPLATE: shown.banner_names(dashboard),
    }
    for template, names in given.items():
        assert names is not None and set(names) == documented["pages"][template], template


def test_view_models_have_the_documented_fields(documented):
    for name, fields in documented["models"].items():
        model = getattr(view_models, name)
        assert dataclasses.is_dataclass(model) and model.__dataclass_params__.frozen, name
        assert {field.name for field in dataclasses.fields(model)} == fields, name


def test_templates_use_only_documented_names(documented):
    env = template_environment([])
    common = documented["common"][""]

    def used(name: str) -> set[str]:
        tree = env.parse((TEMPLATES / name).read_text(encoding="utf-8"))
        # Blocks are scopes of their own, so the analysis sees the template's own imports
        # and macros used inside them as undeclared; they are the template's, not the context's.
        own = {node.target for node in tree.find_all(nodes.Import)}
        own |= {node.name for node in tree.find_all(nodes.Macro)}
        return meta.find_undeclared_variables(tree) - own

    # The macros are imported with each page's context, so they may rely on what every page gets.
    assert used("_macros.html") <= common
    for template, names in documented["pages"].items():
        assert used(template) <= common | names, template
    shipped = {path.name for path in TEMPLATES.glob("*.html")} - {"_macros.html"}
    assert shipped == set(documented["pages"])


def test_the_filters_documented_are_registered():
    section = _section()
    paragraph = section[section.index("Filters:") :].split("\n\n")[0]
    filters = set(re.findall(r"`(\w+)` \(", paragraph))
    assert {"day", "iso", "minutes"} <= filters
    assert filters <= set(template_environment([]).filters)
