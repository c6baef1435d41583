"""The ministry's calendar (``data/vintage_calendar.yaml``): when each criterion's figure is locked.

For the coming list, the ministry fixes residents, the non-western share and crime in April,
education in July and income in October; the share outside the labour market comes from
the municipality's own data until December (seed 004, punkt 3). A criterion locked on the
report's date is no lever on the way off the list.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import pandas as pd

from .datafiles import check_keys, package_yaml
from .lists import PublishedList, as_list


@lru_cache(maxsize=1)
def calendar() -> dict:
    """Per indicator: the month of the list year in which the ministry locks its figure."""
    document = check_keys(package_yaml("vintage_calendar.yaml"), "vintage_calendar.yaml",
                          required=["criteria", "source"])
    for indicator, entry in document["criteria"].items():
        check_keys(entry, f"vintage_calendar.yaml: {indicator}", required=["month", "label_da"])
    return document


def lock_date(lst: PublishedList, indicator: str) -> dt.date | None:
    """The day the ministry's figure for ``indicator`` is locked for ``lst`` (None: not in the calendar).

    Before 2014 the lists came on 1 October or at the end of 2013; no lock falls after the list.

    >>> lock_date(as_list(2020), "primary_school_only_pct"), lock_date(as_list(2020), "outside_labour_market_pct")
    (datetime.date(2020, 7, 1), datetime.date(2020, 12, 1))
    """
    entry = calendar()["criteria"].get(indicator)
    if entry is None:
        return None
    return min(dt.date(lst.year, int(entry["month"]), 1), lst.known_by)


def locked_at(lst, as_of: dt.date | None) -> frozenset:
    """The indicators whose figure for ``lst`` is locked on ``as_of`` (nothing without a date).

    >>> sorted(locked_at(2020, dt.date(2020, 9, 30)))
    ['convicted_pct', 'non_western_pct', 'primary_school_only_pct', 'residents']
    """
    if as_of is None:
        return frozenset()
    lst = as_list(lst)
    return frozenset(i for i in calendar()["criteria"] if lock_date(lst, i) <= as_of)


def vintage_table(lst, as_of: dt.date) -> pd.DataFrame:
    """Per criterion: when the ministry locks its figure for ``lst``, and whether it is locked on ``as_of``.

    >>> t = vintage_table(2020, dt.date(2020, 9, 30)).set_index("indicator")
    >>> t.loc["primary_school_only_pct", "state_da"], t.loc["income_pct_of_region", "text_da"]
    ('låst', 'åben, opdateres i oktober')
    """
    lst = as_list(lst)
    rows = []
    for indicator, entry in calendar()["criteria"].items():
        when = lock_date(lst, indicator)
        locked = as_of >= when
        rows.append({"indicator": indicator, "calendar_da": entry["label_da"], "lock_date": when.isoformat(),
                     "locked": locked, "state_da": "låst" if locked else "åben",
                     "text_da": f"låst siden {entry['label_da']}" if locked else f"åben, opdateres i {entry['label_da']}"})
    return pd.DataFrame(rows)
