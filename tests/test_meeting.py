"""Issue 23, point 3: the meeting's paper. A quarter's report as it stood on a later date keeps
its quarter and adds "tal pr. <dato>"; an as-of after today warns; a quarter not begun is refused."""

import pytest

from boligdata import load
from boligdata.errors import ParameterError
from boligdata.publish.runner import as_of_parameter


def _add(workspace, *lines):
    path = workspace / "raw" / "observationer.csv"
    path.write_text(path.read_text(encoding="utf-8") + "".join(line + "\n" for line in lines), encoding="utf-8")


def test_the_third_quarter_as_it_stood_at_the_october_meeting(sample_workspace):
    # The administration pulls its own employment estimate for Korsløkkeparken Øst on 15 October:
    # 39,0 % for the 3rd quarter (not above 40 %), and a first figure for the 4th quarter.
    _add(sample_workspace,
         "område;odense-korsloekkeparken-oest;outside_labour_market_pct;2020Q3;39,0;;;Egen opgørelse;2020-10-15;estimate;",
         "område;odense-korsloekkeparken-oest;outside_labour_market_pct;2020Q4;38,0;;;Egen opgørelse;2020-10-15;estimate;")
    tables = load(sample_workspace)
    # As it stood on 30 September the estimate was 41,0 % (seed 004 punkt 3): a ghetto area.
    september = tables.quarter("2020Q3")
    assert september.result("odense-korsloekkeparken-oest").criteria["employment"].value == 41
    # At the meeting of 20 October: the October figure about the 3rd quarter is used (the newest
    # vintage of the same status wins), the 4th quarter's is not; 39,0 is not above 40: 1 of 4, not udsat.
    october = tables.quarter("2020Q3", as_of_parameter("2020-10-20", "2020Q3"))
    result = october.result("odense-korsloekkeparken-oest")
    assert result.criteria["employment"].value == 39 and result.designations["ghetto"] is False
    assert october.chosen_period("odense-korsloekkeparken-oest", "outside_labour_market_pct") == "2020Q3"
    assert october.quarter == "2020Q3" and october.list.id == "2020-12-01"


def test_the_report_keeps_its_quarter_and_says_the_date(sample_workspace):
    from boligdata.reports.kvartalsrapport import Kvartalsrapport

    report = Kvartalsrapport(sample_workspace, "2020Q3", "461", as_of=as_of_parameter("2020-10-20", "2020Q3"))
    assert "3. kvartal 2020 · tal pr. 20. oktober 2020" in str(report.title())


def test_dates_and_quarters_against_today(monkeypatch, capsys):
    monkeypatch.setenv("BOLIGDATA_TODAY", "2026-12-07")
    # A quarter that has not begun has no figures: refused.
    with pytest.raises(ParameterError, match="the quarter has not begun"):
        as_of_parameter(None, "2027Q1")
    # A date after today is allowed, with a warning.
    assert as_of_parameter("2026-12-20", "2026Q4") == "2026-12-20"
    assert "after today (2026-12-07)" in capsys.readouterr().err
    # Later than the end of the following quarter is no meeting about this quarter.
    with pytest.raises(ParameterError, match="to the end of the quarter after it"):
        as_of_parameter("2021-01-15", "2020Q3")
