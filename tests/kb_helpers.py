"""Shared helpers: small knowledge bases written into temporary folders."""

from __future__ import annotations

import importlib.util
import logging
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from types import ModuleType

from pmkb.config import load_config
from pmkb.findings import Finding
from pmkb.pipeline import CheckedKnowledgeBase, load_knowledge_base

TODAY = date(2026, 11, 23)
MKDOCS_YML = "site_name: Test KB\ntheme:\n  name: material\nplugins:\n  - search\n  - pmkb\n"

SECTIONS = """
## Summary

The checkout API returned errors for a quarter of requests.

## Impact

About 1,200 orders failed.

## Timeline

- 14:02 error rate alert fired
- 14:40 rollback finished

## Root Cause

A connection pool limit was lowered by a config change.

## Contributing Factors

The config change was not load tested.

## What Went Well

The alert fired within two minutes.

## What Went Poorly

The rollback needed a manual approval.

## Detection

Error-rate alert on the load balancer.

## Resolution

Rolled back the config change.

## Lessons Learned

Config changes to pool sizes need a canary.
"""

RUNBOOK_SECTIONS = """
## Symptoms

Connections saturate.

## Diagnosis

Check the pool metrics.

## Mitigation

Restart the pool.

## Escalation

Page the database team.
"""


def postmortem(front_matter: str, body: str = SECTIONS) -> str:
    return "---\n" + textwrap.dedent(front_matter).strip("\n") + "\n---\n" + body


def runbook(front_matter: str, body: str = RUNBOOK_SECTIONS) -> str:
    return "---\n" + textwrap.dedent(front_matter).strip("\n") + "\n---\n" + body


GOOD_POSTMORTEM = postmortem(
    """
    title: Checkout errors after pool change
    severity: SEV-2
    started_at: 2024-03-05T14:00:00Z
    detected_at: 2024-03-05T14:02:00Z
    mitigated_at: 2024-03-05T14:40:00Z
    resolved_at: 2024-03-05T16:05:00Z
    services: [checkout-api]
    tags: [database]
    category: config-change
    runbooks: [db-pool]
    action_items:
      - title: Canary pool size changes
        owner: team-checkout
        priority: P1
        due: 2027-01-10
        status: open
    """
)

GOOD_RUNBOOK = runbook(
    """
    title: Database pool saturation
    services: [checkout-api]
    owner: team-db
    last_reviewed: 2026-06-01
    alerts: [DbPoolSaturated]
    """
)


def write_kb(root: Path, files: dict[str, str | bytes], mkdocs_yml: str = MKDOCS_YML) -> Path:
    """Write mkdocs.yml, docs/ and the given files; return the mkdocs.yml path."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "mkdocs.yml").write_text(mkdocs_yml, encoding="utf-8")
    (root / "docs").mkdir(exist_ok=True)
    (root / "docs" / ".gitkeep").write_text("")
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root / "mkdocs.yml"


def load_kb(
    root: Path, files: dict[str, str | bytes], mkdocs_yml: str = MKDOCS_YML, today: date = TODAY
) -> CheckedKnowledgeBase:
    config = load_config(write_kb(root, files, mkdocs_yml))
    return load_knowledge_base(config, today)


def codes(findings: list[Finding]) -> list[tuple[str, str, int]]:
    return [(f.code, f.path, f.line) for f in findings]


def only(findings: list[Finding], code: str) -> list[Finding]:
    return [f for f in findings if f.code == code]


def benchmark_generator() -> ModuleType:
    """benchmarks/generate.py as a module: the deterministic synthetic knowledge base."""
    return _benchmark_module("generate")


def benchmark_record() -> ModuleType:
    """benchmarks/bench_record.py as a module: the benchmark of record's helpers."""
    return _benchmark_module("bench_record")


def _benchmark_module(name: str) -> ModuleType:
    path = Path(__file__).resolve().parents[1] / "benchmarks" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"pmkb_benchmark_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def edit(path: Path, old: str, new: str) -> None:
    """Replace the first `old` in a file with `new`; `old` must be there."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path.name} has no {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@contextmanager
def logged(name: str, level: int) -> Iterator[list[logging.LogRecord]]:
    """The records logger `name` (and those below it) emits at `level` or above inside the block."""
    records: list[logging.LogRecord] = []
    handler = logging.Handler(level)
    handler.emit = records.append  # type: ignore[method-assign]
    logger = logging.getLogger(name)
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(level)
    try:
        yield records
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)
