"""One way to write an instant and to read a date, whichever output or option uses it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from click.testing import CliRunner
from kb_helpers import GOOD_POSTMORTEM, write_kb
from pmkb.cli import main
from pmkb.times import iso_utc, parse_day, utc_minute

PLUS_TWO = timezone(timedelta(hours=2))


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (datetime(2024, 3, 5, 16, 2, tzinfo=PLUS_TWO), "2024-03-05T14:02:00Z"),
        (datetime(2024, 3, 5, 14, 2, 7, 500000, tzinfo=UTC), "2024-03-05T14:02:07.500Z"),
        (datetime(2024, 3, 5, 14, 2, 7, 123456, tzinfo=UTC), "2024-03-05T14:02:07.123456Z"),
    ],
)
def test_instants_are_written_in_utc_with_z(moment: datetime, text: str):
    assert iso_utc(moment) == text


def test_instants_for_people_are_utc_to_the_minute():
    assert utc_minute(datetime(2024, 3, 5, 1, 30, tzinfo=PLUS_TWO)) == "2024-03-04 23:30 UTC"


@pytest.mark.parametrize("text", ["20241105", "2024-1-5", "5/11/2024", "2024-02-30", "", "soon"])
def test_only_real_yyyy_mm_dd_dates_are_read(text: str):
    with pytest.raises(ValueError):
        parse_day(text)
    assert parse_day(" 2024-11-05 ") == date(2024, 11, 5)


@pytest.mark.parametrize(
    "args",
    [
        ["check", "--today", "20261123"],
        ["stats", "--since", "20240501"],
        ["new", "postmortem", "Checkout down", "--date", "20240305"],
    ],
)
def test_every_date_option_reads_dates_the_same_way(tmp_path, args: list[str]):
    config = write_kb(tmp_path / "kb", {"postmortems/2024-03-05-checkout.md": GOOD_POSTMORTEM})
    result = CliRunner().invoke(main, [*args, "-f", str(config)])
    assert result.exit_code == 2
    assert "20" in result.output and "YYYY-MM-DD" in result.output
    assert not (tmp_path / "kb" / "postmortems" / "2024").exists()
