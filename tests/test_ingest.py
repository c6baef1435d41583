"""Ingest of the bundled sample end to end, the manifest, the no-op rerun, and refusals."""

import hashlib
import json

import pytest
from conftest import write

from boligdata import load
from boligdata.cli import main
from boligdata.errors import InputError
from boligdata.ingest import ingest


def tree_hashes(folder):
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_sample_ingest_end_to_end(sample_workspace):
    result = ingest(sample_workspace)
    assert result.changed
    manifest = json.loads((sample_workspace / "processed" / "manifest.json").read_text(encoding="utf-8"))
    for name, entry in manifest["tables"].items():
        data = (sample_workspace / "processed" / f"{name}.parquet").read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
    assert set(manifest["fingerprint"]["inputs"]) == {f"raw/{p.name}" for p in (sample_workspace / "raw").iterdir()
                                                       if p.name != "README.md"}
    tables = load(sample_workspace)
    obs = tables.observations
    # Published value, seed 004 punkt 4: Solbakken 2020Q3, only grundskole 61,4 %.
    solbakken = obs[(obs.geo_code == "odense-solbakken-mv") & (obs.indicator == "primary_school_only_pct")
                    & (obs.period == "2020Q3") & (obs.source.str.contains("punkt 4"))]
    assert solbakken["value"].tolist() == [61.4]
    assert solbakken["status"].tolist() == ["provisional"]
    # Income awaited in punkt 3: missing, with the reason kept, never zero.
    awaited = obs[(obs.geo_code == "odense-solbakken-mv") & (obs.indicator == "income_pct_of_region")
                  & obs.source.str.contains("punkt 3")]
    assert awaited["value"].isna().all() and awaited["missing_reason"].tolist() == ["afventer"]
    # Every row not taken from a document is marked synthetic, and reports can tell.
    synthetic = obs[obs.source.str.startswith("Syntetisk")]
    assert (synthetic["status"] == "synthetic").all() and tables.synthetic
    areas = tables.areas.set_index("area_id")
    assert areas.loc["slagelse-ringparken", ["municipality_name", "region_code"]].tolist() == ["Slagelse", "085"]


def test_second_ingest_is_a_no_op(sample_workspace, capsys):
    assert main(["ingest", "--workspace", str(sample_workspace)]) == 0
    before = tree_hashes(sample_workspace / "processed")
    assert main(["ingest", "--workspace", str(sample_workspace)]) == 0
    assert "nothing to do" in capsys.readouterr().out
    assert tree_hashes(sample_workspace / "processed") == before


def test_ingest_is_deterministic(sample_workspace, tmp_path):
    ingest(sample_workspace)
    first = tree_hashes(sample_workspace / "processed")
    ingest(sample_workspace, force=True)
    assert tree_hashes(sample_workspace / "processed") == first


def test_load_reingests_when_raw_changes(sample_workspace):
    ingest(sample_workspace)
    path = sample_workspace / "raw" / "forsoergelse.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(";382;", ";383;"), encoding="utf-8")
    counts = load(sample_workspace).support_counts
    assert 383 in counts["count"].tolist()


def test_raw_is_never_written(sample_workspace):
    before = tree_hashes(sample_workspace / "raw")
    ingest(sample_workspace)
    load(sample_workspace)
    assert tree_hashes(sample_workspace / "raw") == before


BAD_INPUTS = [
    # (file, text, the one line the user must get)
    ("omraader_x.csv", "områdekode;områdenavn;kommunekode\nx;X;999\n",
     "raw/omraader_x.csv, row 2, column 'kommunekode': found '999'; expected a kommunekode"),
    ("omraader_x.csv", "områdekode;områdenavn\nx;X\n",
     "raw/omraader_x.csv, row 1: expected a column 'kommunekode'"),
    ("forsoergelse_x.csv", "område;gruppe;periode;antal;kilde;status\nVollsmose;selvforsørgende;Q3 2020;5;s;endelig\n",
     "raw/forsoergelse_x.csv, row 2, column 'periode': found 'Q3 2020'; expected a period such as 2020"),
    ("forsoergelse_x.csv", "område;gruppe;periode;antal;kilde;status\nVollsmose;selvforsørgende;2020K3;-5;s;endelig\n",
     "raw/forsoergelse_x.csv, row 2, column 'antal': found '-5'; expected a whole number of 0 or more"),
    ("forsoergelse_x.csv", "område;gruppe;periode;antal;kilde;status\nUkendtparken;selvforsørgende;2020K3;5;s;endelig\n",
     "raw/forsoergelse_x.csv, row 2, column 'område': found 'Ukendtparken'; expected an area in the area registry"),
    ("listehistorik_x.csv", "listeår;område;betegnelse;kilde\n2009;Vollsmose;ghetto;x\n",
     "raw/listehistorik_x.csv, row 2, column 'listeår': found 2009; expected a year with a published list (the published lists run from 2010 to 2026)"),
    ("observationer_x.csv",
     "geografiniveau;geografikode;indikator;periode;værdi;tæller;nævner;kilde;opgjort;status\n"
     "område;odense-vollsmose;convicted_pct;2020K3;0,5;30;20;x;2020-09-22;endelig\n",
     "raw/observationer_x.csv, row 2, column 'tæller': found 30.0; expected a numerator no larger than the denominator"),
    ("observationer_x.csv",
     "geografiniveau;geografikode;indikator;periode;værdi;tæller;nævner;kilde;opgjort;status\n"
     "område;odense-vollsmose;non_western_pct;2020K3;0,761;761;1000;x;2020-09-22;endelig\n",
     "looks like a share from 0 to 1"),
    ("observationer_x.csv",
     "geografiniveau;geografikode;indikator;periode;værdi;tæller;nævner;kilde;opgjort;status\n"
     "område;odense-vollsmose;non_western_pct;2020K3;176,1;;;x;2020-09-22;endelig\n",
     "raw/observationer_x.csv, row 2, column 'værdi': found 176.1; expected a percentage from 0 to 100"),
    ("observationer_x.csv",
     "geografiniveau;geografikode;indikator;periode;værdi;tæller;nævner;kilde;opgjort;status\n"
     "område;odense-vollsmose;happiness;2020K3;1;;;x;2020-09-22;endelig\n",
     "column 'indikator': found 'happiness'; expected an indicator id from the catalogue"),
    ("observationer_x.csv",
     "geografiniveau;geografikode;indikator;periode;værdi;tæller;nævner;kilde;opgjort;status\n"
     "område;odense-vollsmose;residents;2020K3;7.233;;;x;2020-09-22;endelig\n"
     "område;odense-vollsmose;residents;2020K3;7.240;;;x;2020-09-22;endelig\n",
     "raw/observationer_x.csv, row 3, column 'periode'"),
]


@pytest.mark.parametrize("name, text, message", BAD_INPUTS, ids=[b[2][:40] for b in BAD_INPUTS])
def test_bad_input_is_refused_with_one_clear_line(sample_workspace, capsys, name, text, message):
    assert main(["ingest", "--workspace", str(sample_workspace)]) == 0
    before = tree_hashes(sample_workspace / "processed")
    write(sample_workspace / "raw" / name, text)
    assert main(["ingest", "--workspace", str(sample_workspace)]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    # Nothing lost: the previous processed/ is exactly as it was.
    assert tree_hashes(sample_workspace / "processed") == before


def test_duplicate_key_names_both_rows(sample_workspace):
    write(sample_workspace / "raw" / "forsoergelse_x.csv",
          "område;gruppe;periode;antal;kilde;status\nVollsmose;selvforsørgende;2020K3;5;s;endelig\n"
          "Vollsmose;selvforsørgende;2020K3;6;s;endelig\n")
    with pytest.raises(InputError, match=r"row 3.*same key is in raw/forsoergelse_x.csv row 2"):
        ingest(sample_workspace)


def test_workspace_from_environment(sample_workspace, monkeypatch):
    monkeypatch.setenv("BOLIGDATA_WORKSPACE", str(sample_workspace))
    assert load().workspace.root == sample_workspace.resolve()


def test_init_creates_an_empty_workspace_with_templates(tmp_path, capsys):
    assert main(["init", str(tmp_path / "new")]) == 0
    templates = sorted(p.name for p in (tmp_path / "new" / "raw" / "skabeloner").iterdir())
    assert "observationer.xlsx" in templates and "omraader.xlsx" in templates
    # An empty workspace ingests to empty tables (templates in raw/skabeloner/ are not inputs).
    assert main(["ingest", "--workspace", str(tmp_path / "new")]) == 0
    assert load(tmp_path / "new").observations.empty


def test_filled_template_round_trips(tmp_path):
    import openpyxl

    from boligdata.templates_xlsx import write_templates

    (tmp_path / "raw").mkdir()
    write_templates(tmp_path / "t")
    book = openpyxl.load_workbook(tmp_path / "t" / "omraader.xlsx")
    book["data"].append(["x-park", "X-parken", 461])
    book.save(tmp_path / "raw" / "omraader.xlsx")
    assert load(tmp_path).areas["area_name"].tolist() == ["X-parken"]
