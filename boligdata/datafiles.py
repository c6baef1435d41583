"""Strict loading of the package's YAML and CSV data files.

The rules, the catalogue and the settings are data, so a typo in them must fail loudly
at load time rather than change a result quietly: unknown keys and missing keys are
errors that name the file and the entry.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

import yaml

from .errors import DataFileError
from .paths import DATA_DIR


def read_yaml(path: Path) -> Any:
    """Parse one YAML file; a syntax error names the file."""
    try:
        with open(path, encoding="utf-8") as handle:
            # libyaml's safe loader where PyYAML has it (its wheels do): the same result, ten times faster.
            return yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise DataFileError(f"{path.name}: not valid YAML ({exc})") from None


@lru_cache(maxsize=None)
def package_yaml(name: str) -> Any:
    """A YAML file shipped in ``boligdata/data/`` (cached; treat it as read-only)."""
    return read_yaml(DATA_DIR / name)


def check_keys(entry: Any, where: str, *, required: Iterable[str], optional: Iterable[str] = ()) -> dict:
    """Fail unless ``entry`` is a mapping with all ``required`` keys and no others.

    >>> check_keys({"id": 1}, "x.yaml: entry 1", required=["id"])
    {'id': 1}
    >>> check_keys({"id": 1, "idd": 2}, "x.yaml: entry 1", required=["id"])
    Traceback (most recent call last):
    ...
    boligdata.errors.DataFileError: x.yaml: entry 1: unknown key 'idd' (allowed: id)
    """
    required, optional = list(required), list(optional)
    if not isinstance(entry, dict):
        raise DataFileError(f"{where}: expected a mapping of keys, found {type(entry).__name__}")
    allowed = required + optional
    for key in entry:
        if key not in allowed:
            raise DataFileError(f"{where}: unknown key '{key}' (allowed: {', '.join(allowed)})")
    for key in required:
        if key not in entry:
            raise DataFileError(f"{where}: missing key '{key}'")
    return entry


def check_choice(value: Any, choices: Iterable[Any], where: str) -> Any:
    """Fail unless ``value`` is one of ``choices``."""
    choices = list(choices)
    if value not in choices:
        raise DataFileError(f"{where}: {value!r} is not one of {', '.join(map(str, choices))}")
    return value
