"""The report templates (``data/report_templates.yaml``): the one list the runner, batch and tests read."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ..datafiles import check_choice, check_keys, package_yaml

SCOPES = ("municipality", "area", "plan", "region")


@dataclass(frozen=True)
class Template:
    name: str
    scope: str
    notebook: str
    module: str
    title_da: str
    description: str
    previous_quarter: bool = False  # compares with the quarter before (its snapshot is computed once per batch)


@lru_cache(maxsize=1)
def _document() -> dict:
    document = check_keys(package_yaml("report_templates.yaml"), "report_templates.yaml",
                          required=["templates", "analyst_notebooks"])
    for name, entry in document["templates"].items():
        where = f"report_templates.yaml: {name}"
        check_keys(entry, where, required=["scope", "notebook", "module", "title_da", "description"],
                   optional=["previous_quarter"])
        check_choice(entry["scope"], SCOPES, where + " scope")
    return document


def templates() -> dict[str, Template]:
    """Every report template by name.

    >>> {name: t.scope for name, t in templates().items()}
    {'kvartalsrapport': 'municipality', 'omraadeprofil': 'area', 'helhedsplan': 'plan', 'landsoversigt': 'region'}
    """
    return {name: Template(name, **entry) for name, entry in _document()["templates"].items()}


def analyst_notebooks() -> tuple[str, ...]:
    """Notebooks for analysts, not reports."""
    return tuple(_document()["analyst_notebooks"])
