"""How pmkb writes instants and reads dates: one format each, for every output."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def iso_utc(moment: datetime) -> str:
    """ISO 8601 in UTC with `Z`: 2024-03-05T14:02:00Z; milliseconds only when the source had them."""
    moment = moment.astimezone(UTC)
    if not moment.microsecond:
        precision = "seconds"
    elif not moment.microsecond % 1000:
        precision = "milliseconds"
    else:
        precision = "microseconds"
    return moment.isoformat(timespec=precision).replace("+00:00", "Z")


def utc_minute(moment: datetime) -> str:
    """An instant for people, to the minute: 2024-03-05 14:02 UTC."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def is_day(text: str) -> bool:
    """Whether text is shaped YYYY-MM-DD (whether or not that day exists)."""
    return bool(_DAY.match(text.strip()))


def parse_day(text: str) -> date:
    """A calendar date written YYYY-MM-DD; ValueError for anything else."""
    if not is_day(text):
        raise ValueError(f"{text!r} is not a date YYYY-MM-DD")
    return date.fromisoformat(text.strip())
