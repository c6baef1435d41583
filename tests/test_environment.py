"""environment.yml (for conda users) must ask for what pyproject.toml asks for."""

import re
import tomllib

import yaml
from conftest import PROJECT


def requirement_name(spec: str) -> str:
    return re.split(r"[<>=!~ \[]", spec.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_agrees_with_pyproject():
    project = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    wanted = {requirement_name(s): s.replace(" ", "") for s in
              project["dependencies"] + extras["lab"] + extras["pdf"] + extras["test"]}
    env = yaml.safe_load((PROJECT / "environment.yml").read_text(encoding="utf-8"))
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    # A package conda-forge does not have is listed under pip, with the same version.
    listed = conda + [p.split("#")[0].strip() for p in pip if not p.startswith("-e")]
    have = {requirement_name(s): s.replace(" ", "") for s in listed if requirement_name(s) not in ("python", "pip")}
    assert have == wanted
    assert "python=3.11" in conda and "pip" in conda
    assert "-e .[lab,pdf,test]" in pip


# The import name of a package where it differs from its distribution's name.
IMPORT_NAMES = {"yaml": "pyyaml", "python_calamine": "python-calamine", "jupyter_client": "jupyter-client",
                "jupyter_core": "jupyter-core", "IPython": "ipython"}


def test_every_package_the_code_imports_is_declared():
    """Every third-party module imported anywhere in boligdata/ (at the top or inside a function)
    is a declared dependency in pyproject.toml."""
    import ast
    import sys

    project = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {requirement_name(s) for s in project["dependencies"]}
    imported = set()
    for path in (PROJECT / "boligdata").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    third_party = {name for name in imported if name not in sys.stdlib_module_names and name != "boligdata"}
    missing = {name for name in third_party if IMPORT_NAMES.get(name, name).replace("_", "-") not in declared}
    assert not missing, f"imported but not declared in pyproject.toml: {sorted(missing)}"


def test_the_extras_are_optional_and_say_so_in_one_line(monkeypatch):
    """JupyterLab, matplotlib, seaborn (lab) and Playwright (pdf) are extras: no module of the
    package imports them directly (only through extras.require, as the test above shows by not
    finding them), and a missing one gives one line that names it and the extra."""
    import sys

    import pytest

    from boligdata.extras import MissingExtra, require

    project = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    core = {requirement_name(s) for s in project["dependencies"]}
    assert not core & {"jupyterlab", "matplotlib", "seaborn", "playwright"}
    assert "lab,pdf" in (PROJECT / "Makefile").read_text(encoding="utf-8")  # make installs both
    monkeypatch.setitem(sys.modules, "seaborn", None)  # as if not installed
    with pytest.raises(MissingExtra) as caught:
        require("seaborn", "lab")
    assert str(caught.value) == ("seaborn is not installed: it comes with the extra 'lab' (the analyst's notebook "
                                 "and plots): pip install 'boligdata[lab]'")
    from boligdata.publish import pdf

    monkeypatch.setitem(sys.modules, "playwright", None)
    monkeypatch.setitem(sys.modules, "playwright.sync_api", None)
    monkeypatch.setattr(pdf, "chromium_path", lambda: "/usr/bin/chromium")
    with pytest.raises(pdf.PdfEngineMissing, match=r"^no PDF written: playwright is not installed: .*"
                                                    r"pip install 'boligdata\[pdf\]'; the HTML is written$"):
        pdf.PdfPrinter().__enter__()


def test_the_lower_bounds_are_the_versions_ci_tests():
    """Every package's lower bound in pyproject.toml is the version constraints.txt pins, which
    is what `make setup` installs and so what CI tests; this environment has exactly those."""
    from importlib.metadata import version

    project = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    specs = project["dependencies"] + [s for extra in project["optional-dependencies"].values() for s in extra]
    pins = {}
    for line in (PROJECT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, pinned = line.split("==")
            pins[requirement_name(name)] = pinned.strip()
    for spec in specs:
        name = requirement_name(spec)
        lower = re.search(r"(?:>=|==)([\w.]+)", spec).group(1)
        assert pins.get(name) == lower, f"{spec}: constraints.txt pins {pins.get(name)}"
        assert version(name) == lower, f"{name} {version(name)} is installed; CI tests {lower}"
    assert set(pins) == {requirement_name(s) for s in specs}
