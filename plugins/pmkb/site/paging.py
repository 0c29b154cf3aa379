"""Long generated lists split into numbered pages.

A list longer than the `list_page_size` option keeps its first rows at its own address
and the rest on `<address>/page/2/`, `<address>/page/3/`, ..., linked with previous
and next, so every page stays light whatever the size of the knowledge base and the
site still works without JavaScript. Lists that fit one page render as before.

`plan` (pages.py) and `Views` (views.py) both count rows here, so the pages that exist
and the rows each one shows cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil

from pmkb.index import KnowledgeBase

# Page kinds whose main list is split, each with what counts as its rows.
PAGED_KINDS = ("postmortems", "runbooks", "actions", "timeline", "severity", "tag", "service")


@dataclass(frozen=True)
class PageLink:
    """One numbered page of a list, as the pager links it."""

    number: int
    url: str  # relative to the page the link is on


@dataclass(frozen=True)
class Pager:
    """Where a page sits in a list split over several pages."""

    number: int  # this page, from 1
    count: int  # pages in all
    rows: int  # rows of the whole list
    first: int  # position of this page's first row in the list, from 1
    last: int  # position of its last row
    links: tuple[PageLink, ...] = ()  # every page of the list, in order
    previous: str | None = None  # url of the page before, None on the first
    next: str | None = None  # url of the page after, None on the last


# A service page's incident brings its root cause, lessons and open action items: about
# four rows' worth of HTML, so its pages hold a quarter as many incidents.
_ROW_WEIGHT = {"service": 4}


def rows_per_page(kind: str, list_page_size: int) -> int:
    """How many rows of its main list one page of this kind shows."""
    return max(1, list_page_size // _ROW_WEIGHT.get(kind, 1))


def list_length(kb: KnowledgeBase, kind: str, subject: str) -> int:
    """How many rows the main list of a page kind has (0 for kinds that are not split)."""
    if kind in ("postmortems", "timeline"):
        return len(kb.postmortems)
    if kind == "runbooks":
        return len(kb.runbooks)
    if kind == "actions":
        return kb.action_item_count
    if kind == "severity":
        return len(kb.by_severity.get(subject, []))
    if kind == "tag":
        return len(kb.by_tag.get(subject, []))
    if kind == "service":
        return len(kb.by_service.get(subject, []))
    return 0


def page_count(length: int, size: int) -> int:
    return max(1, ceil(length / size))


def pager(length: int, size: int, number: int) -> Pager | None:
    """This page's place in a list of `length` rows, or None when the list fits one page."""
    count = page_count(length, size)
    if count == 1:
        return None
    start = (number - 1) * size
    return Pager(number=number, count=count, rows=length, first=start + 1, last=min(start + size, length))


def part_of_row(position: int, size: int) -> int:
    """The numbered page (from 1) that shows the row at `position` (from 0) of a list."""
    return position // size + 1


def section_windows(lengths: list[int], size: int, number: int) -> list[tuple[slice, int]]:
    """For a list made of sections one after the other (the action items: overdue, open,
    closed), each section's rows on page `number` and the page its rows start on."""
    if page_count(sum(lengths), size) == 1:
        return [(slice(None), 1) for _ in lengths]
    page_start, page_end = (number - 1) * size, number * size
    windows: list[tuple[slice, int]] = []
    start = 0  # where the section starts in the whole list
    for length in lengths:
        low, high = max(page_start, start), min(page_end, start + length)
        window = slice(low - start, high - start) if low < high else slice(0, 0)
        windows.append((window, part_of_row(start, size) if length else 1))
        start += length
    return windows


def part_uri(src_uri: str, number: int) -> str:
    """The source URI of a list's numbered page: postmortems/index.md -> postmortems/page/2.md."""
    stem = src_uri.removesuffix(".md")
    folder = stem.removesuffix("/index") if stem.endswith("/index") else stem
    return f"{folder}/page/{number}.md"
