"""Snapshots on disk: ``processed/snapshots/<quarter>-<as-of>/`` (parquet), listed in the manifest.

A snapshot is reused while its key holds: the hash of the ingested inputs (which includes
the rules and settings), the hash of the package's code, the quarter and the as-of date.
Anything else changed, and it is computed again. A read-only ``processed/`` still works:
the snapshot is then computed in memory only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import shutil
from functools import lru_cache

import pandas as pd

from ..errors import OutputError
from ..paths import PACKAGE_DIR
from . import TABLES, QuarterSnapshot, quarter_as_of
from .compute import compute

FOLDER = "snapshots"


@lru_cache(maxsize=1)
def code_hash() -> str:
    """A hash of the package's code and data: a new engine never reads an old snapshot."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE_DIR.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".yaml", ".csv", ".j2", ".json"):
            digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def snapshot_key(tables, quarter: str, as_of: dt.date) -> str:
    text = json.dumps([tables.manifest.get("input_hash", ""), code_hash(), quarter, as_of.isoformat()])
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def _folder(tables, quarter: str, as_of: dt.date):
    return tables.workspace.processed / FOLDER / f"{quarter}-{as_of.isoformat()}"


def _read(folder, key: str) -> dict | None:
    meta_path = folder / "meta.json"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    if meta.get("key") != key:
        return None
    try:
        frames = {name: pd.read_parquet(folder / f"{name}.parquet") for name in TABLES}
    except OSError:
        return None
    return {"meta": meta, "tables": frames}


def _parquet(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False, engine="pyarrow", compression="zstd")
    return buffer.getvalue()


def _write(tables, folder, computed: dict, key: str) -> None:
    """Write the snapshot into a new folder and move it into place; record it in the manifest."""
    from ..ingest import MANIFEST, IngestLock, atomic_write, read_manifest

    meta = {**computed["meta"], "key": key}
    blobs = {name: _parquet(frame) for name, frame in computed["tables"].items()}
    staging = folder.with_name(f".{folder.name}.{key}.tmp")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        staging.mkdir(parents=True)
        for name, blob in blobs.items():
            (staging / f"{name}.parquet").write_bytes(blob)
        (staging / "meta.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    with IngestLock(tables.workspace):
        manifest = read_manifest(tables.workspace) or {}
        if manifest.get("input_hash") != tables.manifest.get("input_hash"):
            shutil.rmtree(staging, ignore_errors=True)  # a newer ingest came in between: keep it in memory only
            return
        old = folder.with_name(f".{folder.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        if folder.exists():
            folder.rename(old)
        staging.rename(folder)
        shutil.rmtree(old, ignore_errors=True)
        entries = manifest.setdefault("snapshots", {})
        entries[folder.name] = {"key": key, "quarter": meta["quarter"], "as_of": meta["as_of"],
                                "list_id": meta["list_id"],
                                "tables": {name: {"rows": int(len(computed["tables"][name])),
                                                  "sha256": hashlib.sha256(blob).hexdigest()}
                                           for name, blob in blobs.items()}}
        atomic_write(tables.workspace.processed / MANIFEST,
                     (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode())


def quarter_snapshot(tables, quarter: str, as_of=None, *, store: bool = True) -> QuarterSnapshot:
    """The snapshot of ``quarter`` as it stood on ``as_of`` (default: the quarter's last day).

    Read from ``processed/snapshots/`` when current, else computed (and stored when possible).

    >>> from boligdata import load
    >>> snap = load().quarter("2020Q3")
    >>> snap.list.id, snap.as_of.isoformat()
    ('2020-12-01', '2020-09-30')
    """
    quarter, as_of = quarter_as_of(quarter, as_of)
    key = snapshot_key(tables, quarter, as_of)
    cached = _SNAPSHOTS.get((str(tables.workspace.processed), key))
    if cached is not None:  # read once per process; each caller gets its own (copy-on-write) frames
        cached.chosen_period("", "")  # build the lookup once, on the cached snapshot
        copy = QuarterSnapshot(quarter, as_of, dict(cached.meta), {n: f.copy(deep=False) for n, f in cached.tables.items()},
                               tables.workspace, tables, cached._results)  # results are rebuilt once and shared
        copy.__dict__["_chosen"] = cached.__dict__["_chosen"]
        copy.__dict__["_positions"] = cached.__dict__.setdefault("_positions", {})  # rows(): grouped once
        return copy
    snapshot = _snapshot(tables, quarter, as_of, key, store)
    if len(_SNAPSHOTS) >= 8:
        _SNAPSHOTS.pop(next(iter(_SNAPSHOTS)))
    _SNAPSHOTS[(str(tables.workspace.processed), key)] = snapshot
    return quarter_snapshot(tables, quarter, as_of, store=store)


_SNAPSHOTS: dict = {}  # (processed/ folder, snapshot key) -> QuarterSnapshot, the last few of this process


def _snapshot(tables, quarter: str, as_of: dt.date, key: str, store: bool) -> QuarterSnapshot:
    folder = _folder(tables, quarter, as_of)
    stored = _read(folder, key)
    if stored is None:
        computed = compute(tables, quarter, as_of)
        if store:
            try:
                _write(tables, folder, computed, key)
            except (OSError, OutputError):
                pass  # read-only or full processed/: the snapshot lives in memory for this run
        snapshot = QuarterSnapshot(quarter, as_of, {**computed["meta"], "key": key}, computed["tables"],
                                   tables.workspace, tables)
        snapshot._results.update({r.area: r for r in computed["results"]})
        return snapshot
    return QuarterSnapshot(quarter, as_of, stored["meta"], stored["tables"], tables.workspace, tables)


def ensure_stored(tables, quarter: str, as_of=None) -> None:
    """Compute and store the snapshot unless processed/ holds it already (read nothing but its key)."""
    quarter, as_of = quarter_as_of(quarter, as_of)
    if not _is_stored(tables, quarter, as_of):
        quarter_snapshot(tables, quarter, as_of)


def _is_stored(tables, quarter: str, as_of: dt.date) -> bool:
    """Whether processed/ holds the current snapshot (only its key is read)."""
    try:
        meta = json.loads((_folder(tables, quarter, as_of) / "meta.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return False
    return meta.get("key") == snapshot_key(tables, quarter, as_of)


def preread(workspace, quarter: str) -> None:
    """Read the stored snapshots of ``quarter`` and the quarter before into this process's cache,
    where processed/ holds them (a batch worker process does this once, before its first report; it computes nothing)."""
    from ..loader import load
    from ..reports.common import previous_quarter

    tables = load(workspace)
    for wanted in (quarter, previous_quarter(quarter)):
        wanted, as_of = quarter_as_of(wanted, None)
        if _is_stored(tables, wanted, as_of):  # read once, kept in the cache
            quarter_snapshot(tables, wanted, as_of, store=False)


def persist(snapshot: QuarterSnapshot) -> None:
    """Store a snapshot computed with ``store=False`` (the parameter checks compute one, but a
    refused parameter must leave processed/ as it was; the valid ones store it for the reports)."""
    tables = snapshot.registry
    key = snapshot.meta.get("key")
    folder = _folder(tables, snapshot.quarter, snapshot.as_of)
    if key is None or _read(folder, key) is not None:
        return
    meta = {k: v for k, v in snapshot.meta.items() if k != "key"}
    try:
        _write(tables, folder, {"meta": meta, "tables": snapshot.tables}, key)
    except (OSError, OutputError):
        pass  # read-only or full processed/: each report computes it again
