"""A deterministic synthetic knowledge base for benchmarks: N postmortems, N/10 runbooks.

Each postmortem has 60-120 body lines (every required and recommended section, a UTC
timeline table, lists), `related` links, one to four action items and a runbook; the
same seed always writes the same bytes. The plain site holds the same Markdown files as
ordinary pages in `docs/`, kept out of the navigation, built by MkDocs + Material with
only the search plugin: the baseline every pmkb figure is divided by.

    python benchmarks/generate.py 1000 /tmp/kb   # writes /tmp/kb/plain and /tmp/kb/pmkb
"""

from __future__ import annotations

import argparse
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

SERVICES = [
    "checkout-api",
    "payments",
    "search",
    "inventory",
    "auth",
    "notifications",
    "web-frontend",
    "order-db",
    "catalog",
    "pricing",
    "recommendations",
    "delivery-slots",
    "warehouse-sync",
    "edge-proxy",
]
TAGS = [
    "database",
    "latency",
    "deploy",
    "cache",
    "dns",
    "tls",
    "queue",
    "kubernetes",
    "feature-flag",
    "capacity",
    "connection-pool",
    "memory",
    "retries",
    "cdn",
    "cron",
    "migration",
]
CATEGORIES = ["deploy", "config-change", "capacity", "dependency", "database", "network", "infrastructure"]
SEVERITIES = ["SEV-1", "SEV-2", "SEV-3"]
OWNERS = ["team-platform", "team-checkout", "team-database", "team-search", "team-payments", "team-sre"]
CAUSES = [
    "The {svc} connection pool reached its limit while a batch job held long transactions open.",
    "A configuration change lowered the {svc} request timeout below the p99 latency of its database.",
    "A deploy of {svc} shipped a migration that took a table lock during peak traffic.",
    "The certificate of the {svc} upstream expired because the renewal job had been failing silently.",
    "A cache stampede on {svc} followed the eviction of a hot key after a memory limit change.",
    "DNS resolution for {svc} failed when the resolver pool was drained for maintenance.",
    "Retries without jitter from {svc} amplified a short dependency outage into a sustained overload.",
    "The autoscaler for {svc} scaled on CPU while the bottleneck was open file descriptors.",
]
SENTENCES = [
    "Requests queued behind the pool and timed out at the load balancer after thirty seconds.",
    "The alert fired on the error-rate burn of the checkout SLO, eleven minutes after the first errors.",
    "Rolling back the change restored the error rate to its baseline within four minutes.",
    "The dashboard showed saturation, but no alert was configured on that signal.",
    "Customers saw an error page and most retried successfully a few minutes later.",
    "The runbook's mitigation steps worked as written once the right dashboard was found.",
    "Traffic shifted to the secondary region, which had enough headroom to absorb it.",
    "A load test before the change would have shown the lower limit within minutes.",
]
RECOMMENDED = ["Contributing Factors", "What Went Well", "What Went Poorly", "Detection", "Resolution"]
RUNBOOK_SECTIONS = ["Symptoms", "Diagnosis", "Mitigation", "Escalation"]
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def postmortem_id(index: int) -> str:
    return f"incident-{index:05d}"


def runbook_id(index: int) -> str:
    return f"runbook-{index:04d}"


def _paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(rng.choice(SENTENCES) for _ in range(sentences))


def postmortem(index: int, size: int, runbooks: int, rng: random.Random) -> str:
    start = datetime(2023, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(0, 3 * 365 * 24 * 60))
    detected = start + timedelta(minutes=rng.randint(1, 30))
    mitigated = detected + timedelta(minutes=rng.randint(5, 90))
    resolved = mitigated + timedelta(minutes=rng.randint(10, 480))
    services = rng.sample(SERVICES, rng.randint(1, 3))
    severity = rng.choice(SEVERITIES)
    related = sorted({postmortem_id(rng.randrange(size)) for _ in range(rng.randint(0, 2))} - {postmortem_id(index)})
    front = [
        f'title: "Incident {index} on {services[0]}: {rng.choice(TAGS)} trouble"',
        f"severity: {severity}",
        f"started_at: {start.strftime(TIME_FORMAT)}",
        f"detected_at: {detected.strftime(TIME_FORMAT)}",
        f"mitigated_at: {mitigated.strftime(TIME_FORMAT)}",
        f"resolved_at: {resolved.strftime(TIME_FORMAT)}",
        f"services: [{', '.join(services)}]",
        f"tags: [{', '.join(rng.sample(TAGS, 2))}]",
        f"category: {rng.choice(CATEGORIES)}",
        f"impact: {rng.randint(1, 40)}% of requests to {services[0]} failed for {rng.randint(5, 90)} minutes",
        f"authors: [Author {rng.randrange(50)}]",
        f"runbooks: [{runbook_id(rng.randrange(runbooks))}]",
    ]
    if related:
        front.append(f"related: [{', '.join(related)}]")
    front.append("action_items:")
    for item in range(rng.randint(1, 4)):
        due = start.date() + timedelta(days=rng.randint(14, 120))
        front += [
            f'  - title: "Follow-up {item + 1} for incident {index}: alert on pool saturation"',
            f"    owner: {rng.choice(OWNERS)}",
            f"    priority: P{rng.randint(0, 2)}",
            f"    due: {due.isoformat()}",
            f"    status: {rng.choice(['open', 'in-progress', 'done', 'done'])}",
            f"    ticket: https://tracker.example.com/browse/OPS-{index * 10 + item}",
        ]
    cause = rng.choice(CAUSES).format(svc=services[0])
    timeline = ["| Time (UTC) | Event |", "|---|---|"]
    moment = start
    for _ in range(rng.randint(6, 16)):
        timeline.append(f"| {moment.strftime('%H:%M')} | {rng.choice(SENTENCES)} |")
        moment += timedelta(minutes=rng.randint(1, 20))
    body = [
        "## Summary",
        "",
        f"{cause} {_paragraph(rng, 2)}",
        "",
        "## Impact",
        "",
        _paragraph(rng, 2),
        "",
        "## Timeline",
        "",
        *timeline,
        "",
        "## Root Cause",
        "",
        f"{cause} {_paragraph(rng, 3)}",
        "",
        _paragraph(rng, 2),
        "",
    ]
    for name in RECOMMENDED:
        body += [f"## {name}", ""]
        body += [f"- {rng.choice(SENTENCES)}" for _ in range(rng.randint(2, 6))]
        body += ["", _paragraph(rng, rng.randint(1, 3)), ""]
    body += ["## Lessons Learned", ""]
    body += [f"- {rng.choice(SENTENCES)}" for _ in range(rng.randint(2, 5))]
    return "---\n" + "\n".join(front) + "\n---\n\n" + "\n".join(body) + "\n"


def runbook(index: int, rng: random.Random) -> str:
    front = [
        f'title: "Runbook {index}: {rng.choice(SERVICES)} {rng.choice(TAGS)}"',
        f"services: [{rng.choice(SERVICES)}]",
        f"owner: {rng.choice(OWNERS)}",
        "last_reviewed: 2030-01-01",
        f"alerts: [Alert{index}Firing]",
        f"tags: [{rng.choice(TAGS)}]",
    ]
    body: list[str] = []
    for name in RUNBOOK_SECTIONS:
        body += [f"## {name}", "", _paragraph(rng, 2), ""]
        body += [f"{step}. {rng.choice(SENTENCES)}" for step in range(1, rng.randint(3, 6))]
        body.append("")
    return "---\n" + "\n".join(front) + "\n---\n\n" + "\n".join(body)


def write_sites(root: Path, size: int) -> tuple[Path, Path]:
    """Write the plain and the pmkb site under root; return their mkdocs.yml paths."""
    rng = random.Random(size)
    runbooks = max(1, size // 10)
    plain, pmkb = root / "plain", root / "pmkb"
    for site in (plain, pmkb):
        (site / "docs").mkdir(parents=True, exist_ok=True)
    (plain / "docs" / "index.md").write_text("# Postmortems\n")
    theme = "theme:\n  name: material\n"
    (plain / "mkdocs.yml").write_text(
        f"site_name: Plain\n{theme}plugins:\n  - search\nnav:\n  - index.md\n"
        "not_in_nav: |\n  /postmortems/\n  /runbooks/\n"
    )
    (pmkb / "mkdocs.yml").write_text(f"site_name: pmkb\n{theme}plugins:\n  - search\n  - pmkb\n")
    (pmkb / "docs" / ".gitkeep").write_text("")
    for target in (
        plain / "docs" / "postmortems",
        pmkb / "postmortems",
        plain / "docs" / "runbooks",
        pmkb / "runbooks",
    ):
        target.mkdir(parents=True, exist_ok=True)
    for index in range(size):
        text = postmortem(index, size, runbooks, rng)
        for target in (plain / "docs" / "postmortems", pmkb / "postmortems"):
            (target / f"{postmortem_id(index)}.md").write_text(text)
    for index in range(runbooks):
        text = runbook(index, rng)
        for target in (plain / "docs" / "runbooks", pmkb / "runbooks"):
            (target / f"{runbook_id(index)}.md").write_text(text)
    return plain / "mkdocs.yml", pmkb / "mkdocs.yml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("size", type=int)
    parser.add_argument("root", type=Path)
    args = parser.parse_args()
    plain, pmkb = write_sites(args.root, args.size)
    print(plain)
    print(pmkb)


if __name__ == "__main__":
    main()
