"""Run one report notebook safely: validate, execute in staging, publish only on success.

Parameters are checked before anything runs (papermill itself only warns about an unknown
parameter). The notebook runs with papermill into ``reports/.staging/<id>/`` with an
explicit kernel and language; a failing cell raises ``ReportError`` with one clear line and
the published report is left as it was. On success the HTML and the executed notebook are
moved into ``reports/<quarter>/<municipality>/`` atomically.
"""

from __future__ import annotations

import re
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import BoligdataError, ParameterError
from ..ingest import atomic_write
from ..load import load
from ..municipalities import find_municipality, municipalities
from ..paths import NOTEBOOKS_DIR, Workspace
from ..readers.values import period_bounds
from ..reports.kvartalsrapport import monitored_index

TEMPLATES = {"kvartalsrapport": "municipality", "omraadeprofil": "area", "helhedsplan": "plan"}
ANALYST_NOTEBOOKS = {"udforskning"}
QUARTER = re.compile(r"^(\d{4})[QK]([1-4])$")


class ReportError(BoligdataError):
    """A report that could not be built; the last good report is unchanged."""

    exit_code = 1


@dataclass
class ReportJob:
    """One validated report: what to run, with which parameters, and where it is published."""

    template: str
    quarter: str
    scope: str
    scope_id: str
    municipality: str
    title: str
    parameters: dict = field(default_factory=dict)
    internal: bool = False

    @property
    def name(self) -> str:
        name = self.template if self.scope == "municipality" else f"{self.template}-{self.scope_id}"
        return f"{name}-intern" if self.internal else name

    def html_path(self, ws: Workspace) -> Path:
        return ws.reports / self.quarter / self.municipality / f"{self.name}.html"

    def notebook_path(self, ws: Workspace) -> Path:
        return ws.reports / self.quarter / self.municipality / f"{self.name}.ipynb"


def parse_quarter_parameter(quarter: str) -> str:
    """``YYYYQn`` (or ``YYYYKn``) checked and made canonical.

    >>> parse_quarter_parameter("2020K3")
    '2020Q3'
    >>> parse_quarter_parameter("Q3-2020")
    Traceback (most recent call last):
    ...
    boligdata.errors.ParameterError: --quarter: expected YYYYQn such as 2020Q3, found 'Q3-2020'
    """
    match = QUARTER.match(str(quarter).strip().upper())
    if not match:
        raise ParameterError(f"--quarter: expected YYYYQn such as 2020Q3, found {quarter!r}")
    return f"{match.group(1)}Q{match.group(2)}"


def municipality_parameter(value: str) -> str:
    """``--municipality`` (or ``--municipalities``) checked: a kommunekode or a name."""
    try:
        return find_municipality(value)
    except ValueError as exc:
        raise ParameterError(f"--municipality: {exc}") from None


def plan_job(template: str, quarter: str, *, municipality=None, area=None, plan=None, workspace=None,
             tables=None, monitored: dict | None = None, internal: bool = False) -> ReportJob:
    """Validate the parameters of one report; an unknown name is an error, not a warning.

    ``internal`` switches disclosure control off (explicitly); the report then says it must
    not be published, and its file name ends in ``-intern``.
    """
    job = _plan_job(template, quarter, municipality=municipality, area=area, plan=plan, workspace=workspace,
                    tables=tables, monitored=monitored)
    if internal:
        job.parameters["internal"] = True
        job.internal = True
    return job


def _plan_job(template: str, quarter: str, *, municipality=None, area=None, plan=None, workspace=None,
              tables=None, monitored: dict | None = None) -> ReportJob:
    if template in ANALYST_NOTEBOOKS:
        raise ParameterError(f"--template: {template} is the analyst's notebook, not a report; open it with make lab")
    if template not in TEMPLATES:
        raise ParameterError(f"--template: unknown template {template!r} (known: {', '.join(TEMPLATES)})")
    quarter = parse_quarter_parameter(quarter)
    scope = TEMPLATES[template]
    given = {"municipality": municipality, "area": area, "plan": plan}
    wrong = [k for k, v in given.items() if v is not None and k != scope]
    if given[scope] is None or wrong:
        raise ParameterError(f"--template {template} takes --{scope} (and no --{', --'.join(wrong) or 'other scope'})")
    tables = tables if tables is not None else load(workspace)
    if scope == "municipality":
        code = municipality_parameter(municipality)
        name = municipalities().loc[code, "municipality_name"]
        monitored = monitored if monitored is not None else monitored_index(tables)
        if not monitored.get(code):
            raise ParameterError(f"--municipality: {name} ({code}) has no areas with criteria figures in this workspace")
        return ReportJob(template, quarter, scope, code, code, f"Kvartalsrapport {name} {quarter}",
                         {"quarter": quarter, "municipality": code})
    if scope == "area":
        areas = tables.areas.set_index("area_id")
        if area not in areas.index:
            raise ParameterError(f"--area: unknown area {area!r} (an områdekode from raw/omraader*, e.g. "
                                 f"{areas.index[0]})")
        return ReportJob(template, quarter, scope, area, areas.loc[area, "municipality_code"],
                         f"Områdeprofil {areas.loc[area, 'area_name']} {quarter}", {"quarter": quarter, "area": area})
    plans = tables.plans.set_index("plan_id")
    if plan not in plans.index:
        raise ParameterError(f"--plan: unknown plan {plan!r} (known: {', '.join(plans.index) or 'none'})")
    return ReportJob(template, quarter, scope, plan, plans.loc[plan, "municipality_code"],
                     f"Helhedsplan {plans.loc[plan, 'plan_name']} {quarter}", {"quarter": quarter, "plan": plan})


def all_jobs(quarter: str, workspace=None, templates=None) -> list[ReportJob]:
    """Every report of a workspace for a quarter: each municipality with monitored areas, each
    such area, and each plan running in the quarter."""
    quarter = parse_quarter_parameter(quarter)
    tables = load(workspace)
    wanted = set(templates or TEMPLATES)
    unknown = wanted - set(TEMPLATES)
    if unknown:
        raise ParameterError(f"--templates: unknown template(s) {', '.join(sorted(unknown))}")
    jobs = []
    monitored = monitored_index(tables)
    for code in sorted(monitored):
        if "kvartalsrapport" in wanted:
            jobs.append(plan_job("kvartalsrapport", quarter, municipality=code, tables=tables, monitored=monitored))
        if "omraadeprofil" in wanted:
            jobs += [plan_job("omraadeprofil", quarter, area=a, tables=tables) for a in monitored[code]]
    if "helhedsplan" in wanted:
        start, end = (pd.Timestamp(d) for d in period_bounds(quarter))
        for plan in tables.plans.itertuples():
            begins = pd.Timestamp(plan.start_date) if pd.notna(plan.start_date) else start
            ends = pd.Timestamp(plan.end_date) if pd.notna(plan.end_date) else end
            if begins <= end and ends >= start:
                jobs.append(plan_job("helhedsplan", quarter, plan=plan.plan_id, tables=tables))
    return jobs


RESET_CELL = "%reset -f"


def with_reset_cell(source: Path, staging: Path) -> Path:
    """A copy of the notebook whose first cell forgets every name a previous report defined.

    Used when a kernel is reused: the reset runs in the same execution as the report, before
    its parameters; the exporter drops the cell (tag ``remove_cell``).
    """
    import nbformat

    notebook = nbformat.read(str(source), as_version=4)
    cell = nbformat.v4.new_code_cell(RESET_CELL, metadata={"tags": ["remove_cell"]})
    cell["id"] = "boligdata-reset"
    notebook.cells.insert(0, cell)
    path = staging / f"input-{source.name}"
    nbformat.write(notebook, str(path))
    return path


def execute(job: ReportJob, ws: Workspace, staging: Path, *, km=None, reset_first: bool = False):
    """Run the job's notebook with papermill into ``staging``; return the executed notebook."""
    import papermill

    source = NOTEBOOKS_DIR / f"{job.template}.ipynb"
    if reset_first:
        source = with_reset_cell(source, staging)
    output = staging / f"{job.name}.ipynb"
    parameters = {**job.parameters, "workspace": str(ws.root)}
    try:
        return papermill.execute_notebook(
            str(source), str(output), parameters=parameters, kernel_name="python3", language="python",
            progress_bar=False, log_output=False, cwd=str(staging), execution_timeout=900, km=km,
        )
    except papermill.PapermillExecutionError as exc:
        reason = f"{exc.ename}: {str(exc.evalue).splitlines()[0] if exc.evalue else ''}".strip()
        raise ReportError(f"report {job.name} ({job.quarter}) failed in cell {exc.exec_count}: {reason}; "
                          f"the last good report is unchanged") from None


def publish(job: ReportJob, ws: Workspace, notebook) -> Path:
    """Export the executed notebook to committee HTML and move both into place atomically."""
    import nbformat

    from .export import notebook_to_html

    html = notebook_to_html(notebook, job.title)
    atomic_write(job.notebook_path(ws), nbformat.writes(notebook).encode("utf-8"))
    atomic_write(job.html_path(ws), html.encode("utf-8"))
    return job.html_path(ws)


def ipc_kernel_manager(folder: Path):
    """A kernel manager that talks to its kernel over IPC sockets.

    No TCP ports (so parallel runs cannot collide on a port, papermill issue #511) and no
    "running over TCP without encryption" warning. The sockets live in a short private
    folder under the system's temp dir, because a socket path may not exceed 107 bytes
    and a workspace path can be long. The caller stops it with ``shutdown_kernel``.
    """
    import tempfile

    from jupyter_client import KernelManager

    sockets = Path(tempfile.mkdtemp(prefix="bd-"))
    km = KernelManager(kernel_name="python3", transport="ipc")
    km.ip = str(sockets / "k")
    km.connection_file = str(folder / "kernel.json")
    km.boligdata_sockets = sockets
    return km


def shutdown_kernel(km) -> None:
    """Stop a kernel from ``ipc_kernel_manager`` and remove its socket folder."""
    if km.has_kernel:
        km.shutdown_kernel(now=True)
    shutil.rmtree(getattr(km, "boligdata_sockets", ""), ignore_errors=True)


def staging_folder(ws: Workspace) -> Path:
    """A new staging folder, named by this process; folders of dead processes are removed first."""
    import os

    from ..ingest import _pid_alive, remove_leftovers

    root = ws.reports / ".staging"
    if root.is_dir():
        for folder in root.iterdir():
            pid = folder.name.split("-", 1)[0]
            if pid.isdigit() and not _pid_alive(int(pid)):
                shutil.rmtree(folder, ignore_errors=True)
    remove_leftovers(ws.reports)
    folder = root / f"{os.getpid()}-{uuid.uuid4().hex}"
    folder.mkdir(parents=True)
    return folder


def run_job(job: ReportJob, ws: Workspace, *, km=None) -> Path:
    """Execute in a fresh staging folder, publish on success, clean up (parameters already validated)."""
    staging = staging_folder(ws)
    own = km is None
    km = km or ipc_kernel_manager(staging)
    try:
        notebook = execute(job, ws, staging, km=km)
        return publish(job, ws, notebook)
    finally:
        if own:
            shutdown_kernel(km)
        shutil.rmtree(staging, ignore_errors=True)
        try:
            (ws.reports / ".staging").rmdir()
        except OSError:
            pass
