"""Build time of a pmkb site against plain MkDocs on the same machine and content.

For each size, a synthetic knowledge base is written twice: once as plain Markdown
pages in docs/ built by MkDocs + Material with only the search plugin, once as
postmortems/ and runbooks/ built with the pmkb plugin. Reported: median wall time
of each build, their ratio, site sizes, and `pmkb check` time.

    python benchmarks/bench_build.py --sizes 100 500 1000 --repeat 3
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

SERVICES = ["checkout-api", "payments", "search", "inventory", "auth", "notifications", "web-frontend", "order-db"]
TAGS = ["database", "latency", "deploy", "cache", "dns", "tls", "queue", "kubernetes", "feature-flag", "capacity"]
CATEGORIES = ["deploy", "config-change", "capacity", "dependency", "database", "network"]
SEVERITIES = ["SEV-1", "SEV-2", "SEV-3"]
PARAGRAPH = (
    "The connection pool of the service reached its limit while a batch job held long transactions. "
    "Requests queued behind the pool and timed out at the load balancer after thirty seconds. "
)
SECTIONS = [
    "Summary",
    "Impact",
    "Timeline",
    "Root Cause",
    "Contributing Factors",
    "What Went Well",
    "What Went Poorly",
    "Detection",
    "Resolution",
    "Lessons Learned",
]
RUNBOOK_SECTIONS = ["Symptoms", "Diagnosis", "Mitigation", "Escalation"]


def postmortem(index: int, runbooks: int, rng: random.Random) -> str:
    start = datetime(2023, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(0, 3 * 365 * 24 * 60))
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    services = rng.sample(SERVICES, rng.randint(1, 3))
    front = [
        f"title: Incident {index} on {services[0]}",
        f"severity: {rng.choice(SEVERITIES)}",
        f"started_at: {start.strftime(fmt)}",
        f"detected_at: {(start + timedelta(minutes=rng.randint(1, 30))).strftime(fmt)}",
        f"mitigated_at: {(start + timedelta(minutes=rng.randint(31, 120))).strftime(fmt)}",
        f"resolved_at: {(start + timedelta(minutes=rng.randint(121, 600))).strftime(fmt)}",
        f"services: [{', '.join(services)}]",
        f"tags: [{', '.join(rng.sample(TAGS, 2))}]",
        f"category: {rng.choice(CATEGORIES)}",
        f"runbooks: [runbook-{rng.randrange(runbooks)}]",
        "action_items:",
        "  - title: Add a canary stage",
        "    owner: team-platform",
        "    priority: P1",
        "    due: 2030-01-01",
        "    status: open",
    ]
    body = "\n".join(f"## {name}\n\n{PARAGRAPH * 3}\n" for name in SECTIONS)
    return "---\n" + "\n".join(front) + "\n---\n\n" + body


def runbook(index: int, rng: random.Random) -> str:
    front = [
        f"title: Runbook {index}",
        f"services: [{rng.choice(SERVICES)}]",
        "owner: team-platform",
        "last_reviewed: 2030-01-01",
        f"alerts: [Alert{index}]",
    ]
    body = "\n".join(f"## {name}\n\n{PARAGRAPH}\n" for name in RUNBOOK_SECTIONS)
    return "---\n" + "\n".join(front) + "\n---\n\n" + body


def write_sites(root: Path, size: int) -> tuple[Path, Path]:
    rng = random.Random(size)
    runbooks = max(1, size // 10)
    plain, pmkb = root / "plain", root / "pmkb"
    for site in (plain, pmkb):
        (site / "docs").mkdir(parents=True)
    (plain / "docs" / "index.md").write_text("# Postmortems\n")
    theme = "theme:\n  name: material\n"
    (plain / "mkdocs.yml").write_text(f"site_name: Plain\n{theme}plugins:\n  - search\n")
    (pmkb / "mkdocs.yml").write_text(f"site_name: pmkb\n{theme}plugins:\n  - search\n  - pmkb\n")
    (pmkb / "docs" / ".gitkeep").write_text("")
    for index in range(size):
        text = postmortem(index, runbooks, rng)
        for target in (plain / "docs" / "postmortems", pmkb / "postmortems"):
            target.mkdir(parents=True, exist_ok=True)
            (target / f"incident-{index}.md").write_text(text)
    for index in range(runbooks):
        text = runbook(index, rng)
        for target in (plain / "docs" / "runbooks", pmkb / "runbooks"):
            target.mkdir(parents=True, exist_ok=True)
            (target / f"runbook-{index}.md").write_text(text)
    return plain / "mkdocs.yml", pmkb / "mkdocs.yml"


def timed(command: list[str], cwd: Path) -> float:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PMKB_TODAY": "2026-11-23"}
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode not in (0, 1) or (result.returncode == 1 and "mkdocs" in command[0]):
        sys.exit(f"{' '.join(command)} failed:\n{result.stderr[-2000:]}")
    return elapsed


def size_of(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 500])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    bindir = Path(sys.executable).parent
    mkdocs, pmkb = str(bindir / "mkdocs"), str(bindir / "pmkb")
    print(
        f"{'postmortems':>11} {'mkdocs s':>9} {'pmkb s':>9} {'ratio':>6} {'plain MB':>9} {'pmkb MB':>8} {'check s':>8}"
    )
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            plain_yml, pmkb_yml = write_sites(Path(tmp), size)
            plain_times, pmkb_times, check_times = [], [], []
            for _ in range(args.repeat):
                for yml, times in ((plain_yml, plain_times), (pmkb_yml, pmkb_times)):
                    shutil.rmtree(yml.parent / "site", ignore_errors=True)
                    times.append(timed([mkdocs, "build", "-q", "-f", str(yml)], yml.parent))
                check_times.append(timed([pmkb, "check", "-f", str(pmkb_yml)], pmkb_yml.parent))
            plain_s, pmkb_s = statistics.median(plain_times), statistics.median(pmkb_times)
            print(
                f"{size:>11} {plain_s:>9.2f} {pmkb_s:>9.2f} {pmkb_s / plain_s:>6.2f} "
                f"{size_of(plain_yml.parent / 'site') / 1e6:>9.1f} {size_of(pmkb_yml.parent / 'site') / 1e6:>8.1f} "
                f"{statistics.median(check_times):>8.2f}"
            )


if __name__ == "__main__":
    main()
