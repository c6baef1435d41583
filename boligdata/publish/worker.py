"""Inside a batch worker process: build whole reports, one after the other, in this process.

A worker process runs a report's notebook through papermill and its engine ``boligdata`` with
the cells in an IPython shell of its own (``inprocess.InProcessSession``: no kernel and no
messages), then writes the report's files and publishes them as one set (``runner.publish``),
the PDF with a browser of its own. It reads the workspace's tables and the quarter's snapshots
once, when the batch says they are ready, and keeps them for every report after. The batch's
side of it is ``worker_process.WorkerProcess``; a cell that overruns its time limit is stopped
here by an alarm (``inprocess.CellTimeout``), as any error.

>>> row = result_row(type("Job", (), {"name": "r", "template": "t", "municipality": "461",
...                                   "quarter": "2020Q3"})(), None, 0.0, ValueError("x"))
>>> row["status"], row["reason"], row["exit"]
('failed', 'ValueError: x', 3)
"""

from __future__ import annotations

import os
import sys
import time
from multiprocessing.connection import Client
from pathlib import Path

from ..errors import BoligdataError


def result_row(job, ws, started: float, work, note: str = "") -> dict:
    """A job's result row: ``work`` is the function that builds and publishes the report (its
    published HTML), or the exception that stopped it already; a failure is a row, never an
    exception."""
    status, reason, path, kept, code = "ok", "", "", None, 0
    try:
        if isinstance(work, Exception):
            raise work
        path = work()
    except BoligdataError as exc:
        status, reason, kept, code = "failed", str(exc), getattr(exc, "kept", None), exc.exit_code
    except Exception as exc:
        status, reason, code = "failed", f"{type(exc).__name__}: {exc}".splitlines()[0], 3
    return {"exit": 0 if status == "ok" else code, "report": job.name, "template": job.template,
            "municipality": job.municipality, "status": status, "seconds": round(time.perf_counter() - started, 2),
            "reason": reason, "path": ws.display(Path(path)) if path else "", "note": note,
            # the kept notebook of a failed report, relative to batch-summary.json beside it
            "failure": Path(kept).relative_to(ws.reports / job.quarter).as_posix() if kept else ""}


def prepare() -> None:
    """What every report needs, made once before the workers are forked (so they share it): the
    libraries that run and write a report imported, papermill's engine registered, the HTML
    exporter's templates compiled and the IPython shell made (0,9 → 0,6 s for a worker's first
    report, national data). Starts no thread: the zygote checks before it forks."""
    import nbformat  # noqa: F401
    import papermill  # noqa: F401
    import xlsxwriter  # noqa: F401

    from .engine import register_engine
    from .export import exporter
    from .inprocess import InProcessSession

    register_engine()
    exporter()
    InProcessSession()


def serve(address: str) -> None:
    """The worker's loop: connect to the batch, then answer each message (read the workspace,
    build a report, exit) until the batch says so or its connection closes."""
    _die_with_parent()
    conn = Client(address, family="AF_UNIX")
    builder = Builder(conn)
    try:
        while True:
            try:
                message = conn.recv()
            except (EOFError, OSError):
                break  # the batch is gone
            if "exit" in message:
                break
            if "load" in message:
                conn.send({"loaded": builder.load(message["load"], message["quarter"])})
            elif "job" in message:
                conn.send({"result": builder.build(message["job"], message["pdf"])})
    finally:
        builder.close()


class Builder:
    """What a worker process keeps between reports: the shell, the workspace and the browser."""

    def __init__(self, conn):
        from .inprocess import InProcessSession

        self.conn, self.session, self.ws = conn, InProcessSession(), None
        self.printer, self.note = None, ""

    def load(self, root: str, quarter: str | None):
        """Read the workspace and the quarter's snapshots; True, or the error in one line."""
        import gc

        try:
            from ..loader import load
            from ..paths import Workspace
            from ..snapshot.store import preread

            self.ws = Workspace(Path(root))
            load(root)
            if quarter is not None:
                preread(root, quarter)
        except Exception as exc:
            return f"{type(exc).__name__}: {exc}".splitlines()[0]
        gc.collect()
        gc.freeze()  # what every report reads stays out of the garbage collector's way
        # A report frees nearly all it makes by reference counting; collecting the youngest objects
        # every 700 allocations (the default) cost 8 ms of a report's 113 (national data, measured
        # with gc.callbacks), every 20.000 about 2 ms. Older generations as by default.
        gc.set_threshold(20_000, 10, 10)
        return True

    def build(self, job, pdf: bool) -> dict:
        from .runner import run_job

        started = time.perf_counter()
        printer = self._printer() if pdf else None
        row = result_row(job, self.ws, started, lambda: run_job(
            job, self.ws, printer=printer, engine="boligdata", session=self.session,
            on_cell=lambda index: self.conn.send({"cell": index})), self.note)
        if printer is not None and not printer.alive():
            self._close_printer()  # the browser crashed: the next report starts another
        return row

    def _printer(self):
        if self.printer is None and not self.note:
            from .pdf import start_printer

            self.printer, self.note = start_printer()
        return self.printer

    def _close_printer(self) -> None:
        try:
            self.printer.__exit__(None, None, None)
        except Exception:
            pass  # a browser that crashed may not close cleanly
        self.printer = None

    def close(self) -> None:
        if self.printer is not None:
            self._close_printer()


def _die_with_parent() -> None:
    """Linux: the worker gets SIGKILL when its parent ends (the zygote ends with the batch), so a
    killed batch leaves no worker building a report nobody waits for."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent ended before the line above
        os._exit(1)


if __name__ == "__main__":
    exec(compile(sys.argv[2], "<preload>", "exec"), {})
    serve(sys.argv[1])
