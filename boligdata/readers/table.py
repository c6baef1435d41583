"""Reading a CSV or XLSX input file into rows of cells, with where each cell came from.

What is normalised here (docs/inputs.md): a UTF-8 byte-order mark; cp1252/Latin-1
files; `;`, `,` or tab as delimiter; trailing and blank rows. What is refused: an empty
file, a missing or empty sheet, merged header cells, and Excel formulas that have no
saved value (the value is not in the file, so we cannot read it).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from .values import is_blank

DATA_SHEET = "data"
INSTRUCTION_SHEETS = {"vejledning", "instructions", "indikatorer", "indicators"}


@dataclass
class RawTable:
    """The cells of one input file, before any parsing.

    ``rows`` holds (row number as the user sees it, cells); the header is row 1.
    ``decimal_comma`` says how text numbers in this file are to be read.
    """

    display: str
    sheet: str | None
    headers: list[str]
    rows: list[tuple[int, list]]
    decimal_comma: bool
    notes: list[str] = field(default_factory=list)

    def error(self, expected, *, row=None, column=None, value=None) -> InputError:
        """An InputError located in this file."""
        return InputError(self.display, expected, sheet=self.sheet, row=row, column=column, value=value)


def read_table(path: Path, display: str | None = None) -> RawTable:
    """Read a CSV or XLSX file.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.csv"
    >>> _ = p.write_bytes("\\ufeffområde;værdi\\nA;61,4\\n\\n".encode("utf-8"))
    >>> t = read_table(p, "x.csv")
    >>> t.headers, t.rows, t.decimal_comma
    (['område', 'værdi'], [(2, ['A', '61,4'])], True)
    """
    display = display or str(path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, display)
    if suffix in (".csv", ".txt"):
        return _read_csv(path, display)
    raise InputError(display, "a .csv or .xlsx file")


def _decode(data: bytes, display: str) -> tuple[str, list[str]]:
    notes = []
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), notes
    try:
        return data.decode("utf-8"), notes
    except UnicodeDecodeError:
        notes.append("read as cp1252 (Windows/Latin-1), not UTF-8")
        return data.decode("cp1252", errors="replace"), notes


def _sniff_delimiter(first_line: str) -> str:
    counts = {d: 0 for d in (";", ",", "\t")}
    quoted = False
    for char in first_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _read_csv(path: Path, display: str) -> RawTable:
    data = path.read_bytes()
    text, notes = _decode(data, display)
    if not text.strip():
        raise InputError(display, "a header row and at least one data row; the file is empty")
    first_line = text.lstrip("\n").split("\n", 1)[0]
    delimiter = _sniff_delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    all_rows = list(reader)
    header_index = next(i for i, r in enumerate(all_rows) if any(c.strip() for c in r))
    headers = [h.strip() for h in all_rows[header_index]]
    rows = []
    for offset, cells in enumerate(all_rows[header_index + 1 :], start=header_index + 2):
        if all(is_blank(c) for c in cells):
            continue
        rows.append((offset, [c.strip() for c in cells]))
    # Danish exports use ';' with decimal comma; ',' files use the decimal point.
    return RawTable(display, None, headers, rows, decimal_comma=(delimiter != ","), notes=notes)


def _merged_header_cells(path: Path, sheet_path: str) -> str | None:
    """The first merged range that touches row 1, read from the sheet's XML (read-only mode
    of openpyxl does not expose merged cells)."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as archive:
        xml = archive.read(sheet_path).decode("utf-8", errors="replace")
    for ref, first_row in re.findall(r'<mergeCell ref="([A-Z]+(\d+):[A-Z]+\d+)"', xml):
        if first_row == "1":
            return ref
    return None


def _grid(book, sheet_name: str) -> list[list]:
    sheet = book[sheet_name]
    # Files written in streaming mode carry no <dimension>; without this, openpyxl would
    # parse the whole sheet once more just to find its size.
    sheet.reset_dimensions()
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    width = max((len(r) for r in rows), default=0)
    return [r + [None] * (width - len(r)) for r in rows]


def _read_xlsx(path: Path, display: str) -> RawTable:
    import openpyxl

    try:
        # Read-only mode streams the sheet; one pass unless formulas need their saved values.
        formulas = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise InputError(display, f"a readable .xlsx workbook ({type(exc).__name__})") from None
    names = formulas.sheetnames
    candidates = [n for n in names if n.strip().lower() not in INSTRUCTION_SHEETS]
    if DATA_SHEET in names:
        sheet_name = DATA_SHEET
    elif len(candidates) == 1:
        sheet_name = candidates[0]
    else:
        raise InputError(
            display, f"a sheet named '{DATA_SHEET}' (found: {', '.join(names) or 'no sheets'})"
        )
    merged = _merged_header_cells(path, formulas[sheet_name]._worksheet_path)
    if merged:
        raise InputError(display, f"one heading per column; header cells {merged} are merged", sheet=sheet_name, row=1)
    grid_f = _grid(formulas, sheet_name)
    formulas.close()
    has_formula = any(isinstance(c, str) and c.startswith("=") for row in grid_f[1:] for c in row)
    grid_v = grid_f
    if has_formula:
        values = openpyxl.load_workbook(path, read_only=True, data_only=True)
        grid_v = _grid(values, sheet_name)
        values.close()
    if not grid_v or all(all(is_blank(c) for c in r) for r in grid_v):
        raise InputError(display, "a header row and at least one data row; the sheet is empty", sheet=sheet_name)
    headers = ["" if h is None else str(h).strip() for h in grid_v[0]]
    rows = []
    for number, (cells_f, cells_v) in enumerate(zip(grid_f[1:], grid_v[1:]), start=2):
        if has_formula:
            for col, (f, v) in enumerate(zip(cells_f, cells_v)):
                if isinstance(f, str) and f.startswith("=") and v is None:
                    heading = headers[col] if col < len(headers) else f"#{col + 1}"
                    raise InputError(
                        display,
                        "a value; this cell holds a formula with no saved result "
                        "(open and save the file in Excel, or paste the values)",
                        sheet=sheet_name, row=number, column=heading, value=f,
                    )
        if all(is_blank(c) for c in cells_v):
            continue
        rows.append((number, cells_v))
    return RawTable(display, sheet_name, headers, rows, decimal_comma=True)
