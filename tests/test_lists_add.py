"""Issue 23, point 10: `boligdata lists add FILE` records a published list and its crime figure once."""

from boligdata import load
from boligdata.cli import main

# A list of 1 December 2025 as a user would type it from the ministry's publication. The rows and
# the threshold are invented for the test (a threshold of 2,40 % for the 3 x multiple is a
# national average of 0,80 %, inside the plausible 0,4-1,2 %).
LIST = ("område;kommunekode;betegnelse;listeår;kilde\n"
        "Vollsmose;461;parallelsamfund;2025;test\n"
        "Vollsmose;461;udsat;2025;test\n"
        "Nyt Område;461;udsat;2025;test\n")


def _add(workspace, tmp_path, text=LIST, *extra):
    path = tmp_path / "liste_2025.csv"
    path.write_text(text, encoding="utf-8")
    return main(["lists", "add", str(path), "--threshold", "2,40", "--multiple", "3", "--source", "test",
                 "--workspace", str(workspace), *extra])


def _errors(capsys):
    return [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]


def test_a_new_list_is_recorded_once_and_every_report_sees_it(sample_workspace, tmp_path, capsys):
    assert _add(sample_workspace, tmp_path) == 0
    tables = load(sample_workspace)
    rows = tables.list_history[tables.list_history["list_id"] == "2025-12-01"]
    # Vollsmose is matched by name to the register's odense-vollsmose; Nyt Område becomes a new area.
    assert sorted(zip(rows["area_id"], rows["designation"])) == [
        ("odense-nyt-omraade", "udsat"), ("odense-vollsmose", "parallelsamfund"), ("odense-vollsmose", "udsat")]
    assert "odense-nyt-omraade" in set(tables.areas["area_id"])
    crime = tables.crime_averages[tables.crime_averages["list_year"] == 2025]
    assert crime["threshold_pct"].tolist() == [2.4] and crime["multiple"].tolist() == [3]
    # Recorded once: the same list again is refused, and raw/ is as it was.
    before = sorted(p.name for p in (sample_workspace / "raw").iterdir())
    capsys.readouterr()
    assert _add(sample_workspace, tmp_path) == 2
    assert "the list 2025-12-01 is already in the workspace" in _errors(capsys)[0]
    assert sorted(p.name for p in (sample_workspace / "raw").iterdir()) == before


def test_a_wrong_crime_figure_or_row_leaves_raw_as_it_was(sample_workspace, tmp_path, capsys):
    before = sorted(p.name for p in (sample_workspace / "raw").iterdir())
    path = tmp_path / "liste_2025.csv"
    path.write_text(LIST, encoding="utf-8")
    # 2,16 % as the national average is the 3 x threshold of 0,72 %.
    assert main(["lists", "add", str(path), "--national-average", "2,16", "--source", "x",
                 "--workspace", str(sample_workspace)]) == 2
    assert "gives a national average of 2.16 % convicted adults, outside the plausible 0.4-1.2 %" in _errors(capsys)[0]
    assert _add(sample_workspace, tmp_path, LIST.replace("parallelsamfund", "ghettoish")) == 2
    assert "row 2, column 'betegnelse': found 'ghettoish'; expected a designation" in _errors(capsys)[0]
    assert sorted(p.name for p in (sample_workspace / "raw").iterdir()) == before
