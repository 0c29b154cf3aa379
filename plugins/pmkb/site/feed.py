"""The Atom feed (RFC 4287) of postmortems, newest first, and the site's kb.json.

Both are written by code that escapes every text from front matter the way XML and
JSON need (the feed as ElementTree would write it, kb.json as json does), not by templates.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pmkb.cache import KeptFromLastRun
from pmkb.index import KnowledgeBase
from pmkb.jsontext import indented_json
from pmkb.loader import Kind
from pmkb.model import Postmortem
from pmkb.times import iso_utc

ATOM = "http://www.w3.org/2005/Atom"
# Characters XML 1.0 cannot carry at all, not even escaped; YAML's "\x01" escapes can produce them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _timestamp(moment: datetime) -> str:
    return iso_utc(moment)


def _updated(pm: Postmortem) -> datetime:
    # The last thing that happened to the incident; files carry no edit time we could trust.
    return max(moment for moment in (pm.started_at, pm.detected_at, pm.mitigated_at, pm.resolved_at) if moment)


def _tag_uri(site_name: str, *parts: str) -> str:
    # Without a site_url there is no URL to serve as a permanent id; a name-based UUID is stable.
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, "pmkb:" + ":".join((site_name, *parts))))


# How the feed is encoded (UTF-8): characters it cannot carry (lone surrogates) as references.
FEED_ERRORS = "xmlcharrefreplace"


def atom_feed_text(
    kb: KnowledgeBase,
    *,
    site_name: str,
    site_url: str | None,
    author: str | None,
    page_url: Callable[[str], str],
    home_url: str,
    entries: EntryTexts | None = None,
) -> Iterator[str]:
    """The feed document, piece by piece (an entry at a time), to be UTF-8 encoded with
    FEED_ERRORS. `page_url(id)` is a postmortem's URL: absolute with a site_url, else
    relative to the feed.

    With `entries` (kept from one preview rebuild to the next), entries written before are not written again.
    """
    feed = _Writer()
    feed.open("feed", 0, xmlns=ATOM)
    feed.element("id", 1, site_url + "feed.xml" if site_url else _tag_uri(site_name, "feed"))
    feed.element("title", 1, f"{site_name}: postmortems")
    updated = max((_updated(pm) for pm in kb.postmortems.values()), default=datetime(1970, 1, 1, tzinfo=UTC))
    feed.element("updated", 1, _timestamp(updated))
    # Atom needs an author for every entry; the feed's stands in for entries without `authors`.
    feed.open("author", 1)
    feed.element("name", 2, author or site_name)
    feed.close("author", 1)
    feed.element("link", 1, rel="alternate", type="text/html", href=home_url)
    if site_url:
        feed.element("link", 1, rel="self", type="application/atom+xml", href=site_url + "feed.xml")
    feed.element("generator", 1, "pmkb")
    yield feed.text()
    if entries is not None:
        entries.begin()
    for pm_id, pm in kb.postmortems.items():
        url = page_url(pm_id)
        entry_id = url if site_url else None
        if entries is None:
            yield _entry(pm_id, pm, url, entry_id, site_name)
            continue
        # Everything the entry is written from, so that equal keys are equal entries.
        key: tuple[object, ...] = (pm_id, url, entry_id, site_name, pm.severity, pm.title, pm.status, pm.type)
        key += (pm.impact, _updated(pm), pm.started_at, tuple(pm.authors), tuple(pm.services), tuple(pm.tags))
        text = entries.get(key)
        if text is None:
            text = entries.put(key, _entry(pm_id, pm, url, entry_id, site_name))
        yield text
    end = _Writer(declaration=False)
    end.close("feed", 0)
    yield end.text()


def _entry(pm_id: str, pm: Postmortem, url: str, entry_id: str | None, site_name: str) -> str:
    """A postmortem's `<entry>`; `entry_id` None: a name-based id (the site has no site_url)."""
    entry = _Writer(declaration=False)
    entry.open("entry", 1)
    entry.element("id", 2, entry_id or _tag_uri(site_name, "postmortem", pm_id))
    entry.element("title", 2, f"[{pm.severity}] {pm.title}")
    entry.element("updated", 2, _timestamp(_updated(pm)))
    entry.element("published", 2, _timestamp(pm.started_at))
    entry.element("link", 2, rel="alternate", type="text/html", href=url)
    for name in pm.authors:
        entry.open("author", 2)
        entry.element("name", 3, name)
        entry.close("author", 2)
    for term in dict.fromkeys([pm.severity, pm.status, pm.type, *pm.services, *pm.tags]):
        entry.element("category", 2, term=term)
    summary = pm.impact or f"{pm.severity} {pm.type} affecting {', '.join(pm.services)}."
    if pm.status != "final":
        summary = f"({pm.status}) {summary}"
    entry.element("summary", 2, summary, type="text")
    entry.close("entry", 1)
    return entry.text()


class EntryTexts(KeptFromLastRun[tuple[object, ...], str]):
    """The feed's entries as the last preview rebuild wrote them, each under the values
    it was written from: an edit writes its postmortem's entry again, not a thousand."""


class _Writer:
    """XML text as ElementTree writes an indented tree of elements that hold either text
    or other elements: its escapes, its `<empty />` elements, two spaces a level.

    ElementTree builds and serialises a tree in Python, a quarter of a second for a
    thousand postmortems, for a document whose shape is fixed.
    """

    def __init__(self, *, declaration: bool = True) -> None:
        self._parts = ["<?xml version='1.0' encoding='utf-8'?>\n"] if declaration else []

    def append(self, text: str) -> None:
        self._parts.append(text)

    def open(self, name: str, depth: int, **attributes: str) -> None:
        self._parts.append(f"{_INDENT * depth}<{name}{_attributes(attributes)}>\n")

    def close(self, name: str, depth: int) -> None:
        self._parts.append(f"{_INDENT * depth}</{name}>\n")

    def element(self, name: str, depth: int, text: str | None = None, **attributes: str) -> None:
        start = f"{_INDENT * depth}<{name}{_attributes(attributes)}"
        if text:
            self._parts.append(f"{start}>{_escape_text(_NOT_XML.sub(_REPLACEMENT, text))}</{name}>\n")
        else:
            self._parts.append(f"{start} />\n")

    def text(self) -> str:
        return "".join(self._parts)


_INDENT = "  "
_REPLACEMENT = "\ufffd"


def _attributes(attributes: dict[str, str]) -> str:
    return "".join(
        f' {name}="{_escape_attribute(_NOT_XML.sub(_REPLACEMENT, value))}"' for name, value in attributes.items()
    )


def _escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _escape_attribute(text: str) -> str:
    # As ElementTree: line breaks and tabs stay what they are as character references.
    escaped = _escape_text(text).replace('"', "&quot;")
    return escaped.replace("\r", "&#13;").replace("\n", "&#10;").replace("\t", "&#09;")


def kb_json_text(
    kb: KnowledgeBase,
    postmortem_url: Callable[[str], str],
    runbook_url: Callable[[str], str],
    texts: RecordTexts | None = None,
) -> Iterator[str]:
    """`pmkb export`'s document, with each `url` pointing at the page of this build, piece
    by piece (a record at a time): exactly `json.dumps(kb.export(), ensure_ascii=False,
    indent=2)` with the URLs set, and a line break, to be UTF-8 encoded.

    With `texts` (kept from one preview rebuild to the next), records whose inputs are
    unchanged are neither exported nor written again.
    """
    kept = texts.begin(kb.config.cache_settings()) if texts is not None else None
    lists: tuple[tuple[Kind, Iterable[str], Callable[[str], str], Callable[[str], dict[str, Any]]], ...] = (
        ("postmortem", kb.postmortems, postmortem_url, kb.export_postmortem),
        ("runbook", kb.runbooks, runbook_url, kb.export_runbook),
    )
    for number, (kind, ids, url_of, export) in enumerate(lists):
        yield f'{"{" if number == 0 else ","}\n  "{kind}s": '
        separator = "[\n"
        for doc_id in ids:
            url = url_of(doc_id)
            identity = None
            if kept is not None:
                inputs = kb.export_inputs(kind, doc_id)
                identity = (inputs, url) if inputs is not None else None
            text = kept.get(identity) if kept is not None and identity is not None else None
            if text is None:
                record = export(doc_id)
                record["url"] = url
                # One level deeper than on its own: the record sits in a list in the document.
                text = "    " + indented_json(record).replace("\n", "\n    ")
            if texts is not None and identity is not None:
                texts.keep(identity, text)
            yield separator + text
            separator = ",\n"
        yield "[]" if separator == "[\n" else "\n  ]"
    yield "\n}\n"
    kb.exported()


class RecordTexts:
    """kb.json's text record by record, each kept for the next rebuild under what it is
    made of (`KnowledgeBase.export_inputs` and its URL), for as long as the configuration
    is the same.

    Exporting a record and writing indented JSON in Python (see jsontext.py) take a
    tenth of a second or more of each rebuild for a thousand postmortems, when an edit
    changes a few records.
    """

    def __init__(self) -> None:
        self._settings: str | None = None
        self._texts: dict[tuple[object, ...], str] = {}

    def begin(self, settings: str) -> dict[tuple[object, ...], str]:
        """The texts kept under these settings, handed over; those kept from now on are for the next rebuild."""
        kept = self._texts if settings == self._settings else {}
        self._settings, self._texts = settings, {}
        return kept

    def keep(self, identity: tuple[object, ...], text: str) -> None:
        self._texts[identity] = text


@dataclass
class ExportTexts:
    """kb.json's records and the feed's entries, kept from one preview rebuild to the next."""

    records: RecordTexts = field(default_factory=RecordTexts)
    entries: EntryTexts = field(default_factory=EntryTexts)
