"""init --history merges the published lists with the analyst's own area register (issue 23,
point 7). The expected ids and counts follow from the shipped published lists for Aarhus (751):
three areas were listed 2017-2024, Bispehaven, Gellerupparken/Toveshøj and Skovgårdsparken
(boligdata/data/published_lists.csv, 22 + 22 + 7 rows)."""

import pytest
from conftest import write

from boligdata.cli import main
from boligdata.errors import ParameterError
from boligdata.loader import load
from boligdata.workspace import init_workspace

REGISTER = ("områdekode;områdenavn;kommunekode;andre_navne\n"
            "gellerup;Gellerup;751;Gellerupparken/Toveshøj\n"
            "bispehaven;Bispehaven;751;\n"
            "trigeparken;Trigeparken;751;\n")


def workspace_with(tmp_path, register, history=None):
    root = init_workspace(tmp_path / "ws")
    write(root / "raw" / "omraader.csv", register)
    if history:
        write(root / "raw" / "listehistorik.csv", history)
    return root


def test_the_published_areas_take_the_analysts_ids(tmp_path, capsys):
    root = workspace_with(tmp_path, REGISTER)
    assert main(["init", str(root), "--history", "751"]) == 0
    # Gellerup by its other name, Bispehaven by its name: 2 matched; Skovgårdsparken is new.
    assert "2 of the listed areas are in your register" in capsys.readouterr().out
    assert main(["ingest", "--workspace", str(root)]) == 0
    tables = load(root)
    assert set(tables.areas["area_id"]) == {"gellerup", "bispehaven", "trigeparken", "aarhus-skovgaardsparken"}
    history = tables.list_history
    # Every one of the 22 published rows of Gellerupparken/Toveshøj now belongs to "gellerup".
    assert (history["area_id"] == "gellerup").sum() == 22
    assert (history["area_id"] == "bispehaven").sum() == 22
    assert not history["area_id"].str.startswith("aarhus-gellerup").any()


def test_rows_the_analyst_already_has_are_not_written_twice(tmp_path):
    own = "listeår;område;betegnelse;kilde\n2018;Gellerup;ghetto;egen registrering\n"
    root = workspace_with(tmp_path, REGISTER, own)
    assert main(["init", str(root), "--history", "751"]) == 0
    assert main(["ingest", "--workspace", str(root)]) == 0  # no duplicate key 2018 × gellerup × ghetto
    history = load(root).list_history
    assert ((history["area_id"] == "gellerup") & (history["list_year"] == 2018)
            & (history["designation"] == "ghetto")).sum() == 1


def test_conflicts_are_listed_and_nothing_is_written(tmp_path):
    # Two of the user's areas both carry the published name; and the user's own id
    # "aarhus-skovgaardsparken" names another area than the published Skovgårdsparken.
    register = ("områdekode;områdenavn;kommunekode;andre_navne\n"
                "gellerup-nord;Gellerup Nord;751;Gellerupparken/Toveshøj\n"
                "gellerup-syd;Gellerup Syd;751;Gellerupparken/Toveshøj\n"
                "aarhus-skovgaardsparken;Skovgården;751;\n")
    root = workspace_with(tmp_path, register)
    with pytest.raises(ParameterError) as caught:
        init_workspace(root, ["751"])
    message = str(caught.value)
    assert "'Gellerupparken/Toveshøj' (751) matches 'gellerup-nord' (raw/omraader.csv row 2) and " \
           "'gellerup-syd' (raw/omraader.csv row 3)" in message
    assert "would get the id 'aarhus-skovgaardsparken', which is your area 'Skovgården' (raw/omraader.csv row 4)" in message
    assert sorted(p.name for p in (root / "raw").iterdir()) == ["omraader.csv", "skabeloner"]


def test_a_name_in_another_kommune_is_not_a_match_but_a_conflict(tmp_path):
    # "Bispehaven" in Odense (461) is not Aarhus' Bispehaven, and a workspace cannot hold two areas
    # of one name (list rows are found by name), so it is listed instead of guessed.
    root = workspace_with(tmp_path, "områdekode;områdenavn;kommunekode\nbispehaven;Bispehaven;461\n")
    with pytest.raises(ParameterError, match="has the name of your area 'bispehaven' in kommune 461"):
        init_workspace(root, ["751"])


def test_a_seeded_workspace_is_not_seeded_twice(tmp_path):
    root = workspace_with(tmp_path, REGISTER)
    init_workspace(root, ["751"])
    with pytest.raises(ParameterError, match="already holds omraader_lister.csv"):
        init_workspace(root, ["751"])
