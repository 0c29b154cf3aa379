"""Table-of-contents entries for headings pmkb writes itself.

Generated HTML never passes through Markdown's `toc` extension, so its headings are
collected here and handed to MkDocs as `AnchorLink`s, which Material renders in the
page's table of contents.
"""

from __future__ import annotations

import html
import re

from markupsafe import escape
from mkdocs.structure.toc import AnchorLink

# pmkb's templates write headings on one element each; a regex over them is enough and
# far cheaper than parsing index pages that list a thousand incidents.
_HEADING = re.compile(r"<h([23])\b[^>]*?\bid=\"([^\"]+)\"[^>]*>(.*?)</h\1\s*>", re.S | re.I)
_TAG = re.compile(r"<[^>]*>")


def anchor_links(content: str) -> list[AnchorLink]:
    """h2 and h3 headings that carry an id, h3s nested under the h2 before them."""
    items: list[AnchorLink] = []
    for match in _HEADING.finditer(content):
        level = int(match.group(1))
        text = " ".join(html.unescape(_TAG.sub("", match.group(3))).split())
        # Material prints toc titles as HTML, like the escaped titles Markdown's toc produces.
        link = AnchorLink(str(escape(text)), html.unescape(match.group(2)), level)
        if level == 3 and items:
            items[-1].children.append(link)
        else:
            items.append(link)
    return items


def generated_toc(content: str, is_document: bool) -> list[AnchorLink]:
    """A page's entries for headings pmkb wrote: on documents only its own `pmkb-` sections,
    since the body's headings are in the table of contents already."""
    links = anchor_links(content)
    return [link for link in links if link.id.startswith("pmkb-")] if is_document else links
