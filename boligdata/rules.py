"""The list rules (``data/rules.yaml``), validated: criteria, designations, windows, dates, consequences.

The engine in ``criteria.py`` reads only what this module returns, so every threshold,
operator and count of criteria comes from the data file with its legal source. The crime
figures of each list are in ``crime.py``; the measurement windows in ``windows.py``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from .datafiles import check_choice, check_keys, package_yaml
from .errors import DataFileError
from .windows import Window, parse_windows

OPERATORS = {">": "overstiger", ">=": "udgør mindst", "<": "mindre end"}


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
    # What the criterion is called for a reader (rules.yaml `vocabulary`).
    order: int = 0
    name_da: str = ""
    short_da: str = ""
    column_da: str = ""
    change_da: str | None = None
    change_condition_da: str | None = None
    decimals: int = 1
    window: Window | None = None  # the period the ministry's figure measures (rules.yaml `windows`)


@dataclass(frozen=True)
class Consequence:
    """What a designation brings (a letting rule, a development plan), and what stays after the list."""

    text_da: str
    paragraph: str
    source: str
    evidence: str
    stays_da: str = ""      # what still applies after the area leaves the list ("" : it ends with the list)
    stays_source: str = ""


@dataclass(frozen=True)
class LawStep:
    """One step of a rule version's way into law: agreement, proposed, passed or in force."""

    step: str
    date: dt.date | None
    source: str
    at_the_latest: bool = False   # the exact date was not found; it was no later than this


@dataclass(frozen=True)
class Designation:
    id: str
    label_da: str
    severity: int
    paragraph: str
    plural_da: str = ""
    criteria: tuple = ()
    min_met: int | None = None
    requires: tuple = ()
    and_criteria: tuple = ()
    consecutive_years_of: tuple = ()
    years: int | None = None
    transition: tuple = ()  # ((list_years tuple, years, source), ...)
    list: bool = False      # the ghetto / parallelsamfund list or its hard form
    counted: bool = False   # the designation whose criteria are counted (udsat; ghetto before 2018)
    excludes: tuple = ()    # designations an area on this list is never also on (the ministry's practice)
    excludes_source: str = ""
    consequences: tuple = ()  # Consequence, ...

    def years_required(self, list_year: int) -> int | None:
        """Consecutive years needed on the list of ``list_year``, transition included."""
        for list_years, years, _source in self.transition:
            if list_year in list_years:
                return years
        return self.years

    def criteria_involved(self, version: "RuleVersion") -> tuple:
        """Every criterion this designation depends on, through the designations it requires."""
        ids = list(self.criteria) + list(self.and_criteria)
        for other in self.requires + self.consecutive_years_of:
            if other in version.designations:
                ids += version.designations[other].criteria_involved(version)
        return tuple(dict.fromkeys(ids))


@dataclass(frozen=True)
class RuleVersion:
    id: str
    label_da: str
    population_min: int
    source: dict
    criteria: dict = field(default_factory=dict)
    designations: dict = field(default_factory=dict)
    population_window: Window | None = None
    enacted: dict = field(default_factory=dict)  # step -> LawStep (agreement, proposed, passed, in_force)

    def ordered_designations(self) -> list[Designation]:
        """Designations in an order where each comes after those it depends on."""
        return sorted(self.designations.values(),
                      key=lambda d: (bool(d.consecutive_years_of), bool(d.requires or d.excludes)))

    def ordered_criteria(self) -> list[Criterion]:
        """The criteria in the order readers see them (rules.yaml `vocabulary`)."""
        return sorted(self.criteria.values(), key=lambda c: c.order)

    @property
    def counted(self) -> Designation:
        """The designation whose criteria are counted (udsat; ghetto before 2018)."""
        return next(d for d in self.designations.values() if d.counted)

    def list_designations(self) -> list[Designation]:
        """The designations of the ghetto / parallelsamfund list, most severe last."""
        return sorted((d for d in self.designations.values() if d.list), key=lambda d: d.severity)

    def watched_criteria(self) -> list[Criterion]:
        """The criteria a report shows against the list: the counted ones and those the list adds
        (the non-western share from 2018), in the readers' order."""
        ids = list(self.counted.criteria) + [c for d in self.list_designations() for c in d.and_criteria]
        return sorted((self.criteria[c] for c in dict.fromkeys(ids)), key=lambda c: c.order)

    def other_designations(self) -> list[Designation]:
        """Designations outside the udsat count and the list (forebyggelsesområde, § 61 b)."""
        return [d for d in self.designations.values() if not d.counted and not d.list]


_CRITERION_REQUIRED = ("indicator", "operator", "wording_da", "age_group", "denominator", "averaging_years", "paragraph",
                       "window")
_CRITERION_OPTIONAL = ("threshold", "national_average_multiple", "note")
_DESIGNATION_OPTIONAL = ("criteria", "min_met", "requires", "and_criteria", "consecutive_years_of", "years", "transition",
                         "list", "counted", "excludes", "excludes_source", "consequences")
_LAW_STEPS = ("agreement", "proposed", "passed", "in_force")
_CONSEQUENCE_KEYS = ("text_da", "paragraph", "source", "evidence")
_VOCABULARY_KEYS = ("order", "name_da", "short_da", "column_da", "change_da", "decimals")


def _window(wid, windows: dict, where: str) -> Window:
    if wid not in windows:
        raise DataFileError(f"{where}: unknown window '{wid}' (rules.yaml windows: {', '.join(windows)})")
    return windows[wid]


def _criterion(cid: str, entry: dict, where: str, vocabulary: dict, windows: dict) -> Criterion:
    check_keys(entry, where, required=_CRITERION_REQUIRED, optional=_CRITERION_OPTIONAL)
    window = _window(entry["window"], windows, where)
    if window.years and len(window.years) != int(entry["averaging_years"]):
        raise DataFileError(f"{where}: window '{window.id}' averages {len(window.years)} years, the criterion "
                            f"{entry['averaging_years']}")
    check_choice(entry["operator"], OPERATORS, where + " operator")
    has_fixed, has_multiple = "threshold" in entry, "national_average_multiple" in entry
    if has_fixed == has_multiple:
        raise DataFileError(f"{where}: give exactly one of 'threshold' and 'national_average_multiple'")
    if cid not in vocabulary:
        raise DataFileError(f"{where}: criterion '{cid}' has no entry in 'vocabulary'")
    from .catalog import (
        indicator,  # late import: the catalogue validates the indicator id
    )

    indicator(entry["indicator"])
    if entry["denominator"] is not None:
        indicator(entry["denominator"])
    words = vocabulary[cid]
    return Criterion(
        id=cid, indicator=entry["indicator"], operator=entry["operator"], wording_da=entry["wording_da"],
        age_group=entry["age_group"], denominator=entry["denominator"],
        averaging_years=int(entry["averaging_years"]), paragraph=entry["paragraph"],
        threshold=Decimal(str(entry["threshold"])) if has_fixed else None,
        national_average_multiple=int(entry["national_average_multiple"]) if has_multiple else None,
        note=entry.get("note"), order=int(words["order"]), name_da=words["name_da"], short_da=words["short_da"],
        column_da=words["column_da"], change_da=words["change_da"],
        change_condition_da=words.get("change_condition_da"), decimals=int(words["decimals"]), window=window,
    )


def _designation(did: str, entry: dict, where: str, criteria: dict) -> Designation:
    check_keys(entry, where, required=["label_da", "plural_da", "severity", "paragraph"], optional=_DESIGNATION_OPTIONAL)
    for cid in list(entry.get("criteria", [])) + list(entry.get("and_criteria", [])):
        if cid not in criteria:
            raise DataFileError(f"{where}: criterion '{cid}' is not defined in this version")
    if ("criteria" in entry) != ("min_met" in entry):
        raise DataFileError(f"{where}: 'criteria' and 'min_met' go together")
    if ("consecutive_years_of" in entry) != ("years" in entry):
        raise DataFileError(f"{where}: 'consecutive_years_of' and 'years' go together")
    if ("excludes" in entry) != ("excludes_source" in entry):
        raise DataFileError(f"{where}: 'excludes' needs 'excludes_source' (where the practice is stated)")
    consequences = []
    for number, item in enumerate(entry.get("consequences", []), start=1):
        at = f"{where} consequence {number}"
        check_keys(item, at, required=_CONSEQUENCE_KEYS, optional=["stays_da", "stays_source"])
        check_choice(item["evidence"], ("statute", "ministry", "secondary"), at + " evidence")
        if bool(item.get("stays_da")) != bool(item.get("stays_source")):
            raise DataFileError(f"{at}: 'stays_da' needs 'stays_source'")
        consequences.append(Consequence(item["text_da"], item["paragraph"], item["source"], item["evidence"],
                                        item.get("stays_da", ""), item.get("stays_source", "")))
    transition = []
    for number, item in enumerate(entry.get("transition", []), start=1):
        check_keys(item, f"{where} transition {number}", required=["list_years", "years", "source"])
        transition.append((tuple(int(y) for y in item["list_years"]), int(item["years"]), item["source"]))
    return Designation(
        id=did, label_da=entry["label_da"], severity=int(entry["severity"]), paragraph=entry["paragraph"],
        plural_da=entry["plural_da"], criteria=tuple(entry.get("criteria", [])), min_met=entry.get("min_met"),
        requires=tuple(entry.get("requires", [])), and_criteria=tuple(entry.get("and_criteria", [])),
        consecutive_years_of=tuple(entry.get("consecutive_years_of", [])), years=entry.get("years"),
        transition=tuple(transition), list=bool(entry.get("list", False)), counted=bool(entry.get("counted", False)),
        excludes=tuple(entry.get("excludes", [])), excludes_source=" ".join(str(entry.get("excludes_source", "")).split()),
        consequences=tuple(consequences),
    )


def _enacted(entry: dict, where: str) -> dict:
    """The steps of a version's way into law, validated: known dates in order."""
    check_keys(entry, where, required=["proposed", "passed", "in_force"], optional=["agreement"])
    steps = {}
    for step in _LAW_STEPS:
        if step not in entry:
            continue
        item = check_keys(entry[step], f"{where} {step}", required=["date", "source"], optional=["at_the_latest"])
        date = item["date"]
        if date is not None and not isinstance(date, dt.date):
            raise DataFileError(f"{where} {step}: date must be YYYY-MM-DD or null, found {date!r}")
        steps[step] = LawStep(step, date, item["source"], bool(item.get("at_the_latest", False)))
    dates = [s.date for s in steps.values() if s.date is not None]
    if dates != sorted(dates):
        raise DataFileError(f"{where}: the dates must follow each other ({', '.join(_LAW_STEPS)})")
    return steps


def parse_rules(document) -> tuple[RuleVersion, ...]:
    """Validate a rules document (the content of rules.yaml) into rule versions."""
    check_keys(document, "rules.yaml", required=["windows", "vocabulary", "versions"])
    windows = parse_windows(document["windows"])
    vocabulary = {}
    for cid, words in document["vocabulary"].items():
        vocabulary[cid] = check_keys(words, f"rules.yaml: vocabulary '{cid}'", required=_VOCABULARY_KEYS,
                                     optional=["change_condition_da"])
    versions = []
    for number, entry in enumerate(document["versions"], start=1):
        where = f"rules.yaml: version {entry.get('id', number) if isinstance(entry, dict) else number}"
        check_keys(entry, where, required=["id", "label_da", "population_min", "population_window", "enacted", "source",
                                           "criteria", "designations"])
        check_keys(entry["source"], where + " source", required=["law", "paragraph", "url"], optional=["note"])
        criteria = {cid: _criterion(cid, c, f"{where} criterion '{cid}'", vocabulary, windows)
                    for cid, c in entry["criteria"].items()}
        designations = {
            did: _designation(did, d, f"{where} designation '{did}'", criteria)
            for did, d in entry["designations"].items()
        }
        for d in designations.values():
            unknown = [e for e in d.excludes if e not in designations]
            if unknown:
                raise DataFileError(f"{where} designation '{d.id}': excludes unknown designation '{unknown[0]}'")
        if sum(d.counted for d in designations.values()) != 1:
            raise DataFileError(f"{where}: exactly one designation must be 'counted: true'")
        versions.append(RuleVersion(
            id=str(entry["id"]), label_da=entry["label_da"], population_min=int(entry["population_min"]),
            source=dict(entry["source"]), criteria=criteria, designations=designations,
            population_window=_window(entry["population_window"], windows, where),
            enacted=_enacted(entry["enacted"], where + " enacted"),
        ))
    if len({v.id for v in versions}) != len(versions):
        raise DataFileError("rules.yaml: two versions have the same id")
    return tuple(versions)


@lru_cache(maxsize=1)
def load_rules() -> tuple[RuleVersion, ...]:
    """All rule versions, oldest first.

    >>> [r.id for r in load_rules()]
    ['2010', '2013', '2018', '2021']
    """
    return parse_rules(package_yaml("rules.yaml"))


def designation_ids() -> tuple[str, ...]:
    """Every designation of every version, least severe first (the columns of ``classify``).

    >>> designation_ids()
    ('forebyggelse', 'udsat', 'ghetto', 'parallelsamfund', 'haardt_ghetto', 'omdannelse')
    """
    designations = sorted(((d.severity, d.id) for v in load_rules() for d in v.designations.values()))
    return tuple(dict.fromkeys(i for _, i in designations))


def criterion_ids() -> tuple[str, ...]:
    """Every criterion of every version, in the readers' order.

    >>> criterion_ids()[:5]
    ('employment', 'crime', 'education', 'income', 'non_western')
    """
    criteria = sorted((c for v in load_rules() for c in v.criteria.values()), key=lambda c: c.order)
    return tuple(dict.fromkeys(c.id for c in criteria))


def lineage_ids() -> frozenset:
    """The ghetto list and what it became in 2021 (parallelsamfund): years on either count together.

    >>> sorted(lineage_ids())
    ['ghetto', 'parallelsamfund']
    """
    return frozenset(d.id for v in load_rules() for d in v.designations.values() if d.list and not d.consecutive_years_of)


def criteria_indicators() -> tuple[str, ...]:
    """Residents and every indicator a criterion of any version reads, in the readers' order.

    >>> criteria_indicators()
    ('residents', 'outside_labour_market_pct', 'convicted_pct', 'primary_school_only_pct', 'income_pct_of_region', 'non_western_pct')
    """
    criteria = sorted((c for v in load_rules() for c in v.criteria.values()), key=lambda c: c.order)
    return ("residents",) + tuple(dict.fromkeys(c.indicator for c in criteria))


def count_indicators() -> tuple[str, ...]:
    """The counts behind the shares (the criteria's denominators other than residents).

    >>> count_indicators()
    ('pop_18_64', 'pop_18plus', 'pop_30_59')
    """
    criteria = sorted((c for v in load_rules() for c in v.criteria.values()), key=lambda c: c.order)
    return tuple(dict.fromkeys(c.denominator for c in criteria if c.denominator and c.denominator != "residents"))


def denominators() -> dict[str, str]:
    """The group each criterion's share is of: indicator -> the count indicator behind it.

    >>> denominators()["convicted_pct"], denominators()["non_western_pct"]
    ('pop_18plus', 'residents')
    """
    return {c.indicator: c.denominator for v in load_rules() for c in v.criteria.values() if c.denominator}


def version_by_id(version_id: str) -> RuleVersion:
    """A rule version by its id (the year of the act).

    >>> version_by_id("2018").label_da
    'Kriterier af 2018 (udsatte boligområder og ghettoområder)'
    """
    for version in load_rules():
        if version.id == str(version_id):
            return version
    raise DataFileError(f"unknown rule version '{version_id}' (rules.yaml has {', '.join(v.id for v in load_rules())})")


def version_for_year(list_year: int) -> RuleVersion:
    """The rule version of the list of ``list_year`` (where that year has one list).

    >>> version_for_year(2020).id, version_for_year(2024).id
    ('2018', '2021')
    >>> version_for_year(2009)
    Traceback (most recent call last):
    ...
    boligdata.errors.ParameterError: --list-year 2009: the lists run from 2010 to 2030
    """
    from .lists import resolve_list

    return resolve_list(list_year=list_year).version
