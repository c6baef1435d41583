"""The cheapest way off a list, over the levers still open on the report's date.

The ministry locks its figure for each criterion at a fixed month before the list (the
vintage calendar): residents, the non-western share and crime in April, education in July,
income in October; the share outside the labour market stays open until December. A locked
criterion is no lever for this list. The cheapest way off is the smallest number of persons
whose changed status removes the area's most severe designation, flipping only open
criteria (or the population below the minimum, while residents are open).

An undecided criterion (unknown threshold, missing value) takes part: every way it may turn
out is tried, and the answer is the number that is enough in every case (``persons``), with
the number that is enough in the favourable case beside it (``persons_best``). When no open
lever can remove the designation on this list, the way for the following list (every
criterion open again) is given instead.
"""

from __future__ import annotations

from itertools import combinations, product

from .criteria import AreaResult, ExitPath, designation_values
from .lists import load_lists

POPULATION = "population"
MAX_UNDECIDED = 4  # 2^4 cases; more undecided criteria than that and the way off is not computed


def _levers(result: AreaResult, involved, met: dict, locked) -> list[tuple[int, str]]:
    """(persons, criterion) for every met, open criterion whose persons are known."""
    levers = []
    for cid in involved:
        c = result.criteria[cid]
        if met[cid] and c.criterion.indicator not in locked and c.persons is not None:
            levers.append((c.persons, cid))
    return sorted(levers)


def _population_lever(result: AreaResult, locked) -> int | None:
    if "residents" in locked or result.residents is None or not result.population_ok:
        return None
    return int(result.residents) - (result.version.population_min - 1)


def _cheapest(result: AreaResult, target: str, met: dict, locked, involved) -> tuple[int, tuple] | None:
    """The cheapest flip of levers that makes ``target`` false in one case of the undecided criteria."""
    values, _, _ = designation_values(result.version, met, result.population_ok, result.run, result.list)
    if values[target] is False:
        return 0, ()
    options = []
    population = _population_lever(result, locked)
    if population is not None:
        options.append((population, 1, (POPULATION,)))
    levers = _levers(result, involved, met, locked)
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


def exit_path(result: AreaResult, target: str, locked) -> ExitPath:
    """The cheapest way off ``target`` with ``locked`` indicators fixed."""
    designation = result.version.designations[target]
    involved = designation.criteria_involved(result.version)
    undecided = [cid for cid in involved if result.criteria[cid].met is None]
    base = {cid: c.met for cid, c in result.criteria.items()}
    locked_met = tuple(sorted((cid for cid in involved if base[cid] is not False
                               and result.criteria[cid].criterion.indicator in locked),
                              key=lambda cid: result.criteria[cid].criterion.order))
    if len(undecided) > MAX_UNDECIDED:
        return ExitPath(target, None, None, (), locked_met, False, tuple(undecided), result.list.id)
    outcomes = []
    for case in product((True, False), repeat=len(undecided)):
        met = dict(base, **dict(zip(undecided, case)))
        outcomes.append(_cheapest(result, target, met, locked, involved))
    feasible = [o for o in outcomes if o is not None]
    if len(feasible) == len(outcomes):
        persons, criteria = max(feasible, key=lambda o: (o[0], len(o[1])))
        best = min(o[0] for o in feasible)
        return ExitPath(target, persons, best, criteria, locked_met, True, tuple(undecided), result.list.id)
    best = min((o[0] for o in feasible), default=None)
    return ExitPath(target, None, best, (), locked_met, False, tuple(undecided), result.list.id)


def cheapest_exit(result: AreaResult) -> tuple[ExitPath | None, ExitPath | None]:
    """The way off the most severe designation on this list, and, if none is open, on the next.

    >>> from boligdata.criteria import evaluate_area
    >>> row = {"area": "A", "residents": 1500, "non_western_pct": 60, "outside_labour_market_pct": 45,
    ...        "convicted_pct": 1.0, "primary_school_only_pct": 61, "income_pct_of_region": 70,
    ...        "pop_18_64": 1000, "pop_18plus": 1200, "pop_30_59": 600}
    >>> r = evaluate_area(row, 2020, locked={"primary_school_only_pct", "non_western_pct", "residents"})
    >>> r.exit.persons, r.exit.criteria, r.exit.locked  # 450 of 1000 against "> 40 %": 50 fewer give 400, not above
    (50, ('employment',), ('education', 'non_western'))
    """
    top = result.most_severe()
    if top is None:
        return None, None
    now = exit_path(result, top.id, result.locked)
    if now.possible:
        return now, None
    following = next((item for item in load_lists() if item.known_by > result.list.known_by), None)
    later = exit_path(result, top.id, frozenset())
    if following is not None:
        later.list_id = following.id
    return now, later
