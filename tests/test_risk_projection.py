"""Risk bands, the user's own categories, and the projection for the coming list."""

import pandas as pd

from boligdata import load
from boligdata.classify import classify_frame
from boligdata.criteria import evaluate, evaluate_area
from boligdata.projection import history_frame, projected_observations, projection_frame, vintage_table
from boligdata.risk import band_settings, compare_category, risk_band

from test_criteria import NEUTRAL, SOLBAKKEN, odense_monitoring


def band_of(**values):
    return risk_band(evaluate_area({"area": "A", **NEUTRAL, **values}, 2020))["band"]


def test_bands_follow_the_designations():
    assert band_of(outside_labour_market_pct=45, primary_school_only_pct=65, non_western_pct=55) == "red"
    assert band_of(outside_labour_market_pct=45, primary_school_only_pct=65) == "orange"
    # Employment met; education 58.5 is 1.5 points from "> 60" (margin 2.0): yellow.
    assert band_of(outside_labour_market_pct=45, primary_school_only_pct=58.5) == "yellow"
    # Education 57.5 is 2.5 points away: outside the margin, green.
    assert band_of(outside_labour_market_pct=45, primary_school_only_pct=57.5) == "green"
    # Crime has its own, smaller margin (0.25): 2.10 is 0.17 from ">= 2.27".
    assert band_of(outside_labour_market_pct=45, convicted_pct=2.10) == "yellow"


def test_user_category_disagreement_is_said():
    # Højemarksvej-kvarteret: Odense's table says green ("Ikke risiko for udsat"), but
    # 43.0 > 40 and 2.29 >= 2.27 make it udsat under § 61 a, stk. 1: orange.
    table = classify_frame(odense_monitoring().assign(category="Ikke risiko for udsat"), 2020).set_index("area")
    row = table.loc["Højemarksvej-kvarteret"]
    assert row["band"] == "orange"
    assert "afviger" in row["category_note_da"] and "Ikke risiko for udsat" in row["category_note_da"]
    assert table.loc["Mosegårdsparken", "category_note_da"] == ""


def test_unknown_user_category_is_not_guessed():
    assert "kendes ikke" in compare_category({"band": "red", "band_label_da": "x"}, "Lilla")


def test_band_settings_reject_unknown_keys():
    import copy

    import pytest

    from boligdata.datafiles import package_yaml
    from boligdata.errors import DataFileError
    from boligdata.risk import parse_band_settings

    document = copy.deepcopy(package_yaml("risk_bands.yaml"))
    document["margins_pp"]["crim"] = 1
    with pytest.raises(DataFileError, match="unknown key 'crim'"):
        parse_band_settings(document)
    assert band_settings().by_category("Udsat område").id == "orange"


def test_vintage_table_per_ministry_calendar():
    # Seed 004: residents, non-western and crime locked in April, education in July,
    # income updated in October, employment in December.
    september = vintage_table(2020, "2020Q3").set_index("indicator")["locked"].to_dict()
    assert september == {"residents": True, "non_western_pct": True, "convicted_pct": True,
                         "primary_school_only_pct": True, "income_pct_of_region": False,
                         "outside_labour_market_pct": False}
    assert not vintage_table(2020, "2020Q1").set_index("indicator")["locked"].any()


def test_projection_prefers_locked_then_own_estimate_then_last_published(sample_workspace):
    tables = load(sample_workspace)
    chosen = projected_observations(tables.observations, 2020, "2020Q3", ["odense-solbakken-mv"])
    chosen = chosen.set_index("indicator")
    # Seed 004 punkt 3 (locked by the ministry): 1.302 residents, 53,9 %, 2,30 %, 61,4 %.
    assert chosen.loc["residents", ["value", "status"]].tolist() == [1302.0, "final"]
    assert chosen.loc["primary_school_only_pct", "value"] == 61.4
    # Employment: the municipality's own figure 37,9 % (an estimate) beats punkt 4's 38,3 %.
    assert chosen.loc["outside_labour_market_pct", ["value", "status"]].tolist() == [37.9, "estimate"]
    # Income "afventer" in punkt 3: the last published figure, 56,0 % from punkt 4.
    assert chosen.loc["income_pct_of_region", ["value", "status"]].tolist() == [56.0, "provisional"]


def test_projected_solbakken_and_korsloekkeparken_match_the_committee_paper(sample_workspace):
    # Seed 004: Solbakken "i høj risiko for at komme på den hårde ghettoliste i december 2020"
    # (crime 2,30 >= 2,27 and education 61,4 > 60; 53,9 > 50; 2016-2019 on the list + 2020 = 5);
    # Korsløkkeparken Øst expected on the ghetto list (41,0 > 40 and 60,4 > 60; 57,2 > 50),
    # but not hard (2018-2019 + 2020 = 3 years).
    tables = load(sample_workspace)
    frame = projection_frame(tables.observations, tables.areas, 2020, "2020Q3",
                             ["odense-solbakken-mv", "odense-korsloekkeparken-oest"])
    results = {r.area: r for r in evaluate(frame, 2020, history=history_frame(tables.list_history))}
    solbakken, korslokke = results["odense-solbakken-mv"], results["odense-korsloekkeparken-oest"]
    assert solbakken.designations["haardt_ghetto"] is True and solbakken.years_on_list == 5
    assert solbakken.name == "Solbakken mv."
    assert korslokke.designations["ghetto"] is True and korslokke.designations["haardt_ghetto"] is False
    assert korslokke.years_on_list == 3


def test_figures_published_after_the_quarter_are_not_used(sample_workspace):
    tables = load(sample_workspace)
    chosen = projected_observations(tables.observations, 2020, "2020Q2", ["odense-solbakken-mv"])
    assert (chosen["vintage"] <= pd.Timestamp("2020-06-30")).all()
    assert "punkt 3" not in " ".join(chosen["source"])
