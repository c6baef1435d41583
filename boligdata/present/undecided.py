"""What cannot be decided, in Danish for a committee: the missing figure and where it comes from.

Never an exception text, a code or a command-line flag: the command line has its own English
lines (``criteria.undecided_notes``).
"""

from __future__ import annotations

from ..catalog import indicator as catalog_entry
from ..criteria import AreaResult, CriterionResult
from ..lists import get_list
from .numbers_da import pct_da


def criterion_reason_da(result: CriterionResult, list_label_da: str = "") -> str:
    """Why one criterion is undecided, and what would decide it.

    >>> from boligdata.rules import version_by_id
    >>> c = version_by_id("2021").criteria["crime"]
    >>> criterion_reason_da(CriterionResult(c, None, None, None, None, None, None, reason_code="no_threshold"),
    ...                     "1. december 2024")  # doctest: +ELLIPSIS
    'Kriminalitetsgrænsen for listen 1. december 2024 kendes ikke: ...'
    """
    name = result.criterion.column_da.lower()
    if result.reason_code == "no_threshold":
        target = f"listen {list_label_da}" if list_label_da else "listen"
        return (f"Kriminalitetsgrænsen for {target} kendes ikke: landsgennemsnittet for andelen dømte blandt "
                f"beboere på 18 år og derover er ikke fundet i offentliggjorte kilder. Social- og "
                f"Boligministeriet opgør det til listen; når det kendes, kan det tilføjes i arbejdsmappens "
                f"fil med landsgennemsnit.")
    if result.reason_code == "threshold_interval" and result.threshold_detail is not None:
        detail = result.threshold_detail
        return (f"Værdien {pct_da(result.value, 2)} ligger inden for afrundingen af den beregnede grænse "
                f"(mellem {pct_da(detail.low, 4)} og {pct_da(detail.high, 4)}), fordi grænsen kun kendes som "
                f"{detail.figure.multiple} × landsgennemsnittet = {pct_da(detail.figure.value, 2)}.")
    source = catalog_entry(result.criterion.indicator)["source"]
    return f"Tallet for {name} mangler (det opgøres af {source})."


def designation_reasons_da(result: AreaResult) -> list[str]:
    """Per undecided designation more severe than the one held: what is missing, in Danish."""
    texts = []
    list_da = result.list.label_da
    for designation in result.undecided_designations():
        label = designation.label_da.lower()
        bases = [b for b in designation.consecutive_years_of if b in result.designations]
        if bases and all(result.designations[b] is True for b in bases):
            needed = designation.years_required(result.list.year)
            first = result.run.first_covered if result.run else None
            if first:
                texts.append(f"{result.name}: om området er {label} på listen {list_da}, kan ikke afgøres, fordi "
                             f"listehistorikken før {get_list(first).label_da} mangler; det kræver {needed} år i "
                             f"træk på listen, og området har været på listen i mindst {result.years_on_list} år.")
            else:
                texts.append(f"{result.name}: om området er {label} på listen {list_da}, kan ikke afgøres, fordi "
                             f"listehistorikken ikke er indlæst; det kræver {needed} år i træk på listen.")
            continue
        involved = designation.criteria_involved(result.version)
        reasons = [criterion_reason_da(result.criteria[c], list_da) for c in involved if result.criteria[c].met is None]
        if result.population_ok is None:
            reasons.append("Antallet af beboere mangler.")
        texts.append(f"{result.name}: om området er {label} på listen {list_da}, kan ikke afgøres. "
                     + " ".join(dict.fromkeys(reasons)))
    return texts
