"""Risk bands (``data/risk_bands.yaml``) with a Danish reason that keeps the law and the margins apart.

Red, orange and the forebyggelse band follow the law's designations (rules.yaml), computed
exactly. Yellow ("I risiko") is this tool's judgement: a criterion the area misses by at most
``margin_persons`` persons, or criteria within ``margins_pp`` points that would make it udsat.
The reason says which is which, so a committee never reads a margin as the law.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


from .criteria import AreaResult
from .datafiles import check_choice, check_keys, package_yaml, vocabulary_cache
from .errors import DataFileError
from .present.disclosure import AreaView
from .present.marks import mark
from .present.numbers_da import number_da, pct_da
from .readers.values import normalise_key

RULES = ("list", "designation", "undecided", "near", "otherwise")


@dataclass(frozen=True)
class Band:
    id: str
    label_da: str | None
    colour: str
    colour_da: str
    rule: str
    aliases_da: tuple
    designations: tuple = ()  # for rule "designation": the designations that put an area in the band


@dataclass(frozen=True)
class BandSettings:
    margins_pp: dict
    margins_persons: dict
    bands: tuple
    margin_residents: int = 0  # an area this many residents short of the law's minimum that meets the criteria

    def margin(self, criterion_id: str) -> Decimal:
        return self.margins_pp.get(criterion_id, Decimal(0))

    def margin_persons(self, criterion_id: str) -> int:
        return self.margins_persons.get(criterion_id, 0)

    def by_category(self, category: str) -> Band | None:
        """The band a user's own category name stands for ("Udsat område" -> orange)."""
        key = normalise_key(category)
        return next((b for b in self.bands if key in {normalise_key(a) for a in (b.label_da or "", *b.aliases_da)}),
                    None)

    def band(self, band_id: str) -> Band:
        return next(b for b in self.bands if b.id == band_id)

    def margins_da(self, version) -> str:
        """The margins in words, for the report's method note.

        >>> from boligdata.rules import version_by_id
        >>> band_settings().margins_da(version_by_id("2018"))  # doctest: +ELLIPSIS
        'beskæftigelseskriteriet: 5 personer eller 2,0 procentpoint; kriminalitetskriteriet: 1 person eller 0,25 ...'
        """
        parts = []
        for criterion in version.ordered_criteria():
            margins = []
            if criterion.id in self.margins_persons:  # income is no count of persons: it has none
                n = self.margin_persons(criterion.id)
                margins.append(f"{n} person" if n == 1 else f"{n} personer")
            if criterion.id in self.margins_pp:
                margins.append(f"{number_da(self.margin(criterion.id), criterion.decimals)} procentpoint")
            if margins:
                parts.append(f"{criterion.name_da}: {' eller '.join(margins)}")
        if self.margin_residents:
            parts.append(f"beboertallet: højst {number_da(self.margin_residents)} under "
                         f"{number_da(version.population_min)}, når kriterierne er opfyldt")
        return "; ".join(parts)


def parse_band_settings(document) -> BandSettings:
    from .rules import criterion_ids

    check_keys(document, "risk_bands.yaml", required=["margins_pp", "margins_persons", "bands", "source"],
               optional=["margin_residents"])
    criteria = list(criterion_ids())
    margins = check_keys(document["margins_pp"], "risk_bands.yaml margins_pp", required=[], optional=criteria)
    persons = check_keys(document["margins_persons"], "risk_bands.yaml margins_persons", required=[], optional=criteria)
    bands = []
    for number, entry in enumerate(document["bands"], start=1):
        where = f"risk_bands.yaml: band {number}"
        check_keys(entry, where, required=["id", "label_da", "colour", "colour_da", "rule"],
                   optional=["aliases_da", "designations"])
        check_choice(entry["rule"], RULES, where + " rule")
        if (entry["rule"] == "designation") != bool(entry.get("designations")):
            raise DataFileError(f"{where}: rule 'designation' and 'designations' go together")
        if entry["label_da"] is None and entry["rule"] != "list":
            raise DataFileError(f"{where}: only the 'list' band takes its label from the designation")
        bands.append(Band(entry["id"], entry["label_da"], entry["colour"], entry["colour_da"], entry["rule"],
                          tuple(entry.get("aliases_da", [])), tuple(entry.get("designations", []))))
    from .present.html import contrast, text_colour

    for band in bands:  # WCAG 2.1 AA: the badge's text must read at 4.5:1 on the band's colour
        if contrast(text_colour(band.colour), band.colour) < 4.5:
            raise DataFileError(f"risk_bands.yaml: band '{band.id}': neither dark nor white text reads at 4.5:1 on "
                                f"{band.colour}; choose a lighter or darker colour")
    if not any(b.rule == "otherwise" for b in bands):
        raise DataFileError("risk_bands.yaml needs a band with rule 'otherwise'")
    return BandSettings({k: Decimal(str(v)) for k, v in margins.items()}, {k: int(v) for k, v in persons.items()},
                        tuple(bands), int(document.get("margin_residents", 0)))


@vocabulary_cache
def band_settings() -> BandSettings:
    """The risk-band settings shipped with the package.

    >>> [b.id for b in band_settings().bands], band_settings().margin("crime"), band_settings().margin_persons("crime")
    (['red', 'orange', 'prevent', 'undecided', 'yellow', 'green'], Decimal('0.25'), 1)
    """
    return parse_band_settings(package_yaml("risk_bands.yaml"))


def _names(result: AreaResult, ids) -> str:
    return ", ".join(result.criteria[i].criterion.short_da for i in ids) or "ingen"


@dataclass(frozen=True)
class Reach:
    """A designation an area does not hold but can reach on a named list, within the margins."""

    result: AreaResult              # the list's result (the coming list, or the following one)
    designation: object             # the Designation reached
    near: tuple                     # criteria within the margin that it takes
    population_short: int | None    # residents short of the minimum, where that is within the margin


def _effective(c) -> tuple[int | None, Decimal | None] | None:
    """How far a missed criterion's figure must still move, in persons and points; None: it cannot.

    A published figure cannot move. A measured, unpublished one can only turn out different from
    the estimate: its whole distance. A movable one must move its still-open part, so the
    distance counts divided by the open share (a 2-year average with one year left: double).
    """
    state = c.state
    if state is not None and state.state == "published":
        return None
    share = Decimal(1) if state is None or state.state != "movable" else \
        Decimal(state.open_share.numerator) / Decimal(state.open_share.denominator)
    persons = c.persons_open if state is None or state.state == "movable" else c.persons
    points = None if c.distance_pp is None else abs(c.distance_pp) / share
    return persons, points


def near_criteria(result: AreaResult, settings: BandSettings) -> list[str]:
    """The missed criteria whose figure can still cross the threshold within the report's margin."""
    near = []
    for cid, c in result.criteria.items():
        if c.met is not False:
            continue
        found = _effective(c)
        if found is None:
            continue
        persons, points = found
        if (persons is not None and cid in settings.margins_persons and persons <= settings.margin_persons(cid)) or \
                (points is not None and cid in settings.margins_pp and points <= settings.margin(cid)):
            near.append(cid)
    return near


def reach(result: AreaResult, settings: BandSettings | None = None) -> Reach | None:
    """The most severe designation ``result``'s area does not hold on its list but can reach there:
    its near criteria turned met, and the residents count within its margin where it is short
    and can still change (the law's floor, the criteria that can move, and that list's rules)."""
    settings = settings or band_settings()
    version = result.version
    short = None
    population_ok = result.population_ok
    if result.population_ok is False and result.residents is not None:
        short = version.population_min - int(result.residents)
        state = result.population_state
        if short > settings.margin_residents or (state is not None and state.state == "published"):
            return None
        population_ok = True
    near = near_criteria(result, settings)
    met = {cid: (True if cid in near else c.met) for cid, c in result.criteria.items()}
    from .criteria import designation_values

    values, _, _ = designation_values(version, met, population_ok, result.run, result.list)
    held = {d for d, v in result.designations.items() if v}
    reached = [version.designations[d] for d, v in values.items() if v and d not in held]
    if not reached:
        return None
    top = max(reached, key=lambda d: d.severity)
    involved = set(top.criteria_involved(version))
    return Reach(result, top, tuple(c for c in near if c in involved), short)


def _distance_da(result: AreaResult, cid: str, view: AreaView) -> str:
    """"2 personer fra beskæftigelseskriteriet", and what that distance is on ``result``'s list:
    in the still-open part of a window, or the ministry's unpublished figure against the estimate."""
    c = result.criteria[cid]
    if view.hidden(cid):  # the share may not be published, so neither may the distance
        from .present.sentences import hidden_amount

        amount = hidden_amount(c.persons)
        text = f"{amount} fra {c.criterion.name_da}" if amount else f"tæt på {c.criterion.name_da}"
    elif c.persons is not None:
        unit = "person" if c.persons == 1 else "personer"
        text = f"{mark(('persons', view.area, cid), number_da(c.persons))} {unit} fra {c.criterion.name_da}"
        state = c.state
        if state is not None and state.state == "movable" and state.open_share < 1 and c.persons_open is not None:
            text += (f" ({mark(('persons-open', view.area, cid, result.list.id), number_da(c.persons_open))} "
                     f"i resten af måleperioden)")
    else:
        unit = "procentpoint af regionens gennemsnit" if c.criterion.indicator == "income_pct_of_region" \
            else "procentpoint"
        distance = mark(("distance", view.area, cid), number_da(abs(c.distance_pp), c.criterion.decimals))
        text = f"{distance} {unit} fra {c.criterion.name_da}"
    if c.state is not None and c.state.state == "measured":
        text += " (allerede målt; ministeriets tal er endnu ikke offentliggjort)"
    return text


def _reach_da(found: Reach, view: AreaView, settings: BandSettings) -> str:
    """Why a designation can be reached on its list: the residents short and the near criteria."""
    result = found.result
    reasons = []
    if found.population_short is not None:
        reasons.append(f"{number_da(found.population_short)} beboere fra {number_da(result.version.population_min)}")
    reasons += [_distance_da(result, c, view) for c in found.near]
    either = f": {'; '.join(reasons)}" if reasons else ""
    return (f"efter rapportens margin kan det blive {found.designation.label_da.lower()} på listen "
            f"{result.list.label_da}{either}")


def _lists_da(result: AreaResult) -> str:
    names = [result.list.label_da] + ([result.following.list.label_da] if result.following is not None else [])
    return " eller ".join(f"listen {n}" for n in names)


def risk_band(result: AreaResult, settings: BandSettings | None = None, view: AreaView | None = None) -> dict:
    """The band of one classified area and the Danish reason for it.

    Red, orange and blue are the law's designations on the coming list; grey is a designation the
    figures cannot decide (never shown green); yellow is a designation the area can still reach
    on a named list (the coming one, or the following one) within the report's margins, through
    what can still change (``reach``); green is none of these. ``view`` says which criteria's
    shares may not be published (the reason then gives no number for them).
    """
    settings = settings or band_settings()
    view = view or AreaView.open(result.area)
    version = result.version
    counted = version.counted
    met = [c for c in counted.criteria if result.criteria[c].met]
    facts = f"opfylder {len(met)} af {len(counted.criteria)} kriterier for {counted.plural_da} ({_names(result, met)})"
    on_list = [version.designations[d] for d, v in result.designations.items() if v and version.designations[d].list]
    added = [c for d in version.list_designations() for c in d.and_criteria]  # the non-western share, from 2018
    found = reach(result, settings) or (reach(result.following, settings) if result.following is not None else None)
    short = (version.population_min - int(result.residents)) if result.population_ok is False \
        and result.residents is not None else None
    prefix = ""
    if short is not None:
        beyond = "" if short <= settings.margin_residents else \
            f" og mere end rapportens margin på {number_da(settings.margin_residents)} beboere fra grænsen"
        which = "listerne" if beyond else f"listen {result.list.label_da}"
        prefix = (f"Under {number_da(version.population_min)} beboere ({number_da(result.residents)}){beyond}, så "
                  f"området kan ikke komme på {which}. Det ")
    undecided = [d for d, v in result.designations.items() if v is None]
    for band in settings.bands:
        if band.rule == "list" and on_list:
            top = max(on_list, key=lambda d: d.severity)
            extra = "".join(f", og andelen med {result.criteria[c].criterion.short_da} er "
                            + (f"over {pct_da(result.criteria[c].threshold, 0)}" if view.hidden(c) else
                               f"{mark(view.key(c), pct_da(result.criteria[c].value))} "
                               f"(over {pct_da(result.criteria[c].threshold, 0)})")
                            for c in dict.fromkeys(added) if result.criteria[c].value is not None)
            return _band(band, top.label_da, f"{top.label_da} efter loven: området {facts}{extra}.")
        held = [version.designations[d] for d in band.designations if result.designations.get(d)]
        if band.rule == "designation" and held:
            designation = held[0]
            if designation.counted:
                text = f"{designation.label_da} efter loven: området {facts}."
                if found is not None and found.designation.list:
                    text += f" Det er ikke på listen, men {_reach_da(found, view, settings)}."
                # A list designation above it that cannot be decided is never hidden by the band's label.
                above = [d.label_da.lower() for d in result.undecided_designations() if d.list]
                if above:
                    either = _either_da(above)
                    text += f" Om området er {either}, kan ikke afgøres med de tal, der foreligger."
                    return _band(band, f"{band.label_da} ({either} uafklaret)", text)
                return _band(band, band.label_da, text)
            own_met = [c for c in designation.criteria if result.criteria[c].met]
            # A designation above it that cannot be decided is never hidden by this band's label either.
            open_above = [d.label_da.lower() for d in result.undecided_designations() if d.severity > designation.severity]
            either = _either_da(open_above)
            label = f"{band.label_da} ({either} uafklaret)" if open_above else band.label_da
            also = "".join(f" og opfylder {result.criteria[c].criterion.name_da} (over "
                           f"{pct_da(result.criteria[c].threshold, 0)})" for c in designation.and_criteria)
            undecided_text = (f" Om området er {either}, kan ikke afgøres med de tal, der "
                              f"foreligger." if open_above else "")
            return _band(band, label, f"{designation.label_da} efter {designation.paragraph}: området opfylder "
                                      f"{len(own_met)} af {len(designation.criteria)} kriterier "
                                      f"({_names(result, own_met)}){also}; det {facts}.{undecided_text}")
        if band.rule == "undecided" and undecided and result.population_ok is not False:
            labels = [version.designations[d].label_da.lower() for d in undecided]
            either = _either_da(labels)
            criteria = [c for d in undecided for c in version.designations[d].criteria_involved(version)
                        if result.criteria[c].met is None]
            missing = (f", fordi {_names(result, dict.fromkeys(criteria))} ikke kan afgøres med de tal, der "
                       f"foreligger" if criteria else ", fordi tallene ikke rækker")
            return _band(band, f"{band.label_da} ({either})", f"Kan ikke afgøres efter loven: området {facts}; om "
                                                              f"det er {either}, kan ikke afgøres{missing}.")
        if band.rule == "near" and found is not None:
            text = f"{facts}, så det er ikke {counted.label_da.lower()} efter loven, men {_reach_da(found, view, settings)}."
            return _band(band, f"{band.label_da}, listen {found.result.list.label_da}",
                         (prefix + text) if prefix else text[0].upper() + text[1:])
        if band.rule == "otherwise":
            if short is not None and short > settings.margin_residents:
                text = f"{facts}."
            else:
                text = (f"{facts} og kan inden for rapportens margin ikke blive {counted.label_da.lower()} på "
                        f"{_lists_da(result)}.")
            return _band(band, band.label_da, (prefix + text) if prefix else text[0].upper() + text[1:])
    raise AssertionError("risk_bands.yaml needs a band with rule 'otherwise'")


def _either_da(labels: list) -> str:
    """Alternatives in Danish: "a", "a eller b", "a, b eller c".

    >>> _either_da(["udsat boligområde", "parallelsamfund", "omdannelsesområde"])
    'udsat boligområde, parallelsamfund eller omdannelsesområde'
    """
    return ", ".join(labels[:-1]) + " eller " + labels[-1] if len(labels) > 1 else "".join(labels)


def _band(band: Band, label: str, reason: str) -> dict:
    return {"band": band.id, "band_label_da": label, "colour": band.colour, "reason_da": reason}


def compare_category(computed: dict, user_category: str | None, settings: BandSettings | None = None) -> str | None:
    """A Danish note when the user's own category disagrees with the computed band; else None.

    >>> compare_category({"band": "orange", "band_label_da": "Udsat boligområde"}, "Ikke risiko for udsat")
    'Kommunens egen kategori er «Ikke risiko for udsat» (grøn); beregningen giver «Udsat boligområde» (orange).'
    """
    if not user_category:
        return None
    settings = settings or band_settings()
    theirs = settings.by_category(user_category)
    if theirs is None:
        return f"Kommunens egen kategori «{user_category}» kendes ikke; den kan ikke sammenlignes."
    if theirs.id == computed["band"]:
        return None
    return (f"Kommunens egen kategori er «{user_category}» ({theirs.colour_da}); beregningen giver "
            f"«{computed['band_label_da']}» ({settings.band(computed['band']).colour_da}).")
