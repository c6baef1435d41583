"""The published list history of areas, as known on a date, and the lists it covers.

Years on the ghetto / parallelsamfund list decide the hard designations (hårdt ghettoområde,
omdannelsesområde), so the history must know its own edge: a run of lists that reaches back
to the first list the history covers may go on further back. Such a run is *open-ended*,
and a designation that needs more years than the history shows is undecided, not false.
With no history at all, every run is open-ended.

Two facts of the law extend the rows: a hard designation on a list means the area was on the
ghetto / parallelsamfund list in each of the years it required (``implied`` rows); and the
two lists of 2013 count as one year.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from .lists import (
    PublishedList,
    as_list,
    get_list,
    lists_before,
    load_lists,
    published_by,
)
from .rules import lineage_ids

COLUMNS = ["area", "list_id", "list_year", "designation"]


@dataclass(frozen=True)
class Run:
    """Consecutive lists (before a target list) with an area on the ghetto / parallelsamfund list."""

    years: int          # distinct list years in the run
    open_ended: bool    # the run reaches the edge of the history and may go on before it
    first_covered: str | None  # the first list the history covers for the area (None: no history)
    last_year: int | None = None  # the year of the run's latest list

    def years_with(self, target: PublishedList) -> int:
        """Years in a row when the area is on ``target`` too (the two lists of 2013 are one year)."""
        return self.years + (0 if self.last_year == target.year else 1)


@dataclass
class ListHistory:
    """Memberships (area, list, designation) and, per municipality, the first list covered.

    ``coverage`` maps a kommunekode (or ``"*"`` for every other) to the id of the first list
    the history is complete from. By default it is the earliest list in the rows.

    >>> h = ListHistory.from_rows([("A", 2016, "ghetto"), ("A", 2017, "ghetto"), ("A", 2018, "ghetto"),
    ...                            ("A", 2019, "ghetto")])
    >>> h.run("A", as_list(2020))
    Run(years=4, open_ended=True, first_covered='2016-12-01', last_year=2019)
    >>> ListHistory.from_rows([]).run("A", as_list(2020)).open_ended
    True
    """

    rows: pd.DataFrame
    coverage: dict = field(default_factory=dict)
    municipality_of: dict = field(default_factory=dict)

    def __post_init__(self):
        self.rows = self.rows[COLUMNS].reset_index(drop=True) if not self.rows.empty else \
            pd.DataFrame(columns=COLUMNS)
        if not self.coverage and not self.rows.empty:
            first = min(self.rows["list_id"], key=lambda i: get_list(i).known_by)
            self.coverage = {"*": first}
        self._members = self._lineage_members()
        self._by_area: dict | None = None

    @classmethod
    def from_rows(cls, rows, coverage=None, municipality_of=None) -> "ListHistory":
        """From (area, list year or list id, designation) tuples."""
        records = []
        for area, lst, designation in rows:
            item = as_list(lst)
            records.append({"area": area, "list_id": item.id, "list_year": item.year, "designation": designation})
        return cls(pd.DataFrame(records, columns=COLUMNS), dict(coverage or {}), dict(municipality_of or {}))

    def _lineage_members(self) -> dict[str, set]:
        """Per area, the list ids it was on the ghetto / parallelsamfund list, implied ones included."""
        members: dict[str, set] = {}
        if self.rows.empty:
            return members
        ordered = load_lists()
        lineage = lineage_ids()
        for row in self.rows.itertuples(index=False):
            lst = get_list(row.list_id)
            if row.designation in lineage:
                members.setdefault(row.area, set()).add(lst.id)
                continue
            designation = lst.version.designations.get(row.designation)
            if designation is None or not designation.consecutive_years_of:
                continue
            # A hard designation on this list: on the list in each of the years it required.
            needed = designation.years_required(lst.year)
            years = set(range(lst.year - needed + 1, lst.year + 1))
            for earlier in ordered:
                if earlier.year in years and earlier.known_by <= lst.known_by:
                    members.setdefault(row.area, set()).add(earlier.id)
        return members

    def first_covered(self, area: str) -> str | None:
        municipality = self.municipality_of.get(area)
        return self.coverage.get(municipality, self.coverage.get("*")) if self.coverage else None

    def run(self, area: str, target) -> Run:
        """The run of lists just before ``target`` with ``area`` on the ghetto / parallelsamfund list."""
        target = as_list(target)
        before = lists_before(target)
        members = self._members.get(area, set())
        first = self.first_covered(area)
        first_date = get_list(first).known_by if first else None
        years, index = set(), len(before) - 1
        while index >= 0 and before[index].id in members:
            years.add(before[index].year)
            index -= 1
        if index < 0:
            open_ended = False  # back to the very first list: there is nothing before it
        else:
            open_ended = first_date is None or before[index].known_by < first_date
        last_year = before[-1].year if years else None
        return Run(len(years), open_ended, first, last_year)

    def known_by(self, as_of: dt.date) -> "ListHistory":
        """The history as it stood on ``as_of``: lists published later are left out.

        Coverage stays as declared; an area's run then simply ends at the last known list.
        """
        known = {item.id for item in published_by(as_of)}
        rows = self.rows[self.rows["list_id"].isin(known)]
        return ListHistory(rows, dict(self.coverage), dict(self.municipality_of))

    def designations_on(self, area: str) -> pd.DataFrame:
        """The rows of one area, oldest list first."""
        if self._by_area is None:  # sorted and split once: a report asks for many areas
            rows = self.rows.copy()
            rows["_order"] = rows["list_id"].map(lambda i: get_list(i).known_by)
            rows = rows.sort_values(["_order", "designation"], kind="stable").drop(columns="_order")
            self._by_area = {key: part.reset_index(drop=True) for key, part in rows.groupby("area", sort=False)}
        part = self._by_area.get(area)
        return part.copy() if part is not None else self.rows.iloc[:0].reset_index(drop=True)

    def covered_from_da(self, area: str) -> str | None:
        """The first covered list as a Danish reader names it, or None without history."""
        first = self.first_covered(area)
        return get_list(first).label_da if first else None


def _missing_lists(list_history: pd.DataFrame, target: PublishedList) -> tuple[int, list]:
    last = int(list_history["list_year"].max())
    return last, [item for item in lists_before(target) if item.year > last]


def stale_note_da(list_history: pd.DataFrame, target: PublishedList) -> str | None:
    """The same warning in Danish, for the top of a report: a committee must not read a
    designation that counts a missing list as one the area was not on without being told.

    >>> rows = pd.DataFrame({"list_year": [2023, 2024]})
    >>> stale_note_da(rows, as_list(2026))[:60]
    'Listehistorikken slutter med listen fra 2024, men årene i tr'
    """
    if list_history.empty:
        return None
    last, missing = _missing_lists(list_history, target)
    if not missing:
        return None
    names = ", ".join(item.label_da for item in missing)
    return (f"Listehistorikken slutter med listen fra {last}, men årene i træk før listen {target.label_da} afhænger "
            f"også af listen {names}. Indtil den er tilføjet arbejdsområdet, tælles den som en liste, områderne "
            "ikke var på; en betegnelse, der kræver flere år i træk på listen (hårdt ghettoområde, "
            "omdannelsesområde), kan derfor mangle.")


def stale_note(list_history: pd.DataFrame, target: PublishedList) -> str | None:
    """A warning when the history lacks a published list that the years in a row before
    ``target`` need: the lists after its last row, up to the one before ``target``.

    >>> rows = pd.DataFrame({"list_year": [2023, 2024]})
    >>> stale_note(rows, as_list(2025)) is None, stale_note(rows, as_list(2026))[:43]
    (True, 'the list history ends with the list of 2024')
    """
    if list_history.empty:
        return None
    last, missing = _missing_lists(list_history, target)
    if not missing:
        return None
    names = ", ".join(item.label_en.removeprefix("the list of ") for item in missing)
    return (f"the list history ends with the list of {last}; the years in a row before {target.label_en} also need "
            f"the list of {names}: add them to raw/listehistorik* (until then they count as lists the area was not on)")
