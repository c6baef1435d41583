"""Scheduled batch: every requested report, in a bounded pool of workers, failures isolated.

Each worker is a thread of the batch process that keeps one kernel and one client
(``executor.KernelSession``), started over IPC (no TCP ports to collide on) with the report
modules imported once; the kernels boot while the batch plans its jobs. The report's work runs
in the kernels (one process each), so two workers use two cores. Before each report
the kernel forgets every name the previous one defined, so nothing one report defined is
visible in the next; a test proves that a report is identical whether it runs alone or after
another in the same worker. A report
that fails is recorded with its reason and the others go on; a kernel that dies is
replaced. ``--fresh-kernels`` starts a new kernel for every report instead (papermill's own
execution, the reference path).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import queue
import sys
import threading
import time
import uuid
from pathlib import Path

from ..errors import BoligdataError
from ..ingest import atomic_write
from ..paths import NOTEBOOKS_DIR, Workspace
from .executor import KernelFailed, KernelSession, parameterized
from .registry import templates
from .runner import ReportJob, publish, run_job


def preload_code(ws: Workspace | None = None, quarter: str | None = None) -> str:
    """What a warm kernel does once: import every report template's module (the registry), read
    the package's rules and settings, the workspace's tables (kept by ``load``) and the quarter's
    stored snapshots (kept by the snapshot store)."""
    code = "import " + ", ".join(t.module for t in templates().values()) + "\nimport boligdata\nboligdata.warm()"
    if ws is not None:
        code += f"\nboligdata.load({str(ws.root)!r})"
        if quarter is not None:
            code += f"\nfrom boligdata.snapshot.store import preread\npreread({str(ws.root)!r}, {quarter!r})"
    return code


class WarmKernel:
    """One kernel reused for many reports (``executor.KernelSession``); each report starts by
    forgetting the previous one's names."""

    def __init__(self, folder: Path, ws: Workspace | None = None, quarter: str | None = None):
        self.folder, self.ws, self.quarter = folder, ws, quarter
        self.session = None

    def start(self) -> None:
        self.session = KernelSession(self.folder, preload_code(self.ws, self.quarter))

    def alive(self) -> bool:
        return self.session is not None and self.session.alive()

    def run(self, job: ReportJob, ws: Workspace, printer=None) -> Path:
        """Run one report in this kernel and publish it."""
        if not self.alive():
            self.close()
            self.start()
        source = NOTEBOOKS_DIR / templates()[job.template].notebook
        notebook = parameterized(source, {**job.parameters, "workspace": str(ws.root)})
        try:
            notebook = self.session.execute_notebook(notebook, job.name, job.quarter)
        except KernelFailed:
            self.close()
            raise
        return publish(job, ws, notebook, printer)

    def close(self) -> None:
        if self.session is not None:
            self.session.close()
        self.session = None


def _remove(folder: Path) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


class Worker:
    """One of the batch's workers: a thread in the batch process that drives one warm kernel (or,
    with ``--fresh-kernels``, papermill with a new kernel per report) and, with PDFs, its own
    browser. The kernel does the report's work in its own process; the thread sends the cells,
    exports the HTML and writes the files."""

    def __init__(self, ws: Workspace, reuse: bool, pdf: bool, quarter: str | None = None):
        self.ws, self.reuse, self.pdf, self.quarter = ws, reuse, pdf, quarter
        self.kernel = self.printer = None
        self.note = ""
        self.folder = ws.reports / ".kernels" / f"{os.getpid()}-{uuid.uuid4().hex}"

    def start(self) -> None:
        """Start the kernel, the exporter and the browser, in the worker's own thread."""
        from .export import exporter

        exporter()  # nbconvert's templates load once per thread
        if self.reuse:
            self.kernel = WarmKernel(self.folder, self.ws, self.quarter)
            try:
                self.kernel.start()
            except Exception:  # no warm kernel: each report then starts its own, and says why if that fails too
                self.kernel.close()
                self.kernel, self.reuse = None, False
        if self.pdf:  # Playwright's sync API belongs to the thread that started it: one browser per worker
            from .pdf import PdfEngineMissing, PdfPrinter

            try:
                self.printer = PdfPrinter().__enter__()
            except PdfEngineMissing as exc:
                self.note = str(exc)

    def run(self, job: ReportJob) -> dict:
        """Run one job; never raises (a failure is a result)."""
        started = time.perf_counter()
        status, reason, path = "ok", "", ""
        try:
            if self.reuse:
                path = self.kernel.run(job, self.ws, self.printer)
            else:
                path = run_job(job, self.ws, printer=self.printer)
        except BoligdataError as exc:
            status, reason = "failed", str(exc)
        except Exception as exc:  # a dead kernel, a timeout: record it, replace the kernel, go on
            status, reason = "failed", f"{type(exc).__name__}: {exc}".splitlines()[0]
            if self.reuse:
                self.kernel.close()
        return {"report": job.name, "template": job.template, "municipality": job.municipality, "status": status,
                "seconds": round(time.perf_counter() - started, 2), "reason": reason,
                "path": self.ws.display(Path(path)) if path else "", "note": self.note}

    def close(self) -> None:
        if self.printer is not None:
            self.printer.__exit__(None, None, None)
            self.printer = None
        if self.kernel is not None:
            self.kernel.close()
        _remove(self.folder)


class KernelPool:
    """The batch's workers, started at once, so their kernels boot while the batch plans its jobs.

    Each worker is a thread that starts its kernel, then takes the next job from a shared queue
    until the pool closes.
    """

    def __init__(self, ws: Workspace, workers: int = 2, reuse: bool = True, pdf: bool = False,
                 quarter: str | None = None):
        self.ws, self.reuse = ws, reuse
        self.workers = [Worker(ws, reuse, pdf, quarter) for _ in range(max(1, workers))]
        self._jobs: queue.Queue = queue.Queue()
        self._results: queue.Queue = queue.Queue()
        self._threads = [threading.Thread(target=self._work, args=(w,), daemon=True) for w in self.workers]
        for thread in self._threads:
            thread.start()

    def _work(self, worker: Worker) -> None:
        try:
            worker.start()
            while (job := self._jobs.get()) is not None:
                self._results.put(worker.run(job))
        finally:
            worker.close()

    def run(self, jobs: list[ReportJob], on_result=None) -> list[dict]:
        """Run the jobs on the workers; each worker takes the next job when it is free."""
        for job in jobs:
            self._jobs.put(job)
        results = []
        for _ in jobs:
            results.append(self._results.get())
            if on_result:
                on_result(results[-1])
        return results

    def close(self) -> None:
        for _ in self._threads:
            self._jobs.put(None)
        for thread in self._threads:
            thread.join()
        self.reuse = all(w.reuse for w in self.workers)
        try:
            (self.ws.reports / ".kernels").rmdir()
        except OSError:
            pass  # another batch's kernels are there

    def __enter__(self) -> "KernelPool":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def run_batch(jobs: list[ReportJob], ws: Workspace, *, workers: int = 2, reuse_kernels: bool = True,
              progress: bool | None = None, pdf: bool = False, pool: KernelPool | None = None) -> dict:
    """Run every job; returns the summary (also written to reports/<quarter>/batch-summary.json).

    ``pool`` is a ``KernelPool`` started earlier (its kernels boot while the jobs are planned);
    without one, a pool of ``workers`` is started here.
    """
    from tqdm import tqdm

    started_at = dt.datetime.now().isoformat(timespec="seconds")
    started = time.perf_counter()
    own = pool is None
    pool = pool or KernelPool(ws, max(1, min(workers, len(jobs) or 1)), reuse_kernels, pdf)
    show = sys.stderr.isatty() if progress is None else progress
    try:
        with tqdm(total=len(jobs), disable=not show, unit="rapport", file=sys.stderr) as bar:
            results = pool.run(jobs, on_result=lambda _: bar.update(1))
    finally:
        if own:
            pool.close()
    order = {(job.municipality, job.name): i for i, job in enumerate(jobs)}
    results.sort(key=lambda r: order[(r["municipality"], r["report"])])
    summary = {
        "quarter": jobs[0].quarter if jobs else None,
        "started": started_at,
        "seconds": round(time.perf_counter() - started, 2),
        "workers": len(pool.workers),
        "reuse_kernels": pool.reuse,
        "succeeded": sum(r["status"] == "ok" for r in results),
        "failed": sum(r["status"] != "ok" for r in results),
        "notes": sorted({r.get("note", "") for r in results} - {""}),
        "reports": results,
    }
    if jobs:
        path = ws.reports / jobs[0].quarter / "batch-summary.json"
        atomic_write(path, (json.dumps(summary, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
        summary["summary_file"] = ws.display(path)
    return summary


def summary_table(summary: dict) -> str:
    """The summary as an aligned text table: report, status, seconds, reason."""
    rows = [("report", "status", "seconds", "reason")]
    rows += [(f"{r['municipality']}/{r['report']}", r["status"], f"{r['seconds']:.1f}", r["reason"])
             for r in summary["reports"]]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = ["  ".join(row[i].ljust(widths[i]) for i in range(3)) + "  " + row[3] for row in rows]
    lines.append(f"{summary['succeeded']} succeeded, {summary['failed']} failed in {summary['seconds']:.1f} s "
                 f"with {summary['workers']} workers")
    return "\n".join(line.rstrip() for line in lines)

