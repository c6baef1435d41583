"""Nothing lost: a run killed part-way leaves no partial file in place of a good one."""

import hashlib
import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

from boligdata import load
from boligdata.cli import main


def boligdata(*args):
    return subprocess.Popen([sys.executable, "-m", "boligdata.cli", *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def kill_after(process, seconds):
    time.sleep(seconds)
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)  # the whole group: the CLI and any kernel it started
    process.wait()


@pytest.mark.parametrize("delay", [0.6, 1.2, 1.8, 2.4])
def test_ingest_killed_part_way(sample_workspace, delay):
    assert main(["ingest", "--workspace", str(sample_workspace)]) == 0
    old = {p.name: p.read_bytes() for p in (sample_workspace / "processed").glob("*.parquet")}
    # Change an input so that the next ingest rewrites every table.
    path = sample_workspace / "raw" / "forsoergelse.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(";382;", ";383;"), encoding="utf-8")
    kill_after(boligdata("ingest", "--workspace", str(sample_workspace)), delay)
    for table in (sample_workspace / "processed").glob("*.parquet"):
        pd.read_parquet(table)  # every table in place is whole: the old one or the new one
    # The next load notices a half-finished swap (or an old manifest) and gets back in step with raw/.
    assert 383 in load(sample_workspace).support_counts["count"].tolist()
    assert not list((sample_workspace / "processed").glob(".*.tmp"))
    assert set(old) == {p.name for p in (sample_workspace / "processed").glob("*.parquet")}


def slow_templates(folder):
    """A copy of the report templates whose area profile stops for a minute after its first
    section: a kill then lands while the report is half built, however fast the machine."""
    import shutil

    import nbformat

    from boligdata.paths import NOTEBOOKS_DIR

    shutil.copytree(NOTEBOOKS_DIR, folder)
    path = folder / "omraadeprofil.ipynb"
    notebook = nbformat.read(str(path), as_version=4)
    notebook.cells[2].source += "\nimport time\ntime.sleep(60)"
    nbformat.write(notebook, str(path))
    return folder


def wait_for(condition, timeout=60):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_report_killed_part_way_keeps_the_last_good_report(sample_workspace, tmp_path, monkeypatch):
    assert main(["ingest", "--workspace", str(sample_workspace)]) == 0
    target = sample_workspace / "reports" / "2020Q3" / "461" / "omraadeprofil-odense-vollsmose.html"
    target.parent.mkdir(parents=True)
    target.write_text("<html>last good</html>", encoding="utf-8")
    good = hashlib.sha256(target.read_bytes()).hexdigest()
    monkeypatch.setenv("BOLIGDATA_NOTEBOOKS", str(slow_templates(tmp_path / "nb")))
    process = boligdata("report", "--workspace", str(sample_workspace), "--template", "omraadeprofil",
                        "--quarter", "2020Q3", "--area", "odense-vollsmose")
    staging = sample_workspace / "reports" / ".staging"
    # Killed while papermill runs the notebook (its output notebook is being written in staging).
    wait_for(lambda: staging.is_dir() and any(staging.rglob("*.ipynb")))
    time.sleep(1.0)
    kill_after(process, 0)
    monkeypatch.delenv("BOLIGDATA_NOTEBOOKS")
    assert hashlib.sha256(target.read_bytes()).hexdigest() == good
    assert [p.name for p in target.parent.iterdir()] == [target.name]  # no partial file beside it
    # The next run removes what the killed one left in staging, and publishes.
    assert main(["report", "--workspace", str(sample_workspace), "--template", "omraadeprofil",
                 "--quarter", "2020Q3", "--area", "odense-vollsmose"]) == 0
    assert "Områdeprofil: Vollsmose" in target.read_text(encoding="utf-8")
    assert not (sample_workspace / "reports" / ".staging").exists() or not any(
        (sample_workspace / "reports" / ".staging").iterdir())


def test_a_half_finished_swap_is_detected_and_repaired(sample_workspace):
    # A kill between two file moves leaves new tables beside old ones under a manifest that
    # names the new hashes. Simulate exactly that and check that load() repairs it.
    assert main(["ingest", "--workspace", str(sample_workspace)]) == 0
    old_counts = (sample_workspace / "processed" / "support_counts.parquet").read_bytes()
    path = sample_workspace / "raw" / "forsoergelse.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(";382;", ";383;"), encoding="utf-8")
    assert main(["ingest", "--workspace", str(sample_workspace)]) == 0
    (sample_workspace / "processed" / "support_counts.parquet").write_bytes(old_counts)
    assert 383 in load(sample_workspace).support_counts["count"].tolist()


def test_cleanup_never_removes_a_file_a_living_process_writes(tmp_path):
    # Two workers publish at once: one cleaning up must not delete the other's temporary file.
    from boligdata.ingest import remove_leftovers

    alive = tmp_path / f".kvartalsrapport.html.{os.getpid()}.abc123.tmp"
    dead = tmp_path / ".kvartalsrapport.html.999999999.def456.tmp"
    alive.write_text("in progress")
    dead.write_text("left by a killed run")
    remove_leftovers(tmp_path)
    assert alive.exists() and not dead.exists()
