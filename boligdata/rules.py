"""The list rules (``data/rules.yaml``) and the year-dependent crime thresholds, validated.

The engine in ``criteria.py`` reads only what this module returns, so every threshold,
operator and count of criteria comes from the data file with its legal source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from .datafiles import check_choice, check_keys, package_yaml
from .errors import DataFileError, ParameterError, UndecidedError

OPERATORS = {">": "overstiger", ">=": "udgør mindst", "<": "mindre end"}
DESIGNATION_IDS = ("udsat", "ghetto", "haardt_ghetto", "parallelsamfund", "omdannelse", "forebyggelse")
# The ghetto list became the parallelsamfund list in 2021 (L 23 2021-22); years on either count together.
LIST_LINEAGE = ("ghetto", "parallelsamfund")


@dataclass(frozen=True)
class Criterion:
    id: str
    indicator: str
    operator: str
    wording_da: str
    age_group: str
    denominator: str | None
    averaging_years: int
    paragraph: str
    threshold: Decimal | None = None
    national_average_multiple: int | None = None
    note: str | None = None


@dataclass(frozen=True)
class Designation:
    id: str
    label_da: str
    severity: int
    paragraph: str
    criteria: tuple = ()
    min_met: int | None = None
    requires: tuple = ()
    and_criteria: tuple = ()
    consecutive_years_of: tuple = ()
    years: int | None = None
    transition: tuple = ()  # ((list_years tuple, years, source), ...)

    def years_required(self, list_year: int) -> int | None:
        """Consecutive years needed on the list of ``list_year``, transition included."""
        for list_years, years, _source in self.transition:
            if list_year in list_years:
                return years
        return self.years


@dataclass(frozen=True)
class RuleVersion:
    id: str
    label_da: str
    first_year: int
    last_year: int | None
    list_day: str
    population_min: int
    source: dict
    criteria: dict = field(default_factory=dict)
    designations: dict = field(default_factory=dict)

    def governs(self, list_year: int) -> bool:
        return self.first_year <= list_year and (self.last_year is None or list_year <= self.last_year)

    def ordered_designations(self) -> list[Designation]:
        """Designations in an order where each comes after those it depends on."""
        return sorted(self.designations.values(), key=lambda d: (bool(d.consecutive_years_of), bool(d.requires)))


_CRITERION_REQUIRED = ("indicator", "operator", "wording_da", "age_group", "denominator", "averaging_years", "paragraph")
_CRITERION_OPTIONAL = ("threshold", "national_average_multiple", "note")
_DESIGNATION_OPTIONAL = ("criteria", "min_met", "requires", "and_criteria", "consecutive_years_of", "years", "transition")


def _criterion(cid: str, entry: dict, where: str) -> Criterion:
    check_keys(entry, where, required=_CRITERION_REQUIRED, optional=_CRITERION_OPTIONAL)
    check_choice(entry["operator"], OPERATORS, where + " operator")
    has_fixed, has_multiple = "threshold" in entry, "national_average_multiple" in entry
    if has_fixed == has_multiple:
        raise DataFileError(f"{where}: give exactly one of 'threshold' and 'national_average_multiple'")
    from .catalog import indicator  # late import: the catalogue validates the indicator id

    indicator(entry["indicator"])
    if entry["denominator"] is not None:
        indicator(entry["denominator"])
    return Criterion(
        id=cid, indicator=entry["indicator"], operator=entry["operator"], wording_da=entry["wording_da"],
        age_group=entry["age_group"], denominator=entry["denominator"],
        averaging_years=int(entry["averaging_years"]), paragraph=entry["paragraph"],
        threshold=Decimal(str(entry["threshold"])) if has_fixed else None,
        national_average_multiple=int(entry["national_average_multiple"]) if has_multiple else None,
        note=entry.get("note"),
    )


def _designation(did: str, entry: dict, where: str, criteria: dict) -> Designation:
    check_choice(did, DESIGNATION_IDS, where)
    check_keys(entry, where, required=["label_da", "severity", "paragraph"], optional=_DESIGNATION_OPTIONAL)
    for cid in list(entry.get("criteria", [])) + list(entry.get("and_criteria", [])):
        if cid not in criteria:
            raise DataFileError(f"{where}: criterion '{cid}' is not defined in this version")
    if ("criteria" in entry) != ("min_met" in entry):
        raise DataFileError(f"{where}: 'criteria' and 'min_met' go together")
    if ("consecutive_years_of" in entry) != ("years" in entry):
        raise DataFileError(f"{where}: 'consecutive_years_of' and 'years' go together")
    transition = []
    for number, item in enumerate(entry.get("transition", []), start=1):
        check_keys(item, f"{where} transition {number}", required=["list_years", "years", "source"])
        transition.append((tuple(int(y) for y in item["list_years"]), int(item["years"]), item["source"]))
    return Designation(
        id=did, label_da=entry["label_da"], severity=int(entry["severity"]), paragraph=entry["paragraph"],
        criteria=tuple(entry.get("criteria", [])), min_met=entry.get("min_met"),
        requires=tuple(entry.get("requires", [])), and_criteria=tuple(entry.get("and_criteria", [])),
        consecutive_years_of=tuple(entry.get("consecutive_years_of", [])), years=entry.get("years"),
        transition=tuple(transition),
    )


def parse_rules(document) -> tuple[RuleVersion, ...]:
    """Validate a rules document (the content of rules.yaml) into rule versions."""
    check_keys(document, "rules.yaml", required=["versions"])
    versions = []
    for number, entry in enumerate(document["versions"], start=1):
        where = f"rules.yaml: version {entry.get('id', number) if isinstance(entry, dict) else number}"
        check_keys(entry, where, required=["id", "label_da", "list_years", "list_day", "population_min",
                                           "source", "criteria", "designations"])
        years = check_keys(entry["list_years"], where + " list_years", required=["first", "last"])
        check_keys(entry["source"], where + " source", required=["law", "paragraph", "url"], optional=["note"])
        criteria = {cid: _criterion(cid, c, f"{where} criterion '{cid}'") for cid, c in entry["criteria"].items()}
        designations = {
            did: _designation(did, d, f"{where} designation '{did}'", criteria)
            for did, d in entry["designations"].items()
        }
        versions.append(RuleVersion(
            id=str(entry["id"]), label_da=entry["label_da"], first_year=int(years["first"]),
            last_year=None if years["last"] is None else int(years["last"]), list_day=entry["list_day"],
            population_min=int(entry["population_min"]), source=dict(entry["source"]),
            criteria=criteria, designations=designations,
        ))
    versions.sort(key=lambda r: r.first_year)
    for earlier, later in zip(versions, versions[1:]):
        if earlier.last_year is None or earlier.last_year >= later.first_year:
            raise DataFileError(
                f"rules.yaml: versions {earlier.id} and {later.id} overlap "
                f"(list years {earlier.first_year}-{earlier.last_year or '…'} and {later.first_year}-)"
            )
    return tuple(versions)


@lru_cache(maxsize=1)
def load_rules() -> tuple[RuleVersion, ...]:
    """All rule versions, oldest first.

    >>> [r.id for r in load_rules()]
    ['2010', '2013', '2018', '2021']
    """
    return parse_rules(package_yaml("rules.yaml"))


def version_for_year(list_year: int) -> RuleVersion:
    """The rule version that governs the list of ``list_year``.

    >>> version_for_year(2020).id, version_for_year(2024).id
    ('2018', '2021')
    >>> version_for_year(2009)
    Traceback (most recent call last):
    ...
    boligdata.errors.ParameterError: no rule version covers the list of 2009 (the lists start in 2010)
    """
    for version in load_rules():
        if version.governs(int(list_year)):
            return version
    first = load_rules()[0].first_year
    raise ParameterError(f"no rule version covers the list of {list_year} (the lists start in {first})")


@dataclass(frozen=True)
class CrimeFigures:
    """The national average share convicted, or thresholds per multiple, for list years."""

    national_average: dict = field(default_factory=dict)  # list_year -> (Decimal, source)
    thresholds: dict = field(default_factory=dict)  # (list_year, multiple) -> (Decimal, source)

    def threshold(self, list_year: int, multiple: int) -> tuple[Decimal, str]:
        """The crime threshold in percent, or UndecidedError saying what is missing.

        >>> known_crime_figures().threshold(2020, 3)
        (Decimal('2.27'), 'Odense Kommune, Beskæftigelses- og Socialudvalget 22.09.2020, punkt 3-4 ("Kriminalitet ≥ 2,27 %")')
        """
        if (list_year, multiple) in self.thresholds:
            return self.thresholds[(list_year, multiple)]
        if list_year in self.national_average:
            average, source = self.national_average[list_year]
            return average * multiple, f"{multiple} × landsgennemsnittet {average} % ({source})"
        raise UndecidedError(
            f"the crime criterion of the {list_year} list ({multiple} × the national average share convicted) "
            f"cannot be decided: the national average for {list_year} is not known. Supply it with "
            f"--crime-national-average PCT (or --crime-threshold PCT), or in raw/landsgennemsnit.csv"
        )

    def merged(self, other: "CrimeFigures") -> "CrimeFigures":
        """These figures with ``other``'s added; a different value for the same year is an error."""
        for mine, theirs, what in ((self.national_average, other.national_average, "national average"),
                                   (self.thresholds, other.thresholds, "threshold")):
            for key, (value, source) in theirs.items():
                if key in mine and mine[key][0] != value:
                    raise ParameterError(
                        f"two different crime {what}s for {key}: {mine[key][0]} ({mine[key][1]}) and {value} ({source})"
                    )
        return CrimeFigures({**self.national_average, **other.national_average},
                            {**self.thresholds, **other.thresholds})


@lru_cache(maxsize=1)
def known_crime_figures() -> CrimeFigures:
    """The crime figures that public sources state (data/crime_thresholds.yaml)."""
    document = check_keys(package_yaml("crime_thresholds.yaml"), "crime_thresholds.yaml", required=["list_years"])
    averages, thresholds = {}, {}
    for year, entry in document["list_years"].items():
        where = f"crime_thresholds.yaml: {year}"
        check_keys(entry, where, required=["source"], optional=["national_average_pct", "thresholds_pct"])
        if "national_average_pct" in entry:
            averages[int(year)] = (Decimal(str(entry["national_average_pct"])), entry["source"])
        for multiple, value in (entry.get("thresholds_pct") or {}).items():
            thresholds[(int(year), int(multiple))] = (Decimal(str(value)), entry["source"])
    return CrimeFigures(averages, thresholds)


def crime_figures_from_table(frame) -> CrimeFigures:
    """Crime figures from the workspace's ``crime_averages`` table (raw/landsgennemsnit*).

    >>> import pandas as pd
    >>> t = pd.DataFrame({"list_year": [2023], "national_average_pct": [0.7], "multiple": [None],
    ...                   "threshold_pct": [None], "source": ["x"]})
    >>> crime_figures_from_table(t).threshold(2023, 3)[0]
    Decimal('2.1')
    """
    import pandas as pd

    averages, thresholds = {}, {}
    for row in frame.itertuples():
        source = f"{row.source} (raw/landsgennemsnit)"
        if pd.notna(row.national_average_pct):
            averages[int(row.list_year)] = (Decimal(repr(float(row.national_average_pct))), source)
        if pd.notna(row.threshold_pct):
            if pd.isna(row.multiple):
                raise ParameterError(f"raw/landsgennemsnit: the threshold for {row.list_year} needs its multiplum")
            thresholds[(int(row.list_year), int(row.multiple))] = (Decimal(repr(float(row.threshold_pct))), source)
    return CrimeFigures(averages, thresholds)
