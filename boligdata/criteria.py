"""Designations, distance to each threshold, persons to flip and the cheapest way off a list.

Everything the law decides comes from ``data/rules.yaml`` through ``rules.py``; this module
only applies it. Arithmetic is in ``Decimal`` so that "61.4 % of 500 against > 60 %" is
exactly 307 against 300 and the operators ``>`` and ``>=`` are honoured at the boundary.

Three-valued logic: a criterion whose value (or threshold) is missing is *undecided*
(None), and so is a hard designation whose history is too short to tell. A designation is
decided when every possible value of the undecided inputs leads to the same result (the
count and "and" rules below are exact for that), otherwise it is undecided (None).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal

import pandas as pd

from .crime import CrimeFigures, Threshold, known_crime_figures
from .enacted import governing_rules
from .errors import ParameterError, UndecidedError
from .history import ListHistory, Run
from .lists import PublishedList, as_list, load_lists
from .rules import Criterion, Designation, RuleVersion
from .vintages import lock_date
from .windows import CriterionState, persons_in_open_part, state_of

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


def count_behind(share_pct: Decimal, denominator: Decimal, decimals: int | None = None) -> int:
    """The whole number of persons a share, at its published precision, implies for its denominator.

    A share printed with ``decimals`` decimals stands for every count whose share rounds to it
    (half up); of those, the one nearest to share × denominator (a tie, x,5, goes to the even
    count, as rounding to the nearest does in statistics). Where no whole number rounds to the
    printed share (the share was computed on another denominator), the nearest whole number.
    ``decimals`` defaults to the decimals the share is written with.

    >>> count_behind(Decimal("41.0"), Decimal(1610))   # 660/1610 = 40,99 %; 659 would be 40,9 %
    660
    >>> count_behind(Decimal("38.3"), Decimal(800))    # 306/800 = 38,25 %, printed 38,3 %
    306
    >>> count_behind(Decimal("2.30"), Decimal(966))    # no count gives 2,30 %: 22 (2,28 %) is nearest
    22
    >>> count_behind(Decimal("57.0"), Decimal(1850))   # 1054 and 1055 both print 57,0 %; 1054,5: the even one
    1054
    """
    if decimals is None:
        decimals = max(0, -share_pct.as_tuple().exponent)
    exact = share_pct * denominator / HUNDRED
    half = Decimal(5) / Decimal(10) ** (decimals + 1)
    low = (share_pct - half) * denominator / HUNDRED       # the counts [low, high) print as the share
    high = (share_pct + half) * denominator / HUNDRED
    nearest = int(exact.to_integral_value(rounding=ROUND_HALF_EVEN))  # a tie (x,5) to the even count
    first, last = math.ceil(low), math.ceil(high) - 1
    return min(max(nearest, first), last) if first <= last else nearest


def persons_to_flip(share_pct: Decimal, denominator: Decimal, operator: str, threshold_pct: Decimal,
                    decimals: int | None = None) -> int:
    """The whole number of persons whose change of status flips the criterion.

    Worked on the count behind the share (``count_behind``) and the whole number of persons the
    threshold allows, with the group's size unchanged: for a met criterion how many must leave
    the counted status, for an unmet one how many must enter it (at least 1).

    >>> persons_to_flip(Decimal("61.4"), Decimal(500), ">", Decimal(60))      # 307 against at most 300
    7
    >>> persons_to_flip(Decimal("41.0"), Decimal(1610), ">", Decimal(40))     # 660 against at most 644
    16
    >>> persons_to_flip(Decimal("38.3"), Decimal(800), ">", Decimal(40))      # 306 against at least 321
    15
    >>> persons_to_flip(Decimal("2.30"), Decimal(966), ">=", Decimal("2.27"), 2)  # 22 against at least 21,93
    1
    """
    count = count_behind(share_pct, denominator, decimals)
    limit = threshold_pct * denominator / HUNDRED
    met = is_met(share_pct, operator, threshold_pct)  # the law decides on the share as published
    if operator == ">":      # met while count > limit: at most floor(limit) leaves it
        persons = count - math.floor(limit) if met else math.floor(limit) + 1 - count
    elif operator == ">=":   # met while count >= limit: at most ceil(limit) - 1 leaves it
        persons = count - math.ceil(limit) + 1 if met else math.ceil(limit) - count
    else:                    # "<": met while count < limit
        persons = math.ceil(limit) - count if met else count - math.ceil(limit) + 1
    return max(1, persons)


@dataclass
class CriterionResult:
    criterion: Criterion
    value: Decimal | None
    threshold: Decimal | None
    threshold_source: str | None
    met: bool | None
    distance_pp: Decimal | None
    persons: int | None
    reason: str | None = None        # English, for the command line: why the criterion is undecided
    denominator: Decimal | None = None  # the group the share is of, where known
    reason_code: str | None = None   # no_value / no_threshold / threshold_interval
    threshold_detail: Threshold | None = None
    depends_on_choice: bool = False  # another published figure for the list would change ``met``
    state: CriterionState | None = None  # movable / measured / published on the as-of date (windows.py)

    @property
    def persons_open(self) -> int | None:
        """The persons who must change in the still-open part of the window (None: it cannot move)."""
        share = self.state.open_share if self.state is not None else 1
        return persons_in_open_part(self.persons, share)


@dataclass
class ExitPath:
    """The cheapest way off a designation: persons, which criteria, and which cannot move.

    ``kind`` says what the persons are: "action", the persons who must change in the still-open
    part of the movable criteria's windows; or "unpublished", how far the ministry's not yet
    published figures must differ from the estimate (in persons of the figure).
    """

    designation: str
    persons: int | None            # enough whatever the undecided criteria turn out to be
    persons_best: int | None       # if the undecided criteria fall the favourable way
    criteria: tuple = ()           # the criteria of the sure way (or "population")
    fixed: tuple = ()              # met criteria that cannot take part (already measured, or published)
    possible: bool = True          # some lever removes the designation on this list
    undecided: tuple = ()          # undecided criteria that took part
    list_id: str = ""              # the list the way is for
    kind: str = "action"

    def __getitem__(self, key):  # read like the dict it replaced: exit["persons"]
        return getattr(self, key)

    def get(self, key, default=None):
        return getattr(self, key, default)


@dataclass
class AreaResult:
    area: str
    list: PublishedList
    version: RuleVersion
    residents: Decimal | None
    population_ok: bool | None
    criteria: dict = field(default_factory=dict)  # id -> CriterionResult
    designations: dict = field(default_factory=dict)  # id -> True/False/None
    years_on_list: int | None = None
    years_open: bool = False       # years_on_list is a minimum: the history may go back further
    run: Run | None = None
    exit: ExitPath | None = None         # the way off through the criteria that can still move
    unpublished: ExitPath | None = None  # what the ministry's unpublished figures would have to show
    following: "AreaResult | None" = None  # the following list, with the same figures (as known on as_of)
    notes: list = field(default_factory=list)
    name: str = ""
    statute: dict = field(default_factory=dict)  # designations that exclude another, by the statute alone
    as_of: dt.date | None = None
    population_state: CriterionState | None = None
    crime_list: str = ""   # the list whose crime figure is used (another list's, where this one's is not public)
    choice_changes: tuple = ()  # (alternative threshold, designation ids it changes): a recorded other figure

    def __post_init__(self):
        self.name = self.name or self.area

    @property
    def list_year(self) -> int:
        return self.list.year

    def most_severe(self) -> Designation | None:
        held = [self.version.designations[d] for d, v in self.designations.items() if v]
        return max(held, key=lambda d: d.severity) if held else None

    def undecided_designations(self) -> list[Designation]:
        """Designations that cannot be decided, more severe than the one held."""
        top = self.most_severe()
        floor = top.severity if top else -1
        return sorted((self.version.designations[d] for d, v in self.designations.items()
                       if v is None and self.version.designations[d].severity > floor), key=lambda d: d.severity)

    def designation_label(self) -> str:
        """The Danish label a reader sees: the most severe designation held, and what is undecided above it.

        (Below the population minimum the area cannot be designated at all.)
        """
        top = self.most_severe()
        undecided = [d.label_da.lower() for d in self.undecided_designations()]
        either = ", ".join(undecided[:-1]) + " eller " + undecided[-1] if len(undecided) > 1 else "".join(undecided)
        if top is not None:
            return top.label_da + (f" ({either} uafklaret)" if undecided else "")
        if self.population_ok is False:
            return f"Ingen betegnelse (under {self.version.population_min:,} beboere)".replace(",", ".")
        if undecided:
            return f"Uafklaret ({either})"
        return "Ingen betegnelse"


def _evaluate_criterion(criterion: Criterion, row: dict, lst: PublishedList, crime: CrimeFigures) -> CriterionResult:
    value = to_decimal(row.get(criterion.indicator))
    detail = None
    if criterion.threshold is not None:
        threshold, source = criterion.threshold, None
    else:
        try:
            detail = crime.threshold(lst.id, criterion.national_average_multiple)
        except UndecidedError as exc:
            return CriterionResult(criterion, value, None, None, None, None, None, reason=str(exc),
                                   reason_code=exc.code, denominator=to_decimal(row.get(criterion.denominator))
                                   if criterion.denominator else None)
        threshold, source = detail.value, detail.source_da()
    count = to_decimal(row.get(criterion.denominator)) if criterion.denominator is not None else None
    if value is None:
        return CriterionResult(criterion, None, threshold, source, None, None, None,
                               reason=f"no value for {criterion.indicator}", denominator=count,
                               reason_code="no_value", threshold_detail=detail)
    met = is_met(value, criterion.operator, threshold)
    reason = code = None
    depends = False
    if detail is not None:
        if detail.low != detail.high and is_met(value, criterion.operator, detail.low) != \
                is_met(value, criterion.operator, detail.high):
            met, code = None, "threshold_interval"
            reason = (f"{criterion.indicator} {value} lies within the rounding of the derived crime threshold "
                      f"({detail.low}-{detail.high} %) of {lst.label_en}")
        depends = any(is_met(value, criterion.operator, other) != met for other in detail.alternatives)
    distance = signed_distance(value, criterion.operator, threshold)
    persons = None
    if count is not None and count > 0:
        persons = persons_to_flip(value, count, criterion.operator, threshold,
                                  max(criterion.decimals, -value.as_tuple().exponent))
    return CriterionResult(criterion, value, threshold, source, met, distance, persons, reason=reason,
                           denominator=count, reason_code=code, threshold_detail=detail, depends_on_choice=depends)


def _and(values) -> bool | None:
    values = list(values)
    if any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True


def _count_rule(met: dict, ids, min_met: int) -> bool | None:
    held = sum(met[c] is True for c in ids)
    unknown = sum(met[c] is None for c in ids)
    if held >= min_met:
        return True
    return False if held + unknown < min_met else None


def _not(value: bool | None) -> bool | None:
    return None if value is None else not value


def designation_values(version: RuleVersion, met: dict, population_ok: bool | None, run: Run | None,
                       lst: PublishedList, statute: dict | None = None) -> tuple[dict, int | None, bool]:
    """Every designation's value from the criteria's ``met`` values, and the years on the list.

    ``run`` is the area's run of lists before ``lst`` (None: no history, an open run of 0).
    A designation that ``excludes`` another (forebyggelse excludes udsat) is given as the ministry
    publishes it; ``statute``, where given, receives its value by the statute alone.
    """
    run = run or Run(0, True, None)
    values: dict = {}
    years, years_open = None, False
    for designation in version.ordered_designations():
        if designation.consecutive_years_of:
            bases = [d for d in designation.consecutive_years_of if d in values]
            current = _and(values[d] for d in bases)
            needed = designation.years_required(lst.year)
            if current is None:  # on the list or not: if even being on it gives too few years, it is false
                enough = run.years_with(lst) >= needed
                value, years = (None if enough or run.open_ended else False), None
            elif current is False:
                value, years = False, 0
            else:
                years, years_open = run.years_with(lst), run.open_ended
                value = True if years >= needed else (None if run.open_ended else False)
        else:
            parts = []
            if designation.criteria:
                parts.append(_count_rule(met, designation.criteria, designation.min_met))
            parts += [values[r] for r in designation.requires]
            parts += [met[c] for c in designation.and_criteria]
            value = _and(parts)
        if population_ok is False:
            value = False
        elif population_ok is None and value:
            value = None
        if designation.excludes:
            if statute is not None:
                statute[designation.id] = value
            value = _and([value] + [_not(values[e]) for e in designation.excludes])
        values[designation.id] = value
    if not any(d.consecutive_years_of for d in version.designations.values()):
        current = _and(values[d.id] for d in version.list_designations())
        if current is True:
            years, years_open = run.years_with(lst), run.open_ended
        elif current is False:
            years = 0
    return values, years, years_open


def _as_history(history) -> ListHistory | None:
    if history is None or isinstance(history, ListHistory):
        return history
    frame = history.rename(columns={"area_id": "area"})
    if "list_id" not in frame:
        return ListHistory.from_rows(zip(frame["area"], frame["list_year"].astype(int), frame["designation"]))
    return ListHistory.from_rows(zip(frame["area"], frame["list_id"], frame["designation"]))


def evaluate_area(row: dict, list_year, *, history=None, crime: CrimeFigures | None = None,
                  as_of: dt.date | None = None, municipality: str | None = None, version: RuleVersion | None = None,
                  follow: bool = True, run: Run | None = None) -> AreaResult:
    """Classify one area (a mapping of indicator id to value) for a list.

    ``list_year`` is a list (a ``PublishedList``, a list id such as ``2013-10-01``, or a year
    with one list). ``history`` is a ``ListHistory`` (or a frame of ``area, list_year,
    designation``); without one, the years on the list are unknown. ``as_of`` is the date the
    figures stood on: each criterion is then movable, measured or published (``windows.py``), the
    way off goes only through what can still move, and a list not yet published on that date
    follows the law as it stood then (``enacted.py``). Without a date everything is movable.
    ``version`` replaces the list's rule version (to try a changed rule). With ``follow`` and a
    date, the following list is evaluated too, with the same figures (``result.following``).

    >>> r = evaluate_area({"area": "Solbakken", "residents": 1288, "non_western_pct": 54.2,
    ...     "outside_labour_market_pct": 38.3, "convicted_pct": 2.30, "primary_school_only_pct": 61.4,
    ...     "income_pct_of_region": 56.0}, 2020)
    >>> r.designations["udsat"], r.designations["ghetto"], r.designations["haardt_ghetto"]
    (True, True, None)
    >>> r.designation_label()
    'Ghettoområde (hårdt ghettoområde uafklaret)'
    """
    lst = as_list(list_year)
    version = version or governing_rules(lst, as_of)
    crime = crime or known_crime_figures()
    history = _as_history(history)
    residents = to_decimal(row.get("residents"))
    population_ok = None if residents is None else residents >= version.population_min
    result = AreaResult(str(row["area"]), lst, version, residents, population_ok,
                        name=str(row.get("area_name") or row["area"]), as_of=as_of, crime_list=lst.id)
    result.population_state = state_of(version.population_window, lst.year, lock_date(lst, "residents"), as_of)
    for cid, criterion in version.criteria.items():
        c = _evaluate_criterion(criterion, row, lst, crime)
        c.state = state_of(criterion.window, lst.year, lock_date(lst, criterion.indicator), as_of)
        result.criteria[cid] = c
    result.run = run if run is not None else (history.run(result.area, lst) if history is not None else None)
    met = {cid: c.met for cid, c in result.criteria.items()}
    result.designations, result.years_on_list, result.years_open = designation_values(
        version, met, population_ok, result.run, lst, result.statute)
    from .exits import cheapest_exit, unpublished_path

    result.exit = cheapest_exit(result)
    result.unpublished = unpublished_path(result)
    result.notes = undecided_notes(result)
    if follow:
        result.choice_changes = _choice_changes(result, row, crime, history)
        if as_of is not None and lst.known_by > as_of:
            result.following = _following(result, row, crime, history, municipality)
    return result


def _choice_changes(result: AreaResult, row: dict, crime: CrimeFigures, history) -> tuple:
    """Per other recorded crime figure of the list: the designations that figure would change."""
    changes = []
    for alternative in crime.alternatives(result.list.id):
        other = evaluate_area(row, result.list, history=history, crime=alternative, as_of=result.as_of,
                              version=result.version, follow=False, run=result.run)
        changed = tuple(d for d, v in result.designations.items() if other.designations.get(d) != v)
        if changed:
            changes.append((alternative.used(result.list.id).value, changed))
    return tuple(changes)


def _on_list(result: AreaResult) -> bool | None:
    """Whether the area is on the ghetto / parallelsamfund list (or its hard form) of ``result.list``."""
    values = [result.designations.get(d.id) for d in result.version.list_designations()]
    if any(v is True for v in values):
        return True
    return False if all(v is False for v in values) else None


def _following(result: AreaResult, row: dict, crime: CrimeFigures, history, municipality) -> AreaResult | None:
    """The following list with the same figures, under its rules as known on the as-of date.

    Its run of years counts the coming list as forecast; where that is undecided, both ways are
    tried and a designation that differs is undecided. A crime figure not yet public for it is
    the coming list's, said so in ``crime_list``.
    """
    following = next((item for item in load_lists() if item.known_by > result.list.known_by), None)
    if following is None:
        return None
    carried = crime if crime.used(following.id) is not None else crime.carried_to(result.list.id, following.id)
    run = result.run or Run(0, True, None)

    def with_run(on: bool) -> AreaResult:
        ahead = Run(run.years_with(result.list), run.open_ended, run.first_covered, result.list.year) if on else \
            Run(0, False, run.first_covered)
        return evaluate_area(row, following, history=history, crime=carried, as_of=result.as_of,
                             municipality=municipality, follow=False, run=ahead)

    on = _on_list(result)
    later = with_run(bool(on))
    if on is None:
        other = with_run(False)
        later.designations = {d: (v if other.designations.get(d) == v else None) for d, v in later.designations.items()}
    if carried is not crime:
        later.crime_list = result.list.id
    return later


def undecided_notes(result: AreaResult) -> list[str]:
    """Why each undecided designation is undecided, in English, naming the missing figures."""
    notes = []
    for designation in result.version.ordered_designations():
        if result.designations.get(designation.id) is not None:
            continue
        notes.append(f"{result.name}: {designation.label_da} ({designation.id}) of {result.list.label_en} cannot be "
                     f"decided: " + "; ".join(undecided_reasons(result, designation)))
    return notes


def undecided_reasons(result: AreaResult, designation: Designation) -> list[str]:
    """The inputs that leave ``designation`` undecided: criteria, the population, or the history."""
    bases = [b for b in designation.consecutive_years_of if b in result.designations]
    if bases and all(result.designations[b] is True for b in bases):  # on the list now: the history is short
        first = result.run.first_covered if result.run else None
        return [f"the list history covers lists only from {first}, so the years on the list before it are not "
                f"known" if first else "no list history was given, so the years on the list are not known"]
    involved = designation.criteria_involved(result.version)
    reasons = [result.criteria[c].reason for c in involved if result.criteria[c].met is None]
    if result.population_ok is None:
        reasons.append("no value for residents")
    return list(dict.fromkeys(r for r in reasons if r)) or ["an undecided criterion"]


def evaluate(frame: pd.DataFrame, list_year, *, history=None, crime: CrimeFigures | None = None,
             as_of: dt.date | None = None) -> list[AreaResult]:
    """Classify every row of ``frame`` (one row per area, indicator ids as columns)."""
    history = _as_history(history)
    return [evaluate_area(row, list_year, history=history, crime=crime, as_of=as_of)
            for row in frame.to_dict("records")]
