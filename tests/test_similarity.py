"""Similar incidents from the words of title, Root Cause and Contributing Factors,
with services, tags and category, and what the pair shares."""

from __future__ import annotations

import json

from click.testing import CliRunner
from kb_helpers import postmortem, write_kb
from pmkb import similarity
from pmkb.cli import main
from pmkb.similarity import IncidentText, SimilarityIndex, words


def body(root_cause: str, factors: str) -> str:
    return (
        "\n## Summary\n\nSomething broke.\n\n## Impact\n\nOrders failed.\n\n## Timeline\n\n- 10:00 alert\n\n"
        f"## Root Cause\n\n{root_cause}\n\n## Contributing Factors\n\n{factors}\n\n## Lessons Learned\n\nA lesson.\n"
    )


def incident(title: str, day: str, services: str, tags: str, category: str, root_cause: str, factors: str) -> str:
    front = (
        f"title: {title}\nseverity: SEV-3\nstarted_at: {day}T10:00:00Z\nresolved_at: {day}T11:00:00Z\n"
        f"services: [{services}]\ntags: [{tags}]\ncategory: {category}"
    )
    return postmortem(front, body(root_cause, factors))


FILES = {
    # Two connection-pool exhaustions: different services, no shared tag, different categories.
    "postmortems/checkout-pool.md": incident(
        "Checkout requests timed out",
        "2024-03-12",
        "checkout-api",
        "latency, postgres",
        "deploy",
        "A network call inside a database transaction held every PgBouncer connection; the connection pool was "
        "exhausted and requests waited for a free connection until they timed out.",
        "- Pool size had not been reviewed.\n- Clients retried connection attempts immediately.",
    ),
    "postmortems/ledger-pool.md": incident(
        "Ledger writes stalled",
        "2025-06-01",
        "ledger",
        "batch, accounting",
        "capacity",
        "The nightly batch opened long transactions and exhausted the ledger connection pool; "
        "API requests waited for a pool connection and timed out.",
        "- Immediate connection retries.\n- No alert on pool waiting clients.",
    ),
    # Same services and tags as the pool incidents, about something else entirely.
    "postmortems/checkout-cert.md": incident(
        "Checkout TLS certificate expired",
        "2024-09-01",
        "checkout-api",
        "latency, tls",
        "infrastructure",
        "The renewal cron job for the edge certificate was lost in a host migration, so the certificate expired.",
        "- Expiry monitoring checked the wrong endpoint.",
    ),
    "postmortems/ledger-dns.md": incident(
        "Ledger DNS failures",
        "2025-01-10",
        "ledger",
        "batch, dns",
        "network",
        "The resolver pods were drained for maintenance and lookups of the ledger database host failed.",
        "- ndots settings multiplied queries.",
    ),
    "postmortems/search-reindex.md": incident(
        "Search results empty",
        "2023-02-14",
        "search",
        "opensearch",
        "data",
        "The index alias swapped to a half-built index after a mapping conflict rejected documents.",
        "- No document count check before the swap.",
    ),
}


def load(tmp_path):
    config = write_kb(tmp_path / "kb", FILES)
    result = CliRunner().invoke(main, ["export", "-f", str(config), "--today", "2026-11-23"])
    return {pm["id"]: pm for pm in json.loads(result.stdout)["postmortems"]}


def test_same_cause_is_paired_without_shared_service_tag_or_category(tmp_path):
    exported = load(tmp_path)
    assert exported["checkout-pool"]["similar"][0] == "ledger-pool"
    assert exported["ledger-pool"]["similar"][0] == "checkout-pool"
    shared = exported["checkout-pool"]["similar_shared"]["ledger-pool"]
    assert {"pool", "connection", "exhausted"} <= set(shared)
    # The certificate incident shares a service and a tag with checkout-pool, yet ranks lower.
    ranked = exported["checkout-pool"]["similar"]
    assert "checkout-cert" not in ranked or ranked.index("checkout-cert") > ranked.index("ledger-pool")


def test_shared_metadata_shows_as_service_and_hash_tag():
    index = SimilarityIndex(
        [
            IncidentText(
                "a", "Cache stampede on launch", "Keys expired together.", ("inventory",), ("cache",), "capacity"
            ),
            IncidentText(
                "b", "Cache stampede after deploy", "Keys expired together again.", ("inventory",), ("cache",), "deploy"
            ),
            IncidentText("c", "Certificate expired", "Renewal job lost.", ("edge",), ("tls",), "infrastructure"),
        ]
    )
    (best, *_) = index.similar("a", 5)
    assert best.id == "b" and 0 < best.score <= 1
    assert {"inventory", "#cache", "stampede", "cache", "expired"} <= set(best.shared)
    assert "b" not in [other.id for other in index.similar("a", 5, exclude=["b"])]


def test_stop_words_and_incident_boilerplate_do_not_count():
    assert words("The customers were affected because the connections were exhausted") == ["connection", "exhausted"]


def test_lookup_walks_only_capped_postings(monkeypatch):
    # Every incident shares the same words: a full comparison would touch all of them.
    monkeypatch.setattr(similarity, "POSTING_CAP", 10)
    texts = [
        IncidentText(f"pm-{n}", f"Pool exhausted {n}", "connection pool exhausted", ("svc",), (), None)
        for n in range(300)
    ]
    index = SimilarityIndex(texts)
    touched: list[int] = []
    original = similarity._cosine

    def counting(left, right):  # type: ignore[no-untyped-def]
        touched.append(1)
        return original(left, right)

    monkeypatch.setattr(similarity, "_cosine", counting)
    assert len(index.similar("pm-0", 5)) == 5
    assert len(touched) <= similarity.QUERY_TERMS * 10
