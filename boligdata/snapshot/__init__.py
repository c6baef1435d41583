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

import pandas as pd

from ..criteria import AreaResult
from ..lists import get_list
from ..readers.values import parse_quarter

TABLES = ("areas", "criteria", "designations", "exits", "figures", "series", "gaps", "history", "coverage", "excluded",
          "conflicts", "results")


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
    def rules(self):
        """The rule version the coming list follows, as known on the as-of date (``enacted.py``)."""
        from ..rules import version_by_id

        return version_by_id(self.meta["rules"])

    def rows(self, table: str, column: str, values) -> pd.DataFrame:
        """The rows of ``table`` whose ``column`` is one of ``values``, in the table's order
        (``frames.select``: positions grouped once per table and column, shared by the copies of a
        cached snapshot).

        >>> snap = __import__("boligdata").load().quarter("2020Q3")
        >>> ids = ["odense-vollsmose", "odense-solbakken-mv"]
        >>> series = snap.tables["series"]
        >>> snap.rows("series", "geo_code", ids).equals(series[series["geo_code"].isin(ids)])
        True
        """
        from ..frames import select

        return select(self.tables[table], column, values, self.__dict__.setdefault("_positions", {}).setdefault(table, {}))

    def conflicts_of(self, area_id: str) -> pd.DataFrame:
        """The other sources' different values for the area's chosen figures, by indicator."""
        return self.rows("conflicts", "geo_code", area_id).set_index("indicator")

    @property
    def plans(self) -> pd.DataFrame:
        return self.registry.plans

    def area_ids(self, municipality: str | None = None) -> list[str]:
        """The monitored areas (of one municipality), most severe band first."""
        areas = self.tables["areas"] if municipality is None else self.rows("areas", "municipality_code", municipality)
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
        return self.rows("figures", "geo_code", area_id).set_index("indicator")


def _rebuild(snapshot: QuarterSnapshot, area_ids) -> dict:
    """AreaResult objects from the stored results (exact: see ``codec``)."""
    import json

    from .codec import decode

    stored = snapshot.tables["results"]
    wanted = set(area_ids)
    return {area: decode(json.loads(text)) for area, text in zip(stored["area"], stored["result"]) if area in wanted}
