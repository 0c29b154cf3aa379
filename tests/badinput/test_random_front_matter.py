"""Random front matter of every shape through the loader, validation and every command.

Whatever a writer types, pmkb answers with findings or a result: never an exception,
never an exit code outside the contract. Commands run in-process (click's CliRunner)
to keep this fast.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kb_helpers import (
    GOOD_RUNBOOK,
    RUNBOOK_SECTIONS,
    SECTIONS,
    TODAY,
    load_kb,
    write_kb,
)
from pmkb.cli import main
from pmkb.validation import ACTION_ITEM_KEYS, known_fields

_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    _TEXT,
    st.sampled_from(
        ["SEV-1", "SEV-2", "draft", "final", "open", "done", "P0", "checkout-api", "2024-02-30", "9999-12-31"]
    ),
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)),
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)),
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)).map(
        lambda moment: moment.replace(tzinfo=timezone(timedelta(hours=5)))
    ),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(_TEXT, children, max_size=4)),
    max_leaves=12,
)
_ITEM = st.dictionaries(st.sampled_from(ACTION_ITEM_KEYS) | _TEXT, _VALUES, max_size=7)


def _front_matter(kind: str) -> st.SearchStrategy[dict[str, Any]]:
    keys = st.sampled_from(known_fields(kind)) | _TEXT
    values = _VALUES if kind == "runbook" else st.one_of(_VALUES, st.lists(_ITEM, max_size=3))
    return st.dictionaries(keys, values, max_size=12)


def _document(front_matter: dict[str, Any], body: str) -> str:
    return "---\n" + yaml.safe_dump(front_matter, allow_unicode=True, sort_keys=False) + "---\n" + body


_SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@settings(_SETTINGS, max_examples=120)
@given(postmortem=_front_matter("postmortem"), runbook=_front_matter("runbook"))
def test_loader_and_validation_never_raise(tmp_path_factory, postmortem: dict[str, Any], runbook: dict[str, Any]):
    root = tmp_path_factory.mktemp("random")
    checked = load_kb(
        root / "kb",
        {
            "postmortems/random.md": _document(postmortem, SECTIONS),
            "runbooks/random.md": _document(runbook, RUNBOOK_SECTIONS),
        },
    )
    for finding in checked.findings:
        assert finding.line >= 1 and finding.code.startswith("PMKB")
    # Everything the knowledge base kept is typed and exports as JSON.
    checked.kb.export()


@settings(_SETTINGS, max_examples=20)
@given(postmortem=_front_matter("postmortem"))
def test_every_command_answers(tmp_path_factory, postmortem: dict[str, Any]):
    root = tmp_path_factory.mktemp("random-cli")
    postmortem.setdefault("services", ["checkout-api"])
    config_file = write_kb(
        root / "kb", {"postmortems/random.md": _document(postmortem, SECTIONS), "runbooks/db-pool.md": GOOD_RUNBOOK}
    )
    expected_exits = {"check": {0, 1}, "export": {0}, "stats": {0}, "brief": {0, 2}, "actions": {0}}
    arguments = {
        "check": ["check"],
        "export": ["export"],
        "stats": ["stats"],
        "brief": ["brief", "checkout-api"],
        "actions": ["actions"],
    }
    for name, command in arguments.items():
        result = CliRunner().invoke(main, [*command, "-f", str(config_file), "--today", TODAY.isoformat()])
        assert result.exception is None or isinstance(result.exception, SystemExit), (name, result.exception)
        assert result.exit_code in expected_exits[name], (name, result.output)
