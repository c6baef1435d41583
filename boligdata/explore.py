"""The analyst's common questions, each a few lines on a quarter snapshot (used by
notebooks/udforskning.ipynb; every function returns a plain frame to look at, filter or plot).

>>> from boligdata import load
>>> snap = load().quarter("2020Q3")
>>> list(nearest(snap, n=3).columns[:3]), len(nearest(snap, n=3))
(['name', 'municipality_code', 'criterion'], 3)
"""

from __future__ import annotations

import pandas as pd

from .criteria import evaluate
from .gaps import gap_table


def nearest(snapshot, n: int = 10, met: bool | None = None) -> pd.DataFrame:
    """The areas nearest to a threshold of the coming list, in persons where the group is known
    (else in points): one row per area and criterion, nearest first, with the criterion's state on
    the date (``movable``, ``measured``, ``published``: only a movable figure can still be changed)
    and the persons in what is left of its window. ``met`` keeps only criteria that are met (True:
    how little it takes to leave) or not met (False: how little to enter)."""
    criteria = snapshot.tables["criteria"]
    criteria = criteria[criteria["which"] == "coming"].merge(
        snapshot.tables["areas"][["area", "name", "municipality_code"]], on="area")
    criteria = criteria[criteria["distance_pp"].notna()].copy()
    if met is not None:
        criteria = criteria[criteria["met"].astype(str) == ("true" if met else "false")]
    criteria["distance_pp"] = criteria["distance_pp"].astype(float)
    criteria["persons"] = pd.to_numeric(criteria["persons"], errors="coerce")
    criteria["order"] = criteria["persons"].fillna(criteria["distance_pp"].abs() * 1000)
    columns = ["name", "municipality_code", "criterion", "indicator", "value", "threshold", "met", "distance_pp",
               "persons", "state", "persons_open"]
    return criteria.sort_values(["order", "name"]).head(n)[columns].reset_index(drop=True)


def over_time(snapshot, indicator: str, areas=None) -> pd.DataFrame:
    """One indicator over the periods known on the snapshot's date, for the areas (default: every
    monitored area), tidy: ``name, period, period_end, value``."""
    series = snapshot.tables["series"]
    names = snapshot.tables["areas"].set_index("area")["name"]
    wanted = list(names.index) if areas is None else list(areas)
    part = series[(series["geo_level"] == "area") & (series["indicator"] == indicator) & series["geo_code"].isin(wanted)]
    return (part.assign(name=part["geo_code"].map(names))[["name", "period", "period_end", "value"]]
            .sort_values(["name", "period_end"]).reset_index(drop=True))


def gap_to_municipality(snapshot, indicator: str) -> pd.DataFrame:
    """Each area's latest value of ``indicator`` beside its municipality's, and the gap."""
    gaps = gap_table(snapshot, levels=("area",))
    gaps = gaps[gaps["indicator"] == indicator].sort_values("period").groupby("geo_code").tail(1)
    names = snapshot.tables["areas"].set_index("area")["name"]
    gaps = gaps.assign(name=gaps["geo_code"].map(names))
    return gaps[["name", "period", "value", "municipality_value", "gap", "verdict"]].sort_values("gap").reset_index(
        drop=True)


def against_list(snapshot, list_year) -> pd.DataFrame:
    """The snapshot's figures judged by another list's rules (a what-if: the same figures, the
    rules of ``list_year``), one row per area with the designation."""
    figures = snapshot.tables["figures"]
    wide = figures.pivot_table(index="geo_code", columns="indicator", values="value", aggfunc="first")
    wide = wide.reset_index().rename(columns={"geo_code": "area"})
    results = evaluate(wide, list_year, history=snapshot.registry.history())
    names = snapshot.tables["areas"].set_index("area")["name"]
    return pd.DataFrame([{"name": names.get(r.area, r.area), "designation": r.designation_label(),
                          "criteria_met": sum(c.met is True for c in r.criteria.values())} for r in results])
