"""The JSON of stats, brief and actions is exactly what the report models describe."""

from __future__ import annotations

import json

import pytest
from pmkb import reports
from pmkb.report_models import ActionsReport, BriefReport, StatsReport
from test_reports import FILES


@pytest.fixture
def kb(kb_factory):
    return kb_factory(FILES).kb


def _round_trips(model: type[StatsReport | BriefReport | ActionsReport], data: dict) -> None:
    # Parsing the document with its model and dumping it again loses and adds nothing.
    assert model.model_validate(data).model_dump(mode="json") == data
    assert list(data) == list(model.model_fields)


def test_stats_is_a_stats_report(kb):
    _round_trips(StatsReport, reports.stats(kb))


def test_brief_is_a_brief_report(kb):
    _round_trips(BriefReport, reports.brief_to_json(kb, reports.brief(kb, ["checkout-api"])))


def test_actions_is_an_actions_report(kb):
    _round_trips(ActionsReport, reports.actions_to_json(kb, reports.action_rows(kb)))


@pytest.mark.parametrize("model", [StatsReport, BriefReport, ActionsReport])
def test_each_report_has_a_json_schema_that_explains_its_fields(model):
    schema = json.loads(json.dumps(model.model_json_schema()))
    assert set(schema["required"]) == set(model.model_fields)
    described = [name for name, field in model.model_fields.items() if field.description]
    assert described, "the schema replaces prose: say what the less obvious fields mean"
