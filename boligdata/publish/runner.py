"""Run one report notebook safely: validate, execute in staging, publish only on success.

Parameters are checked before anything runs (papermill itself only warns about an unknown
parameter). The notebook runs with papermill into a staging folder (``release.py``) with an
explicit kernel and language; a failing cell raises ``ReportError`` with one clear line naming
the cell and the package's file and line, the executed notebook is kept in the failures folder
(``failures.py``), and the published report is left as it was. On success the report's files
(HTML, PDF, workbook, executed notebook, build key) are published into
``reports/<quarter>/<municipality>/`` as one set.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import BoligdataError, ParameterError
from ..loader import load
from ..municipalities import find_municipality, municipalities
from ..paths import NOTEBOOKS_DIR, Workspace
from ..present.dates import quarter_da
from ..readers.values import period_bounds
from ..snapshot.store import persist
from .settings import timeouts
from .registry import analyst_notebooks, templates

QUARTER = re.compile(r"^(\d{4})[QK]([1-4])$")


# What a part of a report's path may hold: ingest allows a-z, 0-9 and - in ids (docs/inputs.md);
# quarters are 2020Q3. Checked again where the path is built, so no data value reaches one unchecked.
SAFE_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,120}")


class ReportError(BoligdataError):
    """A report that could not be built; the last good report is unchanged. ``kept`` is the
    failed notebook kept in the failures folder, where one was kept."""

    exit_code = 1

    def __init__(self, message: str, kept: Path | None = None):
        super().__init__(message)
        self.kept = kept


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
    as_of: str | None = None  # a date other than the quarter's last day ("as it stood then")
    label: str = ""           # the title without the quarter (the PDF's running footer)
    build_key: str = ""       # what the report is built from (build_key); a report whose key is unchanged is current

    @property
    def name(self) -> str:
        whole = self.scope == "municipality" or (self.scope == "region" and self.scope_id == "alle")
        name = self.template if whole else f"{self.template}-{self.scope_id}"
        if self.as_of:
            name += f"-pr-{self.as_of}"
        return f"{name}-intern" if self.internal else name

    def folder(self, ws: Workspace) -> Path:
        """reports/<quarter>/<kommunekode>/, every part checked: data never steers a path."""
        for part in (self.quarter, self.municipality, self.name):
            if not SAFE_PART.fullmatch(part):
                raise ParameterError(f"report {part!r}: expected a file name of a-z, A-Z, 0-9 and - (ids are "
                                     "checked at ingest; this one was not)")
        return ws.reports / self.quarter / self.municipality

    def key_path(self, ws: Workspace) -> Path:
        return self.folder(ws) / f".{self.name}.key"

    def is_current(self, ws: Workspace, pdf: bool = False) -> bool:
        """True when the published report was built from exactly this job's inputs, rules, template and
        package version (and has its PDF, where one is wanted): ``report --all`` then skips it."""
        try:
            current = self.key_path(ws).read_text(encoding="utf-8").strip() == self.build_key
        except OSError:
            return False
        return bool(self.build_key) and current and self.html_path(ws).exists() and self.xlsx_path(ws).exists() and (
            not pdf or self.html_path(ws).with_suffix(".pdf").exists())

    def html_path(self, ws: Workspace) -> Path:
        return self.folder(ws) / f"{self.name}.html"

    def xlsx_path(self, ws: Workspace) -> Path:
        return self.folder(ws) / f"{self.name}.xlsx"

    def notebook_path(self, ws: Workspace) -> Path:
        return self.folder(ws) / f"{self.name}.ipynb"


def parse_quarter_parameter(quarter: str) -> str:
    """``YYYYQn`` (or ``YYYYKn``) checked against the lists' timeline and made canonical.

    >>> parse_quarter_parameter("2020K3")
    '2020Q3'
    >>> parse_quarter_parameter("Q3-2020")
    Traceback (most recent call last):
    ...
    boligdata.errors.ParameterError: --quarter: expected YYYYQn such as 2020Q3, found 'Q3-2020'
    >>> parse_quarter_parameter("2009Q3")
    Traceback (most recent call last):
    ...
    boligdata.errors.ParameterError: --quarter 2009Q3: the rules cover quarters from 2010Q1 (the year of the first list) to 2030Q3 (before the list of 1 December 2030)
    """
    from ..lists import load_lists

    match = QUARTER.match(str(quarter).strip().upper())
    if not match:
        raise ParameterError(f"--quarter: expected YYYYQn such as 2020Q3, found {quarter!r}")
    canonical = f"{match.group(1)}Q{match.group(2)}"
    lists = load_lists()
    first, last = f"{lists[0].year}Q1", f"{lists[-1].year}Q{(lists[-1].known_by.month - 1) // 3}"
    if not first <= canonical <= last:
        raise ParameterError(f"--quarter {canonical}: the rules cover quarters from {first} (the year of the first list) "
                             f"to {last} (before {lists[-1].label_en})")
    return canonical


def today():
    """Today's date (``BOLIGDATA_TODAY=YYYY-MM-DD`` sets another, for a test or a re-run of a past day)."""
    import datetime as dt
    import os

    given = os.environ.get("BOLIGDATA_TODAY")
    return dt.date.fromisoformat(given) if given else dt.date.today()


def _next_quarter_end(quarter: str):
    year, number = int(quarter[:4]), int(quarter[-1])
    following = f"{year + 1}Q1" if number == 4 else f"{year}Q{number + 1}"
    return period_bounds(following)[1]


def as_of_parameter(value, quarter: str) -> str | None:
    """``--as-of``: the date the quarter's figures stood on (None for the quarter's last day).

    A day inside the quarter, or after it up to the end of the following quarter: committees meet
    after the quarter, and its report as it stood on the meeting's date uses every figure about the
    quarter known by then ("3. kvartal 2020 · tal pr. 20. oktober 2020"). A quarter that has not
    begun is refused; a date after today is allowed with a warning (the figures of that day are not
    known yet). Without a date, a quarter that has not ended stands as of today.

    >>> as_of_parameter("2020-10-20", "2020Q3"), as_of_parameter("2020-09-30", "2020Q3")
    ('2020-10-20', None)
    """
    import datetime as dt
    import sys

    start, end = period_bounds(quarter)
    if start > today():
        raise ParameterError(f"--quarter {quarter}: the quarter has not begun (it starts {start}; today is "
                             f"{today()}): there are no figures for it yet")
    if value in (None, ""):
        if end > today():
            # A quarter still running stands as of today, never as of a day still to come.
            print(f"note: {quarter} has not ended; the report stands as of today ({today()})", file=sys.stderr)
            return today().isoformat()
        return None
    try:
        date = dt.date.fromisoformat(str(value))
    except ValueError:
        raise ParameterError(f"--as-of: expected a date YYYY-MM-DD, found {value!r}") from None
    latest = _next_quarter_end(quarter)
    if not start <= date <= latest:
        raise ParameterError(f"--as-of {date}: expected a date from the start of {quarter} ({start}) to the end of the "
                             f"quarter after it ({latest}), the latest a committee would meet about it")
    if date > today():
        print(f"warning: --as-of {date} is after today ({today()}): the report uses the figures known now, not those "
              f"of that day", file=sys.stderr)
    return None if date == end else date.isoformat()


def _did_you_mean(value: str, names: dict) -> str:
    """`` (did you mean 'X'?)`` for the nearest of ``names`` (normalised key -> shown name), or ""."""
    import difflib

    from ..readers.values import name_key

    close = difflib.get_close_matches(name_key(value), list(names), n=1, cutoff=0.6)
    return f" (did you mean '{names[close[0]]}'?)" if close else ""


def area_parameter(value: str, areas) -> str:
    """``--area`` checked: an områdekode, the area's name or one of its other names (case, spaces
    and æøå spelling ignored); a near miss gets "did you mean".

    >>> import pandas as pd
    >>> areas = pd.DataFrame({"area_id": ["odense-vollsmose"], "area_name": ["Vollsmose"], "aliases": [""]})
    >>> area_parameter("vollsmose", areas), area_parameter("VOLLSMOSE", areas)
    ('odense-vollsmose', 'odense-vollsmose')
    >>> area_parameter("Volsmose", areas)
    Traceback (most recent call last):
    ...
    boligdata.errors.ParameterError: --area: unknown area 'Volsmose' (did you mean 'Vollsmose'?); give an områdekode, a name or another name from raw/omraader*
    """
    from ..readers.values import name_key

    keys, shown = {}, {}
    for row in areas.itertuples(index=False):
        aliases = [a for a in str(row.aliases if isinstance(row.aliases, str) else "").split(";") if a.strip()]
        for name in [row.area_id, row.area_name] + aliases:
            keys.setdefault(name_key(name), row.area_id)
            shown.setdefault(name_key(name), name)
    found = keys.get(name_key(str(value)))
    if found is None:
        raise ParameterError(f"--area: unknown area {value!r}{_did_you_mean(str(value), shown)}; give an områdekode, "
                             "a name or another name from raw/omraader*")
    return found


def region_parameter(value: str) -> str:
    """``--region`` checked: alle, a regionskode (081-085) or a region's name, with or without
    "Region"; a near miss gets "did you mean".

    >>> region_parameter("Syddanmark"), region_parameter("region hovedstaden"), region_parameter("83")
    ('083', '084', '083')
    """
    from ..municipalities import regions
    from ..readers.values import name_key

    text = str(value).strip()
    if text.lower() == "alle":
        return "alle"
    if text.isdigit() and text.zfill(3) in regions():
        return text.zfill(3)
    names = {}
    for code, name in regions().items():
        names[name_key(name)] = code
        names[name_key(name.removeprefix("Region "))] = code
    if name_key(text) in names:
        return names[name_key(text)]
    shown = {key: next(n for c, n in regions().items() if c == code) for key, code in names.items()}
    raise ParameterError(f"--region: unknown region {value!r}{_did_you_mean(text, shown)}; give alle, a regionskode "
                         f"({', '.join(sorted(regions()))}) or a region's name")


def municipality_parameter(value: str) -> str:
    """``--municipality`` (or ``--municipalities``) checked: a kommunekode or a name."""
    try:
        return find_municipality(value)
    except ValueError as exc:
        raise ParameterError(f"--municipality: {exc}") from None


def plan_job(template: str, quarter: str, *, municipality=None, area=None, plan=None, region=None, workspace=None,
             tables=None, snapshot=None, internal: bool = False, as_of=None) -> ReportJob:
    """Validate the parameters of one report; an unknown name is an error, not a warning.

    ``internal`` switches disclosure control off (explicitly); the report then says it must
    not be published, and its file name ends in ``-intern``.
    """
    known = templates()
    if template in analyst_notebooks():
        raise ParameterError(f"--template: {template} is the analyst's notebook, not a report; open it with make lab")
    if template not in known:
        raise ParameterError(f"--template: unknown template {template!r} (known: {', '.join(known)})")
    quarter = parse_quarter_parameter(quarter)
    as_of = as_of_parameter(as_of, quarter)
    scope = known[template].scope
    given = {"municipality": municipality, "area": area, "plan": plan, "region": region}
    wrong = [k for k, v in given.items() if v is not None and k != scope]
    if given[scope] is None or wrong:
        raise ParameterError(f"--template {template} takes --{scope} (and no --{', --'.join(wrong) or 'other scope'})")
    tables = tables if tables is not None else load(workspace)
    # Computed, not stored, until the parameters are found valid: a refusal leaves processed/ as it was.
    validated = snapshot is None
    snapshot = snapshot if snapshot is not None else tables.quarter(quarter, as_of, store=False)
    label = known[template].title_da
    parameters = {"quarter": quarter}
    if as_of:
        parameters["as_of"] = as_of
    if internal:
        parameters["internal"] = True

    def job(scope_id, home, title):
        if validated:
            persist(snapshot)
        made = ReportJob(template, quarter, scope, scope_id, home, f"{label}: {title}, {quarter_da(quarter)}",
                         {**parameters, scope: scope_id}, internal, as_of, f"{label}: {title}")
        made.build_key = build_key(made, tables)
        return made

    if scope == "municipality":
        code = municipality_parameter(municipality)
        name = municipalities().loc[code, "municipality_name"]
        if not snapshot.area_ids(code):
            raise ParameterError(f"--municipality: {name} ({code}) has no areas with criteria figures in this "
                                 f"workspace on {snapshot.as_of.isoformat()}")
        return job(code, code, f"{name} Kommune")
    if scope == "region":
        from ..municipalities import regions

        code = region_parameter(region)
        homes = set(snapshot.areas["municipality_code"])
        if not {c for c in homes if code == "alle" or municipalities().loc[c, "region_code"] == code}:
            where = "this workspace" if code == "alle" else f"{regions()[code]} in this workspace"
            raise ParameterError(f"--region: no areas with criteria figures in {where} on {snapshot.as_of.isoformat()}")
        return job(code, "alle" if code == "alle" else f"region-{code}",
                   "alle kommuner" if code == "alle" else regions()[code])
    if scope == "area":
        areas = tables.areas.set_index("area_id")
        area = area_parameter(area, tables.areas)
        if not (snapshot.series["geo_code"] == area).any():  # a profile of nothing is no report
            raise ParameterError(f"--area: {area} has no figures in this workspace on {snapshot.as_of.isoformat()}")
        return job(area, areas.loc[area, "municipality_code"], areas.loc[area, "area_name"])
    plans = tables.plans.set_index("plan_id")
    if plan not in plans.index:
        raise ParameterError(f"--plan: unknown plan {plan!r} (known: {', '.join(plans.index) or 'none'})")
    if not _plan_runs(plans.loc[plan], quarter):
        row = plans.loc[plan]
        raise ParameterError(f"--plan: {plan} runs {row['start_date'] or '…'} to {row['end_date'] or '…'}, "
                             f"not in {quarter}")
    return job(plan, plans.loc[plan, "municipality_code"], plans.loc[plan, "plan_name"])


def build_key(job: ReportJob, tables) -> str:
    """A hash of everything a report is built from: the inputs (the manifest's hash of raw/), the
    package's code, rules and settings, the report's notebook, its parameters and the version."""
    import hashlib
    import json

    from .. import __version__
    from ..snapshot.store import code_hash

    notebook = (NOTEBOOKS_DIR / templates()[job.template].notebook).read_bytes()
    text = json.dumps([tables.manifest.get("input_hash", ""), code_hash(), hashlib.sha256(notebook).hexdigest(),
                       job.template, job.parameters, job.internal, __version__], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _plan_runs(plan, quarter: str) -> bool:
    start, end = (pd.Timestamp(d) for d in period_bounds(quarter))
    begins = pd.Timestamp(plan["start_date"]) if pd.notna(plan["start_date"]) else start
    ends = pd.Timestamp(plan["end_date"]) if pd.notna(plan["end_date"]) else end
    return begins <= end and ends >= start


def all_jobs(quarter: str, workspace=None, templates_wanted=None, as_of=None, internal: bool = False,
             municipalities_wanted=None) -> list[ReportJob]:
    """Every report of a workspace for a quarter: each template for each municipality with monitored
    areas on the date, each such area, and each plan running in the quarter (of the municipalities
    in ``municipalities_wanted``, where given)."""
    quarter = parse_quarter_parameter(quarter)
    tables = load(workspace)
    known = templates()
    wanted = list(templates_wanted or known)
    unknown = sorted(set(wanted) - set(known))
    if unknown:
        raise ParameterError(f"--templates: unknown template(s) {', '.join(unknown)}")
    snapshot = tables.quarter(quarter, as_of_parameter(as_of, quarter), store=False)
    areas = snapshot.areas
    by_municipality = {code: part["area"].tolist() for code, part in areas.groupby("municipality_code", sort=True)
                       if municipalities_wanted is None or code in municipalities_wanted}
    options = {"tables": tables, "snapshot": snapshot, "as_of": as_of, "internal": internal}
    jobs = []
    for code in sorted(by_municipality):
        for name in wanted:
            scope = known[name].scope
            if scope == "municipality":
                jobs.append(plan_job(name, quarter, municipality=code, **options))
            elif scope == "area":
                jobs += [plan_job(name, quarter, area=a, **options) for a in sorted(by_municipality[code])]
    for name in wanted:
        if known[name].scope == "region" and municipalities_wanted is None and by_municipality:
            jobs.append(plan_job(name, quarter, region="alle", **options))
    for name in wanted:
        if known[name].scope == "plan":
            for plan in tables.plans.itertuples():
                if municipalities_wanted is not None and plan.municipality_code not in municipalities_wanted:
                    continue
                if _plan_runs(tables.plans.set_index("plan_id").loc[plan.plan_id], quarter):
                    jobs.append(plan_job(name, quarter, plan=plan.plan_id, **options))
    if not jobs:
        # Publishing nothing must not look like success: the last good reports stay, and the user is told.
        raise ParameterError(f"--quarter {quarter}: no reports to build: no area has criteria figures on "
                             f"{snapshot.as_of.isoformat()} and no plan runs in the quarter (templates: "
                             f"{', '.join(wanted)})")
    persist(snapshot)
    if any(known[job.template].previous_quarter for job in jobs):
        # The quarterly reports compare with the previous quarter: computed once here, not in each worker.
        from ..reports.common import previous_quarter
        from ..snapshot.store import ensure_stored

        ensure_stored(tables, previous_quarter(quarter))
    return jobs


def execute(job: ReportJob, ws: Workspace, staging: Path, *, engine: str | None = None, **engine_options):
    """Run the job's notebook with papermill into ``staging``; return the executed notebook.

    ``engine`` is papermill's engine: its default (nbclient, a fresh kernel, the notebook saved
    after every cell: the reference) or ``"boligdata"`` with a warm ``session`` (the batch). A
    failure keeps the executed notebook in the failures folder (``failures.keep``) and raises
    ``ReportError`` naming the cell and the package's file and line.
    """
    import nbformat
    import papermill
    from nbclient.exceptions import DeadKernelError

    from . import failures

    source = NOTEBOOKS_DIR / templates()[job.template].notebook
    output = staging / f"{job.name}.ipynb"
    parameters = {**job.parameters, "workspace": str(ws.root)}
    reference = engine is None
    try:
        return papermill.execute_notebook(
            str(source), str(output), parameters=parameters, kernel_name="python3", language="python",
            progress_bar=False, log_output=False, cwd=str(staging) if reference else None,
            execution_timeout=int(timeouts().cell), engine_name=engine,
            request_save_on_cell_execute=reference, **engine_options,
            # the executed notebook names where it is published, not the staging folder it is made in
            **({} if reference else {"published_as": ws.display(job.notebook_path(ws))}),
        )
    except (papermill.PapermillExecutionError, DeadKernelError) as exc:
        try:
            notebook = nbformat.read(str(output), as_version=4)
        except (OSError, ValueError):
            notebook = None
        if isinstance(exc, DeadKernelError):
            why = f"failed: the kernel died ({exc})"
        else:
            why = failures.reason(notebook) if notebook is not None else f"failed in cell {exc.exec_count}: {exc.ename}"
        kept = failures.keep(notebook, ws.reports, job.quarter, job.municipality, job.name) if notebook else None
        raise ReportError(f"report {job.name} ({job.quarter}) {why}; "
                          + (f"the notebook is kept in {ws.display(kept)}; " if kept else "")
                          + "the last good report is unchanged", kept=kept) from None


def publish(job: ReportJob, ws: Workspace, notebook, printer=None, staging: Path | None = None) -> Path:
    """Build the report's files in ``staging`` (the committee HTML, the workbook, the executed
    notebook, the PDF with a ``printer`` (``pdf.PdfPrinter``), the build key) and publish them as
    one set (``release.release``): all of them, or, on any failure, none, and the last good set
    stays as it was."""
    import nbformat

    from . import failures
    from .export import notebook_to_html
    from .release import discard, new_staging, release
    from .tables_out import report_workbook

    folder = job.folder(ws)
    try:
        staging = staging or new_staging(ws.reports)
        html = notebook_to_html(notebook, job.title)
        files = {job.html_path(ws).name: html.encode("utf-8"),
                 job.xlsx_path(ws).name: report_workbook(html, about_report(job, html))}
        published_as = ws.display(job.notebook_path(ws))
        papermill_meta = notebook.metadata.get("papermill", {})
        if not (staging / job.notebook_path(ws).name).exists() or papermill_meta.get("output_path") != published_as:
            # papermill's metadata names the published notebook (the batch's engine sets it while it
            # runs; on the reference path it named the staging folder): written again here
            if "papermill" in notebook.metadata:
                notebook.metadata.papermill["output_path"] = published_as
            files[job.notebook_path(ws).name] = nbformat.writes(notebook).encode("utf-8")
        for name, data in files.items():
            _write(staging / name, data)
        pdf = job.html_path(ws).with_suffix(".pdf").name
        if printer is not None:
            from .pdf import PrintFailed

            try:
                printer.print(staging / job.html_path(ws).name, staging / pdf, title=job.label or job.title,
                              quarter_da=quarter_da(job.quarter))
            except PrintFailed as exc:
                raise ReportError(f"report {job.name} ({job.quarter}): the PDF failed ({exc}); the last good report "
                                  f"is unchanged") from None
        key = job.key_path(ws).name
        _write(staging / key, (job.build_key + "\n").encode())
        names = [job.notebook_path(ws).name, *files, *([pdf] if printer is not None else []), key]
        release(staging, folder, job.name, list(dict.fromkeys(names)), stale=() if printer is not None else (pdf,))
    except OSError as exc:
        from ..ingest import write_failed

        if staging is not None:
            discard(staging)
        raise write_failed(folder / job.name, exc, "the last good report") from None
    except BaseException:
        if staging is not None:
            discard(staging)
        raise
    failures.forget(ws.reports, job.quarter, job.municipality, job.name)
    return job.html_path(ws)


def _write(path: Path, data: bytes) -> None:
    """Write a staged file and flush it to disk (it is renamed into place later, never rewritten)."""
    import os

    with open(path, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())


def about_report(job: ReportJob, html: str) -> list[tuple[str, str]]:
    """The workbook's first sheet: what the report is, and the notices its page carries."""
    import re

    plain = lambda fragment: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", fragment)).strip()  # noqa: E731
    rows = [("Rapport", job.title), ("Kvartal", quarter_da(job.quarter))]
    if job.as_of:
        rows.append(("Tal pr.", job.as_of))
    rows += [("Bemærkning", plain(b)) for b in re.findall(r'<div class="bd-banner[^"]*"[^>]*>(.*?)</div>', html, re.S)]
    rows.append(("Tallene", "Tabellerne er rapportens egne, med de samme tal og den samme diskretionering som "
                            "rapporten (HTML og PDF); et tal, der ikke må offentliggøres, står heller ikke her."))
    return rows


def run_job(job: ReportJob, ws: Workspace, *, printer=None, engine: str | None = None, **engine_options) -> Path:
    """Execute in a fresh staging folder and publish on success (parameters already validated);
    papermill's default engine (a fresh kernel) unless ``engine`` is given."""
    from .release import discard, finish_interrupted, new_staging

    finish_interrupted(ws.reports)  # what killed runs left: swaps finished, staging removed
    staging = new_staging(ws.reports)
    km = None
    if engine is None and "km" not in engine_options:
        from .ipc import ipc_kernel_manager  # IPC sockets: no TCP port to collide on (papermill #511)

        km = engine_options["km"] = ipc_kernel_manager(staging, asynchronous=True)
    try:
        notebook = execute(job, ws, staging, engine=engine, **engine_options)
        return publish(job, ws, notebook, printer, staging)
    finally:
        if km is not None:
            from .ipc import shutdown_kernel

            shutdown_kernel(km)
        discard(staging)
