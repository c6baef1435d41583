"""The crime figure of each list: the national average share of convicted adults and its thresholds.

From the 2018 rules the crime criterion is a multiple of the national average (§ 61 a, stk. 1,
nr. 2: 3 ×; § 61 b, nr. 2: 2 ×), so its percentage changes with every list. The figures public
sources state are in ``data/crime_thresholds.yaml``, each with its quote and evidence grade; a
user or the workspace may give one (``user_crime_figure``, ``crime_figures_from_table``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from .datafiles import check_keys, package_yaml
from .errors import DataFileError, ParameterError, UndecidedError

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
    grade: str = "user"    # crime_thresholds.yaml `grades`: how strong the source is
    replaces: "CrimeFigure | None" = None  # the weaker published figure this (user's) figure contradicts and replaces

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

    def alternatives(self, list_id: str) -> list["CrimeFigures"]:
        """These figures once per other recorded figure of the list, with that one used instead.

        >>> [f.used("2019-12-01").value for f in known_crime_figures().alternatives("2019-12-01")]
        [Decimal('1.98')]
        """
        others = [f for f in self.for_list(list_id) if not f.used]
        return [CrimeFigures(tuple(dataclasses.replace(f, used=f is other) if f.list_id == list_id else f
                                   for f in self.figures)) for other in others]

    def carried_to(self, source_list: str, target_list: str) -> "CrimeFigures":
        """These figures with ``source_list``'s used figure standing in for ``target_list``'s, which is
        not public yet (the way for the following list is computed with the coming list's threshold)."""
        used = self.used(source_list)
        if used is None or self.used(target_list) is not None:
            return self
        return CrimeFigures(self.figures + (dataclasses.replace(used, list_id=target_list),))

    def merged(self, other: "CrimeFigures") -> "CrimeFigures":
        """These figures with ``other``'s (the user's) added.

        The user's figure for a list becomes the one used, and the published ones stay as
        alternatives where they agree (their national averages overlap within the rounding). A
        figure that contradicts a published one replaces it where the published figure's evidence
        grade is weaker than the user's (``warnings`` names both); against a stronger one it is
        refused, naming both.

        >>> weak = known_crime_figures().merged(user_crime_figure(2023, threshold=Decimal("2.1")))
        >>> weak.used("2023-12-01").value, weak.used("2023-12-01").replaces.value
        (Decimal('2.1'), Decimal('2.35'))
        >>> [f.value for f in weak.for_list("2023-12-01")]   # the contradicted figure is not an alternative
        [Decimal('2.1')]
        """
        figures = list(self.figures)
        for theirs in other.figures:
            mine = self.used(theirs.list_id)
            if mine is not None:
                low, high = mine.average_interval()
                their_low, their_high = theirs.average_interval()
                if their_high < low or their_low > high:
                    if grade_rank(mine.grade) <= grade_rank(theirs.grade):
                        raise ParameterError(_conflict_message(mine, theirs))
                    theirs = dataclasses.replace(theirs, replaces=mine)
                    figures = [f for f in figures if f is not mine]
            figures = [dataclasses.replace(f, used=False if f.list_id == theirs.list_id else f.used) for f in figures]
            figures.append(theirs)
        return CrimeFigures(tuple(figures))

    def warnings(self) -> list[str]:
        """One English line per user figure that replaces a contradicting, weaker published figure."""
        lines = []
        for f in self.figures:
            if f.used and f.replaces is not None:
                old = f.replaces
                lines.append(f"{f.source}: {f.value} % for {_list_label(f.list_id)} replaces the published "
                             f"{old.value} % ({old.evidence}; {old.source}), which it contradicts: the published figure "
                             f"is graded '{old.grade}', weaker than a figure given by the user")
        return lines


def _list_label(list_id: str) -> str:
    from .lists import get_list

    return get_list(list_id).label_en


@lru_cache(maxsize=1)
def grades() -> dict[str, dict]:
    """The evidence grades of crime figures, strongest first (crime_thresholds.yaml ``grades``).

    >>> list(grades())
    ['official', 'stated', 'secondary', 'user', 'weak']
    """
    document = package_yaml("crime_thresholds.yaml")
    found = {}
    for number, entry in enumerate(document.get("grades") or [], start=1):
        check_keys(entry, f"crime_thresholds.yaml: grade {number}", required=["id", "label_da"])
        found[entry["id"]] = {"rank": number, "label_da": entry["label_da"]}
    if "user" not in found:
        raise DataFileError("crime_thresholds.yaml: the grades must include 'user' (a figure the user gives)")
    return found


def grade_rank(grade: str) -> int:
    """The rank of a grade: 1 is the strongest."""
    return grades()[grade]["rank"]


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
            f"puts the national average between {low} % and {high} %{hint}; a published figure graded "
            f"'{published.grade}' is not replaced by a user's figure")


def check_plausible_average(figure: CrimeFigure, where: str) -> CrimeFigure:
    """Refuse a figure whose national average cannot be a share of convicted adults.

    >>> check_plausible_average(CrimeFigure("2024-12-01", Decimal("72")), "--crime-national-average")
    Traceback (most recent call last):
    ...
    boligdata.errors.ParameterError: --crime-national-average: 72 % gives a national average of 72 % convicted adults; expected between 0.1 % and 5 % (write 0,72 for 0,72 %)
    """
    from .plausibility import load_plausibility

    # The possible range of a national average share convicted (plausibility.yaml, with its reason).
    possible = load_plausibility().possible("convicted_pct", "pct", "country")
    low, high = figure.average_interval()
    if possible.outside(float(low)) or possible.outside(float(high)):
        average = format(((low + high) / 2).normalize(), "f")
        raise ParameterError(
            f"{where}: {figure.value} % gives a national average of {average} % convicted adults; expected between "
            f"{possible.low} % and {possible.high} % (write 0,72 for 0,72 %)")
    return figure


_FIGURE_KEYS = ("evidence", "evidence_da", "source", "quote", "used")


@lru_cache(maxsize=1)
def known_crime_figures() -> CrimeFigures:
    """The crime figures that public sources state (data/crime_thresholds.yaml), validated.

    >>> [(f.list_id, f.multiple, f.value, f.used) for f in known_crime_figures().for_list("2019-12-01")]
    [('2019-12-01', 3, Decimal('2.03'), True), ('2019-12-01', 3, Decimal('1.98'), False)]
    """
    from .lists import get_list

    document = check_keys(package_yaml("crime_thresholds.yaml"), "crime_thresholds.yaml", required=["grades", "lists"])
    figures = []
    for list_id, entries in document["lists"].items():
        get_list(str(list_id))
        for number, entry in enumerate(entries, start=1):
            where = f"crime_thresholds.yaml: {list_id} figure {number}"
            check_keys(entry, where, required=list(_FIGURE_KEYS) + ["decimals", "grade"],
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
                                 entry["evidence_da"], known_from, entry["grade"])
            if entry["grade"] not in grades() or entry["grade"] == "user":
                raise DataFileError(f"{where}: grade must be one of {', '.join(g for g in grades() if g != 'user')}")
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
