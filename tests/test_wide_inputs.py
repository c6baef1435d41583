"""Data in as analysts have it (issue 23, point 4): the wide observations template and
Landsbyggefonden's Beboerdata exports read by a mapping file. Every expected value below is
the cell it was read from, so the test says where the number stands."""

import io
import shutil

import openpyxl
import pytest
from conftest import PROJECT, write

from boligdata.errors import DataFileError, InputError
from boligdata.ingest import ingest
from boligdata.loader import load
from boligdata.readers.lbf import mappings, parse_mapping
from boligdata.synthetic import beboerdata_example
from boligdata.workspace import init_workspace

REGISTER = ("områdekode;områdenavn;kommunekode;afdelinger\n"
            "eksempelparken;Eksempelparken;461;Eksempel afd. 1\n"
            "to-afdelinger;Toparken;461;\"Top afd. 1;Top afd. 2\"\n")


def workspace(tmp_path):
    root = init_workspace(tmp_path / "ws")
    shutil.rmtree(root / "raw" / "skabeloner")
    write(root / "raw" / "omraader.csv", REGISTER)
    return root


def observations(root):
    ingest(root)
    return load(root).observations


def test_the_wide_template_gives_the_rows_of_the_long_one(tmp_path):
    root = workspace(tmp_path)
    wide = ("område;periode;kilde;opgjort;status;Antal beboere;Andel dømte for overtrædelse af straffeloven, "
            "våbenloven eller lov om euforiserende stoffer;income_pct_of_region\n"
            "Eksempelparken;2023;egen opgørelse;2024-05-01;foreløbig;2.376;1,87;\n"
            "eksempelparken;2022;egen opgørelse;2024-05-01;foreløbig;2.401;afventer;56,1\n")
    long = ("geografiniveau;geografikode;indikator;periode;værdi;kilde;opgjort;status\n"
            "område;Eksempelparken;residents;2023;2.376;egen opgørelse;2024-05-01;foreløbig\n"
            "område;Eksempelparken;convicted_pct;2023;1,87;egen opgørelse;2024-05-01;foreløbig\n"
            "område;eksempelparken;residents;2022;2.401;egen opgørelse;2024-05-01;foreløbig\n"
            "område;eksempelparken;convicted_pct;2022;afventer;egen opgørelse;2024-05-01;foreløbig\n"
            "område;eksempelparken;income_pct_of_region;2022;56,1;egen opgørelse;2024-05-01;foreløbig\n")
    write(root / "raw" / "observationer_bred.csv", wide)
    from_wide = observations(root)
    (root / "raw" / "observationer_bred.csv").unlink()
    write(root / "raw" / "observationer.csv", long)
    from_long = observations(root)
    key = ["geo_code", "indicator", "period"]
    columns = key + ["geo_level", "value", "missing_reason", "source", "vintage", "status"]
    # The blank income cell of 2023 is no figure (5 rows, not 6); "afventer" is a missing figure.
    assert len(from_wide) == 5
    assert (from_wide[columns].sort_values(key).reset_index(drop=True)
            .equals(from_long[columns].sort_values(key).reset_index(drop=True)))


def test_a_wrong_value_in_the_wide_template_is_located_by_its_heading(tmp_path):
    root = workspace(tmp_path)
    write(root / "raw" / "observationer_bred.csv",
          "område;periode;kilde;opgjort;status;Antal beboere;Andel 30-59-årige med alene grundskoleuddannelse\n"
          "Eksempelparken;2023;x;2024-05-01;endelig;2.376;158,1\n")
    with pytest.raises(InputError) as caught:
        ingest(root)
    text = str(caught.value)
    assert "raw/observationer_bred.csv" in text and "row 2" in text
    assert "'Andel 30-59-årige med alene grundskoleuddannelse'" in text and "158.1" in text


def test_an_unknown_indicator_heading_is_refused_with_a_suggestion(tmp_path):
    root = workspace(tmp_path)
    write(root / "raw" / "observationer_bred.csv",
          "område;periode;kilde;opgjort;status;Antal beboer\nEksempelparken;2023;x;2024-05-01;endelig;2.376\n")
    with pytest.raises(InputError, match=r"column 'Antal beboer'.*is it meant to be 'Antal beboere'\?"):
        ingest(root)


def test_the_example_beboerdata_workbook_is_read_cell_by_cell(tmp_path):
    root = workspace(tmp_path)
    (root / "raw" / "beboerdata_eksempelparken.xlsx").write_bytes(beboerdata_example())
    obs = observations(root).set_index(["indicator", "period"])
    assert set(obs["geo_code"]) == {"eksempelparken"} and set(obs["geo_level"]) == {"area"}
    # Row "Antal beboere", column 2023 (F8): 2376; the non-western share of 2019 (B9): 58,2.
    assert obs.loc[("residents", "2023"), "value"] == 2376
    assert obs.loc[("non_western_pct", "2019"), "value"] == pytest.approx(58.2)
    # "diskr." (B11) is a suppressed figure, kept with its reason, never a number.
    crime = obs.loc[("convicted_pct", "2019")]
    assert crime["value"] is pd_na() and "diskretioneret af Landsbyggefonden" in crime["missing_reason"]
    # The example says "Status: syntetisk", so nothing built from it passes for real data;
    # its vintage is "Udtrukket" (B4), 15 May 2024.
    assert set(obs["status"]) == {"synthetic"} and set(obs["vintage"]) == {pd_timestamp("2024-05-15")}
    assert len(obs) == 6 * 5


def pd_timestamp(text):
    import pandas as pd

    return pd.Timestamp(text)


def pd_na():
    import pandas as pd

    return pd.NA


def edited_example(change) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(beboerdata_example()))
    change(book.active)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("change, where", [
    (lambda s: s.__setitem__("D9", "59.4x"), "row 9, column 'D'"),
    (lambda s: s.__setitem__("A12", "Andel med grundskole"), "row 12, column 'A'"),
    (lambda s: s.__setitem__("C7", "tyve"), "row 7, column 'C'"),
    (lambda s: s.__setitem__("B3", "Ukendtparken"), "row 3, column 'B'"),
    (lambda s: s.__setitem__("B10", 4410), "row 10, column 'B (2019)'"),  # a share of 4410 %
], ids=["bad-number", "unknown-criterion", "bad-year", "unknown-area", "impossible-share"])
def test_a_wrong_cell_of_an_export_gets_the_located_error_of_the_templates(tmp_path, change, where):
    root = workspace(tmp_path)
    (root / "raw" / "beboerdata_eksempelparken.xlsx").write_bytes(edited_example(change))
    with pytest.raises(InputError) as caught:
        ingest(root)
    text = str(caught.value)
    assert "raw/beboerdata_eksempelparken.xlsx" in text and "Parallelsamfundskriterieværdier" in text
    assert where in text


def test_an_afdeling_is_read_as_the_area_only_when_it_is_the_whole_area(tmp_path):
    root = workspace(tmp_path)
    (root / "raw" / "beboerdata_afd.xlsx").write_bytes(edited_example(
        lambda s: (s.__setitem__("A3", "Afdeling:"), s.__setitem__("B3", "Eksempel afd. 1"))))
    assert set(observations(root)["geo_code"]) == {"eksempelparken"}
    (root / "raw" / "beboerdata_afd.xlsx").write_bytes(edited_example(
        lambda s: (s.__setitem__("A3", "Afdeling:"), s.__setitem__("B3", "Top afd. 2"))))
    with pytest.raises(InputError, match="one of 2 afdelinger of area 'to-afdelinger'"):
        ingest(root)


def test_the_shipped_mapping_is_validated_and_a_workspace_may_replace_it(tmp_path):
    shipped = (PROJECT / "boligdata" / "data" / "lbf_beboerdata" / "parallelsamfundskriterievaerdier.yaml")
    import yaml

    document = yaml.safe_load(shipped.read_text(encoding="utf-8"))
    document["rows"][1]["unit"] = "persons"  # a share mapped as a count
    with pytest.raises(DataFileError, match="does not fit non_western_pct"):
        parse_mapping(document, "raw/lbfkort_x.yaml")
    root = workspace(tmp_path)
    document = yaml.safe_load(shipped.read_text(encoding="utf-8"))
    document["rows"][0]["label"] = "Beboere i alt"
    (root / "raw" / "lbfkort_egen.yaml").write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    assert mappings(root / "raw")["parallelsamfundskriterievaerdier"].row_for("Beboere i alt").indicator == "residents"
    (root / "raw" / "beboerdata_x.xlsx").write_bytes(edited_example(lambda s: s.__setitem__("A8", "Beboere i alt")))
    assert (observations(root)["indicator"] == "residents").sum() == 5
