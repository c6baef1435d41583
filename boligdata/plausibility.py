"""Plausibility checks on figures before they are published (data/plausibility.yaml).

Four checks, each on the figures of a whole table at once:

- ``range``: the indicator's possible bound (never confirmable) and its plausible bound;
- ``jump``: the same place's figure moving between two periods by more than a documented factor;
- ``history``: a figure on the wrong side of a criterion the area's own list designation required;
- ``scale``: (in ingest and classify) shares written from 0 to 1, per indicator and column.

A real outlier is confirmed in the workspace (``raw/bekraeftelser*``): who confirmed which
figure and why. A confirmed finding is kept and shown in the report's sources; an unconfirmed one
stops ingest and classify with a located error.

>>> checks = load_plausibility()
>>> checks.plausible("convicted_pct", "pct", "area").high
Decimal('10')
>>> checks.possible("residents", "persons").low
Decimal('0')
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


import pandas as pd

from .datafiles import check_keys, package_yaml, vocabulary_cache
from .errors import DataFileError

LEVELS = ("area", "plan", "municipality", "region", "country")
CHECKS = ("range", "jump", "history", "scale")
CONFIRM_HINT = ("if the figure is right, confirm it in raw/bekraeftelser.csv (geografiniveau, geografikode, indikator, "
                "periode, værdi, bekræftet_af, begrundelse, dato; docs/inputs.md)")


@dataclass(frozen=True)
class Bound:
    low: Decimal | None
    high: Decimal | None
    why: str
    source: str = ""

    def outside(self, value: float) -> bool:
        return (self.low is not None and value < float(self.low)) or (self.high is not None and value > float(self.high))

    def text(self) -> str:
        """The range as a reader writes it: ``0-10``, ``at least 0``."""
        if self.high is None:
            return f"at least {_fmt(self.low)}"
        if self.low is None:
            return f"at most {_fmt(self.high)}"
        return f"{_fmt(self.low)}-{_fmt(self.high)}"


@dataclass(frozen=True)
class Jump:
    factor: float
    min_change: float

    def jumps(self, before: float, after: float) -> bool:
        """True when ``after`` is more than ``factor`` times ``before`` (or less than its inverse)
        and differs from it by more than ``min_change``.

        >>> Jump(2.0, 15).jumps(30, 65), Jump(2.0, 15).jumps(30, 55), Jump(2.0, 15).jumps(4, 12)
        (True, False, False)
        """
        if abs(after - before) <= self.min_change:
            return False
        low, high = sorted((abs(before), abs(after)))
        return low == 0 or high / low > self.factor


@dataclass(frozen=True)
class Plausibility:
    units: dict          # unit -> Bound (possible)
    indicators: dict     # indicator -> ((level or None, Bound), ...)
    jumps_by_unit: dict  # unit -> Jump
    jumps_by_indicator: dict
    jump_why: str
    history_years: int
    history_factor: float
    history_why: str
    indicator_possible: dict = None  # indicator -> ((level or None, Bound), ...): narrower than the unit's

    def possible(self, indicator: str, unit: str, level: str | None = None) -> Bound | None:
        """The indicator's own possible range at ``level`` where the file gives one, else its unit's."""
        for entry_level, bound in (self.indicator_possible or {}).get(indicator, ()):
            if entry_level in (None, level):
                return bound
        return self.units.get(unit)

    def plausible(self, indicator: str, unit: str, level: str) -> Bound | None:
        for entry_level, bound in self.indicators.get(indicator, ()):
            if entry_level in (None, level):
                return bound
        return None

    def jump(self, indicator: str, unit: str) -> Jump | None:
        return self.jumps_by_indicator.get(indicator) or self.jumps_by_unit.get(unit)


def _fmt(value) -> str:
    """A number as written in the inputs (no binary noise): 49.6, 10, 0.4."""
    if value is None:
        return ""
    return format(Decimal(repr(float(value)) if isinstance(value, float) else value).normalize(), "f")


def _bound(pair, where: str, why: str, source: str = "") -> Bound:
    if not isinstance(pair, list) or len(pair) != 2:
        raise DataFileError(f"{where}: expected [low, high] (null for no bound), found {pair!r}")
    if any(v is not None and (isinstance(v, bool) or not isinstance(v, (int, float))) for v in pair):
        raise DataFileError(f"{where}: expected numbers [low, high] (null for no bound), found {pair!r}")
    low, high = (None if v is None else Decimal(str(v)) for v in pair)
    if low is not None and high is not None and low > high:
        raise DataFileError(f"{where}: the low bound {low} is above the high bound {high}")
    return Bound(low, high, " ".join(str(why).split()), source)


def _jump(entry, where: str) -> Jump:
    check_keys(entry, where, required=["factor", "min_change"])
    factor, change = float(entry["factor"]), float(entry["min_change"])
    if factor <= 1 or change < 0:
        raise DataFileError(f"{where}: factor must be above 1 and min_change 0 or more")
    return Jump(factor, change)


def parse_plausibility(document: dict, name: str = "plausibility.yaml") -> Plausibility:
    """Validate a plausibility document (the package's, or the package's with a workspace's
    overrides merged in)."""
    from .catalog import load_catalog

    check_keys(document, name, required=["units", "indicators", "jumps", "history"])
    catalog = load_catalog()
    units = {}
    for unit, entry in document["units"].items():
        where = f"{name}: units.{unit}"
        check_keys(entry, where, required=["possible", "reason"], optional=["source"])
        units[unit] = _bound(entry["possible"], where, entry["reason"], entry.get("source", ""))
    missing = set(catalog["unit"]) - set(units)
    if missing:
        raise DataFileError(f"{name}: units: every unit of the catalogue needs its possible range ({', '.join(sorted(missing))})")
    indicators, narrower = {}, {}
    for indicator, entries in document["indicators"].items():
        if indicator not in catalog.index:
            raise DataFileError(f"{name}: indicators.{indicator}: not an indicator of the catalogue")
        parsed = []
        for number, entry in enumerate(entries, start=1):
            where = f"{name}: indicators.{indicator} entry {number}"
            check_keys(entry, where, required=["plausible", "why", "reason", "source"], optional=["level", "possible", "possible_why"])
            level = entry.get("level")
            if level is not None and level not in LEVELS:
                raise DataFileError(f"{where}: level must be one of {', '.join(LEVELS)}")
            bound = _bound(entry["plausible"], where, entry["why"], entry["source"])
            possible = units[catalog.loc[indicator, "unit"]]
            if (bound.low is not None and possible.low is not None and bound.low < possible.low) or \
                    (bound.high is not None and possible.high is not None and bound.high > possible.high):
                raise DataFileError(f"{where}: the plausible range lies outside the possible one ({possible.text()})")
            parsed.append((level, bound))
            if "possible" in entry:
                if "possible_why" not in entry:
                    raise DataFileError(f"{where}: 'possible' needs its 'possible_why'")
                own = _bound(entry["possible"], where + " possible", entry["possible_why"], entry["source"])
                if (own.low is not None and bound.low is not None and bound.low < own.low) or (
                        own.high is not None and bound.high is not None and bound.high > own.high):
                    raise DataFileError(f"{where}: the plausible range lies outside its possible one ({own.text()})")
                narrower.setdefault(indicator, []).append((level, own))
        indicators[indicator] = tuple(parsed)
    jumps = document["jumps"]
    check_keys(jumps, f"{name}: jumps", required=["units", "indicators", "why", "reason", "source"])
    by_unit = {unit: _jump(entry, f"{name}: jumps.units.{unit}") for unit, entry in jumps["units"].items()}
    by_indicator = {ind: _jump(entry, f"{name}: jumps.indicators.{ind}") for ind, entry in jumps["indicators"].items()}
    for indicator in by_indicator:
        if indicator not in catalog.index:
            raise DataFileError(f"{name}: jumps.indicators.{indicator}: not an indicator of the catalogue")
    history = document["history"]
    check_keys(history, f"{name}: history", required=["years_around", "factor", "why", "reason", "source"])
    if float(history["factor"]) <= 1:
        raise DataFileError(f"{name}: history.factor must be above 1")
    return Plausibility(units, indicators, by_unit, by_indicator, " ".join(jumps["why"].split()),
                        int(history["years_around"]), float(history["factor"]), " ".join(history["why"].split()),
                        {k: tuple(v) for k, v in narrower.items()})


def merge_documents(base: dict, override: dict) -> dict:
    """The package's document with a workspace's entries in place of the package's (per unit,
    per indicator, per jump rule).

    >>> merge_documents({"units": {"pct": 1, "dkk": 2}}, {"units": {"pct": 3}})
    {'units': {'pct': 3, 'dkk': 2}}
    """
    merged = {key: (dict(value) if isinstance(value, dict) else value) for key, value in base.items()}
    for key, value in override.items():
        if key == "jumps" and isinstance(value, dict):
            jumps = dict(merged.get("jumps", {}))
            for part, entries in value.items():
                jumps[part] = {**jumps.get(part, {}), **entries} if isinstance(entries, dict) else entries
            merged["jumps"] = jumps
        elif isinstance(value, dict) and isinstance(merged.get(key), dict) and key != "history":
            merged[key] = {**merged[key], **value}
        elif isinstance(value, dict) and key == "history":
            merged[key] = {**merged.get(key, {}), **value}
        else:
            merged[key] = value
    return merged


@vocabulary_cache
def load_plausibility() -> Plausibility:
    """The package's plausibility checks, validated."""
    return parse_plausibility(package_yaml("plausibility.yaml"))


def implausible_national_average(value, multiple=1) -> str | None:
    """Why a crime figure is not a plausible national average share of convicted adults (the
    figure itself, or a threshold over its multiple), or None when it is. One check for ingest
    (raw/landsgennemsnit), ``classify``'s flags and ``lists add``.

    >>> implausible_national_average(0.72) is None, implausible_national_average(2.16)[:58]
    (True, '2.16 % gives a national average of 2.16 % convicted adults')
    >>> implausible_national_average(2.16, multiple=3) is None  # the 3 x threshold of an average of 0,72
    True
    """
    bound = load_plausibility().plausible("convicted_pct", "pct", "country")
    average = float(value) / float(multiple or 1)
    if bound is None or not bound.outside(average):
        return None
    return (f"{_fmt(value)} % gives a national average of {average:g} % convicted adults, outside the plausible "
            f"{bound.text()} % ({bound.why})")


# --- Confirmations -------------------------------------------------------------------------


def _same(a, b) -> bool:
    return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)))


class Confirmations:
    """The workspace's confirmed outliers (raw/bekraeftelser*), by place, indicator and value.

    >>> c = Confirmations(pd.DataFrame({"geo_level": ["area"], "geo_code": ["x"], "indicator": ["convicted_pct"],
    ...     "period": [None], "value": [12.0], "confirmed_by": ["AB"], "reason": ["r"], "date": ["2026-01-05"]}))
    >>> c.find("area", "x", "convicted_pct", "2020Q3", 12.0)["confirmed_by"], c.find("area", "x", "convicted_pct", "2020Q3", 11.0)
    ('AB', None)
    """

    def __init__(self, table: pd.DataFrame | None = None):
        self.table = table if table is not None else pd.DataFrame(
            columns=["geo_level", "geo_code", "indicator", "period", "value", "confirmed_by", "reason", "date"])
        self.used: set = set()

    def find(self, level, code, indicator, period, value):
        if self.table.empty:
            return None
        rows = self.table[(self.table["geo_level"] == level) & (self.table["geo_code"] == code)
                          & (self.table["indicator"] == indicator)]
        for index, row in rows.iterrows():
            period_ok = pd.isna(row["period"]) or str(row["period"]) == "" or str(row["period"]) == str(period)
            if period_ok and _same(row["value"], value):
                self.used.add(index)
                return row
        return None

    def unused(self) -> pd.DataFrame:
        return self.table.drop(index=list(self.used))


@dataclass
class Finding:
    """One implausible figure: the row of the checked frame, the check and what was expected."""

    index: object
    check: str
    expected: str
    column: str = "værdi"


def range_findings(frame: pd.DataFrame, units: pd.Series, checks: Plausibility) -> list[Finding]:
    """Figures outside their possible or plausible range (``frame`` has geo_level, indicator, value)."""
    found = []
    values = frame["value"]
    for (indicator, unit, level), part in frame[values.notna()].groupby(
            [frame["indicator"], units, frame["geo_level"]], sort=False):
        possible, plausible = checks.possible(indicator, unit, level), checks.plausible(indicator, unit, level)
        for bound, kind in ((possible, "possible"), (plausible, "plausible")):
            if bound is None:
                continue
            outside = part[part["value"].astype(float).map(bound.outside)]
            for index in outside.index:
                hint = "" if kind == "possible" else f"; {CONFIRM_HINT}"
                found.append(Finding(index, "range" if kind == "plausible" else "possible",
                                     f"a plausible figure: {indicator} at level {level} is {kind} only within {bound.text()} "
                                     f"({bound.why}){hint}"))
                break  # one finding per group and bound is enough to stop; the first row is named
    return found


def jump_findings(frame: pd.DataFrame, units: pd.Series, checks: Plausibility, where) -> list[Finding]:
    """A figure that moves beyond its jump rule from the same place's previous period (any source:
    the median of that period's figures). ``where(index)`` names a row for the message."""
    found = []
    data = frame[frame["value"].notna()].assign(_unit=units, _end=frame["period_end"])
    for (level, code, indicator), part in data.groupby(["geo_level", "geo_code", "indicator"], sort=False):
        rule = checks.jump(indicator, part["_unit"].iloc[0])
        if rule is None or part["_end"].nunique() < 2:
            continue
        by_period = part.groupby("_end")["value"].median().sort_index()
        previous = None
        for end, median in by_period.items():
            if previous is not None:
                rows = part[part["_end"] == end]
                for index, value in rows["value"].items():
                    if rule.jumps(previous[1], float(value)):
                        before = part[part["_end"] == previous[0]].index[0]
                        found.append(Finding(index, "jump",
                                             f"a plausible change: {indicator} for {code} moves from {_fmt(previous[1])} "
                                             f"({where(before)}) to {_fmt(value)}, more than {rule.factor:g} times and "
                                             f"{rule.min_change:g} units ({checks.jump_why}); {CONFIRM_HINT}"))
            previous = (end, float(median))
    return found


def required_criteria(version, designation_id: str) -> list:
    """The criteria every area with this designation met (and-criteria, all-of criteria, through
    the designations it requires).

    >>> from boligdata.rules import version_by_id
    >>> [c.id for c in required_criteria(version_by_id("2021"), "parallelsamfund")]
    ['non_western']
    """
    designation = version.designations.get(designation_id)
    if designation is None:
        return []
    ids = list(designation.and_criteria)
    if designation.criteria and designation.min_met == len(designation.criteria):
        ids += list(designation.criteria)
    for other in designation.requires:
        ids += [c.id for c in required_criteria(version, other)]
    lines = [d for d in designation.consecutive_years_of if d in version.designations]
    if lines:
        common = set.intersection(*({c.id for c in required_criteria(version, d)} for d in lines))
        ids += [c for c in [c.id for c in required_criteria(version, lines[0])] if c in common]
    return [version.criteria[c] for c in dict.fromkeys(ids) if c in version.criteria]


def history_findings(obs: pd.DataFrame, history: pd.DataFrame, checks: Plausibility) -> list[Finding]:
    """Area figures on the wrong side, by more than the factor, of a criterion (or the population
    minimum) that the area's published designation required, within ``years_around`` of the list."""
    from .lists import get_list

    if history.empty or obs.empty:
        return []
    found = []
    area_obs = obs[(obs["geo_level"] == "area") & obs["value"].notna()]
    factor, years = checks.history_factor, checks.history_years
    for (list_id, area_id), rows in history.groupby(["list_id", "area_id"], sort=False):
        lst = get_list(list_id)
        version = lst.version
        tests = [("residents", ">=", float(version.population_min), "the population minimum", "")]
        for designation in rows["designation"]:
            for criterion in required_criteria(version, designation):
                if criterion.threshold is not None:
                    tests.append((criterion.indicator, criterion.operator, float(criterion.threshold),
                                  f"criterion {criterion.id} ({criterion.paragraph})", designation))
        near = area_obs[(area_obs["geo_code"] == area_id) & (area_obs["year"] - lst.year).abs().le(years)]
        for indicator, operator, threshold, what, designation in dict.fromkeys(tests):
            values = near[near["indicator"] == indicator]["value"].astype(float)
            wrong = values < threshold / factor if operator in (">", ">=") else values > threshold * factor
            if wrong.any():
                index = wrong.idxmax()
                label = designation or ", ".join(rows["designation"])
                found.append(Finding(index, "history",
                                     f"a figure that fits the area's list history: {area_id} is {label} on the list "
                                     f"of {lst.id}, which requires {what}: {indicator} {operator} {_fmt(threshold)}, "
                                     f"and {_fmt(values[index])} is on the other side of it by more than a factor {factor:g} "
                                     f"({checks.history_why}); {CONFIRM_HINT}"))
    return found
