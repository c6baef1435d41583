"""Which rule version governs a list, as known on a date (issue 22: rules as known on the date).

A published list was made under its own rule version (``lists.yaml``). A list not yet published
on the date follows the law as it stood then: the newest rule version that was passed by that
date and in force by the list's publication. A bill or political agreement that was already
public, but not yet law, is named in a dated note; it is never applied.

In September 2020 the list of 2021 is therefore under the 2018 act, its transition rule (5 years
for a hard ghetto on the lists 2018-2020) ended: 4 years (seed 004: "Korsløkkeparken kan blive
hård ghetto efter 4 år"). L 23 (2021-22), which made it 5 years and renamed the lists, was passed
only on 23 November 2021.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .lists import PublishedList, as_list, load_lists
from .rules import RuleVersion, load_rules


def first_list_under(version: RuleVersion) -> PublishedList | None:
    """The first list made under ``version`` (None: no list yet)."""
    return next((item for item in load_lists() if item.rules == version.id), None)


def law_from(version: RuleVersion) -> dt.date | None:
    """The first day ``version`` is known as law: passed, else in force, else the first list made under it.

    >>> from boligdata.rules import version_by_id
    >>> law_from(version_by_id("2018")), law_from(version_by_id("2010"))
    (datetime.date(2018, 11, 22), datetime.date(2010, 10, 1))
    """
    for step in ("passed", "in_force"):
        item = version.enacted.get(step)
        if item is not None and item.date is not None:
            return item.date
    first = first_list_under(version)
    return first.known_by if first else None


def in_force_by(version: RuleVersion) -> dt.date | None:
    """The day ``version`` takes effect (in force, else passed, else its first list)."""
    item = version.enacted.get("in_force")
    if item is not None and item.date is not None:
        return item.date
    return law_from(version)


def governing_rules(lst, as_of: dt.date | None) -> RuleVersion:
    """The rule version a report on ``as_of`` applies to the list ``lst``.

    >>> governing_rules(2021, dt.date(2020, 9, 30)).id, governing_rules(2021, None).id
    ('2018', '2021')
    >>> governing_rules(2022, dt.date(2021, 12, 31)).id, governing_rules(2020, dt.date(2020, 12, 31)).id
    ('2021', '2018')
    """
    lst = as_list(lst)
    own = lst.version
    if as_of is None or lst.known_by <= as_of:
        return own
    versions = list(load_rules())
    candidates = [v for v in versions[:versions.index(own) + 1]
                  if (law_from(v) is not None and law_from(v) <= as_of
                      and in_force_by(v) is not None and in_force_by(v) <= lst.known_by)]
    return candidates[-1] if candidates else versions[0]


@dataclass(frozen=True)
class PendingLaw:
    """A rule version that was public on a date but not yet law for a list: its newest public step."""

    version: RuleVersion
    step: str           # agreement / proposed
    date: dt.date
    source: str


def pending_law(lst, as_of: dt.date | None) -> PendingLaw | None:
    """A newer rule version public on ``as_of`` (agreed or proposed) that a report does not apply.

    >>> pending_law(2021, dt.date(2021, 9, 30)).step, pending_law(2021, dt.date(2020, 9, 30))
    ('agreement', None)
    """
    lst = as_list(lst)
    if as_of is None or lst.known_by <= as_of:
        return None
    applied = governing_rules(lst, as_of)
    versions = list(load_rules())
    for version in reversed(versions[versions.index(applied) + 1:]):
        for step in ("proposed", "agreement"):
            item = version.enacted.get(step)
            if item is not None and item.date is not None and item.date <= as_of:
                return PendingLaw(version, step, item.date, item.source)
    return None
