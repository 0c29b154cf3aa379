"""The knowledge base: every document loaded once, indexed for lookups in one pass."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from functools import cached_property
from typing import Any, Protocol

from pmkb.config import KBConfig
from pmkb.loader import Kind, Source
from pmkb.model import Postmortem, Runbook
from pmkb.sections import Excerpts, Placeholders, excerpts, section_words
from pmkb.similarity import IncidentText, SimilarIncident, SimilarityIndex, inputs_digest
from pmkb.validation import Entry


def slugify(text: str) -> str:
    """Lower-case slug: letters and digits kept (Unicode too), other runs become `-`."""
    out: list[str] = []
    dash = False
    for char in text.lower():
        if char.isalnum():
            out.append(char)
            dash = False
        elif not dash:
            out.append("-")
            dash = True
    return "".join(out).strip("-") or "-"


# File systems allow 255 bytes per name; a shorter bound leaves room for suffixes and
# keeps URLs readable. Longer segments keep a prefix and gain a hash of the whole.
MAX_SEGMENT_BYTES = 120
_HASH_LENGTH = 10


def path_segment(slug: str) -> str:
    """`slug` as one URL path segment and file name: itself when short, else a stable shortening.

    The shortened form is a prefix cut at a character boundary plus `-` and a hash of
    the whole slug, so two long values that share a prefix still differ.
    """
    if len(slug.encode("utf-8")) <= MAX_SEGMENT_BYTES:
        return slug
    digest = hashlib.sha256(slug.encode("utf-8")).hexdigest()[:_HASH_LENGTH]
    room = MAX_SEGMENT_BYTES - _HASH_LENGTH - 1
    prefix = slug.encode("utf-8")[:room].decode("utf-8", "ignore").rstrip("-")
    return f"{prefix}-{digest}"


class SlugMap:
    """Stable slugs for a set of names; colliding slugs get a numeric suffix."""

    def __init__(self, names: Iterable[str]) -> None:
        self.slugs: dict[str, str] = {}
        taken: set[str] = set()
        for name in sorted(set(names), key=lambda n: (slugify(n), n)):
            base = path_segment(slugify(name))
            slug, number = base, 2
            while slug in taken:
                slug, number = f"{base}-{number}", number + 1
            taken.add(slug)
            self.slugs[name] = slug

    def __getitem__(self, name: str) -> str:
        return self.slugs[name]


# Which files' findings a run wants, by path relative to mkdocs.yml; None: every file.
Scope = Callable[[str], bool]


class SimilarLists(Protocol):
    """Where the similar-incident lists of earlier runs are kept, by a digest of their inputs
    (`pmkb.cache.SimilarStore` on disk; a preview also keeps the latest in memory)."""

    def get(self, inputs: bytes) -> dict[str, Any] | None: ...

    def put(self, inputs: bytes, lists: dict[str, Any]) -> None: ...


class KnowledgeBase:
    """Valid documents indexed for lookups; the rules and reports read it, never change it.

    Every file is indexed whatever the scope (so references resolve against everything);
    the scope only says which entries the rules need to look into. With a similar store,
    the similar-incident lists of an earlier run with the same inputs are used as they
    are, and lists worked out afresh are stored for the next. A preview may instead give it
    provisional lists, an earlier version's, to show while the exact ones are worked out
    elsewhere (`use_similar_from`).
    """

    def __init__(
        self,
        config: KBConfig,
        entries: list[Entry],
        today: date,
        scope: Scope | None = None,
        *,
        similar_store: SimilarLists | None = None,
    ) -> None:
        self.config = config
        self.similar_store = similar_store
        self._provisional_similar: Mapping[str, Sequence[SimilarIncident]] | None = None
        # Whether the store holds the lists of the configured limit for these very inputs.
        self._similar_stored = False
        self.today = today
        self.entries = entries
        self.scope = scope
        self.entries_in_scope: list[Entry] = entries if scope is None else [e for e in entries if scope(e.path)]
        self.postmortem_ids: set[str] = {e.id for e in entries if e.kind == "postmortem"}
        self.runbook_ids: set[str] = {e.id for e in entries if e.kind == "runbook"}
        postmortems: dict[str, Postmortem] = {}
        runbooks: dict[str, Runbook] = {}
        # The file behind each kept document: the first valid file of its id.
        self.sources: dict[tuple[Kind, str], Source] = {}
        for entry in entries:
            if entry.document is None or (entry.kind, entry.id) in self.sources:
                continue
            self.sources[(entry.kind, entry.id)] = entry.source
            if isinstance(entry.document, Postmortem):
                postmortems[entry.id] = entry.document
            elif isinstance(entry.document, Runbook):
                runbooks[entry.id] = entry.document
        # Newest first everywhere: that is how people read incident history.
        self.postmortems: dict[str, Postmortem] = dict(
            sorted(postmortems.items(), key=lambda item: (item[1].started_at, item[0]), reverse=True)
        )
        self.runbooks: dict[str, Runbook] = dict(sorted(runbooks.items(), key=lambda item: item[1].title.casefold()))
        self._similar: dict[tuple[str, int], list[SimilarIncident]] = {}
        self._index()

    def _index(self) -> None:
        self.by_severity: dict[str, list[str]] = defaultdict(list)
        self.by_service: dict[str, list[str]] = defaultdict(list)
        self.by_tag: dict[str, list[str]] = defaultdict(list)
        self.related: dict[str, list[str]] = defaultdict(list)
        self.cited_by: dict[str, list[str]] = defaultdict(list)
        self.runbooks_by_service: dict[str, list[str]] = defaultdict(list)
        self.runbooks_by_tag: dict[str, list[str]] = defaultdict(list)
        for pm_id, pm in self.postmortems.items():
            self.by_severity[pm.severity].append(pm_id)
            for service in dict.fromkeys(pm.services):
                self.by_service[service].append(pm_id)
            for tag in dict.fromkeys(pm.tags):
                self.by_tag[tag].append(pm_id)
            for other in pm.related:
                if other != pm_id and other in self.postmortems:
                    self.related[pm_id].append(other)
                    self.related[other].append(pm_id)
            for runbook_id in dict.fromkeys(pm.runbooks):
                if runbook_id in self.runbooks:
                    self.cited_by[runbook_id].append(pm_id)
        order = {pm_id: position for position, pm_id in enumerate(self.postmortems)}
        for pm_id, others in self.related.items():
            self.related[pm_id] = sorted(set(others), key=order.__getitem__)
        for runbook_id, runbook in self.runbooks.items():
            for service in dict.fromkeys(runbook.services):
                self.runbooks_by_service[service].append(runbook_id)
            for tag in dict.fromkeys(runbook.tags):
                self.runbooks_by_tag[tag].append(runbook_id)
        self.slugs = {
            "severity": SlugMap(self.config.severities),
            "tag": SlugMap([*self.by_tag, *self.runbooks_by_tag]),
            "service": SlugMap([*self.by_service, *self.runbooks_by_service]),
        }

    # Lookups -------------------------------------------------------------------------

    @property
    def services(self) -> list[str]:
        return sorted({*self.by_service, *self.runbooks_by_service}, key=str.casefold)

    @property
    def tags(self) -> list[str]:
        """Every tag of a postmortem or a runbook."""
        return sorted({*self.by_tag, *self.runbooks_by_tag}, key=lambda tag: (tag.casefold(), tag))

    def in_scope(self, path: str) -> bool:
        return self.scope is None or self.scope(path)

    def entry_path(self, kind: Kind, doc_id: str) -> str:
        return self.sources[(kind, doc_id)].relpath

    @cached_property
    def action_item_count(self) -> int:
        """How many action items all postmortems hold together."""
        return sum(len(pm.action_items) for pm in self.postmortems.values())

    @cached_property
    def excerpts(self) -> dict[str, Excerpts]:
        """Plain text of Summary, Root Cause and Lessons Learned per postmortem, read once
        for every page, brief and export (a check needs none of it)."""
        placeholders = Placeholders.from_config(self.config)
        return {
            pm_id: excerpts(self.sources[("postmortem", pm_id)], self.config.section_aliases, placeholders)
            for pm_id in self.postmortems
        }

    @cached_property
    def similarity(self) -> SimilarityIndex:
        """Words of title, Root Cause and Contributing Factors, with services, tags and
        category; built on first use (a check never needs it)."""
        return SimilarityIndex(self.similarity_texts())

    def similarity_texts(self) -> list[IncidentText]:
        """What the similarity index reads of each postmortem, newest first (worked out once)."""
        return list(self._similarity_texts)

    @cached_property
    def _similarity_texts(self) -> list[IncidentText]:
        return [
            IncidentText(
                id=pm_id,
                title=pm.title,
                body=section_words(
                    self.sources[("postmortem", pm_id)], SIMILARITY_SECTIONS, self.config.section_aliases
                ),
                services=pm.services,
                tags=pm.tags,
                category=pm.category,
            )
            for pm_id, pm in self.postmortems.items()
        ]

    def similar(self, pm_id: str, limit: int | None = None) -> list[SimilarIncident]:
        """Incidents most like this one, best first, with how alike they are and what they
        share; related ones are left out (they are listed as related already).

        Each list is found once per knowledge base: the page and kb.json both show it.
        Lists of the configured limit come from the similar store when its inputs match.
        """
        limit = self.config.similar_limit if limit is None else limit
        found = self._similar.get((pm_id, limit))
        if found is None and limit == self.config.similar_limit:
            found = self._stored_similar.get(pm_id)
            if found is None and self._provisional_similar is not None:
                found = self._provisional_list(pm_id, limit)
        if found is None:
            found = self.similarity.similar(pm_id, limit, exclude=self.related.get(pm_id, ()))
        self._similar[(pm_id, limit)] = found
        return list(found)

    def use_similar_from(
        self, store: SimilarLists | None, provisional: Mapping[str, Sequence[SimilarIncident]] | None
    ) -> None:
        """Before any list is asked for: find the configured limit's lists in `store` when it
        holds these very inputs', else show `provisional` ones (each postmortem's list from an
        earlier version of the knowledge base, without incidents gone or now related) rather
        than work them out. Provisional lists are never stored."""
        assert not self._similar, "similar lists were asked for already"
        self.similar_store = store
        self.__dict__.pop("_stored_similar", None)
        self._provisional_similar = None if self.has_stored_similar() else provisional

    @property
    def similar_is_provisional(self) -> bool:
        """Whether the configured limit's lists are provisional (see `use_similar_from`)."""
        return self._provisional_similar is not None

    def has_stored_similar(self) -> bool:
        """Whether the similar store holds the configured limit's lists for these very inputs."""
        return bool(self._stored_similar)

    def _provisional_list(self, pm_id: str, limit: int) -> list[SimilarIncident]:
        assert self._provisional_similar is not None
        related = set(self.related.get(pm_id, ()))
        kept = [
            item
            for item in self._provisional_similar.get(pm_id, ())
            if item.id in self.postmortems and item.id != pm_id and item.id not in related
        ]
        return kept[:limit]

    @cached_property
    def similarity_inputs(self) -> bytes:
        """The digest of what the configured limit's lists depend on (the index is not built)."""
        return inputs_digest(self.similarity_texts(), self.related, self.config.similar_limit)

    @cached_property
    def _stored_similar(self) -> dict[str, list[SimilarIncident]]:
        """The configured limit's lists an earlier run found from these very inputs; empty when none."""
        if self.similar_store is None:
            return {}
        stored = self.similar_store.get(self.similarity_inputs)
        if stored is None or stored.keys() != self.postmortems.keys():
            return {}
        for found in stored.values():
            if not (isinstance(found, list) and all(isinstance(item, SimilarIncident) for item in found)):
                return {}
        self._similar_stored = True
        return stored

    def _store_similar(self) -> None:
        """Keep the configured limit's lists for the next run, when this one had to find them."""
        if self.similar_store is None or self._similar_stored or self.similar_is_provisional:
            return
        limit = self.config.similar_limit
        lists = {pm_id: self._similar.get((pm_id, limit)) for pm_id in self.postmortems}
        if None not in lists.values():
            self.similar_store.put(self.similarity_inputs, lists)
            self._similar_stored = True

    def runbook_review_due(self, runbook: Runbook) -> date:
        return runbook.review_due(self.config.runbook_review_days)

    def is_stale(self, runbook: Runbook) -> bool:
        return self.runbook_review_due(runbook) < self.today

    # Export --------------------------------------------------------------------------

    def export(self) -> dict[str, Any]:
        """The knowledge base as JSON-ready data; the same document as the site's kb.json."""
        exported = {
            "postmortems": [self.export_postmortem(pm_id) for pm_id in self.postmortems],
            "runbooks": [self.export_runbook(rb_id) for rb_id in self.runbooks],
        }
        self.exported()
        return exported

    def exported(self) -> None:
        """Once every record is exported (or taken from an earlier export of equal inputs)."""
        # Every postmortem's list is kept now: for the next run, and in memory for the rest
        # of this one, where the index's vectors would only take memory (another limit
        # builds the index again).
        self._store_similar()
        self.__dict__.pop("similarity", None)

    def export_inputs(self, kind: Kind, doc_id: str) -> tuple[object, ...] | None:
        """What a document's exported record is made of besides the configuration, by
        identity: its file (digest) and path, today, and the ids (with shared terms) of
        the documents the record lists. Equal inputs give equal records under equal
        configurations. None when the file has no digest."""
        source = self.sources[(kind, doc_id)]
        if source.digest is None:
            return None
        if kind == "postmortem":
            similar = tuple((incident.id, tuple(incident.shared)) for incident in self.similar(doc_id))
            related = tuple(self.related.get(doc_id, []))
            return (kind, doc_id, source.digest, source.relpath, self.today, related, similar)
        return (kind, doc_id, source.digest, source.relpath, self.today, tuple(self.cited_by.get(doc_id, [])))

    def export_postmortem(self, pm_id: str) -> dict[str, Any]:
        pm = self.postmortems[pm_id]
        similar = self.similar(pm_id)
        data = pm.model_dump(mode="json")
        data.update(
            id=pm_id,
            path=self.entry_path("postmortem", pm_id),
            url=postmortem_url(pm_id),
            duration=pm.duration,
            time_to_detect=pm.time_to_detect,
            time_to_mitigate=pm.time_to_mitigate,
            related=list(self.related.get(pm_id, [])),
            similar=[incident.id for incident in similar],
            similar_shared={incident.id: list(incident.shared) for incident in similar},
            summary=self.excerpts[pm_id].summary,
            root_cause=self.excerpts[pm_id].root_cause,
            lessons=list(self.excerpts[pm_id].lessons),
        )
        for item, exported in zip(pm.action_items, data["action_items"], strict=False):
            exported["overdue"] = item.is_overdue(self.today)
        return data

    def export_runbook(self, rb_id: str) -> dict[str, Any]:
        runbook = self.runbooks[rb_id]
        data = runbook.model_dump(mode="json")
        data.update(
            id=rb_id,
            path=self.entry_path("runbook", rb_id),
            url=runbook_url(rb_id),
            review_every_days=runbook.review_every_days or self.config.runbook_review_days,
            review_due=self.runbook_review_due(runbook).isoformat(),
            stale=self.is_stale(runbook),
            incidents=list(self.cited_by.get(rb_id, [])),
        )
        return data


# The sections whose words say what an incident was about.
SIMILARITY_SECTIONS = ("Root Cause", "Contributing Factors")


def postmortem_url(pm_id: str) -> str:
    return f"/postmortems/{path_segment(pm_id)}/"


def runbook_url(rb_id: str) -> str:
    return f"/runbooks/{path_segment(rb_id)}/"
