"""Dates, quarters and periods as a Danish reader writes them."""

from __future__ import annotations

import pandas as pd

from ..lists import MONTHS_DA
from ..readers.values import parse_quarter, period_bounds


def quarter_da(quarter: str) -> str:
    """``2020Q3`` as Danish readers write it.

    >>> quarter_da("2020Q3")
    '3. kvartal 2020'
    """
    quarter = parse_quarter(quarter)
    return f"{quarter[-1]}. kvartal {quarter[:4]}"


def date_da(value) -> str:
    """A date as 22.09.2020.

    >>> date_da(pd.Timestamp("2020-09-22"))
    '22.09.2020'
    """
    return pd.Timestamp(value).strftime("%d.%m.%Y")


def long_date_da(value) -> str:
    """A date in words: 30. september 2020.

    >>> long_date_da(pd.Timestamp("2020-09-30"))
    '30. september 2020'
    """
    value = pd.Timestamp(value)
    return f"{value.day}. {MONTHS_DA[value.month - 1]} {value.year}"


def period_label(period: str) -> str:
    """A period as a short Danish label.

    >>> period_label("2020"), period_label("2020Q3"), period_label("2020W32"), period_label("2020M07")
    ('2020', '3. kvt. 2020', 'uge 32 2020', 'juli 2020')
    """
    if len(period) == 4:
        return period
    kind, number = period[4], int(period[5:])
    if kind == "Q":
        return f"{number}. kvt. {period[:4]}"
    if kind == "M":
        return f"{MONTHS_DA[number - 1]} {period[:4]}"
    return f"uge {number} {period[:4]}"


def period_year(period: str) -> float:
    """A period as a point on a time axis: the year and the fraction at its middle.

    >>> round(period_year("2020"), 2), round(period_year("2020Q3"), 2)
    (2020.5, 2020.62)
    """
    start, end = period_bounds(period)
    middle = start + (end - start) / 2
    return middle.year + (middle.timetuple().tm_yday - 1) / (366 if middle.year % 4 == 0 else 365)
