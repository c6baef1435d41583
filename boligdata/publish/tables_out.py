"""Tables out to the tools analysts already use: an Excel workbook with typed columns, and CSV
that Danish Excel opens as it should (byte-order mark, ``;``, decimal comma).

A report's tables are taken from its HTML (``html_tables``), so the workbook shows exactly
what the committee reads, after disclosure control; numbers in Danish notation ("41,0 %",
"1.302", "+2,3") become numbers with a matching format, everything else stays text.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd

from ..errors import OutputError

EXCEL_TEXT_LIMIT = 32767  # characters in one cell (Excel's specifications and limits)
_NUMBER = re.compile(r"^(?P<sign>[+\-−]?)(?P<int>\d{1,3}(?:\.\d{3})*|\d+)(?:,(?P<dec>\d+))?"
                     r"(?:(?P<pct>\s?%)|\s(?P<unit>kr\.|procentpoint|pct\.-point))?$")
_DATE = re.compile(r"^(\d{2})\.(\d{2})\.(\d{4})$")
_YEAR = re.compile(r"^(19|20)\d{2}$")


def danish_number(text: str) -> tuple[float, str] | None:
    """A number written the Danish way, and the Excel number format that shows it the same way;
    None for anything else.

    >>> danish_number("41,0 %"), danish_number("1.302"), danish_number("+2,35"), danish_number("i alt")
    ((0.41, '0.0%'), (1302.0, '#,##0'), (2.35, '+0.00;-0.00;0.00'), None)
    >>> danish_number("21.022.000 kr."), danish_number("-1,5 procentpoint")
    ((21022000.0, '#,##0 "kr."'), (-1.5, '+0.0 "procentpoint";-0.0 "procentpoint";0.0 "procentpoint"'))
    """
    match = _NUMBER.match(str(text).strip().replace("\u00a0", " "))
    if not match:
        return None
    decimals = len(match["dec"] or "")
    value = float(match["int"].replace(".", "") + ("." + match["dec"] if decimals else ""))
    if match["sign"] in ("-", "−"):
        value = -value
    body = "0" + ("." + "0" * decimals if decimals else "")
    if match["pct"]:
        return round(value / 100, decimals + 2), body + "%"
    unit = f' "{match["unit"]}"' if match["unit"] else ""
    if match["sign"] == "+" or match["unit"] in ("procentpoint", "pct.-point"):  # a difference: its sign shown
        return value, f"+{body}{unit};-{body}{unit};{body}{unit}"
    return value, ("#,##0" if not decimals else "#,##0." + "0" * decimals) + unit


@dataclass
class HtmlTable:
    caption: str = ""
    head: list = field(default_factory=list)   # rows of header texts
    body: list = field(default_factory=list)   # rows of cell texts
    # Per cell of ``head`` and ``body`` (same shape): how it stands on the page, as a dict with
    # "span" (the columns it covers), "bold" (emphasised, e.g. a met criterion), "kind" (the
    # renderer's format kind, ``present.html.table``'s ``data-kind``) and "row_header" (a <th> in the body).
    head_cells: list = field(default_factory=list)
    body_cells: list = field(default_factory=list)


TABLE = re.compile(r"<table\b.*?</table>", re.S | re.I)


class _TableParser(HTMLParser):
    """Every <table> of a page: caption, header rows and body rows, as the reader sees the text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables, self.table, self.row, self.cell, self.section, self.in_caption = [], None, None, None, "", False

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.table = HtmlTable()
        elif self.table is None:
            return
        elif tag == "caption":
            self.in_caption = True
        elif tag in ("thead", "tbody"):
            self.section = tag
        elif tag == "tr":
            self.row, self.infos = [], []
        elif tag in ("td", "th"):
            self.cell = []
            named = dict(attrs)
            span = named.get("colspan") or "1"
            self.cell_info = {"span": int(span) if span.isdigit() and int(span) > 0 else 1, "bold": False,
                              "kind": named.get("data-kind"), "row_header": tag == "th" and self.section != "thead"}
        elif tag in ("strong", "b") and self.cell is not None:
            self.cell_info["bold"] = True
        elif tag == "br" and self.cell is not None:
            self.cell.append(" ")

    def handle_endtag(self, tag):
        if self.table is None:
            return
        if tag == "caption":
            self.in_caption = False
        elif tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.row.append(re.sub(r"\s+", " ", "".join(self.cell)).strip())
            self.infos.append(self.cell_info)
            self.cell = None
        elif tag == "tr" and self.row is not None:
            head = self.section == "thead"
            (self.table.head if head else self.table.body).append(self.row)
            (self.table.head_cells if head else self.table.body_cells).append(self.infos)
            self.row = None
        elif tag == "table":
            self.tables.append(self.table)
            self.table, self.section = None, ""

    def handle_data(self, data):
        if self.in_caption and self.table is not None:
            self.table.caption += data
        elif self.cell is not None:
            self.cell.append(data)


def html_tables(html: str) -> list[HtmlTable]:
    """The tables of a report page, in order.

    >>> t = html_tables('<table><caption>Oversigt</caption><thead><tr><th>Område</th><th>Andel</th></tr></thead>'
    ...                 '<tbody><tr><th>Vollsmose</th><td>76,1 %</td></tr></tbody></table>')[0]
    >>> t.caption, t.head, t.body
    ('Oversigt', [['Område', 'Andel']], [['Vollsmose', '76,1 %']])
    """
    parser = _TableParser()
    # Only the tables are parsed: the page's charts and text are half of it, and no table of a
    # report holds another (a cell's text is escaped).
    parser.feed("".join(TABLE.findall(html)))
    return parser.tables


def _sheet_name(text: str, used: set) -> str:
    """A sheet name Excel (and the writer) accepts, from a caption: at most 31 characters, none of
    []:*?/\\, no apostrophe first or last, not "History" (reserved); cut at a word, not inside one.
    A caption is data (an area's name): it never fails the workbook.

    >>> _sheet_name("'Ringparken i tal'", set()), _sheet_name("History", set())
    ('Ringparken i tal', 'History (tabel)')
    """
    base = re.sub(r"\s+", " ", re.sub(r"[\[\]:*?/\\\x00-\x1f]", " ", text)).strip().strip("' ")
    if len(base) > 28:
        base = base[:29].rsplit(" ", 1)[0].rstrip(" .,;") if " " in base[:29] else base[:28]
    base = base.strip("' ") or "Tabel"
    if base.lower() == "history":
        base = f"{base} (tabel)"
    name, number = base, 2
    while name.lower() in used:
        name, number = f"{base[:25].rstrip(chr(39))} {number}", number + 1
    used.add(name.lower())
    return name


def _tables_only(html: str) -> str:
    """The page's tables and nothing else, so the parser does not walk the charts and the text."""
    return "".join(re.findall(r"<table\b.*?</table>", html, re.S))


class _Book:
    """An in-memory XlsxWriter workbook with its bold and number formats made once.

    XlsxWriter, not openpyxl: it writes the same workbook three times faster, and every report
    writes one (docs/performance.md)."""

    def __init__(self):
        import xlsxwriter

        self.buffer = io.BytesIO()
        # What users typed is text: never a formula, a link or a number guessed from a string
        # (XlsxWriter's write() would make "=HYPERLINK(...)" a live formula and a URL-like name a link).
        self.book = xlsxwriter.Workbook(self.buffer, {"in_memory": True, "strings_to_formulas": False,
                                                      "strings_to_urls": False, "strings_to_numbers": False})
        self.bold = self.book.add_format({"bold": True})
        self.group = self.book.add_format({"bold": True, "align": "center"})
        self._formats: dict = {}

    def number_format(self, code: str | None, bold: bool = False):
        if (code, bold) not in self._formats:
            spec = {**({"num_format": code} if code else {}), **({"bold": True} if bold else {})}
            self._formats[(code, bold)] = self.book.add_format(spec) if spec else None
        return self._formats[(code, bold)]

    def cell(self, sheet, row: int, column: int, text: str, info: dict | None) -> int:
        """Write one cell of a page's table as what it is, and return its width: a year as a whole
        number without a thousands separator, a date as a date, "ja"/"nej" of a text column as a
        boolean, a number in Danish notation as a number with a matching format, anything else as
        text; emphasised (a met criterion) in bold. A cell of the kind "text" (``data-kind``) is never
        read as a count, share or amount ("1.302" there stays text); a four-digit year is a year
        wherever it stands (the renderer writes every count of 1.000 or more with a separator)."""
        info = info or {}
        bold, kind = info.get("bold", False), info.get("kind")
        if text in ("", "–"):
            return 0
        if _YEAR.match(text):
            sheet.write_number(row, column, int(text), self.number_format("0", bold))
            return 4
        date = _DATE.match(text)
        if date:
            import datetime as dt

            try:
                day = dt.datetime(int(date[3]), int(date[2]), int(date[1]))
            except ValueError:
                day = None
            if day is not None:
                sheet.write_datetime(row, column, day, self.number_format("dd.mm.yyyy", bold))
                return 10
        if kind in (None, "text") and text in ("ja", "nej"):
            sheet.write_boolean(row, column, text == "ja", self.number_format(None, bold))
            return 5
        number = None if kind == "text" else danish_number(text)
        if number:
            sheet.write_number(row, column, number[0], self.number_format(number[1], bold))
            return len(text)
        sheet.write_string(row, column, text, self.number_format(None, bold))
        return len(text)

    def bytes(self) -> bytes:
        self.book.close()
        return self.buffer.getvalue()


def _fit(sheet, widths: dict) -> None:
    for column, width in widths.items():
        sheet.set_column(column, column, min(60, max(8, width + 2)))


def report_workbook(html: str, about: list[tuple[str, str]]) -> bytes:
    """The report's tables as one workbook: a sheet "Om rapporten" (title, quarter, sources of the
    figures, the synthetic notice), then a sheet per table, numbers typed, the header frozen."""
    out = _Book()
    info = out.book.add_worksheet("Om rapporten")
    for row, (key, value) in enumerate(about):
        info.write_string(row, 0, key, out.bold)
        info.write_string(row, 1, value)
    info.set_column(0, 0, 22)
    info.set_column(1, 1, 110)
    used = {"om rapporten"}
    for number, table in enumerate(html_tables(_tables_only(html)), start=1):
        caption = re.sub(r"\s+", " ", table.caption).strip() or f"Tabel {number}"
        sheet = out.book.add_worksheet(_sheet_name(caption, used))
        sheet.write_string(0, 0, caption, out.bold)
        for row, (texts, infos) in enumerate(zip(table.head, table.head_cells), start=1):
            column = 0
            for text, info in zip(texts, infos):
                span = info["span"]
                if span > 1:  # a group heading stands over the columns it groups, as on the page
                    sheet.merge_range(row, column, row, column + span - 1, text, out.group)
                elif text:
                    sheet.write_string(row, column, text, out.bold)
                column += span
        first = len(table.head) + 1
        sheet.freeze_panes(first, 0)
        widths: dict = {}
        for row, (texts, infos) in enumerate(zip(table.body, table.body_cells), start=first):
            column = 0
            for text, info in zip(texts, infos):
                width = out.cell(sheet, row, column, text, info)
                widths[column] = max(widths.get(column, 0), width)
                column += info["span"]
        _fit(sheet, widths)
    return out.bytes()


def frame_workbook(frame: pd.DataFrame, sheet: str, formats: dict | None = None) -> bytes:
    """One frame as a workbook: typed cells, the header bold and frozen, ``formats`` by column."""
    out = _Book()
    data = out.book.add_worksheet(sheet[:31])
    data.freeze_panes(1, 0)
    widths = {}
    for column, name in enumerate(frame.columns):
        data.write_string(0, column, str(name), out.bold)
        fmt = (formats or {}).get(name)
        style = out.number_format(fmt) if fmt else None
        values = frame[name].tolist()
        for row, value in enumerate(values, start=1):
            if (value == "") if isinstance(value, str) else pd.isna(value):
                continue
            value = value.item() if hasattr(value, "item") else value
            written = data.write_string(row, column, value, style) if isinstance(value, str) else \
                data.write(row, column, value, style)
            if written != 0:  # XlsxWriter cuts a text over Excel's 32.767 characters and says so only here
                size, limit = (f"{n:,}".replace(",", ".") for n in (len(str(value)), EXCEL_TEXT_LIMIT))
                raise OutputError(f"{sheet}: row {row + 1}, column {name!r}: Excel cannot hold this value "
                                  f"({size} characters; at most {limit}); nothing was written")
        widths[column] = max([len(str(name))] + [len(str(v)) for v in frame[name].head(200) if not pd.isna(v)])
    _fit(data, widths)
    return out.bytes()


def csv_text(value):
    """A text cell as a spreadsheet must never run it: text starting with ``= + - @``, a tab or a
    carriage return gets a leading apostrophe (OWASP, "CSV Injection"), so Excel and LibreOffice
    show it as text instead of evaluating it. Anything but text is returned as it is.

    >>> csv_text("=HYPERLINK(A1)"), csv_text("-1"), csv_text("@x"), csv_text("Vollsmose"), csv_text(-1.5)
    ("'=HYPERLINK(A1)", "'-1", "'@x", 'Vollsmose', -1.5)
    """
    return "'" + value if isinstance(value, str) and value[:1] in _FORMULA_STARTS else value


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell passed through ``csv_text`` (numbers stay numbers)."""
    out = frame.copy()
    for column in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[column]) or pd.api.types.is_bool_dtype(out[column])):
            out[column] = out[column].map(csv_text)
    out.columns = [csv_text(str(c)) for c in out.columns]
    return out


def danish_csv(frame: pd.DataFrame) -> bytes:
    """CSV as Danish Excel opens it: UTF-8 with a byte-order mark, ``;`` between fields and the
    decimal comma; text cells made safe (``csv_text``).

    >>> danish_csv(pd.DataFrame({"område": ["Vollsmose", "=1+1"], "andel": [76.1, -2.5]}))
    b"\\xef\\xbb\\xbfomr\\xc3\\xa5de;andel\\r\\nVollsmose;76,1\\r\\n'=1+1;-2,5\\r\\n"
    """
    return csv_safe(frame).to_csv(index=False, sep=";", decimal=",", lineterminator="\r\n").encode("utf-8-sig")


def write_table(frame: pd.DataFrame, path: Path, *, sheet: str = "data", formats: dict | None = None) -> None:
    """Write ``frame`` to ``path`` by its suffix: .xlsx a typed workbook, .csv in the dialect
    Danish Excel opens (:func:`danish_csv`), since a file a user opens is opened in Excel."""
    from ..ingest import atomic_write

    if path.suffix.lower() == ".xlsx":
        atomic_write(path, frame_workbook(frame, sheet, formats))
    else:
        atomic_write(path, danish_csv(frame))
