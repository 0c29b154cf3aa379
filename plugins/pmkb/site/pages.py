"""Which pages the site has: one spec per generated page, before MkDocs sees any of them.

A spec fixes a page's source URI (hence its URL), its title and how it is indexed.
Page content that depends on where the page ends up (relative links) is rendered
later, in `render.py`, once MkDocs knows every file's URL.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from markupsafe import escape

from pmkb.index import KnowledgeBase, path_segment
from pmkb.loader import Source
from pmkb.site.paging import PAGED_KINDS, list_length, page_count, part_uri, rows_per_page

# (kind, subject): ("postmortem", "2024-03-05-checkout"), ("tag", "database"), ("timeline", "").
# libyaml's emitter where PyYAML has it: the same YAML, many times faster (and it keeps
# some strings intact that the pure-Python emitter does not).
_SafeDumper: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
# A long list's numbered page has its own key: ("tag#page-2", "database"), see part_key.
PageKey = tuple[str, str]
_PART_MARK = "#page-"

# Section pages in the order the navigation lists them, with their titles.
SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("postmortems", "postmortems/index.md", "Postmortems"),
    ("runbooks", "runbooks/index.md", "Runbooks"),
    ("services", "services/index.md", "Services"),
    ("severities", "severity/index.md", "Severity"),
    ("tags", "tags/index.md", "Tags"),
    ("timeline", "timeline.md", "Timeline"),
    ("actions", "actions.md", "Action items"),
    ("alerts", "alerts.md", "Alerts"),
)
# Pages whose tables are wider than the content column with a table of contents beside them.
_WIDE = {"postmortems", "runbooks", "services", "severities", "actions", "alerts", "service", "tag", "severity"}
# Generated lists are navigation, not content: kept out of the search index, so a search
# finds the documents themselves (each carries its id, severity, services, tags and
# alerts as page tags) and the index does not grow with every list a document is in.
_NOT_SEARCHED = {"exclude": True}


@dataclass
class PageSpec:
    key: PageKey
    src_uri: str
    title: str  # plain text; escaped when written into front matter
    template: str
    search: dict[str, Any] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    description: str | None = None
    hide: list[str] = field(default_factory=list)
    body: str = ""  # Markdown of a postmortem or runbook, as written, when not read from `source`
    origin: Path | None = None  # the knowledge-base file a document page comes from
    part: int = 1  # which numbered page of a long list (see paging.py)
    # The file a document page's body is read from, each time it is asked for: MkDocs
    # keeps the page's Markdown for the whole build, and pmkb keeps the file's text.
    source: Source | None = field(default=None, repr=False)
    read_for_good: bool = field(default=False, repr=False)  # see `let_go_of_source`

    @property
    def kind(self) -> str:
        return self.key[0].partition(_PART_MARK)[0]

    @property
    def subject(self) -> str:
        return self.key[1]

    @property
    def is_document(self) -> bool:
        return self.kind in ("postmortem", "runbook")

    def markdown(self) -> str:
        """The generated file: fresh front matter, then the document's own body. Written
        anew each time, not kept: a build asks for it twice (to tell whether the page
        changed, and as the page's source), and a copy per page would be one more copy
        of every document in memory."""
        if self.read_for_good:
            raise RuntimeError(f"{self.src_uri}: the page's Markdown was asked for after the build let go of it")
        front = _front_matter(
            self.title, self.description, tuple(self.tags), tuple(self.search.items()), tuple(self.hide)
        )
        body = self.source.body if self.source is not None else self.body
        return f"---\n{front}---\n\n{body}"

    def let_go_of_source(self) -> None:
        """Forget the file the Markdown is written from, when it is not asked for again."""
        self.source = None
        self.read_for_good = True


@lru_cache(maxsize=1 << 14)
def _front_matter(
    title: str,
    description: str | None,
    tags: tuple[str, ...],
    search: tuple[tuple[str, Any], ...],
    hide: tuple[str, ...],
) -> str:
    """A page's front matter. Every rebuild under `mkdocs serve` asks for nearly every
    page's again, unchanged: each is written once."""
    # MkDocs and Material put meta values into HTML unescaped (<title>, nav, header,
    # search results), so every value that came from front matter is escaped here.
    meta: dict[str, Any] = {"title": str(escape(title))}
    if description:
        meta["description"] = str(escape(description))
    if tags:
        meta["tags"] = [str(escape(tag)) for tag in dict.fromkeys(tags)]
    if search:
        meta["search"] = dict(search)
    if hide:
        meta["hide"] = list(hide)
    front: str = yaml.dump(meta, Dumper=_SafeDumper, allow_unicode=True, sort_keys=False, width=10_000)
    return front


def id_words(doc_id: str) -> list[str]:
    """The id as a search tag, without its all-digit parts (a date prefix), or nothing.

    Material appends a wildcard to every search term, so the "1" of "SEV-1" would match
    "11" and "18" of a date in every id and drown the severity's own documents; the
    words of an id are what sets it apart.
    """
    words = "-".join(part for part in doc_id.split("-") if part and not part.isdigit())
    return [words] if words else []


def part_key(key: PageKey, part: int) -> PageKey:
    """The key of a list's numbered page; page 1 is the list's own page."""
    kind, subject = key
    return key if part == 1 else (f"{kind}{_PART_MARK}{part}", subject)


def value_uri(folder: str, slug: str) -> str:
    # `<folder>/index.md` is the folder's own index page; a value slugged "index" moves down a level.
    return f"{folder}/index/index.md" if slug == "index" else f"{folder}/{slug}.md"


def plan(kb: KnowledgeBase, dashboard_uri: str) -> list[PageSpec]:
    """Every page the knowledge base gives the site, documents first."""
    specs: list[PageSpec] = []
    real_path = _RealPaths()
    for pm_id, pm in kb.postmortems.items():
        source = kb.sources[("postmortem", pm_id)]
        specs.append(
            PageSpec(
                key=("postmortem", pm_id),
                src_uri=value_uri("postmortems", path_segment(pm_id)),
                title=pm.title,
                template="postmortem.html",
                # Material's search weighs page tags far above text: the id, severity, services
                # and tags rank the document first when someone searches for one of them.
                tags=[*id_words(pm_id), pm.severity, *pm.services, *pm.tags],
                description=pm.impact,
                source=source,
                origin=real_path(source.path),
            )
        )
    for rb_id, runbook in kb.runbooks.items():
        source = kb.sources[("runbook", rb_id)]
        specs.append(
            PageSpec(
                key=("runbook", rb_id),
                src_uri=value_uri("runbooks", path_segment(rb_id)),
                title=runbook.title,
                template="runbook.html",
                tags=[*id_words(rb_id), *runbook.alerts, *runbook.services, *runbook.tags],
                source=source,
                origin=real_path(source.path),
            )
        )
    specs.append(
        PageSpec(
            key=("dashboard", ""),
            src_uri=dashboard_uri,
            title="Dashboard",
            template="dashboard.html",
            search=_NOT_SEARCHED,
            hide=["toc"],
        )
    )
    for kind, src_uri, title in SECTIONS:
        specs.append(
            PageSpec(
                key=(kind, ""),
                src_uri=src_uri,
                title=title,
                template=f"{kind}.html",
                search=_NOT_SEARCHED,
                hide=["toc"] if kind in _WIDE else [],
            )
        )
    values = (
        ("severity", "severity", "Severity", kb.config.severities, kb.slugs["severity"]),
        ("tag", "tags", "Tag", kb.tags, kb.slugs["tag"]),
        ("service", "services", "Service", kb.services, kb.slugs["service"]),
    )
    for kind, folder, label, names, slugs in values:
        for name in names:
            specs.append(
                PageSpec(
                    key=(kind, name),
                    src_uri=value_uri(folder, slugs[name]),
                    title=f"{label}: {name}",
                    template=f"{kind}.html",
                    search=_NOT_SEARCHED,
                    hide=["toc"] if kind in _WIDE else [],
                )
            )
    return _with_numbered_pages(kb, specs)


class _RealPaths:
    """`path.resolve()` of files that share a few folders, each folder resolved once:
    resolving a path looks at every folder on its way, for each of thousands of files."""

    def __init__(self) -> None:
        self._folders: dict[Path, Path] = {}

    def __call__(self, path: Path) -> Path:
        if path.is_symlink():
            return path.resolve()
        folder = self._folders.get(path.parent)
        if folder is None:
            folder = self._folders[path.parent] = path.parent.resolve()
        return folder / path.name


def _with_numbered_pages(kb: KnowledgeBase, specs: list[PageSpec]) -> list[PageSpec]:
    """Each spec followed by the numbered pages of its list, when the list is too long for one."""
    size = kb.config.list_page_size
    every: list[PageSpec] = []
    for spec in specs:
        every.append(spec)
        if spec.kind not in PAGED_KINDS:
            continue
        rows = rows_per_page(spec.kind, size)
        for part in range(2, page_count(list_length(kb, spec.kind, spec.subject), rows) + 1):
            every.append(
                replace(
                    spec,
                    key=part_key(spec.key, part),
                    src_uri=part_uri(spec.src_uri, part),
                    title=f"{spec.title} (page {part})",
                    part=part,
                )
            )
    return every
