"""The indicator catalogue (``data/indicators.yaml``), validated on load."""

from __future__ import annotations


import pandas as pd

from .datafiles import check_choice, check_keys, package_yaml, vocabulary_cache
from .errors import DataFileError

UNITS = ("pct", "persons", "grade", "dkk", "per_1000", "pct_of_region")
DIRECTIONS = ("lower", "higher", "none")
GROUPS = ("list_criterion", "population", "lbf_fixed", "plan_goal", "profile")
_REQUIRED = ("id", "label_da", "group", "unit", "better", "population", "source", "definition")
_OPTIONAL = ("tolerance", "municipal_baseline", "small_shares")


@vocabulary_cache
def _catalog() -> pd.DataFrame:
    document = check_keys(package_yaml("indicators.yaml"), "indicators.yaml", required=["indicators"])
    rows, seen = [], set()
    for number, entry in enumerate(document["indicators"], start=1):
        where = f"indicators.yaml: entry {number} ({entry.get('id', '?') if isinstance(entry, dict) else '?'})"
        check_keys(entry, where, required=_REQUIRED, optional=_OPTIONAL)
        check_choice(entry["unit"], UNITS, where + " unit")
        check_choice(entry["better"], DIRECTIONS, where + " better")
        check_choice(entry["group"], GROUPS, where + " group")
        if entry["id"] in seen:
            raise DataFileError(f"{where}: duplicate id")
        seen.add(entry["id"])
        rows.append(
            {
                **{k: entry[k] for k in _REQUIRED},
                "tolerance": float(entry.get("tolerance", 0.0)),
                "municipal_baseline": bool(entry.get("municipal_baseline", True)),
                "small_shares": bool(entry.get("small_shares", False)),
            }
        )
    return pd.DataFrame(rows).set_index("id", drop=False)


def load_catalog() -> pd.DataFrame:
    """The catalogue as a frame indexed by indicator id (a copy; change it freely).

    >>> cat = load_catalog()
    >>> cat.loc["convicted_pct", ["unit", "better", "population"]].tolist()
    ['pct', 'lower', '18 år og derover']
    >>> int((cat["group"] == "lbf_fixed").sum())
    9
    """
    return _catalog().copy()


def indicator(indicator_id: str) -> pd.Series:
    """One catalogue entry; an unknown id is an error that lists the known ones.

    >>> indicator("residents")["label_da"]
    'Antal beboere'
    """
    catalog = _catalog()
    if indicator_id not in catalog.index:
        raise DataFileError(f"unknown indicator '{indicator_id}' (see docs/indicators.md)")
    return catalog.loc[indicator_id]
