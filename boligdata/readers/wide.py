"""Observations in wide form: one row per place and period, one column per indicator.

Analysts keep figures as a spreadsheet has them, an area per row and an indicator per column;
the long template wants one value per row. This reads the wide form into exactly the rows the
long template would give, so every later check (scale, range, plausibility) is the same, and
each value keeps where it stood: its row and the heading of its column.

An indicator column is named by the catalogue's Danish label ("Antal beboere") or its code
(``residents``). A blank cell is no figure (no row); ".." or "afventer" is a figure that is
missing, with its reason, as in the long template.
"""

from __future__ import annotations

import difflib
import warnings
from pathlib import Path

from ..catalog import load_catalog
from . import values as v
from .inputs import InputWarning, _parse_column, typed_frame
from .table import read_table
from .templates import Column, Kind, input_kinds


def _key(text) -> str:
    return v.normalise_key(text).replace("_", "")


def indicator_headings() -> dict[str, str]:
    """Each indicator's code and Danish label, reduced for matching, to its code.

    >>> indicator_headings()[_key("Antal beboere")], indicator_headings()[_key("convicted_pct")]
    ('residents', 'convicted_pct')
    """
    lookup = {}
    for code, label in load_catalog()["label_da"].items():
        lookup[_key(code)] = code
        lookup.setdefault(_key(label), code)
    return lookup


def read_wide(path: Path, kind: Kind, display: str):
    """Read a wide observations file into the long template's columns (``_column`` holds the
    heading each value stood under).

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "observationer_bred.csv"
    >>> _ = p.write_text("område;periode;kilde;opgjort;status;Antal beboere;convicted_pct\\n"
    ...                  "Vollsmose;2020;LBF;2021-05-01;endelig;7.233;..\\n", encoding="utf-8")
    >>> frame = read_wide(p, input_kinds()["observationer_bred"], "raw/observationer_bred.csv")
    >>> frame[["geo_level", "geo_code", "indicator", "value", "value_missing_reason", "_column"]].values.tolist()
    [['area', 'Vollsmose', 'residents', 7233.0, <NA>, 'Antal beboere'], ['area', 'Vollsmose', 'convicted_pct', <NA>, 'diskretioneret eller ikke offentliggjort (..)', 'convicted_pct']]
    """
    table = read_table(path, display)
    for note in table.notes:
        warnings.warn(f"{table.display}: {note}", InputWarning, stacklevel=2)
    long = input_kinds()["observationer"]
    fixed = {}
    for column in kind.columns:
        fixed[_key(column.name)] = fixed[_key(column.heading)] = column
    indicators = indicator_headings()
    found, measured, seen = {}, {}, {}
    for index, heading in enumerate(table.headers):
        if v.is_blank(heading):
            continue
        column, code = fixed.get(_key(heading)), indicators.get(_key(heading))
        name = column.name if column else code
        if name is None:
            labels = [c.heading for c in kind.columns] + list(load_catalog()["label_da"]) + list(load_catalog().index)
            close = difflib.get_close_matches(heading, labels, n=1, cutoff=0.75)
            hint = f"; is it meant to be '{close[0]}'?" if close else ""
            raise table.error(f"a column of the wide template ({', '.join(c.heading for c in kind.columns)}) or an "
                              f"indicator of the catalogue by its label or code (docs/indicators.md){hint}",
                              row=1, column=heading)
        if name in seen:
            raise table.error(f"each column once; '{heading}' is the same as '{seen[name]}'", row=1, column=heading)
        seen[name] = heading
        (found if column else measured)[index] = column or code
    present = {c.name for c in found.values()}
    missing = [c.heading for c in kind.columns if c.required and c.name not in present]
    if missing:
        raise table.error(f"a column '{missing[0]}' (the wide template needs: "
                          f"{', '.join(c.heading for c in kind.columns if c.required)})", row=1)
    if not measured:
        raise table.error("at least one indicator column after the fixed ones (an indicator's label or code)", row=1)
    if not table.rows:
        raise table.error("at least one data row under the header")
    rows = [row for row, _ in table.rows]
    parsed = {}
    failures = []
    for position, (index, column) in enumerate(found.items()):
        raws = [cells[index] if index < len(cells) else None for _, cells in table.rows]
        values, failed = _parse_column(raws, rows, column, table)
        if failed:
            failures.append((failed[0], position, failed[1]))
        parsed[column.name] = [value for value, _ in values]
    cells = {}
    for position, (index, code) in enumerate(measured.items(), start=len(found)):
        heading = table.headers[index]
        column = Column("value", heading, "number", False, long.column("value").help_da, (), True)
        raws = [cells_[index] if index < len(cells_) else None for _, cells_ in table.rows]
        values, failed = _parse_column(raws, rows, column, table)
        if failed:
            failures.append((failed[0], position, failed[1]))
        cells[code] = (heading, raws, values)
    if failures:
        raise min(failures, key=lambda f: f[:2])[2]
    data = {name: [] for name in ("_row", "_column", "indicator", "value", "value_missing_reason", "_percent_value")}
    for name in parsed:
        data[name] = []
    for i, row in enumerate(rows):
        for code, (heading, raws, values) in cells.items():
            value, reason = values[i]
            if value is None and reason is None:
                continue  # a blank cell: this place has no figure for the indicator
            data["_row"].append(row)
            data["_column"].append(heading)
            data["indicator"].append(code)
            data["value"].append(value)
            data["value_missing_reason"].append(reason)
            data["_percent_value"].append(True if raws[i].__class__.__name__ == "Percent" else None)
            for name, column_values in parsed.items():
                data[name].append(column_values[i])
    if not data["_row"]:
        raise table.error("at least one figure; every indicator cell is empty")
    data["geo_level"] = [level or "area" for level in data.get("geo_level", [None] * len(data["_row"]))]
    if not any(data["_percent_value"]):
        del data["_percent_value"]
    return typed_frame(data, long, table)
