"""The site navigation: the user's pages plus the knowledge base's section pages.

Only section pages enter the navigation. Every page repeats the whole navigation, so
listing each postmortem would make the site grow with the square of their number;
documents are reached through the index pages and search.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from mkdocs.structure import StructureItem
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page

from pmkb.site.links import Links
from pmkb.site.pages import SECTIONS, PageKey


def _walk(items: Iterable[StructureItem]) -> Iterator[StructureItem]:
    for item in items:
        yield item
        if isinstance(item, Section):
            yield from _walk(item.children)


def _link(items: list[StructureItem], parent: Section | None = None) -> None:
    for item in items:
        item.parent = parent
        if isinstance(item, Section):
            _link(item.children, item)


def build(nav: Navigation, sections: list[Page], home: Page | None, user_nav: bool) -> Navigation:
    """`nav` with the knowledge base's sections added.

    Without a user `nav:`, the home page comes first, then the knowledge base, then the
    user's other pages. With one, the user's order stays and the sections follow it.
    """
    present = {id(item) for item in _walk(nav.items)}
    additions = [page for page in sections if id(page) not in present]
    if user_nav:
        items = list(nav.items)
        if home is not None and id(home) not in present:
            additions.insert(0, home)
        items.extend(additions)
    else:
        rest = [item for item in nav.items if item is not home]
        head = [home] if home is not None else []
        items = [*head, *additions, *rest]
    _link(items)
    pages = [item for item in _walk(items) if isinstance(item, Page)]
    for previous, page, following in zip([None, *pages[:-1]], pages, [*pages[1:], None], strict=False):
        page.previous_page, page.next_page = previous, following
    return Navigation(items, pages)


def section_keys(extra: Sequence[PageKey] = ()) -> list[PageKey]:
    """The generated pages the navigation lists: the dashboard, the sections, then `extra`."""
    return [("dashboard", ""), *((kind, "") for kind, _, _ in SECTIONS), *extra]


def with_sections(
    nav: Navigation, links: Links, home_file: File | None, files: Files, user_nav: bool, extra: Sequence[PageKey] = ()
) -> Navigation:
    """`nav` with the dashboard and section pages pmkb generated (a user's page at one of
    their addresses stands in for it), then the `extra` pages; `home_file` is the
    generated home page, if any."""
    sections: list[Page] = []
    for key in section_keys(extra):
        file = links.pages.get(key)
        if file is not None and file.page is not None and file is not home_file:
            sections.append(file.page)
    home_file = home_file or files.get_file_from_path("index.md") or files.get_file_from_path("README.md")
    home = home_file.page if home_file is not None else None
    return build(nav, sections, home, user_nav)
