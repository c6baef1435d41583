"""The scheduled batch: failures isolated, a summary, and worker processes that leak nothing."""

import json
import re
import shutil
import subprocess
import sys

import nbformat
import pytest
from conftest import PROJECT

from boligdata import load
from boligdata.paths import NOTEBOOKS_DIR, Workspace
from boligdata.publish.batch import preload_code
from boligdata.publish.runner import plan_job, run_job
from boligdata.publish.zygote import Zygote
from boligdata.synthetic import national_raw


def broken_templates(folder, area):
    """A copy of the templates whose area profile fails for one area."""
    shutil.copytree(NOTEBOOKS_DIR, folder)
    path = folder / "omraadeprofil.ipynb"
    notebook = nbformat.read(str(path), as_version=4)
    notebook.cells[1].source = (f"if area == {area!r}:\n    raise RuntimeError('data missing for this area')\n"
                                + notebook.cells[1].source)
    nbformat.write(notebook, str(path))
    return folder


def test_one_failing_report_does_not_stop_the_others(sample_workspace, tmp_path):
    env = {"BOLIGDATA_NOTEBOOKS": str(broken_templates(tmp_path / "nb", "slagelse-motalavej"))}
    command = [sys.executable, "-m", "boligdata.cli", "batch", "--workspace", str(sample_workspace),
               "--quarter", "2020Q3", "--municipalities", "330", "--workers", "2"]
    result = subprocess.run(command, capture_output=True, text=True, env={**__import__("os").environ, **env})
    assert result.returncode == 1, result.stdout + result.stderr
    summary = json.loads((sample_workspace / "reports" / "2020Q3" / "batch-summary.json").read_text(encoding="utf-8"))
    by_report = {r["report"]: r for r in summary["reports"]}
    # Slagelse 2020Q3: the kvartalsrapport, three area profiles and the 2017-2021 plan.
    assert set(by_report) == {"kvartalsrapport", "omraadeprofil-slagelse-motalavej", "omraadeprofil-slagelse-ringparken",
                              "omraadeprofil-slagelse-sydbyen", "helhedsplan-slagelse-helhedsplan-2017"}
    failed = by_report["omraadeprofil-slagelse-motalavej"]
    assert failed["status"] == "failed" and "RuntimeError: data missing for this area" in failed["reason"]
    assert (summary["succeeded"], summary["failed"]) == (4, 1)
    published = sorted(p.name for p in (sample_workspace / "reports" / "2020Q3" / "330").glob("*.html"))
    assert published == ["helhedsplan-slagelse-helhedsplan-2017.html", "kvartalsrapport.html",
                         "omraadeprofil-slagelse-ringparken.html", "omraadeprofil-slagelse-sydbyen.html"]
    # The summary table on stdout: report, status, seconds, reason.
    assert re.search(r"omraadeprofil-slagelse-motalavej\s+failed\s+[\d.]+\s+report .*data missing", result.stdout)
    assert "4 succeeded, 1 failed" in result.stdout
    assert not (sample_workspace / "reports" / ".staging").exists()


def without_build_time(html: str) -> str:
    return re.sub(r"Dannet \d\d\.\d\d\.\d{4} kl\. \d\d\.\d\d", "Dannet", html)


@pytest.fixture
def names_templates(tmp_path, monkeypatch):
    """The templates of ``names_shown_last``, used by this process and by every worker started."""
    folder = names_shown_last(tmp_path / "nb")
    monkeypatch.setenv("BOLIGDATA_NOTEBOOKS", str(folder))
    monkeypatch.setattr("boligdata.publish.runner.NOTEBOOKS_DIR", folder)
    return folder


@pytest.fixture(params=["started", "forked"])
def zygote(request, names_templates):
    """No zygote (the worker process is started as ``python -m boligdata.publish.worker``), or one
    that forks it (after the templates are chosen)."""
    if request.param == "started":
        yield None
        return
    forker = Zygote(preload_code())
    yield forker
    forker.close()


def names_shown_last(folder):
    """A copy of the templates whose area profile ends with a cell showing every name its
    namespace holds (so what a previous report left would be in its HTML)."""
    shutil.copytree(NOTEBOOKS_DIR, folder)
    path = folder / "omraadeprofil.ipynb"
    notebook = nbformat.read(str(path), as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell("print(sorted(n for n in dir() if not n.startswith('_')))"))
    nbformat.write(notebook, str(path))
    return folder


def shown_names(notebook_path) -> str:
    """What the last cell of an executed notebook printed."""
    return "".join(o.get("text", "") for o in nbformat.read(str(notebook_path), as_version=4).cells[-1].outputs)


def test_a_worker_process_leaks_nothing_between_reports(sample_workspace, zygote):
    """Report B built after report A in one worker process is byte for byte report B built alone
    by papermill in a fresh kernel (the reference path), and A's names are gone."""
    from boligdata.publish.worker_process import WorkerProcess

    ws = Workspace(sample_workspace)
    load(ws)
    report_a = plan_job("kvartalsrapport", "2020Q3", municipality="461", workspace=ws.root)
    report_b = plan_job("omraadeprofil", "2020Q3", area="odense-solbakken-mv", workspace=ws.root)
    alone = without_build_time(run_job(report_b, ws).read_text(encoding="utf-8"))
    alone_names = shown_names(report_b.notebook_path(ws))
    worker = WorkerProcess(zygote, preload_code())
    worker.start()
    try:
        worker.load(str(ws.root), "2020Q3")
        assert worker.build(report_a, pdf=False)["status"] == "ok"
        row = worker.build(report_b, pdf=False)
        assert row["status"] == "ok", row
        after = without_build_time(report_b.html_path(ws).read_text(encoding="utf-8"))
        names = shown_names(report_b.notebook_path(ws))
    finally:
        worker.close()
    assert "'profil'" in names and "'area'" in names  # report B's own names
    for name in ("rapport", "Kvartalsrapport", "municipality"):  # report A's are gone
        assert f"'{name}'" not in names
    assert names == alone_names and after == alone


def test_what_a_report_changes_does_not_reach_the_next():
    """A report that defines names, keeps results in Out and _, and changes the frames it loaded
    leaves nothing for the next report to see (the shell a worker process keeps)."""
    from boligdata.publish.inprocess import InProcessSession, forget

    root = str(PROJECT)
    session = InProcessSession()

    def says(code):
        status, outputs, error = session.run(code)
        assert status == "ok", error
        return "".join(o.get("data", {}).get("text/plain", "") for o in outputs)

    says("from boligdata import load\nt = load(%r)\nsecret = 'Vollsmose'" % root)
    says("t.observations.loc[:, 'value'] = -1.0")  # changes its own (copy-on-write) frame
    says("secret")  # an expression: its result lands in _ and Out
    forget(session.shell)
    assert says("'secret' in dir(), 't' in dir(), repr(_), len(Out)") == "(False, False, \"''\", 0)"
    assert says("float(__import__('boligdata').load(%r).observations['value'].min()) >= 0" % root) == "True"


def test_a_forked_worker_ends_with_its_zygote():
    """A batch that is killed leaves no worker behind: the zygote ends when its input closes, and
    the system kills a forked worker when the zygote is gone (Linux: PR_SET_PDEATHSIG)."""
    import time

    import psutil

    from boligdata.publish.worker_process import WorkerProcess

    forker = Zygote("pass")
    worker = WorkerProcess(forker)
    worker.start()
    pid = worker.pid
    assert psutil.Process(pid).ppid() == forker.process.pid  # forked by the zygote
    forker.process.kill()
    forker.process.wait()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                break
        except psutil.NoSuchProcess:
            break
        time.sleep(0.05)
    else:
        raise AssertionError("the worker outlived its zygote")
    worker.close()


def test_synthetic_national_data_is_fixed_and_all_synthetic(tmp_path):
    first = national_raw(tmp_path / "a" / "raw", codes=["461", "101", "825"], first_year=2020, last_year=2021)
    national_raw(tmp_path / "b" / "raw", codes=["461", "101", "825"], first_year=2020, last_year=2021)
    for path in (tmp_path / "a" / "raw").iterdir():
        assert path.read_bytes() == (tmp_path / "b" / "raw" / path.name).read_bytes(), path.name
    # Odense 18 areas, København 24 (the city counts), Læsø 1-4: with a plan where 2+ areas.
    assert first["areas"] >= 18 + 24 + 1
    tables = load(tmp_path / "a")
    assert (tables.observations["status"] == "synthetic").all()
    assert tables.observations["source"].str.startswith("Syntetisk").all()
    assert tables.synthetic
    assert set(tables.areas["municipality_code"]) == {"461", "101", "825"}


def test_the_sample_has_no_national_synthetic_rows():
    obs = load(PROJECT).observations
    assert not obs["source"].str.contains("nationalt").any()
    assert not load(PROJECT).areas["area_id"].str.startswith("syn-").any()


def test_the_time_limits_are_validated_settings(monkeypatch):
    import pytest

    from boligdata import datafiles
    from boligdata.errors import DataFileError
    from boligdata.publish import settings

    assert settings.timeouts().cell == 900.0  # run_settings.yaml, as docs/scheduling.md says
    broken = {"timeouts": {"worker_start": 60, "preload": 120, "cell": "lang", "reply": 30}}
    monkeypatch.setattr(settings, "package_yaml", lambda name: broken)
    settings.timeouts.cache_clear()
    try:
        with pytest.raises(DataFileError, match="timeouts.cell must be a number of seconds above 0"):
            settings.timeouts()
    finally:
        monkeypatch.undo()
        settings.timeouts.cache_clear()
    assert datafiles.package_yaml("run_settings.yaml")["timeouts"]["reply"] == 30
