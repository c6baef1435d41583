"""The landsoversigt: every area of a workspace, or of one region, at a glance."""

import re

import pytest

from boligdata.errors import ParameterError
from boligdata.reports.landsoversigt import Landsoversigt


def text(html) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", str(html)))


def test_counts_against_the_last_published_list():
    # The list of 1 December 2019 in Odense and Slagelse, by hand from the seeds: Odense's paper of
    # 22.09.2020 (seed 004) counts Vollsmose 10, Solbakken mv. 4 and Korsløkkeparken Øst 2 years on
    # the list before 2020, so all three were on the 2019 list, Vollsmose as hårdt ghettoområde;
    # Slagelse's Ringparken and Motalavej were hårde ghettoområder in 2019. Five ghettoområder,
    # three of them hårde.
    counts = Landsoversigt(None, "2020Q3")._counts().set_index("designation")
    assert counts.loc["Ghettoområde", "published"] == 5
    assert counts.loc["Hårdt ghettoområde", "published"] == 3
    # The forecast for 2020 counts the monitored areas the engine designates (every area of the sample).
    assert counts["forecast"].sum() > 0


def test_one_region():
    syddanmark = Landsoversigt(None, "2020Q3", "083")
    assert {r.area.split("-")[0] for r in syddanmark.results} == {"odense"}
    assert "Region Syddanmark" in text(syddanmark.title())
    sjaelland = Landsoversigt(None, "2020Q3", "085")
    assert {r.area.split("-")[0] for r in sjaelland.results} == {"slagelse"}
    with pytest.raises(ParameterError, match="unknown region"):
        Landsoversigt(None, "2020Q3", "099")


def test_the_nearest_to_leaving_are_in_persons_and_ordered():
    html = text(Landsoversigt(None, "2020Q3").nearest())
    assert "Nærmest at komme af listen 1. december 2020" in html
    assert "Nærmest at blive udsat boligområde" in html


def test_the_chart_starts_where_the_history_covers_every_municipality():
    # The sample's history covers Odense from the list of 1 October 2010 (seed 004's count of years)
    # and every other municipality from 1 December 2017 (the published lists 2017-2024). Together
    # the count per year means something from 2017 on, and the chart says why it starts there;
    # Region Sjælland (Slagelse only) loses no list, so nothing needs saying.
    whole = text(Landsoversigt(None, "2020Q3").history_chart())
    assert "Figuren begynder med listen 1. december 2017" in whole
    assert "Figuren begynder" not in text(Landsoversigt(None, "2020Q3", "085").history_chart())
