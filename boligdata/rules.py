"""The list rules (``data/rules.yaml``) and the year-dependent crime thresholds, validated.

The engine in ``criteria.py`` reads only what this module returns, so every threshold,
operator and count of criteria comes from the data file with its legal source.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from .datafiles import check_choice, check_keys, package_yaml
from .errors import DataFileError, ParameterError, UndecidedError

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

    def ordered_designations(self) -> list[Designation]:
        """Designations in an order where each comes after those it depends on."""
        return sorted(self.designations.values(), key=lambda d: (bool(d.consecutive_years_of), bool(d.requires)))

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


_CRITERION_REQUIRED = ("indicator", "operator", "wording_da", "age_group", "denominator", "averaging_years", "paragraph")
_CRITERION_OPTIONAL = ("threshold", "national_average_multiple", "note")
_DESIGNATION_OPTIONAL = ("criteria", "min_met", "requires", "and_criteria", "consecutive_years_of", "years", "transition",
                         "list", "counted")
_VOCABULARY_KEYS = ("order", "name_da", "short_da", "column_da", "change_da", "decimals")


def _criterion(cid: str, entry: dict, where: str, vocabulary: dict) -> Criterion:
    check_keys(entry, where, required=_CRITERION_REQUIRED, optional=_CRITERION_OPTIONAL)
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
        change_condition_da=words.get("change_condition_da"), decimals=int(words["decimals"]),
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
    )


def parse_rules(document) -> tuple[RuleVersion, ...]:
    """Validate a rules document (the content of rules.yaml) into rule versions."""
    check_keys(document, "rules.yaml", required=["vocabulary", "versions"])
    vocabulary = {}
    for cid, words in document["vocabulary"].items():
        vocabulary[cid] = check_keys(words, f"rules.yaml: vocabulary '{cid}'", required=_VOCABULARY_KEYS,
                                     optional=["change_condition_da"])
    versions = []
    for number, entry in enumerate(document["versions"], start=1):
        where = f"rules.yaml: version {entry.get('id', number) if isinstance(entry, dict) else number}"
        check_keys(entry, where, required=["id", "label_da", "population_min", "source", "criteria", "designations"])
        check_keys(entry["source"], where + " source", required=["law", "paragraph", "url"], optional=["note"])
        criteria = {cid: _criterion(cid, c, f"{where} criterion '{cid}'", vocabulary)
                    for cid, c in entry["criteria"].items()}
        designations = {
            did: _designation(did, d, f"{where} designation '{did}'", criteria)
            for did, d in entry["designations"].items()
        }
        if sum(d.counted for d in designations.values()) != 1:
            raise DataFileError(f"{where}: exactly one designation must be 'counted: true'")
        versions.append(RuleVersion(
            id=str(entry["id"]), label_da=entry["label_da"], population_min=int(entry["population_min"]),
            source=dict(entry["source"]), criteria=criteria, designations=designations,
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


# A national average share convicted outside this range is not a percentage of adults
# convicted (e.g. 72 typed for 0,72): refused. The published averages are about 0,7-0,8 %.
PLAUSIBLE_AVERAGE = (Decimal("0.1"), Decimal("5"))


@dataclass(frozen=True)
class CrimeFigure:
    """One figure for a list's crime criterion: a threshold for a multiple, or the national average."""

    list_id: str
    value: Decimal
    multiple: int | None = None   # None: the national average itself
    decimals: int | None = None   # the rounding of a printed figure; None: exact as given
    source: str = ""
    evidence: str = ""
    quote: str = ""
    used: bool = True
    note: str = ""
    evidence_da: str = ""  # the evidence in the Danish a committee reads
    known_from: dt.date | None = None  # the first day it was public (None: given by the user, always known)

    def average_interval(self) -> tuple[Decimal, Decimal]:
        """The national average this figure allows (an interval where the figure is rounded).

        >>> CrimeFigure("2022-12-01", Decimal("1.45"), 2, 2).average_interval()
        (Decimal('0.7225'), Decimal('0.7275'))
        """
        half = Decimal(0) if self.decimals is None else Decimal(5) / Decimal(10) ** (self.decimals + 1)
        divisor = Decimal(self.multiple or 1)
        return (self.value - half) / divisor, (self.value + half) / divisor

    def threshold(self, multiple: int) -> "Threshold":
        """The threshold for ``multiple`` this figure gives (exact where the figure is that threshold)."""
        if self.multiple == multiple:
            return Threshold(self.value, self.value, self.value, multiple, self)
        low, high = self.average_interval()
        point = self.value * multiple / Decimal(self.multiple or 1)
        return Threshold(point, low * multiple, high * multiple, multiple, self)


@dataclass(frozen=True)
class Threshold:
    """A crime threshold: the value used, the interval the true value lies in, and its origin."""

    value: Decimal
    low: Decimal
    high: Decimal
    multiple: int
    figure: CrimeFigure
    alternatives: tuple = ()  # thresholds from the other (unused) figures of the list

    @property
    def derived(self) -> bool:
        """True when the threshold is computed from another multiple or the average."""
        return self.figure.multiple != self.multiple

    def source_da(self) -> str:
        """Where the threshold comes from, for a Danish reader.

        >>> known_crime_figures().threshold("2022-12-01", 3).source_da()
        '3 × landsgennemsnittet, beregnet fra 2 × landsgennemsnittet = 1,45 % (afrundet): mellem 2,1675 % og 2,1825 %'
        """
        value = _pct_da(self.figure.value)
        if not self.derived:
            return f"{self.multiple} × landsgennemsnittet = {value}"
        origin = (f"landsgennemsnittet {value}" if self.figure.multiple is None
                  else f"{self.figure.multiple} × landsgennemsnittet = {value}")
        if self.low == self.high:
            return f"{self.multiple} × {origin}"
        return (f"{self.multiple} × landsgennemsnittet, beregnet fra {origin} (afrundet): "
                f"mellem {_pct_da(self.low)} og {_pct_da(self.high)}")


def _pct_da(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    if "." not in text:
        text += ".00"
    elif len(text.split(".")[1]) < 2:
        text += "0"
    return text.replace(".", ",") + " %"


def missing_crime_figure_message(list_label_en: str, multiple: int) -> str:
    """The English line that asks for a crime figure, naming the options that supply it."""
    return (f"the crime criterion of {list_label_en} ({multiple} × the national average share of convicted adults) "
            f"cannot be decided: no figure published by that date is known. Give the national average with "
            f"--crime-national-average PCT, or the 3 × threshold of § 61 a with --crime-threshold PCT, or the "
            f"2 × threshold of § 61 b with --crime-threshold-forebyggelse PCT (one determines the others), or put it "
            f"in the workspace file raw/landsgennemsnit*")


@dataclass(frozen=True)
class CrimeFigures:
    """Every known crime figure, per list id; one is used per list, the others are alternatives."""

    figures: tuple = ()

    def for_list(self, list_id: str) -> list[CrimeFigure]:
        return [f for f in self.figures if f.list_id == list_id]

    def used(self, list_id: str) -> CrimeFigure | None:
        return next((f for f in self.for_list(list_id) if f.used), None)

    def known_on(self, day: dt.date) -> "CrimeFigures":
        """The figures public on ``day``: a report as of an earlier date does not know a later one.

        >>> import datetime as dt
        >>> figures = known_crime_figures()
        >>> figures.known_on(dt.date(2020, 9, 21)).used("2020-12-01") is None
        True
        >>> figures.known_on(dt.date(2020, 9, 30)).used("2020-12-01").value
        Decimal('2.27')
        """
        known = [f for f in self.figures if f.known_from is None or f.known_from <= day]
        for list_id in {f.list_id for f in known}:  # the used one unknown yet: the earliest known one stands in
            if not any(f.used for f in known if f.list_id == list_id):
                first = min((f for f in known if f.list_id == list_id), key=lambda f: f.known_from or day)
                known = [dataclasses.replace(f, used=True) if f is first else f for f in known]
        return CrimeFigures(tuple(known))

    def threshold(self, list_id: str, multiple: int) -> Threshold:
        """The crime threshold of a list, or UndecidedError saying what is missing.

        >>> t = known_crime_figures().threshold("2020-12-01", 3)
        >>> t.value, t.low == t.high
        (Decimal('2.27'), True)
        >>> known_crime_figures().threshold("2020-12-01", 2).value
        Decimal('1.513333333333333333333333333')
        """
        used = self.used(list_id)
        if used is None:
            from .lists import get_list

            raise UndecidedError(missing_crime_figure_message(get_list(list_id).label_en, multiple),
                                 code="no_threshold")
        threshold = used.threshold(multiple)
        others = tuple(f.threshold(multiple).value for f in self.for_list(list_id) if not f.used)
        return Threshold(threshold.value, threshold.low, threshold.high, multiple, used, others)

    def merged(self, other: "CrimeFigures") -> "CrimeFigures":
        """These figures with ``other``'s (the user's) added.

        The user's figure for a list becomes the one used, and the published ones stay as
        alternatives, but only when they agree (their national averages overlap within the
        rounding): a figure that contradicts a published one is refused, naming both.
        """
        figures = list(self.figures)
        for theirs in other.figures:
            mine = self.used(theirs.list_id)
            if mine is not None:
                low, high = mine.average_interval()
                their_low, their_high = theirs.average_interval()
                if their_high < low or their_low > high:
                    raise ParameterError(_conflict_message(mine, theirs))
            figures = [dataclasses.replace(f, used=False if f.list_id == theirs.list_id else f.used) for f in figures]
            figures.append(theirs)
        return CrimeFigures(tuple(figures))


def _conflict_message(published: CrimeFigure, given: CrimeFigure) -> str:
    from .lists import get_list

    def name(f: CrimeFigure) -> str:
        return "national average" if f.multiple is None else f"{f.multiple} × threshold"

    hint = ""
    if given.multiple is not None and published.multiple is not None and given.multiple != published.multiple \
            and abs(given.value - published.value) <= Decimal("0.01"):
        hint = f"; {given.value} % looks like the {published.multiple} × threshold, not the {given.multiple} × one"
    low, high = published.average_interval()
    return (f"{given.source}: {given.value} % as the {name(given)} of {get_list(given.list_id).label_en} contradicts "
            f"the published {name(published)} {published.value} % ({published.evidence}; {published.source}), which "
            f"puts the national average between {low} % and {high} %{hint}")


def check_plausible_average(figure: CrimeFigure, where: str) -> CrimeFigure:
    """Refuse a figure whose national average cannot be a share of convicted adults.

    >>> check_plausible_average(CrimeFigure("2024-12-01", Decimal("72")), "--crime-national-average")
    Traceback (most recent call last):
    ...
    boligdata.errors.ParameterError: --crime-national-average: 72 % gives a national average of 72 % convicted adults; expected between 0.1 % and 5 % (write 0,72 for 0,72 %)
    """
    low, high = figure.average_interval()
    if low < PLAUSIBLE_AVERAGE[0] or high > PLAUSIBLE_AVERAGE[1]:
        average = format(((low + high) / 2).normalize(), "f")
        raise ParameterError(
            f"{where}: {figure.value} % gives a national average of {average} % convicted adults; expected between "
            f"{PLAUSIBLE_AVERAGE[0]} % and {PLAUSIBLE_AVERAGE[1]} % (write 0,72 for 0,72 %)")
    return figure


_FIGURE_KEYS = ("evidence", "evidence_da", "source", "quote", "used")


@lru_cache(maxsize=1)
def known_crime_figures() -> CrimeFigures:
    """The crime figures that public sources state (data/crime_thresholds.yaml), validated.

    >>> [(f.list_id, f.multiple, f.value, f.used) for f in known_crime_figures().for_list("2019-12-01")]
    [('2019-12-01', 3, Decimal('2.03'), True), ('2019-12-01', 3, Decimal('1.98'), False)]
    """
    from .lists import get_list

    document = check_keys(package_yaml("crime_thresholds.yaml"), "crime_thresholds.yaml", required=["lists"])
    figures = []
    for list_id, entries in document["lists"].items():
        get_list(str(list_id))
        for number, entry in enumerate(entries, start=1):
            where = f"crime_thresholds.yaml: {list_id} figure {number}"
            check_keys(entry, where, required=list(_FIGURE_KEYS) + ["decimals"],
                       optional=["multiple", "threshold_pct", "national_average_pct", "note", "known_from"])
            if ("threshold_pct" in entry) == ("national_average_pct" in entry) or \
                    ("threshold_pct" in entry) != ("multiple" in entry):
                raise DataFileError(f"{where}: give multiple + threshold_pct, or national_average_pct")
            value = Decimal(str(entry.get("threshold_pct", entry.get("national_average_pct"))))
            known_from = entry.get("known_from", get_list(str(list_id)).known_by)
            if not isinstance(known_from, dt.date):
                raise DataFileError(f"{where}: known_from must be a date (YYYY-MM-DD), found {known_from!r}")
            figure = CrimeFigure(str(list_id), value, entry.get("multiple"), int(entry["decimals"]), entry["source"],
                                 entry["evidence"], entry["quote"], bool(entry["used"]), entry.get("note") or "",
                                 entry["evidence_da"], known_from)
            check_plausible_average(figure, where)
            figures.append(figure)
        if sum(f.used for f in figures if f.list_id == str(list_id)) != 1:
            raise DataFileError(f"crime_thresholds.yaml: {list_id}: exactly one figure must be 'used: true'")
    return CrimeFigures(tuple(figures))


def user_crime_figure(lst, *, national_average=None, threshold=None, threshold_forebyggelse=None,
                      source: str = "") -> CrimeFigures:
    """The figure a user gives for one list (at most one of the three), checked for plausibility.

    >>> user_crime_figure(2024, threshold=Decimal("2.4")).threshold("2024-12-01", 2).value
    Decimal('1.6')
    """
    from .lists import as_list

    lst = as_list(lst)
    given = [(v, m, flag) for v, m, flag in ((national_average, None, "--crime-national-average"),
                                             (threshold, 3, "--crime-threshold"),
                                             (threshold_forebyggelse, 2, "--crime-threshold-forebyggelse"))
             if v is not None]
    if not given:
        return CrimeFigures()
    if len(given) > 1:
        raise ParameterError(f"{' and '.join(f for _, _, f in given)}: give one figure; one determines the others")
    value, multiple, flag = given[0]
    figure = CrimeFigure(lst.id, Decimal(value), multiple, None, source or flag, "given by the user", "", True,
                         evidence_da="oplyst af brugeren")
    return CrimeFigures((check_plausible_average(figure, flag),))


def crime_figures_from_table(frame) -> CrimeFigures:
    """Crime figures from the workspace's ``crime_averages`` table (raw/landsgennemsnit*).

    >>> import pandas as pd
    >>> t = pd.DataFrame({"list_year": [2023], "national_average_pct": [0.7], "multiple": [None],
    ...                   "threshold_pct": [None], "source": ["x"]})
    >>> crime_figures_from_table(t).threshold("2023-12-01", 3).value
    Decimal('2.1')
    """
    import pandas as pd

    from .lists import resolve_list

    figures = []
    for row in frame.itertuples():
        lst = resolve_list(list_year=int(row.list_year))
        source = f"{row.source} (raw/landsgennemsnit)"
        if pd.notna(row.national_average_pct):
            figure = CrimeFigure(lst.id, Decimal(repr(float(row.national_average_pct))), None, None, source,
                                 "given in the workspace", evidence_da="oplyst i arbejdsområdets inddata")
        elif pd.notna(row.threshold_pct):
            if pd.isna(row.multiple):
                raise ParameterError(f"raw/landsgennemsnit: the threshold for {row.list_year} needs its multiplum")
            figure = CrimeFigure(lst.id, Decimal(repr(float(row.threshold_pct))), int(row.multiple), None, source,
                                 "given in the workspace", evidence_da="oplyst i arbejdsområdets inddata")
        else:
            continue
        figures.append(check_plausible_average(figure, f"raw/landsgennemsnit, list year {row.list_year}"))
    result = CrimeFigures()
    for figure in figures:
        result = result.merged(CrimeFigures((figure,)))
    return result
