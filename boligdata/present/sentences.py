"""One-sentence Danish explanations of criteria results and the cheapest way off a list."""

from __future__ import annotations

from ..criteria import AreaResult, CriterionResult
from .numbers_da import count_da, number_da, persons_da

# The criterion's name in a Danish sentence, and what a change of one person means.
NAME_DA = {
    "outside_labour_market_pct": "beskæftigelseskriteriet",
    "convicted_pct": "kriminalitetskriteriet",
    "primary_school_only_pct": "uddannelseskriteriet",
    "income_pct_of_region": "indkomstkriteriet",
    "non_western_pct": "kriteriet om ikke-vestlig herkomst",
}
CHANGE_DA = {
    "outside_labour_market_pct": "antallet af 18-64-årige uden for arbejdsmarked og uddannelse falder med {n}",
    "convicted_pct": "antallet af dømte beboere på 18 år og derover falder med {n}",
    "primary_school_only_pct": "antallet af 30-59-årige med alene grundskoleuddannelse falder med {n}",
    "non_western_pct": "antallet af indvandrere og efterkommere fra ikke-vestlige lande falder med {n} ved uændret beboertal",
}


def criterion_sentence(area: str, result: CriterionResult) -> str | None:
    """"Solbakken overskrider uddannelseskriteriet med 7 personer", or how far from meeting it.

    >>> from decimal import Decimal
    >>> from boligdata.rules import version_for_year
    >>> c = version_for_year(2020).criteria["education"]
    >>> r = CriterionResult(c, Decimal("61.4"), Decimal(60), None, True, Decimal("1.4"), 7)
    >>> criterion_sentence("Solbakken", r)
    'Solbakken overskrider uddannelseskriteriet med 7 personer.'
    """
    name = NAME_DA[result.criterion.indicator]
    if result.met is None:
        return f"{area}: {name} kan ikke afgøres ({'tærsklen mangler' if result.threshold is None else 'tallet mangler'})."
    if result.persons is None:
        points = number_da(abs(result.distance_pp), 1)
        unit = "procentpoint af regionens gennemsnit" if result.criterion.indicator == "income_pct_of_region" else "procentpoint"
        verb = "overskrider" if result.met else "er"
        tail = f"med {points} {unit}" if result.met else f"{points} {unit} fra {name}"
        return f"{area} {verb} {name} {tail}." if result.met else f"{area} {verb} {tail}."
    if result.met:
        return f"{area} overskrider {name} med {persons_da(result.persons)}."
    return f"{area} er {persons_da(result.persons)} fra at opfylde {name}."


def exit_sentence(result: AreaResult) -> str | None:
    """The cheapest way off the most severe list, in one Danish sentence.

    Persons are counted per criterion, as if different persons change status for
    each criterion (one person can at most count in several, so this is an upper bound).
    """
    if not result.exit:
        return None
    label = result.version.designations[result.exit["designation"]].label_da.lower()
    if result.exit["persons"] is None:
        return (f"{result.name} er {label}; vejen af listen kan ikke opgøres i personer, "
                f"fordi antallet af beboere bag andelene mangler.")
    parts = []
    for cid in result.exit["criteria"]:
        if cid == "population":
            moving = result.exit["persons"] if len(result.exit["criteria"]) == 1 else None
            parts.append(f"beboertallet falder med {count_da(moving)} til under "
                         f"{number_da(result.version.population_min)}")
            continue
        criterion = result.criteria[cid]
        parts.append(CHANGE_DA[criterion.criterion.indicator].format(n=count_da(criterion.persons)))
    total = persons_da(result.exit["persons"])
    return (f"{result.name} er ikke længere {label}, hvis {' og '.join(parts)} "
            f"(i alt {total}).")
