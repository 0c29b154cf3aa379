"""Page content from Jinja2 templates, given the view models of `views.py` and a few helpers.

Templates live in the package (`site/templates/`) and can be overridden the way
Material's are: a file of the same name in `<theme.custom_dir>/pmkb/` wins, and can
extend the original as `pmkb/<name>`. Autoescape is on everywhere, so every value
from front matter is escaped wherever a template puts it.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, date, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from jinja2 import (
    BytecodeCache,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
    TemplateError,
    TemplateSyntaxError,
)
from markupsafe import Markup
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File
from mkdocs.utils import get_build_datetime

from pmkb import reports
from pmkb.index import KnowledgeBase, SlugMap
from pmkb.loader import normalise_heading
from pmkb.site.links import Links
from pmkb.site.page_cache import BuildTime
from pmkb.site.pages import PageSpec, part_key
from pmkb.site.paging import PageLink, Pager
from pmkb.site.toc import anchor_links
from pmkb.site.view_models import SectionLink
from pmkb.site.views import Views
from pmkb.times import iso_utc, utc_minute

TEMPLATES = Path(__file__).parent / "templates"
# What the `build_time()` helper writes into the HTML that `render` returns, for
# `Renderer.stamp` to fill in: a list page with an "as of" note is then the same HTML in
# builds of other times, and the page store can keep it. (A template that reads
# `built_at` itself makes its page one of its build: see page_cache.BuildTime.)
_BUILD_TIME_MARK = "\ue000pmkb build time\ue000"
# Severity colours come in five steps; less severe levels share the last one.
_COLOUR_STEPS = 5


def template_environment(override_dirs: Iterable[Path], bytecode_cache: BytecodeCache | None = None) -> Environment:
    package = FileSystemLoader(str(TEMPLATES))
    loader = ChoiceLoader(
        [*(FileSystemLoader(str(folder)) for folder in override_dirs), package, PrefixLoader({"pmkb": package})]
    )
    env = Environment(
        loader=loader,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
        keep_trailing_newline=False,
        # One environment serves one build (a rebuild makes a new one), so a template is
        # read and compiled once per build instead of checked on disk for every page.
        auto_reload=False,
        bytecode_cache=bytecode_cache,
    )
    env.filters.update(utc=utc, utc_time=utc_time, iso=iso, minutes=reports.format_minutes, day=day)
    return env


def utc(moment: datetime | None) -> str:
    return utc_minute(moment) if moment else "—"


def utc_time(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%H:%M UTC") if moment else "—"


def iso(moment: datetime | date | None) -> str:
    if moment is None:
        return ""
    if isinstance(moment, datetime):
        return iso_utc(moment)
    return moment.isoformat()


def day(moment: datetime | date | None) -> str:
    if moment is None:
        return "—"
    return moment.astimezone(UTC).date().isoformat() if isinstance(moment, datetime) else moment.isoformat()


class BuildStamp:
    """Fills this build's time into HTML from `Renderer.render`, where its template called
    `build_time()`; apart from the renderer, which holds the knowledge base."""

    def __init__(self, moment: datetime) -> None:
        self._html = f'<time datetime="{iso(moment)}">{utc(moment)}</time>'

    def __call__(self, html: str) -> str:
        return html.replace(_BUILD_TIME_MARK, self._html)


class Renderer:
    """Renders the content of every generated page from its view models (see views.py)."""

    def __init__(
        self, kb: KnowledgeBase, links: Links, env: Environment, site_name: str, built_at: datetime | None = None
    ) -> None:
        self.kb = kb
        self.links = links
        self.env = env
        self.site_name = site_name
        # MkDocs' build time: SOURCE_DATE_EPOCH when set, for reproducible builds.
        moment = built_at or get_build_datetime()
        self.built_at = BuildTime.of(moment)
        self.stamp = BuildStamp(moment)
        self.views = Views(kb)

    @cached_property
    def alert_slugs(self) -> SlugMap:
        return SlugMap(alert for runbook in self.kb.runbooks.values() for alert in runbook.alerts)

    def render(
        self, spec: PageSpec, file: File, body: Markup | None = None, views: dict[str, Any] | None = None
    ) -> str:
        """The page's content; `body` is the HTML of a postmortem's or runbook's own text,
        `views` the page's view models when the caller has them already.

        Where the template calls `build_time()`, the HTML holds a mark that `stamp` fills in."""
        return self._render(spec.template, file, self.context(spec, file, body, views))

    def render_template(self, template: str, file: File, context: dict[str, Any]) -> str:
        """A template's finished HTML."""
        return self.stamp(self._render(template, file, context))

    def _render(self, template: str, file: File, context: dict[str, Any]) -> str:
        try:
            return self.env.get_template(template).render(context)
        except TemplateError as exc:
            # Most likely an override in <custom_dir>/pmkb/: name the template and the page.
            where = f"{exc.filename}:{exc.lineno}: " if isinstance(exc, TemplateSyntaxError) else ""
            raise PluginError(f"pmkb template {template!r} for {file.src_uri}: {where}{exc}") from exc

    def context(
        self, spec: PageSpec, file: File, body: Markup | None = None, views: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """What every template gets (values and helpers), then its page kind's view models.

        The README's "Template API" documents every name; a test holds the two together.
        """
        context = self.common(file)
        context.update(views if views is not None else self.views.page(spec.kind, spec.subject, spec.part))
        if context.get("pager") is not None:
            context["pager"] = self.pager_links(spec, file, context["pager"])
        if body is not None:
            context["body"] = body
        if spec.kind == "runbook":
            context["sections"] = self.runbook_sections(body or Markup(""))
        return context

    def pager_links(self, spec: PageSpec, file: File, pager: Pager) -> Pager:
        """The pager with links, relative to `file`, to every numbered page of its list."""
        base = (spec.kind, spec.subject)
        links = tuple(
            PageLink(number, self.links.url(file, *part_key(base, number))) for number in range(1, pager.count + 1)
        )
        return replace(
            pager,
            links=links,
            previous=links[pager.number - 2].url if pager.number > 1 else None,
            next=links[pager.number].url if pager.number < pager.count else None,
        )

    def common(self, file: File) -> dict[str, Any]:
        """The values and helpers every template gets, for a page published as `file`."""
        config = self.kb.config

        def url(kind: str, subject: str = "", fragment: str = "") -> str:
            return self.links.url(file, kind, subject, fragment)

        def has_page(kind: str, subject: str = "") -> bool:
            return self.links.has(kind, subject)

        def severity_colour(level: str) -> int:
            return min(config.severity_rank(level), _COLOUR_STEPS - 1)

        def alert_anchor(alert: str) -> str:
            return "alert-" + self.alert_slugs[alert]

        def build_time() -> Markup:
            return Markup(_BUILD_TIME_MARK)

        return {
            "site_name": self.site_name,
            "today": self.kb.today,
            "built_at": self.built_at,
            "severities": list(config.severities),
            "url": url,
            "has_page": has_page,
            "severity_colour": severity_colour,
            "alert_anchor": alert_anchor,
            "build_time": build_time,
        }

    def runbook_sections(self, body: Markup) -> list[SectionLink]:
        """The configured runbook sections the body has, in the body's order, with their anchors."""
        config = self.kb.config
        wanted: dict[str, str] = {}
        for name in config.runbook_sections:
            for spelling in (name, *config.runbook_section_aliases.get(name, [])):
                wanted[normalise_heading(spelling)] = name
        found: list[SectionLink] = []
        for link in anchor_links(str(body)):
            # Markdown's permalink (a pilcrow) ends the heading's text.
            section = wanted.get(normalise_heading(html.unescape(link.title).rstrip("¶")))
            if link.level == 2 and section is not None and section not in {known.title for known in found}:
                found.append(SectionLink(section, link.id))
        return found
