"""Danmarks Statistik's municipality and region codes (``data/kommuner.csv``)."""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from .paths import DATA_DIR

COUNTRY_CODE = "000"


@lru_cache(maxsize=1)
def _municipalities() -> pd.DataFrame:
    frame = pd.read_csv(DATA_DIR / "kommuner.csv", comment="#", dtype=str)
    return frame.set_index("municipality_code", drop=False)


def municipalities() -> pd.DataFrame:
    """The 98 municipalities with name, region code and region name.

    >>> m = municipalities()
    >>> len(m), m.loc["461", "municipality_name"], m.loc["330", "region_code"]
    (98, 'Odense', '085')
    """
    return _municipalities().copy()


def regions() -> dict[str, str]:
    """Region code to region name.

    >>> regions()["083"]
    'Region Syddanmark'
    """
    frame = _municipalities()
    return dict(zip(frame["region_code"], frame["region_name"]))


def normalise_kommunekode(code) -> str:
    """A kommunekode as three digits, or ValueError naming what was expected.

    >>> normalise_kommunekode("461"), normalise_kommunekode(101.0)
    ('461', '101')
    >>> normalise_kommunekode("999")
    Traceback (most recent call last):
    ...
    ValueError: a kommunekode of Danmarks Statistik (3 digits, e.g. 461 for Odense); 999 is not a municipality
    """
    text = str(int(code)) if isinstance(code, float) and code.is_integer() else str(code).strip()
    if text.isdigit():
        text = text.zfill(3)
        if text in _municipalities().index:
            return text
        raise ValueError(
            f"a kommunekode of Danmarks Statistik (3 digits, e.g. 461 for Odense); {text} is not a municipality"
        )
    raise ValueError("a kommunekode of Danmarks Statistik (3 digits, e.g. 461 for Odense)")


def find_municipality(value) -> str:
    """A municipality's code from its kommunekode or its name, or ValueError.

    >>> find_municipality("461"), find_municipality("Odense"), find_municipality("høje-taastrup")
    ('461', '461', '169')
    """
    from .readers.values import normalise_key

    known = _municipalities()
    text = str(value).strip()
    if text.isdigit() and text.zfill(3) in known.index:
        return text.zfill(3)
    by_name = {normalise_key(n): c for c, n in known["municipality_name"].items()}
    if normalise_key(text) in by_name:
        return by_name[normalise_key(text)]
    raise ValueError(f"unknown municipality {value!r} (a kommunekode such as 461, or a name)")
