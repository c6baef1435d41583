"""Each reader on small hand-written inputs, CSV and XLSX."""

import warnings

import openpyxl
import pytest
from conftest import write

from boligdata.errors import InputError
from boligdata.readers.inputs import InputWarning, read_input
from boligdata.readers.table import read_table
from boligdata.readers.templates import input_kinds, kind_for_file

OBS = input_kinds()["observationer"]
HEADER = "geografiniveau;geografikode;indikator;periode;værdi;tæller;nævner;kilde;opgjort;status\n"


def test_semicolon_csv_with_decimal_comma_and_bom(tmp_path):
    path = write(tmp_path / "observationer.csv",
                 "\ufeff" + HEADER + "område;a;convicted_pct;2020K3;2,30;;;seed;22.09.2020;endelig\n")
    frame = read_input(path, OBS)
    row = frame.iloc[0]
    assert (row["value"], row["period"], row["vintage"], row["status"]) == (2.3, "2020Q3", "2020-09-22", "final")


def test_comma_csv_with_decimal_point_and_english_headings(tmp_path):
    path = write(tmp_path / "observationer.csv",
                 "geo_level,geo_code,indicator,period,value,source,vintage,status\n"
                 "municipality,461,convicted_pct,2020,0.76,DST,2020-05-01,final\n")
    assert read_input(path, OBS).iloc[0]["value"] == 0.76


def test_cp1252_file_with_danish_letters(tmp_path):
    path = write(tmp_path / "omraader.csv", "områdekode;områdenavn;kommunekode\nx;Højstrupvej-kvarteret;461\n",
                 encoding="cp1252")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = read_input(path, input_kinds()["omraader"])
    assert frame.iloc[0]["area_name"] == "Højstrupvej-kvarteret"
    assert any("cp1252" in str(w.message) for w in caught)


def test_missing_value_keeps_its_reason(tmp_path):
    path = write(tmp_path / "observationer.csv",
                 HEADER + "område;a;income_pct_of_region;2020K3;afventer;;;seed;2020-09-22;foreløbig\n"
                 "område;a;convicted_pct;2020K3;..;;;seed;2020-09-22;foreløbig\n")
    frame = read_input(path, OBS)
    assert frame["value"].isna().all()
    assert frame["value_missing_reason"].tolist()[0] == "afventer"


def test_unknown_extra_column_is_a_warning(tmp_path):
    path = write(tmp_path / "omraader.csv", "områdekode;områdenavn;kommunekode;farve\nx;X;461;rød\n")
    with pytest.warns(InputWarning, match="farve"):
        read_input(path, input_kinds()["omraader"])


def test_renamed_heading_with_folded_letters_is_recognised(tmp_path):
    path = write(tmp_path / "omraader.csv", "Omraadekode;OMRÅDENAVN;Kommune-kode\nx;X;461\n")
    assert read_input(path, input_kinds()["omraader"]).iloc[0]["municipality_code"] == "461"


def test_trailing_blank_rows_are_ignored(tmp_path):
    path = write(tmp_path / "omraader.csv", "områdekode;områdenavn;kommunekode\nx;X;461\n;;\n\n\n")
    assert len(read_input(path, input_kinds()["omraader"])) == 1


def _xlsx(path, rows, sheet="data"):
    book = openpyxl.Workbook()
    book.active.title = sheet
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def test_xlsx_reads_numbers_and_text(tmp_path):
    path = _xlsx(tmp_path / "omraader.xlsx", [["områdekode", "områdenavn", "kommunekode"], ["x", "X", 461]])
    assert read_input(path, input_kinds()["omraader"]).iloc[0]["municipality_code"] == "461"


def test_xlsx_formula_without_saved_value_is_refused(tmp_path):
    # openpyxl saves formulas without a cached result, like a file never opened in Excel.
    path = _xlsx(tmp_path / "aktiviteter.xlsx", [["år", "mål"], [2022, "=20*2"]])
    with pytest.raises(InputError, match=r"aktiviteter.xlsx, sheet 'data', row 2, column 'mål': found '=20\*2'; .*formula"):
        read_table(path, "aktiviteter.xlsx")


def test_xlsx_merged_header_is_refused(tmp_path):
    path = tmp_path / "omraader.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "data"
    book.active.append(["områder", None, "kommunekode"])
    book.active.merge_cells("A1:B1")
    book.save(path)
    with pytest.raises(InputError, match="merged"):
        read_table(path, "omraader.xlsx")


def test_xlsx_without_data_sheet_among_several_is_refused(tmp_path):
    path = tmp_path / "omraader.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "Ark1"
    book.create_sheet("Ark2")
    book.save(path)
    with pytest.raises(InputError, match="sheet named 'data'"):
        read_table(path, "omraader.xlsx")


def test_empty_sheet_is_refused(tmp_path):
    path = _xlsx(tmp_path / "omraader.xlsx", [])
    with pytest.raises(InputError, match="sheet is empty"):
        read_table(path, "omraader.xlsx")


def test_empty_file_is_refused(tmp_path):
    path = write(tmp_path / "omraader.csv", "")
    with pytest.raises(InputError, match="file is empty"):
        read_table(path, "omraader.csv")


def test_files_are_matched_to_kinds_by_name():
    assert kind_for_file("observationer_2020K3.xlsx").name == "observationer"
    assert kind_for_file("omraader.csv").name == "omraader"
    assert kind_for_file("notes.txt") is None


def test_released_template_columns_never_move():
    """A template is filled in by hand and pasted into, so its released columns keep their
    places: the released list (tests/released_template_columns.yaml) must be the start of the
    template's columns, and a template without a released list has not been recorded yet."""
    import pathlib

    import yaml

    released = yaml.safe_load((pathlib.Path(__file__).parent / "released_template_columns.yaml").read_text("utf-8"))
    kinds = input_kinds()
    assert set(released) == set(kinds), "record every template's columns in released_template_columns.yaml"
    for name, columns in released.items():
        current = [column.name for column in kinds[name].columns]
        assert current[:len(columns)] == columns, f"{name}: a released column moved; add new ones at the end"
