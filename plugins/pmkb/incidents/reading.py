"""Reading JSON from incident tools, with every complaint naming the file and the JSON path."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import PydanticCustomError

from pmkb.incidents.model import Incident, IncidentError, json_path
from pmkb.model import parse_timestamp


def load_json(file: Path) -> Any:
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise IncidentError.one(file, f"cannot read the file: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise IncidentError.one(file, f"line {line}: not UTF-8 text (byte {exc.start})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise IncidentError.one(file, f"line {exc.lineno} column {exc.colno}: not JSON: {exc.msg}") from None


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}.get(type(value), "a number")


class Reader:
    """Typed access to parsed JSON; a wrong shape raises IncidentError at its JSON path."""

    def __init__(self, file: Path) -> None:
        self.file = file

    def fail(self, path: str, message: str) -> IncidentError:
        return IncidentError.one(self.file, message, path)

    def mapping(self, value: Any, path: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(path, f"expected an object, found {_type_name(value)}")
        return value

    def array(self, value: Any, path: str) -> list[Any]:
        if not isinstance(value, list):
            raise self.fail(path, f"expected an array, found {_type_name(value)}")
        return value

    def text(self, parent: dict[str, Any], key: str, path: str, required: bool = False) -> str | None:
        value = parent.get(key)
        where = json_path(path, key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise self.fail(where, "missing; it is required" if value is None else "empty; it is required")
            return None
        if not isinstance(value, str):
            raise self.fail(where, f"expected a string, found {_type_name(value)}")
        return value.strip()

    def time(self, parent: dict[str, Any], key: str, path: str, required: bool = False) -> datetime | None:
        raw = self.text(parent, key, path, required)
        if raw is None:
            return None
        try:
            return parse_timestamp(raw)
        except PydanticCustomError as exc:
            raise self.fail(json_path(path, key), exc.message()) from None


def build_incident(file: Path, data: dict[str, Any], root: str = "$") -> Incident:
    """An Incident from generic-format data; pydantic's locations become JSON paths."""
    try:
        return Incident.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False):
            location = [part for part in error["loc"] if isinstance(part, (str, int))]
            message = error["msg"]
            if error["type"] == "missing":
                message = "missing; it is required"
            elif error["type"] == "extra_forbidden":
                message = "unknown field (see `pmkb schema incident`)"
            problems.append((json_path(root, *location), message))
        raise IncidentError(file, problems) from None


def severity_at(severities: Sequence[str], rank: int) -> str:
    """The configured severity at `rank` (0 = most severe); deeper ranks get the least severe."""
    return severities[min(max(rank, 0), len(severities) - 1)]
