"""Empty XLSX input templates with a header row and an instructions sheet."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import openpyxl
from openpyxl.styles import Font

from .catalog import load_catalog
from .ingest import atomic_write
from .readers.templates import input_kinds

TYPE_HELP_DA = {
    "text": "tekst", "id": "kode", "key": "fast nøgle: a-z, 0-9 og -", "kommunekode": "kommunekode (3 cifre)", "count": "helt tal, 0 eller mere",
    "number": "tal (1.302 eller 61,4)", "pct": "procent 0-100 (61,4)", "year": "årstal", "period":
    "periode (2020, 2020K3, 2020M07, 2020-U32)", "quarter": "kvartal (2020K3)", "date": "dato (2020-09-22)",
    "list": "liste adskilt af ;", "enum": "en af de nævnte værdier", "area_ref": "områdekode eller områdenavn",
}


def workbook_bytes(book: openpyxl.Workbook) -> bytes:
    """The workbook as XLSX bytes that are the same on every run.

    openpyxl stamps each zip entry with the current time; rewriting the entries with a
    fixed time makes templates and the sample reproducible byte for byte.
    """
    if not getattr(book, "write_only", False):
        book.properties.created = book.properties.modified = dt.datetime(2020, 1, 1)
    first = io.BytesIO()
    book.save(first)
    out = io.BytesIO()
    with zipfile.ZipFile(first) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2020, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps "created"/"modified" with now
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>2020-01-01T00:00:00Z", data)
            target.writestr(fixed, data)
    return out.getvalue()


def template_workbook(kind_name: str) -> bytes:
    """One template as XLSX bytes: sheet "data" with the headings, sheet "vejledning" with help.

    >>> import io, openpyxl
    >>> book = openpyxl.load_workbook(io.BytesIO(template_workbook("omraader")))
    >>> book.sheetnames, [c.value for c in book["data"][1]][:3]
    (['data', 'vejledning'], ['områdekode', 'områdenavn', 'kommunekode'])
    """
    kind = input_kinds()[kind_name]
    book = openpyxl.Workbook()
    data = book.active
    data.title = "data"
    wide = [] if kind.layout != "wide" else [
        row["label_da"] for _, row in load_catalog().iterrows() if row["group"] in ("list_criterion", "population")]
    data.append([c.heading for c in kind.columns] + wide)
    for cell in data[1]:
        cell.font = Font(bold=True)
    help_sheet = book.create_sheet("vejledning")
    help_sheet.append([kind.title_da])
    help_sheet["A1"].font = Font(bold=True, size=14)
    help_sheet.append([kind.help_da])
    help_sheet.append(["Udfyld arket 'data' med én række pr. post. Gem filen i raw/ med et navn, der "
                       f"begynder med '{kind.name}', og kør 'boligdata ingest'."])
    help_sheet.append([])
    help_sheet.append(["Kolonne", "Påkrævet", "Type", "Forklaring", "Tilladte værdier"])
    for cell in help_sheet[5]:
        cell.font = Font(bold=True)
    for column in kind.columns:
        allowed = ", ".join(sorted({key for key, _ in column.values}))
        help_sheet.append([column.heading, "ja" if column.required else "nej", TYPE_HELP_DA[column.type],
                           column.help_da, allowed])
    if wide:
        help_sheet.append(["(én kolonne pr. indikator)", "nej", TYPE_HELP_DA["number"], kind.indicator_columns_da,
                           "se arket 'indikatorer'"])
    if kind.table == "observations":
        catalog_sheet = book.create_sheet("indikatorer")
        catalog_sheet.append(["indikator", "betegnelse", "enhed", "bedre", "population", "kilde"])
        for _, row in load_catalog().iterrows():
            catalog_sheet.append([row["id"], row["label_da"], row["unit"], row["better"], row["population"], row["source"]])
    return workbook_bytes(book)


def write_templates(directory: Path) -> list[Path]:
    """Write every template to ``directory`` as ``<kind>.xlsx``; returns the paths."""
    directory = Path(directory)
    written = []
    for name in input_kinds():
        path = directory / f"{name}.xlsx"
        atomic_write(path, template_workbook(name))
        written.append(path)
    return written
