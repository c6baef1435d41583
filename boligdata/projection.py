"""The projection for the coming 1 December list: which figure to use for each criterion.

Per area and criterion the value used is the ministry's locked (``final``) figure where it
exists for the list year, otherwise the newest own-data ``estimate``, otherwise the last
published figure. The vintage table says, per criterion, whether the ministry has locked
its figure by the report's date, from the calendar in ``data/vintage_calendar.yaml``.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from .datafiles import check_keys, package_yaml
from .readers.values import parse_quarter, period_bounds

CRITERIA_INDICATORS = ("residents", "non_western_pct", "outside_labour_market_pct", "convicted_pct",
                       "primary_school_only_pct", "income_pct_of_region")
COUNT_INDICATORS = ("pop_18_64", "pop_18plus", "pop_30_59")
STATUS_RANK = {"final": 0, "estimate": 1, "provisional": 2, "synthetic": 3}
BASIS_DA = {"final": "ministeriets låste tal", "estimate": "egne data (skøn)",
            "provisional": "seneste offentliggjorte tal (foreløbigt)", "synthetic": "syntetiske data"}


def quarter_end(quarter: str) -> dt.date:
    """The last day of a quarter such as ``2020Q3`` or ``2020K3``.

    >>> quarter_end("2020K3")
    datetime.date(2020, 9, 30)
    """
    return period_bounds(parse_quarter(quarter))[1]


def vintage_table(list_year: int, quarter: str) -> pd.DataFrame:
    """Per criterion: when the ministry locks its figure, and whether it is locked by ``quarter``.

    >>> t = vintage_table(2020, "2020Q3").set_index("indicator")
    >>> t.loc["primary_school_only_pct", "state_da"], t.loc["income_pct_of_region", "state_da"]
    ('låst', 'åben')
    """
    document = check_keys(package_yaml("vintage_calendar.yaml"), "vintage_calendar.yaml",
                          required=["criteria", "source"])
    as_of = quarter_end(quarter)
    rows = []
    for indicator, entry in document["criteria"].items():
        check_keys(entry, f"vintage_calendar.yaml: {indicator}", required=["month", "label_da"])
        lock_date = dt.date(list_year, int(entry["month"]), 1)
        locked = as_of >= lock_date
        rows.append({"indicator": indicator, "calendar_da": entry["label_da"], "lock_date": lock_date.isoformat(),
                     "locked": locked, "state_da": "låst" if locked else "åben",
                     "text_da": f"låst siden {entry['label_da']}" if locked else f"åben, opdateres i {entry['label_da']}"})
    return pd.DataFrame(rows)


def projected_observations(observations: pd.DataFrame, list_year: int, quarter: str,
                           area_ids=None) -> pd.DataFrame:
    """The observation chosen per area and criterion (and count) for the coming list.

    Only figures known by the end of ``quarter`` are used (vintage and period start).
    """
    as_of = pd.Timestamp(quarter_end(quarter))
    obs = observations[(observations["geo_level"] == "area")
                       & observations["indicator"].isin(CRITERIA_INDICATORS + COUNT_INDICATORS)
                       & observations["value"].notna()
                       & (observations["vintage"] <= as_of) & (observations["period_start"] <= as_of)]
    if area_ids is not None:
        obs = obs[obs["geo_code"].isin(list(area_ids))]
    obs = obs.assign(
        _cycle=(obs["year"] < list_year).astype(int),  # figures of the list year first
        _rank=obs["status"].map(STATUS_RANK).fillna(9),
    ).sort_values(["geo_code", "indicator", "_cycle", "_rank", "period_end", "vintage", "source"],
                  ascending=[True, True, True, True, False, False, True])
    chosen = obs.groupby(["geo_code", "indicator"], sort=True).head(1).copy()
    chosen["basis_da"] = chosen["status"].map(BASIS_DA)
    columns = ["geo_code", "indicator", "value", "period", "source", "vintage", "status", "basis_da"]
    return chosen[columns].reset_index(drop=True)


def projection_frame(observations: pd.DataFrame, areas: pd.DataFrame, list_year: int, quarter: str,
                     area_ids=None) -> pd.DataFrame:
    """One row per area with the chosen values as columns, ready for ``criteria.evaluate``.

    The ``area`` column holds the area id; ``area_name`` the name readers see.
    """
    chosen = projected_observations(observations, list_year, quarter, area_ids)
    wide = chosen.pivot(index="geo_code", columns="indicator", values="value")
    wide = wide.reindex(columns=list(CRITERIA_INDICATORS + COUNT_INDICATORS))
    wide = wide.astype("object").where(wide.notna(), None)
    names = dict(zip(areas["area_id"], areas["area_name"]))
    wide.insert(0, "area_name", [names.get(a, a) for a in wide.index])
    wide.insert(0, "area", wide.index)
    return wide.reset_index(drop=True)


def history_frame(list_history: pd.DataFrame) -> pd.DataFrame:
    """The list history in the engine's shape (``area`` = area id)."""
    return list_history.rename(columns={"area_id": "area"})[["area", "list_year", "designation"]]
