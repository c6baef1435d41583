"""Scheduled batch: every requested report, in a bounded pool of workers, failures isolated.

Each worker is a thread of the batch process that hands its jobs to one worker process
(``worker_process.WorkerProcess``) and waits for each result. The worker process builds the whole report
in itself: papermill with the engine ``boligdata`` runs the cells in its own IPython shell
(``inprocess.py``: no kernel, no messages), then it writes the files and publishes them as one
set, the PDF with a browser of its own. On POSIX the processes are forked from one process
(``zygote.Zygote``) that has imported the report modules; elsewhere each is started and imports
them itself. They read the workspace's tables and the quarter's snapshots once, when the batch
has ingested the inputs and planned its jobs. Before each report the shell forgets every name the
previous one defined, so nothing one report defined is visible in the next; a test proves that a
report is identical whether it runs alone (the reference path) or after another in the same
worker. A report that fails is recorded with its reason and the others go on; a worker process
that dies is noticed at once (its socket closes), its report fails with the reason, and the next
report gets a new process. ``--fresh-kernels`` starts a new kernel for every report instead
(papermill's own execution with nbclient, the reference path).
"""

from __future__ import annotations

import datetime as dt
import json
import queue
import sys
import threading
import time
from typing import TYPE_CHECKING

from ..errors import BoligdataError
from ..paths import Workspace
from .engine import register_engine
from .registry import templates
from .worker import result_row

if TYPE_CHECKING:
    from .runner import ReportJob

register_engine()  # papermill's engine "boligdata", also where the package is not installed


def preload_code() -> str:
    """What a worker process (or the zygote it is forked from) does first, while the batch checks
    its inputs: import every report template's module (the registry), read the package's rules
    and settings, and make what building a report needs (``worker.prepare``)."""
    return ("import " + ", ".join(t.module for t in templates().values()) + "\nimport boligdata\nboligdata.warm()"
            "\nfrom boligdata.publish.worker import prepare\nprepare()")


class Worker:
    """One of the batch's workers: a thread in the batch process that hands jobs to one worker
    process (``worker_process.WorkerProcess``), which builds and publishes each report in itself, its PDF
    with its own browser; or, with ``--fresh-kernels``, that runs papermill with a new kernel
    per report (the reference path) and prints with a browser of the thread's own."""

    def __init__(self, ws: Workspace, reuse: bool, pdf: bool, quarter: str | None = None, zygote=None):
        self.ws, self.reuse, self.pdf, self.quarter, self.zygote = ws, reuse, pdf, quarter, zygote
        self.process = self.printer = None
        self.note, self.closing = "", False
        self.data_ready: threading.Event | None = None

    def start(self, data_ready: threading.Event) -> None:
        """Start the worker process, which reads the workspace once ``data_ready`` is set (the
        batch has ingested it by then); or, with fresh kernels, the thread's browser."""
        self.data_ready = data_ready
        if self.reuse:
            try:
                self._start_process()
            except Exception:  # no worker process: each report then starts its own kernel, and says why if that fails too
                self._stop_process()
                self.reuse = False
        if self.pdf and not self.reuse:  # Playwright's sync API belongs to the thread that started it
            from .pdf import start_printer

            self.printer, self.note = start_printer()

    def _start_process(self) -> None:
        from .worker_process import WorkerProcess

        self.process = WorkerProcess(self.zygote, preload_code())
        self.process.start()  # the process imports the report modules while the batch plans its jobs
        self.data_ready.wait()
        if not self.closing:
            self.process.load(str(self.ws.root), self.quarter)

    def _stop_process(self) -> None:
        if self.process is not None:
            self.process.close()
        self.process = None

    def run(self, job: ReportJob) -> dict:
        """Run one job; its result row."""
        from .runner import run_job

        started = time.perf_counter()
        if not self.reuse:
            return result_row(job, self.ws, started, lambda: run_job(job, self.ws, printer=self.printer), self.note)
        if self.process is None or not self.process.alive():
            self._stop_process()
            try:
                self._start_process()
            except Exception as exc:  # a row that says why, never a thread that dies (the pool waits for it)
                self._stop_process()
                return result_row(job, self.ws, started, exc)
        running: list = [None]  # the cell the worker is running (None: its files are being written)
        try:
            return self.process.build(job, self.pdf, on_cell=lambda index: running.__setitem__(0, index))
        except Exception as exc:  # the worker died or stopped answering: the next report gets a new one
            self._stop_process()
            if not isinstance(exc, BoligdataError):
                return result_row(job, self.ws, started, exc)
            return result_row(job, self.ws, started, self._failure(job, running[0], exc))

    def _failure(self, job: ReportJob, cell: int | None, exc: BoligdataError) -> BoligdataError:
        """The failure of a report whose worker process died: what the dead process left half done
        in reports/ finished or removed, and the notebook kept with the error in the cell it ran."""
        from .release import discard, finish_interrupted, new_staging
        from .inprocess import Unfinished
        from .runner import ReportError, execute

        finish_interrupted(self.ws.reports)
        if cell is None:
            return ReportError(f"report {job.name} ({job.quarter}) failed while its files were written: {exc}; the "
                               f"last good report is unchanged")
        try:
            staging = new_staging(self.ws.reports)
        except BoligdataError:
            return exc
        try:
            execute(job, self.ws, staging, engine="boligdata", session=Unfinished(cell, type(exc).__name__, str(exc)))
        except BoligdataError as failed:
            return failed
        finally:
            discard(staging)
        return exc

    def close(self) -> None:
        if self.printer is not None:
            self.printer.__exit__(None, None, None)
            self.printer = None
        self._stop_process()


class KernelPool:
    """The batch's workers, started at once, so their processes start while the batch checks its
    inputs and plans its jobs.

    Each worker is a thread that starts its worker process, lets it read the workspace when the
    pool is told the data is ready (``data_ready``; at once unless ``wait_for_data``), then takes
    the next job from a shared queue until the pool closes.
    """

    def __init__(self, ws: Workspace, workers: int = 2, reuse: bool = True, pdf: bool = False,
                 quarter: str | None = None, wait_for_data: bool = False):
        from .ipc import sweep_sockets
        from .release import finish_interrupted
        from .zygote import Zygote

        self.ws, self.reuse = ws, reuse
        # What killed runs left: their swaps finished, their staging and socket folders removed.
        finish_interrupted(ws.reports)
        sweep_sockets()
        # The worker processes are forked from one process that has imported the report modules once.
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
        """The workspace is ingested: the workers may read its tables and ``quarter``'s snapshots."""
        for worker in self.workers:
            worker.quarter = quarter
        self._data_ready.set()

    def _work(self, worker: Worker) -> None:
        try:
            worker.start(self._data_ready)
            if worker.closing:
                return
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

    def __enter__(self) -> "KernelPool":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def run_batch(jobs: list[ReportJob], ws: Workspace, *, workers: int = 2, reuse_kernels: bool = True,
              progress: bool | None = None, pdf: bool = False, pool: KernelPool | None = None) -> dict:
    """Run every job; returns the summary (also written to reports/<quarter>/batch-summary.json).

    ``pool`` is a ``KernelPool`` started earlier (its worker processes start while the jobs are planned);
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

