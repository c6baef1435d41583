"""environment.yml (for conda users) must ask for what pyproject.toml asks for."""

import re
import tomllib

import yaml
from conftest import PROJECT


def requirement_name(spec: str) -> str:
    return re.split(r"[<>=!~ \[]", spec.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_agrees_with_pyproject():
    project = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = {requirement_name(s): s.replace(" ", "") for s in
              project["dependencies"] + project["optional-dependencies"]["test"]}
    env = yaml.safe_load((PROJECT / "environment.yml").read_text(encoding="utf-8"))
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    # A package conda-forge does not have is listed under pip, with the same version.
    listed = conda + [p.split("#")[0].strip() for p in pip if not p.startswith("-e")]
    have = {requirement_name(s): s.replace(" ", "") for s in listed if requirement_name(s) not in ("python", "pip")}
    assert have == wanted
    assert "python=3.11" in conda and "pip" in conda
    assert "-e .[test]" in pip


# The import name of a package where it differs from its distribution's name.
IMPORT_NAMES = {"yaml": "pyyaml", "python_calamine": "python-calamine", "jupyter_client": "jupyter-client"}


def test_every_package_the_code_imports_is_declared():
    """Every third-party module imported anywhere in boligdata/ (at the top or inside a function)
    is a declared dependency in pyproject.toml."""
    import ast
    import sys

    project = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {requirement_name(s) for s in project["dependencies"]}
    imported = set()
    for path in (PROJECT / "boligdata").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    third_party = {name for name in imported if name not in sys.stdlib_module_names and name != "boligdata"}
    missing = {name for name in third_party if IMPORT_NAMES.get(name, name).replace("_", "-") not in declared}
    assert not missing, f"imported but not declared in pyproject.toml: {sorted(missing)}"
