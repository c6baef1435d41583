"""One call for analysts: every tidy table of a workspace as pandas frames."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .ingest import ingest, processed_is_current, read_manifest
from .paths import Workspace, resolve_workspace

TABLES = ("areas", "plans", "observations", "list_history", "list_coverage", "activities", "economy", "staff",
          "letting", "support_counts", "categories", "crime_averages")


@dataclass
class Tables:
    """The data model's tables (see docs/data-model.md), plus the manifest of the ingest."""

    workspace: Workspace
    manifest: dict
    areas: pd.DataFrame
    plans: pd.DataFrame
    observations: pd.DataFrame
    list_history: pd.DataFrame
    list_coverage: pd.DataFrame
    activities: pd.DataFrame
    economy: pd.DataFrame
    staff: pd.DataFrame
    letting: pd.DataFrame
    support_counts: pd.DataFrame
    categories: pd.DataFrame
    crime_averages: pd.DataFrame

    @property
    def synthetic(self) -> bool:
        """True when any row of any table is synthetic (reports must then say so)."""
        return any(t.get("synthetic_rows", 0) for t in self.manifest.get("tables", {}).values())

    def quarter(self, quarter: str, as_of=None, *, store: bool = True):
        """The quarter snapshot: every table of the quarter as it stood on ``as_of`` (its last day).

        It is kept in processed/snapshots/ for the next call unless ``store`` is False.

        >>> snap = load().quarter("2020Q3")
        >>> snap.area("odense-solbakken-mv")["label_da"]
        'Hårdt ghettoområde'
        """
        from .snapshot.store import quarter_snapshot

        return quarter_snapshot(self, quarter, as_of, store=store)

    def history(self):
        """The list history as a ``ListHistory``, with its coverage per municipality.

        >>> load().history().run("odense-vollsmose", "2020-12-01").years
        10
        """
        from .history import ListHistory

        coverage = dict(zip(self.list_coverage["municipality"], self.list_coverage["first_list"]))
        rows = self.list_history.rename(columns={"area_id": "area"})
        return ListHistory(rows, coverage, dict(zip(self.areas["area_id"], self.areas["municipality_code"])))

    def __repr__(self) -> str:
        sizes = ", ".join(f"{name}={len(getattr(self, name))}" for name in TABLES)
        return f"Tables({sizes})"


def load(workspace=None) -> Tables:
    """Load the tidy tables from processed/, ingesting first when raw/ has changed.

    >>> tables = load()
    >>> tables.observations.columns[:4].tolist()
    ['geo_level', 'geo_code', 'indicator', 'period']
    >>> tables.areas.set_index("area_id").loc["odense-vollsmose", "municipality_name"]
    'Odense'
    """
    ws = workspace if isinstance(workspace, Workspace) else resolve_workspace(workspace)
    if not processed_is_current(ws):
        ingest(ws)
    frames = {name: pd.read_parquet(ws.processed / f"{name}.parquet") for name in TABLES}
    return Tables(workspace=ws, manifest=read_manifest(ws) or {}, **frames)
