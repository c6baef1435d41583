"""boligdata: indicators, list criteria and committee reports for Danish housing areas.

>>> import boligdata
>>> tables = boligdata.load()          # doctest: +SKIP
>>> sorted(boligdata.load_catalog().columns)[:3]
['better', 'definition', 'group']
"""

__version__ = "0.1.0"

from .catalog import load_catalog  # noqa: E402
from .load import load  # noqa: E402
from .readers.statbank import read_statbank_csv  # noqa: E402

__all__ = ["__version__", "load", "load_catalog", "read_statbank_csv"]
