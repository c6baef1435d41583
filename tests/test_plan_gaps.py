"""Gaps against municipal baselines, the Statbank reader, and the helhedsplan follow-up.

Every expected number is derived by hand from the seeds (the comments say how).
"""

import pandas as pd
import pytest
from conftest import write

from boligdata import load
from boligdata.errors import InputError
from boligdata.gaps import gap_table
from boligdata.ingest import ingest
from boligdata.plan import (
    activity_table,
    economy_table,
    economy_totals,
    goals_table,
    letting_table,
    staff_summary,
    staff_table,
    support_series,
)
from boligdata.readers.statbank import read_statbank_csv

PLAN, OLD_PLAN = "slagelse-en-faelles-indsats", "slagelse-helhedsplan-2017"


def test_slagelse_no_attachment_gap(sample_workspace):
    # Seed 002 § 5: 18-64 without attachment, 38,0 % in the areas against 17,0 % in Slagelse
    # Kommune (2019): a gap of 21,0 points, worse (lower is better).
    gaps = gap_table(load(sample_workspace), levels=("plan",))
    row = gaps[(gaps.geo_code == PLAN) & (gaps.indicator == "lbf_no_attachment_18_64_pct") & (gaps.period == "2019")]
    assert row["gap"].round(10).tolist() == [21.0]
    assert row["verdict"].tolist() == ["worse"]
    # 9th-grade average 4,6 against 6,6: -2,0 grades, worse (higher is better).
    grade = gaps[(gaps.geo_code == PLAN) & (gaps.indicator == "lbf_grade_9th_danish_maths") & (gaps.period == "2019")]
    assert grade["gap"].round(10).tolist() == [-2.0] and grade["verdict"].tolist() == ["worse"]


def test_goals_table_shows_survey_indicators_without_a_municipal_figure(sample_workspace):
    goals = goals_table(load(sample_workspace), PLAN).set_index("indicator")
    assert len(goals.loc[goals["group"] == "lbf_fixed"]) == 9
    # Feeling safe: 71 % (2018) in the areas; "Opgøres ikke" for the municipality (seed 002 § 5).
    safe = goals.loc["lbf_feel_safe_pct"]
    assert (safe["baseline_period"], safe["baseline_value"]) == ("2018", 71.0)
    assert safe["note_da"] == "opgøres ikke for kommunen" and pd.isna(safe.get("baseline_municipality"))
    turnout = goals.loc["lbf_voter_turnout_pct"]
    # Turnout 62,2 % against 81,5 % in 2019: a gap of -19,3 points.
    assert round(turnout["baseline_gap"], 10) == -19.3


def test_gap_development_by_hand(sample_workspace, tmp_path):
    # A plan area falls from 38 to 34 while the municipality falls from 17 to 16: the gap goes
    # from 21 to 18 (narrowed by 3) and the area developed better than the municipality.
    write(sample_workspace / "raw" / "observationer_test.csv",
          "geografiniveau;geografikode;indikator;periode;værdi;kilde;opgjort;status\n"
          f"helhedsplan;{PLAN};social_assistance_18_64_pct;2012;38;t;2013-06-30;endelig\n"
          f"helhedsplan;{PLAN};social_assistance_18_64_pct;2013;34;t;2014-06-30;endelig\n"
          "kommune;330;social_assistance_18_64_pct;2012;17;t;2013-06-30;endelig\n"
          "kommune;330;social_assistance_18_64_pct;2013;16;t;2014-06-30;endelig\n")
    from boligdata.gaps import gap_development

    gaps = gap_table(load(sample_workspace), levels=("plan",))
    gaps = gaps[(gaps.indicator == "social_assistance_18_64_pct") & gaps.period.isin(["2012", "2013"])]
    row = gap_development(gaps).iloc[0]
    assert (row["baseline_gap"], row["latest_gap"], row["gap_change"], row["trend"], row["development"]) == \
        (21.0, 18.0, -3.0, "narrowed", "better")


def test_activity_targets(sample_workspace):
    acts = activity_table(load(sample_workspace), PLAN)
    hipp = acts[acts["indicator"] == "Børnefamilier der deltager i HippHopp+"].set_index("year")
    assert hipp["target"].unique().tolist() == [40]  # seed 002: 40 families each year
    # 2025 has no registration: "ikke registreret", not zero.
    assert pd.isna(hipp.loc[2025, "actual"]) and hipp.loc[2025, "status_da"] == "ikke registreret"
    registered = hipp.loc[2022]
    assert registered["share_of_target_pct"] == pytest.approx(registered["actual"] / 40 * 100)


def test_economy_reproduces_the_seed_totals(sample_workspace):
    # Seed 000: I alt 21.022.000 kr.; Landsbyggefonden 10.418.000; Slagelse Kommune 10.604.000.
    economy = economy_table(load(sample_workspace), OLD_PLAN)
    totals = economy_totals(economy)
    assert (totals["total"], totals["lbf"], totals["municipality"]) == (21_022_000, 10_418_000, 10_604_000)
    # Cumulative after 2019 (accounts): 1.225.000 + 5.105.000 + 5.228.000 = 11.558.000.
    assert economy.set_index("year").loc[2019, "cumulative_total"] == 11_558_000
    # The note's table is Slagelse Kommune's part of the plan ("Tallene viser Slagelse Kommunes
    # medfinansiering, samt hvor meget Landsbyggefonden har købt kommunale aktiviteter for"), not the
    # whole plan (44,450 mio. kr.): no local co-financing share of the plan is computed from it.
    assert totals["scope"] == "municipality_part" and "local_share_pct" not in totals
    assert economy.set_index("year").loc[2017, "kind"] == "accounts"


def test_the_2019_26_cofinancing_requirement_is_not_applied_to_a_2017_plan(sample_workspace):
    from boligdata.plan import cofinancing_requirement

    plans = load(sample_workspace).plans.set_index("plan_id")
    assert cofinancing_requirement(plans.loc[OLD_PLAN]) is None          # adopted 26.6.2017
    assert cofinancing_requirement(plans.loc[PLAN])["min_local_share_pct"] == 25  # from 1.10.2021


def test_staff_per_focus_area(sample_workspace):
    # Seed 002, Beskæftigelse: jobkonsulenter 37 + 31 + 6 hours with municipal co-financing,
    # mentorkoordinator 37 hours financed by KVINFO: 111 hours, 74 municipal.
    summary = staff_summary(staff_table(load(sample_workspace), PLAN)).set_index("focus_area")
    assert summary.loc["Beskæftigelse", "hours_per_week"] == 111
    assert summary.loc["Beskæftigelse", "municipal_hours_per_week"] == 74


def test_support_series_solbakken(sample_workspace):
    # Seed 004: 382 publicly supported at the start of 2018, 308 in week 32 2020: -74, the
    # wanted direction ("skal falde"); self-supporting 475 -> 522: +47 ("skal stige").
    series = support_series(load(sample_workspace), "odense-solbakken-mv").set_index("measure")
    assert series.loc["publicly_supported", ["change", "as_wanted"]].tolist() == [-74, True]
    assert series.loc["self_supporting", ["change", "as_wanted"]].tolist() == [47, True]
    # Korsløkkeparken Øst: 562 -> 548 is 14 fewer; 737 -> 1.000 is 263 more (seed 004).
    kp = support_series(load(sample_workspace), "odense-korsloekkeparken-oest").set_index("measure")
    assert kp["change"].tolist() == [-14, 263]


def test_letting_table_as_the_seed_shows_it(sample_workspace):
    # Seed 004, Solbakken mv.: Samlet 18 / 53 / 86; Fleksibel udlejning 17 / 51 / 73;
    # Ekstern udlejning "-" / "-" / 2 (missing, not zero).
    table = letting_table(load(sample_workspace), "odense-solbakken-mv", "2020K3").set_index("letting_type")
    assert table.loc["Samlet"].tolist() == [18, 53, 86]
    assert table.loc["Fleksibel udlejning"].tolist() == [17, 51, 73]
    assert pd.isna(table.loc["Ekstern udlejning", "quarter"]) and table.loc["Ekstern udlejning", "previous_year"] == 2


def test_letting_year_to_date_is_summed_from_single_quarters(sample_workspace):
    write(sample_workspace / "raw" / "udlejning_test.csv",
          "område;udlejningsform;fra_kvartal;til_kvartal;antal;kilde;status\n"
          "Vollsmose;Samlet;2021K1;2021K1;4;t;endelig\nVollsmose;Samlet;2021K2;2021K2;6;t;endelig\n")
    table = letting_table(load(sample_workspace), "odense-vollsmose", "2021K2").set_index("letting_type")
    assert table.loc["Samlet", "quarter"] == 6 and table.loc["Samlet", "year_to_date"] == 10
    assert pd.isna(table.loc["Samlet", "previous_year"])


STATBANK = ("\ufeffOMRÅDE;HERKOMST;TID;INDHOLD\n"
            "Hele landet;Indvandrere fra ikke-vestlige lande;2020K3;6,4\n"
            "Region Syddanmark;Indvandrere fra ikke-vestlige lande;2020K3;4,9\n"
            "Odense;Indvandrere fra ikke-vestlige lande;2020K3;10,3\n"
            "Slagelse;Indvandrere fra ikke-vestlige lande;2020K3;..\n"
            "Odense;I alt;2020K3;100,0\n")


def test_statbank_csv_with_bom_decimal_comma_and_suppressed_values(tmp_path):
    path = write(tmp_path / "FOLK1E.csv", STATBANK)
    frame = read_statbank_csv(path)
    rows = frame.set_index(["geo_level", "geo_code", "HERKOMST"])
    assert rows.loc[("country", "000", "Indvandrere fra ikke-vestlige lande"), "value"] == 6.4
    assert rows.loc[("region", "083", "Indvandrere fra ikke-vestlige lande"), "value"] == 4.9
    slagelse = rows.loc[("municipality", "330", "Indvandrere fra ikke-vestlige lande")]
    assert pd.isna(slagelse["value"]) and "(..)" in slagelse["missing_reason"]
    assert set(frame["period"]) == {"2020Q3"}


def test_statbank_codes_and_monthly_time(tmp_path):
    path = write(tmp_path / "x.csv", "OMRÅDE;TID;INDHOLD\n000;2020M07;5.5\n461;2020M07;6.1\n084;2020M07;4\n")
    frame = read_statbank_csv(path)
    assert frame[["geo_level", "geo_code", "period", "value"]].values.tolist() == [
        ["country", "000", "2020M07", 5.5], ["municipality", "461", "2020M07", 6.1], ["region", "084", "2020M07", 4.0]]


def test_statbank_unknown_area_is_refused(tmp_path):
    path = write(tmp_path / "x.csv", "OMRÅDE;TID;INDHOLD\nAtlantis;2020;5\n")
    with pytest.raises(InputError, match=r"row 2, column 'OMRÅDE': found 'Atlantis'"):
        read_statbank_csv(path)


def test_statbank_through_ingest(sample_workspace):
    write(sample_workspace / "raw" / "statbank_FOLK1E.csv", STATBANK)
    write(sample_workspace / "raw" / "statbankkort.csv",
          "fil;indikator;filtre;kilde;opgjort;status\n"
          "statbank_FOLK1E.csv;non_western_pct;HERKOMST=Indvandrere fra ikke-vestlige lande;"
          "Danmarks Statistik, FOLK1E;2020-10-01;endelig\n")
    obs = load(sample_workspace).observations
    mine = obs[obs["source"] == "Danmarks Statistik, FOLK1E (statbank_FOLK1E.csv)"].set_index("geo_code")
    assert mine.loc["461", "value"] == 10.3 and mine.loc["000", "geo_level"] == "country"
    assert pd.isna(mine.loc["330", "value"])
    assert len(mine) == 4  # the "I alt" line is filtered out


def test_statbank_filters_must_leave_one_value(sample_workspace):
    write(sample_workspace / "raw" / "statbank_FOLK1E.csv", STATBANK)
    write(sample_workspace / "raw" / "statbankkort.csv",
          "fil;indikator;kilde;opgjort;status\nstatbank_FOLK1E.csv;non_western_pct;DST;2020-10-01;endelig\n")
    with pytest.raises(InputError, match="add a filter on HERKOMST"):
        ingest(sample_workspace)


def test_an_awaited_value_does_not_hide_a_published_one(sample_workspace):
    # Seed 004: income for Solbakken mv. is "afventer" in punkt 3 but 56,0 % in punkt 4 (same quarter).
    gaps = gap_table(load(sample_workspace), levels=("area",))
    row = gaps[(gaps.geo_code == "odense-solbakken-mv") & (gaps.indicator == "income_pct_of_region") & (gaps.period == "2020Q3")]
    assert row["value"].tolist() == [56.0]


def test_goals_without_any_municipal_figure(sample_workspace):
    # A plan whose only figure has no municipal counterpart: shown, never a crash or a zero.
    write(sample_workspace / "raw" / "helhedsplaner_x.csv",
          "helhedsplankode;navn;kommunekode;områder\nny-plan;Ny plan;461;odense-vollsmose\n")
    write(sample_workspace / "raw" / "observationer_x.csv",
          "geografiniveau;geografikode;indikator;periode;værdi;kilde;opgjort;status\n"
          "helhedsplan;ny-plan;lbf_daycare_1_5_pct;2020;80,0;t;2020-12-31;endelig\n")
    goals = goals_table(load(sample_workspace), "ny-plan").set_index("indicator")
    assert goals.loc["lbf_daycare_1_5_pct", "baseline_value"] == 80.0
    assert goals.loc["lbf_daycare_1_5_pct", "note_da"] == "ingen kommunetal for samme periode"


def test_an_unchanged_gap_is_unchanged_despite_float_noise():
    # 76,1 - 50,7 and 60,3 - 34,9 are both a gap of 25,4 points; in floating point they differ in
    # the 15th decimal, which must not read as "større" (seen in the profiles before the fix).
    from boligdata.gaps import gap_development

    g = pd.DataFrame({"geo_level": "area", "geo_code": "a", "indicator": "non_western_pct",
                      "period": ["2019", "2020"], "value": [76.1, 60.3], "municipality_value": [50.7, 34.9]})
    g["gap"] = g["value"] - g["municipality_value"]
    assert g["gap"].iloc[0] != g["gap"].iloc[1]  # the noise is real
    row = gap_development(g).iloc[0]
    assert (row["gap_change"], row["trend"], row["development"]) == (0.0, "unchanged", "on_par")


def test_one_period_tells_no_development():
    from boligdata.gaps import gap_development

    g = pd.DataFrame({"geo_level": "area", "geo_code": "a", "indicator": "income_pct_of_region",
                      "period": ["2020Q3"], "value": [56.0], "municipality_value": [88.0], "gap": [-32.0]})
    row = gap_development(g).iloc[0]
    assert (row["trend"], row["development"]) == ("single", "unknown")


def test_a_count_of_persons_has_no_gap_to_the_kommune(sample_workspace):
    # Vollsmose's 7.233 residents beside Odense's residents is no level: no gap, no verdict, while a
    # share beside the kommune's share keeps its gap.
    write(sample_workspace / "raw" / "observationer_kommune.csv",
          "geografiniveau;geografikode;indikator;periode;værdi;kilde;opgjort;status\n"
          "kommune;461;residents;2020Q3;205.000;test;2020-09-22;endelig\n")
    gaps = gap_table(load(sample_workspace))
    residents = gaps[(gaps["geo_code"] == "odense-vollsmose") & (gaps["indicator"] == "residents")
                     & (gaps["period"] == "2020Q3")]
    assert len(residents) == 1 and pd.isna(residents["gap"].iloc[0])
    assert residents["verdict"].iloc[0] == "unknown"
