"""The lists by date, each list's crime figures, and the shipped national list history.

Expected values are derived by hand from the law (almenboligloven § 61 a and § 61 b in the
versions of rules.yaml) and from the published figures in boligdata/data/crime_thresholds.yaml
(each with its quote); the comments say how.
"""

import csv
import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest
from test_criteria import area

from boligdata.crime import (
    CrimeFigure,
    CrimeFigures,
    check_plausible_average,
    known_crime_figures,
    user_crime_figure,
)
from boligdata.criteria import evaluate_area
from boligdata.errors import ParameterError
from boligdata.history import ListHistory
from boligdata.lists import coming_list, get_list, lists_of_year, resolve_list
from boligdata.paths import DATA_DIR


# --- lists by date ---------------------------------------------------------------------------
@pytest.mark.parametrize("as_of, coming, rules", [
    (dt.date(2013, 9, 30), "2013-10-01", "2010"),   # the day before the October list of 2013
    (dt.date(2013, 10, 1), "2013-12", "2013"),      # 1 October 2013 is out: next, the first 2013-rules list
    (dt.date(2013, 12, 30), "2013-12", "2013"),     # its exact date is unknown: not used before 31 December
    (dt.date(2013, 12, 31), "2014-12-01", "2013"),
    (dt.date(2018, 11, 30), "2018-12-01", "2018"),  # L 38 (2018-19): the 2018 rules from the list of 2018
    (dt.date(2021, 11, 30), "2021-12-01", "2021"),  # L 23 (2021-22): parallelsamfund from the list of 2021
])
def test_the_coming_list_at_each_boundary(as_of, coming, rules):
    lst = coming_list(as_of)
    assert (lst.id, lst.rules) == (coming, rules)


def test_a_year_with_two_lists_asks_which():
    assert [l.id for l in lists_of_year(2013)] == ["2013-10-01", "2013-12"]
    with pytest.raises(ParameterError, match="two lists were published in 2013: 2013-10-01 .* and 2013-12"):
        resolve_list(list_year=2013)
    assert resolve_list(list_date="2013-10-01").rules == "2010"
    assert resolve_list(list_date="2013-12-15").id == "2013-12"  # a day in the month of the undated list
    with pytest.raises(ParameterError, match="no list was published on 2013-11-01"):
        get_list("2013-11-01")


def test_the_2013_lists_apply_their_own_rules():
    # Non-western 55 > 50 and employment 45 > 40; crime 2.5, education 50 and income 70 miss.
    # 1 October 2013 (2010 rules, 2 of 3): a ghettoområde. End of 2013 (2013 rules, 3 of 5): not.
    values = area(non_western_pct=55.0, outside_labour_market_pct=45.0, convicted_pct=2.5,
                  primary_school_only_pct=50.0, income_pct_of_region=70.0)
    assert evaluate_area(values, "2013-10-01").designations["ghetto"] is True
    assert evaluate_area(values, "2013-12").designations["ghetto"] is False


def test_the_2018_boundary():
    # Education 55: "overstiger 50 pct." on the 2017 list (2013 rules) is met; "overstiger 60 pct."
    # from the 2018 list is not. With non-western 55 and employment 45, 3 of 5 in 2017 (ghetto);
    # in 2018 only employment of the four: not udsat, so not a ghettoområde.
    values = area(non_western_pct=55.0, outside_labour_market_pct=45.0, primary_school_only_pct=55.0)
    assert evaluate_area(values, 2017).designations["ghetto"] is True
    assert evaluate_area(values, 2018).designations["ghetto"] is False


def test_the_2021_boundary_renames_the_lists():
    # The same area on the lists of 2020 and 2021: ghettoområde under the 2018 rules, parallelsamfund
    # under the 2021 rules (L 23 2021-22); the 3 x crime threshold of 2021 is not known, but
    # employment 45 and education 65 make it udsat whatever crime is.
    values = area(non_western_pct=55.0, outside_labour_market_pct=45.0, primary_school_only_pct=65.0)
    history = ListHistory.from_rows([], coverage={"*": "2010-10-01"})
    assert evaluate_area(values, 2020, history=history).designation_label() == "Ghettoområde"
    assert evaluate_area(values, 2021, history=history).designation_label() == "Parallelsamfund"


def test_two_lists_of_2013_count_as_one_year():
    # On the lists of 2012, 2013 (both) and 2014: before the list of 2015 that is 3 years in a row.
    on_both = ListHistory.from_rows([("A", 2012, "ghetto"), ("A", "2013-10-01", "ghetto"),
                                     ("A", "2013-12", "ghetto"), ("A", 2014, "ghetto")],
                                    coverage={"*": "2010-10-01"})
    assert on_both.run("A", 2015).years == 3
    # Off the end-of-2013 list breaks the run: only 2014 before 2015.
    off_one = ListHistory.from_rows([("A", 2012, "ghetto"), ("A", "2013-10-01", "ghetto"), ("A", 2014, "ghetto")],
                                    coverage={"*": "2010-10-01"})
    assert off_one.run("A", 2015).years == 1
    # The end-of-2013 list right after the October one: the same year, so still one year.
    assert on_both.run("A", "2013-12").years == 2  # 2012 and 2013 (October) before it
    assert on_both.run("A", "2013-12").years_with(get_list("2013-12")) == 2


# --- each list's crime figures -------------------------------------------------------------------
@pytest.mark.parametrize("list_year, at, below", [
    (2018, "1.98", "1.97"),   # jv.dk: "overstiger 1,98 procent" (the list of 1 December 2018)
    (2019, "2.03", "2.02"),   # dklf.dk: "det officielle kriterium (2,03%)"
    (2020, "2.27", "2.26"),   # seed 004: "Kriminalitet >= 2,27 %"
    (2023, "2.35", "2.34"),   # dingeo.dk: "Ghettokriterium: >= 2.35 %"
])
def test_each_published_threshold_is_met_at_its_value(list_year, at, below):
    # "udgør mindst": the threshold itself is met, one hundredth below it is not.
    assert evaluate_area(area(convicted_pct=float(at)), list_year).criteria["crime"].met is True
    assert evaluate_area(area(convicted_pct=float(below)), list_year).criteria["crime"].met is False


def test_the_3x_threshold_of_2022_is_derived_from_the_2x_figure():
    # dklf.dk: "2 x landsgennemsnittet = 1,45 %", printed with two decimals, so 2 x lies in
    # [1,445; 1,455] and 3 x in [2,1675; 2,1825], with 2,175 as the point.
    threshold = known_crime_figures().threshold("2022-12-01", 3)
    assert (threshold.value, threshold.low, threshold.high) == (Decimal("2.175"), Decimal("2.1675"), Decimal("2.1825"))
    assert evaluate_area(area(convicted_pct=2.17), 2022).criteria["crime"].met is None   # inside: undecided
    assert evaluate_area(area(convicted_pct=2.19), 2022).criteria["crime"].met is True
    assert evaluate_area(area(convicted_pct=2.16), 2022).criteria["crime"].met is False
    # The stated 2 x figure is used as printed: 1,45 is met.
    assert evaluate_area(area(convicted_pct=1.45), 2022).criteria["fb_crime"].met is True


def test_the_2x_threshold_of_2020_is_derived_from_the_3x_figure():
    # 2,27 % (two decimals) as 3 x: the average lies in [0,755; 0,758333...], 2 x in [1,51; 1,516666...].
    threshold = known_crime_figures().threshold("2020-12-01", 2)
    assert threshold.low == Decimal("1.51") and threshold.high.quantize(Decimal("0.000001")) == Decimal("1.516667")


def test_conflicting_sources_are_recorded_and_the_choice_is_said():
    # 2019: 2,03 % (used) and 1,98 % (sn.dk, probably the 2018 figure reused). A crime share of
    # 2,00 % is not met with 2,03 but would be with 1,98: the result says it depends on the choice.
    figures = known_crime_figures().for_list("2019-12-01")
    assert [(f.value, f.used) for f in figures] == [(Decimal("2.03"), True), (Decimal("1.98"), False)]
    crime = evaluate_area(area(convicted_pct=2.00), 2019).criteria["crime"]
    assert crime.met is False and crime.depends_on_choice is True
    assert evaluate_area(area(convicted_pct=2.10), 2019).criteria["crime"].depends_on_choice is False


def test_one_figure_determines_the_others():
    # A national average of 0,8 %: 3 x = 2,4 % and 2 x = 1,6 %, exactly (the user's figure is not rounded).
    figures = user_crime_figure(2024, national_average=Decimal("0.8"))
    assert figures.threshold("2024-12-01", 3).value == Decimal("2.4")
    assert figures.threshold("2024-12-01", 2).value == Decimal("1.6")
    # The 2 x threshold given: 1,6 % -> 3 x = 2,4 %.
    assert user_crime_figure(2024, threshold_forebyggelse=Decimal("1.6")).threshold("2024-12-01", 3).value == Decimal("2.4")


def test_implausible_and_contradicting_figures_are_refused():
    with pytest.raises(ParameterError, match="72 % gives a national average of 72 %"):
        user_crime_figure(2024, national_average=Decimal("72"))
    with pytest.raises(ParameterError, match="0.03 % gives a national average of 0.01 %"):
        check_plausible_average(CrimeFigure("2024-12-01", Decimal("0.03"), 3), "--crime-threshold")
    # 1,45 % as the 3 x threshold of 2022 contradicts the published 2 x figure 1,45 % (an average
    # of 0,483 against 0,7225-0,7275): it looks like the 2 x threshold.
    with pytest.raises(ParameterError, match="looks like the 2 × threshold, not the 3 × one"):
        known_crime_figures().merged(user_crime_figure(2022, threshold=Decimal("1.45")))
    # A figure that agrees within the rounding is taken (and used).
    merged = known_crime_figures().merged(user_crime_figure(2022, national_average=Decimal("0.725")))
    assert merged.threshold("2022-12-01", 3).value == Decimal("2.175")


def test_lists_without_a_figure_keep_asking():
    # None was found for 2021 and 2024-2026: those stay inputs.
    for list_id in ("2021-12-01", "2024-12-01", "2025-12-01", "2026-12-01"):
        assert known_crime_figures().used(list_id) is None
    assert CrimeFigures().used("2020-12-01") is None


# --- the shipped national history ------------------------------------------------------------------
def shipped():
    with open(DATA_DIR / "published_lists.csv", encoding="utf-8") as handle:
        return list(csv.DictReader(line for line in handle if not line.startswith("#")))


def test_the_shipped_history_matches_the_stated_counts():
    # bl.dk (stated): parallelsamfund (ghetto) 29/28/15/12/10/12 and omdannelse (hard) 15/15/13/10/9/8
    # for the lists of 2018-2023; the ministry's press release of 1 December 2024: 8 and 7.
    counts = Counter((r["list_year"], r["designation"]) for r in shipped())
    lineage = {y: counts[(str(y), "ghetto")] + counts[(str(y), "parallelsamfund")] for y in range(2018, 2025)}
    hard = {y: counts[(str(y), "haardt_ghetto")] + counts[(str(y), "omdannelse")] for y in range(2018, 2025)}
    assert lineage == {2018: 29, 2019: 28, 2020: 15, 2021: 12, 2022: 10, 2023: 12, 2024: 8}
    assert hard == {2018: 15, 2019: 15, 2020: 13, 2021: 10, 2022: 9, 2023: 8, 2024: 7}


def test_the_shipped_history_carries_the_corrections_and_their_evidence():
    rows = {(r["list_year"], r["area"], r["designation"]): r for r in shipped()}
    # Motalavej was a parallelsamfund in 2023 (the 2024 press release: it "udgår af listerne for både
    # parallelsamfund og udsatte boligområder"), derived from that stated exit.
    assert rows[("2023", "Motalavej", "parallelsamfund")]["evidence_grade"] == "derived (stated exit in 2024)"
    assert all(r["evidence_grade"] for r in shipped())
    assert ("2024", "Motalavej", "parallelsamfund") not in rows


def test_the_shipped_history_is_built_from_its_sources():
    import subprocess
    import sys

    from conftest import PROJECT

    before = (DATA_DIR / "published_lists.csv").read_bytes()
    code = "import runpy; m = runpy.run_path('sample/build_published_lists.py'); print(m['build'](), end='')"
    built = subprocess.run([sys.executable, "-c", code], cwd=PROJECT, capture_output=True, check=True).stdout
    assert built == before
