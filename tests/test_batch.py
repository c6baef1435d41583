"""The scheduled batch: failures isolated, a summary, and warm kernels that leak nothing."""

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
from boligdata.publish.batch import WarmKernel, preload_code
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
    assert not (sample_workspace / "reports" / ".kernels").exists()


def without_build_time(html: str) -> str:
    return re.sub(r"Dannet \d\d\.\d\d\.\d{4} kl\. \d\d\.\d\d", "Dannet", html)


def kernel_says(kernel, code: str) -> str:
    """What an expression evaluates to in the warm kernel (its repr, as text)."""
    status, outputs, error = kernel.session.run(code)
    assert status == "ok", error
    return "".join(o.get("data", {}).get("text/plain", "") for o in outputs)


@pytest.fixture(params=["spawned", "forked"])
def zygote(request):
    """No zygote (the kernel is started by jupyter_client), or one that forks the kernel."""
    if request.param == "spawned":
        yield None
        return
    forker = Zygote(preload_code())
    yield forker
    forker.close()


def test_a_warm_kernel_leaks_nothing_between_reports(sample_workspace, tmp_path, zygote):
    """Report B built after report A in one warm kernel is byte for byte report B built alone
    by papermill in a fresh kernel (the reference path), and A's names are gone."""
    ws = Workspace(sample_workspace)
    load(ws)
    report_a = plan_job("kvartalsrapport", "2020Q3", municipality="461", workspace=ws.root)
    report_b = plan_job("omraadeprofil", "2020Q3", area="odense-solbakken-mv", workspace=ws.root)
    alone = without_build_time(run_job(report_b, ws).read_text(encoding="utf-8"))
    kernel = WarmKernel(tmp_path / "kernel", ws, zygote=zygote)
    kernel.start()
    try:
        kernel.run(report_a, ws)
        after = without_build_time(kernel.run(report_b, ws).read_text(encoding="utf-8"))
        names = kernel_says(kernel, "sorted(n for n in dir() if not n.startswith('_'))")
        assert "'profil'" in names and "'area'" in names  # report B's own names
        for name in ("rapport", "Kvartalsrapport", "municipality"):  # report A's are gone
            assert f"'{name}'" not in names
    finally:
        kernel.close()
    assert after == alone


def test_what_a_report_changes_does_not_reach_the_next(sample_workspace, tmp_path, zygote):
    """A report that defines names, keeps results in Out and _, and changes the frames it loaded
    leaves nothing for the next report to see."""
    from boligdata.publish.executor import FORGET

    ws = Workspace(sample_workspace)
    load(ws)
    kernel = WarmKernel(tmp_path / "kernel", ws, zygote=zygote)
    kernel.start()
    try:
        session = kernel.session
        session.run("from boligdata import load\nt = load(%r)\nsecret = 'Vollsmose'" % str(ws.root))
        session.run("t.observations.loc[:, 'value'] = -1.0")  # changes its own (copy-on-write) frame
        session.run("secret")  # an expression: its result lands in _ and Out
        session.run(FORGET)
        assert kernel_says(kernel, "'secret' in dir(), 't' in dir(), repr(_), len(Out)") == "(False, False, \"''\", 0)"
        assert kernel_says(kernel, "float(__import__('boligdata').load(%r).observations['value'].min()) >= 0"
                           % str(ws.root)) == "True"
    finally:
        kernel.close()


def test_a_forked_kernel_ends_with_its_zygote(tmp_path):
    """A batch that is killed leaves no kernel behind: the zygote ends when its input closes, and a
    forked kernel when the zygote is gone (ipykernel's parent poller checks once a second)."""
    import time

    import psutil

    forker = Zygote("pass")
    kernel = WarmKernel(tmp_path / "kernel", zygote=forker)
    kernel.launch()
    kernel.boot()
    pid = kernel.session.km.pid
    assert psutil.Process(pid).ppid() == forker.process.pid  # forked, not started by jupyter_client
    assert kernel_says(kernel, "1 + 1") == "2"
    forker.process.kill()
    forker.process.wait()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                break
        except psutil.NoSuchProcess:
            break
        time.sleep(0.2)
    else:
        raise AssertionError("the kernel outlived its zygote")
    kernel.close()


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
    broken = {"timeouts": {"kernel_start": 60, "preload": 120, "cell": "lang", "reset": 60, "reply": 30}}
    monkeypatch.setattr(settings, "package_yaml", lambda name: broken)
    settings.timeouts.cache_clear()
    try:
        with pytest.raises(DataFileError, match="timeouts.cell must be a number of seconds above 0"):
            settings.timeouts()
    finally:
        monkeypatch.undo()
        settings.timeouts.cache_clear()
    assert datafiles.package_yaml("run_settings.yaml")["timeouts"]["reply"] == 30
