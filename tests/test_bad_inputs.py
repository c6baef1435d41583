"""The corpus of bad inputs (tests/bad_inputs/cases.yaml) and docs/errors.md, kept in step.

Each case is added to a copy of the bundled sample (already ingested, with a report built);
a refused input must give one line naming where the problem is, exit 2, and leave
processed/ and reports/ byte for byte as they were; a readable one must come out as checked.
"""

import hashlib
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
import yaml
from conftest import PROJECT

from boligdata import load
from boligdata.cli import main

CASES = yaml.safe_load((Path(__file__).parent / "bad_inputs" / "cases.yaml").read_text(encoding="utf-8"))
DOC = (PROJECT / "docs" / "errors.md").read_text(encoding="utf-8")
DOCUMENTED = dict(re.findall(r"^\| `([a-z0-9-]+)` \| (.+?) \|", DOC, re.M))
TESTED_ELSEWHERE = {"report-failed", "batch-failed", "statbank-fetch"}  # statbank-fetch: tests/test_statbank.py


def tree_hashes(folder):
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.name.endswith(".lock")}


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """The sample, ingested, with a published report to prove reports/ is left alone."""
    root = tmp_path_factory.mktemp("corpus") / "ws"
    shutil.copytree(PROJECT / "raw", root / "raw")
    (root / "reports" / "2020Q3" / "461").mkdir(parents=True)
    (root / "reports" / "2020Q3" / "461" / "kvartalsrapport.html").write_text("<html>last good</html>", encoding="utf-8")
    assert main(["ingest", "--workspace", str(root)]) == 0
    return root


def patch_sheet(path: Path, replace, blank_rows: int) -> None:
    """Change the sheet's XML the way other programs (or attackers) write it: a value Excel never
    writes (``inf``), or a run of empty rows below the data."""
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    xml = parts["xl/worksheets/sheet1.xml"]
    if replace:
        xml = xml.replace(replace[0].encode(), replace[1].encode())
    if blank_rows:
        last = len(re.findall(rb"<row ", xml))
        empty = b"".join(b'<row r="%d"/>' % n for n in range(last + 1, last + 1 + blank_rows))
        xml = xml.replace(b"</sheetData>", empty + b"</sheetData>")
    parts["xl/worksheets/sheet1.xml"] = xml
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def write_case(case, raw: Path, folder: Path) -> list[str]:
    """Put the case's file(s) in place; return the command line to run."""
    if "xlsx" in case:
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = case.get("sheet_name", "data")
        for row in case["xlsx"]:
            sheet.append(row)
        if case.get("merge"):
            sheet.merge_cells(case["merge"])
        for name in case.get("sheets", []):
            book.create_sheet(name)
        for ref, number_format in case.get("formats", {}).items():
            sheet[ref].number_format = number_format
        book.save(raw / case["file"])
        if "xml_replace" in case or "blank_rows" in case:
            patch_sheet(raw / case["file"], case.get("xml_replace"), case.get("blank_rows", 0))
    elif "symlink" in case:
        (raw / case["file"]).symlink_to(case["symlink"])
    elif "file" in case:
        text = case["text"]
        data = text.encode(case.get("encoding", "utf-8"))
        if case.get("bom"):
            data = b"\xef\xbb\xbf" + data
        (raw / case["file"]).write_bytes(data)
    if "extra" in case:
        (raw / case["extra"]["file"]).write_text(case["extra"]["text"], encoding="utf-8")
    if "cli" in case:
        values = folder / "values.csv"
        values.write_text(case.get("values", ""), encoding="utf-8")
        return [str(values) if a == "{values}" else str(folder) if a == "WS" else a for a in case["cli"]]
    return ["ingest", "--workspace", str(folder)]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_bad_input(case, base, tmp_path, capsys):
    folder = tmp_path / "ws"
    shutil.copytree(base, folder)
    before_processed, before_reports = tree_hashes(folder / "processed"), tree_hashes(folder / "reports")
    raw_before = tree_hashes(folder / "raw")
    command = write_case(case, folder / "raw", folder)
    raw_with_case = tree_hashes(folder / "raw")
    code = main(command)
    captured = capsys.readouterr()
    assert tree_hashes(folder / "raw") == raw_with_case  # raw/ is never written
    assert len(raw_with_case) >= len(raw_before)
    if case["outcome"] == "refused":
        assert code == 2, captured
        lines = [line for line in captured.err.splitlines() if line.startswith("error:")]
        assert len(lines) == 1 and "Traceback" not in captured.err, captured.err
        assert case["message"] in lines[0], lines[0]
        pattern = re.escape(DOCUMENTED[case["error"]].strip("`").split("`, `")[0]).replace("…", ".*")
        documented = [re.escape(p).replace("…", ".*") for p in DOCUMENTED[case["error"]].strip("`").split("`, `")]
        assert any(re.search(p, lines[0]) for p in documented), (lines[0], pattern)
        assert tree_hashes(folder / "processed") == before_processed
        assert tree_hashes(folder / "reports") == before_reports
    else:
        assert code == 0, captured.err
        if case.get("warning"):
            assert case["warning"] in captured.err
        check = case["check"]
        frame = getattr(load(folder), check["table"])
        for column, value in check["key"].items():
            frame = frame[frame[column] == value]
        assert frame[check["column"]].tolist() == [check["equals"]]


def test_the_corpus_is_large_enough_and_every_error_is_documented():
    assert len(CASES) >= 25
    used = {c["error"] for c in CASES if c["outcome"] == "refused"}
    assert used <= set(DOCUMENTED), used - set(DOCUMENTED)


def test_every_documented_error_is_met():
    """Each entry of docs/errors.md is met by the corpus, by a unit test below, or elsewhere."""
    from boligdata.errors import InputError
    from boligdata.readers.values import parse_number, parse_quarter, parse_year

    met = {c["error"] for c in CASES if c["outcome"] == "refused"} | TESTED_ELSEWHERE
    # Messages not worth a file each, checked directly against their entries:
    direct = {
        "ambiguous-number": lambda: parse_number("1,302", decimal_comma=False),
        "whole-number": lambda: parse_number("2,5", whole=True),
        "bad-quarter": lambda: parse_quarter("2020"),
        "bad-year": lambda: parse_year("tyve"),
    }
    for error_id, call in direct.items():
        with pytest.raises(ValueError) as info:
            call()
        message = str(InputError("raw/x.csv", str(info.value), row=2, column="c", value="v"))
        documented = [re.escape(p).replace("…", ".*") for p in DOCUMENTED[error_id].strip("`").split("`, `")]
        assert any(re.search(p, message) for p in documented), (message, documented)
        met.add(error_id)
    missing = set(DOCUMENTED) - met - UNIT_TESTED
    assert not missing, f"documented errors no test meets: {sorted(missing)}"


# Entries met by dedicated tests in other files (named here so the list cannot silently grow).
UNIT_TESTED = {
    "duplicate-heading",      # tests/test_bad_inputs.py::test_duplicate_heading
    "unreadable-workbook",    # tests/test_bad_inputs.py::test_unreadable_workbook
    "required-value", "share-mismatch", "whole-persons", "unknown-geography", "ambiguous-name",
    "plan-area", "quarter-order", "statbank-header", "statbank-filter", "statbank-file", "no-raw",
    "internal-error",
    "read-only-stale",        # tests/test_bad_inputs.py::test_a_read_only_processed_folder
    "write-failed",           # tests/test_bad_inputs.py::test_a_full_disk_keeps_the_last_good_processed_folder
}


def run_ingest(folder, capsys):
    code = main(["ingest", "--workspace", str(folder)])
    return code, [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]


@pytest.mark.parametrize("error_id, file, text", [
    ("duplicate-heading", "omraader_x.csv", "områdekode;omraadekode;områdenavn;kommunekode\nx;x;X;461\n"),
    ("required-value", "omraader_x.csv", "områdekode;områdenavn;kommunekode\nx;;461\n"),
    ("share-mismatch", "observationer_x.csv",
     "geografiniveau;geografikode;indikator;periode;værdi;tæller;nævner;kilde;opgjort;status\n"
     "område;odense-vollsmose;convicted_pct;2021K1;9,0;10;1000;t;2021-03-31;endelig\n"),
    ("whole-persons", "observationer_x.csv",
     "geografiniveau;geografikode;indikator;periode;værdi;kilde;opgjort;status\n"
     "område;odense-vollsmose;residents;2021K1;72,5;t;2021-03-31;endelig\n"),
    ("unknown-geography", "observationer_x.csv",
     "geografiniveau;geografikode;indikator;periode;værdi;kilde;opgjort;status\n"
     "region;099;residents;2021K1;7;t;2021-03-31;endelig\n"),
    ("ambiguous-name", "omraader_x.csv", "områdekode;områdenavn;kommunekode\nanden;Vollsmose;461\n"),
    ("plan-area", "helhedsplaner_x.csv", "helhedsplankode;navn;kommunekode;områder\np2;P;461;ukendt\n"),
    ("quarter-order", "udlejning_x.csv",
     "område;udlejningsform;fra_kvartal;til_kvartal;antal;kilde;status\nVollsmose;Samlet;2021K3;2021K1;5;t;endelig\n"),
    ("statbank-header", "statbank_X.csv", "OMRÅDE;ÅR;VÆRDI\nOdense;2020;5\n"),
    ("statbank-filter", "statbank_X.csv", "OMRÅDE;KØN;TID;INDHOLD\nOdense;Mænd;2020;5\nOdense;Kvinder;2020;6\n"),
    ("statbank-file", None, None),
])
def test_other_documented_errors(error_id, file, text, base, tmp_path, capsys):
    folder = tmp_path / "ws"
    shutil.copytree(base, folder)
    if file:
        (folder / "raw" / file).write_text(text, encoding="utf-8")
    if error_id.startswith("statbank"):
        name = "statbank_X.csv" if file else "statbank_missing.csv"
        (folder / "raw" / "statbankkort.csv").write_text(
            f"fil;indikator;kilde;opgjort;status\n{name};non_western_pct;DST;2020-10-01;endelig\n", encoding="utf-8")
    before = tree_hashes(folder / "processed")
    code, lines = run_ingest(folder, capsys)
    assert code == 2 and len(lines) == 1
    documented = [re.escape(p).replace("…", ".*") for p in DOCUMENTED[error_id].strip("`").split("`, `")]
    assert any(re.search(p, lines[0]) for p in documented), (lines[0], DOCUMENTED[error_id])
    assert tree_hashes(folder / "processed") == before


def test_unreadable_workbook(base, tmp_path, capsys):
    folder = tmp_path / "ws"
    shutil.copytree(base, folder)
    (folder / "raw" / "omraader_x.xlsx").write_bytes(b"this is not a zip file")
    code, lines = run_ingest(folder, capsys)
    assert code == 2 and "expected a readable .xlsx workbook" in lines[0]


def test_no_raw_folder(tmp_path, capsys):
    code = main(["ingest", "--workspace", str(tmp_path / "nowhere")])
    err = capsys.readouterr().err
    assert code == 2 and "raw does not exist; create a workspace with 'boligdata init DIR'" in err


def test_internal_error_is_one_line(monkeypatch, capsys, sample_workspace):
    import boligdata.ingest

    def broken(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(boligdata.ingest, "build_tables", broken)
    code = main(["ingest", "--workspace", str(sample_workspace), "--force"])
    err = capsys.readouterr().err
    assert code == 3 and err.count("\n") == 1 and "Traceback" not in err
    assert re.search(re.escape(DOCUMENTED["internal-error"].strip("`")).replace("…", ".*"), err)


def read_only(folder: Path, monkeypatch) -> None:
    """Make processed/ read-only: for real where permissions bind (not root), else as a
    read-only mount behaves (opening the lock file fails with EROFS)."""
    import errno
    import os

    import boligdata.ingest

    if os.geteuid() != 0:
        for path in [folder, *folder.rglob("*")]:
            path.chmod(0o555 if path.is_dir() else 0o444)
        return

    def refuse(self):
        raise OSError(errno.EROFS, "Read-only file system", str(self.path))

    monkeypatch.setattr(boligdata.ingest.IngestLock, "__enter__", refuse)


def test_a_read_only_processed_folder(base, tmp_path, capsys, monkeypatch):
    folder = tmp_path / "ws"
    shutil.copytree(base, folder)
    before = tree_hashes(folder / "processed")
    read_only(folder / "processed", monkeypatch)
    # Up to date with raw/: loaded as it is, nothing written.
    tables = load(folder)
    assert len(tables.areas) > 0 and tree_hashes(folder / "processed") == before
    assert main(["ingest", "--workspace", str(folder)]) == 0
    # raw/ changed since: refused in one line, not a traceback.
    (folder / "raw" / "omraader_x.csv").write_text("områdekode;områdenavn;kommunekode\nx-parken;X;461\n",
                                                   encoding="utf-8")
    code, lines = run_ingest(folder, capsys)
    assert code == 2 and len(lines) == 1
    documented = [re.escape(p).replace("…", ".*") for p in DOCUMENTED["read-only-stale"].strip("`").split("`, `")]
    assert any(re.search(p, lines[0]) for p in documented), lines[0]


def test_a_full_disk_keeps_the_last_good_processed_folder(base, tmp_path, capsys, monkeypatch):
    import errno

    import boligdata.ingest

    folder = tmp_path / "ws"
    shutil.copytree(base, folder)
    (folder / "raw" / "omraader_x.csv").write_text("områdekode;områdenavn;kommunekode\nx-parken;X;461\n",
                                                   encoding="utf-8")
    before = tree_hashes(folder / "processed")
    real, calls = boligdata.ingest.stage_file, []

    def fill_up(path, data):
        calls.append(path.name)
        if len(calls) == 3:  # the third table finds the disk full
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(path, data)

    monkeypatch.setattr(boligdata.ingest, "stage_file", fill_up)
    code = main(["ingest", "--workspace", str(folder)])
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
    assert code == 4 and len(lines) == 1
    assert "No space left on device (ENOSPC)" in lines[0] and lines[0].endswith("processed is as it was")
    documented = [re.escape(p).replace("…", ".*") for p in DOCUMENTED["write-failed"].strip("`").split("`, `")]
    assert any(re.search(p, lines[0]) for p in documented), lines[0]
    assert tree_hashes(folder / "processed") == before  # not one table replaced, no temporary file left
    assert not list((folder / "processed").glob(".*.tmp"))


def test_limits_are_checked_before_parsing(tmp_path, monkeypatch):
    """A file over limits.max_bytes is refused from its size alone (a 256 MB file is too slow to
    write in a test, so the limit is lowered; the default is in data/inputs.yaml)."""
    import dataclasses

    from boligdata.errors import InputError
    from boligdata.readers import table
    from boligdata.readers.templates import input_limits

    path = tmp_path / "omraader_x.csv"
    path.write_text("områdekode;områdenavn;kommunekode\n" + "x-parken;X;461\n" * 100, encoding="utf-8")
    small = dataclasses.replace(input_limits(), max_bytes=1000, max_rows=50)
    monkeypatch.setattr(table, "input_limits", lambda: small)
    with pytest.raises(InputError, match=r"expected a file of at most 0,0 MB \(limits.max_bytes"):
        table.read_table(path, "raw/omraader_x.csv")
    monkeypatch.setattr(table, "input_limits", lambda: dataclasses.replace(small, max_bytes=10**6))
    with pytest.raises(InputError, match="this one has more than 50 rows"):
        table.read_table(path, "raw/omraader_x.csv")


def test_the_limits_fit_ten_times_the_national_data():
    """The defaults must fit ten times the synthetic national workbook: 62.160 rows of 8 cells,
    2,1 MB on disk and 32 MB of sheet XML (measured with boligdata.synthetic.national_raw)."""
    from boligdata.readers.templates import input_limits

    limits = input_limits()
    assert limits.max_rows >= 10 * 62_160 and limits.max_cells >= 10 * 62_160 * 8
    assert limits.max_bytes >= 10 * 2.1 * 2**20 and limits.max_unpacked_bytes >= 10 * 32 * 2**20


def test_no_id_reaches_a_path_unchecked(tmp_path):
    from boligdata.errors import ParameterError
    from boligdata.paths import Workspace
    from boligdata.publish.runner import ReportJob

    job = ReportJob("omraadeprofil", "2020Q3", "area", "../../x", "461", "t")
    with pytest.raises(ParameterError, match="expected a file name of a-z"):
        job.html_path(Workspace(tmp_path))


def test_no_input_file_crashes_ingest(base, tmp_path):
    """Whatever bytes a file of raw/ holds, ingest reads it or refuses it in one line (exit 0 or 2);
    exit 3 (internal error) is for bugs only. Hypothesis writes CSV-like text and raw bytes."""
    import contextlib
    import io
    import os

    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    folder = tmp_path / "ws"
    shutil.copytree(base, folder)
    header = "geografiniveau;geografikode;indikator;periode;værdi;kilde;opgjort;status\n"
    cell = st.one_of(st.sampled_from(["område", "kommune", "odense-vollsmose", "461", "non_western_pct", "residents",
                                      "2021K1", "2021-U53", "61,4", "1.302", "..", "inf", "-1", "1e400", '"', "",
                                      "2021-03-31", "endelig", "synthetic", "\u200b", "a\u030a"]),
                     st.text(max_size=12))
    row = st.lists(cell, min_size=0, max_size=10).map(";".join)
    text = st.lists(row, max_size=6).map(lambda rows: header + "\n".join(rows))
    data = st.one_of(text.map(lambda t: t.encode("utf-8")), text.map(lambda t: t.encode("utf-16")),
                     st.binary(max_size=200))

    @settings(max_examples=int(os.environ.get("FUZZ", "60")), deadline=None, suppress_health_check=list(HealthCheck))
    @given(data=data)
    def run(data):
        (folder / "raw" / "observationer_fuzz.csv").write_bytes(data)
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = main(["ingest", "--workspace", str(folder)])
        assert code in (0, 2), err.getvalue()
        if code == 2:
            assert err.getvalue().count("error:") == 1 and "Traceback" not in err.getvalue()

    run()


MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _rows(template: str, first: int, count: int) -> str:
    return "".join(template.format(n=n) for n in range(first, first + count))


@pytest.mark.parametrize("variant, patch, limit, message", [
    # A tab instead of a space after the tag name: a byte scan for "<row " misses every row.
    ("tab", lambda xml: xml.replace("</sheetData>", _rows('<row\tr="{n}"/>', 3, 60) + "</sheetData>"),
     {"max_rows": 50}, "more than 50 rows"),
    # The same rows under a namespace prefix: <x:row> is a row to every XML parser.
    ("prefix", lambda xml: xml.replace("<worksheet ", f'<worksheet xmlns:x="{MAIN_NS}" ', 1).replace(
        "</sheetData>", _rows('<x:row r="{n}"/>', 3, 60) + "</sheetData>"), {"max_rows": 50}, "more than 50 rows"),
    # One cell far out: the reader builds the whole grid up to it (3 rows x 16.384 columns).
    ("far-cell", lambda xml: xml.replace("</sheetData>", '<row r="3"><c r="XFD3"><v>1</v></c></row></sheetData>'),
     {"max_cells": 1000}, "more than 1.000 cells (rows x columns to its last cell)"),
    # Padding that unzips to more than the cap, whatever the zip's header says.
    ("unpacked", lambda xml: xml.replace("</sheetData>", " " * 200_000 + "</sheetData>"),
     {"max_unpacked_bytes": 100_000}, "a sheet of at most"),
    # An entity bomb needs a DOCTYPE; a sheet never has one.
    ("doctype", lambda xml: '<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">]>' + xml,
     {}, "the sheet's XML cannot be read"),
])
def test_xlsx_limits_are_counted_by_a_parser(tmp_path, monkeypatch, variant, patch, limit, message):
    """Issue 23, point 8: each limit with a variant of the sheet's XML built to slip past a byte scan."""
    import dataclasses

    from boligdata.errors import InputError
    from boligdata.readers import table
    from boligdata.readers.templates import input_limits

    path = tmp_path / "omraader_x.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "data"
    book.active.append(["områdekode", "områdenavn", "kommunekode"])
    book.active.append(["x-parken", "X", 461])
    book.save(path)
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode("utf-8")
    patched = patch(xml)
    assert patched != xml, "the variant must change the sheet"
    parts["xl/worksheets/sheet1.xml"] = patched.encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    monkeypatch.setattr(table, "input_limits", lambda: dataclasses.replace(input_limits(), **limit))
    with pytest.raises(InputError, match=re.escape(message)):
        table.read_table(path, "raw/omraader_x.xlsx")
