"""Helhedsplan follow-up: LBF's fixed goals, activity targets, economy, staff, own series.

What a helhedsplan board and the byråd ask for (seeds 000, 002, 004): the fixed indicators
against the municipality, the delmål's activity targets year by year, the budget and
accounts by financing party with the local co-financing share, the staff per focus area,
and the area's own quarterly series (public support, strategic letting).
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from .catalog import load_catalog
from .datafiles import check_keys, package_yaml
from .errors import ParameterError
from .gaps import gap_development, gap_table, series_at
from .readers.values import parse_quarter, period_bounds

PARTIES = ("lbf", "municipality", "housing_organisations", "other")
PARTY_DA = {"lbf": "Landsbyggefonden", "municipality": "Kommunen",
            "housing_organisations": "Boligorganisationerne", "other": "Andre"}
# The same parties when the amounts are the municipality's part of a plan (a municipal note's table).
PARTY_PART_DA = {"lbf": "Landsbyggefonden (køb af kommunale aktiviteter)", "municipality": "Kommunens medfinansiering"}
KIND_DA = {"accounts": "Regnskab", "budget": "Budget"}


@lru_cache(maxsize=1)
def plan_settings() -> dict:
    """The co-financing requirement and the wanted directions of the own series (data file).

    >>> plan_settings()["cofinancing"]["min_local_share_pct"]
    25
    """
    document = check_keys(package_yaml("plan_settings.yaml"), "plan_settings.yaml",
                          required=["cofinancing", "support_directions", "support_source"])
    check_keys(document["cofinancing"], "plan_settings.yaml cofinancing",
               required=["min_local_share_pct", "applies_from_year", "source"])
    for measure, entry in document["support_directions"].items():
        check_keys(entry, f"plan_settings.yaml support_directions.{measure}", required=["direction", "label_da"])
    return document


def _plan(tables, plan_id: str) -> pd.Series:
    if not hasattr(tables, "plans"):
        raise ParameterError(f"expected the tables of load() (or a quarter snapshot), not {type(tables).__name__}")
    plans = tables.plans.set_index("plan_id")
    if plan_id not in plans.index:
        raise ParameterError(f"unknown plan '{plan_id}' (known: {', '.join(sorted(plans.index))})")
    return plans.loc[plan_id]


def _area(tables, area_id: str) -> None:
    if not hasattr(tables, "areas"):
        raise ParameterError(f"expected the tables of load() (or a quarter snapshot), not {type(tables).__name__}")
    if area_id not in set(tables.areas["area_id"]):
        raise ParameterError(f"unknown area '{area_id}' (an områdekode of raw/omraader*)")


def goals_table(source, plan_id: str) -> pd.DataFrame:
    """LBF's fixed indicators (and sub-goals with a baseline) for one plan against the municipality.

    ``source`` is a quarter snapshot (the figures as known on its date) or the workspace's tables.

    One row per indicator: baseline and latest values for the plan's area and the
    municipality, both changes, and the development relative to the municipality. An
    indicator without a municipal figure (a survey) says so; it is never shown as zero.
    """
    _plan(getattr(source, "registry", None) or source, plan_id)
    catalog = load_catalog()
    wanted = catalog[catalog["group"].isin(["lbf_fixed", "plan_goal"])]
    gaps = gap_table(source, levels=("plan",), geo_codes=[plan_id])
    development = gap_development(gaps).set_index("indicator")
    own = series_at(source, [plan_id])
    own = own[(own["geo_level"] == "plan") & own["value"].notna()][["indicator", "period", "value", "status"]]
    rows = []
    for indicator, entry in wanted.iterrows():
        mine = own[own["indicator"] == indicator].sort_values("period")
        row = {"indicator": indicator, "label_da": entry["label_da"], "group": entry["group"],
               "unit": entry["unit"], "better": entry["better"]}
        if mine.empty:
            rows.append({**row, "note_da": "ingen data for helhedsplanens område"})
            continue
        first, last = mine.iloc[0], mine.iloc[-1]
        row.update({"baseline_period": first["period"], "baseline_value": first["value"],
                    "latest_period": last["period"], "latest_value": last["value"],
                    "change": last["value"] - first["value"],
                    "synthetic": bool((mine["status"] == "synthetic").any())})
        if not entry["municipal_baseline"]:
            row["note_da"] = "opgøres ikke for kommunen"
        elif indicator in development.index:
            d = development.loc[indicator]
            row.update({"baseline_municipality": d["baseline_municipality"], "latest_municipality": d["latest_municipality"],
                        "municipality_change": d["latest_municipality"] - d["baseline_municipality"],
                        "baseline_gap": d["baseline_gap"], "latest_gap": d["latest_gap"], "trend": d["trend"],
                        "development": d["development"]})
        else:
            row["note_da"] = "ingen kommunetal for samme periode"
        rows.append(row)
    return pd.DataFrame(rows)


def activity_table(tables, plan_id: str, as_of=None) -> pd.DataFrame:
    """Per activity indicator and year: target, actual and share of target.

    A year without a registration is "ikke registreret", never zero. With ``as_of``, a year
    not yet over on that date has no result (its target is a plan, so it stays).
    """
    _plan(tables, plan_id)
    acts = tables.activities[tables.activities["plan_id"] == plan_id].copy()
    if as_of is not None:
        acts.loc[acts["year"] >= as_of.year, "actual"] = pd.NA
    acts["share_of_target_pct"] = (acts["actual"] / acts["target"] * 100).astype("Float64")
    acts["status_da"] = [
        "ikke registreret" if pd.isna(a) else ("nået" if a >= t else "ikke nået")
        for a, t in zip(acts["actual"], acts["target"])
    ]
    acts["unit"] = acts["unit"].fillna("persons")
    columns = ["focus_area", "indicator", "year", "target", "actual", "share_of_target_pct", "status_da",
               "unit", "data_source", "status"]
    return acts[columns].sort_values(["focus_area", "indicator", "year"]).reset_index(drop=True)


def economy_table(tables, plan_id: str, as_of=None) -> pd.DataFrame:
    """Budget and accounts per year by financing party, totals and cumulative sums.

    ``scope`` says what the amounts cover: the whole plan, or the municipality's part (what
    Landsbyggefonden bought of municipal activities, and the municipality's co-financing, as a
    municipal note may give them). Only for the whole plan is a local co-financing share
    computed (everything not paid by Landsbyggefonden). With ``as_of``, accounts of a year not
    over on that date are left out (they cannot have been known).
    """
    _plan(tables, plan_id)
    economy = tables.economy[tables.economy["plan_id"] == plan_id]
    if as_of is not None:
        economy = economy[(economy["kind"] != "accounts") | (economy["year"] < as_of.year)]
    columns = ["year", "kind", *PARTIES, "total", "cumulative_total", "local_share_pct", "scope"]
    if economy.empty:
        return pd.DataFrame(columns=columns)
    scopes = set(economy["scope"].fillna("plan"))
    if len(scopes) > 1:
        raise ParameterError(f"plan '{plan_id}': the economy mixes the whole plan and the municipality's part; "
                             f"give one of them (column omfang)")
    scope = scopes.pop()
    wide = economy.pivot_table(index=["year", "kind"], columns="party", values="amount_dkk", aggfunc="sum")
    wide = wide.reindex(columns=list(PARTIES)).reset_index().sort_values("year")
    present = [p for p in PARTIES if economy["party"].eq(p).any()]
    wide["total"] = wide[present].sum(axis=1)
    wide["cumulative_total"] = wide["total"].cumsum()
    wide["local_share_pct"] = ((wide["total"] - wide["lbf"].fillna(0)) / wide["total"] * 100) if scope == "plan" \
        else float("nan")
    wide["scope"] = scope
    wide.columns.name = None
    return wide[columns].reset_index(drop=True)


def economy_totals(economy: pd.DataFrame) -> dict:
    """Totals over all years per party, the grand total and (for the whole plan) the local share.

    >>> t = pd.DataFrame({"lbf": [606000, 2530000], "municipality": [619000, 2575000],
    ...                   "housing_organisations": [None, None], "other": [None, None], "total": [1225000, 5105000],
    ...                   "scope": "plan"})
    >>> economy_totals(t)["total"], round(economy_totals(t)["local_share_pct"], 2)
    (6330000.0, 50.46)
    """
    totals = {party: float(economy[party].sum()) for party in PARTIES if economy[party].notna().any()}
    totals["total"] = float(economy["total"].sum())
    totals["scope"] = economy["scope"].iloc[0] if len(economy) else "plan"
    if totals["scope"] == "plan":
        totals["local_share_pct"] = (totals["total"] - totals.get("lbf", 0.0)) / totals["total"] * 100
    return totals


def cofinancing_requirement(plan: pd.Series) -> dict | None:
    """LBF's requirement of local co-financing, where it applies to the plan (adopted, or started,
    from the year of the funds it belongs to); None where the plan is older.

    >>> cofinancing_requirement(pd.Series({"adopted": "2017-06-26", "start_date": "2017-01-01"})) is None
    True
    """
    settings = plan_settings()["cofinancing"]
    when = plan.get("adopted") if pd.notna(plan.get("adopted")) else plan.get("start_date")
    if pd.notna(when) and pd.Timestamp(when).year < int(settings["applies_from_year"]):
        return None
    return settings


def staff_table(tables, plan_id: str) -> pd.DataFrame:
    """Staff per focus area with shares and hours, and the municipally financed hours per week."""
    _plan(tables, plan_id)
    staff = tables.staff[tables.staff["plan_id"] == plan_id].copy()
    staff["municipal"] = staff["financed_by"].fillna("").str.contains("kommunal", case=False)
    return staff[["focus_area", "role", "share_pct", "hours_per_week", "financed_by", "municipal"]].reset_index(drop=True)


def staff_summary(staff: pd.DataFrame) -> pd.DataFrame:
    """Per focus area: number of roles, hours per week given, of which municipally financed."""
    grouped = staff.groupby("focus_area", sort=False)
    return pd.DataFrame({
        "roles": grouped.size(),
        "hours_per_week": grouped["hours_per_week"].sum(min_count=1),
        "municipal_hours_per_week": grouped.apply(lambda g: g.loc[g["municipal"], "hours_per_week"].sum(min_count=1),
                                                  include_groups=False),
    }).reset_index()


def support_series(tables, area_id: str, start: str | None = None, as_of=None) -> pd.DataFrame:
    """Publicly supported and self-supporting residents: start, latest, change, wanted direction.

    ``start`` is the period to measure from (default: each measure's first period); with
    ``as_of`` only periods ended by that date count.
    """
    _area(tables, area_id)
    directions = plan_settings()["support_directions"]
    counts = tables.rows("support_counts", "area_id", area_id)
    if as_of is not None:
        counts = counts[pd.Series([period_bounds(p)[1] <= as_of for p in counts["period"]], index=counts.index,
                                  dtype=bool)]
    rows = []
    for measure, part in counts.groupby("measure", sort=True):
        part = part.sort_values("period")
        first = part[part["period"] == start] if start else part.head(1)
        if first.empty:
            raise ParameterError(f"no {measure} count for {area_id} in {start}")
        first, last = first.iloc[0], part.iloc[-1]
        change = int(last["count"]) - int(first["count"])
        wanted = directions[measure]["direction"]
        rows.append({"measure": measure, "label_da": directions[measure]["label_da"],
                     "start_period": first["period"], "start_count": int(first["count"]),
                     "latest_period": last["period"], "latest_count": int(last["count"]),
                     "change": change, "wanted_direction": wanted,
                     "as_wanted": (change < 0) if wanted == "down" else (change > 0)})
    return pd.DataFrame(rows, columns=["measure", "label_da", "start_period", "start_count", "latest_period",
                                       "latest_count", "change", "wanted_direction", "as_wanted"])


def letting_table(tables, area_id: str, quarter: str) -> pd.DataFrame:
    """Strategic letting by type: the quarter, the year to date and the whole previous year.

    A figure is taken as published for exactly that span of quarters, or summed from the
    single quarters when all of them are there; otherwise it is missing (never zero).
    """
    _area(tables, area_id)
    quarter = parse_quarter(quarter)
    year = int(quarter[:4])
    spans = {"quarter": (quarter, quarter), "year_to_date": (f"{year}Q1", quarter),
             "previous_year": (f"{year - 1}Q1", f"{year - 1}Q4")}
    letting = tables.rows("letting", "area_id", area_id)
    rows = []
    for letting_type, part in letting.groupby("letting_type", sort=False):
        row = {"letting_type": letting_type}
        for name, (first, last) in spans.items():
            exact = part[(part["period_from"] == first) & (part["period_to"] == last)]
            if not exact.empty:
                row[name] = exact["count"].iloc[0]
                continue
            first_year, last_year = int(first[:4]), int(last[:4])
            quarters = [f"{y}Q{q}" for y in range(first_year, last_year + 1) for q in range(1, 5)
                        if f"{first_year}Q{int(first[-1])}" <= f"{y}Q{q}" <= last]
            singles = part[(part["period_from"] == part["period_to"]) & part["period_from"].isin(quarters)]
            complete = len(singles) == len(quarters) and singles["count"].notna().all()
            row[name] = singles["count"].sum() if complete else pd.NA
        rows.append(row)
    frame = pd.DataFrame(rows, columns=["letting_type", *spans])
    for name in spans:
        frame[name] = frame[name].astype("Int64")
    return frame
