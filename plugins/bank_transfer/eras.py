"""Japanese-era dates (和暦) as Zengin files write them: ``YYMMDD`` with a two-digit era year.

The files carry no era name. A date is read as Reiwa (令和, from 2019-05-01) when that gives a
valid Reiwa date no later than one year after ``reference`` (the caller's today, from its
clock), and as Heisei (平成, 1989-01-08 to 2019-04-30) otherwise. ``000000`` or blanks mean
"no date".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Era:
    name: str
    name_ja: str
    first_day: date
    last_day: date | None

    def to_gregorian(self, era_year: int, month: int, day: int) -> date | None:
        """The date, or None when it is not a real date inside this era."""
        if era_year < 1:
            return None
        try:
            found = date(self.first_day.year + era_year - 1, month, day)
        except ValueError:
            return None
        if found < self.first_day or (self.last_day is not None and found > self.last_day):
            return None
        return found


REIWA = Era("Reiwa", "令和", date(2019, 5, 1), None)
HEISEI = Era("Heisei", "平成", date(1989, 1, 8), date(2019, 4, 30))


class EraDateError(ValueError):
    """Six digits that are no date of Reiwa or Heisei."""


def parse_era_date(text: str, reference: date) -> date | None:
    """``YYMMDD`` (era year, month, day) to a date; None for ``000000`` or blanks."""
    if not text.strip() or text.strip("0 ") == "":
        return None
    if len(text) != 6 or not text.isdigit():
        raise EraDateError(f"{text!r} is not a YYMMDD era date")
    year, month, day = int(text[:2]), int(text[2:4]), int(text[4:])
    latest = reference + timedelta(days=366)
    reiwa = REIWA.to_gregorian(year, month, day)
    if reiwa is not None and reiwa <= latest:
        return reiwa
    heisei = HEISEI.to_gregorian(year, month, day)
    if heisei is not None:
        return heisei
    raise EraDateError(f"{text!r} is no date of Reiwa or Heisei")


def format_era_date(value: date) -> str:
    """A date as ``YYMMDD`` in its era (Reiwa or Heisei), the inverse of ``parse_era_date``."""
    for era in (REIWA, HEISEI):
        if value >= era.first_day and (era.last_day is None or value <= era.last_day):
            return f"{value.year - era.first_day.year + 1:02d}{value.month:02d}{value.day:02d}"
    raise EraDateError(f"{value.isoformat()} is before Heisei")
