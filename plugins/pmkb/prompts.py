"""The prompts a new document is scaffolded with.

`pmkb new` writes them into the file; PMKB015 hollow-section treats a section that
still says only this as unwritten. Keeping them here is what makes both agree.
"""

from __future__ import annotations

from pmkb.loader import normalise_heading

# One line per section, shown as an HTML comment in a new file.
SECTION_HINTS = {
    "summary": "Two or three sentences: what happened, to whom, for how long, and how it ended.",
    "impact": "Who and what was affected, with numbers: requests, orders, customers, money, minutes.",
    "timeline": "Times in UTC. One line per event: what was seen, what was decided, what was done.",
    "detection": "How the problem was noticed (alert, customer report, dashboard) and how long that took.",
    "root cause": "The conditions in the system that made this outcome possible; ask why until you reach a design or process.",
    "contributing factors": "What made the impact larger or the response slower.",
    "resolution": "What stopped the impact and what brought the system back to normal.",
    "what went well": "Tools, alerts and practices that helped; keep them.",
    "what went poorly": "Where tools, alerts, documentation or processes got in the way.",
    "lessons learned": "What the organisation now knows, and the action items that follow from it.",
    "symptoms": "What on-call sees: the alert, the dashboards, the user reports.",
    "diagnosis": "Commands and queries that confirm the cause, with what healthy and unhealthy output look like.",
    "mitigation": "Step-by-step actions that stop the impact, safest first, with how to verify each.",
    "escalation": "Who to page when the steps above don't work, and how to reach them.",
}
# The events of the scaffold's Timeline table, each written after a placeholder time.
TIMELINE_EVENTS = ("Impact starts:", "Detected:", "Mitigated:", "Resolved:")
_OTHER_SECTION_HINT = "What belongs under {name}."


def section_hint(name: str) -> str:
    return SECTION_HINTS.get(normalise_heading(name), _OTHER_SECTION_HINT.format(name=name))


def prompt_texts(section_names: list[str]) -> list[str]:
    """Every text the scaffold writes as a prompt, for sections with these names."""
    return [*SECTION_HINTS.values(), *TIMELINE_EVENTS, *(section_hint(name) for name in section_names)]
