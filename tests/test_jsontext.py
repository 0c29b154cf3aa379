"""indented_json writes exactly what json.dumps(value, ensure_ascii=False, indent=2) writes."""

from __future__ import annotations

import json
from datetime import date
from enum import IntEnum
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup
from pmkb.jsontext import indented_json

_SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text()
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.lists(inner, max_size=3).map(tuple)
        | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


@settings(max_examples=300, deadline=None)
@given(_VALUES)
def test_any_json_value_is_written_as_json_dumps_writes_it(value: Any) -> None:
    assert indented_json(value) == _json(value)


class Level(IntEnum):
    LOW = 1


@pytest.mark.parametrize(
    "value",
    [
        {"nan": float("nan"), "inf": float("inf"), "-inf": float("-inf"), "zero": -0.0},
        {"markup": Markup("<b>&</b>"), "level": Level.LOW, "controls": "\x00\u2028\U0001f525"},
        {"keys": {1: "int", 2.5: "float", False: "bool", None: "none"}},  # json converts the keys
        [[], {}, [[]], [{}]],
    ],
)
def test_values_json_treats_specially(value: Any) -> None:
    assert indented_json(value) == _json(value)


def test_values_json_rejects_raise_json_errors() -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        indented_json({"when": date(2026, 1, 1)})
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(ValueError, match="Circular reference"):
        indented_json(loop)
