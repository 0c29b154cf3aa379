"""Document bodies without active content, for sites that publish what many people write.

With `html: sanitize` every postmortem and runbook body passes through nh3 (the
Rust `ammonia` sanitiser) after Markdown rendering: scripts, styles, iframes, forms,
event-handler attributes and `javascript:`/`data:` URLs are removed; the markup
Markdown and its usual extensions produce (headings with their anchors, tables,
highlighted code, admonitions, images) stays.
"""

from __future__ import annotations

import nh3

# Classes and ids carry code highlighting, admonitions and heading anchors.
_GLOBAL_ATTRIBUTES = {"class", "id", "title", "lang", "dir"}
_ATTRIBUTES: dict[str, set[str]] = {
    tag: set(attributes) | _GLOBAL_ATTRIBUTES for tag, attributes in nh3.ALLOWED_ATTRIBUTES.items()
}
_ATTRIBUTES["*"] = _GLOBAL_ATTRIBUTES
_ATTRIBUTES["a"] = _ATTRIBUTES.get("a", set()) | {"title", "name"}
_ATTRIBUTES["img"] = _ATTRIBUTES.get("img", set()) | {"title", "loading"}
# Relative URLs (links between pages, images beside the document) always pass.
_URL_SCHEMES = {"http", "https", "mailto", "tel"}
_TAGS = set(nh3.ALLOWED_TAGS) | {"input"}  # task-list checkboxes
_ATTRIBUTES["input"] = {"type", "checked", "disabled"}


def sanitize_body(html: str) -> str:
    """`html` with only inert markup left: no scripts, handlers or script-bearing URLs."""
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        link_rel="noopener noreferrer",
    )
