"""When the benchmark (and the serve tests) take similar incidents as settled
(`bench_record.similar_settled`), read off a `mkdocs serve` log."""

from __future__ import annotations

from pathlib import Path

import pytest
from kb_helpers import benchmark_record

WORKED_OUT = "INFO    -  pmkb: similar incidents worked out"
EDIT_BUILD = "INFO    -  Detected file changes\nINFO    -  Documentation built in 0.80 seconds\n"
RELOAD = "INFO    -  [10:00:01] Reloading browsers\n"


@pytest.mark.parametrize(
    ("log", "settled"),
    [
        (EDIT_BUILD + RELOAD, False),  # nothing worked out yet
        (EDIT_BUILD + RELOAD + f"{WORKED_OUT}: the preview shows them already\n", True),
        (EDIT_BUILD + RELOAD + f"{WORKED_OUT}: 3 postmortems' lists changed; rebuilding\n", False),
        (
            EDIT_BUILD + RELOAD + f"{WORKED_OUT}: 3 postmortems' lists changed; rebuilding\n" + EDIT_BUILD + RELOAD,
            True,
        ),
        # Worked out before the edit's own build reloaded the browsers: that reload does not count.
        (EDIT_BUILD + f"{WORKED_OUT}: 3 postmortems' lists changed; rebuilding\n" + RELOAD, False),
        (EDIT_BUILD + f"{WORKED_OUT}: 3 postmortems' lists changed; rebuilding\n" + RELOAD + EDIT_BUILD, False),
        (
            EDIT_BUILD + f"{WORKED_OUT}: 3 postmortems' lists changed; rebuilding\n" + RELOAD + EDIT_BUILD + RELOAD,
            True,
        ),
    ],
)
def test_similar_incidents_are_settled_once_the_rebuild_that_shows_them_is_done(
    tmp_path: Path, log: str, settled: bool
) -> None:
    path = tmp_path / "serve.log"
    path.write_text(log, encoding="utf-8")
    assert benchmark_record().similar_settled(path, 0) is settled
