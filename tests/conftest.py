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


@pytest.fixture(scope="session")
def sample_reports(tmp_path_factory):
    """Every report `make report` builds from the sample, built once with the batch."""
    from boligdata.paths import Workspace
    from boligdata.publish.batch import run_batch
    from boligdata.publish.runner import all_jobs

    root = tmp_path_factory.mktemp("sample-reports") / "ws"
    shutil.copytree(PROJECT / "raw", root / "raw")
    ws = Workspace(root)
    jobs = all_jobs("2020Q3", root) + all_jobs("2024Q4", root, ["helhedsplan"])
    pdf = shutil.which("chromium") is not None  # make test installs Debian's Chromium; the PDF tests need it
    for quarter in ("2020Q3", "2024Q4"):
        summary = run_batch([j for j in jobs if j.quarter == quarter], ws, workers=2, progress=False, pdf=pdf)
        assert summary["failed"] == 0, summary
    return ws, sorted(ws.reports.rglob("*.html"))


@pytest.fixture(scope="session")
def national_reports(tmp_path_factory):
    """Every report of three municipalities of the synthetic national data (2025Q3), built with the batch."""
    from boligdata.paths import Workspace
    from boligdata.publish.batch import run_batch
    from boligdata.publish.runner import all_jobs
    from boligdata.synthetic import national_raw

    root = tmp_path_factory.mktemp("national") / "ws"
    national_raw(root / "raw", codes=["147", "825", "330"], first_year=2019, last_year=2024)
    ws = Workspace(root)
    summary = run_batch(all_jobs("2025Q3", root), ws, workers=2, progress=False)
    assert summary["failed"] == 0, summary
    return ws, sorted(ws.reports.rglob("*.html"))


def need_chromium():
    """Skip a test that needs Chromium where it is missing; fail in CI, where make test installs it."""
    import os

    if shutil.which("chromium") is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing in CI; make test installs it (Makefile target 'browser')")
        pytest.skip("chromium is not installed (make test installs it where it can)")
