"""The optional parts of the install: the analyst's tools and the PDF printer.

A report server needs neither: ``pip install boligdata`` builds the HTML reports and workbooks.
``boligdata[lab]`` adds JupyterLab, matplotlib and seaborn (the udforskning notebook and
``explore``'s plots), ``boligdata[pdf]`` adds Playwright (the PDFs, printed by Chromium).
``make report`` and ``make test`` install both. Code that needs an extra imports it through
``require``, so that where it is missing the user reads one line that names it.

>>> require("json", "lab").__name__
'json'
>>> require("no_such_module_here", "pdf")
Traceback (most recent call last):
...
boligdata.extras.MissingExtra: no_such_module_here is not installed: it comes with the extra 'pdf' (the PDFs): pip install 'boligdata[pdf]'
"""

from __future__ import annotations

import importlib

from .errors import BoligdataError

EXTRAS = {"lab": "the analyst's notebook and plots", "pdf": "the PDFs"}


class MissingExtra(BoligdataError, ImportError):
    """An optional package is not installed."""


def require(module: str, extra: str):
    """Import ``module``, which the extra ``extra`` installs; a one-line ``MissingExtra`` if absent."""
    try:
        return importlib.import_module(module)
    except ImportError:
        top = module.split(".")[0]
        raise MissingExtra(f"{top} is not installed: it comes with the extra {extra!r} ({EXTRAS[extra]}): "
                           f"pip install 'boligdata[{extra}]'") from None
