"""The build log carries values from files as escapes, never as new lines or escape sequences."""

from __future__ import annotations

import pytest
from hostile_kb import FILES, assert_plain


def test_build_log_stays_plain(build_kb):
    site = build_kb(FILES)
    messages = [record.getMessage() for record in site.records]
    pmkb_messages = [message for message in messages if "PMKB0" in message]
    assert any("team-db\\n::error file=mkdocs.yml,line=1::INJECTED" in message for message in pmkb_messages)
    assert any("postmortems/evil\\n::error::name.md:" in message for message in pmkb_messages)
    for message in messages:
        assert "\n" not in message or "PMKB0" not in message
        assert_plain(message)


def test_failed_build_lists_each_error_on_one_line(build_kb, build_failed):
    files = dict(FILES)
    files["postmortems/2024-03-05-hostile.md"] = files["postmortems/2024-03-05-hostile.md"].replace(
        "severity: SEV-2", 'severity: "SEV-9\\n::error file=mkdocs.yml::INJECTED"'
    )
    with pytest.raises(build_failed) as failed:
        build_kb(files)
    message = next(r.getMessage() for r in failed.value.records if "the knowledge base has" in r.getMessage())
    lines = message.split("\n")
    assert lines[0].startswith("the knowledge base has")
    assert all(line.startswith("postmortems/") and " PMKB0" in line for line in lines[1:]), lines
    assert any("SEV-9\\n::error file=mkdocs.yml::INJECTED" in line for line in lines)
    for record in failed.value.records:
        assert_plain(record.getMessage())
