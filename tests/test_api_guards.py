"""The analysis API refuses what it would misread: unknown or missing columns, the wrong kind of
input, unknown areas; and an undecided designation is never hidden by a display label."""

import pandas as pd
import pytest

from boligdata import load
from boligdata.classify import classify_frame
from boligdata.errors import ParameterError
from boligdata.gaps import gap_table
from boligdata.plan import activity_table, letting_table, support_series

# The Odense figures of seed 004 (Vollsmose, list of 1 December 2020), by hand from punkt 4.
VOLLSMOSE = {"area": "Vollsmose", "residents": 7233, "non_western_pct": 76.1, "outside_labour_market_pct": 49.6,
             "convicted_pct": 2.74, "primary_school_only_pct": 75.0, "income_pct_of_region": 53.4}


def test_a_misspelled_column_is_refused_with_the_right_name():
    row = {k: v for k, v in VOLLSMOSE.items() if k != "non_western_pct"} | {"non_western": 76.1}
    with pytest.raises(ParameterError, match=r"unknown column 'non_western' \(did you mean 'non_western_pct'\?\)"):
        classify_frame(pd.DataFrame([row]), 2020)


def test_a_missing_criterion_column_is_refused():
    row = {k: v for k, v in VOLLSMOSE.items() if k != "income_pct_of_region"}
    with pytest.raises(ParameterError, match="the columns income_pct_of_region are missing"):
        classify_frame(pd.DataFrame([row]), 2020)


def test_not_a_frame_is_refused():
    with pytest.raises(ParameterError, match="expected a pandas DataFrame"):
        classify_frame([VOLLSMOSE], 2020)


def test_an_undecided_designation_shows_in_every_label():
    # Without the non-western share, the 2020 rules (§ 61 a, stk. 2) cannot decide ghetto: Vollsmose
    # meets 4 of 4 criteria, so udsat is decided, ghetto and hårdt ghetto are not.
    row = dict(VOLLSMOSE, non_western_pct=None)
    result = classify_frame(pd.DataFrame([row]), 2020).iloc[0]
    assert result["udsat"] == "true" and result["ghetto"] == "undecided"
    assert "uafklaret" in result["designation"] and "uafklaret" in result["band_label_da"]
    assert "no value for non_western_pct" in result["notes"]


def test_gap_and_plan_functions_refuse_what_they_cannot_read():
    tables = load()
    with pytest.raises(ParameterError, match="expected a quarter snapshot"):
        gap_table(tables.observations)
    with pytest.raises(ParameterError, match="unknown plan 'ingen'"):
        activity_table(tables, "ingen")
    with pytest.raises(ParameterError, match="unknown area 'ingen'"):
        support_series(tables, "ingen")
    with pytest.raises(ParameterError, match="unknown area 'ingen'"):
        letting_table(tables, "ingen", "2020Q3")
    with pytest.raises(ParameterError, match="expected the tables of load"):
        activity_table(tables.plans, "x")
