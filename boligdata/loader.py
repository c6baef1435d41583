"""One call for analysts: every tidy table of a workspace as pandas frames."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pandas as pd

from .ingest import ingest, processed_is_current, read_manifest
from .paths import Workspace, resolve_workspace
from .vocabulary import merge_only, put_in_force

TABLES = ("areas", "plans", "observations", "list_history", "list_coverage", "activities", "economy", "staff",
          "letting", "support_counts", "categories", "crime_averages", "confirmations", "confirmed")


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
    confirmations: pd.DataFrame  # raw/bekraeftelser*: the outliers the workspace confirmed
    confirmed: pd.DataFrame      # the figures a check found implausible and a confirmation let through
    # What is derived from the frames once (the list history, rows grouped by a column): shared by
    # every Tables that ``load`` returns for the same files, while a frame is the one it gave
    # (``as_loaded``: the ids of the frames); a caller who puts another frame in its place gets
    # what is derived from that, kept on this object.
    shared: dict = field(default_factory=dict, repr=False, compare=False)
    as_loaded: dict = field(default_factory=dict, repr=False, compare=False)

    def _memo(self, *names: str) -> dict:
        pristine = all(id(getattr(self, n)) == self.as_loaded.get(n) for n in names)
        own = self.__dict__.setdefault("_own", {})
        key = names if pristine else (names, *(id(getattr(self, n)) for n in names))
        return (self.shared if pristine else own).setdefault(key, {})

    def rows(self, table: str, column: str, values) -> pd.DataFrame:
        """The rows of ``table`` whose ``column`` is one of ``values`` (``frames.select``).

        >>> tables = load()
        >>> tables.rows("areas", "municipality_code", "461").equals(tables.areas[tables.areas["municipality_code"] == "461"])
        True
        """
        from .frames import select

        return select(getattr(self, table), column, values, self._memo(table))

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

        memo = self._memo("list_history", "list_coverage", "areas")
        if "history" in memo:
            return memo["history"]
        coverage = dict(zip(self.list_coverage["municipality"], self.list_coverage["first_list"]))
        rows = self.list_history.rename(columns={"area_id": "area"})
        history = ListHistory(rows, coverage, dict(zip(self.areas["area_id"], self.areas["municipality_code"])))
        memo["history"] = history
        return history

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
    manifest = read_manifest(ws) or {}
    # The workspace's own indicators, bands and bounds (validated by ingest) are in force for it.
    put_in_force(merge_only(manifest.get("vocabulary", {}).get("own", {})))
    # A process that builds many reports (a batch worker process) reads the tables once. The key is
    # the tables' hashes, which processed_is_current() has just checked against the files.
    key = json.dumps(manifest.get("tables", {}), sort_keys=True)
    cached = _LOADED.get(str(ws.processed))
    if cached is None or cached[0] != key:
        cached = (key, {name: pd.read_parquet(ws.processed / f"{name}.parquet") for name in TABLES}, {})
        _LOADED[str(ws.processed)] = cached
    # Shallow copies: with pandas' copy-on-write a caller that changes a frame changes its own copy,
    # never the cache (so one report cannot leak into the next).
    frames = {name: frame.copy(deep=False) for name, frame in cached[1].items()}
    return Tables(workspace=ws, manifest=manifest, **frames, shared=cached[2],
                  as_loaded={name: id(frame) for name, frame in frames.items()})


_LOADED: dict = {}  # processed/ folder -> (hash of its tables, frames, what is derived from them)
