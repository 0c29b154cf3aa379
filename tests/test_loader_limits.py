"""The loader reads only regular files, within a size, with bounded YAML, and reports duplicates."""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

import pytest
from kb_helpers import (
    GOOD_POSTMORTEM,
    GOOD_RUNBOOK,
    MKDOCS_YML,
    load_kb,
    only,
    postmortem,
)
from pmkb.loader import MAX_FRONT_MATTER_VALUES, load_source

PM = "postmortems/2024-03-05-checkout.md"
RB = "runbooks/db-pool.md"

ALIAS_BOMB = """
title: Alias bomb
severity: SEV-3
started_at: 2024-03-05T14:00:00Z
resolved_at: 2024-03-05T15:00:00Z
services: [checkout-api]
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
status: *g
"""


def _load(tmp_path: Path, name: str, content: str | bytes | None = None):
    return load_kb(tmp_path / "kb", {RB: GOOD_RUNBOOK, **({name: content} if content is not None else {})})


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_fifo_is_a_finding_and_is_never_opened(tmp_path: Path):
    root = tmp_path / "kb"
    root.joinpath("postmortems").mkdir(parents=True)
    os.mkfifo(root / "postmortems" / "x.md")
    started = time.monotonic()
    checked = _load(tmp_path, PM, GOOD_POSTMORTEM)
    assert time.monotonic() - started < 10
    found = [f for f in only(checked.findings, "PMKB001") if f.path == "postmortems/x.md"]
    assert len(found) == 1 and "named pipe" in found[0].message
    # The file still owns the id of its name, like any unreadable file.
    assert "x" in checked.kb.postmortem_ids


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_symlink_to_a_device_is_a_finding(tmp_path: Path):
    root = tmp_path / "kb"
    root.joinpath("postmortems").mkdir(parents=True)
    (root / "postmortems" / "zero.md").symlink_to("/dev/zero")
    checked = _load(tmp_path, PM, GOOD_POSTMORTEM)
    found = [f for f in only(checked.findings, "PMKB001") if f.path == "postmortems/zero.md"]
    assert len(found) == 1
    assert "character device" in found[0].message and "symbolic link" in found[0].message


def test_socket_is_a_finding(tmp_path: Path):
    root = tmp_path / "kb"
    root.joinpath("postmortems").mkdir(parents=True)
    path = root / "postmortems" / "s.md"
    if len(str(path)) > 100:
        pytest.skip("socket paths are limited to about 100 characters")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.bind(str(path))
        checked = _load(tmp_path, PM, GOOD_POSTMORTEM)
    finally:
        server.close()
    found = [f for f in only(checked.findings, "PMKB001") if f.path == "postmortems/s.md"]
    assert len(found) == 1 and "socket" in found[0].message


def test_symlink_to_a_regular_file_is_read(tmp_path: Path):
    root = tmp_path / "kb"
    root.joinpath("postmortems").mkdir(parents=True)
    (tmp_path / "elsewhere.md").write_text(GOOD_POSTMORTEM)
    (root / "postmortems" / "linked.md").symlink_to(tmp_path / "elsewhere.md")
    checked = _load(tmp_path, RB, GOOD_RUNBOOK)
    assert "linked" in checked.kb.postmortems


def test_file_over_the_size_limit_is_a_finding(tmp_path: Path):
    big = GOOD_POSTMORTEM + "\nfiller line\n" * 200_000
    checked = _load(tmp_path, PM, big)
    found = only(checked.findings, "PMKB001")
    assert len(found) == 1 and "max_file_bytes" in found[0].message and found[0].path == PM


def test_size_limit_is_configurable(tmp_path: Path):
    yml = MKDOCS_YML.replace("  - pmkb\n", "  - pmkb:\n      max_file_bytes: 1024\n")
    padded = GOOD_POSTMORTEM + "\nMore detail. " * 200
    checked = load_kb(tmp_path / "kb", {PM: padded, RB: GOOD_RUNBOOK}, yml)
    assert [f.path for f in only(checked.findings, "PMKB001")] == [PM]
    assert "1,024" in only(checked.findings, "PMKB001")[0].message


def test_load_source_reads_at_most_the_limit(tmp_path: Path):
    path = tmp_path / "x.md"
    path.write_text(GOOD_POSTMORTEM)
    source = load_source(path, tmp_path, "postmortem", max_bytes=len(GOOD_POSTMORTEM.encode()) - 1)
    assert source.data is None and source.findings[0].code == "PMKB001"
    assert load_source(path, tmp_path, "postmortem", max_bytes=len(GOOD_POSTMORTEM.encode())).data is not None


def test_alias_bomb_is_a_front_matter_finding(tmp_path: Path):
    started = time.monotonic()
    checked = _load(tmp_path, PM, postmortem(ALIAS_BOMB))
    assert time.monotonic() - started < 10
    found = only(checked.findings, "PMKB002")
    assert len(found) == 1 and f"{MAX_FRONT_MATTER_VALUES:,}" in found[0].message


def test_alias_bomb_as_an_action_item(tmp_path: Path):
    text = ALIAS_BOMB.replace("status: *g", "action_items:\n  - *g\n  - title: x")
    checked = _load(tmp_path, PM, postmortem(text))
    assert len(only(checked.findings, "PMKB002")) == 1


def test_self_referencing_alias_is_a_finding(tmp_path: Path):
    text = GOOD_POSTMORTEM.replace("tags: [database]", "tags: &loop [database, *loop]")
    checked = _load(tmp_path, PM, text)
    found = only(checked.findings, "PMKB002")
    assert len(found) == 1 and "refers to itself" in found[0].message


def test_modest_aliases_still_work(tmp_path: Path):
    text = GOOD_POSTMORTEM.replace("services: [checkout-api]", "services: &svc [checkout-api]\ntags: *svc").replace(
        "tags: [database]\n", ""
    )
    checked = _load(tmp_path, PM, text)
    assert not only(checked.findings, "PMKB002")
    assert checked.kb.postmortems["2024-03-05-checkout"].tags == ["checkout-api"]


def test_duplicate_key_is_a_finding_at_the_second_key(tmp_path: Path):
    text = GOOD_POSTMORTEM.replace("severity: SEV-2\n", "severity: SEV-1\nseverity: SEV-3\n")
    checked = _load(tmp_path, PM, text)
    found = [f for f in only(checked.findings, "PMKB003") if "duplicate" in f.message]
    lines = text.split("\n")
    assert len(found) == 1
    assert found[0].line == lines.index("severity: SEV-3") + 1
    assert f"first given on line {lines.index('severity: SEV-1') + 1}" in found[0].message


def test_duplicate_key_inside_an_action_item(tmp_path: Path):
    text = GOOD_POSTMORTEM.replace("    owner: team-checkout\n", "    owner: team-checkout\n    owner: team-db\n")
    checked = _load(tmp_path, PM, text)
    found = [f for f in only(checked.findings, "PMKB003") if "duplicate key `owner`" in f.message]
    assert len(found) == 1
    assert found[0].line == text.split("\n").index("    owner: team-db") + 1


def test_merge_keys_are_not_duplicates(tmp_path: Path):
    text = GOOD_POSTMORTEM.replace(
        "action_items:\n",
        "x-defaults: &defaults {owner: team-checkout, priority: P1}\naction_items:\n  - <<: *defaults\n    title: Extra\n    due: 2027-01-10\n",
    )
    checked = _load(tmp_path, PM, text)
    assert not [f for f in checked.findings if "duplicate" in f.message]
