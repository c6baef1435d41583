"""Areas against their municipality, region and the whole country, and how the gap develops.

Landsbyggefonden holds every helhedsplan area's development up against the municipality's
(seed 002 § 5). A verdict knows the indicator's better direction from the catalogue; for
indicators where no direction is better it says higher or lower, never better or worse.
"""

from __future__ import annotations

import pandas as pd

from .catalog import load_catalog
from .errors import ParameterError
from .municipalities import COUNTRY_CODE, municipalities


def verdict(gap, better: str, tolerance: float = 0.0) -> str:
    """better / worse / on_par, or higher / lower where no direction is better.

    >>> verdict(21.0, "lower"), verdict(-2.0, "lower"), verdict(0.1, "higher", 0.5), verdict(3, "none")
    ('worse', 'better', 'on_par', 'higher')
    """
    if gap is None or pd.isna(gap):
        return "unknown"
    if abs(gap) <= tolerance:
        return "on_par"
    if better == "none":
        return "higher" if gap > 0 else "lower"
    return "better" if (gap < 0) == (better == "lower") else "worse"


def series_at(source, geo_codes) -> pd.DataFrame:
    """The rows of ``series_of(source)`` for the places ``geo_codes``; a snapshot gives them from
    positions grouped once (``QuarterSnapshot.rows``), the workspace's tables by a mask."""
    series = series_of(source)  # checks what ``source`` is
    if hasattr(source, "series") and hasattr(source, "rows"):
        return source.rows("series", "geo_code", sorted(set(geo_codes), key=str))
    return series[series["geo_code"].isin(list(geo_codes))]


def series_of(source) -> pd.DataFrame:
    """One figure per place, indicator and period: a quarter snapshot's, or all of a workspace's."""
    if hasattr(source, "series"):
        return source.series
    if not hasattr(source, "observations"):
        raise ParameterError(f"expected a quarter snapshot (load().quarter('2020Q3')) or the tables of load(), "
                             f"not {type(source).__name__}")
    from .snapshot.figures import one_per_period

    missing = OBSERVATION_COLUMNS - set(source.observations.columns)
    if missing:
        raise ParameterError(f"the observations lack the columns {', '.join(sorted(missing))}; load them with load()")
    return one_per_period(source.observations)


OBSERVATION_COLUMNS = {"geo_level", "geo_code", "indicator", "period", "value", "source", "vintage", "status"}


def verdicts(gap: pd.Series, better: pd.Series, tolerance: pd.Series) -> pd.Series:
    """``verdict`` for whole columns at once (the same rule, vectorised).

    >>> verdicts(pd.Series([21.0, -2.0, 0.1, 3.0, None]), pd.Series(["lower", "lower", "higher", "none", "lower"]),
    ...          pd.Series([0.0, 0.0, 0.5, 0.0, 0.0])).tolist()
    ['worse', 'better', 'on_par', 'higher', 'unknown']
    """
    import numpy as np

    gap = gap.astype("float64")
    conditions = [gap.isna(), gap.abs() <= tolerance, better == "none",
                  (gap < 0) == (better == "lower")]
    choices = ["unknown", "on_par", np.where(gap > 0, "higher", "lower"), "better"]
    return pd.Series(np.select(conditions, choices, default="worse"), index=gap.index)


def gap_table(source, levels=("area", "plan"), geo_codes=None) -> pd.DataFrame:
    """Every area (and plan) × indicator × period beside its municipality, region and country.

    ``source`` is a quarter snapshot (its figures as known on its date) or the workspace's
    tables (every figure). Columns: ``geo_level, geo_code, indicator, period, value,
    municipality_code, municipality_value, region_value, country_value, gap, ratio, verdict``; the gap is the area's value minus the municipality's (points for shares).
    ``geo_codes`` limits the table to those areas or plans.
    """
    catalog = load_catalog()
    series = series_of(source)  # checks what ``source`` is before anything else reads it
    registry = getattr(source, "registry", None) or source  # a snapshot's registry is its workspace's tables
    areas, plans = registry.areas, registry.plans
    home = pd.concat([
        areas[["area_id", "municipality_code"]].rename(columns={"area_id": "geo_code"}).assign(geo_level="area"),
        plans[["plan_id", "municipality_code"]].rename(columns={"plan_id": "geo_code"}).assign(geo_level="plan"),
    ])
    home["region_code"] = home["municipality_code"].map(municipalities()["region_code"])
    obs = series
    if geo_codes is not None:
        home = home[home["geo_code"].isin(list(geo_codes))]
        wanted = set(home["geo_code"]) | set(home["municipality_code"]) | set(home["region_code"]) | {COUNTRY_CODE}
        obs = series_at(source, wanted)
    local = obs[obs["geo_level"].isin(levels) & obs["geo_code"].isin(set(home["geo_code"]))].merge(
        home, on=["geo_level", "geo_code"], how="left")

    def level_values(level, key, name):
        part = obs[obs["geo_level"] == level][["geo_code", "indicator", "period", "value"]]
        return part.rename(columns={"geo_code": key, "value": name})

    local = local.merge(level_values("municipality", "municipality_code", "municipality_value"),
                        on=["municipality_code", "indicator", "period"], how="left")
    local = local.merge(level_values("region", "region_code", "region_value"),
                        on=["region_code", "indicator", "period"], how="left")
    country = level_values("country", "country_code", "country_value").drop(columns="country_code")
    local = local.merge(country, on=["indicator", "period"], how="left")
    entry = catalog.reindex(local["indicator"])
    # A count of persons is no level to compare: an area of 2.000 beside a kommune of 360.000 is not
    # "lower than the kommune". Only rates, averages and shares have a gap.
    counts = (entry["unit"] == "persons").to_numpy()
    local["gap"] = (local["value"] - local["municipality_value"]).mask(counts)
    local["ratio"] = (local["value"] / local["municipality_value"]).mask(counts)
    result = verdicts(local["gap"], entry["better"].reset_index(drop=True).set_axis(local.index),
                      entry["tolerance"].reset_index(drop=True).set_axis(local.index))
    no_baseline = local["municipality_value"].isna() & ~entry["municipal_baseline"].astype(bool).to_numpy()
    local["verdict"] = result.where(~no_baseline, "no_baseline")
    columns = ["geo_level", "geo_code", "indicator", "period", "year", "value", "denominator", "status", "source",
               "vintage", "municipality_code", "municipality_value", "region_value", "country_value", "gap", "ratio",
               "verdict"]
    return local[columns].sort_values(["geo_level", "geo_code", "indicator", "period"]).reset_index(drop=True)


def gap_development(gaps: pd.DataFrame, baseline_period: str | None = None) -> pd.DataFrame:
    """Per geography × indicator: the gap at the baseline period and now, and its development.

    ``trend`` is ``narrowed``, ``widened`` or ``unchanged`` (the absolute gap), or ``single``
    where there is one period only (no development to tell);
    ``development`` is ``better``/``worse``/``on_par`` for the area's change relative to the
    municipality's change, by the indicator's better direction.

    >>> g = pd.DataFrame({"geo_level": "plan", "geo_code": "p", "indicator": "lbf_no_attachment_18_64_pct",
    ...     "period": ["2019", "2022"], "value": [38.0, 34.0], "municipality_value": [17.0, 16.0],
    ...     "gap": [21.0, 18.0]})
    >>> gap_development(g)[["baseline_gap", "latest_gap", "gap_change", "trend", "development"]].to_dict("records")
    [{'baseline_gap': 21.0, 'latest_gap': 18.0, 'gap_change': -3.0, 'trend': 'narrowed', 'development': 'better'}]
    """
    catalog = load_catalog()
    rows = []
    for (level, code, indicator), part in gaps[gaps["gap"].notna()].groupby(["geo_level", "geo_code", "indicator"]):
        part = part.sort_values("period")
        base = part[part["period"] == baseline_period] if baseline_period else part.head(1)
        if base.empty:
            continue
        base, latest = base.iloc[0], part.iloc[-1]
        # Rounded: the inputs have at most a few decimals, and 25,4 - 25,4 must be no change, not 1e-15.
        change = round(float(latest["gap"] - base["gap"]), 9)
        before, after = round(abs(float(base["gap"])), 9), round(abs(float(latest["gap"])), 9)
        trend = "single" if latest["period"] == base["period"] else (
            "unchanged" if after == before else "narrowed" if after < before else "widened")
        relative = round(float((latest["value"] - base["value"])
                               - (latest["municipality_value"] - base["municipality_value"])), 9)
        rows.append({
            "geo_level": level, "geo_code": code, "indicator": indicator,
            "baseline_period": base["period"], "baseline_value": float(base["value"]),
            "baseline_municipality": float(base["municipality_value"]), "baseline_gap": float(base["gap"]),
            "latest_period": latest["period"], "latest_value": float(latest["value"]),
            "latest_municipality": float(latest["municipality_value"]), "latest_gap": float(latest["gap"]),
            "gap_change": change, "trend": trend,
            "development": "unknown" if trend == "single" else
            verdict(relative, catalog.loc[indicator, "better"], catalog.loc[indicator, "tolerance"]),
        })
    columns = ["geo_level", "geo_code", "indicator", "baseline_period", "baseline_value", "baseline_municipality",
               "baseline_gap", "latest_period", "latest_value", "latest_municipality", "latest_gap", "gap_change",
               "trend", "development"]
    return pd.DataFrame(rows, columns=columns)
