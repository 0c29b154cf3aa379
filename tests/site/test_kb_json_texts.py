"""kb.json written record by record under `mkdocs serve` is exactly json.dumps' document."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pmkb.site.feed import RecordTexts

_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
_RECORDS = st.lists(st.dictionaries(st.text(max_size=8), _VALUES, max_size=6), max_size=5)
_DOCUMENTS = st.dictionaries(st.sampled_from(["postmortems", "runbooks", "ünïcode"]), _RECORDS, max_size=3)


def _expected(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


@settings(max_examples=120, deadline=None)
@given(_DOCUMENTS, _DOCUMENTS)
def test_every_document_is_json_dumps_own_even_after_another(first: dict[str, Any], second: dict[str, Any]) -> None:
    texts = RecordTexts()
    assert texts.document(first) == _expected(first)
    assert texts.document(second) == _expected(second)
    assert texts.document(first) == _expected(first)


def test_values_equal_in_python_but_written_differently_are_written_afresh() -> None:
    texts = RecordTexts()
    for value in (1, 1.0, True, "1", [1], {"a": 1}):
        data = {"postmortems": [{"id": "a", "value": value}], "runbooks": []}
        assert texts.document(data) == _expected(data)


def test_other_shapes_are_written_by_json_itself() -> None:
    data = {"postmortems": [{"id": "a"}], "version": 2}
    assert RecordTexts().document(data) == _expected(data)
