"""Cell parsing: the documented normalisations, and refusals of what has two readings."""

import pytest

from boligdata.readers.values import (
    missing_reason,
    parse_date,
    parse_number,
    parse_period,
)


@pytest.mark.parametrize("text, decimal_comma, expected", [
    ("61,4", True, 61.4),            # decimal comma
    ("61,4 %", True, 61.4),          # percent sign
    ("1.302", True, 1302.0),         # thousands separator in a Danish file
    ("1.302,5", True, 1302.5),
    ("1,302.5", False, 1302.5),
    ("61.4", False, 61.4),
    ("61.4", True, 61.4),            # not a thousands group, so a decimal point
    ("21.022.000 kr.", True, 21022000.0),
    ("\u2212 5", True, -5.0),
])
def test_numbers_read(text, decimal_comma, expected):
    assert parse_number(text, decimal_comma=decimal_comma) == expected


@pytest.mark.parametrize("text", ["6x", "1,2,3,4", "abc", "%"])
def test_numbers_refused(text):
    with pytest.raises(ValueError):
        parse_number(text)


def test_ambiguous_thousands_refused_in_decimal_point_file():
    with pytest.raises(ValueError, match="unambiguous"):
        parse_number("1,302", decimal_comma=False)


def test_whole_numbers_accept_thousands_in_any_file():
    assert parse_number("1,302", decimal_comma=False, whole=True) == 1302


@pytest.mark.parametrize("text, expected", [
    ("2020", "2020"), ("2020K3", "2020Q3"), ("2020Q3", "2020Q3"), ("2020M07", "2020M07"),
    ("2020-07", "2020M07"), ("2018-W01", "2018W01"), ("2020-U32", "2020W32"), (2019, "2019"),
])
def test_periods(text, expected):
    assert parse_period(text) == expected


@pytest.mark.parametrize("text", ["Q3 2020", "2020Q5", "2020M13", "20"])
def test_bad_periods(text):
    with pytest.raises(ValueError, match="period"):
        parse_period(text)


def test_missing_markers_keep_their_reason():
    assert missing_reason("..").startswith("diskretioneret")
    assert missing_reason("afventer") == "afventer"
    assert missing_reason("12") is None


def test_dates():
    assert parse_date("22-09-2020") == "2020-09-22"
    with pytest.raises(ValueError):
        parse_date("September 2020")
