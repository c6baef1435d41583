"""Landsbyggefonden's Beboerdata exports, read by a mapping file.

Beboerdata gives standard tables per boligafdeling, kommune and the whole country as Excel,
with a title and the place above a table of criteria (rows) by year (columns). A mapping file
(``data/lbf_beboerdata/*.yaml``, or a workspace's own ``raw/lbfkort*.yaml``) says which sheet,
which label is which indicator, its unit and what a year column means. Each value becomes a row
of the observations table, located by its cell, so every later check is the long template's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pathlib import Path

from ..catalog import load_catalog
from ..datafiles import check_choice, check_keys, read_yaml, vocabulary_cache
from ..errors import DataFileError
from ..paths import DATA_DIR
from . import values as v
from .inputs import typed_frame
from .table import Percent, column_letters, read_grid
from .templates import input_kinds

PLACES = ("area", "section", "municipality", "country")
UNITS = {"pct": "pct", "fraction": "pct", "persons": "persons", "pct_of_region": "pct_of_region",
         "dkk": "dkk", "grade": "grade", "per_1000": "per_1000"}
FILE_PREFIX = "beboerdata"


@dataclass(frozen=True)
class Row:
    label: str
    indicator: str
    unit: str


@dataclass(frozen=True)
class Mapping:
    """One standard table's layout: where the place, the date and the figures stand."""

    name: str
    title_da: str
    source_da: str
    sheets: tuple
    places: dict
    vintage_label: str
    header: str
    offset: int
    status: str
    status_label: str
    suppressed: tuple
    rows: tuple
    origin: str

    def row_for(self, label) -> Row | None:
        key = v.name_key(label)
        return next((row for row in self.rows if v.name_key(row.label) == key), None)


def parse_mapping(document, origin: str) -> Mapping:
    """Validate one mapping document; ``origin`` names its file in errors.

    >>> m = parse_mapping(read_yaml(DATA_DIR / "lbf_beboerdata" / "parallelsamfundskriterievaerdier.yaml"), "x")
    >>> m.row_for("antal beboere").indicator, m.places["Kommune"]
    ('residents', 'municipality')
    """
    keys = ["name", "title_da", "source_da", "sheets", "places", "vintage_label", "header", "periods", "status",
            "status_label", "suppressed", "rows"]
    check_keys(document, origin, required=keys)
    for label, place in document["places"].items():
        check_choice(place, PLACES, f"{origin}: places.{label}")
    periods = check_keys(document["periods"], f"{origin}: periods", required=["kind", "offset"])
    check_choice(periods["kind"], ("year",), f"{origin}: periods.kind")
    if not isinstance(periods["offset"], int):
        raise DataFileError(f"{origin}: periods.offset must be a whole number of years, not {periods['offset']!r}")
    check_choice(document["status"], ("final", "provisional", "estimate"), f"{origin}: status")
    catalog = load_catalog()
    rows, seen = [], set()
    for number, entry in enumerate(document["rows"], start=1):
        where = f"{origin}: rows entry {number}"
        check_keys(entry, where, required=["label", "indicator", "unit"])
        if entry["indicator"] not in catalog.index:
            raise DataFileError(f"{where}: indicator '{entry['indicator']}' is not in the catalogue")
        check_choice(entry["unit"], list(UNITS), where + " unit")
        if UNITS[entry["unit"]] != catalog.loc[entry["indicator"], "unit"]:
            raise DataFileError(f"{where}: unit '{entry['unit']}' does not fit {entry['indicator']}, which is "
                                f"measured in {catalog.loc[entry['indicator'], 'unit']}")
        if v.name_key(entry["label"]) in seen:
            raise DataFileError(f"{where}: label '{entry['label']}' twice")
        seen.add(v.name_key(entry["label"]))
        rows.append(Row(str(entry["label"]), entry["indicator"], entry["unit"]))
    return Mapping(document["name"], document["title_da"], document["source_da"], tuple(document["sheets"]),
                   dict(document["places"]), document["vintage_label"], document["header"], periods["offset"],
                   document["status"], document["status_label"], tuple(str(s) for s in document["suppressed"]), tuple(rows), origin)


@vocabulary_cache
def _shipped() -> tuple:
    folder = DATA_DIR / "lbf_beboerdata"
    return tuple(parse_mapping(read_yaml(path), f"boligdata/data/lbf_beboerdata/{path.name}")
                 for path in sorted(folder.glob("*.yaml")))


def mappings(raw: Path | None = None) -> dict[str, Mapping]:
    """The shipped mappings by name, with a workspace's ``raw/lbfkort*.yaml`` in place of the
    shipped mapping of the same name (or beside them).

    >>> sorted(mappings())
    ['parallelsamfundskriterievaerdier']
    """
    found = {m.name: m for m in _shipped()}
    if raw is not None and raw.is_dir():
        for path in sorted(raw.glob("lbfkort*.yaml")):
            own = parse_mapping(read_yaml(path), f"raw/{path.name}")
            found[own.name] = own
    return found


def _text(cell) -> str:
    return "" if v.is_blank(cell) else v.clean_text(cell)


def _mapping_for(grid, choices: dict[str, Mapping]) -> Mapping:
    """The mapping whose title stands above the table, or the only one."""
    texts = {v.name_key(_text(c)) for _, cells in grid.rows[:12] for c in cells if _text(c)}
    hits = [m for m in choices.values() if v.name_key(m.title_da.split(":")[-1]) in texts]
    if len(hits) == 1:
        return hits[0]
    if len(choices) == 1:
        return next(iter(choices.values()))
    raise grid.error("the title of one of the mapped Beboerdata tables above the table ("
                     + ", ".join(m.title_da for m in choices.values()) + ")")


def read_beboerdata(path: Path, display: str, choices: dict[str, Mapping]):
    """One Beboerdata workbook as rows of the observations table.

    ``_column`` holds the period heading a value stood under and ``_geo_at`` the cell that named
    the place, so a later error points at the cell.
    """
    sheets = tuple(name for m in choices.values() for name in m.sheets)
    grid = read_grid(path, display, sheets)
    mapping = _mapping_for(grid, choices)
    place = vintage = header = None
    status = mapping.status
    for number, cells in grid.rows:
        texts = [_text(c) for c in cells]
        if texts and v.name_key(texts[0]) == v.name_key(mapping.header):
            header = (number, cells)
            break
        for index, text in enumerate(texts):
            label = text.rstrip(":").strip()
            level = next((lvl for name, lvl in mapping.places.items() if v.name_key(name) == v.name_key(label)), None)
            if level is not None:
                name = texts[index + 1] if index + 1 < len(texts) else ""
                if level != "country" and not name:
                    raise grid.error(f"the name of the {label.lower()} in the cell after '{text}'",
                                     row=number, column=column_letters(index + 1))
                place = (level, name or "000", number, column_letters(index + 1))
            elif v.name_key(label) == v.name_key(mapping.status_label):
                raw = cells[index + 1] if index + 1 < len(cells) else None
                try:
                    status = input_kinds()["observationer"].column("status").canonical(_text(raw))
                except KeyError:
                    raise grid.error("endelig, foreløbig, skøn eller syntetisk", row=number,
                                     column=column_letters(index + 1), value=raw) from None
            elif v.name_key(label) == v.name_key(mapping.vintage_label):
                raw = cells[index + 1] if index + 1 < len(cells) else None
                try:
                    vintage = raw.date().isoformat() if isinstance(raw, dt.datetime) else v.parse_date(raw)
                except ValueError as exc:
                    raise grid.error(str(exc), row=number, column=column_letters(index + 1), value=raw) from None
                if vintage > dt.date.today().isoformat():
                    raise grid.error("a date no later than today: data cannot have been drawn in the future",
                                     row=number, column=column_letters(index + 1), value=raw)
    if header is None:
        raise grid.error(f"a header row starting with '{mapping.header}' (mapping {mapping.origin})")
    if place is None:
        raise grid.error("a cell above the table naming the place: " + ", ".join(mapping.places))
    if vintage is None:
        raise grid.error(f"a cell '{mapping.vintage_label}' above the table with the date the data was drawn")
    header_row, header_cells = header
    periods = {}
    for index, cell in enumerate(header_cells[1:], start=1):
        if v.is_blank(cell):
            continue
        try:
            year = v.parse_year(cell) + mapping.offset
            periods[index] = v.parse_period(str(year))
        except ValueError as exc:
            raise grid.error(f"a year ({exc})", row=header_row, column=column_letters(index), value=cell) from None
    if not periods:
        raise grid.error(f"years in the cells after '{mapping.header}'", row=header_row)
    suppressed = {v.name_key(s) for s in mapping.suppressed}
    data = {name: [] for name in ("_row", "_column", "_geo_at", "indicator", "value", "value_missing_reason",
                                  "period", "_percent_value")}
    for number, cells in grid.rows:
        if number <= header_row:
            continue
        label = _text(cells[0]) if cells else ""
        row = mapping.row_for(label)
        if row is None:
            known = "; ".join(r.label for r in mapping.rows)
            raise grid.error(f"a criterion of the mapping {mapping.origin} ({known})", row=number, column="A",
                             value=label)
        for index, period in periods.items():
            cell = cells[index] if index < len(cells) else None
            where = dict(row=number, column=column_letters(index), value=cell)
            if v.is_blank(cell):
                continue
            reason = None
            if isinstance(cell, str) and v.name_key(cell) in suppressed:
                value, reason = None, f"diskretioneret af Landsbyggefonden ({cell.strip()})"
            elif isinstance(cell, str) and v.missing_reason(cell):
                value, reason = None, v.missing_reason(cell)
            else:
                try:
                    value = float(cell) if isinstance(cell, Percent) else v.parse_number(cell)
                except ValueError as exc:
                    raise grid.error(f"a number ({exc})", **where) from None
                if row.unit == "fraction" and not isinstance(cell, Percent):
                    if not 0 <= value <= 1:
                        raise grid.error("a share from 0 to 1, as the mapping says the table writes it", **where)
                    value *= 100
            data["_row"].append(number)
            data["_column"].append(f"{column_letters(index)} ({period})")
            data["_geo_at"].append(f"{place[2]}|{place[3]}")
            data["indicator"].append(row.indicator)
            data["value"].append(value)
            data["value_missing_reason"].append(reason)
            data["period"].append(period)
            data["_percent_value"].append(True if isinstance(cell, Percent) else None)
    if not data["_row"]:
        raise grid.error("at least one figure under the header row")
    size = len(data["_row"])
    data.update(geo_level=[place[0]] * size, geo_code=[place[1]] * size, source=[mapping.source_da] * size,
                vintage=[vintage] * size, status=[status] * size,
                note=[f"Indlæst med {mapping.origin}"] * size)
    if not any(data["_percent_value"]):
        del data["_percent_value"]
    frame = typed_frame(data, input_kinds()["observationer"], grid)
    frame.attrs["sheet"] = grid.sheet
    return frame


def is_beboerdata(name: str) -> bool:
    """A raw/ file read as a Beboerdata export.

    >>> is_beboerdata("beboerdata_vollsmose_2024.xlsx"), is_beboerdata("observationer.xlsx")
    (True, False)
    """
    return v.normalise_key(name.rsplit(".", 1)[0]).startswith(FILE_PREFIX)

