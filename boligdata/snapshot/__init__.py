"""The quarter snapshot: one workspace's quarter, computed once as it stood on its date.

``boligdata.load().quarter("2020Q3")`` returns a ``QuarterSnapshot``: tidy tables of the
figures chosen (with their provenance), the criteria, designations and ways off of every
monitored area, the risk bands, the list history as known then, the gaps to municipality,
region and country, and what the date left out. Every report, chart, sentence and export
reads slices of it, so one figure is shown the same way everywhere. Snapshots are stored in
``processed/snapshots/`` (parquet) and rebuilt when the inputs, the rules, the package or
the as-of date change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd

from ..criteria import AreaResult, CriterionResult, ExitPath
from ..history import Run
from ..lists import get_list
from ..readers.values import parse_quarter
from ..rules import CrimeFigure, Threshold

TABLES = ("areas", "criteria", "designations", "exits", "figures", "series", "gaps", "history", "coverage", "excluded")


def quarter_as_of(quarter: str, as_of: str | dt.date | None = None) -> tuple[str, dt.date]:
    """The canonical quarter and its as-of date (its last day unless given).

    >>> quarter_as_of("2020K3")
    ('2020Q3', datetime.date(2020, 9, 30))
    """
    from ..readers.values import period_bounds

    quarter = parse_quarter(quarter)
    end = period_bounds(quarter)[1]
    if as_of is None:
        return quarter, end
    return quarter, as_of if isinstance(as_of, dt.date) else dt.date.fromisoformat(str(as_of))


@dataclass
class QuarterSnapshot:
    """The tables of one quarter as it stood on ``as_of``; see the module docstring."""

    quarter: str
    as_of: dt.date
    meta: dict
    tables: dict
    workspace: object = None
    registry: object = None  # the workspace's areas, plans and other tables (``load.Tables``)
    _results: dict = field(default_factory=dict, repr=False)

    def __getattr__(self, name):
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(name)

    @property
    def list(self):
        """The coming list the quarter forecasts."""
        return get_list(self.meta["list_id"])

    @property
    def plans(self) -> pd.DataFrame:
        return self.registry.plans

    def area_ids(self, municipality: str | None = None) -> list[str]:
        """The monitored areas (of one municipality), most severe band first."""
        areas = self.tables["areas"]
        if municipality is not None:
            areas = areas[areas["municipality_code"] == municipality]
        return areas["area"].tolist()

    def results(self, area_ids=None) -> list[AreaResult]:
        """The engine's results, rebuilt from the stored tables, in the order of ``area_ids``."""
        ids = self.area_ids() if area_ids is None else list(area_ids)
        missing = [a for a in ids if a not in self._results]
        if missing:
            self._results.update(_rebuild(self, missing))
        return [self._results[a] for a in ids]

    def result(self, area_id: str) -> AreaResult:
        return self.results([area_id])[0]

    def area(self, area_id: str) -> pd.Series:
        """The area's row: label, years on the list, band and reason, own category."""
        return self.tables["areas"].set_index("area").loc[area_id]

    def chosen_period(self, area_id: str, indicator: str) -> str | None:
        """The period of the figure chosen for ``area_id`` and ``indicator`` (a dict lookup: reports
        ask this for every cell they print)."""
        lookup = self.__dict__.get("_chosen")
        if lookup is None:
            figures = self.tables["figures"]
            lookup = {}
            for key in zip(figures["geo_code"], figures["indicator"], figures["period"]):
                lookup.setdefault(key[:2], key[2])
            self.__dict__["_chosen"] = lookup
        return lookup.get((area_id, indicator))

    def figures_of(self, area_id: str) -> pd.DataFrame:
        """The figures chosen for the coming list, with source, vintage, status and lock."""
        figures = self.tables["figures"]
        return figures[figures["geo_code"] == area_id].set_index("indicator")


def _decimal(text) -> Decimal | None:
    return None if text is None or (not isinstance(text, str) and pd.isna(text)) else Decimal(str(text))


def _flag(text):
    return {"true": True, "false": False}.get(text)


def _text(value) -> str | None:
    """A stored text, or None (a column with no text at all is read back as NaN)."""
    return value if isinstance(value, str) else None


def _int(value):
    return None if value is None or pd.isna(value) else int(value)


def _by_area(frame: pd.DataFrame, area_ids) -> dict:
    """The rows of ``frame`` for ``area_ids`` as plain dicts, grouped by area (one pass: a report's
    first call rebuilds every area of the country)."""
    grouped: dict = {}
    for record in frame[frame["area"].isin(area_ids)].to_dict("records"):
        grouped.setdefault(record["area"], []).append(record)
    return grouped


def _rebuild(snapshot: QuarterSnapshot, area_ids) -> dict:
    """AreaResult objects from the stored rows (exact: decimals are stored as text)."""
    lst = snapshot.list
    version = lst.version
    areas = snapshot.tables["areas"]
    areas = {r["area"]: r for r in areas[areas["area"].isin(area_ids)].to_dict("records")}
    criteria = _by_area(snapshot.tables["criteria"], area_ids)
    designations = _by_area(snapshot.tables["designations"], area_ids)
    exits = _by_area(snapshot.tables["exits"], area_ids)
    locked = frozenset(snapshot.meta["locked"])
    out = {}
    for area_id in area_ids:
        row = areas[area_id]
        residents = _decimal(row["residents"])
        run = None
        if row["run_years"] is not None and not pd.isna(row["run_years"]):
            run = Run(int(row["run_years"]), bool(row["run_open"]),
                      None if pd.isna(row["run_first_covered"]) else row["run_first_covered"], _int(row["run_last_year"]))
        result = AreaResult(area_id, lst, version, residents, _flag(row["population_ok"]), name=row["name"],
                            locked=locked)
        result.run = run
        result.years_on_list = _int(row["years_on_list"])
        result.years_open = bool(row["years_open"])
        result.notes = [n for n in str(row["notes"] or "").split(" | ") if n]
        for c in criteria.get(area_id, []):
            criterion = version.criteria[c["criterion"]]
            detail = None
            if c["threshold_low"] is not None and not pd.isna(c["threshold_low"]):
                figure = CrimeFigure(lst.id, _decimal(c["figure_value"]),
                                     None if pd.isna(c["figure_multiple"]) else int(c["figure_multiple"]))
                detail = Threshold(_decimal(c["threshold"]), _decimal(c["threshold_low"]), _decimal(c["threshold_high"]),
                                   criterion.national_average_multiple, figure)
            result.criteria[c["criterion"]] = CriterionResult(
                criterion, _decimal(c["value"]), _decimal(c["threshold"]), _text(c["threshold_source"]), _flag(c["met"]),
                _decimal(c["distance_pp"]), _int(c["persons"]), _text(c["reason"]), _decimal(c["denominator"]),
                _text(c["reason_code"]), detail, bool(c["depends_on_choice"]))
        for d in designations.get(area_id, []):
            result.designations[d["designation"]] = _flag(d["value"])
        for e in exits.get(area_id, []):
            path = ExitPath(e["designation"], _int(e["persons"]), _int(e["persons_best"]),
                            tuple(x for x in e["criteria"].split(";") if x), tuple(x for x in e["locked"].split(";") if x),
                            bool(e["possible"]), tuple(x for x in e["undecided"].split(";") if x), e["list_id"])
            if e["which"] == "now":
                result.exit = path
            else:
                result.exit_next = path
        out[area_id] = result
    return out
