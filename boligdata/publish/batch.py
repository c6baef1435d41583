"""Scheduled batch: every requested report, in a bounded pool of workers, failures isolated.

Each worker process keeps one kernel, started over IPC (no TCP ports to collide on) with
the report modules imported once. Every report's first, hidden cell resets the kernel's
namespace (``%reset -f``), so nothing one report defined is visible in the next; a test proves that a
report is identical whether it runs alone or after another in the same worker. A report
that fails is recorded with its reason and the others go on; a kernel that dies is
replaced. ``--fresh-kernels`` starts a new kernel for every report instead.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import multiprocessing
import os
import sys
import time
import uuid
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from ..errors import BoligdataError
from ..ingest import atomic_write
from ..paths import Workspace
from .runner import (
    ReportJob,
    execute,
    ipc_kernel_manager,
    publish,
    run_job,
    shutdown_kernel,
    staging_folder,
)


def preload_code() -> str:
    """What a warm kernel imports once: every report template's module (the registry) and matplotlib."""
    from .registry import templates

    return "import " + ", ".join([t.module for t in templates().values()] + ["matplotlib.pyplot"])


class WarmKernel:
    """One kernel reused for many reports, reset before each."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.km = None

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.km = ipc_kernel_manager(self.folder)
        self.km.start_kernel(cwd=str(self.folder))
        self._run(preload_code())

    def _run(self, code: str) -> None:
        client = self.km.client()
        client.start_channels()
        try:
            client.wait_for_ready(timeout=60)
            reply = client.execute_interactive(code, timeout=120, store_history=False, output_hook=lambda msg: None)
            if reply["content"]["status"] != "ok":
                raise RuntimeError(f"kernel could not run {code!r}: {reply['content'].get('evalue')}")
        finally:
            client.stop_channels()

    def reset(self) -> None:
        """Forget every name the previous report defined (modules stay imported)."""
        self._run("%reset -f")

    def alive(self) -> bool:
        return self.km is not None and self.km.is_alive()

    def run(self, job: ReportJob, ws: Workspace, printer=None) -> Path:
        """Run one report in this kernel; its first (hidden) cell resets the namespace."""
        if not self.alive():
            self.close()
            self.start()
        staging = staging_folder(ws)
        try:
            notebook = execute(job, ws, staging, km=self.km, reset_first=True)
            return publish(job, ws, notebook, printer)
        finally:
            gc.collect()  # nbclient leaves its client channels to the garbage collector
            _remove(staging)

    def close(self) -> None:
        if self.km is not None:
            shutdown_kernel(self.km)
        self.km = None


def _remove(folder: Path) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


_WORKER: dict = {}


def _init_worker(root: str, reuse: bool, pdf: bool = False) -> None:
    from multiprocessing.util import Finalize

    _WORKER["ws"] = Workspace(Path(root))
    _WORKER["reuse"] = reuse
    if pdf:  # one browser per worker, reused for every report it prints
        from .pdf import PdfEngineMissing, PdfPrinter

        try:
            printer = PdfPrinter().__enter__()
        except PdfEngineMissing as exc:
            _WORKER["pdf_missing"] = str(exc)
        else:
            _WORKER["printer"] = printer
            Finalize(printer, printer.__exit__, args=(None, None, None), exitpriority=20)
    if reuse:
        folder = Path(root) / "reports" / ".kernels" / f"{os.getpid()}-{uuid.uuid4().hex}"
        kernel = WarmKernel(folder)
        try:
            kernel.start()
        except Exception:  # no warm kernel: each report then starts its own, and says why if that fails too
            kernel.close()
            _WORKER["reuse"] = False
            return
        _WORKER["kernel"] = kernel

        def stop():
            kernel.close()
            _remove(folder)

        # Pool workers leave through os._exit, which skips atexit; multiprocessing's own
        # finalizers do run, so the kernel is shut down rather than orphaned.
        Finalize(kernel, stop, exitpriority=10)


def _run_one(job: ReportJob) -> dict:
    """Run one job in this worker; never raises (a failure is a result)."""
    ws = _WORKER["ws"]
    started = time.perf_counter()
    status, reason, path = "ok", "", ""
    try:
        printer = _WORKER.get("printer")
        if _WORKER.get("reuse"):
            path = _WORKER["kernel"].run(job, ws, printer)
        else:
            path = run_job(job, ws, printer=printer)
    except BoligdataError as exc:
        status, reason = "failed", str(exc)
    except Exception as exc:  # a dead kernel, a timeout: record it, replace the kernel, go on
        status, reason = "failed", f"{type(exc).__name__}: {exc}".splitlines()[0]
        if _WORKER.get("reuse"):
            _WORKER["kernel"].close()
    return {"report": job.name, "template": job.template, "municipality": job.municipality, "status": status,
            "seconds": round(time.perf_counter() - started, 2), "reason": reason,
            "path": ws.display(Path(path)) if path else "", "note": _WORKER.get("pdf_missing", "")}


def run_batch(jobs: list[ReportJob], ws: Workspace, *, workers: int = 2, reuse_kernels: bool = True,
              progress: bool | None = None, pdf: bool = False) -> dict:
    """Run every job; returns the summary (also written to reports/<quarter>/batch-summary.json)."""
    from tqdm import tqdm

    started_at = dt.datetime.now().isoformat(timespec="seconds")
    started = time.perf_counter()
    results = []
    show = sys.stderr.isatty() if progress is None else progress
    workers = max(1, min(workers, len(jobs) or 1))
    # "spawn", not fork: a forked child of a process that already talks to kernels inherits
    # its zmq state and can deadlock (seen when the batch ran inside a long test session).
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, mp_context=context,
                             initargs=(str(ws.root), reuse_kernels, pdf)) as pool:
        futures = {pool.submit(_run_one, job): job for job in jobs}
        with tqdm(total=len(jobs), disable=not show, unit="rapport", file=sys.stderr) as bar:
            for future in as_completed(futures):
                try:
                    results.append(future.result())
                except Exception as exc:  # the worker process itself died
                    job = futures[future]
                    results.append({"report": job.name, "template": job.template, "municipality": job.municipality,
                                    "status": "failed", "seconds": 0.0, "path": "",
                                    "reason": f"worker process died: {type(exc).__name__}: {exc}".splitlines()[0]})
                bar.update(1)
    _remove(ws.reports / ".kernels")
    order = {(job.municipality, job.name): i for i, job in enumerate(jobs)}
    results.sort(key=lambda r: order[(r["municipality"], r["report"])])
    summary = {
        "quarter": jobs[0].quarter if jobs else None,
        "started": started_at,
        "seconds": round(time.perf_counter() - started, 2),
        "workers": workers,
        "reuse_kernels": reuse_kernels,
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

