"""Reading a CSV or XLSX input file into rows of cells, with where each cell came from.

What is normalised here (docs/inputs.md): a UTF-8 byte-order mark; UTF-16 and UTF-32 with
their byte-order mark; cp1252/Latin-1 files; `;`, `,` or tab as delimiter; trailing and blank
rows; headings in Unicode NFC; percent-formatted XLSX cells (Excel stores "61,4 %" as 0,614
with a % format: it is read as 61,4). What is refused: a file larger than the limits of
data/inputs.yaml (checked before parsing), mixed or unknown encodings, an empty file or one
with no headings, a missing or empty sheet, merged header cells, and Excel formulas that have
no saved value (the value is not in the file, so we cannot read it).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from .templates import input_limits
from .values import clean_text, is_blank

DATA_SHEET = "data"
INSTRUCTION_SHEETS = {"vejledning", "instructions", "indikatorer", "indicators"}


class Percent(float):
    """A number from a percent-formatted XLSX cell, already on the 0-100 scale (0,614 -> 61,4)."""


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
    percent: bool = False  # some cells may be Percent (a workbook with percent formats)

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
    limits = input_limits()
    if path.is_symlink() and not path.exists():
        raise InputError(display, "a readable file; it is a link to a file that does not exist")
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise InputError(display, f"a file of at most {_mb(limits.max_bytes)} (limits.max_bytes in "
                         f"boligdata/data/inputs.yaml); this one is {_mb(size)}")
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, display)
    if suffix in (".csv", ".txt"):
        return _read_csv(path, display)
    raise InputError(display, "a .csv or .xlsx file")


def _mb(size: int) -> str:
    return f"{size / 2**20:,.1f} MB".replace(",", "X").replace(".", ",").replace("X", ".")


# Byte-order marks, longest first (UTF-32 LE starts like UTF-16 LE).
BOMS = ((b"\xff\xfe\x00\x00", "utf-32-le", "UTF-32"), (b"\x00\x00\xfe\xff", "utf-32-be", "UTF-32"),
        (b"\xef\xbb\xbf", "utf-8", "UTF-8"), (b"\xff\xfe", "utf-16-le", "UTF-16"), (b"\xfe\xff", "utf-16-be", "UTF-16"))
SAVE_AS = "save it again as 'CSV UTF-8 (kommasepareret)' in Excel"


def _decode(data: bytes, display: str) -> tuple[str, list[str]]:
    """The file's text. A byte-order mark decides the encoding; without one, UTF-8, else
    Windows-1252 (what Danish Excel writes as plain 'CSV'). Anything else is refused."""
    for bom, codec, name in BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom):].decode(codec)
            except UnicodeDecodeError as exc:
                raise InputError(display, f"{name} text throughout, as its byte-order mark says; byte "
                                 f"0x{data[len(bom) + exc.start]:02X} at position {len(bom) + exc.start} is not {name} "
                                 f"(the file mixes encodings): {SAVE_AS}") from None
            return text, ([] if name == "UTF-8" else [f"read as {name} (byte-order mark)"])
    if b"\x00" in data[:4096]:
        raise InputError(display, f"text in UTF-8 or Windows-1252; the file holds NUL bytes, as UTF-16 or "
                         f"UTF-32 without a byte-order mark does: {SAVE_AS}")
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), ["read as cp1252 (Windows/Latin-1), not UTF-8"]
    except UnicodeDecodeError as exc:
        raise InputError(display, f"text in UTF-8 or Windows-1252; byte 0x{data[exc.start]:02X} at position "
                         f"{exc.start} is neither: {SAVE_AS}") from None


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
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = _sniff_delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    limits = input_limits()
    all_rows, cells = [], 0
    try:
        for cells_of_row in reader:
            all_rows.append(cells_of_row)
            cells += len(cells_of_row)
            if len(all_rows) > limits.max_rows or cells > limits.max_cells:
                raise InputError(display, _too_large(limits, len(all_rows), cells))
    except csv.Error as exc:
        raise InputError(display, f"well-formed CSV ({exc}) near row {reader.line_num}") from None
    header_index = next((i for i, r in enumerate(all_rows) if any(c.strip() for c in r)), None)
    if header_index is None:
        raise InputError(display, "a header row and at least one data row; the file holds only delimiters")
    headers = [clean_text(h) for h in all_rows[header_index]]
    rows = []
    for offset, cells in enumerate(all_rows[header_index + 1 :], start=header_index + 2):
        if _blank_row(cells):
            continue
        rows.append((offset, [c.strip() for c in cells]))
    # Danish exports use ';' with decimal comma; ',' files use the decimal point.
    return RawTable(display, None, headers, rows, decimal_comma=(delimiter != ","), notes=notes)


def _too_large(limits, rows: int, cells: int) -> str:
    what = (f"more than {limits.max_rows:,} rows".replace(",", ".") if rows > limits.max_rows
            else f"more than {limits.max_cells:,} cells (rows x columns to its last cell)".replace(",", "."))
    return (f"at most {limits.max_rows:,} rows and {limits.max_cells:,} cells".replace(",", ".")
            + f" (limits in boligdata/data/inputs.yaml); this one has {what} (delete empty rows below the data, "
            "or split the file)")


@dataclass
class SheetScan:
    """What one pass of an XML parser over a sheet tells before any cell is built."""

    rows: int = 0          # <row> elements, however their tag is spelled
    cells: int = 0         # <c> elements
    last_row: int = 0      # the highest row number: the grid a reader builds is last_row x last_column
    last_column: int = 0
    formulas: bool = False
    merged_header: str | None = None


_REF = re.compile(r"([A-Z]{1,3})?(\d+)?$")


def _column_number(letters: str) -> int:
    """``A`` -> 1, ``XFD`` -> 16384."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


class _SheetCounter:
    """Counts a sheet's rows and cells with expat, by element name and namespace, so that no spelling
    of a tag (``<row\t>``, ``<x:row>``) escapes the count, and the size of the grid a reader will
    build from the row and cell references (one cell at XFD1048576 is a grid of 17 billion cells)."""

    MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

    def __init__(self, scan: SheetScan):
        import xml.parsers.expat

        self.scan, self.row, self.column = scan, 0, 0
        self.parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
        self.parser.StartElementHandler = self.start
        # A sheet never has a DOCTYPE; one would allow entity expansion (a "billion laughs" bomb).
        self.parser.StartDoctypeDeclHandler = self.doctype

    def doctype(self, *args):
        raise ValueError("a sheet with a DOCTYPE declaration, which Excel never writes")

    def start(self, name: str, attrs: dict):
        uri, _, local = name.rpartition(" ")
        if uri != self.MAIN:
            return
        scan = self.scan
        if local == "c":
            scan.cells += 1
            match = _REF.match(attrs.get("r", ""))
            self.column = _column_number(match.group(1)) if match and match.group(1) else self.column + 1
            scan.last_column = max(scan.last_column, self.column)
            if self.row == 0:
                self.row = 1
                scan.last_row = max(scan.last_row, 1)
        elif local == "row":
            scan.rows += 1
            reference = attrs.get("r", "")
            self.row = int(reference) if reference.isdigit() else self.row + 1
            self.column = 0
            scan.last_row = max(scan.last_row, self.row)
        elif local == "f":
            scan.formulas = True
        elif local == "mergeCell":
            ref = attrs.get("ref", "")
            first = re.match(r"[A-Z]+(\d+):", ref)
            if first and first.group(1) == "1" and scan.merged_header is None:
                scan.merged_header = ref

    def feed(self, data: bytes, final: bool = False):
        self.parser.Parse(data, final)


def _scan_sheet(path: Path, sheet_path: str, display: str, sheet: str) -> SheetScan:
    """Count the sheet's rows, cells and grid, and find formulas and merged header cells, with an
    XML parser over the unzipped bytes as they are read (the declared size of a zip entry may lie).
    A sheet over the limits is refused here, before openpyxl or calamine builds a single cell; the
    grid limit (rows x columns up to the last reference) bounds the memory the reader will use."""
    import zipfile
    from xml.parsers.expat import ExpatError

    limits = input_limits()
    scan, unpacked = SheetScan(), 0
    counter = _SheetCounter(scan)

    def check():
        grid = scan.last_row * scan.last_column
        if max(scan.rows, scan.last_row) > limits.max_rows or max(scan.cells, grid) > limits.max_cells:
            raise InputError(display, _too_large(limits, max(scan.rows, scan.last_row), max(scan.cells, grid)),
                             sheet=sheet)

    try:
        with zipfile.ZipFile(path) as archive, archive.open(sheet_path) as member:
            while chunk := member.read(1 << 20):
                unpacked += len(chunk)
                if unpacked > limits.max_unpacked_bytes:
                    raise InputError(display, f"a sheet of at most {_mb(limits.max_unpacked_bytes)} unpacked "
                                     "(limits.max_unpacked_bytes in boligdata/data/inputs.yaml)", sheet=sheet)
                counter.feed(chunk)
                check()
            counter.feed(b"", final=True)
    except (ExpatError, ValueError) as exc:
        raise InputError(display, f"a readable .xlsx workbook (the sheet's XML cannot be read: {exc})",
                         sheet=sheet) from None
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise InputError(display, f"a readable .xlsx workbook ({type(exc).__name__})", sheet=sheet) from None
    check()
    return scan


def _percent_styles(path: Path) -> bool:
    """True if the workbook defines a percent number format (built-in 9 or 10, or a custom
    format with %); only then are cells read one by one for their format."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as archive:
        try:
            styles = archive.read("xl/styles.xml").decode("utf-8", errors="replace")
        except KeyError:
            return False
    return bool(re.search(r'numFmtId="(9|10)"', styles) or re.search(r'formatCode="[^"]*%', styles))


def _grid(book, sheet_name: str, percent: bool = False) -> list[list]:
    sheet = book[sheet_name]
    # Files written in streaming mode carry no <dimension>; without this, openpyxl would
    # parse the whole sheet once more just to find its size.
    sheet.reset_dimensions()
    if percent:
        rows = [[_cell_value(c) for c in r] for r in sheet.iter_rows()]
    else:
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    width = max((len(r) for r in rows), default=0)
    return [r + [None] * (width - len(r)) for r in rows]


def _cell_value(cell):
    """A cell's value; a number shown as a percentage is read as what the user typed."""
    value = getattr(cell, "value", None)
    fmt = getattr(cell, "number_format", "") or ""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and "%" in fmt:
        return Percent(round(value * 100, 10))
    return value


def _sheets(path: Path, display: str) -> dict[str, str]:
    """The workbook's sheets and the zip entry of each, from its small index files (openpyxl
    would parse a whole sheet just to open a workbook whose sheets carry no size record)."""
    import posixpath
    import xml.etree.ElementTree as ET
    import zipfile

    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    try:
        with zipfile.ZipFile(path) as archive:
            book = ET.fromstring(archive.read("xl/workbook.xml"))
            rels = ET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except Exception as exc:  # not a zip, no workbook inside, broken XML: not a workbook we can read
        raise InputError(display, f"a readable .xlsx workbook ({type(exc).__name__})") from None
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    sheets = {}
    for sheet in book.iter(f"{main}sheet"):
        target = targets.get(sheet.get(f"{rel}id"), "")
        sheets[sheet.get("name")] = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
            posixpath.join("xl", target))
    return sheets


def _choose_sheet(names: list[str], display: str, wanted: tuple = ()) -> str:
    """The sheet to read: the first of ``wanted`` the workbook has (case and spaces ignored),
    else "data", else the only sheet that is not an instruction sheet."""
    folded = {n.strip().lower(): n for n in names}
    for name in wanted:
        if name.strip().lower() in folded:
            return folded[name.strip().lower()]
    candidates = [n for n in names if n.strip().lower() not in INSTRUCTION_SHEETS]
    if DATA_SHEET in names:
        return DATA_SHEET
    if len(candidates) == 1:
        return candidates[0]
    expected = " or ".join(f"'{n}'" for n in (*wanted, DATA_SHEET))
    raise InputError(display, f"a sheet named {expected} (found: {', '.join(names) or 'no sheets'})")


def _sheet_grids(path: Path, display: str, wanted: tuple = (), header_row: bool = True):
    """The chosen sheet's formulas and values as grids, and whether percent formats occur."""
    sheets = _sheets(path, display)
    sheet_name = _choose_sheet(list(sheets), display, wanted)
    try:
        scan = _scan_sheet(path, sheets[sheet_name], display, sheet_name)
    except KeyError:
        raise InputError(display, f"a readable .xlsx workbook (sheet '{sheet_name}' is missing)") from None
    if header_row and scan.merged_header:
        raise InputError(display, f"one heading per column; header cells {scan.merged_header} are merged",
                         sheet=sheet_name, row=1)
    percent = _percent_styles(path)
    try:
        if scan.formulas or percent:
            # Cell by cell with openpyxl: formulas need their saved values checked, percent formats their scale.
            grid_f = grid_v = _openpyxl_grid(path, sheet_name, percent, data_only=False)
            if scan.formulas:
                grid_v = _openpyxl_grid(path, sheet_name, percent, data_only=True)
        else:
            grid_f = grid_v = _calamine_grid(path, sheet_name)
    except InputError:
        raise
    except (ValueError, TypeError, KeyError, OverflowError) as exc:  # the reader's own parse of a damaged cell
        raise InputError(display, f"cells Excel can write; one holds a value that cannot be read ({exc})",
                         sheet=sheet_name) from None
    except Exception as exc:  # a damaged workbook the readers cannot open
        raise InputError(display, f"a readable .xlsx workbook ({type(exc).__name__})") from None
    if not grid_v or all(all(is_blank(c) for c in r) for r in grid_v):
        raise InputError(display, "a header row and at least one data row; the sheet is empty", sheet=sheet_name)
    return sheet_name, (grid_f if scan.formulas else None), grid_v, percent


def _unsaved_formula(display, sheet_name, number, cells_f, cells_v, heading_of) -> None:
    for col, (f, v) in enumerate(zip(cells_f, cells_v)):
        if isinstance(f, str) and f.startswith("=") and v is None:
            raise InputError(
                display,
                "a value; this cell holds a formula with no saved result "
                "(open and save the file in Excel, or paste the values)",
                sheet=sheet_name, row=number, column=heading_of(col), value=f,
            )


def column_letters(index: int) -> str:
    """Excel's letters for the 0-based column ``index``.

    >>> column_letters(0), column_letters(27)
    ('A', 'AB')
    """
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass
class SheetGrid:
    """Every cell of one sheet, for a layout with titles above its table (LBF's exports).
    ``rows`` holds (row number as the user sees it, cells) for the rows with a value."""

    display: str
    sheet: str
    rows: list[tuple[int, list]]
    percent: bool

    def error(self, expected, *, row=None, column=None, value=None) -> InputError:
        return InputError(self.display, expected, sheet=self.sheet, row=row, column=column, value=value)


def read_grid(path: Path, display: str, sheets: tuple = ()) -> SheetGrid:
    """The cells of the first of ``sheets`` the workbook has (else its only sheet), within the
    same limits as :func:`read_table`; formulas without a saved value are refused by cell."""
    display = display or str(path)
    limits = input_limits()
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise InputError(display, f"a file of at most {_mb(limits.max_bytes)} (limits.max_bytes in "
                         f"boligdata/data/inputs.yaml); this one is {_mb(size)}")
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise InputError(display, "an Excel workbook (.xlsx), as Landsbyggefonden exports it")
    sheet_name, grid_f, grid_v, percent = _sheet_grids(path, display, tuple(sheets), header_row=False)
    rows = []
    for number, cells_v in enumerate(grid_v, start=1):
        if grid_f is not None:
            _unsaved_formula(display, sheet_name, number, grid_f[number - 1], cells_v, column_letters)
        if not _blank_row(cells_v):
            rows.append((number, cells_v))
    return SheetGrid(display, sheet_name, rows, percent)


def _read_xlsx(path: Path, display: str) -> RawTable:
    sheet_name, grid_f, grid_v, percent = _sheet_grids(path, display)
    headers = ["" if is_blank(h) else clean_text(h) for h in grid_v[0]]
    rows = []
    for number, cells_v in enumerate(grid_v[1:], start=2):
        if grid_f is not None:
            _unsaved_formula(display, sheet_name, number, grid_f[number - 1], cells_v,
                             lambda col: headers[col] if col < len(headers) else f"#{col + 1}")
        if _blank_row(cells_v):
            continue
        rows.append((number, cells_v))
    return RawTable(display, sheet_name, headers, rows, decimal_comma=True, percent=percent)


def _blank_row(cells) -> bool:
    """True for a row without a value (most rows have one in their first cell: checked first)."""
    first = cells[0] if cells else None
    if first is not None and not (first.__class__ is str and not first.strip()):
        return False
    return all(is_blank(c) for c in cells)


def _openpyxl_grid(path: Path, sheet_name: str, percent: bool, data_only: bool) -> list[list]:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=data_only)
    try:
        return _grid(book, sheet_name, percent)
    finally:
        book.close()


def _calamine_grid(path: Path, sheet_name: str) -> list[list]:
    """The sheet's values with calamine (Rust; twenty times faster than openpyxl on the national
    workbook), for sheets without formulas or percent formats. Empty cells are None, as openpyxl
    gives them; whole numbers stay floats (every parser takes 2022.0 for 2022)."""
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(str(path))
    try:
        grid = workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
    finally:
        workbook.close()
    return [[None if cell == "" else cell for cell in row] for row in grid]
