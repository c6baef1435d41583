"""The cheapest way off a list: through what can still move, and through what is still unpublished.

On the report's date each criterion of the list is movable, measured or published (``windows.py``).
The cheapest way off is the smallest number of persons whose changed status removes the area's
most severe designation, flipping only **movable** criteria, each by the persons who must change
in the still-open part of its window (or the population below the minimum, while the residents
count is open). Where nothing can move, the status is settled by figures already measured; then
``unpublished_path`` says how far the ministry's **measured but unpublished** figures would have
to differ from the estimate to change it: uncertainty, never an action.

An undecided criterion (unknown threshold, missing value) takes part: every way it may turn
out is tried, and the answer is the number that is enough in every case (``persons``), with
the number that is enough in the favourable case beside it (``persons_best``).
"""

from __future__ import annotations

from itertools import combinations, product

from .criteria import AreaResult, ExitPath, designation_values
from .windows import MEASURED, MOVABLE

POPULATION = "population"
MAX_UNDECIDED = 4  # 2^4 cases; more undecided criteria than that and the way off is not computed
ACTION, UNPUBLISHED = "action", "unpublished"


def _lever(result: AreaResult, cid: str, kind: str) -> int | None:
    """The persons one criterion takes to flip on this list, for ``kind``; None where it cannot."""
    c = result.criteria[cid]
    if c.state is None or c.state.state == MOVABLE:
        return c.persons_open if kind == ACTION else None
    return c.persons if kind == UNPUBLISHED and c.state.state == MEASURED else None


def _levers(result: AreaResult, involved, met: dict, kind: str) -> list[tuple[int, str]]:
    """(persons, criterion) for every met criterion that can flip for ``kind``."""
    levers = []
    for cid in involved:
        persons = _lever(result, cid, kind)
        if met[cid] and persons is not None:
            levers.append((persons, cid))
    return sorted(levers)


def _population_lever(result: AreaResult, kind: str) -> int | None:
    state = result.population_state
    open_for = (state is None or state.state == MOVABLE) if kind == ACTION else \
        (state is not None and state.state == MEASURED)
    if not open_for or result.residents is None or not result.population_ok:
        return None
    return int(result.residents) - (result.version.population_min - 1)


def _cheapest(result: AreaResult, target: str, met: dict, kind: str, involved) -> tuple[int, tuple] | None:
    """The cheapest flip of levers that makes ``target`` false in one case of the undecided criteria."""
    values, _, _ = designation_values(result.version, met, result.population_ok, result.run, result.list)
    if values[target] is False:
        return 0, ()
    options = []
    population = _population_lever(result, kind)
    if population is not None:
        options.append((population, 1, (POPULATION,)))
    levers = _levers(result, involved, met, kind)
    for size in range(1, len(levers) + 1):
        for chosen in combinations(levers, size):
            flipped = dict(met, **{cid: False for _, cid in chosen})
            values, _, _ = designation_values(result.version, flipped, result.population_ok, result.run, result.list)
            if values[target] is False:
                options.append((sum(p for p, _ in chosen), size, tuple(cid for _, cid in chosen)))
    if not options:
        return None
    persons, _, criteria = min(options)
    return persons, criteria


def exit_path(result: AreaResult, target: str, kind: str = ACTION) -> ExitPath:
    """The cheapest way off ``target`` through the levers of ``kind``."""
    designation = result.version.designations[target]
    involved = designation.criteria_involved(result.version)
    undecided = [cid for cid in involved if result.criteria[cid].met is None]
    base = {cid: c.met for cid, c in result.criteria.items()}
    fixed = tuple(sorted((cid for cid in involved if base[cid] is not False and result.criteria[cid].persons is not None
                          and _lever(result, cid, kind) is None),
                         key=lambda cid: result.criteria[cid].criterion.order))
    if len(undecided) > MAX_UNDECIDED:
        return ExitPath(target, None, None, (), fixed, False, tuple(undecided), result.list.id, kind)
    outcomes = []
    for case in product((True, False), repeat=len(undecided)):
        met = dict(base, **dict(zip(undecided, case)))
        outcomes.append(_cheapest(result, target, met, kind, involved))
    feasible = [o for o in outcomes if o is not None]
    if len(feasible) == len(outcomes):
        persons, criteria = max(feasible, key=lambda o: (o[0], len(o[1])))
        best = min(o[0] for o in feasible)
        return ExitPath(target, persons, best, criteria, fixed, True, tuple(undecided), result.list.id, kind)
    best = min((o[0] for o in feasible), default=None)
    return ExitPath(target, None, best, (), fixed, False, tuple(undecided), result.list.id, kind)


def cheapest_exit(result: AreaResult) -> ExitPath | None:
    """The way off the most severe designation on this list, through the criteria that can still move.

    >>> import datetime as dt
    >>> from boligdata.criteria import evaluate_area
    >>> row = {"area": "A", "residents": 1500, "non_western_pct": 60, "outside_labour_market_pct": 45,
    ...        "convicted_pct": 1.0, "primary_school_only_pct": 61, "income_pct_of_region": 70,
    ...        "pop_18_64": 1000, "pop_18plus": 1200, "pop_30_59": 600}
    >>> r = evaluate_area(row, 2020)   # no date: every criterion movable; 450 of 1000 against > 40 %
    >>> r.exit.persons, r.exit.criteria      # 6 fewer of 600 with only grundskole: 360, not above 60 %
    (6, ('education',))
    >>> r = evaluate_area(row, 2020, as_of=dt.date(2020, 9, 30))   # every window of the 2020 list has closed
    >>> r.exit.possible, r.exit.fixed
    (False, ('employment', 'education', 'non_western'))
    """
    top = result.most_severe()
    return None if top is None else exit_path(result, top.id, ACTION)


def unpublished_path(result: AreaResult) -> ExitPath | None:
    """How far the measured, not yet published figures must differ from the estimates to remove the
    most severe designation (None where it holds none, or nothing is unpublished)."""
    top = result.most_severe()
    if top is None or result.exit is None or result.exit.possible:
        return None
    involved = top.criteria_involved(result.version)
    if not any(result.criteria[c].state is not None and result.criteria[c].state.state == MEASURED for c in involved):
        return None
    return exit_path(result, top.id, UNPUBLISHED)
