"""Scheduled batch: every requested report, in a bounded pool of workers, failures isolated.

Each worker is a thread of the batch process that keeps one kernel and one client
(``executor.KernelSession``) over IPC (no TCP ports to collide on). On POSIX the kernels are
forked from one process (``zygote.Zygote``) that has imported the report modules, and then read
the workspace's tables and the quarter's snapshots, once, while the batch checks its inputs and
plans its jobs; elsewhere each kernel is started by jupyter_client and imports them itself. The
report's work runs in the kernels (one process each), so two workers use two cores. Before each
report the kernel forgets every name the previous one defined, so nothing one report defined is
visible in the next; a test proves that a report is identical whether it runs alone or after
another in the same worker, with a forked kernel or a started one. A report that fails is
recorded with its reason and the others go on; a kernel that dies is replaced.
``--fresh-kernels`` starts a new kernel for every report instead (papermill's own execution, the
reference path).
"""

from __future__ import annotations

import datetime as dt
import json
import queue
import sys
import threading
import time
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from .. import owners
from ..errors import BoligdataError
from ..paths import Workspace
from .engine import register_engine
from .executor import SETUP, KernelSession
from .registry import templates

if TYPE_CHECKING:
    from .runner import ReportJob

register_engine()  # papermill's engine "boligdata", also where the package is not installed


def preload_code() -> str:
    """What a warm kernel does first, while the batch checks its inputs: import every report
    template's module (the registry) and read the package's rules and settings."""
    return "import " + ", ".join(t.module for t in templates().values()) + "\nimport boligdata\nboligdata.warm()"


def data_code(ws: Workspace | None, quarter: str | None = None) -> str:
    """What it does once the workspace is ingested: read its tables (kept by ``load``) and the
    quarter's stored snapshots (kept by the snapshot store)."""
    if ws is None:
        return "pass"
    code = f"import boligdata\nboligdata.load({str(ws.root)!r})"
    if quarter is not None:
        code += f"\nfrom boligdata.snapshot.store import preread\npreread({str(ws.root)!r}, {quarter!r})"
    return code


class WarmKernel:
    """One kernel reused for many reports (``executor.KernelSession``); each report starts by
    forgetting the previous one's names.

    ``launch`` starts the kernel process and returns; ``boot`` waits for it and imports the
    report modules; ``load_data`` reads the workspace (after the batch has ingested it); ``start``
    does all three.
    """

    def __init__(self, folder: Path, ws: Workspace | None = None, quarter: str | None = None, zygote=None):
        self.folder, self.ws, self.quarter, self.zygote = folder, ws, quarter, zygote
        self.session = None

    def launch(self) -> None:
        from .zygote import ZygoteFailed

        if self.zygote is not None:
            try:
                self.session = KernelSession(self.folder, self.zygote)
                return
            except ZygoteFailed:
                self.zygote = None  # started the ordinary way from now on
        self.session = KernelSession(self.folder)

    def boot(self) -> None:
        self.session.boot(preload_code())

    def load_data(self) -> None:
        # the collection and freeze come last, so the tables are frozen out of the collector's way too
        self.session.boot(data_code(self.ws, self.quarter), SETUP)

    def start(self) -> None:
        self.launch()
        self.boot()
        self.load_data()

    def alive(self) -> bool:
        return self.session is not None and self.session.alive()

    def run(self, job: ReportJob, ws: Workspace, printer=None) -> Path:
        """Run one report in this kernel and publish it."""
        from .release import discard, new_staging
        from .runner import publish

        staging = new_staging(ws.reports)
        try:
            return publish(job, ws, self.execute(job, ws, staging), printer, staging)
        finally:
            discard(staging)

    def execute(self, job: ReportJob, ws: Workspace, staging: Path):
        """Run one report's notebook in this kernel, through papermill and its engine
        ``boligdata``, into ``staging``; the executed notebook (not yet published)."""
        from .runner import execute

        if not self.alive():
            self.close()
            self.start()
        try:
            return execute(job, ws, staging, engine="boligdata", session=self.session)
        finally:
            if not self.alive():  # died, or overran a time limit: the next report gets a new kernel
                self.close()

    def close(self) -> None:
        if self.session is not None:
            self.session.close()
        self.session = None


def _done(result: dict) -> Future:
    future: Future = Future()
    future.set_result(result)
    return future


def _remove(folder: Path) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


class Worker:
    """One of the batch's workers: a thread in the batch process that drives one warm kernel (or,
    with ``--fresh-kernels``, papermill with a new kernel per report) and, with PDFs, its own
    browser. The kernel does the report's work in its own process; the thread sends the cells,
    exports the HTML and writes the files."""

    def __init__(self, ws: Workspace, reuse: bool, pdf: bool, quarter: str | None = None, zygote=None):
        self.ws, self.reuse, self.pdf, self.quarter, self.zygote = ws, reuse, pdf, quarter, zygote
        self.kernel = self.printer = None
        self.note, self.closing = "", False
        # Writes the files of a finished report while the kernel runs the next (not with PDFs).
        self.publisher = None if pdf else ThreadPoolExecutor(1, thread_name_prefix="publish")
        self.folder = ws.reports / ".kernels" / f"{owners.tag()}-{uuid.uuid4().hex[:12]}"

    def start(self, data_ready: threading.Event) -> None:
        """Start the kernel, the exporter and the browser, in the worker's own thread; the kernel
        reads the workspace once ``data_ready`` is set (the batch has ingested it by then). A kernel
        forked by the zygote is forked after that, with the workspace already read."""
        if self.reuse:
            self.kernel = WarmKernel(self.folder, self.ws, zygote=self.zygote)
            try:
                self.kernel.launch()  # the kernel boots while this thread loads the exporter
            except Exception:
                self.kernel.close()
                self.kernel, self.reuse = None, False
        from .export import exporter

        exporter()  # nbconvert's templates load once per thread
        if self.reuse:
            try:
                self.kernel.boot()
                data_ready.wait()
                if self.closing:
                    return
                self.kernel.quarter = self.quarter
                self.kernel.load_data()
            except Exception:  # no warm kernel: each report then starts its own, and says why if that fails too
                self.kernel.close()
                self.kernel, self.reuse = None, False
        if self.pdf:  # Playwright's sync API belongs to the thread that started it: one browser per worker
            from .pdf import PdfEngineMissing, PdfPrinter

            try:
                self.printer = PdfPrinter().__enter__()
            except PdfEngineMissing as exc:
                self.note = str(exc)

    def run(self, job: ReportJob) -> Future:
        """Run one job; its result (a dict: a failure is a result, never an exception) arrives in
        the returned future. Without PDFs the files are written by the worker's publishing thread
        while its kernel already runs the next report (the kernel would otherwise wait)."""
        from .runner import run_job

        from .release import discard, new_staging

        started = time.perf_counter()
        if not self.reuse:
            return _done(self._result(job, started, lambda: run_job(job, self.ws, printer=self.printer)))
        try:
            staging = new_staging(self.ws.reports)
        except BoligdataError as exc:  # reports/ cannot be written
            return _done(self._result(job, started, exc))
        try:
            notebook = self.kernel.execute(job, self.ws, staging)
        except Exception as exc:
            discard(staging)
            if not isinstance(exc, BoligdataError):  # an unforeseen fault in the kernel: replace it, go on
                self.kernel.close()
            return _done(self._result(job, started, exc))
        from .runner import publish

        def publish_it():
            try:
                return self._result(job, started, lambda: publish(job, self.ws, notebook, self.printer, staging))
            finally:
                discard(staging)

        if self.publisher is None:  # Playwright's browser belongs to this thread: print here
            return _done(publish_it())
        return self.publisher.submit(publish_it)

    def _result(self, job: ReportJob, started: float, work) -> dict:
        """The job's result row: ``work`` is the function that writes the report, or the exception
        that stopped it already."""
        status, reason, path, kept, code = "ok", "", "", None, 0
        try:
            if isinstance(work, Exception):
                raise work
            path = work()
        except BoligdataError as exc:
            status, reason, kept, code = "failed", str(exc), getattr(exc, "kept", None), exc.exit_code
        except Exception as exc:
            status, reason, code = "failed", f"{type(exc).__name__}: {exc}".splitlines()[0], 3
        return {"exit": 0 if status == "ok" else code, "report": job.name, "template": job.template, "municipality": job.municipality, "status": status,
                "seconds": round(time.perf_counter() - started, 2), "reason": reason,
                "path": self.ws.display(Path(path)) if path else "", "note": self.note,
                # the kept notebook of a failed report, relative to batch-summary.json beside it
                "failure": Path(kept).relative_to(self.ws.reports / job.quarter).as_posix() if kept else ""}

    def close(self) -> None:
        if self.publisher is not None:
            self.publisher.shutdown(wait=True)  # every report it was given is written first
            self.publisher = None
        if self.printer is not None:
            self.printer.__exit__(None, None, None)
            self.printer = None
        if self.kernel is not None:
            self.kernel.close()
        _remove(self.folder)


class KernelPool:
    """The batch's workers, started at once, so their kernels boot while the batch checks its
    inputs and plans its jobs.

    Each worker is a thread that starts its kernel, lets it read the workspace when the pool is
    told the data is ready (``data_ready``; at once unless ``wait_for_data``), then takes the next
    job from a shared queue until the pool closes.
    """

    def __init__(self, ws: Workspace, workers: int = 2, reuse: bool = True, pdf: bool = False,
                 quarter: str | None = None, wait_for_data: bool = False):
        from .executor import sweep_sockets
        from .release import finish_interrupted
        from .zygote import Zygote

        self.ws, self.reuse = ws, reuse
        # What killed runs left: their swaps finished, their staging, kernel and socket folders removed.
        finish_interrupted(ws.reports)
        owners.sweep(ws.reports / ".kernels")
        sweep_sockets()
        # The kernels are forked from one process that has imported the report modules once.
        self.zygote = Zygote(preload_code()) if reuse and Zygote.available() else None
        self.workers = [Worker(ws, reuse, pdf, quarter, self.zygote) for _ in range(max(1, workers))]
        self._jobs: queue.Queue = queue.Queue()
        self._results: queue.Queue = queue.Queue()
        self._data_ready = threading.Event()
        self._threads = [threading.Thread(target=self._work, args=(w,), daemon=True) for w in self.workers]
        for thread in self._threads:
            thread.start()
        if not wait_for_data:
            self.data_ready(quarter)

    def data_ready(self, quarter: str | None = None) -> None:
        """The workspace is ingested: the kernels may read its tables and ``quarter``'s snapshots."""
        for worker in self.workers:
            worker.quarter = quarter
        self._data_ready.set()

    def _work(self, worker: Worker) -> None:
        try:
            worker.start(self._data_ready)
            if worker.closing:
                return
            while (job := self._jobs.get()) is not None:
                worker.run(job).add_done_callback(lambda done: self._results.put(done.result()))
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
        if not self._data_ready.is_set():  # closed before the data was ready (a refused input): read nothing
            for worker in self.workers:
                worker.closing = True
            self._data_ready.set()
        for _ in self._threads:
            self._jobs.put(None)
        for thread in self._threads:
            thread.join()
        if self.zygote is not None:
            self.zygote.close()
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
        from ..ingest import atomic_write

        path = ws.reports / jobs[0].quarter / "batch-summary.json"
        atomic_write(path, (json.dumps(summary, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
        summary["summary_file"] = ws.display(path)
    return summary


def exit_code(results: list[dict]) -> int:
    """The run's exit code: 0 when every report was published; 4 when a report could not be
    written (a full disk, a read-only reports/: docs/errors.md); else 1.

    >>> exit_code([{"exit": 0}, {"exit": 1}]), exit_code([{"exit": 1}, {"exit": 4}]), exit_code([])
    (1, 4, 0)
    """
    codes = {r.get("exit", 0) for r in results} - {0}
    return 4 if 4 in codes else (1 if codes else 0)


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

