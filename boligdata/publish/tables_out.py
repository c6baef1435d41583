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

_NUMBER = re.compile(r"^(?P<sign>[+\-−]?)(?P<int>\d{1,3}(?:\.\d{3})*|\d+)(?:,(?P<dec>\d+))?(?P<pct>\s?%)?$")


def danish_number(text: str) -> tuple[float, str] | None:
    """A number written the Danish way, and the Excel number format that shows it the same way;
    None for anything else.

    >>> danish_number("41,0 %"), danish_number("1.302"), danish_number("+2,35"), danish_number("i alt")
    ((0.41, '0.0%'), (1302.0, '#,##0'), (2.35, '+0.00;-0.00;0.00'), None)
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
    if match["sign"] == "+":
        return value, f"+{body};-{body};{body}"
    return value, "#,##0" if not decimals else "#,##0." + "0" * decimals


@dataclass
class HtmlTable:
    caption: str = ""
    head: list = field(default_factory=list)   # rows of header texts
    body: list = field(default_factory=list)   # rows of cell texts


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
            self.row = []
        elif tag in ("td", "th"):
            self.cell = []
        elif tag == "br" and self.cell is not None:
            self.cell.append(" ")

    def handle_endtag(self, tag):
        if self.table is None:
            return
        if tag == "caption":
            self.in_caption = False
        elif tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.row.append(re.sub(r"\s+", " ", "".join(self.cell)).strip())
            self.cell = None
        elif tag == "tr" and self.row is not None:
            (self.table.head if self.section == "thead" else self.table.body).append(self.row)
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
    parser.feed(html)
    return parser.tables


def _sheet_name(text: str, used: set) -> str:
    base = re.sub(r"[\[\]:*?/\\]", " ", text).strip()[:28] or "Tabel"
    name, number = base, 2
    while name.lower() in used:
        name, number = f"{base[:25]} {number}", number + 1
    used.add(name.lower())
    return name


def report_workbook(html: str, about: list[tuple[str, str]]) -> bytes:
    """The report's tables as one workbook: a sheet "Om rapporten" (title, quarter, sources of the
    figures, the synthetic notice), then a sheet per table, numbers typed, the header frozen."""
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    info = book.active
    info.title = "Om rapporten"
    for key, value in about:
        info.append([key, value])
    for row in info.iter_rows(max_col=1):
        row[0].font = Font(bold=True)
    info.column_dimensions["A"].width, info.column_dimensions["B"].width = 22, 110
    used = {info.title.lower()}
    for number, table in enumerate(html_tables(html), start=1):
        caption = re.sub(r"\s+", " ", table.caption).strip() or f"Tabel {number}"
        sheet = book.create_sheet(_sheet_name(caption, used))
        sheet.append([caption])
        sheet["A1"].font = Font(bold=True)
        for row in table.head:
            sheet.append(row)
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)
        sheet.freeze_panes = f"A{sheet.max_row + 1}"  # a coordinate, not a cell: no empty row is created
        for row in table.body:
            sheet.append([None] * len(row))
            for column, text in enumerate(row, start=1):
                cell = sheet.cell(row=sheet.max_row, column=column)
                number_and_format = danish_number(text)
                if number_and_format:
                    cell.value, cell.number_format = number_and_format
                else:
                    cell.value = text if text not in ("", "–") else None
        for column in sheet.columns:
            width = max((len(str(c.value)) for c in column[1:] if c.value is not None), default=8)
            sheet.column_dimensions[column[0].column_letter].width = min(60, max(8, width + 2))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def frame_workbook(frame: pd.DataFrame, sheet: str, formats: dict | None = None) -> bytes:
    """One frame as a workbook: typed cells, the header bold and frozen, ``formats`` by column."""
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    out = book.active
    out.title = sheet[:31]
    out.append([str(c) for c in frame.columns])
    for cell in out[1]:
        cell.font = Font(bold=True)
    out.freeze_panes = "A2"
    for row in frame.itertuples(index=False):
        out.append([None if (not isinstance(v, str) and pd.isna(v)) or v == "" else v for v in row])
    for index, column in enumerate(frame.columns, start=1):
        letter = out.cell(row=1, column=index).column_letter
        fmt = (formats or {}).get(column)
        if fmt:
            for cell in out[letter][1:]:
                cell.number_format = fmt
        width = max([len(str(column))] + [len(str(v)) for v in frame[column].head(200) if not pd.isna(v)])
        out.column_dimensions[letter].width = min(60, max(8, width + 2))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def danish_csv(frame: pd.DataFrame) -> bytes:
    """CSV as Danish Excel opens it: UTF-8 with a byte-order mark, ``;`` between fields and the
    decimal comma.

    >>> danish_csv(pd.DataFrame({"område": ["Vollsmose"], "andel": [76.1]}))
    b'\\xef\\xbb\\xbfomr\\xc3\\xa5de;andel\\r\\nVollsmose;76,1\\r\\n'
    """
    return frame.to_csv(index=False, sep=";", decimal=",", lineterminator="\r\n").encode("utf-8-sig")


def write_table(frame: pd.DataFrame, path: Path, *, danish: bool = False, sheet: str = "data",
                formats: dict | None = None) -> None:
    """Write ``frame`` to ``path`` by its suffix: .xlsx a typed workbook, .csv plain CSV (or the
    Danish Excel dialect with ``danish``)."""
    from ..ingest import atomic_write

    if path.suffix.lower() == ".xlsx":
        atomic_write(path, frame_workbook(frame, sheet, formats))
    elif danish:
        atomic_write(path, danish_csv(frame))
    else:
        atomic_write(path, frame.to_csv(index=False).encode("utf-8"))
