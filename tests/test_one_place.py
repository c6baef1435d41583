"""The law's vocabulary and the report templates live in one place each.

Which criteria exist, their Danish names and the designations' labels come from rules.yaml;
which report templates exist comes from report_templates.yaml. No module of the package spells
them out in its code (docstring examples aside), so a change of the law or a new template is one
edit of a data file.
"""

import ast
from pathlib import Path

from boligdata.datafiles import package_yaml
from boligdata.paths import PACKAGE_DIR
from boligdata.publish.registry import templates


def code_strings(path: Path) -> list[str]:
    """Every string literal of a module that is not a docstring."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    return [node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]


def vocabulary() -> set[str]:
    rules = package_yaml("rules.yaml")
    words = {w["name_da"] for w in rules["vocabulary"].values()} | {w["column_da"] for w in rules["vocabulary"].values()}
    for version in rules["versions"]:
        for designation in version["designations"].values():
            words |= {designation["label_da"], designation["plural_da"]}
    return words


def test_no_module_spells_out_the_laws_words():
    words = vocabulary()
    offenders = []
    for path in PACKAGE_DIR.rglob("*.py"):
        for text in code_strings(path):
            offenders += [(path.name, w) for w in words if w in text]
    assert not offenders, offenders


def test_no_module_names_a_report_template():
    # A template's name may also be a word of the input templates (geografiniveau "helhedsplan").
    inputs = {key for kind in package_yaml("inputs.yaml")["kinds"].values() for column in kind["columns"]
              for key in (column.get("values") or {})}
    names = set(templates()) - inputs
    offenders = [(path.name, text) for path in PACKAGE_DIR.rglob("*.py") for text in code_strings(path)
                 if text in names]
    assert not offenders, offenders


def test_every_template_has_its_notebook_and_module():
    import importlib

    from boligdata.paths import NOTEBOOKS_DIR

    for template in templates().values():
        assert (NOTEBOOKS_DIR / template.notebook).exists(), template.notebook
        importlib.import_module(template.module)
