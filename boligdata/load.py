"""One call for analysts: every tidy table of a workspace as pandas frames."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .ingest import ingest, processed_is_current, read_manifest
from .paths import Workspace, resolve_workspace

TABLES = ("areas", "plans", "observations", "list_history", "activities", "economy", "staff",
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
