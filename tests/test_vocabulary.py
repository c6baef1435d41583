"""The workspace's own vocabulary (issue 23, point 5): own indicators, category labels, risk bands
and margins, and plausibility bounds in raw/, validated like the package's files, in force for
that workspace only. Nothing in the package is edited."""

import pytest
from conftest import write

from boligdata.catalog import load_catalog
from boligdata.cli import main
from boligdata.errors import InputError
from boligdata.ingest import ingest
from boligdata.loader import load
from boligdata.risk import band_settings

OWN_INDICATOR = """source: Odense Kommune, Borgmesterforvaltningen, eget indikatorsæt 2026
indicators:
  - id: rent_arrears_pct
    label_da: Andel husstande med huslejerestance
    group: profile
    unit: pct
    better: lower
    population: alle husstande
    source: boligorganisationens egne tal
    definition: Husstande med mindst én måneds restance ved kvartalets udgang, i procent af alle husstande.
"""
ARREARS = ("geografiniveau;geografikode;indikator;periode;værdi;kilde;opgjort;status\n"
           "område;odense-vollsmose;rent_arrears_pct;2020Q3;4,2;FOB, restancer;2020-09-30;endelig\n")


def test_an_own_indicator_is_refused_until_the_workspace_defines_it(sample_workspace):
    write(sample_workspace / "raw" / "observationer_restancer.csv", ARREARS)
    with pytest.raises(InputError, match="an indicator id from the catalogue"):
        ingest(sample_workspace)
    write(sample_workspace / "raw" / "indikatorer.yaml", OWN_INDICATOR)
    ingest(sample_workspace)
    tables = load(sample_workspace)
    assert load_catalog().loc["rent_arrears_pct", "label_da"] == "Andel husstande med huslejerestance"
    row = tables.observations[tables.observations["indicator"] == "rent_arrears_pct"]
    assert row["value"].tolist() == [4.2]


def test_the_vocabulary_holds_for_its_workspace_only(sample_workspace, tmp_path):
    import shutil

    from conftest import PROJECT

    write(sample_workspace / "raw" / "indikatorer.yaml", OWN_INDICATOR)
    load(sample_workspace)
    assert "rent_arrears_pct" in load_catalog().index
    other = tmp_path / "other"
    shutil.copytree(PROJECT / "raw", other / "raw")
    load(other)  # the bundled sample's own workspace: the package's vocabulary only
    assert "rent_arrears_pct" not in load_catalog().index


BANDS = """source: Aarhus Kommune, Socialforvaltningen, BSU 14.10.2026 (egne farvekategorier og margener)
margins_pp:
  crime: 0.5
bands:
  - id: yellow
    label_da: Gul kategori
    aliases_da: [Gul kategori, Gul]
"""


def test_own_labels_and_margins_reach_the_engine_and_the_report(sample_workspace):
    write(sample_workspace / "raw" / "risikogrupper.yaml", BANDS)
    load(sample_workspace)
    settings = band_settings()
    assert str(settings.margin("crime")) == "0.5" and str(settings.margin("employment")) == "2.0"
    assert settings.band("yellow").label_da == "Gul kategori"
    assert settings.by_category("Gul kategori").id == "yellow"
    assert main(["report", "--workspace", str(sample_workspace), "--template", "kvartalsrapport",
                 "--quarter", "2020Q3", "--municipality", "461"]) == 0
    import html as markup
    import re

    page = next((sample_workspace / "reports").rglob("kvartalsrapport*.html")).read_text(encoding="utf-8")
    html = markup.unescape(re.sub(r"<[^>]+>", "", page))
    # The method note states the margins in force: crime 0,50 points (2 decimals, as the criterion).
    assert "Risikogruppen «Gul kategori»" in html and "kriminalitetskriteriet: 1 person eller 0,50 procentpoint" in html
    assert "raw/risikogrupper.yaml (risikogrupper og margener): Aarhus Kommune" in html  # in the sources


@pytest.mark.parametrize("name, text, expected", [
    ("risikogrupper.yaml", "source: x\nmargins: {crime: 1}\n", "unknown key 'margins'"),
    ("risikogrupper.yaml", "source: x\nbands:\n  - {id: purple, label_da: Lilla}\n", "'purple' is not a band"),
    ("risikogrupper.yaml", "source: x\nbands:\n  - {id: yellow, colour: '#777777'}\n", "4.5:1"),
    ("risikogrupper.yaml", "bands: []\n", "missing key 'source'"),
    ("indikatorer.yaml", OWN_INDICATOR.replace("unit: pct", "unit: kroner"), "'kroner' is not one of"),
    ("indikatorer.yaml", "source: x\nindicators: {id: a}\n", "an entry with an id"),
    ("plausibilitet.yaml", "source: x\nunits: {pct: {possible: [0, 'hundred'], reason: r}}\n", "expected numbers"),
    ("risikogrupper.yaml", "source: [unclosed\n", "valid YAML"),
], ids=["unknown-key", "unknown-band", "unreadable-colour", "no-source", "bad-unit", "not-a-list",
        "bad-bound", "not-yaml"])
def test_a_wrong_vocabulary_file_is_refused_naming_it(sample_workspace, name, text, expected):
    write(sample_workspace / "raw" / name, text)
    with pytest.raises(InputError) as caught:
        ingest(sample_workspace)
    assert str(caught.value).startswith(f"raw/{name}") and expected in str(caught.value)
    assert "rent_arrears_pct" not in load_catalog().index  # a refused file leaves nothing in force


def test_own_plausibility_bounds_replace_the_packages(sample_workspace):
    # 12,0 % convicted is above the package's plausible 10 % for an area (plausibility.yaml); the
    # area has no other figure, so no jump rule applies.
    write(sample_workspace / "raw" / "omraader_test.csv", "områdekode;områdenavn;kommunekode\ntestparken;Testparken;461\n")
    high = ("geografiniveau;geografikode;indikator;periode;værdi;kilde;opgjort;status\n"
            "område;testparken;convicted_pct;2020;12,0;egen;2020-09-30;endelig\n")
    write(sample_workspace / "raw" / "observationer_hoej.csv", high)
    with pytest.raises(InputError, match="implausible|sandsynlig|plausible"):
        ingest(sample_workspace)
    write(sample_workspace / "raw" / "plausibilitet.yaml",
          "source: 'Odense, analyseenheden: et område med særlig høj kriminalitet'\n"
          "indicators:\n  convicted_pct:\n    - level: area\n      plausible: [0, 15]\n"
          "      why: vores område ligger højt\n      reason: egen vurdering\n      source: egen\n")
    ingest(sample_workspace)
