"""Sources to entries: each file's typed document, or the findings that say why it has none.

PMKB003 invalid-field, PMKB009 (missing item keys) and PMKB014 unknown-field are found
here, while the document is validated. Validation maps every pydantic error location
back to the line of the field or list item it names.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Annotated, Any, Iterator

from pydantic import TypeAdapter, ValidationError

from pmkb.config import KBConfig
from pmkb.findings import Finding, finding
from pmkb.loader import FieldPath, Kind, Source, discover, load_source
from pmkb.model import ID_PATTERN, MODELS, ActionItem, Postmortem, Runbook, _Document, slugify_id

ACTION_ITEM_KEYS = tuple(ActionItem.model_fields)
FIELD_NAMES = frozenset(name for model in (Postmortem, Runbook, ActionItem) for name in model.model_fields)
REQUIRED_ACTION_ITEM_KEYS = tuple(name for name, info in ActionItem.model_fields.items() if info.is_required())


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

    @property
    def kind(self) -> Kind:
        return self.source.kind

    @property
    def path(self) -> str:
        return self.source.relpath


def load_entries(config: KBConfig) -> list[Entry]:
    """Every document under the configured folders, read and validated."""
    return [
        entry_of(load_source(path, config.root, kind, config.max_file_bytes), config)
        for kind, folder in (("postmortem", config.postmortems_path), ("runbook", config.runbooks_path))
        for path in discover(folder)
    ]


def entry_of(source: Source, config: KBConfig) -> Entry:
    """A file that fails to parse still owns the id of its file name."""
    data = source.data
    raw_id = data.get("id") if data is not None else None
    entry_id = raw_id if isinstance(raw_id, str) and raw_id else source.stem
    if data is None:
        return Entry(source, entry_id, None)
    document, findings = validate(source, config)
    if any(item.code == "PMKB003" for item in source.findings):
        # A key given twice: which value was meant is unknown, so neither is published.
        document = None
    if document is not None:
        document = document.model_copy(update={"id": entry_id})
    values, items = valid_values(source, document, findings, config)
    return Entry(source, entry_id, document, findings, values, items)


def _adapter(model: type[_Document], name: str) -> TypeAdapter[Any]:
    info = model.model_fields[name]
    annotation = Annotated[info.annotation, *info.metadata] if info.metadata else info.annotation  # type: ignore[valid-type]
    return TypeAdapter(annotation)


_FIELD_ADAPTERS: dict[str, dict[str, TypeAdapter[Any]]] = {
    kind: {name: _adapter(model, name) for name in model.model_fields} for kind, model in MODELS.items()
}


def _context(config: KBConfig) -> dict[str, Any]:
    return {"severities": config.severities, "categories": config.categories, "years": config.years}


def valid_values(
    source: Source, document: _Document | None, findings: list[Finding], config: KBConfig
) -> tuple[dict[str, Any], list[tuple[int, ActionItem]]]:
    """The typed value of every field that passed validation, and every valid action item."""
    assert source.data is not None
    if document is not None:
        values = {name: getattr(document, name) for name in source.data if name in type(document).model_fields}
        items = list(enumerate(getattr(document, "action_items", [])))
        return values, items
    context = _context(config)
    values = {}
    for name, value in source.data.items():
        adapter = _FIELD_ADAPTERS[source.kind].get(name)
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
            finding(
                source.relpath,
                1,
                "PMKB003",
                f"the file name {source.stem!r} is not a valid id: add `id: {slugify_id(source.stem)}` "
                "to the front matter or rename the file",
            )
        )
        document = None
    # Checked on the raw data so the finding appears even when another field is invalid.
    if source.kind == "postmortem" and data.get("status", "final") != "draft" and data.get("resolved_at") is None:
        findings.append(
            finding(
                source.relpath,
                source.line_of(("resolved_at",)) if "resolved_at" in data else 1,
                "PMKB003",
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
            yield finding(source.relpath, source.line_of((key,)), "PMKB014", _unknown_message("front matter field", key, known))
    items = source.data.get("action_items") if source.kind == "postmortem" else None
    if isinstance(items, list):
        for index, item in enumerate(items):
            if isinstance(item, dict):
                for key in item:
                    if str(key) not in ACTION_ITEM_KEYS:
                        yield finding(
                            source.relpath,
                            source.line_of(("action_items", index, str(key))),
                            "PMKB014",
                            _unknown_message(f"action item {index + 1} key", str(key), list(ACTION_ITEM_KEYS)),
                        )


def _unknown_message(what: str, key: str, known: list[str]) -> str:
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
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
            yield finding(source.relpath, line, "PMKB009", _item_message(location, error))
            continue
        if error["type"] == "missing" and len(location) == 1:
            yield finding(source.relpath, 1, "PMKB003", f"missing required field `{location[0]}`")
            continue
        yield finding(source.relpath, line, "PMKB003", f"`{_dotted(location)}`: {_explain(error)}")


def _item_message(location: FieldPath, error: Any) -> str:
    number = int(location[1]) + 1
    if error["type"] == "missing":
        return (
            f"action item {number} lacks `{location[2]}`; every item needs "
            f"{', '.join(REQUIRED_ACTION_ITEM_KEYS)}"
        )
    return (
        f"action item {number} must be a mapping with {', '.join(REQUIRED_ACTION_ITEM_KEYS)} "
        f"(got {error['input']!r})"
    )


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
        close = difflib.get_close_matches(str(value), options, n=1)
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
