"""Disclosure control: a pass over every number a report will show, before it is rendered.

The policy (``data/disclosure.yaml``) says what is sensitive. A report registers every number
it shows in a ``Ledger`` with what it means (a share of a group, a count of persons with a
trait, a number derived from others), and how numbers are linked (a change between periods,
a distance to a threshold, a share of a target, a complementary pair, a gap to the
municipality). ``resolve`` then hides, first, what the policy names (primary suppression) and
then, until nothing hidden can be worked back, one more number of every link with exactly one
hidden member (secondary suppression). The same number has one entry however often it is
shown, so it is hidden everywhere or nowhere.

Every report sets the policy itself (``use``), so one built after an internal report in the
same process is public again.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache

from ..datafiles import check_choice, check_keys, package_yaml
from ..errors import DataFileError

CLASSES = ("trait", "population", "survey", "aggregate", "administrative")
RULES = ("threshold", "group_only", "publish")


@dataclass(frozen=True)
class Policy:
    min_count: int
    min_group: int
    labels: dict
    classes: dict
    indicators: dict
    counts: dict
    enabled: bool = True

    def indicator_class(self, indicator: str) -> str:
        """The class of an indicator; an indicator the policy does not name is treated as a trait."""
        return self.indicators.get(indicator, "trait")

    def count_class(self, kind: str) -> str:
        return self.counts.get(kind, "trait")

    def rule(self, cls: str) -> str:
        return self.classes[cls]["rule"]

    @property
    def persons_label_da(self) -> str:
        return self.labels["count_da"]

    @property
    def share_label_da(self) -> str:
        return self.labels["share_da"]

    def small_count(self, count) -> bool:
        """A count of persons with a trait that may not be published (1 to min_count - 1).

        >>> public().small_count(3), public().small_count(0), public().small_count(5)
        (True, False, False)
        """
        if not self.enabled or _missing(count):
            return False
        return 1 <= round(float(count)) <= self.min_count - 1

    def unsafe_share(self, share, group, cls: str = "trait") -> bool:
        """A share that may not be published: of a group under ``min_group``, or (for a trait) one
        from which a count of 1 to ``min_count`` - 1 persons with, or without, the trait follows.

        >>> public().unsafe_share(50.0, 8), public().unsafe_share(1.0, 200), public().unsafe_share(98.5, 200)
        (True, True, True)
        >>> public().unsafe_share(0.0, 200), public().unsafe_share(2.3, 962), public().unsafe_share(10.0, 15, "survey")
        (False, False, False)
        """
        if not self.enabled or _missing(share) or _missing(group):
            return False
        rule = self.rule(cls)
        if rule == "publish":
            return False
        group = float(group)
        if group < self.min_group:
            return True
        if rule == "group_only":
            return False
        count = round(float(share) * group / 100)
        return 1 <= count <= self.min_count - 1 or (count >= 1 and 0 <= group - count <= self.min_count - 1)


def _missing(value) -> bool:
    """None, NaN or pandas' NA: no number to judge."""
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN is not equal to itself
    except TypeError:  # pandas.NA: its comparison is NA, and NA has no truth value
        return True


def parse_policy(document) -> Policy:
    check_keys(document, "disclosure.yaml", required=["min_count", "min_group", "labels", "classes", "indicators",
                                                      "counts"])
    labels = check_keys(document["labels"], "disclosure.yaml labels", required=["count_da", "share_da", "amount_da"])
    for name, entry in document["classes"].items():
        check_choice(name, CLASSES, "disclosure.yaml classes")
        check_keys(entry, f"disclosure.yaml classes.{name}", required=["rule", "why"])
        check_choice(entry["rule"], RULES, f"disclosure.yaml classes.{name} rule")
    for where, mapping in (("indicators", document["indicators"]), ("counts", document["counts"])):
        for key, cls in mapping.items():
            check_choice(cls, list(document["classes"]), f"disclosure.yaml {where}.{key}")
    from ..catalog import load_catalog

    missing = sorted(set(load_catalog().index) - set(document["indicators"]))
    if missing:
        raise DataFileError(f"disclosure.yaml: no class for the indicators {', '.join(missing)}")
    return Policy(int(document["min_count"]), int(document["min_group"]), dict(labels), dict(document["classes"]),
                  dict(document["indicators"]), dict(document["counts"]))


@lru_cache(maxsize=1)
def public() -> Policy:
    """The policy for published reports (data/disclosure.yaml)."""
    return parse_policy(package_yaml("disclosure.yaml"))


def internal() -> Policy:
    """No suppression: for the organisation's own use only (the report says so in a banner)."""
    base = public()
    return Policy(base.min_count, base.min_group, base.labels, base.classes, base.indicators, base.counts,
                  enabled=False)


_ACTIVE: ContextVar[Policy | None] = ContextVar("boligdata_disclosure", default=None)


def active() -> Policy:
    """The policy in force (public unless a report said otherwise)."""
    return _ACTIVE.get() or public()


def use(policy: Policy) -> None:
    """Put ``policy`` in force; every report calls this at its start."""
    _ACTIVE.set(policy)


@dataclass
class Entry:
    key: tuple
    value: object
    kind: str            # share | count | derived
    cls: str             # a policy class, or "derived"
    group: float | None = None
    hidden: bool = False
    reason: str = ""


@dataclass
class Ledger:
    """Every number of one report, with its meaning and links; see the module docstring.

    >>> ledger = Ledger(public())
    >>> start = ledger.count(("support", "A", "publicly_supported", "2018W01"), 3, "support_counts")
    >>> latest = ledger.count(("support", "A", "publicly_supported", "2020W32"), 10, "support_counts")
    >>> change = ledger.derived(("change", "A", "publicly_supported"), 7, start, latest)
    >>> ledger.resolve()
    >>> ledger.hidden(start), ledger.hidden(latest), ledger.hidden(change)   # 10 - 7 would give the 3 back
    (True, False, True)
    """

    policy: Policy
    entries: dict = field(default_factory=dict)
    links: list = field(default_factory=list)  # (members, the order to hide them in)

    def _add(self, key, value, kind, cls, group=None) -> tuple:
        if key not in self.entries:
            self.entries[key] = Entry(key, value, kind, cls, None if _missing(group) else float(group))
        return key

    def share(self, key, value, indicator: str, group=None) -> tuple:
        """A share (in percent) of a group of ``group`` persons, of the indicator's class."""
        return self._add(key, value, "share", self.policy.indicator_class(indicator), group)

    def count(self, key, value, kind: str) -> tuple:
        """A count of persons (or of dwellings, staff, ...) of one of the policy's count kinds."""
        return self._add(key, value, "count", self.policy.count_class(kind))

    def indicator_count(self, key, value, indicator: str) -> tuple:
        """A count that is an indicator of the catalogue (residents, an age group)."""
        return self._add(key, value, "count", self.policy.indicator_class(indicator))

    def plain(self, key, value, cls: str = "aggregate") -> tuple:
        """A number that is no count of persons and no share (an amount, a grade, a constant)."""
        return self._add(key, value, "count", cls)

    def derived(self, key, value, *sources) -> tuple:
        """A number worked out from ``sources`` (and constants): any one of them follows from the others."""
        self._add(key, value, "derived", "derived")
        self.link(key, *sources)
        return key

    def link(self, *members, hide_first=None) -> None:
        """Numbers of which any one can be worked out from the others (hidden first: ``hide_first``)."""
        members = [m for m in members if m is not None]
        order = list(hide_first or members)
        self.links.append((members, order + [m for m in members if m not in order]))

    def resolve(self) -> None:
        """Primary, then secondary suppression, until no hidden number can be worked back."""
        if not self.policy.enabled:
            return
        for entry in self.entries.values():
            if entry.kind == "count" and entry.cls == "trait" and self.policy.small_count(entry.value):
                entry.hidden, entry.reason = True, "small count"
            elif entry.kind == "share" and self.policy.unsafe_share(entry.value, entry.group, entry.cls):
                entry.hidden, entry.reason = True, "small group or count"
        changed = True
        while changed:
            changed = False
            for members, order in self.links:
                hidden = [m for m in members if self.entries[m].hidden]
                if len(hidden) == 1:
                    other = next((m for m in order if not self.entries[m].hidden), None)
                    if other is not None:
                        self.entries[other].hidden, self.entries[other].reason = True, f"reveals {hidden[0]}"
                        changed = True

    def hidden(self, key) -> bool:
        entry = self.entries.get(key)
        return bool(entry and entry.hidden)

    def label(self, key) -> str:
        """The text a hidden number is shown as in a table."""
        entry = self.entries[key]
        return self.policy.labels["count_da"] if entry.kind == "count" else self.policy.labels["share_da"]

    def hidden_keys(self) -> set:
        return {key for key, entry in self.entries.items() if entry.hidden}


@dataclass(frozen=True)
class AreaView:
    """How one area's criteria may be shown in a report: which shares the ledger hides, and the
    key of each criterion's figure (for the marks on the numbers in sentences)."""

    area: str
    keys: dict = field(default_factory=dict)        # criterion id -> the ledger's key of its figure
    hidden_ids: frozenset = frozenset()

    def hidden(self, cid: str) -> bool:
        return cid in self.hidden_ids

    def key(self, cid: str) -> tuple:
        return self.keys.get(cid) or ("share", self.area, cid, "coming")

    @classmethod
    def open(cls, area: str) -> "AreaView":
        """Everything shown (the command line, an internal report)."""
        return cls(area)
