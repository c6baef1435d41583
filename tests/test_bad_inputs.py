"""The corpus of bad inputs (tests/bad_inputs/cases.yaml) and docs/errors.md, kept in step.

Each case is added to a copy of the bundled sample (already ingested, with a report built);
a refused input must give one line naming where the problem is, exit 2, and leave
processed/ and reports/ byte for byte as they were; a readable one must come out as checked.
"""

import hashlib
import re
import shutil
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
TESTED_ELSEWHERE = {"report-failed", "batch-failed"}


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
        book.save(raw / case["file"])
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
        documented = re.escape(DOCUMENTED[error_id].strip("`")).replace("…", ".*")
        assert re.search(documented, message), (message, documented)
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
