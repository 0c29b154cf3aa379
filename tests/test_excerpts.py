"""Plain-text excerpts of Summary, Root Cause and Lessons Learned: in the model, in export."""

from __future__ import annotations

import json

from click.testing import CliRunner
from kb_helpers import GOOD_POSTMORTEM, GOOD_RUNBOOK, write_kb
from pmkb.cli import main
from pmkb.markdown_text import blocks, cut_at_sentence

PM = "postmortems/2024/2024-03-05-checkout.md"
PM_ID = "2024-03-05-checkout"


def with_section(section: str, body: str) -> str:
    start = GOOD_POSTMORTEM.index(f"## {section}\n")
    end = GOOD_POSTMORTEM.find("\n## ", start + 1)
    return GOOD_POSTMORTEM[:start] + f"## {section}\n\n{body}\n" + (GOOD_POSTMORTEM[end:] if end != -1 else "")


def test_markdown_is_stripped_to_plain_text():
    markdown = (
        "<!-- note to self -->\nThe **pool** was _full_ (see [the graph](https://x.example/g) and `pg_stat_activity`)"
        ' ![chart](chart.png) <span class="x">really</span>.\n\n<div>\nraw <b>html</b>\n</div>\n'
    )
    texts = [block.text for block in blocks(markdown)]
    assert texts == ["The pool was full (see the graph and pg_stat_activity) really.", "raw html"]


def test_cut_at_sentence_boundary_near_the_limit():
    sentence = "The pool filled up within a minute of the deploy. "
    text = sentence * 10
    cut = cut_at_sentence(text.strip(), 300)
    assert cut.endswith("deploy.") and 250 <= len(cut) <= 330
    long = "word " * 200
    assert cut_at_sentence(long.strip(), 300).endswith("word…")
    assert cut_at_sentence("Short. Text.", 300) == "Short. Text."


def test_excerpts_in_the_model(kb_factory):
    body = (
        "**Network call** inside a [transaction](https://x.example). It held connections.\n\n"
        "A second paragraph that is not part of the excerpt."
    )
    text = with_section("Root Cause", body)
    text = text.replace(
        "Config changes to pool sizes need a canary.",
        "- Canary *pool* changes.\n- Watch `PgBouncer` waits.\n  - nested detail",
    )
    kb = kb_factory({PM: text, "runbooks/db-pool.md": GOOD_RUNBOOK})
    excerpt = kb.kb.excerpts[PM_ID]
    assert excerpt.root_cause == "Network call inside a transaction. It held connections."
    assert excerpt.lessons == ("Canary pool changes.", "Watch PgBouncer waits.")
    assert excerpt.summary == "The checkout API returned errors for a quarter of requests."


def test_lessons_as_sentences_and_list_root_cause(kb_factory):
    text = with_section(
        "Root Cause",
        "Three things combined:\n\n1. **Pools** over-committed.\n2. Retries without backoff.\n\nLater text.",
    )
    text = text.replace("Config changes to pool sizes need a canary.", "Canaries need peak traffic. Pools are shared!")
    kb = kb_factory({PM: text, "runbooks/db-pool.md": GOOD_RUNBOOK})
    excerpt = kb.kb.excerpts[PM_ID]
    assert excerpt.root_cause == "Three things combined: Pools over-committed. Retries without backoff."
    assert excerpt.lessons == ("Canaries need peak traffic.", "Pools are shared!")


def test_placeholders_and_comments_give_empty_excerpts(kb_factory):
    text = with_section("Root Cause", "<!-- later -->\n\nTBD").replace(
        "## Summary\n\nThe checkout API", "## Summary\n\nTODO\n\nThe checkout API"
    )
    kb = kb_factory({PM: text, "runbooks/db-pool.md": GOOD_RUNBOOK})
    assert kb.kb.excerpts[PM_ID].root_cause == ""
    assert kb.kb.excerpts[PM_ID].summary.startswith("The checkout API")


def test_export_carries_excerpts_without_markup(tmp_path):
    text = with_section("Root Cause", "A <em>config</em> change lowered the **pool** limit.<!-- c -->")
    config = write_kb(tmp_path / "kb", {PM: text, "runbooks/db-pool.md": GOOD_RUNBOOK})
    result = CliRunner().invoke(main, ["export", "-f", str(config), "--today", "2026-11-23"])
    (pm,) = json.loads(result.stdout)["postmortems"]
    assert pm["root_cause"] == "A config change lowered the pool limit."
    assert pm["summary"] == "The checkout API returned errors for a quarter of requests."
    assert pm["lessons"] == ["Config changes to pool sizes need a canary."]
