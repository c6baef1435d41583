"""raw/ -> validated tidy tables -> processed/*.parquet, with a manifest.

Every input is read and checked before anything is written, so a refused input leaves
``processed/`` as it was. Tables are written to temporary files and moved into place
one by one, and the manifest (the hash of every table) goes last: ``load()`` compares the
files with the manifest and re-ingests if a run was killed between two moves.
"""

from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import shutil
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import __version__
from .catalog import load_catalog
from .digest import digest
from .errors import InputError, OutputError, ParameterError
from .lists import as_list, lists_of_year, load_lists, resolve_list
from .plausibility import (CONFIRM_HINT, Confirmations, history_findings, implausible_national_average, jump_findings,
                           load_plausibility, range_findings)
from .municipalities import COUNTRY_CODE, municipalities, normalise_kommunekode, regions
from .paths import DATA_DIR, Workspace, resolve_workspace
from .readers.inputs import InputWarning, empty_frame, read_input
from .readers.lbf import is_beboerdata, mappings, read_beboerdata
from .readers.wide import read_wide
from .vocabulary import in_force, is_vocabulary_file, merged_documents, put_in_force, read_vocabulary
from .vocabulary import sources as vocabulary_sources
from .readers.statbank import statbank_observations
from .readers.templates import input_kinds, kind_for_file
from .readers.values import MAX_WHOLE, name_key, period_bounds

MANIFEST = "manifest.json"
_UMASK = os.umask(0o022)
os.umask(_UMASK)
SKIPPED_FILES = {"readme.md", ".gitkeep", "readme.txt"}


@dataclass
class IngestResult:
    """What an ingest did: the tables written (or found up to date) and any warnings."""

    workspace: Workspace
    changed: bool
    tables: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)
    manifest: dict = field(default_factory=dict)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: Path) -> str:
    """The file's SHA-256, remembered by its identity and times (inode, size, modification and
    change time, in nanoseconds), as git's index does: a batch worker checks that processed/ is
    current before each of hundreds of reports, and reading every input again cost more than
    some reports. A file changed less than ``_SETTLED`` seconds before it was hashed is hashed
    again next time, since a change within the file system's clock tick would keep its times
    (git's "racy" files).

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "x.csv"
    >>> _ = path.write_bytes(b"a")
    >>> file_sha256(path) == _sha256(b"a")
    True
    """
    stat = path.stat()
    key = (str(path), stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)
    known = _HASHES.get(key)
    if known is None:
        known = _sha256(path.read_bytes())
        if time.time_ns() - max(stat.st_mtime_ns, stat.st_ctime_ns) > _SETTLED * 1e9:
            _HASHES[key] = known
    return known


_HASHES: dict = {}
_SETTLED = 2.0


def input_files(workspace: Workspace) -> list[Path]:
    """The files of raw/ that ingest reads, in a fixed order."""
    workspace.require_raw()
    files = []
    for path in sorted(workspace.raw.iterdir()):
        if path.name.startswith((".", "~$")) or path.name.lower() in SKIPPED_FILES:
            continue
        if path.is_symlink() and not path.exists():
            # A link whose file is gone would otherwise drop that file's data without a word.
            raise InputError(f"raw/{path.name}", "a readable file; it is a link to a file that does not exist "
                             f"({os.readlink(path)}): restore the file or remove the link")
        if path.is_file():
            files.append(path)
    return files


def fingerprint(workspace: Workspace) -> dict:
    """Hashes of every input and of the package's rules and settings: what a result depends on."""
    inputs = {workspace.display(p): file_sha256(p) for p in input_files(workspace)}
    package = {p.relative_to(DATA_DIR).as_posix(): file_sha256(p)
               for p in sorted(DATA_DIR.rglob("*")) if p.is_file() and "__pycache__" not in p.parts}
    return {"package_version": __version__, "inputs": inputs, "package_data": package}


def _text(value) -> str:
    """A cell as text, with missing as the empty string."""
    return "" if value is None or pd.isna(value) else str(value)


def _locate(frame: pd.DataFrame, index) -> dict:
    """Where row ``index`` of a concatenated frame came from, for an InputError."""
    row = frame.loc[index]
    return {"file": row["_file"], "sheet": row["_sheet"] if pd.notna(row["_sheet"]) else None, "row": int(row["_row"])}


def _fail(frame, index, column, value, expected) -> InputError:
    where = _locate(frame, index)
    if column in ("værdi", "indikator") and "_column" in frame and pd.notna(frame.loc[index, "_column"]):
        column = frame.loc[index, "_column"]  # a wide file or an export: the value's own column
    if column == "geografikode" and "_geo_at" in frame and pd.notna(frame.loc[index, "_geo_at"]):
        row, column = frame.loc[index, "_geo_at"].split("|")  # an export names its place in a cell of its own
        where["row"] = int(row)
    if hasattr(value, "item"):  # a numpy scalar reads best as the plain number
        value = value.item()
    return InputError(where["file"], expected, sheet=where["sheet"], row=where["row"], column=column, value=value)


def _check_duplicates(frame: pd.DataFrame, key: list[str], heading: str) -> None:
    duplicated = frame[frame.duplicated(key, keep=False)]
    if not duplicated.empty:
        first, second = duplicated.index[:2]
        values = " × ".join(str(frame.loc[first, k]) for k in key)
        other = _locate(frame, first)
        raise _fail(frame, second, heading, values,
                    f"one row per {' × '.join(key)}, but the same key is in {other['file']} row {other['row']}")


class AreaResolver:
    """Find an area by id, name or alias (case, spaces and æøå spelling ignored)."""

    def __init__(self, areas: pd.DataFrame):
        self.by_key: dict[str, str] = {}
        self.shown: dict[str, str] = {}  # a name's key -> the name as the register writes it
        self.sections: dict[str, list[str]] = {}  # an afdeling -> the areas it is part of, with their afdelinger
        for index, area in areas.iterrows():
            own = [s for s in _text(area.get("sections")).split(";") if s.strip()]
            for section in own:
                self.sections.setdefault(name_key(section), []).append((area["area_id"], len(own)))
            names = [area["area_id"], area["area_name"]] + [a for a in _text(area["aliases"]).split(";") if a]
            for name in names:
                key = name_key(name)
                self.shown.setdefault(key, name)
                if key in self.by_key and self.by_key[key] != area["area_id"]:
                    raise _fail(areas, index, "områdenavn", name,
                                f"a name no other area has; '{name}' is also area '{self.by_key[key]}'")
                self.by_key[key] = area["area_id"]

    def near(self, value) -> str:
        """``; did you mean 'X'?`` for the nearest name in the register, or ""."""
        import difflib

        close = difflib.get_close_matches(name_key(value), list(self.shown), n=1, cutoff=0.75)
        return f"; did you mean '{self.shown[close[0]]}'?" if close else ""

    def resolve(self, frame: pd.DataFrame, column: str, heading: str) -> pd.Series:
        resolved = []
        for index, value in frame[column].items():
            area_id = self.by_key.get(name_key(value))
            if area_id is None:
                raise _fail(frame, index, heading, value,
                            "an area in the area registry (raw/omraader*: områdekode, områdenavn or andre_navne)"
                            + self.near(value))
            resolved.append(area_id)
        return pd.Series(resolved, index=frame.index, dtype="string")


def _read_all(workspace: Workspace) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """Read every input file, grouped by target table, and collect warnings."""
    frames: dict[str, list[pd.DataFrame]] = {}
    messages, statbank_files = [], []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", InputWarning)
        exports = None
        for path in input_files(workspace):
            display = workspace.display(path)
            if is_beboerdata(path.name):
                exports = exports if exports is not None else mappings(workspace.raw)
                frame = read_beboerdata(path, display, exports)
                frame["_file"], frame["_sheet"] = display, frame.attrs.get("sheet")
                frames.setdefault("observations", []).append(frame)
                continue
            if path.suffix.lower() == ".yaml" and path.name.lower().startswith("lbfkort"):
                continue  # a workspace's own mapping for Beboerdata exports, read with them
            if is_vocabulary_file(path.name):
                continue  # the workspace's own vocabulary, read before every other file
            kind = kind_for_file(path.name)
            if kind is None and path.name.lower().startswith("statbank_"):
                statbank_files.append(path.name)
                continue
            if kind is None:
                messages.append(f"{display}: not a known input kind (see docs/inputs.md); ignored")
                continue
            # A wide file is read into the long template's rows (readers.wide); every other kind as it is.
            frame = (read_wide if kind.layout == "wide" else read_input)(path, kind, display)
            frame["_file"], frame["_sheet"] = display, frame.attrs.get("sheet")
            frames.setdefault(kind.table, []).append(frame)
        messages.extend(str(w.message) for w in caught if issubclass(w.category, InputWarning))
    mapping = frames.get("statbank_map")
    if mapping:
        mapping = pd.concat(mapping, ignore_index=True)
        _check_duplicates(mapping, ["file", "indicator"], "indikator")
        observations = statbank_observations(mapping, workspace.raw, messages=messages)
        if not observations.empty:
            frames.setdefault("observations", []).append(observations)
        statbank_files = [f for f in statbank_files if f not in set(mapping["file"])]
    messages.extend(f"raw/{f}: a Statbank file not named in raw/statbankkort*; ignored" for f in statbank_files)
    combined = {}
    for name, kind in input_kinds().items():
        if kind.layout == "wide":
            continue  # its rows are the long template's (observationer): that kind gives the empty frame
        parts = frames.get(kind.table, [])
        if parts:
            combined[kind.table] = pd.concat(parts, ignore_index=True)
        else:
            combined[kind.table] = empty_frame(kind).assign(
                _file=pd.Series(dtype="string"), _sheet=pd.Series(dtype="string"), _row=pd.Series(dtype="Int64"))
    return combined, messages


def _build_areas(areas: pd.DataFrame) -> pd.DataFrame:
    _check_duplicates(areas, ["area_id"], "områdekode")
    reference = municipalities()
    areas = areas.copy()
    areas["municipality_name"] = areas["municipality_code"].map(reference["municipality_name"]).astype("string")
    areas["region_code"] = areas["municipality_code"].map(reference["region_code"]).astype("string")
    areas["region_name"] = areas["region_code"].map(regions()).astype("string")
    return areas


def _check_plans(plans: pd.DataFrame, areas: pd.DataFrame) -> None:
    _check_duplicates(plans, ["plan_id"], "helhedsplankode")
    known = set(areas["area_id"])
    for index, plan in plans.iterrows():
        for area_id in str(plan["area_ids"]).split(";"):
            if area_id not in known:
                raise _fail(plans, index, "områder", area_id, "area codes from the area registry, separated by ;")


def _geo_code(level: str, code: str, areas: AreaResolver, plans: set) -> str:
    if level == "municipality":
        return normalise_kommunekode(code)
    if level == "region":
        text = code.zfill(3)
        if text not in regions():
            raise ValueError(f"a region code ({', '.join(sorted(regions()))})")
        return text
    if level == "country":
        if code.strip().lower() not in ("0", "00", "000", "hele landet", "danmark", "land"):
            raise ValueError("000 for the whole country")
        return COUNTRY_CODE
    if level == "section":
        parts = areas.sections.get(name_key(code), [])
        if not parts:
            raise ValueError("an afdeling in the area registry (raw/omraader*: afdelinger)")
        if len(parts) > 1 or parts[0][1] > 1:
            area_id, count = parts[0]
            raise ValueError(f"the only afdeling of an area; it is one of {count} afdelinger of area '{area_id}', "
                             "and one afdeling's figures are not the area's: export the boligområde or the "
                             "area's figures instead")
        return parts[0][0]
    if level == "plan":
        if code not in plans:
            raise ValueError("a plan code from raw/helhedsplaner*")
        return code
    area_id = areas.by_key.get(name_key(code))
    if area_id is None:
        raise ValueError("an area in the area registry (områdekode, områdenavn or andre_navne)" + areas.near(code))
    return area_id


def _first(frame: pd.DataFrame, mask: pd.Series, heading: str, column: str, expected) -> None:
    """Raise for the first row where ``mask`` holds; ``expected`` may depend on the row."""
    mask = mask.fillna(False).astype(bool)
    if mask.any():
        index = mask.idxmax()
        text = expected(frame.loc[index]) if callable(expected) else expected
        raise _fail(frame, index, heading, frame.loc[index, column], text)


SHARE_UNITS = ("pct", "pct_of_region")


def _percentage_expected(row) -> str:
    """What a share must be; a whole number over 100 that is a share times 1.000 was most likely a
    decimal point read as a thousands separator ("2.375" in a Danish file is 2375).

    >>> _percentage_expected({"value": 2375.0})
    "a percentage from 0 to 100 (a '.' before three digits is read as a thousands separator: for 2,375 % write 2,375)"
    """
    value = float(row["value"])
    if value > 100 and value == int(value) and value / 1000 <= 100:
        share = f"{value / 1000:.3f}".replace(".", ",")
        return (f"a percentage from 0 to 100 (a '.' before three digits is read as a thousands separator: for "
                f"{share} % write {share})")
    return "a percentage from 0 to 100"


def _refuse_fraction_files(obs: pd.DataFrame, units: pd.Series, catalog: pd.DataFrame) -> None:
    """Refuse shares written on the 0-1 scale where the catalogue's unit is 0-100 (docs/inputs.md).

    Three rules, each about a group of values rather than one small number (a year with one
    convicted person in a large area is a true 0,4 %):

    1. a file whose shares all lie within 0-1, counting only indicators where a share under 1 %
       is not common (``small_shares`` in the catalogue) and only rows without tæller/nævner
       (a share that matches its own tæller/nævner is proven);
    2. a file's values of one indicator all within 0-1 where the same places' values in the
       other files (or, where there are none, the same geography level's) are about 100 times
       larger (50-200);
    3. one value within 0-1 where the same place's other periods of the indicator are about 100
       times larger: 0,614 in a series of 60-odd percentages.
    """
    shares = obs[units.isin(SHARE_UNITS) & obs["value"].notna()]
    if shares.empty:
        return
    fraction = (shares["value"] > 0) & (shares["value"] <= 1)
    small = shares["indicator"].map(catalog["small_shares"]).fillna(False).astype(bool)
    proven = shares["numerator"].notna() & shares["denominator"].notna()
    for (file, indicator, level), part in shares.groupby(["_file", "indicator", "geo_level"], sort=True):
        values = part["value"]
        if not ((values > 0) & (values <= 1)).all():
            continue
        others = shares[(shares["_file"] != file) & (shares["indicator"] == indicator) & (shares["geo_level"] == level)]
        same = others[others["geo_code"].isin(set(part["geo_code"])) & (others["value"] > 1)]["value"]
        wider = others[others["value"] > 1]["value"]
        typical = same.median() if not same.empty else (wider.median() if not wider.empty else None)
        if typical is None or not 50 <= typical / values.median() <= 200:
            continue
        first = part.index[0]
        raise _fail(obs, first, "værdi", obs.loc[first, "value"],
                    f"a percentage from 0 to 100; this looks like a share from 0 to 1 (the other {indicator} values "
                    f"are around {typical:.1f}): write {100 * obs.loc[first, 'value']:.1f}")
    values = shares["value"].astype("float64")
    keys = [shares["geo_level"], shares["geo_code"], shares["indicator"]]
    typical = values.where(values > 1).groupby(keys).transform("median")
    off = ~proven & (typical / values.where(fraction)).between(50, 200)
    if off.any():
        first = off.idxmax()
        raise _fail(obs, first, "værdi", obs.loc[first, "value"],
                    f"a percentage from 0 to 100; this value is about 100 times smaller than the other periods of "
                    f"{obs.loc[first, 'indicator']} for {obs.loc[first, 'geo_code']} (around {typical[first]:.1f}): "
                    f"write {100 * obs.loc[first, 'value']:.1f}, or give tæller and nævner if it is right")
    # Per indicator, not per file: a file of 0-100 shares of other indicators does not prove these
    # (issue 23: criteria written 0-1 beside LBF's shares written 0-100).
    for (file, indicator), part in shares[~small & ~proven].groupby(["_file", "indicator"], sort=True):
        if len(part) and ((part["value"] >= 0) & (part["value"] <= 1)).all() and (part["value"] > 0).any():
            first = part.index[0]
            raise _fail(obs, first, "værdi", obs.loc[first, "value"],
                        f"a percentage from 0 to 100; every {indicator} value in this file lies between 0 and 1, as "
                        f"shares written from 0 to 1 do: write {100 * obs.loc[first, 'value']:.1f} for "
                        f"{obs.loc[first, 'value']:g} (shares truly under 1 % are accepted with their tæller and "
                        "nævner, or confirmed in raw/bekraeftelser*)")


def _build_observations(obs: pd.DataFrame, resolver: AreaResolver, plans: set,
                        confirmations: Confirmations | None = None) -> pd.DataFrame:
    """Check and normalise observations, column-wise (national files have many rows)."""
    catalog = load_catalog()
    obs = obs.copy()
    _first(obs, ~obs["indicator"].isin(catalog.index), "indikator", "indicator",
           "an indicator id from the catalogue (docs/indicators.md)")
    mapping = {}
    for level, code in obs[["geo_level", "geo_code"]].drop_duplicates().itertuples(index=False):
        try:
            mapping[(level, code)] = _geo_code(level, str(code), resolver, plans)
        except ValueError as exc:
            where = (obs["geo_level"] == level) & (obs["geo_code"] == code)
            _first(obs, where, "geografikode", "geo_code", str(exc))
    obs["geo_code"] = pd.Series([mapping[key] for key in zip(obs["geo_level"].tolist(), obs["geo_code"].tolist())],
                                index=obs.index, dtype="string")
    obs.loc[obs["geo_level"] == "section", "geo_level"] = "area"  # an area's only afdeling is the area
    units = obs["indicator"].map(catalog["unit"]).astype("string")
    value, num, den = obs["value"], obs["numerator"], obs["denominator"]
    _first(obs, (units == "pct") & ((value < 0) | (value > 100)), "værdi", "value", _percentage_expected)
    _first(obs, (units == "persons") & ((value < 0) | (value != value.round()) | (value > MAX_WHOLE)), "værdi", "value",
           "a whole number of persons, 0 or more")
    if "_percent_value" in obs:
        _first(obs, obs["_percent_value"].notna() & (units != "pct"), "værdi", "value",
               lambda r: f"a number without a percent format: {r['indicator']} is counted in {catalog.loc[r['indicator'], 'unit']}")

    _first(obs, num < 0, "tæller", "numerator", "a count of 0 or more")
    _first(obs, den < 0, "nævner", "denominator", "a count of 0 or more")
    _first(obs, num > den, "tæller", "numerator", lambda r: f"a numerator no larger than the denominator ({r['denominator']:g})")
    share = 100 * num / den
    mismatch = (units == "pct") & (den > 0) & ((value - share).abs() > 0.5)

    def explain(row):
        expected_share = 100 * row["numerator"] / row["denominator"]
        hint = ("; it looks like a share from 0 to 1 - write percentages from 0 to 100"
                if abs(row["value"] * 100 - expected_share) <= 0.5 else "")
        return f"a percentage that matches tæller/nævner ({expected_share:.1f}){hint}"

    _first(obs, mismatch, "værdi", "value", explain)
    confirmed = _confirmed_rows(obs, confirmations)
    _refuse_fraction_files(obs[~confirmed], units[~confirmed], catalog)
    obs["unit"] = units
    _check_duplicates(obs, ["geo_level", "geo_code", "indicator", "period", "source"], "periode")
    bounds = {p: period_bounds(p) for p in obs["period"].unique()}
    obs["year"] = obs["period"].str.slice(0, 4).astype("Int64")
    obs["period_start"] = pd.to_datetime(obs["period"].map(lambda p: bounds[p][0]))
    obs["period_end"] = pd.to_datetime(obs["period"].map(lambda p: bounds[p][1]))
    obs["vintage"] = pd.to_datetime(obs["vintage"])
    obs = obs.rename(columns={"value_missing_reason": "missing_reason"})
    return obs


def _confirmed_rows(obs: pd.DataFrame, confirmations: Confirmations | None) -> pd.Series:
    """Rows the workspace confirmed as right (same place, indicator, period and value)."""
    if confirmations is None or confirmations.table.empty:
        return pd.Series(False, index=obs.index)
    keys = set(zip(confirmations.table["geo_level"], confirmations.table["geo_code"], confirmations.table["indicator"]))
    candidates = [i for i, key in zip(obs.index, zip(obs["geo_level"], obs["geo_code"], obs["indicator"])) if key in keys]
    mask = pd.Series(False, index=obs.index)
    for index in candidates:
        row = obs.loc[index]
        if pd.notna(row["value"]) and confirmations.find(row["geo_level"], row["geo_code"], row["indicator"],
                                                         row["period"], row["value"]) is not None:
            mask[index] = True
    return mask


def _build_confirmations(frame: pd.DataFrame, resolver: AreaResolver, plans: set) -> Confirmations:
    """The workspace's confirmed outliers, with their places resolved as the observations' are."""
    frame = frame.copy()
    codes = []
    for index, row in frame.iterrows():
        try:
            codes.append(_geo_code(row["geo_level"], str(row["geo_code"]), resolver, plans))
        except ValueError as exc:
            raise _fail(frame, index, "geografikode", row["geo_code"], str(exc)) from None
    frame["geo_code"] = pd.Series(codes, index=frame.index, dtype="string")
    _first(frame, ~frame["indicator"].isin(load_catalog().index), "indikator", "indicator",
           "an indicator id from the catalogue (docs/indicators.md)")
    return Confirmations(frame)


def _check_plausibility(obs: pd.DataFrame, history: pd.DataFrame, confirmations: Confirmations,
                        checks) -> pd.DataFrame:
    """Stop at the first implausible figure nobody confirmed (issue 23); return the confirmed ones
    with what they confirmed, for the reports' sources."""
    def where(index) -> str:
        located = _locate(obs, index)
        return f"{located['file']} row {located['row']}"

    findings = (range_findings(obs, obs["unit"], checks) + jump_findings(obs, obs["unit"], checks, where)
                + history_findings(obs, history, checks))
    confirmed = []
    for finding in findings:
        row = obs.loc[finding.index]
        match = None if finding.check == "possible" else confirmations.find(
            row["geo_level"], row["geo_code"], row["indicator"], row["period"], row["value"])
        if match is None:
            raise _fail(obs, finding.index, "værdi", row["value"], finding.expected)
        confirmed.append({"geo_level": row["geo_level"], "geo_code": row["geo_code"], "indicator": row["indicator"],
                          "period": row["period"], "value": float(row["value"]), "check": finding.check,
                          "confirmed_by": match["confirmed_by"], "reason": match["reason"], "date": match["date"],
                          "file": _locate(obs, finding.index)["file"]})
    frame = pd.DataFrame(confirmed, columns=["geo_level", "geo_code", "indicator", "period", "value", "check",
                                             "confirmed_by", "reason", "date", "file"])
    return frame.drop_duplicates(["geo_level", "geo_code", "indicator", "period", "value"]).astype(
        {c: "string" for c in ("geo_level", "geo_code", "indicator", "period", "check", "confirmed_by", "reason",
                               "date", "file")})


def _check_plan_refs(frame: pd.DataFrame, plans: set) -> None:
    for index, plan_id in frame["plan_id"].items():
        if plan_id not in plans:
            raise _fail(frame, index, "helhedsplankode", plan_id, "a plan code from raw/helhedsplaner*")


def _list_ids(history: pd.DataFrame) -> pd.Series:
    """The list each history row is on (its publication date), from the year and, in 2013, the date."""
    published = [item for item in load_lists() if not item.future]
    span = f"the published lists run from {published[0].year} to {published[-1].year}"
    ids = []
    for index, year, date in zip(history.index, history["list_year"], history["list_date"]):
        dated = pd.notna(date) and str(date).strip()
        try:
            lst = resolve_list(list_year=int(year), list_date=str(date).strip() if dated else None)
        except ParameterError as exc:
            if dated:
                raise _fail(history, index, "listedato", date, f"the date of a list of {int(year)} ({exc})") from None
            if len(lists_of_year(int(year))) > 1:
                names = " or ".join(item.id for item in lists_of_year(int(year)))
                raise _fail(history, index, "listeår", int(year), f"one list; {int(year)} had two: give listedato "
                            f"{names}") from None
            raise _fail(history, index, "listeår", int(year), f"a year with a published list ({span})") from None
        if lst.future:
            raise _fail(history, index, "listeår", int(year), f"a year with a published list ({span})")
        ids.append(lst.id)
    return pd.Series(ids, index=history.index, dtype="string")


def _coverage(coverage: pd.DataFrame) -> pd.DataFrame:
    """The list history's coverage: a first list per kommunekode, or for every other (``*``)."""
    rows = []
    for index, row in coverage.iterrows():
        code = str(row["municipality"]).strip()
        try:
            code = "*" if code.lower() in ("alle", "*", "all") else normalise_kommunekode(code)
        except ValueError as exc:
            raise _fail(coverage, index, "kommunekode", row["municipality"], f"{exc} or alle") from None
        try:
            first = as_list(str(row["first_list"]).strip())
        except ParameterError as exc:
            raise _fail(coverage, index, "dækket_fra", row["first_list"], f"a list year or list date ({exc})") from None
        rows.append({"municipality": code, "first_list": first.id, "source": row["source"], "_file": row["_file"],
                     "_sheet": row["_sheet"], "_row": row["_row"]})
    frame = pd.DataFrame(rows, columns=["municipality", "first_list", "source", "_file", "_sheet", "_row"])
    _check_duplicates(frame, ["municipality"], "kommunekode")
    return frame.astype({"municipality": "string", "first_list": "string", "source": "string"})


def build_tables(workspace: Workspace) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """Read, check and normalise every input of a workspace into the data model's tables."""
    raw, messages = _read_all(workspace)
    areas = _build_areas(raw["areas"])
    resolver = AreaResolver(areas)
    plans = raw["plans"]
    _check_plans(plans, areas)
    plan_ids = set(plans["plan_id"])
    tables = {"areas": areas, "plans": plans}
    confirmations = _build_confirmations(raw["confirmations"], resolver, plan_ids)
    observations = _build_observations(raw["observations"], resolver, plan_ids, confirmations)
    history = raw["list_history"].copy()
    history["list_id"] = pd.Series(dtype="string")
    if not history.empty:
        history["area_id"] = resolver.resolve(history, "area_id", "område")
        history["list_id"] = _list_ids(history)
    _check_duplicates(history, ["list_id", "area_id", "designation"], "betegnelse")
    checks = load_plausibility()
    tables["confirmed"] = _check_plausibility(observations, history, confirmations, checks)
    tables["observations"] = observations
    tables["list_history"] = history
    tables["list_coverage"] = _coverage(raw["list_coverage"])
    for name in ("activities", "economy", "staff"):
        _check_plan_refs(raw[name], plan_ids)
        kind = next(k for k in input_kinds().values() if k.table == name)
        _check_duplicates(raw[name], list(kind.key), kind.column(kind.key[-1]).heading)
        tables[name] = raw[name]
    for name in ("letting", "support_counts", "categories"):
        frame = raw[name].copy()
        if not frame.empty:
            frame["area_id"] = resolver.resolve(frame, "area_id", "område")
        kind = next(k for k in input_kinds().values() if k.table == name)
        _check_duplicates(frame, list(kind.key), kind.column(kind.key[-1]).heading)
        tables[name] = frame
    for index, row in tables["letting"].iterrows():
        if row["period_from"] > row["period_to"]:
            raise _fail(tables["letting"], index, "til_kvartal", row["period_to"], "a quarter no earlier than fra_kvartal")
    tables["letting"] = tables["letting"].rename(columns={"count_missing_reason": "missing_reason"})
    averages, confirmed_averages = _check_crime_averages(raw["crime_averages"], confirmations, checks)
    messages.extend(averages)
    tables["confirmed"] = pd.concat([tables["confirmed"], confirmed_averages], ignore_index=True)
    tables["crime_averages"] = raw["crime_averages"]
    for index in confirmations.unused().index:
        where = _locate(confirmations.table, index)
        messages.append(f"{where['file']} row {where['row']}: confirms no figure that a check found implausible (has "
                        "the figure changed, or was it never refused?); it is not used")
    tables["confirmations"] = confirmations.table
    return {name: _finish(frame) for name, frame in tables.items()}, messages


def _check_crime_averages(frame: pd.DataFrame, confirmations: Confirmations, checks) -> tuple[list[str], pd.DataFrame]:
    """Each national average or threshold must be a plausible share of convicted adults for its list,
    and agree with a published figure unless that figure's evidence is weaker than the user's:
    refused at ingest, naming the row, not later in every report. Returns a warning per published
    figure a row replaces, and the confirmed outliers."""
    from .crime import crime_figures_from_table, known_crime_figures

    warnings, confirmed = [], []
    for index, row in frame.iterrows():
        by_average = pd.notna(row.get("national_average_pct"))
        column = "landsgennemsnit_pct" if by_average else "tærskel_pct"
        given = row.get("national_average_pct") if by_average else row.get("threshold_pct")
        try:
            warnings += known_crime_figures().merged(crime_figures_from_table(frame.loc[[index]])).warnings()
        except ParameterError as exc:
            detail = str(exc).split(": ", 1)[-1]
            raise _fail(frame, index, column, given, f"a plausible figure for the list ({detail})") from None
        why = None if pd.isna(given) else implausible_national_average(given, 1 if by_average else row["multiple"])
        if why:
            match = confirmations.find("country", COUNTRY_CODE, "convicted_pct", str(int(row["list_year"])), given)
            if match is None:
                raise _fail(frame, index, column, given,
                            f"a plausible national average share convicted: {why}; with the indicator "
                            f"convicted_pct, level land and the list year as periode: {CONFIRM_HINT}")
            confirmed.append({"geo_level": "country", "geo_code": COUNTRY_CODE, "indicator": "convicted_pct",
                              "period": str(int(row["list_year"])), "value": float(given), "check": "range",
                              "confirmed_by": match["confirmed_by"], "reason": match["reason"],
                              "date": match["date"], "file": _locate(frame, index)["file"]})
    return warnings, pd.DataFrame(confirmed)


def _finish(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop the location columns and give a stable row order."""
    frame = frame.drop(columns=[c for c in frame.columns if c in ("_file", "_sheet", "_row", "_column", "_geo_at") or c.startswith("_percent_")])
    return frame.reset_index(drop=True)


def _parquet_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False, engine="pyarrow", compression="zstd")
    return buffer.getvalue()


def stage_file(path: Path, data: bytes) -> Path:
    """Write ``data`` to a temporary file beside ``path`` (flushed to disk) and return it;
    ``os.replace`` then puts it in place in one step."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # The writer's process id is in the name, so a cleanup never removes a file still being written.
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp")
    try:
        os.chmod(temp, 0o666 & ~_UMASK)  # mkstemp makes the file private; reports are meant to be read
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return Path(temp)


def write_failed(path, exc: OSError, kept: str) -> OutputError:
    """The one line for a write that failed (disk full, no permission), saying what was kept."""
    code = errno.errorcode.get(exc.errno, "") if exc.errno else ""
    reason = exc.strerror or str(exc) or type(exc).__name__
    return OutputError(f"could not write {path}: {reason}{f' ({code})' if code else ''}; {kept} is as it was")


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a reader sees the old file or the new, never half.

    A failed write (a full disk) leaves the old file and raises ``OutputError``.
    """
    try:
        os.replace(stage_file(path, data), path)
    except OSError as exc:
        raise write_failed(path, exc, path.name) from None


def read_manifest(workspace: Workspace) -> dict | None:
    path = workspace.processed / MANIFEST
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        return None


def processed_is_current(workspace: Workspace, manifest: dict | None = None) -> bool:
    """True when processed/ matches raw/ and every table file matches the manifest."""
    manifest = manifest if manifest is not None else read_manifest(workspace)
    if not manifest or manifest.get("fingerprint") != fingerprint(workspace):
        return False
    for name, entry in manifest.get("tables", {}).items():
        path = workspace.processed / f"{name}.parquet"
        if not path.exists() or file_sha256(path) != entry["sha256"]:
            return False
    return True


def _pid_alive(pid: int) -> bool:
    import psutil  # portable: os.kill(pid, 0) means something else on Windows

    return psutil.pid_exists(pid)


def remove_leftovers(folder: Path) -> None:
    """Remove temporary files that killed runs left in ``folder`` (never a finished file, and
    never one a living process is still writing).

    ``atomic_write`` names its temporary files ``.<name>.<pid>.<random>.tmp`` and only ever
    renames them into place, so one whose process is gone belongs to a run that died.
    """
    import re

    if folder.is_dir():
        for path in folder.rglob(".*.tmp"):
            match = re.search(r"\.(\d+)\.[^.]+\.tmp$", path.name)
            if match and not _pid_alive(int(match.group(1))):
                path.unlink(missing_ok=True)


class IngestLock:
    """An exclusive lock on a workspace's processed/ while an ingest writes it (``filelock``:
    the same on Linux, macOS and Windows)."""

    def __init__(self, ws: Workspace):
        self.path = ws.processed / ".ingest.lock"

    def __enter__(self):
        from filelock import FileLock

        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.lock = FileLock(str(self.path))
        self.lock.acquire()
        return self

    def __exit__(self, *exc):
        self.lock.release()


def ingest(workspace=None, *, force: bool = False) -> IngestResult:
    """Read raw/, validate it and write processed/ (a no-op when nothing changed).

    >>> result = ingest()          # the bundled sample
    >>> sorted(result.tables)[:3]
    ['activities', 'areas', 'categories']
    """
    ws = workspace if isinstance(workspace, Workspace) else resolve_workspace(workspace)
    input_files(ws)  # a workspace without raw/ is an error before anything is locked or written
    try:
        lock = IngestLock(ws).__enter__()
    except OSError:
        return _read_only(ws, force)
    try:
        remove_leftovers(ws.processed)
        return _ingest(ws, force)
    finally:
        lock.__exit__(None, None, None)


def _read_only(ws: Workspace, force: bool) -> IngestResult:
    """processed/ cannot be written (a read-only share or mount): use it if it is current."""
    manifest = read_manifest(ws)
    if not force and processed_is_current(ws, manifest):
        return IngestResult(ws, changed=False, tables={k: v["rows"] for k, v in manifest["tables"].items()},
                            manifest=manifest)
    raise ParameterError(f"{ws.display(ws.processed)} is read-only and out of date with raw/ (or --force was given): "
                         "make it writable, or run where it is, and ingest again")


def _ingest(ws: Workspace, force: bool) -> IngestResult:
    manifest = read_manifest(ws)
    if not force and processed_is_current(ws, manifest):
        return IngestResult(ws, changed=False, tables={k: v["rows"] for k, v in manifest["tables"].items()},
                            manifest=manifest)
    inputs = fingerprint(ws)
    own = read_vocabulary(ws.raw, ws.display)
    previous = in_force()
    try:
        put_in_force(merged_documents(own))  # the workspace's own indicators, bands and bounds
        tables, messages = build_tables(ws)
    except BaseException:
        put_in_force(previous)
        raise
    input_hash = _sha256(json.dumps(inputs, sort_keys=True).encode())
    if manifest and manifest.get("input_hash") == input_hash and "digest" in manifest:
        changes = manifest["digest"]  # the same inputs again (--force): what changed is what changed then
    else:
        changes = digest(tables["areas"], tables["observations"], *_previous(ws, manifest, ("areas", "observations")))
    blobs = {name: _parquet_bytes(frame) for name, frame in tables.items()}
    new_manifest = {
        "package_version": __version__,
        "fingerprint": inputs,
        "input_hash": input_hash,
        "tables": {
            name: {
                "rows": int(len(tables[name])),
                "sha256": _sha256(blob),
                "synthetic_rows": int((tables[name]["status"] == "synthetic").sum()) if "status" in tables[name] else 0,
            }
            for name, blob in blobs.items()
        },
        "vintages": _vintages(tables["observations"]),
        "warnings": messages,
        "digest": changes,
        "vocabulary": {"own": {name: [[origin, doc] for origin, doc in docs] for name, docs in own.items()},
                       "sources": vocabulary_sources(own)},
    }
    blobs["digest.json"] = (json.dumps(changes, indent=2, ensure_ascii=False) + "\n").encode()
    blobs[MANIFEST] = (json.dumps(new_manifest, indent=2, ensure_ascii=False, default=str) + "\n").encode()
    # Every file is written in full before any is moved into place: a full disk leaves the
    # last good processed/ as it was. The manifest moves last (load() checks the tables by it).
    staged = []
    for name, blob in blobs.items():
        target = ws.processed / (name if name.endswith(".json") else f"{name}.parquet")
        try:
            staged.append((stage_file(target, blob), target))
        except OSError as exc:
            for temp, _ in staged:
                temp.unlink(missing_ok=True)
            raise write_failed(ws.display(target), exc, ws.display(ws.processed)) from None
    for temp, target in staged[:-1]:
        os.replace(temp, target)
    # Quarter snapshots of the old inputs are stale; the manifest moved in next lists none.
    shutil.rmtree(ws.processed / "snapshots", ignore_errors=True)
    os.replace(*staged[-1])
    return IngestResult(ws, changed=True, tables={k: v["rows"] for k, v in new_manifest["tables"].items()},
                        warnings=messages, manifest=new_manifest)


def _previous(ws: Workspace, manifest: dict | None, names) -> list:
    """The last good ingest's tables (None each where there is none), for the digest."""
    frames = []
    for name in names:
        path = ws.processed / f"{name}.parquet"
        try:
            frames.append(pd.read_parquet(path) if manifest and name in manifest.get("tables", {}) else None)
        except (OSError, ValueError):  # a damaged or half-written table: compare with nothing
            frames.append(None)
    return frames


def _vintages(observations: pd.DataFrame) -> list[dict]:
    """Per source: the newest vintage and the number of rows, for the reports' source list."""
    if observations.empty:
        return []
    grouped = observations.groupby("source", sort=True).agg(vintage=("vintage", "max"), rows=("indicator", "size"))
    return [{"source": s, "vintage": r.vintage.date().isoformat(), "rows": int(r.rows)} for s, r in grouped.iterrows()]
