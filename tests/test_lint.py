"""The code has no unused names or syntax errors (ruff's pyflakes rules), in the package and the tests."""

import subprocess
import sys

from conftest import PROJECT


def test_ruff_finds_nothing():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--select", "F,E9", "--no-cache",
                             "boligdata", "tests", "benchmarks", "sample"], cwd=PROJECT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
