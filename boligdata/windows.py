"""What period the ministry's figure measures for a list, and what that means on a date.

For the list of year T each criterion's figure measures a window (``rules.yaml`` ``windows``):
employment and crime the average of T-2 and T-1, the residents count 1 January T, and so on.
When the ministry *publishes* the figure is another calendar (``vintage_calendar.yaml``). On any
date a criterion of a list is in one of three states:

- **movable**: part of its window lies after the date, so what happens now still moves it;
- **measured**: the window has closed but the ministry has not published its figure: nothing
  can move it, it can only turn out different from the estimate;
- **published**: the ministry's figure is out.

A change in the still-open part of a window moves the figure by less than a change over the
whole window: ``open_share`` is the part of the figure that can still move (a 2-year average
with one year left: one half), so the persons needed there are the persons the figure is away
divided by it (``persons_in_open_part``).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from fractions import Fraction

from .datafiles import check_choice, check_keys
from .errors import DataFileError
from .lists import MONTHS_DA

MOVABLE, MEASURED, PUBLISHED = "movable", "measured", "published"
COUNTS = ("status", "time", "per_year")
EVIDENCE = ("statute", "ministry", "secondary", "seed", "inferred")


@dataclass(frozen=True)
class Window:
    """The period a criterion's figure measures for the list of year T (offsets relative to T)."""

    id: str
    counts: str                   # status / time / per_year (how a change in the open part counts)
    years: tuple = ()             # an average over these calendar years, e.g. (-2, -1)
    on: tuple | None = None       # a status on one day: (year offset, month, day)
    evidence: str = ""
    evidence_da: str = ""
    source: str = ""
    quote: str = ""

    def span(self, list_year: int) -> tuple[dt.date, dt.date]:
        """The first and last day the figure for the list of ``list_year`` measures.

        >>> w = Window("w", "time", years=(-2, -1))
        >>> w.span(2020)
        (datetime.date(2018, 1, 1), datetime.date(2019, 12, 31))
        """
        if self.on is not None:
            year, month, day = self.on
            when = dt.date(list_year + year, month, day)
            return when, when
        return dt.date(list_year + self.years[0], 1, 1), dt.date(list_year + self.years[-1], 12, 31)

    def open_share(self, list_year: int, as_of: dt.date | None) -> Fraction:
        """The part of the figure that can still move on ``as_of`` (1: all of it, 0: none).

        A status counts on its day; an average of yearly figures weighs each year the same, and
        within a year a time-weighted figure (full-time persons, income) by the days still ahead,
        a per-year count by whether the year has ended (a conviction avoided in the rest of a year counts
        fully in that year's figure).

        >>> w = Window("w", "time", years=(-2, -1))
        >>> w.open_share(2022, dt.date(2020, 12, 31)), w.open_share(2020, dt.date(2020, 9, 30))
        (Fraction(1, 2), Fraction(0, 1))
        >>> w.open_share(2021, dt.date(2020, 9, 30))  # 92 of 366 days of 2020 left, 2019 closed
        Fraction(23, 183)
        >>> Window("c", "per_year", years=(-2, -1)).open_share(2021, dt.date(2020, 9, 30))
        Fraction(1, 2)
        >>> Window("r", "status", on=(0, 1, 1)).open_share(2021, dt.date(2020, 12, 31))
        Fraction(1, 1)
        """
        if as_of is None:
            return Fraction(1)
        start, end = self.span(list_year)
        if self.on is not None or as_of < start:
            return Fraction(1) if as_of < start else Fraction(0)
        if self.counts == "per_year":
            ahead = [y for y in self.years if as_of < dt.date(list_year + y, 12, 31)]
            return Fraction(len(ahead), len(self.years))
        # An average of yearly figures: each year weighs the same, and within a year a change
        # counts for the days of the year it lasts (full-time persons).
        share = Fraction(0)
        for offset in self.years:
            first, last = dt.date(list_year + offset, 1, 1), dt.date(list_year + offset, 12, 31)
            if as_of < first:
                share += 1
            elif as_of < last:
                share += Fraction((last - as_of).days, (last - first).days + 1)
        return share / len(self.years)

    def label_da(self, list_year: int) -> str:
        """The window in Danish: "1. januar 2020", "gennemsnittet af 2018 og 2019", "2019".

        >>> Window("w", "time", years=(-2, -1)).label_da(2020), Window("r", "status", on=(0, 1, 1)).label_da(2020)
        ('gennemsnittet af 2018 og 2019', '1. januar 2020')
        """
        if self.on is not None:
            start = self.span(list_year)[0]
            return f"{start.day}. {MONTHS_DA[start.month - 1]} {start.year}"
        years = [str(list_year + y) for y in self.years]
        if len(years) == 1:
            return years[0]
        return "gennemsnittet af " + ", ".join(years[:-1]) + " og " + years[-1]


def parse_windows(document: dict) -> dict[str, Window]:
    """The ``windows`` of rules.yaml, validated.

    >>> parse_windows({"w": {"years": [-2, -1], "counts": "time", "evidence": "inferred",
    ...                      "evidence_da": "udledt", "source": "x", "quote": ""}})["w"].years
    (-2, -1)
    """
    windows = {}
    for wid, entry in document.items():
        where = f"rules.yaml: window '{wid}'"
        check_keys(entry, where, required=["counts", "evidence", "evidence_da", "source", "quote"],
                   optional=["status_on", "years"])
        check_choice(entry["counts"], COUNTS, where + " counts")
        check_choice(entry["evidence"], EVIDENCE, where + " evidence")
        if ("status_on" in entry) == ("years" in entry):
            raise DataFileError(f"{where}: give exactly one of 'status_on' (a status on one day) and 'years' (an average)")
        if ("status_on" in entry) != (entry["counts"] == "status"):
            raise DataFileError(f"{where}: a status on one day counts 'status', an average 'time' or 'per_year'")
        on = None
        years: tuple = ()
        if "status_on" in entry:
            day = check_keys(entry["status_on"], where + " status_on", required=["month", "day", "year"])
            on = (int(day["year"]), int(day["month"]), int(day["day"]))
            dt.date(2000 + on[0], on[1], on[2])  # a real day
        else:
            years = tuple(int(y) for y in entry["years"])
            if not years or list(years) != list(range(years[0], years[0] + len(years))) or years[-1] > 0:
                raise DataFileError(f"{where}: years must be consecutive offsets up to the list year, e.g. [-2, -1]")
        windows[wid] = Window(wid, entry["counts"], years, on, entry["evidence"], entry["evidence_da"],
                              " ".join(str(entry["source"]).split()), entry["quote"])
    return windows


@dataclass(frozen=True)
class CriterionState:
    """One criterion of one list on one date: movable, measured or published."""

    state: str
    window: Window
    start: dt.date
    end: dt.date
    published: dt.date | None     # when the ministry publishes its figure for the list
    open_share: Fraction          # the part of the figure that can still move (0 unless movable)

    @property
    def movable(self) -> bool:
        return self.state == MOVABLE


def state_of(window: Window, list_year: int, published: dt.date | None, as_of: dt.date | None) -> CriterionState:
    """The state of a figure measuring ``window`` for the list of ``list_year`` on ``as_of``.

    Without a date every figure is movable (nothing is known to be fixed).

    >>> w = Window("e", "time", years=(-2, -1))
    >>> state_of(w, 2020, dt.date(2020, 12, 1), dt.date(2020, 9, 30)).state
    'measured'
    >>> state_of(w, 2021, dt.date(2021, 12, 1), dt.date(2020, 9, 30)).state
    'movable'
    """
    start, end = window.span(list_year)
    share = window.open_share(list_year, as_of)
    if share > 0:
        state = MOVABLE
    elif published is not None and as_of is not None and published <= as_of:
        state = PUBLISHED
    else:
        state = MEASURED
    return CriterionState(state, window, start, end, published, share)


def persons_in_open_part(persons: int | None, share: Fraction) -> int | None:
    """The persons who must change in the still-open part of a window to move the figure by
    ``persons`` (whole persons: rounded up). None where the figure cannot move.

    >>> persons_in_open_part(16, Fraction(1, 2)), persons_in_open_part(16, Fraction(0)), persons_in_open_part(7, Fraction(1))
    (32, None, 7)
    """
    if persons is None or share <= 0:
        return None
    return math.ceil(Fraction(persons) / share)
