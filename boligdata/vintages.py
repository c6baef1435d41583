"""The ministry's publication calendar (``data/vintage_calendar.yaml``): when its figure for each
criterion of a list is published ("låst").

For the coming list, the ministry publishes residents, the non-western share and crime in April,
education in July and income in October; the share outside the labour market comes from the
municipality's own data until December (seed 004, punkt 3). When a figure is *published* is
kept apart from what period it *measures* (``windows.py``): a figure can be measured, so no
action moves it, long before the ministry publishes it.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from .datafiles import check_keys, package_yaml
from .lists import PublishedList, as_list  # noqa: F401 (as_list: the doctest)


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
