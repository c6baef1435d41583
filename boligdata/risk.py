"""Risk bands (red / orange / yellow / green) from ``data/risk_bands.yaml``, with a Danish reason.

The bands follow Odense's quarterly monitoring (seed 004): red on or projected onto the
ghetto / parallelsamfund list, orange udsat, yellow near becoming udsat, green otherwise.
"Near" uses ``margin_pp``, a setting of the user's, not a number from the law.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from .criteria import AreaResult
from .datafiles import check_choice, check_keys, package_yaml
from .present.numbers_da import number_da, pct_da
from .present.sentences import NAME_DA
from .readers.values import normalise_key

RULES = ("list", "udsat", "near", "otherwise")
SHORT_DA = {"employment": "beskæftigelse", "crime": "kriminalitet", "education": "uddannelse",
            "income": "indkomst", "non_western": "ikke-vestlig herkomst"}
LIST_DESIGNATIONS = ("ghetto", "parallelsamfund", "haardt_ghetto", "omdannelse")


@dataclass(frozen=True)
class Band:
    id: str
    label_da: str
    colour: str
    rule: str
    aliases_da: tuple


@dataclass(frozen=True)
class BandSettings:
    margins_pp: dict
    bands: tuple

    def margin(self, criterion_id: str) -> Decimal:
        return self.margins_pp.get(criterion_id, Decimal(0))

    def by_category(self, category: str) -> Band | None:
        """The band a user's own category name stands for ("Udsat område" -> orange)."""
        key = normalise_key(category)
        return next((b for b in self.bands if key in {normalise_key(a) for a in (b.label_da, *b.aliases_da)}), None)


def parse_band_settings(document) -> BandSettings:
    check_keys(document, "risk_bands.yaml", required=["margins_pp", "bands", "source"])
    margins = check_keys(document["margins_pp"], "risk_bands.yaml margins_pp", required=[],
                         optional=["employment", "crime", "education", "income", "non_western"])
    bands = []
    for number, entry in enumerate(document["bands"], start=1):
        where = f"risk_bands.yaml: band {number}"
        check_keys(entry, where, required=["id", "label_da", "colour", "rule"], optional=["aliases_da"])
        check_choice(entry["rule"], RULES, where + " rule")
        bands.append(Band(entry["id"], entry["label_da"], entry["colour"], entry["rule"],
                          tuple(entry.get("aliases_da", []))))
    return BandSettings({k: Decimal(str(v)) for k, v in margins.items()}, tuple(bands))


@lru_cache(maxsize=1)
def band_settings() -> BandSettings:
    """The risk-band settings shipped with the package.

    >>> [b.id for b in band_settings().bands], band_settings().margin("crime")
    (['red', 'orange', 'yellow', 'green'], Decimal('0.25'))
    """
    return parse_band_settings(package_yaml("risk_bands.yaml"))


def _counted(result: AreaResult):
    """The designation whose criteria are counted (udsat, or ghetto before 2018)."""
    return next(d for d in result.version.ordered_designations() if d.criteria)


def _names(ids) -> str:
    return ", ".join(SHORT_DA.get(i, i) for i in ids) or "ingen"


def _within(result: AreaResult, cid: str, settings: BandSettings) -> bool:
    c = result.criteria[cid]
    return c.met is False and c.distance_pp is not None and c.distance_pp >= -settings.margin(cid)


def _near(result: AreaResult, settings: BandSettings) -> tuple[bool, list[str]]:
    """Would the area be udsat (or on the list) if every criterion within its margin were met?"""
    counted = _counted(result)
    near = [c for c in counted.criteria if _within(result, c, settings)]
    met = [c for c in counted.criteria if result.criteria[c].met]
    reaches = len(met) + len(near) >= counted.min_met
    non_western = result.criteria.get("non_western")
    if non_western and reaches and _within(result, "non_western", settings) and "non_western" not in counted.criteria:
        near.append("non_western")
    return reaches, near


def risk_band(result: AreaResult, settings: BandSettings | None = None) -> dict:
    """The band of one classified area and the Danish reason for it."""
    settings = settings or band_settings()
    counted = _counted(result)
    met = [c for c in counted.criteria if result.criteria[c].met]
    reached, near = _near(result, settings)
    on_list = any(result.designations.get(d) for d in LIST_DESIGNATIONS)
    facts = f"opfylder {len(met)} af {len(counted.criteria)} kriterier ({_names(met)})"
    prefix = ""
    if result.population_ok is False:
        prefix = (f"Under {number_da(result.version.population_min)} beboere ({number_da(result.residents)}), "
                  f"så området kan ikke komme på listerne; men det ")
    for band in settings.bands:
        if band.rule == "list" and on_list:
            nw = result.criteria.get("non_western")
            extra = f" og andelen med ikke-vestlig herkomst er {pct_da(nw.value)}" if nw and nw.value is not None else ""
            return _band(band, f"{result.designation_label()}: området {facts}{extra}.")
        if band.rule == "udsat" and result.designations.get("udsat"):
            return _band(band, f"Udsat boligområde: området {facts}.")
        if band.rule == "near" and reached and near:
            within = " og ".join(
                f"{number_da(abs(result.criteria[c].distance_pp), 2 if c == 'crime' else 1)} procentpoint fra "
                f"{NAME_DA[result.criteria[c].criterion.indicator]}" for c in near)
            text = f"{facts} og er kun {within}."
            return _band(band, (prefix + text) if prefix else text[0].upper() + text[1:])
        if band.rule == "otherwise":
            text = f"{facts} og er ikke tæt på at blive udsat."
            return _band(band, (prefix + text) if prefix else text[0].upper() + text[1:])
    raise AssertionError("risk_bands.yaml needs a band with rule 'otherwise'")


def _band(band: Band, reason: str) -> dict:
    return {"band": band.id, "band_label_da": band.label_da, "colour": band.colour, "reason_da": reason}


def compare_category(computed: dict, user_category: str | None, settings: BandSettings | None = None) -> str | None:
    """A Danish note when the user's own category disagrees with the computed band; else None.

    >>> compare_category({"band": "orange", "band_label_da": "Udsat boligområde"}, "Ikke risiko for udsat")
    "Egen kategori 'Ikke risiko for udsat' (Ikke i risiko) afviger fra den beregnede 'Udsat boligområde'."
    """
    if not user_category:
        return None
    settings = settings or band_settings()
    theirs = settings.by_category(user_category)
    if theirs is None:
        return f"Egen kategori '{user_category}' kendes ikke; den kan ikke sammenlignes."
    if theirs.id == computed["band"]:
        return None
    return (f"Egen kategori '{user_category}' ({theirs.label_da}) afviger fra den beregnede "
            f"'{computed['band_label_da']}'.")
