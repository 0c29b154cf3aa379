"""Incident data, whatever tool it came from: the generic format and its JSON Schema.

Every source format (PagerDuty, Alertmanager, ...) is read into `Incident`, and a
file in the generic format *is* an `Incident` as JSON, so `pmkb schema incident`
documents exactly what `pmkb new postmortem --from` accepts.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from pmkb.model import Text, Timestamp

LIFECYCLE = ("started_at", "detected_at", "mitigated_at", "resolved_at")


class IncidentError(Exception):
    """Incident data pmkb cannot use; each problem names the file and the JSON path."""

    def __init__(self, file: Path | str, problems: list[tuple[str, str]]) -> None:
        self.file = str(file)
        self.problems = problems  # (JSON path or "", message)
        super().__init__(
            "\n".join(
                f"{self.file}: {path}: {message}" if path else f"{self.file}: {message}" for path, message in problems
            )
        )

    @classmethod
    def one(cls, file: Path | str, message: str, path: str = "") -> IncidentError:
        return cls(file, [(path, message)])


def json_path(base: str, *keys: str | int) -> str:
    """`$.incident.service.summary`, `$.events[3].time`: where a value sits in the input."""
    path = base or "$"
    for key in keys:
        path += f"[{key}]" if isinstance(key, int) else f".{key}"
    return path


class IncidentEvent(BaseModel):
    """One row of the timeline: when it happened and what happened."""

    model_config = ConfigDict(extra="forbid")

    time: Timestamp = Field(description="When it happened: ISO 8601 with Z or an offset.")
    text: Text = Field(description="What was seen, decided or done.")


class Incident(BaseModel):
    """What pmkb needs to draft a postmortem. Only `title` and a start are required:
    `started_at`, or else the earliest event's time."""

    model_config = ConfigDict(extra="forbid", title="pmkb incident data")

    title: Text = Field(description="The postmortem's title.")
    severity: Annotated[str, Field(min_length=1)] | None = Field(
        default=None, description="One of the configured severities; default the least severe."
    )
    services: list[Text] = Field(default_factory=list, description="Services the incident touched.")
    tags: list[Text] = Field(default_factory=list)
    impact: Text | None = Field(default=None, description="One line: who or what was affected, with numbers.")
    summary: Text | None = Field(default=None, description="What happened, in a few sentences.")
    url: Text | None = Field(default=None, description="The incident in the tool that recorded it.")
    started_at: Timestamp | None = Field(default=None, description="When impact began (default: the first event).")
    detected_at: Timestamp | None = None
    mitigated_at: Timestamp | None = None
    resolved_at: Timestamp | None = None
    events: list[IncidentEvent] = Field(default_factory=list, description="The timeline, in any order.")

    @model_validator(mode="after")
    def _lifecycle_in_order(self) -> Incident:
        if self.started_at is None:
            if not self.events:
                raise PydanticCustomError(
                    "no_start", "give started_at, or at least one event to take the start from", {}
                )
            self.started_at = min(event.time for event in self.events)
        # The draft must pass `pmkb check`, which rejects these orders (PMKB007).
        for name in ("detected_at", "mitigated_at", "resolved_at"):
            moment = getattr(self, name)
            if moment is not None and moment < self.started_at:
                raise PydanticCustomError(
                    "lifecycle_order",
                    "{name} ({moment}) is before started_at ({start})",
                    {"name": name, "moment": moment.isoformat(), "start": self.started_at.isoformat()},
                )
        if self.mitigated_at and self.resolved_at and self.resolved_at < self.mitigated_at:
            raise PydanticCustomError(
                "lifecycle_order",
                "resolved_at ({resolved}) is before mitigated_at ({mitigated})",
                {"resolved": self.resolved_at.isoformat(), "mitigated": self.mitigated_at.isoformat()},
            )
        return self

    @property
    def start(self) -> datetime:
        assert self.started_at is not None  # set by the validator
        return self.started_at

    def timeline(self) -> list[IncidentEvent]:
        """Events by time; equal times keep the order of the input."""
        return sorted(self.events, key=lambda event: event.time)


def incident_schema() -> dict[str, Any]:
    schema = Incident.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://pmkb.dev/schema/incident.json",
        **schema,
    }
