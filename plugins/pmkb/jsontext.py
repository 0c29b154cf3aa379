"""Indented JSON text, exactly as `json.dumps(value, ensure_ascii=False, indent=2)` writes it.

The standard library writes indented JSON in Python, one generator per nested value;
kb.json and `pmkb export` of thousands of postmortems spend seconds there. This writer
appends to one list and leaves strings to json's own C escaper. A value it does not
know (a dict key that is not a string, a type json converts or rejects) hands the
whole document back to `json.dumps`, so the text and the errors are always json's.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring
from typing import Any

_INDENT = "  "


class _NotPlain(Exception):
    """A value outside JSON's own types: json.dumps decides what it becomes."""


def indented_json(value: Any) -> str:
    """`value` as `json.dumps(value, ensure_ascii=False, indent=2)` writes it."""
    parts: list[str] = []
    try:
        _write(value, parts, "\n")
    except (_NotPlain, RecursionError):
        return json.dumps(value, ensure_ascii=False, indent=2)
    return "".join(parts)


def _write(value: Any, out: list[str], newline: str) -> None:
    # The order of the tests is json's: str, None, bool, int, float, then containers.
    if isinstance(value, str):
        out.append(encode_basestring(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, float):
        out.append(_float(value))
    elif isinstance(value, (list, tuple)):
        if not value:
            out.append("[]")
            return
        inner = newline + _INDENT
        out.append("[")
        for position, item in enumerate(value):
            out.append(inner if position == 0 else "," + inner)
            _write(item, out, inner)
        out.append(newline + "]")
    elif isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = newline + _INDENT
        out.append("{")
        for position, (key, item) in enumerate(value.items()):
            if not isinstance(key, str):
                raise _NotPlain
            out.append((inner if position == 0 else "," + inner) + encode_basestring(key) + ": ")
            _write(item, out, inner)
        out.append(newline + "}")
    else:
        raise _NotPlain


def _float(value: float) -> str:
    if value != value:
        return "NaN"
    if value == float("inf"):
        return "Infinity"
    if value == float("-inf"):
        return "-Infinity"
    return float.__repr__(value)
