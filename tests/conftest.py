"""Shared fixtures: a throw-away copy of the bundled sample as a workspace."""

import shutil
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent


@pytest.fixture
def sample_workspace(tmp_path) -> Path:
    """A workspace holding a copy of the bundled raw/ (so tests never touch the real one)."""
    root = tmp_path / "ws"
    shutil.copytree(PROJECT / "raw", root / "raw")
    (root / "processed").mkdir()
    (root / "reports").mkdir()
    return root


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path
