"""Issue 23, point 7: names that work, near misses that say so, seeded files that open right."""

import pytest

from boligdata.cli import main
from boligdata.errors import ParameterError
from boligdata.publish.runner import plan_job


def test_area_by_name_and_region_by_name(sample_workspace):
    # Vollsmose is områdekode odense-vollsmose in raw/omraader.csv; Region Syddanmark is 083.
    job = plan_job("omraadeprofil", "2020Q3", area="Vollsmose", workspace=sample_workspace)
    assert job.scope_id == "odense-vollsmose"
    job = plan_job("landsoversigt", "2020Q3", region="Syddanmark", workspace=sample_workspace)
    assert job.scope_id == "083"


def test_a_near_miss_gets_did_you_mean(sample_workspace):
    with pytest.raises(ParameterError, match=r"unknown area 'Volsmose' \(did you mean 'Vollsmose'\?\)"):
        plan_job("omraadeprofil", "2020Q3", area="Volsmose", workspace=sample_workspace)
    with pytest.raises(ParameterError, match=r"unknown region 'Syddanmrk' \(did you mean 'Region Syddanmark'\?\)"):
        plan_job("landsoversigt", "2020Q3", region="Syddanmrk", workspace=sample_workspace)


def test_seeded_csvs_open_in_danish_excel(tmp_path):
    # Danish Excel reads a CSV as UTF-8 only with a byte-order mark, and splits fields on ';'.
    assert main(["init", str(tmp_path / "ws"), "--history", "751"]) == 0
    for name in ("omraader_lister.csv", "listehistorik_lister.csv", "listehistorik_daekning.csv"):
        data = (tmp_path / "ws" / "raw" / name).read_bytes()
        assert data.startswith(b"\xef\xbb\xbf"), name
        assert b";" in data.splitlines()[0], name


def test_a_misspelt_area_in_an_input_gets_did_you_mean(sample_workspace):
    import pytest

    from boligdata.errors import InputError
    from boligdata.ingest import ingest

    (sample_workspace / "raw" / "kategorier_x.csv").write_text(
        "område;periode;kategori;kilde\nVolsmose;2020K3;Udsat område;egen\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"found 'Volsmose'.*did you mean 'Vollsmose'\?"):
        ingest(sample_workspace)
