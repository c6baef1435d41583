"""Disclosure control: small counts of persons are never shown as numbers in a public report.

The policy comes from ``data/disclosure.yaml``. Every report sets it at its start
(``ReportContext``), so a report built after an internal one in the same kernel is public
again. Formatting functions ask ``active()``.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache

from ..datafiles import check_keys, package_yaml


@dataclass(frozen=True)
class Policy:
    min_persons: int
    persons_label_da: str
    min_denominator: int
    share_label_da: str
    enabled: bool = True

    def persons(self, count) -> str | None:
        """The suppression label for a count of persons, or None if it may be shown.

        >>> public().persons(3), public().persons(7), public().persons(-2)
        ('færre end 5', None, 'færre end 5')
        """
        if not self.enabled or count is None:
            return None
        try:
            small = abs(float(count)) < self.min_persons
        except (TypeError, ValueError):
            return None
        return self.persons_label_da if small else None

    def share(self, denominator) -> str | None:
        """The suppression label for a share of a group of ``denominator`` persons, or None."""
        if not self.enabled or denominator is None:
            return None
        try:
            return self.share_label_da if float(denominator) < self.min_denominator else None
        except (TypeError, ValueError):
            return None


@lru_cache(maxsize=1)
def public() -> Policy:
    """The policy for published reports (data/disclosure.yaml)."""
    document = check_keys(package_yaml("disclosure.yaml"), "disclosure.yaml",
                          required=["min_persons", "persons_label_da", "min_denominator", "share_label_da", "source"])
    return Policy(int(document["min_persons"]), document["persons_label_da"], int(document["min_denominator"]),
                  document["share_label_da"])


def internal() -> Policy:
    """No suppression: for the organisation's own use only."""
    base = public()
    return Policy(base.min_persons, base.persons_label_da, base.min_denominator, base.share_label_da, enabled=False)


_ACTIVE: ContextVar[Policy | None] = ContextVar("boligdata_disclosure", default=None)


def active() -> Policy:
    """The policy in force (public unless a report said otherwise)."""
    return _ACTIVE.get() or public()


def use(policy: Policy) -> None:
    """Put ``policy`` in force; every report calls this at its start."""
    _ACTIVE.set(policy)
