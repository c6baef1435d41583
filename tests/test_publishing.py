"""Publishing that runs unattended: failures that explain themselves, all-or-nothing report sets,
fork-safe kernels and no leftovers (issue 24)."""

import errno
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import pytest

from boligdata import load, owners
from boligdata.cli import main
from boligdata.errors import OutputError
from boligdata.paths import NOTEBOOKS_DIR, Workspace
from boligdata.publish import release as releasing
from boligdata.publish import runner
from boligdata.publish.runner import plan_job, run_job
from boligdata.publish.zygote import Zygote, ZygoteFailed

SLAGELSE = "330"
RINGPARKEN = "slagelse-ringparken"


def faulty_templates(folder: Path, faults: dict[str, str]) -> Path:
    """A copy of the report templates whose area profile runs ``faults[area]`` first for the areas named."""
    shutil.copytree(NOTEBOOKS_DIR, folder)
    path = folder / "omraadeprofil.ipynb"
    notebook = nbformat.read(str(path), as_version=4)
    notebook.cells[1].source = "".join(f"if area == {area!r}:\n    {code}\n" for area, code in faults.items()) \
        + notebook.cells[1].source
    nbformat.write(notebook, str(path))
    return folder


# Raised two frames deep: the cell calls the package's find_municipality, which raises ValueError.
TWO_FRAMES_DEEP = "from boligdata.municipalities import find_municipality; find_municipality('Atlantis')"
# The process running the cell killed in the middle of it (what the system's OOM killer does).
KILL_KERNEL = "import os, signal; os.kill(os.getpid(), signal.SIGKILL)"


def batch(workspace: Path, *extra: str, env: dict | None = None) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "boligdata.cli", "batch", "--workspace", str(workspace), "--quarter", "2020Q3",
               "--municipalities", SLAGELSE, "--workers", "2", *extra]
    return subprocess.run(command, capture_output=True, text=True, env={**os.environ, **(env or {})})


def fingerprint(folder: Path, reports=None) -> dict:
    """Every file of a report folder (hidden ones too, but not the locks), or of the ``reports``
    named, and its hash."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())
            if p.is_file() and not p.name.endswith(".lock")
            and (reports is None or p.name.lstrip(".").rsplit(".", 1)[0] in reports)}


def test_failures_in_a_batch_explain_themselves_and_leave_the_last_good_reports(sample_workspace, tmp_path):
    """A template raising two frames deep and a worker process killed mid-cell: each report fails
    with its reason (the package's file and line; the signal), its notebook is kept in the failures
    folder beside batch-summary.json, which links it, and the last good report stays byte for byte."""
    assert batch(sample_workspace).returncode == 0  # the last good reports
    folder = sample_workspace / "reports" / "2020Q3" / SLAGELSE
    failing = {"omraadeprofil-slagelse-motalavej", "omraadeprofil-slagelse-sydbyen"}
    good = fingerprint(folder, failing)
    assert len(good) == 8  # each with its HTML, workbook, notebook and build key
    templates = faulty_templates(tmp_path / "nb", {"slagelse-motalavej": TWO_FRAMES_DEEP,
                                                   "slagelse-sydbyen": KILL_KERNEL})
    result = batch(sample_workspace, env={"BOLIGDATA_NOTEBOOKS": str(templates)})
    assert result.returncode == 1, result.stdout + result.stderr
    quarter = sample_workspace / "reports" / "2020Q3"
    summary = json.loads((quarter / "batch-summary.json").read_text(encoding="utf-8"))
    rows = {r["report"]: r for r in summary["reports"]}
    deep = rows["omraadeprofil-slagelse-motalavej"]
    # Cell 1 is the parameters cell and cell 2 papermill's injected one; the fault is in cell 3.
    assert deep["status"] == "failed"
    assert "failed in cell 3: ValueError: unknown municipality 'Atlantis'" in deep["reason"]
    assert "raised at boligdata/municipalities.py, line" in deep["reason"]
    killed = rows["omraadeprofil-slagelse-sydbyen"]
    assert killed["status"] == "failed"
    assert "failed in cell 3: WorkerDied: the worker process died (killed by signal 9 (SIGKILL))" in killed["reason"]
    # Noticed within 5 s (the cell's time limit is 900 s): the liveness check, not the time limit.
    assert killed["seconds"] < 5
    # The others went on, the one after the dead worker in a new worker process.
    assert summary["succeeded"] == 3
    for row in (deep, killed):
        kept = quarter / row["failure"]
        assert kept.parent == quarter / "failures" / SLAGELSE and kept.suffix == ".ipynb"
        notebook = nbformat.read(str(kept), as_version=4)
        assert notebook.metadata.papermill.exception is True  # papermill's own record of the failure
        assert f"{row['report']}.html" not in os.listdir(quarter / "failures" / SLAGELSE)  # never published
    traceback = (quarter / deep["failure"]).with_suffix(".txt").read_text(encoding="utf-8")
    line = int(deep["reason"].split("municipalities.py, line ")[1].split(",")[0])
    source = (Path(__import__("boligdata").__file__).parent / "municipalities.py").read_text().splitlines()
    assert "raise ValueError" in source[line - 1]  # the line named is the line that raised
    assert "Cell In[3]" in traceback and f"municipalities.py:{line}" in traceback
    assert fingerprint(folder, failing) == good  # the last good sets, byte for byte
    # Built again without the faults: the kept failures go, the reports are current.
    assert batch(sample_workspace).returncode == 0
    assert not (quarter / "failures").exists()


def use_templates(monkeypatch, folder: Path) -> None:
    monkeypatch.setenv("BOLIGDATA_NOTEBOOKS", str(folder))
    monkeypatch.setattr("boligdata.publish.runner.NOTEBOOKS_DIR", folder)


def test_report_keeps_its_failure_the_same_way(sample_workspace, tmp_path, monkeypatch, capsys):
    """``boligdata report`` (papermill's own engine, a fresh kernel) keeps its failed notebook in
    the same place and names the file and line."""
    use_templates(monkeypatch, faulty_templates(tmp_path / "nb", {RINGPARKEN: TWO_FRAMES_DEEP}))
    code = main(["report", "--workspace", str(sample_workspace), "--template", "omraadeprofil", "--quarter", "2020Q3",
                 "--area", RINGPARKEN])
    err = capsys.readouterr().err
    assert code == 1
    assert "failed in cell 3: ValueError: unknown municipality 'Atlantis'" in err
    assert "raised at boligdata/municipalities.py, line" in err
    kept = sample_workspace / "reports" / "2020Q3" / "failures" / SLAGELSE / f"omraadeprofil-{RINGPARKEN}.ipynb"
    assert f"the notebook is kept in reports/2020Q3/failures/{SLAGELSE}/omraadeprofil-{RINGPARKEN}.ipynb" in err
    assert nbformat.read(str(kept), as_version=4).metadata.papermill.exception is True
    assert not (sample_workspace / "reports" / "2020Q3" / SLAGELSE / f"omraadeprofil-{RINGPARKEN}.html").exists()


def test_a_dead_kernel_on_the_reference_path_is_a_report_failure(sample_workspace, tmp_path, monkeypatch, capsys):
    use_templates(monkeypatch, faulty_templates(tmp_path / "nb", {RINGPARKEN: KILL_KERNEL}))
    code = main(["report", "--workspace", str(sample_workspace), "--template", "omraadeprofil", "--quarter", "2020Q3",
                 "--area", RINGPARKEN])
    err = capsys.readouterr().err
    assert code == 1 and "the kernel died" in err and "internal error" not in err


# --- all or nothing ------------------------------------------------------------------------------

@pytest.fixture
def published(sample_workspace):
    """A report published once (the last good set), and its executed notebook to publish again."""
    ws = Workspace(sample_workspace)
    load(ws)
    job = plan_job("omraadeprofil", "2020Q3", area=RINGPARKEN, workspace=ws.root)
    run_job(job, ws)
    notebook = nbformat.read(str(job.notebook_path(ws)), as_version=4)
    return ws, job, notebook


def again(job, **changes):
    """The same report with another build key (a run of changed inputs)."""
    import dataclasses

    return dataclasses.replace(job, **{"build_key": "another-build", **changes})


class Fault(Exception):
    pass


@pytest.mark.parametrize("step", ["html", "xlsx", "ipynb", "key"])
def test_no_space_at_any_step_leaves_the_last_good_set(published, monkeypatch, step):
    ws, job, notebook = published
    folder = job.folder(ws)
    good = fingerprint(folder)
    write = runner._write

    def full_disk(path, data):
        if path.name.endswith(step):
            raise OSError(errno.ENOSPC, "No space left on device")
        write(path, data)

    monkeypatch.setattr(runner, "_write", full_disk)
    nb = nbformat.from_dict(notebook)
    with pytest.raises(OutputError) as caught:
        runner.publish(again(job), ws, nb)
    assert getattr(caught.value, "exit_code", None) == 4 and "No space left on device" in str(caught.value)
    assert fingerprint(folder) == good
    assert not (ws.reports / ".staging").exists()


def test_a_failing_writer_or_printer_leaves_the_last_good_set(published, monkeypatch):
    ws, job, notebook = published
    folder = job.folder(ws)
    good = fingerprint(folder)

    def refuses(*args, **kwargs):
        raise Fault("the workbook writer refused a sheet name")

    monkeypatch.setattr("boligdata.publish.tables_out.report_workbook", refuses)
    with pytest.raises(Fault):
        runner.publish(again(job), ws, nbformat.from_dict(notebook))
    assert fingerprint(folder) == good
    monkeypatch.undo()

    from boligdata.publish.pdf import PdfPrinter

    class CrashedBrowser:  # the driver's pipe is gone: an OSError, but no file failed to be written
        def new_page(self):
            raise BrokenPipeError(errno.EPIPE, "Broken pipe")

    printer = PdfPrinter()
    printer._browser = CrashedBrowser()
    with pytest.raises(runner.ReportError, match="the PDF failed .*BrokenPipeError.*last good report is unchanged") as caught:
        runner.publish(again(job), ws, nbformat.from_dict(notebook), printer=printer)
    assert caught.value.exit_code == 1  # a report that failed, not a reports/ that cannot be written (4)
    assert fingerprint(folder) == good


@pytest.mark.parametrize("moved", [0, 1, 2, 3])
def test_a_run_killed_in_the_middle_of_the_swap_is_finished_by_the_next(published, monkeypatch, moved):
    """Killed after ``moved`` of the set's renames: the next run finishes the swap, and the report's
    folder then holds the new set, whole (the build key matches its files)."""
    ws, job, notebook = published
    folder = job.folder(ws)
    replace, done = os.replace, []

    def killed(source, target):
        if Path(target).name == "swap.json":  # the journal, written before the first move
            return replace(source, target)
        if len(done) == moved:
            raise SystemExit("killed")  # nothing after this point runs in a killed process
        done.append(target)
        replace(source, target)

    monkeypatch.setattr(releasing.os, "replace", killed)
    monkeypatch.setattr(releasing, "discard", lambda staging: None)  # a killed run cleans nothing up
    monkeypatch.setattr(runner, "discard", lambda staging: None, raising=False)
    new = again(job, title=job.title + " (ny)")
    with pytest.raises(SystemExit):
        runner.publish(new, ws, nbformat.from_dict(notebook))
    monkeypatch.undo()
    [staging] = list((ws.reports / ".staging").iterdir())
    staged = fingerprint(staging)
    assert "swap.json" in staged
    dead = dead_owner()
    staging.rename(staging.with_name(f"{dead}-{staging.name.split('-', 1)[1]}"))  # its run is gone
    if moved:  # meanwhile the report is not current: its old key went first
        assert not new.is_current(ws) and not job.is_current(ws)
    releasing.finish_interrupted(ws.reports)
    assert not (ws.reports / ".staging").exists()
    assert new.is_current(ws)
    now = fingerprint(folder)
    for name, digest in staged.items():
        if name != "swap.json":
            assert now[name] == digest
    assert "(ny)" in job.html_path(ws).read_text(encoding="utf-8")


def test_two_runs_of_one_report_never_mix_their_sets(published):
    """Two runs publishing one report at once, again and again: every time, the folder holds one
    run's set whole, its build key beside its own HTML, workbook and notebook."""
    ws, job, notebook = published
    runs = {"a": again(job, build_key="key-a", title=job.title + " run-a"),
            "b": again(job, build_key="key-b", title=job.title + " run-b")}
    for _ in range(6):
        start = threading.Barrier(2)
        errors = []

        def publish(run):
            start.wait()
            try:
                runner.publish(runs[run], ws, nbformat.from_dict(notebook))
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=publish, args=(run,)) for run in runs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not errors
        key = job.key_path(ws).read_text(encoding="utf-8").strip()
        run = key[-1]
        assert f"run-{run}" in job.html_path(ws).read_text(encoding="utf-8")
        from openpyxl import load_workbook

        about = load_workbook(job.xlsx_path(ws), read_only=True)["Om rapporten"]
        assert any(f"run-{run}" in str(c.value) for row in about.iter_rows() for c in row)


@pytest.mark.parametrize("fault", ["read-only", "no space"])
def test_an_unwritable_reports_folder_exits_4(sample_workspace, monkeypatch, capsys, fault):
    """A read-only or full reports/ is exit 4 (docs/errors.md, write-failed), not an internal error.
    Simulated, as the tests run as root (whom a read-only folder does not stop)."""
    error = OSError(errno.EROFS, "Read-only file system") if fault == "read-only" else \
        OSError(errno.ENOSPC, "No space left on device")

    mkdir = Path.mkdir

    def cannot(path, *args, **kwargs):
        if ".staging" in path.parts:  # the first thing a report writes
            raise error
        return mkdir(path, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", cannot)
    code = main(["report", "--template", "omraadeprofil", "--area", RINGPARKEN, "--workspace", str(sample_workspace),
                 "--quarter", "2020Q3"])
    err = capsys.readouterr().err
    assert code == 4, err
    assert error.strerror in err and "internal error" not in err


def test_a_reports_folder_the_workers_cannot_write_exits_4(sample_workspace, capsys):
    """The same in the worker processes of ``report --all`` and ``batch``, which a patch in this
    process does not reach: a real fault there, a file where reports/.staging must be a folder."""
    reports = sample_workspace / "reports"
    reports.mkdir(exist_ok=True)
    (reports / ".staging").write_text("not a folder")
    for command in (["report", "--all"], ["batch", "--municipalities", SLAGELSE]):
        code = main([*command, "--workspace", str(sample_workspace), "--quarter", "2020Q3"])
        err = capsys.readouterr()
        assert code == 4, err
        assert "Not a directory" in err.err + err.out and "internal error" not in err.err + err.out
    assert not list(reports.glob("2020Q3/*/*.html"))  # nothing was published


def test_a_sheet_name_excel_refuses_is_made_safe():
    """Excel refuses a sheet name that starts or ends with an apostrophe, is "History", or holds
    []:*?/\\ (and more than 31 characters)."""
    from boligdata.publish.tables_out import _sheet_name

    used = set()
    names = [_sheet_name(text, used) for text in ("'Ringparken", "Ringparken'", "History", "a/b:c", "x" * 40)]
    for name in names:
        assert 0 < len(name) <= 31 and not name.startswith("'") and not name.endswith("'")
        assert not set("[]:*?/\\") & set(name) and name.lower() != "history"


# --- fork-safe and clean -------------------------------------------------------------------------

def test_the_zygote_forks_only_with_one_thread():
    from boligdata.publish.batch import preload_code

    forker = Zygote(preload_code())
    try:
        assert forker.threads() == 1  # the report modules imported, no library's thread started
    finally:
        forker.close()
    threaded = Zygote("import threading, time\nthreading.Thread(target=time.sleep, args=(600,), daemon=True).start()")
    try:
        assert threaded.threads() == 2
        with pytest.raises(ZygoteFailed, match="threads"):
            threaded.spawn_worker("socket", ".")
    finally:
        threaded.close()


def test_a_forked_worker_is_stopped_and_reaped_by_its_parent():
    import psutil

    from boligdata.publish.worker_process import WorkerProcess

    forker = Zygote("pass")
    worker = WorkerProcess(forker)
    try:
        worker.start()
        pid = worker.pid
        os.kill(pid, signal.SIGKILL)  # dies on its own (the test plays the OOM killer)
        deadline = time.monotonic() + 10
        while worker.ended() is None:  # the zygote has seen its child end
            assert time.monotonic() < deadline
            time.sleep(0.02)
        assert worker.ended() == "killed by signal 9 (SIGKILL)"
        worker.close()  # through the zygote, which reaped it: no signal to a pid that may be reused
        assert not psutil.pid_exists(pid) or psutil.Process(pid).ppid() != forker.process.pid
    finally:
        worker.close()
        forker.close()


def dead_owner() -> str:
    """The tag of a process that has ended (a leftover's owner after a kill)."""
    process = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    tag = f"{process.pid}.{owners._started(process.pid)}"
    process.communicate(b"")
    return tag


def test_a_killed_batch_leaves_nothing_the_next_run_does_not_sweep(sample_workspace, tmp_path):
    import tempfile

    reports = sample_workspace / "reports"
    command = [sys.executable, "-m", "boligdata.cli", "batch", "--workspace", str(sample_workspace), "--quarter",
               "2020Q3", "--workers", "2"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    owner = f"{process.pid}.{owners._started(process.pid)}"  # the batch's tag, which its sockets carry
    deadline = time.monotonic() + 120
    while not list(Path(tempfile.gettempdir()).glob(f"bd-{owner}-*/w")):  # the event: a worker's socket is up
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.05)
    process.kill()  # the batch alone, as the scheduler's timeout would: its zygote and workers follow
    process.wait()
    sockets = [p for p in Path(tempfile.gettempdir()).glob(f"bd-{owner}-*")]
    assert sockets  # what the killed batch left
    left = list((reports / ".staging").glob("*")) if (reports / ".staging").is_dir() else []
    living = reports / ".staging" / f"{owners.tag()}-mine"  # a living run's staging is never touched
    living.mkdir(parents=True)
    assert main(["batch", "--workspace", str(sample_workspace), "--quarter", "2020Q3", "--municipalities",
                 SLAGELSE]) == 0
    assert not any(p.exists() for p in sockets) and not any(p.exists() for p in left)
    assert living.is_dir()


# --- every template, every quarter ---------------------------------------------------------------

def test_every_template_builds_for_every_quarter_the_sample_has_figures_for(sample_workspace):
    """Every report of every quarter from the sample's first quarter with criteria figures
    (2016Q4: the first LBF figures of the sample) to the quarter running today."""
    import datetime as dt

    from boligdata.errors import ParameterError
    from boligdata.publish.batch import KernelPool, run_batch
    from boligdata.publish.runner import all_jobs

    ws = Workspace(sample_workspace)
    load(ws)
    today = dt.date.today()
    quarters = [f"{y}Q{q}" for y in range(2012, today.year + 1) for q in range(1, 5)
                if (y, q) <= (today.year, (today.month - 1) // 3 + 1)]
    jobs, empty = [], []
    for quarter in quarters:
        try:
            jobs += all_jobs(quarter, ws.root)
        except ParameterError:
            empty.append(quarter)
    assert max(empty) < "2016Q4" and len(jobs) > 900  # nothing to build before the sample's first figures
    templates = {job.template for job in jobs}
    assert templates == set(runner.templates())
    with KernelPool(ws, 2) as pool:
        summary = run_batch(jobs, ws, pool=pool)
    failed = [(r["report"], r["reason"]) for r in summary["reports"] if r["status"] != "ok"]
    assert not failed


def test_every_batch_notebook_carries_papermills_metadata_and_counts(sample_reports):
    """Issue 24, point 1: each executed notebook the batch published has papermill's own record
    (parameters, start and end, duration, no exception, per-cell status), names the path it is
    published at (not the staging folder it was made in), and numbers its code cells 1, 2, … as
    a fresh kernel would, each result with its cell's number."""
    ws, _ = sample_reports
    notebooks = sorted(ws.reports.rglob("*.ipynb"))
    notebooks = [p for p in notebooks if "failures" not in p.parts]
    assert notebooks
    for path in notebooks:
        nb = nbformat.read(str(path), as_version=4)
        meta = nb.metadata.papermill
        assert meta.output_path == ws.display(path), path.name
        assert not meta.exception and meta.parameters["quarter"] in ("2020Q3", "2024Q4")  # None: nothing raised
        assert meta.start_time <= meta.end_time and meta.duration > 0
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert [c.execution_count for c in code] == list(range(1, len(code) + 1)), path.name
        assert all(c.metadata.papermill.status == "completed" for c in code)
        for cell in code:
            assert all(o.execution_count == cell.execution_count for o in cell.outputs
                       if o.output_type == "execute_result")


def test_a_cell_over_its_time_limit_fails_in_its_cell(tmp_path):
    """In a worker's shell a cell that overruns its limit is stopped (an alarm, as a kernel's
    interrupt), and the report fails in that cell; the reason names the cell, not the machinery
    that stopped it. The limit here is 1 s, the cell would sleep 60 s."""
    import papermill

    from boligdata.publish import failures
    from boligdata.publish.engine import register_engine

    register_engine()
    source = tmp_path / "slow.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1"),
                                                   nbformat.v4.new_code_cell("import time\ntime.sleep(60)")],
                                            metadata={"kernelspec": {"name": "python3", "language": "python",
                                                                   "display_name": "Python 3"}}),
                   str(source))
    started = time.monotonic()
    with pytest.raises(papermill.PapermillExecutionError):
        papermill.execute_notebook(str(source), str(tmp_path / "out.ipynb"), engine_name="boligdata",
                                   execution_timeout=1, progress_bar=False, log_output=False,
                                   request_save_on_cell_execute=False)
    assert time.monotonic() - started < 30
    notebook = nbformat.read(str(tmp_path / "out.ipynb"), as_version=4)
    assert failures.reason(notebook) == "failed in cell 2: CellTimeout: the cell did not finish within 1 s " \
                                        "(run_settings.yaml: timeouts.cell)"
    assert notebook.metadata.papermill.exception is True
