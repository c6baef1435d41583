"""Compute a quarter once, as it stood on its date: the tidy tables every report reads.

Only figures with a vintage (and a period start) on or before the as-of date, and only lists
published by then, are used; what the date leaves out is counted. Per area the engine decides
the designations of the coming list, the distances in points and persons, the way off through
the levers still open, and the risk band.
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd

from ..crime import crime_figures_from_table, known_crime_figures
from ..criteria import evaluate_area
from ..enacted import governing_rules
from ..gaps import gap_table
from ..lists import coming_list, published_by
from ..present.marks import plain
from ..risk import compare_category, risk_band
from ..rules import count_indicators, criteria_indicators
from ..vintages import lock_date
from ..windows import state_of
from .codec import encode
from .figures import (
    coming_list_figures,
    one_per_period,
    source_conflicts,
    split_by_date,
)

BAND_ORDER = {"red": 0, "orange": 1, "prevent": 2, "undecided": 3, "yellow": 4, "green": 5}


def _text(value) -> str | None:
    """A Decimal (or int) kept exactly, as text; None stays None."""
    return None if value is None else format(value, "f") if not isinstance(value, (int, bool)) else str(value)


def _flag(value) -> str:
    return "undecided" if value is None else ("true" if value else "false")


def engine_rows(figures: pd.DataFrame, areas: pd.DataFrame) -> list[dict]:
    """One mapping per area (indicator id -> value) from the chosen figures, for ``evaluate_area``."""
    names = dict(zip(areas["area_id"], areas["area_name"]))
    rows = {}
    for area, indicator, value in zip(figures["geo_code"], figures["indicator"], figures["value"]):
        rows.setdefault(area, {"area": area, "area_name": names.get(area, area)})[indicator] = float(value)
    return [rows[a] for a in sorted(rows)]


def compute(tables, quarter: str, as_of: dt.date) -> dict:
    """Every table of the snapshot of ``quarter`` as it stood on ``as_of`` (a dict of frames + meta)."""
    lst = coming_list(as_of)
    rules = governing_rules(lst, as_of)
    from ..readers.values import period_bounds

    known, later = split_by_date(tables.observations, as_of, period_bounds(quarter)[1])
    series = one_per_period(known)
    has_criteria = series[(series["geo_level"] == "area") & series["indicator"].isin(criteria_indicators())]
    monitored = set(has_criteria["geo_code"])
    figures = coming_list_figures(series[series["geo_code"].isin(monitored)], lst.year,
                                  criteria_indicators() + count_indicators())
    states = criterion_states(rules, lst, as_of)
    figures["state"] = figures["indicator"].map(lambda i: states[i].state if i in states else None)
    figures["locked"] = figures["state"] == "published"
    figures["lock_date"] = figures["indicator"].map(lambda i: lock_date(lst, i))
    conflicts = source_conflicts(known[known["geo_level"] == "area"], figures)
    # Published figures only from the day they were public; the workspace's own are the user's word.
    crime = known_crime_figures().known_on(as_of).merged(crime_figures_from_table(tables.crime_averages))
    history = tables.history().known_by(as_of)
    municipality_of = dict(zip(tables.areas["area_id"], tables.areas["municipality_code"]))
    categories = tables.categories[tables.categories["period"] == quarter]
    own = dict(zip(categories["area_id"], categories["category"]))
    results, area_rows = [], []
    changes = {}
    for row in engine_rows(figures, tables.areas):
        result = evaluate_area(row, lst, history=history, crime=crime, as_of=as_of,
                               municipality=municipality_of.get(row["area"]))
        for conflict in conflicts[conflicts["geo_code"] == result.area].itertuples():
            other = evaluate_area(dict(row, **{conflict.indicator: float(conflict.other_value)}), lst, history=history,
                                  crime=crime, as_of=as_of, follow=False, run=result.run)
            changes[(result.area, conflict.indicator)] = ";".join(
                d for d, v in result.designations.items() if other.designations.get(d) != v)
        band = risk_band(result)
        results.append(result)
        run = result.run
        area_rows.append({
            "area": result.area, "name": result.name, "municipality_code": municipality_of.get(result.area),
            "residents": _text(result.residents), "population_ok": _flag(result.population_ok),
            "label_da": result.designation_label(),
            "most_severe": result.most_severe().id if result.most_severe() else None,
            "years_on_list": result.years_on_list, "years_open": result.years_open,
            "run_years": run.years if run else None, "run_open": run.open_ended if run else True,
            "run_first_covered": run.first_covered if run else None, "run_last_year": run.last_year if run else None,
            "band": band["band"], "band_label_da": band["band_label_da"], "band_colour": band["colour"],
            "band_reason_da": plain(band["reason_da"]), "own_category": own.get(result.area),
            "category_note_da": compare_category(band, own.get(result.area)),
            "notes": " | ".join(result.notes),
        })
    conflicts["changes"] = [changes.get((a, i), "") for a, i in zip(conflicts["geo_code"], conflicts["indicator"])]
    criteria_rows, designation_rows, exit_rows = tidy_rows(results)
    areas = pd.DataFrame(area_rows, columns=AREA_COLUMNS)
    if not areas.empty:
        areas = areas.assign(_order=areas["band"].map(BAND_ORDER)).sort_values(["_order", "name"]).drop(columns="_order")
    known_lists = {item.id for item in published_by(as_of)}
    history_rows = tables.list_history[tables.list_history["list_id"].isin(known_lists)]
    later_lists = tables.list_history[~tables.list_history["list_id"].isin(known_lists)]
    # What the date left out, per place: figures with a later vintage (or period), and list rows of later lists.
    figures_later = (later.groupby(["geo_level", "geo_code"], sort=True)
                     .agg(count=("indicator", "size"), first_date=("vintage", "min")).reset_index()
                     .assign(what="figures"))
    lists_later = (later_lists.assign(geo_level="area", geo_code=later_lists["area_id"])
                   .groupby(["geo_level", "geo_code"], sort=True).agg(count=("list_id", "size")).reset_index()
                   .assign(what="list_rows", first_date=pd.NaT))
    excluded = pd.concat([figures_later, lists_later], ignore_index=True)[
        ["what", "geo_level", "geo_code", "count", "first_date"]]
    coverage = tables.list_coverage[["municipality", "first_list", "source"]]
    tables_out = {
        "areas": areas.reset_index(drop=True),
        "criteria": pd.DataFrame(criteria_rows, columns=CRITERIA_COLUMNS),
        "designations": pd.DataFrame(designation_rows, columns=["area", "which", "list_id", "designation", "value",
                                                                "statute"]),
        "exits": pd.DataFrame(exit_rows, columns=EXIT_COLUMNS),
        "figures": figures.reset_index(drop=True),
        "series": series,
        "gaps": gap_table(_Source(series, tables)),
        "history": history_rows.reset_index(drop=True),
        "coverage": coverage.reset_index(drop=True),
        "excluded": excluded,
        "conflicts": conflicts,
        "results": pd.DataFrame({"area": [r.area for r in results],
                                 "result": [json.dumps(encode(r), ensure_ascii=False) for r in results]},
                                columns=["area", "result"]),
    }
    meta = {"quarter": quarter, "as_of": as_of.isoformat(), "list_id": lst.id, "rules": rules.id,
            "monitored": len(monitored)}
    return {"tables": tables_out, "meta": meta, "results": results}


def tidy_rows(results) -> tuple[list, list, list]:
    """The analysts' tidy tables of the results: one row per area × criterion (coming and following
    list), per area × designation, per way off (the coming list's and the following list's)."""
    criteria_rows, designation_rows, exit_rows = [], [], []
    for result in results:
        for which, r in (("coming", result), ("following", result.following)):
            if r is None:
                continue
            for cid, c in r.criteria.items():
                detail = c.threshold_detail
                criteria_rows.append({
                    "area": r.area, "which": which, "list_id": r.list.id, "criterion": cid,
                    "indicator": c.criterion.indicator, "value": _text(c.value), "threshold": _text(c.threshold),
                    "threshold_low": _text(detail.low) if detail else None,
                    "threshold_high": _text(detail.high) if detail else None,
                    "met": _flag(c.met), "distance_pp": _text(c.distance_pp), "persons": c.persons,
                    "denominator": _text(c.denominator), "reason": c.reason, "reason_code": c.reason_code,
                    "depends_on_choice": c.depends_on_choice, "state": c.state.state if c.state else None,
                    "open_share": float(c.state.open_share) if c.state else None, "persons_open": c.persons_open,
                })
            for did, value in r.designations.items():
                designation_rows.append({"area": r.area, "which": which, "list_id": r.list.id, "designation": did,
                                         "value": _flag(value), "statute": _flag(r.statute[did])
                                         if did in r.statute else None})
            for kind, path in (("action", r.exit), ("unpublished", r.unpublished)):
                if path is None:
                    continue
                exit_rows.append({"area": r.area, "which": which, "kind": kind, "designation": path.designation,
                                  "persons": path.persons, "persons_best": path.persons_best,
                                  "criteria": ";".join(path.criteria), "fixed": ";".join(path.fixed),
                                  "possible": path.possible, "undecided": ";".join(path.undecided),
                                  "list_id": path.list_id})
    return criteria_rows, designation_rows, exit_rows


def criterion_states(version, lst, as_of: dt.date) -> dict:
    """Per indicator of the list's criteria (and residents): its state on ``as_of``."""
    states = {"residents": state_of(version.population_window, lst.year, lock_date(lst, "residents"), as_of)}
    for criterion in version.ordered_criteria():
        states.setdefault(criterion.indicator,
                          state_of(criterion.window, lst.year, lock_date(lst, criterion.indicator), as_of))
    return states


class _Source:
    """What ``gap_table`` reads: a series and the workspace's registries."""

    def __init__(self, series, registry):
        self.series, self.registry = series, registry


AREA_COLUMNS = ["area", "name", "municipality_code", "residents", "population_ok", "label_da", "most_severe",
                "years_on_list", "years_open", "run_years", "run_open", "run_first_covered", "run_last_year",
                "band", "band_label_da", "band_colour", "band_reason_da", "own_category", "category_note_da", "notes"]
CRITERIA_COLUMNS = ["area", "which", "list_id", "criterion", "indicator", "value", "threshold", "threshold_low",
                    "threshold_high", "met", "distance_pp", "persons", "denominator", "reason", "reason_code",
                    "depends_on_choice", "state", "open_share", "persons_open"]
EXIT_COLUMNS = ["area", "which", "kind", "designation", "persons", "persons_best", "criteria", "fixed", "possible",
                "undecided", "list_id"]
