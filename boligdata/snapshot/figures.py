"""One figure per place, indicator and period, as known on a date (``data/figure_precedence.yaml``).

Every table, chart and sentence of a quarter reads the figures chosen here, so one area's
criterion shows the same value everywhere it appears.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import pandas as pd

from ..datafiles import check_choice, check_keys, package_yaml
from ..errors import DataFileError

STATUSES = ("final", "estimate", "provisional", "synthetic")
BASIS_DA = {"final": "ministeriets låste tal", "estimate": "egne data (skøn)",
            "provisional": "seneste offentliggjorte, foreløbige tal", "synthetic": "syntetiske data"}
KEY = ["geo_level", "geo_code", "indicator", "period"]


@lru_cache(maxsize=1)
def precedence() -> dict[str, int]:
    """The rank of each status (0 wins), from the data file.

    >>> precedence()
    {'final': 0, 'estimate': 1, 'provisional': 2, 'synthetic': 3}
    """
    document = check_keys(package_yaml("figure_precedence.yaml"), "figure_precedence.yaml",
                          required=["status_order", "coming_list"])
    order = list(document["status_order"])
    if sorted(order) != sorted(STATUSES):
        raise DataFileError(f"figure_precedence.yaml: status_order must name each of {', '.join(STATUSES)} once")
    check_choice(document["coming_list"], ["latest_period_of_list_year_first"], "figure_precedence.yaml coming_list")
    return {status: rank for rank, status in enumerate(order)}


def split_by_date(observations: pd.DataFrame, as_of: dt.date, until: dt.date | None = None
                  ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The observations known on ``as_of`` (vintage on or before it) about periods begun by then and,
    where ``until`` is given (the quarter's last day), by ``until``; and the rest.

    A 3rd-quarter report as it stood on 20 October uses the figures pulled by 20 October about the
    3rd quarter and before, not those about the 4th.
    """
    stamp = pd.Timestamp(as_of)
    begun = pd.Timestamp(min(as_of, until)) if until is not None else stamp
    known = (observations["vintage"] <= stamp) & (observations["period_start"] <= begun)
    return observations[known], observations[~known]


def one_per_period(observations: pd.DataFrame) -> pd.DataFrame:
    """One row per place × indicator × period by the precedence rule; rows without a value lose.

    >>> obs = pd.DataFrame({"geo_level": "area", "geo_code": "a", "indicator": "x", "period": "2020Q3",
    ...     "value": [38.3, 37.9, None], "status": ["provisional", "estimate", "final"],
    ...     "vintage": pd.Timestamp("2020-09-22"), "source": ["p4", "p3", "p3"]})
    >>> one_per_period(obs)[["value", "status"]].to_dict("records")
    [{'value': 37.9, 'status': 'estimate'}]
    """
    ranked = observations.assign(_missing=observations["value"].isna(),
                                 _rank=observations["status"].map(precedence()).fillna(len(STATUSES)))
    ranked = ranked.sort_values(KEY + ["_missing", "_rank", "vintage", "source"],
                                ascending=[True] * len(KEY) + [True, True, False, True], kind="stable")
    chosen = ranked.drop_duplicates(KEY)
    return chosen[~chosen["_missing"]].drop(columns=["_missing", "_rank"]).reset_index(drop=True)


def coming_list_figures(series: pd.DataFrame, list_year: int, indicators) -> pd.DataFrame:
    """Per area and indicator, the figure the coming list is forecast on: one of the series' rows.

    The latest period of the list's own year where there is one, else the latest before it.
    """
    part = series[(series["geo_level"] == "area") & series["indicator"].isin(list(indicators))]
    part = part.assign(_other_year=(part["year"] != list_year).astype(int))
    part = part.sort_values(["geo_code", "indicator", "_other_year", "period_end", "period"],
                            ascending=[True, True, True, False, False], kind="stable")
    chosen = part.drop_duplicates(["geo_code", "indicator"]).drop(columns="_other_year")
    chosen = chosen.assign(basis_da=chosen["status"].map(BASIS_DA))
    return chosen.reset_index(drop=True)


def source_conflicts(known: pd.DataFrame, chosen: pd.DataFrame) -> pd.DataFrame:
    """Per chosen figure, the other source's different value for the same place, indicator and
    period, where one exists (the next in precedence): a report names it (issue 22, "which source").

    >>> obs = pd.DataFrame({"geo_level": "area", "geo_code": "a", "indicator": "x", "period": "2020Q3",
    ...     "value": [41.0, 39.4], "status": ["estimate", "provisional"],
    ...     "vintage": pd.Timestamp("2020-09-22"), "source": ["p3", "p4"]})
    >>> source_conflicts(obs, one_per_period(obs))[["value", "other_value", "other_source"]].to_dict("records")
    [{'value': 41.0, 'other_value': 39.4, 'other_source': 'p4'}]
    """
    columns = KEY + ["value", "source", "status", "other_value", "other_source", "other_status", "other_vintage"]
    if chosen.empty:
        return pd.DataFrame(columns=columns)
    others = known[known["value"].notna()]
    others = others.assign(_rank=others["status"].map(precedence()).fillna(len(STATUSES)))
    merged = chosen[KEY + ["value", "source", "status"]].merge(
        others[KEY + ["value", "source", "status", "vintage", "_rank"]], on=KEY, suffixes=("", "_other"))
    merged = merged[(merged["value_other"] != merged["value"])]
    merged = merged.sort_values(KEY + ["_rank", "vintage"], ascending=[True] * len(KEY) + [True, False], kind="stable")
    merged = merged.drop_duplicates(KEY).rename(columns={"value_other": "other_value", "source_other": "other_source",
                                                          "status_other": "other_status", "vintage": "other_vintage"})
    return merged[columns].reset_index(drop=True)
