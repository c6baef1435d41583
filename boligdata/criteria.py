"""Designations, distance to each threshold, persons to flip and the cheapest way off a list.

Everything the law decides comes from ``data/rules.yaml`` through ``rules.py``; this module
only applies it. Arithmetic is in ``Decimal`` so that "61.4 % of 500 against > 60 %" is
exactly 307 against 300 and the operators ``>`` and ``>=`` are honoured at the boundary.

Three-valued logic: a criterion whose value (or threshold) is missing is *undecided*
(None); a designation is decided whenever the undecided criteria cannot change it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd

from .errors import ParameterError, UndecidedError
from .rules import LIST_LINEAGE, CrimeFigures, Criterion, Designation, RuleVersion, known_crime_figures, version_for_year

HUNDRED = Decimal(100)


def to_decimal(value) -> Decimal | None:
    """A figure as Decimal, through its shortest text so 61.4 stays 61.4.

    >>> to_decimal(61.4), to_decimal(None), to_decimal("2,30")
    (Decimal('61.4'), None, Decimal('2.30'))
    """
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, str):
        value = value.strip().replace(",", ".")
        return Decimal(value) if value else None
    return Decimal(repr(float(value))) if isinstance(value, float) else Decimal(value)


def is_met(value: Decimal, operator: str, threshold: Decimal) -> bool:
    """The comparison exactly as the law words it.

    >>> is_met(Decimal("2.27"), ">=", Decimal("2.27")), is_met(Decimal("40"), ">", Decimal("40"))
    (True, False)
    """
    if operator == ">":
        return value > threshold
    if operator == ">=":
        return value >= threshold
    if operator == "<":
        return value < threshold
    raise ParameterError(f"unknown operator {operator!r}")


def signed_distance(value: Decimal, operator: str, threshold: Decimal) -> Decimal:
    """Distance in points, positive on the criterion's side of the threshold.

    >>> signed_distance(Decimal("61.4"), ">", Decimal("60")), signed_distance(Decimal("56.0"), "<", Decimal("55"))
    (Decimal('1.4'), Decimal('-1.0'))
    """
    return value - threshold if operator in (">", ">=") else threshold - value


def persons_to_flip(share_pct: Decimal, denominator: Decimal, operator: str, threshold_pct: Decimal) -> int:
    """The smallest whole number of persons whose change of status flips the criterion.

    The share's numerator is ``share × denominator`` (exact in decimals); the number of
    persons in the group stays the same. For a met criterion this is how many must leave
    the counted status, for an unmet one how many must enter it.

    >>> persons_to_flip(Decimal("61.4"), Decimal(500), ">", Decimal(60))      # 307 against 300
    7
    >>> persons_to_flip(Decimal("2.30"), Decimal(966), ">=", Decimal("2.27"))  # 22.218 against 21.9282
    1
    >>> persons_to_flip(Decimal("40"), Decimal(1000), ">", Decimal(40))       # 400 is not > 400
    1
    """
    numerator = share_pct * denominator / HUNDRED
    limit = threshold_pct * denominator / HUNDRED
    met = is_met(numerator, operator, limit)
    if operator == ">":
        return math.ceil(numerator - limit) if met else math.floor(limit - numerator) + 1
    if operator == ">=":
        return math.floor(numerator - limit) + 1 if met else math.ceil(limit - numerator)
    # "<": met means below; leaving needs numerator >= limit, entering needs < limit.
    return math.ceil(limit - numerator) if met else math.floor(numerator - limit) + 1


@dataclass
class CriterionResult:
    criterion: Criterion
    value: Decimal | None
    threshold: Decimal | None
    threshold_source: str | None
    met: bool | None
    distance_pp: Decimal | None
    persons: int | None
    reason: str | None = None
    denominator: Decimal | None = None  # the group the share is of, where known


@dataclass
class AreaResult:
    area: str
    list_year: int
    version: RuleVersion
    residents: Decimal | None
    population_ok: bool | None
    criteria: dict = field(default_factory=dict)  # id -> CriterionResult
    designations: dict = field(default_factory=dict)  # id -> True/False/None
    years_on_list: int | None = None
    exit: dict | None = None
    notes: list = field(default_factory=list)
    name: str = ""

    def __post_init__(self):
        self.name = self.name or self.area

    def most_severe(self) -> Designation | None:
        held = [self.version.designations[d] for d, v in self.designations.items() if v]
        return max(held, key=lambda d: d.severity) if held else None

    def designation_label(self) -> str:
        """The Danish label a reader sees for the most severe designation.

        (Below the population minimum the area cannot be designated at all.)
        """
        top = self.most_severe()
        if top is not None:
            return top.label_da
        if self.population_ok is False:
            return f"Ingen (under {self.version.population_min:,} beboere)".replace(",", ".")
        if any(v is None for v in self.designations.values()):
            return "Uafklaret"
        return "Ingen betegnelse"


def _evaluate_criterion(criterion: Criterion, row: dict, list_year: int, crime: CrimeFigures) -> CriterionResult:
    value = to_decimal(row.get(criterion.indicator))
    source = None
    if criterion.threshold is not None:
        threshold = criterion.threshold
    else:
        try:
            threshold, source = crime.threshold(list_year, criterion.national_average_multiple)
        except UndecidedError as exc:
            return CriterionResult(criterion, value, None, None, None, None, None, reason=str(exc))
    if value is None:
        return CriterionResult(criterion, None, threshold, source, None, None, None,
                               reason=f"no value for {criterion.indicator}")
    met = is_met(value, criterion.operator, threshold)
    distance = signed_distance(value, criterion.operator, threshold)
    persons, count = None, None
    if criterion.denominator is not None:
        count = to_decimal(row.get(criterion.denominator))
        if count is not None and count > 0:
            persons = persons_to_flip(value, count, criterion.operator, threshold)
    return CriterionResult(criterion, value, threshold, source, met, distance, persons, denominator=count)


def _and(values) -> bool | None:
    values = list(values)
    if any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True


def _count_rule(results: dict, ids, min_met: int) -> bool | None:
    met = sum(results[c].met is True for c in ids)
    unknown = sum(results[c].met is None for c in ids)
    if met >= min_met:
        return True
    return False if met + unknown < min_met else None


def consecutive_years(history: pd.DataFrame | None, area: str, before_year: int) -> int:
    """Consecutive list years before ``before_year`` on the ghetto / parallelsamfund list.

    >>> h = pd.DataFrame({"area": ["A"] * 4, "list_year": [2016, 2017, 2018, 2019], "designation": ["ghetto"] * 4})
    >>> consecutive_years(h, "A", 2020), consecutive_years(h, "A", 2019), consecutive_years(h, "B", 2020)
    (4, 3, 0)
    """
    if history is None or history.empty:
        return 0
    years = set(history.loc[(history["area"] == area) & history["designation"].isin(LIST_LINEAGE), "list_year"].astype(int))
    count, year = 0, before_year - 1
    while year in years:
        count, year = count + 1, year - 1
    return count


def _designate(result: AreaResult, history: pd.DataFrame | None) -> None:
    version = result.version
    for designation in version.ordered_designations():
        if designation.consecutive_years_of:
            bases = [d for d in designation.consecutive_years_of if d in result.designations]
            current = _and(result.designations[d] for d in bases)
            previous = consecutive_years(history, result.area, result.list_year)
            result.years_on_list = {True: previous + 1, False: 0, None: None}[current]
            needed = designation.years_required(result.list_year)
            value = None if current is None else (current and result.years_on_list >= needed)
        else:
            parts = []
            if designation.criteria:
                parts.append(_count_rule(result.criteria, designation.criteria, designation.min_met))
            parts += [result.designations[r] for r in designation.requires]
            parts += [result.criteria[c].met for c in designation.and_criteria]
            value = _and(parts)
        if result.population_ok is False:
            value = False
        elif result.population_ok is None and value:
            value = None
        result.designations[designation.id] = value
    if result.years_on_list is None and not any(d.consecutive_years_of for d in version.designations.values()):
        lineage = [d for d in LIST_LINEAGE if d in result.designations]
        current = _and(result.designations[d] for d in lineage)
        previous = consecutive_years(history, result.area, result.list_year)
        result.years_on_list = {True: previous + 1, False: 0, None: None}[current]


def _exit_options(result: AreaResult, designation: Designation) -> list[tuple[int, tuple]]:
    """Ways to lose ``designation`` this year: (persons, criteria ids flipped)."""
    version = result.version
    if designation.consecutive_years_of:
        options = []
        for base in designation.consecutive_years_of:
            if result.designations.get(base):
                options += _exit_options(result, version.designations[base])
        return options
    options = []
    for cid in designation.and_criteria:
        c = result.criteria[cid]
        if c.met and c.persons is not None:
            options.append((c.persons, (cid,)))
    for required in designation.requires:
        if result.designations.get(required):
            options += _exit_options(result, version.designations[required])
    if designation.criteria:
        met = [result.criteria[c] for c in designation.criteria if result.criteria[c].met]
        need = len(met) - designation.min_met + 1
        flippable = sorted((c.persons, c.criterion.id) for c in met if c.persons is not None)
        if 0 < need <= len(flippable):
            chosen = flippable[:need]
            options.append((sum(p for p, _ in chosen), tuple(cid for _, cid in chosen)))
    return options


def _cheapest_exit(result: AreaResult) -> dict | None:
    top = result.most_severe()
    if top is None:
        return None
    options = _exit_options(result, top)
    if result.residents is not None:
        moving = int(result.residents) - (result.version.population_min - 1)
        if moving > 0:
            options.append((moving, ("population",)))
    if not options:
        return {"designation": top.id, "persons": None, "criteria": ()}
    persons, criteria = min(options, key=lambda o: (o[0], len(o[1]), o[1]))
    return {"designation": top.id, "persons": persons, "criteria": criteria}


def evaluate_area(row: dict, list_year: int, *, history: pd.DataFrame | None = None,
                  crime: CrimeFigures | None = None, version: RuleVersion | None = None) -> AreaResult:
    """Classify one area (a mapping of indicator id to value) for the list of ``list_year``.

    >>> r = evaluate_area({"area": "Solbakken", "residents": 1288, "non_western_pct": 54.2,
    ...     "outside_labour_market_pct": 38.3, "convicted_pct": 2.30, "primary_school_only_pct": 61.4,
    ...     "income_pct_of_region": 56.0}, 2020)
    >>> r.designations["udsat"], r.designations["ghetto"], r.designation_label()
    (True, True, 'Ghettoområde')
    """
    version = version or version_for_year(list_year)
    crime = crime or known_crime_figures()
    residents = to_decimal(row.get("residents"))
    population_ok = None if residents is None else residents >= version.population_min
    result = AreaResult(str(row["area"]), int(list_year), version, residents, population_ok,
                        name=str(row.get("area_name") or row["area"]))
    for cid, criterion in version.criteria.items():
        result.criteria[cid] = _evaluate_criterion(criterion, row, list_year, crime)
    _designate(result, history)
    result.exit = _cheapest_exit(result)
    result.notes = sorted({c.reason for c in result.criteria.values() if c.reason and "cannot be decided" in c.reason})
    return result


def evaluate(frame: pd.DataFrame, list_year: int, *, history: pd.DataFrame | None = None,
             crime: CrimeFigures | None = None) -> list[AreaResult]:
    """Classify every row of ``frame`` (one row per area, indicator ids as columns)."""
    return [evaluate_area(row, list_year, history=history, crime=crime) for row in frame.to_dict("records")]
