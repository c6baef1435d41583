"""The report run's time limits (``data/run_settings.yaml``), validated on load."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ..datafiles import check_keys, check_positive, package_yaml


@dataclass(frozen=True)
class Timeouts:
    worker_start: float
    preload: float
    cell: float
    reply: float


@lru_cache(maxsize=1)
def timeouts() -> Timeouts:
    """The time limits in seconds.

    >>> timeouts().cell, timeouts().worker_start
    (900.0, 60.0)
    """
    document = check_keys(package_yaml("run_settings.yaml"), "run_settings.yaml", required=["timeouts"])
    entry = check_keys(document["timeouts"], "run_settings.yaml: timeouts", required=list(Timeouts.__dataclass_fields__))
    check_positive(entry, "run_settings.yaml: timeouts", what="number of seconds")
    return Timeouts(**{k: float(v) for k, v in entry.items()})
