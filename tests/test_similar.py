"""Similar incidents come from the index, with the score and what the two share."""

from __future__ import annotations

from kb_helpers import load_kb, postmortem
from pmkb.similarity import SimilarIncident


def _incident(day: int, services: str, tags: str = "[]", category: str = "deploy", related: str = "[]") -> str:
    return postmortem(
        f"""
        title: Incident on day {day}
        severity: SEV-3
        started_at: 2024-03-{day:02d}T10:00:00Z
        resolved_at: 2024-03-{day:02d}T11:00:00Z
        services: {services}
        tags: {tags}
        category: {category}
        related: {related}
        """
    )


def test_similar_incidents_carry_their_score_and_shared_features(tmp_path):
    kb = load_kb(
        tmp_path,
        {
            "postmortems/base.md": _incident(1, "[checkout-api, payments]", "[database, timeout]"),
            "postmortems/close.md": _incident(2, "[payments, checkout-api]", "[database]"),
            "postmortems/tag-only.md": _incident(3, "[search]", "[timeout]", category="capacity"),
            "postmortems/unrelated.md": _incident(4, "[search]", category="capacity"),
            "postmortems/linked.md": _incident(5, "[checkout-api]", related="[base]"),
        },
    ).kb
    found = kb.similar("base")
    assert [item.id for item in found] == ["close", "tag-only"]  # linked is related already
    close, tag_only = found
    assert isinstance(close, SimilarIncident)
    # Heaviest first: the rare shared services and tag lead; the category and words follow.
    assert set(close.shared[:3]) == {"payments", "checkout-api", "#database"} and "deploy" in close.shared
    assert tag_only.shared[0] == "#timeout"
    assert close.score > tag_only.score > 0
    assert kb.similar("base", limit=1) == [close]
    assert kb.export_postmortem("base")["similar"] == ["close", "tag-only"]
