"""The command line: classify's columns and refusals; help for every command."""

import pandas as pd
import pytest

from boligdata.cli import build_parser, main

from conftest import write

COLUMNS = ["area", "rules", "employment_met", "crime_met", "education_met", "income_met", "criteria_met",
           "udsat", "ghetto", "haardt_ghetto", "parallelsamfund", "omdannelse", "forebyggelse", "designation",
           "years_on_list"] + [f"{c}_{k}" for c in ("employment", "crime", "education", "income", "non_western")
                               for k in ("distance_pp", "persons_to_flip")]


@pytest.fixture
def values(tmp_path):
    return write(tmp_path / "values.csv",
                 "area;residents;non_western_pct;outside_labour_market_pct;convicted_pct;primary_school_only_pct;"
                 "income_pct_of_region;pop_18plus;pop_30_59\n"
                 "Solbakken;1.288;54,2;38,3;2,30;61,4;56,0;966;500\n")


def test_classify_writes_the_documented_columns(tmp_path, values):
    history = write(tmp_path / "h.csv", "area,list_year,designation\n" +
                    "".join(f"Solbakken,{y},ghetto\n" for y in range(2016, 2020)))
    out = tmp_path / "out.csv"
    assert main(["classify", str(values), "--list-year", "2020", "--history", str(history), "--out", str(out)]) == 0
    table = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert set(COLUMNS) <= set(table.columns)
    row = table.iloc[0]
    assert (row["haardt_ghetto"], row["years_on_list"], row["education_persons_to_flip"],
            row["crime_persons_to_flip"], row["parallelsamfund"]) == ("true", "5", "7", "1", "")


def test_classify_refuses_without_crime_threshold(values, capsys):
    assert main(["classify", str(values), "--list-year", "2019"]) == 2
    err = capsys.readouterr().err
    assert "national average for 2019 is not known" in err and "--crime-national-average" in err


def test_classify_with_national_average(values, tmp_path):
    out = tmp_path / "o.csv"
    # 3 x 0.8 = 2.4 % > 2.30 %: crime not met, so only education: not udsat.
    assert main(["classify", str(values), "--list-year", "2019", "--crime-national-average", "0.8",
                 "--out", str(out)]) == 0
    row = pd.read_csv(out, dtype=str).iloc[0]
    assert (row["crime_threshold_pct"], row["crime_met"], row["udsat"]) == ("2.4", "false", "false")


def test_every_command_has_help():
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices
    for name, sub in commands.items():
        assert sub.description or sub.format_help(), name
    assert {"ingest", "init", "templates", "classify"} <= set(commands)


def test_classify_uses_the_workspaces_national_average(values, sample_workspace, tmp_path):
    # raw/landsgennemsnit.csv: 0,76 % for the 2019 list -> 3 x 0,76 = 2,28 % ; 2,30 >= 2,28: met.
    write(sample_workspace / "raw" / "landsgennemsnit.csv",
          "listeår;landsgennemsnit_pct;multiplum;tærskel_pct;kilde\n2019;0,76;;;test\n")
    out = tmp_path / "o.csv"
    assert main(["classify", str(values), "--list-year", "2019", "--workspace", str(sample_workspace),
                 "--out", str(out)]) == 0
    row = pd.read_csv(out, dtype=str).iloc[0]
    assert (row["crime_threshold_pct"], row["crime_met"], row["udsat"]) == ("2.28", "true", "true")


def test_income_distance_in_kroner_where_the_regional_average_is_given(tmp_path):
    # Income 56,0 % of the region against "< 55 %": -1,0 point; of 300.000 kr. that is -3.000 kr.
    path = write(tmp_path / "v.csv",
                 "area,residents,non_western_pct,outside_labour_market_pct,convicted_pct,"
                 "primary_school_only_pct,income_pct_of_region,regional_income_dkk\n"
                 "A,1500,20,20,0.5,30,56.0,300000\n")
    out = tmp_path / "o.csv"
    assert main(["classify", str(path), "--list-year", "2020", "--out", str(out)]) == 0
    row = pd.read_csv(out, dtype=str).iloc[0]
    assert (row["income_distance_pp"], row["income_distance_dkk"]) == ("-1.0", "-3000")
