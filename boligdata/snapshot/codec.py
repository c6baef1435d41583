"""The engine's results kept exactly on disk: an ``AreaResult`` to plain JSON and back.

Decimals are kept as text, fractions as "n/d", dates as ISO text; a criterion, designation or
window is named by its id and found again in the result's rule version. The following list's
result nests inside the coming one's. Nothing Danish is stored: the reports make the prose.

>>> import datetime as dt
>>> from boligdata.criteria import evaluate_area
>>> r = evaluate_area({"area": "A", "residents": 1302, "non_western_pct": 53.9, "outside_labour_market_pct": 37.9,
...     "convicted_pct": 2.30, "primary_school_only_pct": 61.4, "income_pct_of_region": 56.0}, 2020,
...     as_of=dt.date(2020, 9, 30))
>>> back = decode(json.loads(json.dumps(encode(r))))
>>> back.designations == r.designations and back.following.designations == r.following.designations
True
>>> back == r
True
"""

from __future__ import annotations

import datetime as dt
import json  # noqa: F401  (the doctest above)
from decimal import Decimal
from fractions import Fraction

from ..crime import CrimeFigure, Threshold
from ..criteria import AreaResult, CriterionResult, ExitPath
from ..history import Run
from ..lists import get_list
from ..rules import version_by_id
from ..windows import CriterionState


def _dec(value):
    return None if value is None else format(value, "f")


def _undec(text):
    return None if text is None else Decimal(text)


def _day(value):
    return None if value is None else value.isoformat()


def _unday(text):
    return None if text is None else dt.date.fromisoformat(text)


def _state(state: CriterionState | None):
    if state is None:
        return None
    return [state.state, _day(state.start), _day(state.end), _day(state.published),
            f"{state.open_share.numerator}/{state.open_share.denominator}"]


def _unstate(item, window) -> CriterionState | None:
    if item is None:
        return None
    state, start, end, published, share = item
    return CriterionState(state, window, _unday(start), _unday(end), _unday(published), Fraction(share))


def _figure(f: CrimeFigure | None):
    if f is None:
        return None
    return {"list_id": f.list_id, "value": _dec(f.value), "multiple": f.multiple, "decimals": f.decimals,
            "source": f.source, "evidence": f.evidence, "quote": f.quote, "used": f.used, "note": f.note,
            "evidence_da": f.evidence_da, "known_from": _day(f.known_from), "grade": f.grade,
            "replaces": _figure(f.replaces)}


def _unfigure(d) -> CrimeFigure | None:
    if d is None:
        return None
    return CrimeFigure(d["list_id"], _undec(d["value"]), d["multiple"], d["decimals"], d["source"], d["evidence"],
                       d["quote"], d["used"], d["note"], d["evidence_da"], _unday(d["known_from"]), d["grade"],
                       _unfigure(d["replaces"]))


def _threshold(t: Threshold | None):
    if t is None:
        return None
    return {"value": _dec(t.value), "low": _dec(t.low), "high": _dec(t.high), "multiple": t.multiple,
            "figure": _figure(t.figure), "alternatives": [_dec(a) for a in t.alternatives]}


def _unthreshold(d):
    if d is None:
        return None
    return Threshold(_undec(d["value"]), _undec(d["low"]), _undec(d["high"]), d["multiple"], _unfigure(d["figure"]),
                     tuple(_undec(a) for a in d["alternatives"]))


def _criterion(c: CriterionResult) -> dict:
    return {"value": _dec(c.value), "threshold": _dec(c.threshold), "threshold_source": c.threshold_source,
            "met": c.met, "distance_pp": _dec(c.distance_pp), "persons": c.persons, "reason": c.reason,
            "denominator": _dec(c.denominator), "reason_code": c.reason_code,
            "threshold_detail": _threshold(c.threshold_detail), "depends_on_choice": c.depends_on_choice,
            "state": _state(c.state)}


def _uncriterion(criterion, d: dict) -> CriterionResult:
    return CriterionResult(criterion, _undec(d["value"]), _undec(d["threshold"]), d["threshold_source"], d["met"],
                           _undec(d["distance_pp"]), d["persons"], d["reason"], _undec(d["denominator"]),
                           d["reason_code"], _unthreshold(d["threshold_detail"]), d["depends_on_choice"],
                           _unstate(d["state"], criterion.window))


def _path(p: ExitPath | None):
    if p is None:
        return None
    return {"designation": p.designation, "persons": p.persons, "persons_best": p.persons_best,
            "criteria": list(p.criteria), "fixed": list(p.fixed), "possible": p.possible,
            "undecided": list(p.undecided), "list_id": p.list_id, "kind": p.kind}


def _unpath(d):
    if d is None:
        return None
    return ExitPath(d["designation"], d["persons"], d["persons_best"], tuple(d["criteria"]), tuple(d["fixed"]),
                    d["possible"], tuple(d["undecided"]), d["list_id"], d["kind"])


def encode(r: AreaResult) -> dict:
    """One result as plain JSON-able data (the following list's result inside it)."""
    run = r.run
    return {
        "area": r.area, "name": r.name, "list": r.list.id, "version": r.version.id, "residents": _dec(r.residents),
        "population_ok": r.population_ok, "criteria": {cid: _criterion(c) for cid, c in r.criteria.items()},
        "designations": r.designations, "statute": r.statute, "years_on_list": r.years_on_list,
        "years_open": r.years_open,
        "run": None if run is None else [run.years, run.open_ended, run.first_covered, run.last_year],
        "exit": _path(r.exit), "unpublished": _path(r.unpublished), "notes": r.notes, "as_of": _day(r.as_of),
        "population_state": _state(r.population_state), "crime_list": r.crime_list,
        "choice_changes": [[_dec(value), list(ids)] for value, ids in r.choice_changes],
        "following": None if r.following is None else encode(r.following),
    }


def decode(d: dict) -> AreaResult:
    """The result ``encode`` gave, exactly."""
    version = version_by_id(d["version"])
    run = d["run"]
    result = AreaResult(
        d["area"], get_list(d["list"]), version, _undec(d["residents"]), d["population_ok"],
        criteria={cid: _uncriterion(version.criteria[cid], c) for cid, c in d["criteria"].items()},
        designations=dict(d["designations"]), years_on_list=d["years_on_list"], years_open=d["years_open"],
        run=None if run is None else Run(*run), exit=_unpath(d["exit"]), unpublished=_unpath(d["unpublished"]),
        following=None if d["following"] is None else decode(d["following"]), notes=list(d["notes"]),
        name=d["name"], statute=dict(d["statute"]), as_of=_unday(d["as_of"]),
        population_state=_unstate(d["population_state"], version.population_window), crime_list=d["crime_list"],
        choice_changes=tuple((_undec(value), tuple(ids)) for value, ids in d["choice_changes"]),
    )
    return result
