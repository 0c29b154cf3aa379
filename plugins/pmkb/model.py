"""Typed documents: postmortems, runbooks and action items, with derived durations."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Literal, get_args

from anyascii import anyascii
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)
from pydantic_core import PydanticCustomError

from pmkb.times import is_day, parse_day

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_OFFSET_AFTER_SPACE = re.compile(r"\s+(Z|[+-]\d{2}(?::?\d{2})?)$")

# The allowed values: the schema, the CLI's choices and the reports' orders all read these.
Status = Literal["draft", "review", "final"]
IncidentType = Literal["incident", "near-miss"]
Priority = Literal["P0", "P1", "P2"]
ActionStatus = Literal["open", "in-progress", "done", "wont-do"]
STATUSES: tuple[Status, ...] = get_args(Status)
TYPES: tuple[IncidentType, ...] = get_args(IncidentType)
PRIORITIES: tuple[Priority, ...] = get_args(Priority)
ACTION_STATUSES: tuple[ActionStatus, ...] = get_args(ActionStatus)
# An item in one of these needs nothing more: it is never overdue.
CLOSED_ACTION_STATUSES: frozenset[ActionStatus] = frozenset({"done", "wont-do"})
# Years a date or timestamp may fall in unless the configuration says otherwise:
# anything outside is a typo, and would make month-by-month series unbounded.
DEFAULT_EARLIEST_YEAR, DEFAULT_LATEST_YEAR = 1970, 2100
# A review interval longer than a century is a typo; the bound keeps date arithmetic in range.
MAX_REVIEW_DAYS = 36500


def parse_timestamp(value: Any) -> datetime:
    """An aware instant in UTC from a YAML timestamp or a quoted ISO 8601 string."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        raise PydanticCustomError(
            "date_not_timestamp",
            "a date alone is not a timestamp: give a time and a timezone, e.g. {example}",
            {"example": f"{value.isoformat()}T14:30:00Z"},
        )
    elif isinstance(value, str):
        text = _OFFSET_AFTER_SPACE.sub(r"\1", value.strip())
        if is_day(text):
            raise PydanticCustomError(
                "date_not_timestamp",
                "a date alone is not a timestamp: give a time and a timezone, e.g. {example}",
                {"example": f"{text}T14:30:00Z"},
            )
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError as exc:
            reason = str(exc) if "out of range" in str(exc) or "must be in" in str(exc) else ""
            raise PydanticCustomError(
                "timestamp_format",
                "'{value}' is not a valid timestamp{reason}; write e.g. 2024-03-05T14:30:00Z",
                {"value": value, "reason": f" ({reason})" if reason else ""},
            ) from None
    else:
        raise PydanticCustomError("timestamp_type", "expected an ISO 8601 timestamp such as 2024-03-05T14:30:00Z", {})
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise PydanticCustomError(
            "timestamp_naive",
            "timestamp {value} has no timezone: add Z for UTC or an offset such as +01:00",
            {"value": parsed.isoformat()},
        )
    try:
        return parsed.astimezone(UTC)
    except (OverflowError, ValueError):
        # e.g. 0001-01-01T00:30:00+01:00: in UTC that instant is before year 1.
        raise PydanticCustomError(
            "timestamp_range", "timestamp {value} is outside the calendar once converted to UTC", {"value": str(value)}
        ) from None


def parse_date(value: Any) -> date:
    """A calendar date from a YAML date or a quoted YYYY-MM-DD string."""
    if isinstance(value, datetime):
        raise PydanticCustomError(
            "date_type",
            "expected a date YYYY-MM-DD, not a timestamp (write {example})",
            {"example": value.date().isoformat()},
        )
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return parse_day(value)
        except ValueError as exc:
            raise PydanticCustomError(
                "date_value", "'{value}' is not a calendar date ({reason})", {"value": value, "reason": str(exc)}
            ) from None
    raise PydanticCustomError(
        "date_type", "expected a date YYYY-MM-DD, e.g. 2025-01-31; got '{value}'", {"value": value}
    )


def within_years(value: date, info: ValidationInfo) -> date:
    """The configured range of years (context `years`), else the default one."""
    earliest, latest = (info.context or {}).get("years", (DEFAULT_EARLIEST_YEAR, DEFAULT_LATEST_YEAR))
    if not earliest <= value.year <= latest:
        raise PydanticCustomError(
            "year_range",
            "year {year} is outside {earliest}..{latest}; check the date (the range is the options "
            "earliest_year and latest_year)",
            {"year": value.year, "earliest": earliest, "latest": latest},
        )
    return value


def _check_http_url(value: str) -> str:
    if not re.match(r"^https?://[^\s/]+", value, re.IGNORECASE):
        raise PydanticCustomError(
            "ticket_url", "ticket must be an http:// or https:// URL; got '{value}'", {"value": value}
        )
    return value


def _check_id(value: str) -> str:
    if not ID_PATTERN.match(value):
        raise PydanticCustomError(
            "id_pattern",
            "id '{value}' must be lower-case letters, digits and hyphens, starting with a letter or digit (e.g. '{example}')",
            {"value": value, "example": slugify_id(value)},
        )
    return value


def transliterate(text: str) -> str:
    """ASCII for any text: "Ошибка" -> "Oshibka", "数据库" -> "Shu Ju Ku" (one word per ideograph)."""
    parts = []
    for char in text:
        if char.isascii():
            parts.append(char)
        elif unicodedata.east_asian_width(char) in ("W", "F"):
            parts.append(f" {anyascii(char)} ")
        else:
            parts.append(anyascii(char))
    return "".join(parts)


def slugify_id(text: str, max_length: int = 60, fallback: str = "untitled") -> str:
    """A valid id from any text: transliterated ASCII letters and digits joined by hyphens."""
    slug = re.sub(r"[^a-z0-9]+", "-", transliterate(text).lower()).strip("-")
    return slug[:max_length].rstrip("-") or fallback


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Timestamp = Annotated[
    datetime,
    BeforeValidator(parse_timestamp),
    AfterValidator(within_years),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
Day = Annotated[
    date,
    BeforeValidator(parse_date),
    AfterValidator(within_years),
    WithJsonSchema({"type": "string", "format": "date"}),
]
TicketUrl = Annotated[
    str, AfterValidator(_check_http_url), WithJsonSchema({"type": "string", "format": "uri", "pattern": "^https?://"})
]
DocumentId = Annotated[
    str, AfterValidator(_check_id), WithJsonSchema({"type": "string", "pattern": ID_PATTERN.pattern})
]


def _none_as_empty(value: Any) -> Any:
    return [] if value is None else value


TextList = Annotated[list[Text], BeforeValidator(_none_as_empty)]


class _Document(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)

    id: DocumentId | None = Field(default=None, description="Defaults to the file name without .md")
    title: Text


class ActionItem(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)

    title: Text
    owner: Text
    priority: Priority
    due: Day
    status: ActionStatus = "open"
    ticket: TicketUrl | None = None

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_ACTION_STATUSES

    def is_overdue(self, today: date) -> bool:
        return self.is_open and self.due < today


class Postmortem(_Document):
    severity: Text
    status: Status = "final"
    type: IncidentType = "incident"
    started_at: Timestamp
    detected_at: Timestamp | None = None
    mitigated_at: Timestamp | None = None
    resolved_at: Timestamp | None = None
    services: Annotated[list[Text], Field(min_length=1)]
    tags: TextList = Field(default_factory=list)
    category: Text | None = None
    impact: Text | None = None
    authors: TextList = Field(default_factory=list)
    related: Annotated[list[DocumentId], BeforeValidator(_none_as_empty)] = Field(default_factory=list)
    runbooks: Annotated[list[DocumentId], BeforeValidator(_none_as_empty)] = Field(default_factory=list)
    action_items: Annotated[list[ActionItem], BeforeValidator(_none_as_empty)] = Field(default_factory=list)

    @field_validator("severity")
    @classmethod
    def _known_severity(cls, value: str, info: ValidationInfo) -> str:
        allowed = (info.context or {}).get("severities")
        if allowed is not None and value not in allowed:
            close = [level for level in allowed if level.casefold() == value.casefold()]
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise PydanticCustomError(
                "not_configured",
                "severity '{value}' is not one of {allowed}{hint}",
                {"value": value, "allowed": ", ".join(allowed), "hint": hint},
            )
        return value

    @field_validator("category")
    @classmethod
    def _known_category(cls, value: str | None, info: ValidationInfo) -> str | None:
        allowed = (info.context or {}).get("categories")
        if value is not None and allowed is not None and value not in allowed:
            raise PydanticCustomError(
                "not_configured",
                "category '{value}' is not one of {allowed}",
                {"value": value, "allowed": ", ".join(allowed)},
            )
        return value

    def _minutes(self, end: datetime | None) -> float | None:
        if end is None:
            return None
        minutes = (end - self.started_at).total_seconds() / 60
        return int(minutes) if minutes == int(minutes) else minutes

    @property
    def duration(self) -> float | None:
        return self._minutes(self.resolved_at)

    @property
    def time_to_detect(self) -> float | None:
        return self._minutes(self.detected_at)

    @property
    def time_to_mitigate(self) -> float | None:
        return self._minutes(self.mitigated_at)


class Runbook(_Document):
    services: Annotated[list[Text], Field(min_length=1)]
    owner: Text
    last_reviewed: Day
    review_every_days: Annotated[StrictInt, Field(ge=1, le=MAX_REVIEW_DAYS)] | None = None
    alerts: TextList = Field(default_factory=list)
    tags: TextList = Field(default_factory=list)

    def review_due(self, default_days: int) -> date:
        return self.last_reviewed + timedelta(days=self.review_every_days or default_days)


MODELS: dict[str, type[_Document]] = {"postmortem": Postmortem, "runbook": Runbook}
