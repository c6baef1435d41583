"""One-sentence Danish explanations of criteria results and the cheapest way off a list.

The words come from rules.yaml (``vocabulary``): a criterion's name, and how it is left
("antallet af ... falder med {n}"). A distance in persons is the number of persons whose
changed status moves the area over or under a threshold; it is not the size of a group.
"""

from __future__ import annotations

from ..criteria import AreaResult, CriterionResult, ExitPath
from ..lists import get_list
from ..vintages import calendar
from .disclosure import AreaView, active
from .marks import mark
from .numbers_da import number_da, pct_da
from .undecided import criterion_reason_da


def persons_text(n: int, key=None) -> str:
    """"1 person", "17 personer" (the number marked with ``key``, where given).

    >>> persons_text(1), persons_text(17)
    ('1 person', '17 personer')
    """
    number = mark(key, number_da(n)) if key else number_da(n)
    return f"{number} person" if n == 1 else f"{number} personer"


def join_da(items) -> str:
    """"a", "a og b", "a, b og c".

    >>> join_da(["a"]), join_da(["a", "b", "c"])
    ('a', 'a, b og c')
    """
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " og " + items[-1] if items else ""


def hidden_amount(persons) -> str | None:
    """A hidden number of persons in words that stay true: "et mindre antal personer" when it is
    below the policy's smallest publishable group (a group too small to show has fewer), else
    None (leave the number out).

    >>> hidden_amount(3), hidden_amount(116)
    ('et mindre antal personer', None)
    """
    policy = active()
    return f"{policy.labels['amount_da']} personer" if persons is not None and persons < policy.min_group else None


def criterion_sentence(area: str, result: CriterionResult, view: AreaView | None = None) -> str:
    """"Solbakken overskrider uddannelseskriteriet med 7 personer", or how far from meeting it.

    ``view`` says whether the criterion's share may be published (if not, neither may the
    distance) and marks the numbers with what they are.

    >>> from decimal import Decimal
    >>> from boligdata.rules import version_by_id
    >>> c = version_by_id("2018").criteria["education"]
    >>> from boligdata.present.marks import plain
    >>> plain(criterion_sentence("Solbakken", CriterionResult(c, Decimal("61.4"), Decimal(60), None, True, Decimal("1.4"), 7)))
    'Solbakken overskrider uddannelseskriteriet med 7 personer.'
    >>> plain(criterion_sentence("Solbakken", CriterionResult(c, Decimal("59.0"), Decimal(60), None, False, Decimal("-1.0"), None)))
    'Solbakken er 1,0 procentpoint fra at opfylde uddannelseskriteriet.'
    """
    name = result.criterion.name_da
    view = view or AreaView.open(area)
    cid = result.criterion.id
    if result.met is None:
        return f"{area}: {name} kan ikke afgøres. {criterion_reason_da(result)}"
    if view.hidden(cid):
        amount = hidden_amount(result.persons)
        if amount is None:
            return f"{area} opfylder {name}." if result.met else f"{area} opfylder ikke {name}."
    elif result.persons is not None:
        amount = persons_text(result.persons, ("persons", view.area, cid))
    else:
        unit = ("procentpoint af regionens gennemsnit" if result.criterion.indicator == "income_pct_of_region"
                else "procentpoint")
        amount = f"{mark(('distance', view.area, cid), number_da(abs(result.distance_pp), result.criterion.decimals))} {unit}"
    if result.met:
        return f"{area} overskrider {name} med {amount}." if result.criterion.operator != "<" else \
            f"{area} opfylder {name} med {amount}."
    return f"{area} er {amount} fra at opfylde {name}."


def _lock_months(result: AreaResult, ids) -> str:
    months = []
    for cid in ids:
        entry = calendar()["criteria"].get(result.criteria[cid].criterion.indicator)
        if entry:
            months.append(entry["label_da"].split(" ")[0])
    return join_da(list(dict.fromkeys(months)))


def _falls(criterion, amount: str | None) -> str:
    """"antallet af dømte ... falder med 1"; without an amount, just "falder".

    >>> from boligdata.rules import version_by_id
    >>> _falls(version_by_id("2018").criteria["crime"], "1")
    'antallet af dømte beboere på 18 år og derover falder med 1'
    """
    text = criterion.change_da + (f" med {amount}" if amount is not None else "")
    return text + (f" {criterion.change_condition_da}" if criterion.change_condition_da else "")


def _way(result: AreaResult, path: ExitPath, view: AreaView) -> str:
    """"antallet af ... falder med 17 (i alt 17 personer)"; a hidden number is left out, with the total."""
    parts = []
    hidden = any(view.hidden(cid) for cid in path.criteria if cid != "population")
    for cid in path.criteria:
        if cid == "population":
            moving = path.persons if len(path.criteria) == 1 else None
            count = f" med {mark(('population-lever', view.area), number_da(moving))}" if moving is not None else ""
            parts.append(f"beboertallet falder{count} til under {number_da(result.version.population_min)}")
            continue
        c = result.criteria[cid]
        amount = hidden_amount(c.persons) if view.hidden(cid) else mark(("persons", view.area, cid), number_da(c.persons))
        parts.append(_falls(c.criterion, amount))
    if hidden:  # the total would give the hidden number back
        return join_da(parts)
    key = ("exit-total", view.area, path.list_id)
    if path.undecided and path.persons_best is not None and path.persons_best < path.persons:
        names = join_da([result.criteria[c].criterion.name_da for c in path.undecided])
        return (f"{join_da(parts)} (i alt højst {persons_text(path.persons, key)}, hvis {names} er opfyldt; "
                f"{persons_text(path.persons_best, key + ('best',))}, hvis ikke)")
    if len(parts) == 1:  # one lever: its number is the total
        return parts[0]
    return f"{join_da(parts)} (i alt {persons_text(path.persons, key)})"


def threshold_da(criterion, threshold) -> str:
    """A threshold as the law states it: "> 40 %", "≥ 2,27 %"; unknown where it is not given."""
    if threshold is None:
        return f"≥ {criterion.national_average_multiple} × landsgennemsnittet (ikke kendt)"
    operator = {">": ">", ">=": "≥", "<": "<"}[criterion.operator]
    decimals = 0 if threshold == int(threshold) else criterion.decimals
    return f"{operator} {pct_da(threshold, decimals)}"


def _later_caveat(result: AreaResult, later: ExitPath) -> str:
    """What the way for the following list assumes: this list's yearly thresholds and rules.

    A threshold set from the national average (crime) is fixed anew for every list, and the
    following list may be under other rules; the way is computed with what is known now.
    """
    following = get_list(later.list_id)
    yearly = [result.criteria[c] for c in later.criteria if c != "population"
              and result.criteria[c].criterion.national_average_multiple and result.criteria[c].threshold is not None]
    text = ""
    if yearly:
        # No line break inside "≥ 2,27 %" (no-break spaces).
        names = join_da([f"{c.criterion.name_da} ({threshold_da(c.criterion, c.threshold).replace(' ', chr(160))})"
                         for c in yearly])
        text += (f" Den er regnet med grænsen for listen {result.list.label_da} for {names}; grænsen fastsættes på "
                 f"ny til listen {following.label_da}.")
    if following.rules != result.list.rules:
        text += f" Listen {following.label_da} følger nye regler (reglerne fra {following.version.id})."
    return text


def exit_sentence(result: AreaResult, view: AreaView | None = None) -> str | None:
    """The cheapest way off the most severe designation, through the levers still open, in Danish.

    Persons are counted per criterion, as if different persons change status for each
    criterion (one person can count in several, so the total is an upper bound). ``view`` says
    which criteria's shares may not be published: their numbers are then left out, and the total.
    """
    view = view or AreaView.open(result.area)
    path = result.exit
    if path is None:
        return None
    designation = result.version.designations[path.designation]
    label = designation.label_da.lower()
    list_da = get_list(path.list_id).label_da
    locked = ""
    if path.locked:
        names = join_da([result.criteria[c].criterion.name_da for c in path.locked])
        figures = "Tallene" if len(path.locked) > 1 else "Tallet"
        locked = (f" {figures} for {names} er låst af ministeriet (siden {_lock_months(result, path.locked)}) og kan "
                  f"ikke ændre listen {list_da}.")
    if path.possible:
        return (f"{result.name} er ikke længere {label} på listen {list_da}, hvis {_way(result, path, view)}.{locked}")
    text = f"Ingen af de tal, der stadig er åbne, kan fjerne {result.name} fra listen {list_da}.{locked}"
    later = result.exit_next
    if later is not None and later.possible:
        text += (f" Til listen {get_list(later.list_id).label_da} er den korteste vej med de nuværende tal, at "
                 f"{_way(result, later, view)}.{_later_caveat(result, later)}")
    elif path.undecided:
        names = join_da([result.criteria[c].criterion.name_da for c in path.undecided])
        text += f" Vejen af listen kan ikke opgøres, fordi {names} ikke kan afgøres."
    else:
        text += " Vejen af listen kan ikke opgøres i personer, fordi antallet af beboere bag andelene mangler."
    return text
