"""Reading one input file of a known kind into a typed, validated frame.

Cells are parsed by the column types of ``data/inputs.yaml``; the first bad cell stops
the read with an InputError naming file, sheet, row, column, the value found and what
was expected. The frame keeps the source row in ``_row`` so later checks (unknown area,
duplicate key) can name it too.
"""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path

import pandas as pd

from ..errors import InputError
from ..municipalities import normalise_kommunekode
from . import values as v
from .table import Percent, RawTable, read_table
from .templates import Column, Kind, input_limits

INTEGER_TYPES = ("count", "year")
FLOAT_TYPES = ("number", "pct")


class InputWarning(UserWarning):
    """Something in an input that was read, but that the user should look at."""


def match_headers(table: RawTable, kind: Kind) -> dict[int, Column]:
    """Which column of the file is which template column; missing required ones fail.

    An unknown extra column is ignored with a warning naming it, unless it looks like a
    misspelling of one of the template's columns that the file lacks: then it is refused,
    because its values would be dropped without a word.
    """
    import difflib

    def key(text) -> str:
        return v.normalise_key(text).replace("_", "")

    lookup = {}
    for column in kind.columns:
        lookup[key(column.name)] = column
        lookup[key(column.heading)] = column
    found: dict[int, Column] = {}
    unknown = []
    for index, heading in enumerate(table.headers):
        if v.is_blank(heading):
            continue
        column = lookup.get(key(heading))
        if column is None:
            unknown.append(heading)
            warnings.warn(
                f"{table.display}: column '{heading}' is not part of the '{kind.name}' template and is ignored",
                InputWarning, stacklevel=2,
            )
            continue
        if column in found.values():
            raise table.error(f"each column once; '{column.heading}' appears twice", row=1, column=heading)
        found[index] = column
    present = {c.name for c in found.values()}
    absent = {key(c.heading): c for c in kind.columns if c.name not in present}
    for heading in unknown:
        close = difflib.get_close_matches(key(heading), list(absent), n=1, cutoff=0.75)
        if close and not absent[close[0]].required:
            raise table.error(f"a column of the '{kind.name}' template; is '{heading}' meant to be "
                              f"'{absent[close[0]].heading}'? (rename it, or remove the column)", row=1, column=heading)
    for column in kind.columns:
        if column.required and column.name not in present:
            expected = ", ".join(c.heading for c in kind.columns if c.required)
            close = difflib.get_close_matches(key(column.heading), [key(u) for u in unknown], n=1, cutoff=0.6)
            hint = next((f"; is '{u}' meant to be '{column.heading}'?" for u in unknown if close and key(u) == close[0]), "")
            raise table.error(
                f"a column '{column.heading}' (the '{kind.name}' template needs: {expected}){hint}", row=1
            )
    return found


def parse_cell(raw, column: Column, table: RawTable, row: int):
    """One cell to its typed value; returns (value, missing_reason)."""
    def fail(expected):
        return table.error(expected, row=row, column=column.heading, value=raw)

    if isinstance(raw, Percent) and column.type not in FLOAT_TYPES:
        raise fail(f"a {column.type} without a percent format ({column.help_da})")
    if v.is_blank(raw) or (column.type in INTEGER_TYPES + FLOAT_TYPES and v.missing_reason(raw)):
        reason = v.missing_reason(raw)
        if column.required and not column.missing_allowed:
            raise fail(f"a value ({column.help_da})")
        if not v.is_blank(raw) and not column.missing_allowed:
            raise fail(f"a number ({column.help_da})")
        return None, (reason if reason != "tom" else None)
    try:
        if column.type == "text":
            return v.clean_text(raw), None
        if column.type == "key":
            return v.parse_key(raw, input_limits().max_id_length), None
        if column.type in ("id", "area_ref"):
            return v.clean_text(v.parse_code(raw)), None
        if column.type == "kommunekode":
            return normalise_kommunekode(raw), None
        if column.type == "list":
            return v.parse_list(v.clean_text(raw)), None
        if column.type == "year":
            return v.parse_year(raw), None
        if column.type == "period":
            return v.parse_period(raw), None
        if column.type == "quarter":
            return v.parse_quarter(raw), None
        if column.type == "date":
            date = v.parse_date(raw)
            if column.name == "vintage" and date > dt.date.today().isoformat():
                raise ValueError(f"a date no later than today ({dt.date.today().isoformat()}): a figure cannot "
                                 "have been counted in the future")
            return date, None
        if column.type == "enum":
            try:
                return column.canonical(v.clean_text(raw)), None
            except KeyError:
                allowed = sorted({key for key, _ in column.values})
                raise ValueError(f"one of {', '.join(allowed)}") from None
        if column.type == "count":
            number = v.parse_number(raw, decimal_comma=table.decimal_comma, whole=True)
            if number < 0:
                raise ValueError("a whole number of 0 or more")
            return int(number), None
        number = v.parse_number(raw, decimal_comma=table.decimal_comma)
        if column.type == "pct" and not 0 <= number <= 100:
            raise ValueError("a percentage from 0 to 100")
        return number, None
    except ValueError as exc:
        raise fail(str(exc)) from None


def column_dtype(column: Column) -> str:
    """The pandas dtype a template column is read into."""
    if column.type in INTEGER_TYPES:
        return "Int64"
    if column.type in FLOAT_TYPES:
        return "Float64"
    return "string"


def empty_frame(kind: Kind) -> pd.DataFrame:
    """A frame with the kind's columns and no rows (for a workspace without such a file)."""
    columns = {c.name: pd.Series(dtype=column_dtype(c)) for c in kind.columns}
    for c in kind.columns:
        if c.missing_allowed:
            columns[f"{c.name}_missing_reason"] = pd.Series(dtype="string")
    return pd.DataFrame(columns)


def _parse_column(raws: list, rows: list, column: Column, table: RawTable) -> tuple[list, tuple | None]:
    """Every cell of one column, each distinct raw value parsed once (a national file repeats its
    codes, periods and sources thousands of times). Returns the (value, reason) pairs, or the
    first failing row and its error."""
    cache: dict = {}
    parsed = []
    for raw, row in zip(raws, rows):
        # The type is part of the key: a percent-formatted 61,4 is not the number 61,4.
        key = (raw.__class__, raw)  # NaN never equals itself: it misses the cache and is parsed (as blank)
        hit = cache.get(key)
        if hit is None:
            try:
                hit = cache[key] = parse_cell(raw, column, table, row)
            except InputError as exc:
                return [], (row, exc)
        parsed.append(hit)
    return parsed, None


def read_input(path: Path, kind: Kind, display: str | None = None) -> pd.DataFrame:
    """Read and type one input file; columns are the template's canonical names.

    >>> import tempfile, pathlib
    >>> from boligdata.readers.templates import input_kinds
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "forsoergelse.csv"
    >>> _ = p.write_text("område;gruppe;periode;antal;kilde;status\\n"
    ...                  "Solbakken;Offentligt forsørgede;2018-U01;382;seed;endelig\\n", encoding="utf-8")
    >>> frame = read_input(p, input_kinds()["forsoergelse"])
    >>> frame[["area_id", "measure", "period", "count"]].to_dict("records")
    [{'area_id': 'Solbakken', 'measure': 'publicly_supported', 'period': '2018W01', 'count': 382}]
    """
    table = read_table(Path(path), display or str(path))
    for note in table.notes:
        warnings.warn(f"{table.display}: {note}", InputWarning, stacklevel=2)
    found = match_headers(table, kind)
    if not table.rows:
        raise table.error("at least one data row under the header")
    rows = [row for row, _ in table.rows]
    data: dict = {"_row": rows}
    failures = []  # (row, column position, error): the first in reading order is the one reported
    for position, (index, column) in enumerate(found.items()):
        raws = [cells[index] if index < len(cells) else None for _, cells in table.rows]
        parsed, failed = _parse_column(raws, rows, column, table)
        if failed:
            failures.append((failed[0], position, failed[1]))
            continue
        data[column.name] = [value for value, _ in parsed]
        if column.missing_allowed:
            data[f"{column.name}_missing_reason"] = [reason for _, reason in parsed]
        if table.percent and any(isinstance(raw, Percent) for raw in raws):
            data[f"_percent_{column.name}"] = [True if isinstance(raw, Percent) else None for raw in raws]
    if failures:
        raise min(failures, key=lambda f: f[:2])[2]
    return typed_frame(data, kind, table)


def typed_frame(data: dict, kind: Kind, table) -> pd.DataFrame:
    """The parsed columns as a frame with every column of ``kind`` in its dtype."""
    frame = pd.DataFrame(data)
    for column in kind.columns:
        if column.name not in frame.columns:
            frame[column.name] = None
        if column.missing_allowed:
            if f"{column.name}_missing_reason" not in frame.columns:
                frame[f"{column.name}_missing_reason"] = None
            frame[f"{column.name}_missing_reason"] = frame[f"{column.name}_missing_reason"].astype("string")
        frame[column.name] = frame[column.name].astype(column_dtype(column))
    frame.attrs["display"], frame.attrs["sheet"] = table.display, table.sheet
    return frame
