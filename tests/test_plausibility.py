"""Issue 23, points 1 and 2: plausibility before publication, and what changed.

Expected values are derived by hand from the law and the published figures, as each test says;
the corpus cases of the seven mistakes are in tests/bad_inputs/cases.yaml.
"""

from decimal import Decimal

import pytest

from boligdata import load
from boligdata.cli import main
from boligdata.crime import known_crime_figures
from boligdata.plausibility import Jump, load_plausibility, required_criteria
from boligdata.rules import version_by_id

OBS = "geografiniveau;geografikode;indikator;periode;værdi;kilde;opgjort;status\n"
CONFIRM = "geografiniveau;geografikode;indikator;periode;værdi;bekræftet_af;begrundelse;dato\n"


def _errors(capsys):
    return [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]


def test_the_jump_rule_needs_both_the_factor_and_the_amount():
    rule = Jump(2.0, 15)
    assert rule.jumps(30, 65)       # 65 / 30 = 2,17 > 2 and 35 points > 15
    assert not rule.jumps(30, 55)   # 55 / 30 = 1,83: not doubled
    assert not rule.jumps(4, 12)    # tripled, but 8 points: a small share moves so
    assert rule.jumps(60, 25)       # halved (60 / 25 = 2,4) and 35 points down


def test_the_criteria_a_designation_requires_come_from_the_law():
    # § 61 a, stk. 2 (2018): a ghetto area is an udsat area where non-western immigrants and their
    # descendants exceed 50 %; udsat itself is 2 of 4 criteria, so none of them is required alone.
    assert [c.id for c in required_criteria(version_by_id("2018"), "ghetto")] == ["non_western"]
    assert required_criteria(version_by_id("2018"), "udsat") == []
    # The hard ghetto area (§ 61 a, stk. 3) is a ghetto area for 4 years: the same requirement.
    assert [c.id for c in required_criteria(version_by_id("2018"), "haardt_ghetto")] == ["non_western"]
    # 2021: parallelsamfund and omdannelsesområde both rest on the non-western share.
    assert [c.id for c in required_criteria(version_by_id("2021"), "omdannelse")] == ["non_western"]
    assert [c.threshold for c in required_criteria(version_by_id("2021"), "parallelsamfund")] == [Decimal("50")]


def test_every_published_national_average_is_plausible_and_the_threshold_is_not():
    bound = load_plausibility().plausible("convicted_pct", "pct", "country")
    for figure in known_crime_figures().figures:
        low, high = figure.average_interval()
        assert not bound.outside(float(low)) and not bound.outside(float(high)), figure
    # 2,16 % is 3 x 0,72 %: the 3 x threshold, not an average (issue 23).
    assert bound.outside(2.16) and not bound.outside(0.72)


def test_an_own_workspace_with_criteria_written_0_1_beside_lbf_shares_is_refused(tmp_path, capsys):
    # The analyst's Aarhus workspace: no other file holds the criteria, so only the check per
    # indicator can see that non_western_pct is written from 0 to 1 while LBF's shares are 0-100.
    assert main(["init", str(tmp_path / "aarhus")]) == 0
    raw = tmp_path / "aarhus" / "raw"
    (raw / "omraader.csv").write_text("områdekode;områdenavn;kommunekode\ngellerup;Gellerupparken/Toveshøj;751\n",
                                      encoding="utf-8")
    (raw / "observationer.csv").write_text(
        OBS + "område;gellerup;non_western_pct;2024;0,8;LBF;2025-01-10;endelig\n"
              "område;gellerup;lbf_daycare_1_5_pct;2024;81,0;LBF;2025-01-10;endelig\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["ingest", "--workspace", str(tmp_path / "aarhus")]) == 2
    (line,) = _errors(capsys)
    assert "raw/observationer.csv, row 2, column 'værdi': found 0.8" in line
    assert "every non_western_pct value in this file lies between 0 and 1" in line


def test_a_confirmed_outlier_is_read_and_shown_in_the_report(sample_workspace, capsys):
    # Aahaven's crime share in 2020Q3 written as 12,5 % (above the plausible 10 %), confirmed.
    raw = sample_workspace / "raw"
    with (raw / "observationer.csv").open("a", encoding="utf-8") as out:
        out.write("område;odense-aahaven;convicted_pct;2020Q3;12,5;;;Egen kontrol;2020-09-25;estimate;\n")
    (raw / "bekraeftelser.csv").write_text(
        CONFIRM + "område;Aahaven;convicted_pct;2020K3;12,5;AB, Analyse;kontrolleret mod kriminalregistret;2020-09-28\n"
                  "område;Vollsmose;residents;2020K3;1;CD;bekræfter intet;2020-09-28\n", encoding="utf-8")
    assert main(["ingest", "--workspace", str(sample_workspace)]) == 0
    err = capsys.readouterr().err
    # The second confirmation confirms no refused figure: said, not silently kept.
    assert "raw/bekraeftelser.csv row 3: confirms no figure that a check found implausible" in err
    confirmed = load(sample_workspace).confirmed
    assert confirmed[["geo_code", "check", "confirmed_by"]].values.tolist() == [["odense-aahaven", "range", "AB, Analyse"]]
    from boligdata.reports.kvartalsrapport import Kvartalsrapport

    text = str(Kvartalsrapport(sample_workspace, "2020Q3", "461").sources())
    assert "bekræftet af AB, Analyse 28.09.2020: kontrolleret mod kriminalregistret" in text
    # Without the confirmation the same figure is refused.
    (raw / "bekraeftelser.csv").unlink()
    assert main(["ingest", "--workspace", str(sample_workspace)]) == 2


def test_the_digest_says_what_changed_since_the_last_ingest(sample_workspace, capsys):
    assert main(["ingest", "--workspace", str(sample_workspace)]) == 0
    capsys.readouterr()
    raw = sample_workspace / "raw"
    with (raw / "omraader.csv").open("a", encoding="utf-8") as out:
        out.write("odense-nyt;Nyt Område;461;;;\n")
    # Vollsmose's residents in 2020Q3, seed 004 punkt 4: 7.233. The same key now says 15.000: more
    # than twice and more than 500 persons, so it is named as moved (and confirmed as a jump).
    text = (raw / "observationer.csv").read_text(encoding="utf-8")
    old = "område;odense-vollsmose;residents;2020Q3;7.233;"
    assert old in text
    (raw / "observationer.csv").write_text(text.replace(old, "område;odense-vollsmose;residents;2020Q3;15.000;")
                                           + "område;odense-nyt;residents;2021Q1;1.200;;;Egen;2021-03-31;estimate;\n",
                                           encoding="utf-8")
    (raw / "bekraeftelser.csv").write_text(CONFIRM + "område;odense-vollsmose;residents;2020K3;15000;AB;test;2020-10-01\n",
                                           encoding="utf-8")
    assert main(["ingest", "--workspace", str(sample_workspace)]) == 0
    out = capsys.readouterr().out
    assert "new areas: odense-nyt" in out and "new periods: 2021Q1" in out
    assert "moved beyond the plausible factor: residents odense-vollsmose 2020Q3: 7233 -> 15000" in out
    digest = load(sample_workspace).manifest["digest"]
    assert (sample_workspace / "processed" / "digest.json").exists()
    assert "1 nyt område" in digest["summary_da"] and "1 ny periode (1. kvt. 2021)" in digest["summary_da"]


@pytest.mark.parametrize("value, refused", [("9,9", False), ("10,1", True)])
def test_the_plausible_bound_is_where_the_file_says(sample_workspace, capsys, value, refused):
    # plausibility.yaml: an area's crime share is plausible from 0 to 10 %. A new area, so that
    # no series (the jump check) is involved.
    with (sample_workspace / "raw" / "omraader.csv").open("a", encoding="utf-8") as out:
        out.write("odense-nyt;Nyt Område;461;;;\n")
    with (sample_workspace / "raw" / "observationer.csv").open("a", encoding="utf-8") as out:
        out.write(f"område;odense-nyt;convicted_pct;2021;{value};;;t;2021-12-01;final;\n")
    assert main(["ingest", "--workspace", str(sample_workspace)]) == (2 if refused else 0)


def test_a_national_average_of_72_is_impossible_and_cannot_be_confirmed(sample_workspace, capsys):
    # 7,2 % convicted in the whole country is outside the possible 0,1-5 % of plausibility.yaml
    # (every published average is about 0,7-0,8 %): refused as impossible, with no confirmation hint.
    (sample_workspace / "raw" / "observationer_land.csv").write_text(
        "geografiniveau;geografikode;indikator;periode;værdi;kilde;opgjort;status\n"
        "land;000;convicted_pct;2019;7,2;test;2020-01-01;endelig\n", encoding="utf-8")
    assert main(["ingest", "--workspace", str(sample_workspace)]) == 2
    err = capsys.readouterr().err
    assert "possible only within 0.1-5" in err and "bekraeftelser" not in err
