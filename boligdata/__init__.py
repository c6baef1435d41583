"""boligdata: indicators, list criteria and committee reports for Danish housing areas.

>>> import boligdata
>>> tables = boligdata.load()          # doctest: +SKIP
>>> sorted(boligdata.load_catalog().columns)[:3]
['better', 'definition', 'group']
"""

__version__ = "0.1.0"

__all__ = ["__version__", "load", "load_catalog", "read_statbank_csv"]

# Imported on first use, not with the package: the command line starts the batch's worker
# processes before it imports pandas (docs/performance.md).
_LAZY = {"load": ".loader", "load_catalog": ".catalog", "read_statbank_csv": ".readers.statbank"}


def __getattr__(name: str):
    if name in _LAZY:
        from importlib import import_module

        value = getattr(import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'boligdata' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


def warm() -> None:
    """Read and validate every rule and setting the reports use, once per process (each loader
    keeps what it read). A batch worker process calls this before its first report.

    >>> warm()
    """
    from .catalog import load_catalog
    from .crime import known_crime_figures
    from .lists import load_lists
    from .municipalities import municipalities, regions
    from .plan import plan_settings
    from .present import disclosure
    from .publish.registry import templates
    from .risk import band_settings
    from .rules import load_rules
    from .snapshot.figures import precedence

    for loader in (load_catalog, load_lists, load_rules, known_crime_figures, municipalities, regions, plan_settings,
                   band_settings, precedence, templates, disclosure.public):
        loader()
