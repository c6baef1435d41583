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
