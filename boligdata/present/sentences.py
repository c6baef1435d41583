"""One-sentence Danish explanations of criteria results and the cheapest way off a list.

The words come from rules.yaml (``vocabulary``): a criterion's name, and how it is left
("antallet af ... falder med {n}"). A distance in persons is the number of persons whose
changed status moves the area over or under a threshold; it is not the size of a group.
"""

from __future__ import annotations

from ..criteria import CriterionResult
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


def falls_da(criterion, amount: str | None) -> str:
    """"antallet af dømte ... falder med 1"; without an amount, just "falder".

    >>> from boligdata.rules import version_by_id
    >>> falls_da(version_by_id("2018").criteria["crime"], "1")
    'antallet af dømte beboere på 18 år og derover falder med 1'
    """
    text = criterion.change_da + (f" med {amount}" if amount is not None else "")
    return text + (f" {criterion.change_condition_da}" if criterion.change_condition_da else "")


def threshold_da(criterion, threshold) -> str:
    """A threshold as the law states it: "> 40 %", "≥ 2,27 %"; unknown where it is not given."""
    if threshold is None:
        return f"≥ {criterion.national_average_multiple} × landsgennemsnittet (ikke kendt)"
    operator = {">": ">", ">=": "≥", "<": "<"}[criterion.operator]
    decimals = 0 if threshold == int(threshold) else criterion.decimals
    return f"{operator} {pct_da(threshold, decimals)}"
