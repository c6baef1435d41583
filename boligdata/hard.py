"""When an area on the ghetto / parallelsamfund list can first become hard (hårdt ghettoområde,
omdannelsesområde): the first coming list on which its years in a row would reach what that list's
rules require, as known on the report's date (``enacted.py``), if it stays on the list every year.
"""

from __future__ import annotations

from dataclasses import dataclass

from .criteria import AreaResult
from .enacted import governing_rules
from .lists import PublishedList, load_lists


@dataclass(frozen=True)
class FirstHard:
    list: PublishedList
    designation: object       # the hard Designation of that list's rules
    years: int                # the years in a row it would have on that list
    needed: int               # the years that list's rules require


def first_hard_list(result: AreaResult, horizon: int = 8) -> FirstHard | None:
    """The first list from ``result``'s own on which the area, on the list every year from now, is hard.

    None when the area is not on the list now, is hard already, or the history is too short to count.

    >>> import datetime as dt
    >>> from boligdata.criteria import evaluate_area
    >>> from boligdata.history import ListHistory
    >>> h = ListHistory.from_rows([("K", 2018, "ghetto"), ("K", 2019, "ghetto")], coverage={"*": "2010-10-01"})
    >>> row = {"area": "K", "residents": 2377, "non_western_pct": 57.2, "outside_labour_market_pct": 41.0,
    ...        "convicted_pct": 1.43, "primary_school_only_pct": 60.4, "income_pct_of_region": 61.5}
    >>> found = first_hard_list(evaluate_area(row, 2020, history=h, as_of=dt.date(2020, 9, 30)))
    >>> found.list.id, found.years, found.needed        # seed 004: "kan blive hård ghetto efter 4 år"
    ('2021-12-01', 4, 4)
    """
    version = result.version
    on_list = [d for d in version.list_designations() if not d.consecutive_years_of]
    hard = [d for d in version.list_designations() if d.consecutive_years_of]
    if not on_list or not hard or not all(result.designations.get(d.id) for d in on_list):
        return None
    if any(result.designations.get(d.id) for d in hard) or result.years_on_list is None or result.years_open:
        return None
    later = [item for item in load_lists() if item.known_by >= result.list.known_by][:horizon]
    for step, lst in enumerate(later):
        rules = governing_rules(lst, result.as_of)
        kind = next((d for d in rules.designations.values() if d.consecutive_years_of), None)
        if kind is None:
            continue
        years = result.years_on_list + step
        needed = kind.years_required(lst.year)
        if years >= needed:
            return FirstHard(lst, kind, years, needed)
    return None
