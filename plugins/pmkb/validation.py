"""Sources to entries: each file's typed document, or the findings that say why it has none.

PMKB003 invalid-field and PMKB014 unknown-field are declared and found here, while the
document is validated; an action item's missing keys are left to PMKB009 (rules.actions).
Validation maps every pydantic error location back to the line of the field or list
item it names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Annotated, Any, NamedTuple

from pydantic import TypeAdapter, ValidationError

from pmkb.cache import DocumentCache
from pmkb.config import KBConfig
from pmkb.findings import Finding, Rule
from pmkb.loader import (
    FieldPath,
    Kind,
    Source,
    StatKey,
    discover,
    file_stat_key,
    parse_source,
    read_source,
    relative_path,
)
from pmkb.model import ID_PATTERN, MODELS, ActionItem, Postmortem, Runbook, _Document, slugify_id
from pmkb.suggest import closest

INVALID_FIELD = Rule(
    "PMKB003",
    "invalid-field",
    "error",
    when="a required field missing, a wrong type or value, a timestamp without timezone, "
    "a ticket URL that is not http(s)",
    why="an invalid document is left out of every page, list and figure until it is fixed",
    example="`started_at: 2024-03-05 14:02` (no timezone: which 14:02?)",
)
UNKNOWN_FIELD = Rule(
    "PMKB014",
    "unknown-field",
    "warning",
    when="a front matter key the schema does not know (suggests the closest)",
    why="a misspelt key is silently ignored, so the value it holds never shows",
    example="`serverity: SEV-1` (did you mean `severity`?)",
)
RULES = (INVALID_FIELD, UNKNOWN_FIELD)

ACTION_ITEM_KEYS = tuple(ActionItem.model_fields)
FIELD_NAMES = frozenset(name for model in (Postmortem, Runbook, ActionItem) for name in model.model_fields)


@dataclass
class Entry:
    """A file of the knowledge base: its source, the id it owns, its document when valid."""

    source: Source
    id: str
    document: _Document | None
    findings: list[Finding] = field(default_factory=list)
    # Each field that is valid on its own, typed, even when another field is not: the
    # rules read these, never the raw front matter.
    values: dict[str, Any] = field(default_factory=dict)
    # (position in the file's list, item) for each valid action item.
    items: list[tuple[int, ActionItem]] = field(default_factory=list)
    # The findings of the rules that read this file alone (pmkb.rules.PER_FILE), once run.
    file_findings: list[Finding] | None = None
    # What the cached record held when the entry came from the cache: (had file findings,
    # number of derived values); None when the file was parsed in this run.
    restored: tuple[bool, int] | None = None
    # Restored from its cached summary alone (a file outside a check's scope).
    summarised: bool = False

    @property
    def kind(self) -> Kind:
        return self.source.kind

    @property
    def path(self) -> str:
        return self.source.relpath


def _folders(config: KBConfig) -> tuple[tuple[Kind, Path], ...]:
    return (("postmortem", config.postmortems_path), ("runbook", config.runbooks_path))


class DocumentFile(NamedTuple):
    """A document file found under the configured folders."""

    kind: Kind
    path: Path
    relpath: str  # relative to the folder of mkdocs.yml
    stat_key: StatKey | None = None  # when looked at already (`loader.file_stat_key`)


def document_files(config: KBConfig) -> list[DocumentFile]:
    """Every document file under the configured folders, in the order they are loaded."""
    files: list[DocumentFile] = []
    # Paths relative to mkdocs.yml, worked out once per folder rather than once per file.
    folders: dict[Path, str] = {}
    for kind, folder in _folders(config):
        for path in discover(folder):
            parent = folders.get(path.parent)
            if parent is None:
                parent = folders[path.parent] = relative_path(path.parent, config.root)
            files.append(DocumentFile(kind, path, path.name if parent == "." else f"{parent}/{path.name}"))
    return files


def load_entries(
    config: KBConfig,
    cache: DocumentCache | None = None,
    scope: Callable[[str], bool] | None = None,
    files: list[DocumentFile] | None = None,
) -> list[Entry]:
    """Every document under the configured folders (or of `files`, found already), read
    and validated (or, for a file whose content the cache knows, restored from its record).

    With a scope, a cached file outside it is only summed up (its id and the line of
    its `id:`), which is all that the rules need of files they do not look into.
    """
    entries = []
    for kind, path, relpath, stat_key in document_files(config) if files is None else files:
        out_of_scope = scope is not None and not scope(relpath)
        if out_of_scope and cache is not None:
            entry = _unchanged_entry(cache, path, relpath, kind, stat_key)
            if entry is not None:
                entries.append(entry)
                continue
        source = read_source(path, config.root, kind, config.max_file_bytes, relpath)
        entry = None
        if cache is not None and source.digest is not None:
            stored = cache.get(f"{kind}:{source.relpath}", source.digest)
            if stored is not None:
                summary, pickled = stored
                if out_of_scope:
                    entry = summarised_entry(source, summary)
                else:
                    record = cache.restore(pickled)
                    entry = restored_entry(source, record, config) if record is not None else None
        if entry is None:
            if source.digest is not None:
                parse_source(source)
            entry = entry_of(source, config)
        entries.append(entry)
    return entries


def _unchanged_entry(
    cache: DocumentCache, path: Path, relpath: str, kind: Kind, stat_key: StatKey | None = None
) -> Entry | None:
    """The summarised entry of a file not written since its record was cached, without
    reading it; None when it has to be read."""
    key = stat_key or file_stat_key(path)
    known = cache.unchanged(f"{kind}:{relpath}", key) if key is not None else None
    if known is None:
        return None
    source = Source(path=path, relpath=relpath, kind=kind, digest=known[0], stat_key=key)
    return summarised_entry(source, known[1])


def entry_summary(entry: Entry) -> tuple[str, int | None]:
    """What the rules need of a file they do not look into: its id and the line of its `id:`."""
    return entry.id, entry.source.lines.get(("id",))


def summarised_entry(source: Source, summary: Any) -> Entry | None:
    """An entry that carries only its summary (no front matter, no document), or None."""
    if not (isinstance(summary, tuple) and len(summary) == 2 and isinstance(summary[0], str)):
        return None
    entry_id, id_line = summary
    if isinstance(id_line, int):
        source.lines = {("id",): id_line}
    entry = Entry(source, entry_id, None)
    entry.summarised = True
    return entry


def entry_record(entry: Entry) -> tuple[Any, ...]:
    """What reading, validating and the per-file rules found in the entry's file, to be cached."""
    source = entry.source
    document_held = entry.document is not None
    return (
        source.data,
        source.lines,
        source.body_line,
        source.headings,
        source.code,
        source.findings,
        source.duplicate_keys,
        source.derived,
        entry.id,
        entry.document,
        entry.findings,
        None if document_held else entry.values,
        None if document_held else entry.items,
        entry.file_findings,
    )


def restored_entry(source: Source, record: Any, config: KBConfig) -> Entry | None:
    """The entry a cached record describes, or None when the record is not one."""
    try:
        (data, lines, body_line, headings, code, source_findings, duplicate_keys, derived) = record[:8]
        (entry_id, document, findings, values, items, file_findings) = record[8:]
    except (TypeError, ValueError):
        return None
    source.data, source.lines, source.body_line, source.headings = data, lines, body_line, headings
    source.code, source.findings, source.duplicate_keys, source.derived = code, source_findings, duplicate_keys, derived
    if document is not None:
        values, items = valid_values(source, document, findings, config)
    entry = Entry(source, entry_id, document, findings, values, items, file_findings)
    entry.restored = (file_findings is not None, len(derived))
    return entry


def record_changed(entry: Entry) -> bool:
    """Whether the entry's record differs from the one it was restored from."""
    return entry.restored != (entry.file_findings is not None, len(entry.source.derived))


def entry_of(source: Source, config: KBConfig) -> Entry:
    """A file that fails to parse still owns the id of its file name."""
    data = source.data
    raw_id = data.get("id") if data is not None else None
    entry_id = raw_id if isinstance(raw_id, str) and raw_id else source.stem
    if data is None:
        return Entry(source, entry_id, None)
    document, findings = validate(source, config)
    for key, line, first_line in source.duplicate_keys:
        findings.append(
            INVALID_FIELD.finding(
                source.relpath,
                line,
                f"duplicate key `{key}` (first given on line {first_line}); keep one: YAML would silently use the last",
            )
        )
        # Which value was meant is unknown, so the document is not published with either.
        document = None
    if document is not None:
        document = document.model_copy(update={"id": entry_id})
    values, items = valid_values(source, document, findings, config)
    return Entry(source, entry_id, document, findings, values, items)


def _adapter(model: type[_Document], name: str) -> TypeAdapter[Any]:
    info = model.model_fields[name]
    annotation: Any = info.annotation
    if info.metadata:
        # The field's constraints (lengths, bounds, validators) live in its metadata.
        annotation = Annotated[(annotation, *info.metadata)]
    return TypeAdapter(annotation)


@cache
def _field_adapters(kind: str) -> dict[str, TypeAdapter[Any]]:
    """A validator per field, built on first use: only a file with an invalid field needs them."""
    model = MODELS[kind]
    return {name: _adapter(model, name) for name in model.model_fields}


_MODEL_FIELDS: dict[type[_Document], frozenset[str]] = {
    model: frozenset(model.model_fields) for model in MODELS.values()
}


def _context(config: KBConfig) -> dict[str, Any]:
    return {"severities": config.severities, "categories": config.categories, "years": config.years}


def valid_values(
    source: Source, document: _Document | None, findings: list[Finding], config: KBConfig
) -> tuple[dict[str, Any], list[tuple[int, ActionItem]]]:
    """The typed value of every field that passed validation, and every valid action item."""
    assert source.data is not None
    if document is not None:
        fields = _MODEL_FIELDS[type(document)]
        values = {name: getattr(document, name) for name in source.data if name in fields}
        items = list(enumerate(getattr(document, "action_items", [])))
        return values, items
    context = _context(config)
    values = {}
    for name, value in source.data.items():
        adapter = _field_adapters(source.kind).get(name)
        if adapter is None or name == "action_items":
            continue
        try:
            values[name] = adapter.validate_python(value, context=context)
        except ValidationError:
            continue
        # Field validators of the model (configured severities, categories) apply too.
        if name in ("severity", "category"):
            allowed = config.severities if name == "severity" else config.categories
            if values[name] is not None and values[name] not in allowed:
                del values[name]
    items = []
    raw_items = source.data.get("action_items") if source.kind == "postmortem" else None
    if isinstance(raw_items, list):
        for index, raw in enumerate(raw_items):
            try:
                items.append((index, ActionItem.model_validate(raw, context=context)))
            except ValidationError:
                continue
    return values, items


def known_fields(kind: str) -> list[str]:
    return list(MODELS[kind].model_fields)


def validate(source: Source, config: KBConfig) -> tuple[_Document | None, list[Finding]]:
    """The typed document (None when a field is invalid) and the findings on its fields."""
    assert source.data is not None
    findings = list(_unknown_fields(source))
    context = _context(config)
    data = source.data
    document: _Document | None = None
    try:
        document = MODELS[source.kind].model_validate(data, context=context)
    except ValidationError as exc:
        findings.extend(_describe(source, exc))
    if "id" not in data and not ID_PATTERN.match(source.stem):
        findings.append(
            INVALID_FIELD.finding(
                source.relpath,
                1,
                f"the file name {source.stem!r} is not a valid id: add `id: {slugify_id(source.stem)}` "
                "to the front matter or rename the file",
            )
        )
        document = None
    # Checked on the raw data so the finding appears even when another field is invalid.
    if source.kind == "postmortem" and data.get("status", "final") != "draft" and data.get("resolved_at") is None:
        findings.append(
            INVALID_FIELD.finding(
                source.relpath,
                source.line_of(("resolved_at",)) if "resolved_at" in data else 1,
                "missing required field `resolved_at` (required unless `status: draft`)",
            )
        )
        document = None
    return document, findings


def _unknown_fields(source: Source) -> Iterator[Finding]:
    assert source.data is not None
    known = known_fields(source.kind)
    for key in source.data:
        if key not in known:
            yield UNKNOWN_FIELD.finding(
                source.relpath, source.line_of((key,)), _unknown_message("front matter field", key, known)
            )
    items = source.data.get("action_items") if source.kind == "postmortem" else None
    if isinstance(items, list):
        for index, item in enumerate(items):
            if isinstance(item, dict):
                for key in item:
                    if str(key) not in ACTION_ITEM_KEYS:
                        yield UNKNOWN_FIELD.finding(
                            source.relpath,
                            source.line_of(("action_items", index, str(key))),
                            _unknown_message(f"action item {index + 1} key", str(key), list(ACTION_ITEM_KEYS)),
                        )


def _unknown_message(what: str, key: str, known: list[str]) -> str:
    close = closest(key, known)
    hint = f"; did you mean `{close[0]}`?" if close else f"; known fields: {', '.join(known)}"
    return f"unknown {what} `{key}`{hint}"


def _describe(source: Source, exc: ValidationError) -> Iterator[Finding]:
    for error in exc.errors(include_url=False):
        location: FieldPath = tuple(part for part in error["loc"] if isinstance(part, (str, int)))
        # Keep only the parts that name data (drop pydantic's union/validator tags).
        location = tuple(part for part in location if isinstance(part, int) or part in FIELD_NAMES)
        line = source.line_of(location)
        in_item = len(location) >= 2 and location[0] == "action_items" and isinstance(location[1], int)
        if in_item and (error["type"] == "missing" or len(location) == 2):
            continue  # an item that is not a mapping, or lacks a key: PMKB009's to report
        if error["type"] == "missing" and len(location) == 1:
            yield INVALID_FIELD.finding(source.relpath, 1, f"missing required field `{location[0]}`")
            continue
        yield INVALID_FIELD.finding(source.relpath, line, f"`{_dotted(location)}`: {_explain(error)}")


def _dotted(location: FieldPath) -> str:
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _explain(error: Any) -> str:
    kind, value = error["type"], error.get("input")
    if value is None and kind in {"string_type", "list_type", "literal_error", "int_type"}:
        return "is empty; a value is required"
    if kind == "string_type":
        if isinstance(value, (list, dict)):
            return f"must be a single text value, not a {type(value).__name__}"
        return f"must be text; got {value!r} (quote it if it is meant as text)"
    if kind == "list_type":
        return f"must be a list, e.g. `[{value}]`" if isinstance(value, str) else "must be a list"
    if kind == "too_short":
        return "needs at least one entry" if isinstance(value, list) else "is empty; a value is required"
    if kind == "literal_error":
        allowed = error.get("ctx", {}).get("expected", "")
        options = [part.strip(" '") for part in allowed.replace(" or ", ", ").split(",")]
        close = closest(str(value), options)
        hint = f"; did you mean {close[0]!r}?" if close and close[0] != value else ""
        return f"must be one of {', '.join(options)}; got {value!r}{hint}"
    if kind in {"int_type", "int_parsing"}:
        return f"must be a whole number; got {value!r}"
    if kind == "greater_than_equal":
        return f"must be at least {error['ctx']['ge']}; got {value!r}"
    if kind == "less_than_equal":
        return f"must be at most {error['ctx']['le']}; got {value!r}"
    if kind == "model_type":
        return "must be a mapping of keys to values"
    return str(error["msg"])
