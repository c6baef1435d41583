"""The timeline of the lists (``data/lists.yaml``): every list by its publication date.

A list is identified by its publication date. Before 2013 the lists came on 1 October; in
2013 two lists were published (1 October under the 2010 rules, the end of the year under
the 2013 rules); from 2014 every list is of 1 December. Lists after the last published one
follow the rule version in force, up to the horizon the data file gives.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from .datafiles import check_keys, package_yaml
from .errors import DataFileError, ParameterError

MONTHS_DA = ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september",
             "oktober", "november", "december")


@dataclass(frozen=True)
class PublishedList:
    """One list of the ministry (or a coming one, ``future``)."""

    id: str
    year: int
    date: dt.date | None
    known_by: dt.date
    rules: str
    source: str
    note: str = ""
    future: bool = False

    @property
    def version(self):
        from .rules import version_by_id

        return version_by_id(self.rules)

    @property
    def label_da(self) -> str:
        """The list as a Danish reader names it.

        >>> get_list("2020-12-01").label_da, get_list("2013-12").label_da
        ('1. december 2020', 'ultimo 2013')
        """
        if self.date is None:
            return f"ultimo {self.year}"
        return f"{self.date.day}. {MONTHS_DA[self.date.month - 1]} {self.date.year}"

    @property
    def label_en(self) -> str:
        """The list in an English message: "the list of 1 December 2020".

        >>> get_list("2013-12").label_en
        'the list of the end of 2013'
        """
        if self.date is None:
            return f"the list of the end of {self.year}"
        return f"the list of {self.date.day} {self.date.strftime('%B')} {self.date.year}"


def _date(value, where: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise DataFileError(f"{where}: expected a date YYYY-MM-DD, found {value!r}") from None


@lru_cache(maxsize=1)
def load_lists() -> tuple[PublishedList, ...]:
    """Every list, oldest first, with the coming lists up to the horizon.

    >>> [l.id for l in load_lists()][:6]
    ['2010-10-01', '2011-10-01', '2012-10-01', '2013-10-01', '2013-12', '2014-12-01']
    >>> load_lists()[-1].id, load_lists()[-1].future
    ('2030-12-01', True)
    """
    from .rules import version_by_id

    document = check_keys(package_yaml("lists.yaml"), "lists.yaml", required=["lists", "future"])
    lists = []
    for number, entry in enumerate(document["lists"], start=1):
        where = f"lists.yaml: list {entry.get('id', number) if isinstance(entry, dict) else number}"
        check_keys(entry, where, required=["id", "year", "known_by", "rules", "source"], optional=["date", "note"])
        version_by_id(str(entry["rules"]))  # an unknown rule version is a load error
        date = _date(entry["date"], where) if entry.get("date") is not None else None
        known_by = _date(entry["known_by"], where)
        if date is not None and (date != known_by or entry["id"] != date.isoformat()):
            raise DataFileError(f"{where}: a list with a known date has that date as id and known_by")
        lists.append(PublishedList(str(entry["id"]), int(entry["year"]), date, known_by, str(entry["rules"]),
                                   entry["source"], entry.get("note") or ""))
    future = check_keys(document["future"], "lists.yaml future", required=["month_day", "rules", "through_year", "note"])
    version_by_id(str(future["rules"]))
    month, day = (int(p) for p in str(future["month_day"]).split("-"))
    for year in range(lists[-1].year + 1, int(future["through_year"]) + 1):
        date = dt.date(year, month, day)
        lists.append(PublishedList(date.isoformat(), year, date, date, str(future["rules"]),
                                   f"coming list ({future['note']})", future=True))
    for earlier, later in zip(lists, lists[1:]):
        if not earlier.known_by < later.known_by or later.year < earlier.year:
            raise DataFileError(f"lists.yaml: {later.id} must come after {earlier.id}")
    return tuple(lists)


def get_list(list_id: str) -> PublishedList:
    """A list by its id; an unknown id names the lists of that year, or the range.

    >>> get_list("2013-10-01").rules
    '2010'
    >>> get_list("2020-11-30")
    Traceback (most recent call last):
    ...
    boligdata.errors.ParameterError: no list was published on 2020-11-30; the list of 2020 is 2020-12-01
    """
    text = str(list_id).strip()
    for item in load_lists():
        if item.id == text:
            return item
    match = re.match(r"^(\d{4})-(\d{2})", text)
    if match:  # a date inside the month of a list whose day is not known
        for item in load_lists():
            if item.date is None and item.id == f"{match.group(1)}-{match.group(2)}":
                return item
    year = int(text[:4]) if text[:4].isdigit() else None
    same_year = lists_of_year(year) if year else []
    if same_year:
        names = " and ".join(i.id for i in same_year)
        raise ParameterError(f"no list was published on {text}; the list{'s' if len(same_year) > 1 else ''} of "
                             f"{year} {'are' if len(same_year) > 1 else 'is'} {names}")
    first, last = load_lists()[0], load_lists()[-1]
    raise ParameterError(f"no list {text!r}: the lists run from {first.id} to {last.id} (YYYY-MM-DD)")


def lists_of_year(year: int) -> list[PublishedList]:
    """The lists of one year (two in 2013).

    >>> [l.id for l in lists_of_year(2013)]
    ['2013-10-01', '2013-12']
    """
    return [item for item in load_lists() if item.year == int(year)]


def resolve_list(list_year=None, list_date=None) -> PublishedList:
    """The list a command means: ``--list-date`` names it; ``--list-year`` does where the year has one list.

    >>> resolve_list(list_year=2020).id
    '2020-12-01'
    >>> resolve_list(list_year=2013)
    Traceback (most recent call last):
    ...
    boligdata.errors.ParameterError: --list-year 2013: two lists were published in 2013: 2013-10-01 (1. oktober 2013, the 2010 rules) and 2013-12 (ultimo 2013, the 2013 rules); name one with --list-date
    """
    if list_date is not None:
        found = get_list(list_date)
        if list_year is not None and int(list_year) != found.year:
            raise ParameterError(f"--list-year {list_year} and --list-date {list_date} name different lists")
        return found
    if list_year is None:
        raise ParameterError("give --list-year YYYY or --list-date YYYY-MM-DD")
    try:
        year = int(list_year)
    except (TypeError, ValueError):
        raise ParameterError(f"--list-year: expected a year such as 2020, found {list_year!r}") from None
    found = lists_of_year(year)
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        names = " and ".join(f"{i.id} ({i.label_da}, the {i.rules} rules)" for i in found)
        raise ParameterError(f"--list-year {year}: two lists were published in {year}: {names}; name one with --list-date")
    first, last = load_lists()[0], load_lists()[-1]
    raise ParameterError(f"--list-year {year}: the lists run from {first.year} to {last.year}")


def as_list(value) -> PublishedList:
    """A PublishedList from itself, a list id or an unambiguous list year.

    >>> as_list(2020).id, as_list("2013-10-01").id
    ('2020-12-01', '2013-10-01')
    """
    if isinstance(value, PublishedList):
        return value
    if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
        return resolve_list(list_year=int(value))
    return get_list(value)


def coming_list(as_of: dt.date) -> PublishedList:
    """The first list not yet published on ``as_of``: the one a report on that date forecasts.

    >>> coming_list(dt.date(2020, 9, 30)).id, coming_list(dt.date(2020, 12, 31)).id
    ('2020-12-01', '2021-12-01')
    """
    for item in load_lists():
        if item.known_by > as_of:
            return item
    last = load_lists()[-1]
    raise ParameterError(f"no list after {as_of.isoformat()} is known: the rules are given through {last.label_en}")


def published_by(as_of: dt.date) -> list[PublishedList]:
    """The lists certainly published on ``as_of``.

    >>> [l.id for l in published_by(dt.date(2013, 12, 30))][-2:]
    ['2012-10-01', '2013-10-01']
    """
    return [item for item in load_lists() if item.known_by <= as_of]


def lists_before(target: PublishedList) -> list[PublishedList]:
    """Every list published before ``target``, oldest first."""
    return [item for item in load_lists() if item.known_by < target.known_by]
