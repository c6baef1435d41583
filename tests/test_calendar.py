"""Issue 22, the list calendar: what a figure measures, the law as it stood, and what follows.

Every expected value below is worked by hand from the law (almenboligloven § 61 a, § 61 b, the
2018 act's transition rule), seed 004 (Odense, 22 September 2020) or the dates in rules.yaml.
"""

import copy
import datetime as dt
from fractions import Fraction

import pandas as pd
import pytest
from conftest import PROJECT

from boligdata.criteria import evaluate_area
from boligdata.datafiles import package_yaml
from boligdata.enacted import governing_rules, pending_law
from boligdata.errors import DataFileError
from boligdata.history import ListHistory
from boligdata.lists import as_list
from boligdata.present.marks import plain
from boligdata.present.outlook import consequences_da, exit_sentence, rules_notes_da
from boligdata.rules import load_rules, parse_rules

SEPT_2020 = dt.date(2020, 9, 30)
KORSLOEKKE = {"area": "K", "area_name": "Korsløkkeparken Øst", "residents": 2377, "non_western_pct": 57.2,
              "outside_labour_market_pct": 41.0, "convicted_pct": 1.43, "primary_school_only_pct": 60.4,
              "income_pct_of_region": 61.5, "pop_18_64": 1610, "pop_18plus": 1875, "pop_30_59": 984}


# --- 1. measurement windows as data --------------------------------------------------------------
def test_every_criterion_of_every_version_states_its_window_with_a_grade():
    for version in load_rules():
        assert version.population_window is not None and version.population_window.evidence
        for criterion in version.criteria.values():
            window = criterion.window
            assert window is not None and window.evidence and window.evidence_da and window.source, criterion.id
            if window.years:  # an average over as many years as the statute says
                assert len(window.years) == criterion.averaging_years


def test_the_windows_of_the_list_of_2020():
    # Employment and crime: "de seneste 2 år" before the list year (2018-2019); income: the
    # income year 2019 (the ministry, 20 November 2020); residents: 1 January 2020 (BL).
    version = as_list(2020).version
    assert version.criteria["employment"].window.span(2020) == (dt.date(2018, 1, 1), dt.date(2019, 12, 31))
    assert version.criteria["crime"].window.span(2020) == (dt.date(2018, 1, 1), dt.date(2019, 12, 31))
    assert version.criteria["income"].window.span(2020) == (dt.date(2019, 1, 1), dt.date(2019, 12, 31))
    assert version.population_window.span(2020) == (dt.date(2020, 1, 1), dt.date(2020, 1, 1))
    # The 2010 rules averaged over four years (sm.dk, "opgjort som gennemsnit over de seneste fire år").
    assert as_list(2011).version.criteria["employment"].window.years == (-4, -3, -2, -1)


def test_a_window_the_rules_do_not_define_is_a_load_error():
    document = copy.deepcopy(package_yaml("rules.yaml"))
    document["versions"][2]["criteria"]["crime"]["window"] = "crime_3_years"
    with pytest.raises(DataFileError, match="unknown window 'crime_3_years'"):
        parse_rules(document)
    document = copy.deepcopy(package_yaml("rules.yaml"))
    document["versions"][2]["criteria"]["crime"]["window"] = "crime_4_years"  # the statute says 2 years
    with pytest.raises(DataFileError, match="averages 4 years, the criterion 2"):
        parse_rules(document)


# --- 2. three states, and persons in the open part -------------------------------------------------
def test_half_the_window_left_takes_twice_the_persons():
    # 31 December 2020: the list of 2022 measures 2020-2021 for employment; 2020 is over, 2021 is
    # ahead: half the average can move, so moving it by 16 persons takes 32 in 2021.
    result = evaluate_area(KORSLOEKKE, 2022, as_of=dt.date(2020, 12, 31), follow=False)
    employment = result.criteria["employment"]
    assert (employment.state.state, employment.state.open_share) == ("movable", Fraction(1, 2))
    assert (employment.persons, employment.persons_open) == (16, 32)


# --- 3. rules as known on the date --------------------------------------------------------------
def test_the_law_as_it_stood_on_each_date():
    # The list of 2021: on 30 September 2020 the 2018 act (lov nr. 1322, passed 22 November 2018);
    # L 23 was agreed 15 June 2021, proposed 6 October 2021, passed 23 November 2021 and in force
    # 30 November 2021, before the list of 1 December 2021.
    assert governing_rules(2021, SEPT_2020).id == "2018"
    assert governing_rules(2021, dt.date(2021, 9, 30)).id == "2018"
    assert governing_rules(2021, dt.date(2021, 11, 25)).id == "2021"
    assert governing_rules(2021, None).id == "2021"  # the list as published
    # The list of 2018 on 30 September 2018: the 2018 act was not yet even proposed (3 October 2018).
    assert governing_rules(2018, dt.date(2018, 9, 30)).id == "2013"
    # On 30 September 2021 the agreement of 15 June 2021 is public but not law: a dated note only.
    pending = pending_law(2021, dt.date(2021, 9, 30))
    assert (pending.version.id, pending.step, pending.date) == ("2021", "agreement", dt.date(2021, 6, 15))
    assert pending_law(2021, dt.date(2021, 10, 31)).step == "proposed"


def test_a_report_in_2021_names_the_agreement_and_does_not_apply_it():
    history = ListHistory.from_rows([("K", y, "ghetto") for y in (2018, 2019, 2020)], coverage={"*": "2010-10-01"})
    result = evaluate_area(KORSLOEKKE, 2021, history=history, as_of=dt.date(2021, 9, 30))
    assert result.version.id == "2018" and result.designations["haardt_ghetto"] is True  # 4 years under 2018
    (note, *_) = rules_notes_da([result], dt.date(2021, 9, 30))
    assert "En politisk aftale fra 15. juni 2021 vil ændre reglerne" in note and "bruger det ikke" in note


# --- 8. consequences, said once -------------------------------------------------------------------
def test_what_a_hard_ghetto_brings_and_what_stays():
    # A hard ghetto (§ 61 a, stk. 3) must bring almene familieboliger down to at most 40 % by
    # 1 January 2030 (§ 168 a); the plan stays after the area leaves the list (the ministry's note
    # of 1 December 2020). Solbakken's figures from seed 004, 4 years on the list before 2020.
    history = ListHistory.from_rows([("S", y, "ghetto") for y in range(2016, 2020)], coverage={"*": "2010-10-01"})
    row = {"area": "S", "area_name": "Solbakken mv.", "residents": 1302, "non_western_pct": 53.9,
           "outside_labour_market_pct": 37.9, "convicted_pct": 2.30, "primary_school_only_pct": 61.4,
           "income_pct_of_region": 56.0, "pop_18plus": 962, "pop_30_59": 500}
    result = evaluate_area(row, 2020, history=history, as_of=SEPT_2020)
    assert result.designations["haardt_ghetto"] is True
    brings = consequences_da(result)
    assert any("højst 40 %" in b and "§ 168 a" in b and "gælder fortsat" in b for b in brings)
    assert any("§ 51 c" in b for b in brings) and any("§ 44 a" in b for b in brings)
    text = plain(exit_sentence(result))
    assert text.count("gælder fortsat") == 1  # said once in the sentence
    assert "falder med 2 i resten af måleperioden" in text  # crime: 1 person in the average, 2020 left


# --- 6. lists as published ------------------------------------------------------------------------
def test_the_shipped_history_has_no_area_on_both_the_udsat_and_the_forebyggelse_list():
    # The ministry's lists are disjoint (19 + 56 = 75 in 2023): the shipped history agrees.
    rows = pd.read_csv(PROJECT / "boligdata" / "data" / "published_lists.csv", comment="#")
    both = rows.groupby(["area", "list_year"])["designation"].apply(set)
    assert not both.map(lambda s: {"udsat", "forebyggelse"} <= s).any()
