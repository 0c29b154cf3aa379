"""The rewording hints each blame rule gives."""

from __future__ import annotations

HINT_HUMAN_ERROR = (
    "name the condition that made the action possible: "
    '"the CLI accepted a production target without a confirmation prompt"'
)
HINT_FORGOT = (
    "describe the missing safeguard rather than the lapse: "
    '"nothing in the release checklist or the pipeline required the migration step"'
)
HINT_FAILED = (
    'describe what the system allowed or what information was missing: "the runbook did not include the rollback step"'
)
HINT_JUDGEMENT = (
    "drop the judgement of the person and describe the conditions: "
    '"the command ran against production without a confirmation prompt"'
)
HINT_HINDSIGHT = (
    "replace hindsight with what was visible at the time: "
    '"the dashboard did not show replica lag, so the growing backlog was not visible"'
)
HINT_ALERT = (
    'describe why the alert did not lead to action: "the alert fired alongside 40 others and linked to no runbook"'
)
HINT_FAULT = (
    "describe the contributing conditions instead of assigning fault: "
    '"the config change reached production without validation"'
)
HINT_BROKE = 'describe what the change did and what let it through: "the deploy went out without the migration check"'
HINT_GUARDRAIL = 'describe the missing guardrail: "the deploy went out without the migration check"'
EXTRA_HINT = "describe what the system allowed or what information was missing, not who did it"

DEFAULT_HINTS: tuple[str, ...] = (
    HINT_HUMAN_ERROR,
    HINT_FORGOT,
    HINT_FAILED,
    HINT_JUDGEMENT,
    HINT_HINDSIGHT,
    HINT_ALERT,
    HINT_FAULT,
    HINT_BROKE,
    HINT_GUARDRAIL,
)
