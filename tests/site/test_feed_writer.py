"""The feed is written exactly as ElementTree writes the same tree, for any text in it."""

from __future__ import annotations

import xml.etree.ElementTree as etree
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pmkb.site.feed import _NOT_XML, ATOM, FEED_ERRORS, EntryTexts, _tag_uri, _timestamp, _updated, atom_feed_text

_TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=12)  # any text a YAML file can hold
_NAMES = st.lists(_TEXT, max_size=3)
_MOMENTS = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC))


def atom_feed(kb: Any, **options: Any) -> bytes:
    """The feed file as a build writes it: its text, piece by piece, encoded."""
    return "".join(atom_feed_text(kb, **options)).encode("utf-8", FEED_ERRORS)


@st.composite
def _postmortems(draw: st.DrawFn) -> dict[str, Any]:
    found = {}
    for number in range(draw(st.integers(0, 3))):
        started = draw(_MOMENTS)
        found[f"pm-{number}"] = SimpleNamespace(
            title=draw(_TEXT),
            severity=draw(_TEXT),
            status=draw(st.sampled_from(["draft", "review", "final"])),
            type=draw(st.sampled_from(["incident", "near-miss"])),
            services=draw(_NAMES),
            tags=draw(_NAMES),
            authors=draw(_NAMES),
            impact=draw(st.none() | _TEXT),
            started_at=started,
            detected_at=None,
            mitigated_at=draw(st.none() | st.just(started + timedelta(minutes=5))),
            resolved_at=None,
        )
    return found


def _element_tree_feed(kb: Any, site_name: str, site_url: str | None, author: str | None, home_url: str) -> bytes:
    """The feed built with ElementTree, as pmkb wrote it before it wrote the text itself."""
    etree.register_namespace("", ATOM)

    def element(parent: etree.Element, name: str, text: str | None = None, **attributes: str) -> etree.Element:
        child = etree.SubElement(parent, f"{{{ATOM}}}{name}", attributes)
        if text is not None:
            child.text = _NOT_XML.sub("\ufffd", text)
        return child

    feed = etree.Element(f"{{{ATOM}}}feed")
    element(feed, "id", site_url + "feed.xml" if site_url else _tag_uri(site_name, "feed"))
    element(feed, "title", f"{site_name}: postmortems")
    updated = max((_updated(pm) for pm in kb.postmortems.values()), default=datetime(1970, 1, 1, tzinfo=UTC))
    element(feed, "updated", _timestamp(updated))
    element(element(feed, "author"), "name", author or site_name)
    element(feed, "link", rel="alternate", type="text/html", href=home_url)
    if site_url:
        element(feed, "link", rel="self", type="application/atom+xml", href=site_url + "feed.xml")
    element(feed, "generator", "pmkb")
    for pm_id, pm in kb.postmortems.items():
        entry = element(feed, "entry")
        url = f"postmortems/{pm_id}/"
        element(entry, "id", url if site_url else _tag_uri(site_name, "postmortem", pm_id))
        element(entry, "title", f"[{pm.severity}] {pm.title}")
        element(entry, "updated", _timestamp(_updated(pm)))
        element(entry, "published", _timestamp(pm.started_at))
        element(entry, "link", rel="alternate", type="text/html", href=url)
        for name in pm.authors:
            element(element(entry, "author"), "name", name)
        for term in dict.fromkeys([pm.severity, pm.status, pm.type, *pm.services, *pm.tags]):
            element(entry, "category", term=_NOT_XML.sub("\ufffd", term))
        summary = pm.impact or f"{pm.severity} {pm.type} affecting {', '.join(pm.services)}."
        if pm.status != "final":
            summary = f"({pm.status}) {summary}"
        element(entry, "summary", summary, type="text")
    etree.indent(feed)
    return etree.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"


@settings(max_examples=200, deadline=None)
@given(
    postmortems=_postmortems(),
    site_name=_TEXT,
    site_url=st.none() | st.sampled_from(["https://kb.example.com/", "https://example.com/a&b/"]),
    author=st.none() | _TEXT,
    home_url=st.sampled_from(["./", "index.html", 'https://example.com/?a=1&b="2"\t<x>\n']),
)
def test_the_feed_is_what_element_tree_writes(
    postmortems: dict[str, Any], site_name: str, site_url: str | None, author: str | None, home_url: str
) -> None:
    kb: Any = SimpleNamespace(postmortems=postmortems)
    written = atom_feed(
        kb,
        site_name=site_name,
        site_url=site_url,
        author=author,
        page_url=lambda pm_id: f"postmortems/{pm_id}/",
        home_url=home_url,
    )
    assert written == _element_tree_feed(kb, site_name, site_url, author, home_url)


# A field of a postmortem the feed shows, and values it may take instead.
_FIELD_CHANGES = {
    "title": _TEXT,
    "severity": _TEXT,
    "status": st.sampled_from(["draft", "review", "final"]),
    "type": st.sampled_from(["incident", "near-miss"]),
    "services": _NAMES,
    "tags": _NAMES,
    "authors": _NAMES,
    "impact": st.none() | _TEXT,
    "started_at": _MOMENTS,
    "mitigated_at": st.none() | st.integers(1, 10**6),  # minutes after the start
}


@settings(max_examples=300, deadline=None)
@given(
    first=_postmortems(),
    data=st.data(),
    site_name=st.sampled_from(["KB", "Other KB"]),
    site_url=st.none() | st.just("https://kb.example.com/"),
)
def test_a_rebuild_writes_the_feed_a_first_build_writes(
    first: dict[str, Any], data: st.DataObject, site_name: str, site_url: str | None
) -> None:
    """Entries kept from the build before are used only where they are what would be written."""
    entries = EntryTexts()
    options = {"author": None, "page_url": lambda pm_id: f"postmortems/{pm_id}/", "home_url": "./"}
    atom_feed(SimpleNamespace(postmortems=first), site_name="KB", site_url=None, entries=entries, **options)
    second = {}
    for pm_id, pm in first.items():
        changed = data.draw(st.sampled_from([None, *sorted(_FIELD_CHANGES)]), label=pm_id)
        values = dict(vars(pm))
        if changed is not None:
            values[changed] = data.draw(_FIELD_CHANGES[changed], label=f"{pm_id}.{changed}")
            if isinstance(values["mitigated_at"], int):
                values["mitigated_at"] = values["started_at"] + timedelta(minutes=values["mitigated_at"])
        second[pm_id] = SimpleNamespace(**values)
    kb: Any = SimpleNamespace(postmortems=second)
    written = atom_feed(kb, site_name=site_name, site_url=site_url, entries=entries, **options)
    assert written == _element_tree_feed(kb, site_name, site_url, None, "./")
