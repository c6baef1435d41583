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
def _shipped_yaml(name: str) -> Any:
    return read_yaml(DATA_DIR / name)


# A workspace's own vocabulary (boligdata.vocabulary): package files as merged with the
# workspace's raw/ files, in force for the workspace being ingested or loaded.
_OVERRIDES: dict[str, Any] = {}
_GENERATION = [0]


def package_yaml(name: str) -> Any:
    """A YAML file shipped in ``boligdata/data/``, or the workspace's merged version of it while
    a workspace vocabulary is in force (cached; treat it as read-only)."""
    if name in _OVERRIDES:
        return _OVERRIDES[name]
    return _shipped_yaml(name)


def shipped_yaml(name: str) -> Any:
    """The package's own version of a data file, whatever the workspace says."""
    return _shipped_yaml(name)


def overrides() -> dict[str, Any]:
    """A copy of the merged documents in force."""
    return dict(_OVERRIDES)


def set_overrides(documents: dict[str, Any]) -> None:
    """Put merged documents in force in place of the package's (empty: the package's own)."""
    if documents == _OVERRIDES:
        return
    _OVERRIDES.clear()
    _OVERRIDES.update(documents)
    _GENERATION[0] += 1


def vocabulary_cache(func):
    """Cache a loader's result until the vocabulary in force changes (``set_overrides``).

    >>> calls = []
    >>> @vocabulary_cache
    ... def loader():
    ...     calls.append(1)
    ...     return len(calls)
    >>> loader(), loader()
    (1, 1)
    """
    import functools

    cache: dict = {}

    @functools.wraps(func)
    def cached():
        if cache.get("generation") != _GENERATION[0]:
            cache["value"], cache["generation"] = func(), _GENERATION[0]
        return cache["value"]

    cached.cache_clear = cache.clear
    return cached


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


def check_positive(entry: dict, where: str, *, whole: bool = False, what: str | None = None) -> dict:
    """Fail unless every value of ``entry`` is a number above 0 (a whole number with ``whole``);
    ``what`` names the kind of number in the message.

    >>> check_positive({"cell": 900}, "run_settings.yaml: timeouts")
    {'cell': 900}
    >>> check_positive({"cell": "lang"}, "run_settings.yaml: timeouts")
    Traceback (most recent call last):
    ...
    boligdata.errors.DataFileError: run_settings.yaml: timeouts.cell must be a number above 0, not 'lang'
    """
    kinds = (int,) if whole else (int, float)
    for name, value in entry.items():
        if isinstance(value, bool) or not isinstance(value, kinds) or value <= 0:
            kind = what or ("whole number" if whole else "number")
            raise DataFileError(f"{where}.{name} must be a {kind} above 0, not {value!r}")
    return entry
