"""The list calendar in Danish for a committee: what is settled, what is still uncertain, what can
still be changed and for which list, and what a designation brings.

One model (``windows.py``: movable, measured, published) behind every sentence:

- the way off the coming list goes only through criteria that can still move;
- a measured figure the ministry has not published yet is uncertainty ("ministeriets tal skal
  ligge mindst 1,0 procentpoint – ca. 16 personer – under kommunens skøn"), never an action;
- where nothing can move, the status is settled, and the way for the following list is given in
  the persons who must change in the still-open part of its windows, under its rules as known
  on the report's date (``enacted.py``);
- what the designation brings, and what stays after the area leaves the list (``rules.yaml``).
"""

from __future__ import annotations

from ..criteria import AreaResult, ExitPath
from ..enacted import pending_law
from ..hard import first_hard_list
from ..lists import MONTHS_DA, get_list
from ..windows import MEASURED
from .dates import long_date_da
from .disclosure import AreaView
from .marks import mark
from .numbers_da import number_da, pct_da
from .sentences import falls_da, hidden_amount, join_da, persons_text, threshold_da

BASIS_DA = {"estimate": "kommunens skøn", "provisional": "det foreløbige tal", "synthetic": "det syntetiske tal",
            "final": "tallet"}


def _open_part_da(c, list_year: int) -> str:
    """Where the window is partly over: " i resten af måleperioden (gennemsnittet af 2019 og 2020; 13 % af
    tallet er endnu ikke målt)"."""
    state = c.state
    if state is None or state.open_share >= 1:
        return ""
    share = round(100 * state.open_share.numerator / state.open_share.denominator)
    return (f" i resten af måleperioden ({state.window.label_da(list_year)}; "
            f"{share} % af tallet er endnu ikke målt)") if state.window.years else ""


def way_da(result: AreaResult, path: ExitPath, view: AreaView) -> str:
    """The way off in Danish: "antallet af ... falder med 128 i resten af måleperioden (...)"; a hidden
    number is left out, and the total.

    Persons are counted per criterion, as if different persons change status for each (one person
    can count in several, so the total is an upper bound).
    """
    parts = []
    hidden = any(view.hidden(cid) for cid in path.criteria if cid != "population")
    for cid in path.criteria:
        if cid == "population":
            moving = path.persons if len(path.criteria) == 1 else None
            count = f" med {mark(('population-lever', view.area), number_da(moving))}" if moving is not None else ""
            parts.append(f"beboertallet falder{count} til under {number_da(result.version.population_min)}")
            continue
        c = result.criteria[cid]
        if view.hidden(cid):
            amount = hidden_amount(c.persons_open)
        elif c.state is not None and c.state.open_share < 1:
            amount = mark(("persons-open", view.area, cid, result.list.id), number_da(c.persons_open))
        else:
            amount = mark(("persons", view.area, cid), number_da(c.persons))
        parts.append(falls_da(c.criterion, amount) + ("" if view.hidden(cid) else _open_part_da(c, result.list.year)))
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


def _fixed_da(result: AreaResult, ids) -> str:
    """The note that met criteria are already measured: " Tallene for A og B er allerede målt ..."."""
    if not ids:
        return ""
    names = join_da([result.criteria[c].criterion.name_da for c in ids])
    figures = "Tallene" if len(ids) > 1 else "Tallet"
    return f" {figures} for {names} er allerede målt og kan ikke ændre listen {result.list.label_da}."


def _published_in(c) -> str:
    when = c.state.published if c.state is not None else None
    return f"offentliggøres i {MONTHS_DA[when.month - 1]}" if when is not None else "er endnu ikke offentliggjort"


def _uncertainty_da(result: AreaResult, cid: str, view: AreaView, basis: dict) -> str:
    """How far the ministry's unpublished figure must be from the estimate: "ministeriets tal for
    beskæftigelseskriteriet (offentliggøres i december) skal ligge mindst 1,0 procentpoint – ca. 16
    personer – under kommunens skøn (41,0 %)"."""
    if cid == "population":
        return (f"ministeriets beboertal skal være under {number_da(result.version.population_min)} "
                f"(ikke {number_da(result.residents)})")
    c = result.criteria[cid]
    source = BASIS_DA.get(basis.get(c.criterion.indicator), "skønnet")
    side = "under" if c.criterion.operator in (">", ">=") else "over"
    head = f"ministeriets tal for {c.criterion.name_da} ({_published_in(c)}) ligger"
    if view.hidden(cid):
        return f"{head} {side} grænsen ({threshold_da(c.criterion, c.threshold)})"
    how = "mindst" if c.criterion.operator == ">" else "mere end"
    points = mark(("distance", view.area, cid), number_da(abs(c.distance_pp), c.criterion.decimals))
    persons = f" – ca. {persons_text(c.persons, ('persons', view.area, cid))} –" if c.persons is not None else ""
    value = mark(view.key(cid), pct_da(c.value, c.criterion.decimals))
    return f"{head} {how} {points} procentpoint{persons} {side} {source} ({value})"


def settled_da(result: AreaResult, view: AreaView, basis: dict | None = None) -> str:
    """The coming list where nothing can move any more: settled, and what the unpublished figures
    would have to show to change it."""
    top = result.most_severe()
    label = top.label_da.lower()
    list_da = result.list.label_da
    text = (f"Status på listen {list_da} er afgjort af tal, der allerede er målt: {result.name} ventes som {label}.")
    path = result.unpublished
    if path is not None and path.possible:
        ways = [_uncertainty_da(result, cid, view, basis or {}) for cid in path.criteria]
        text += " Det ændrer sig kun, hvis " + " og ".join(ways) + "."
    elif path is not None:
        names = join_da([result.criteria[c].criterion.name_da for c in top.criteria_involved(result.version)
                         if result.criteria[c].state is not None and result.criteria[c].state.state == MEASURED])
        text += f" Heller ikke ministeriets endnu ikke offentliggjorte tal for {names} kan ændre det."
    else:
        text += " Ministeriet har offentliggjort alle de tal, det afhænger af."
    return text


def _rules_da(following: AreaResult, coming: AreaResult) -> str:
    """Which law the following list is computed under, as known on the date."""
    on = long_date_da(coming.as_of) if coming.as_of else None
    law = following.version.source["law"].split(" (")[0]
    text = f" efter reglerne, som de gælder {on} ({law})" if on else ""
    pending = pending_law(following.list, coming.as_of)
    if pending is not None:
        step = "en politisk aftale" if pending.step == "agreement" else "et lovforslag"
        text += (f"; {step} fra {long_date_da(pending.date)} vil ændre reglerne, men er ikke lov på denne dato, så "
                 f"rapporten bruger det ikke")
    return text


def _stand_in_da(following: AreaResult, path: ExitPath) -> str:
    """What the way for the following list assumes: the coming list's crime threshold."""
    if not following.crime_list or following.crime_list == following.list.id:
        return ""
    yearly = [following.criteria[c] for c in path.criteria if c != "population"
              and following.criteria[c].criterion.national_average_multiple and following.criteria[c].threshold is not None]
    if not yearly:
        return ""
    names = join_da([f"{c.criterion.name_da} ({threshold_da(c.criterion, c.threshold).replace(' ', chr(160))})"
                     for c in yearly])
    return (f" Den er regnet med grænsen for listen {get_list(following.crime_list).label_da} for {names}; grænsen "
            f"fastsættes på ny til listen {following.list.label_da}.")


def following_da(result: AreaResult, view: AreaView) -> str:
    """The following list with the current figures: the designation expected, and the way off it
    in persons who must change in the still-open part of the windows."""
    later = result.following
    if later is None:
        return ""
    list_da = later.list.label_da
    top = later.most_severe()
    rules = _rules_da(later, result)
    if top is None:
        return f"Med de nuværende tal ventes {result.name} ikke på listen {list_da}{rules}."
    years = ""
    if top.consecutive_years_of and later.years_on_list:
        years = f" ({'mindst ' if later.years_open else ''}{later.years_on_list} år i træk på listen)"
    text = f"Med de nuværende tal ventes {result.name} på listen {list_da} som {later.designation_label().lower()}{years}{rules}."
    path = later.exit
    if path is None:
        return text
    if path.possible:
        text += f" Den korteste vej af listen {list_da} er, at {way_da(later, path, view)}.{_stand_in_da(later, path)}"
    elif path.undecided:
        names = join_da([later.criteria[c].criterion.name_da for c in path.undecided])
        text += f" Vejen af listen {list_da} kan ikke opgøres, fordi {names} ikke kan afgøres."
    else:
        text += (f" Vejen af listen {list_da} kan ikke opgøres i personer, fordi antallet af beboere bag andelene "
                 f"mangler.")
    return text


def stays_da(result: AreaResult) -> list[str]:
    """What still applies after the area leaves the list, for the designations it holds (rules.yaml)."""
    held = [result.version.designations[d] for d, v in result.designations.items() if v]
    return list(dict.fromkeys(c.stays_da for d in held for c in d.consequences if c.stays_da))


def exit_sentence(result: AreaResult, view: AreaView | None = None, basis: dict | None = None,
                  stays: bool = True) -> str | None:
    """The coming list and the following one for an area that holds a designation, in Danish.

    ``view`` says which criteria's shares may not be published: their numbers are then left out;
    ``basis`` gives each indicator's figure status (estimate, provisional, ...) for the wording;
    ``stays`` adds what still applies after the area leaves the list (a report that lists the
    designation's consequences beside the sentence says it there instead, once).
    """
    view = view or AreaView.open(result.area)
    path = result.exit
    if path is None:
        return None
    label = result.version.designations[path.designation].label_da.lower()
    if path.possible:
        text = (f"{result.name} er ikke længere {label} på listen {result.list.label_da}, hvis "
                f"{way_da(result, path, view)}.{_fixed_da(result, path.fixed)}")
    else:
        text = settled_da(result, view, basis)
    following = following_da(result, view)
    if following:
        text += " " + following
    remains = stays_da(result) if stays else []
    if remains and result.following is not None:
        text += (f" Som {label} på listen {result.list.label_da}: "
                 + "; ".join(s[0].lower() + s[1:] for s in remains) + ".")
    return text


def first_hard_da(result: AreaResult) -> str | None:
    """When the area can first become hard: "Korsløkkeparken Øst kan tidligst blive hårdt ghettoområde på
    listen 1. december 2021, hvis ..."."""
    found = first_hard_list(result)
    if found is None:
        return None
    designation = found.designation
    rule = ""
    if designation.transition and found.needed != max((y for _, y, _ in designation.transition), default=found.needed):
        first, last = min(designation.transition[0][0]), max(designation.transition[0][0])
        rule = (f"; overgangsreglen for listerne {first}-{last} krævede {designation.transition[0][1]} år, og den "
                f"gælder ikke for denne liste")
    return (f"{result.name} kan tidligst blive {designation.label_da.lower()} på listen {found.list.label_da}, hvis "
            f"området er på listen hvert år indtil da: det kræver {found.needed} år i træk på listen{rule}.")


def carried_over(result: AreaResult, history) -> list[tuple]:
    """What still applies from the area's last published list although the coming list does not
    give it that designation: (list, designation, consequence) for each consequence with a
    ``stays_da`` (rules.yaml), e.g. the udviklingsplan of a former omdannelsesområde."""
    if history is None:
        return []
    rows = history.designations_on(result.area)
    from ..lists import get_list

    earlier = [r for r in rows.itertuples() if get_list(r.list_id).known_by < result.list.known_by]
    if not earlier:
        return []
    last = max(earlier, key=lambda r: get_list(r.list_id).known_by).list_id
    listed = get_list(last)
    found = []
    for row in (r for r in earlier if r.list_id == last):
        designation = listed.version.designations.get(row.designation)
        if designation is None or result.designations.get(row.designation):
            continue
        found += [(listed, designation, c) for c in designation.consequences if c.stays_da]
    return found


def last_listed(result: AreaResult, history) -> str | None:
    """The Danish name of the last published list before the coming one on which the area held a
    designation of the list itself (ghetto/parallelsamfund or its hard form), or None."""
    if history is None:
        return None
    from ..lists import get_list

    found = None
    for row in history.designations_on(result.area).itertuples():
        listed = get_list(row.list_id)
        designation = listed.version.designations.get(row.designation)
        if designation is not None and designation.list and listed.known_by < result.list.known_by:
            found = listed if found is None or listed.known_by > found.known_by else found
    return found.label_da if found else None


def consequences_da(result: AreaResult, history=None) -> list[str]:
    """What the designations the area holds on the coming list bring, each with its paragraph; and,
    with the list ``history``, what still applies from its last list (``carried_over``), in place
    of what the coming designation says of the same paragraph (a former omdannelsesområde keeps its
    udviklingsplan, § 168 a, whatever "forebyggelsesområde" alone would mean)."""
    carried = carried_over(result, history)
    kept = {c.paragraph for _, _, c in carried}
    held = sorted((result.version.designations[d] for d, v in result.designations.items() if v),
                  key=lambda d: -d.severity)
    items = [f"Fra listen {listed.label_da}, hvor området var {designation.label_da.lower()}: {c.stays_da} "
             f"({c.paragraph})." for listed, designation, c in carried]
    for designation in held:
        for c in designation.consequences:
            if c.paragraph in kept:
                continue
            stays = f" {c.stays_da}." if c.stays_da else ""
            items.append(f"{designation.label_da}: {c.text_da} ({c.paragraph}).{stays}")
    return list(dict.fromkeys(items))


def state_da(state) -> str:
    """A criterion's state on the report's date, in Danish: "kan stadig ændres (13 % af tallet)",
    "målt; offentliggøres i december", "offentliggjort i april"."""
    if state.state == "movable":
        if state.open_share >= 1:
            return "kan stadig ændres"
        share = round(100 * state.open_share.numerator / state.open_share.denominator)
        return f"kan stadig ændres ({share} % af tallet er endnu ikke målt)"
    month = MONTHS_DA[state.published.month - 1] if state.published is not None else None
    if state.state == MEASURED:
        return f"målt; offentliggøres i {month}" if month else "målt; endnu ikke offentliggjort"
    return f"offentliggjort i {month}" if month else "offentliggjort"


def calendar_rows(version, lst, as_of) -> list[dict]:
    """Per criterion of the list (and the residents count): what the ministry's figure measures, how
    sure that is, and its state on ``as_of``, for the report's sources."""
    from ..vintages import lock_date
    from ..windows import state_of

    rows = [{"criterion": "Beboere", "window": version.population_window,
             "state": state_of(version.population_window, lst.year, lock_date(lst, "residents"), as_of)}]
    seen = set()
    for c in version.ordered_criteria():
        if c.indicator in seen:  # § 61 b's criteria measure the same figures
            continue
        seen.add(c.indicator)
        rows.append({"criterion": c.column_da, "window": c.window,
                     "state": state_of(c.window, lst.year, lock_date(lst, c.indicator), as_of)})
    return [{"criterion": r["criterion"], "window_da": r["window"].label_da(lst.year),
             "evidence_da": r["window"].evidence_da, "state_da": state_da(r["state"])} for r in rows]


def rules_notes_da(results, as_of) -> list[str]:
    """The rules the coming and the following list are computed under, as known on ``as_of``, and a
    newer bill or agreement that was public but not law (a dated note; it is never applied)."""
    if not results or as_of is None:
        return []
    first = results[0]
    notes = []
    for result in (first, first.following):
        if result is None or result.list.known_by <= as_of:
            continue
        version = result.version
        text = (f"Listen {result.list.label_da} er regnet efter loven, som den gælder {long_date_da(as_of)}: "
                f"{version.label_da} ({version.source['law'].split(' (')[0]}).")
        hard = next((d for d in version.designations.values() if d.consecutive_years_of), None)
        if hard is not None and hard.transition:
            needed = hard.years_required(result.list.year)
            years = hard.transition[0][0]
            inside = result.list.year in years
            text += (f" Et {hard.label_da.lower()} kræver {needed} år i træk på listen" +
                     (f" (overgangsreglen for listerne {min(years)}-{max(years)})." if inside else
                      f"; overgangsreglen med {hard.transition[0][1]} år gjaldt kun listerne {min(years)}-{max(years)}."))
        pending = pending_law(result.list, as_of)
        if pending is not None:
            step = "En politisk aftale" if pending.step == "agreement" else "Et lovforslag"
            text += (f" {step} fra {long_date_da(pending.date)} vil ændre reglerne ({pending.version.label_da}), men "
                     f"det er ikke lov {long_date_da(as_of)}, så rapporten bruger det ikke.")
        notes.append(text)
    return list(dict.fromkeys(notes))
