"""A kernel kept for many reports, with one client, and a lean cell-by-cell executor.

papermill is the reference for one report (``runner.execute``): a fresh kernel, the notebook
saved after every cell. A batch worker builds hundreds of reports, and that machinery costs more
than the reports themselves (docs/performance.md). Here each worker keeps one kernel and one
client for its whole life. A report's parameters are injected by papermill
(``parameterize_notebook``, the same cell papermill writes), its cells are sent one after the
other, and the outputs are collected into the notebook in memory; the runner writes the executed
notebook once. Before each report a hidden call forgets every name the previous report defined
(``forget``: what ``%reset -f`` does, without its two full garbage collections). The preload
imports the report modules and freezes them out of the garbage collector's way.

The HTML is byte for byte what the papermill path writes (tests/test_batch.py).
"""

from __future__ import annotations

import queue
import time
from pathlib import Path

import nbformat

from ..errors import BoligdataError

# Runs in the kernel once, after the preload: the names IPython itself keeps, and a collection
# and freeze, so the imported modules are never scanned by the garbage collector again.
SETUP = """
import gc as _bd_gc
from boligdata.publish.executor import forget as _bd_forget
_bd_gc.collect()
_bd_gc.freeze()
"""
FORGET = "_bd_forget(get_ipython())"


class KernelFailed(BoligdataError):
    """The kernel died or stopped answering; the worker starts a new one."""

    exit_code = 1


def forget(ip) -> None:
    """Forget every name a report defined in the kernel ``ip``: its variables, its last results
    (``_``, ``Out``) and its history. Imported modules stay (they hold no report's state: each
    report sets the disclosure policy and reads its own data)."""
    hidden = ip.user_ns_hidden
    for name in [n for n in ip.user_ns if n not in hidden and not n.startswith("_bd_")]:
        del ip.user_ns[name]
    for name in ("_", "__", "___"):
        ip.user_ns[name] = ""
    ip.user_ns["_oh"].clear()
    ip.history_manager.output_hist.clear()


class KernelSession:
    """One kernel and one client for many notebooks."""

    def __init__(self, folder: Path, preload: str):
        from .runner import ipc_kernel_manager

        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.km = ipc_kernel_manager(folder)
        self.km.start_kernel(cwd=str(folder))
        self.kc = self.km.client()
        self.kc.start_channels()
        try:
            self.kc.wait_for_ready(timeout=60)
            for code in (preload, SETUP):
                status, _, error = self.run(code, timeout=120)
                if status != "ok":
                    raise KernelFailed(f"the kernel could not run its preload: {error}")
        except BaseException:
            self.close()
            raise

    def alive(self) -> bool:
        return self.km is not None and self.km.is_alive()

    def run(self, code: str, timeout: float = 900) -> tuple[str, list, str]:
        """Execute ``code``; return the status ("ok" or "error"), the outputs (nbformat nodes) and
        the error text."""
        msg_id = self.kc.execute(code, store_history=False, allow_stdin=False, stop_on_error=True)
        try:
            outputs, error = self._collect(msg_id, timeout)
        finally:
            self._replies([msg_id])
        return ("error" if error else "ok"), outputs, error

    def execute_notebook(self, notebook, name: str, quarter: str):
        """Run every code cell of ``notebook`` (parameters already injected) after forgetting the
        previous report; the outputs go into ``notebook``, which is returned.

        All cells are sent at once and the kernel runs them in order (no round trip between two
        cells); after an error it skips the rest (``stop_on_error``), as papermill stops.
        """
        from .runner import ReportError

        cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
        ids = [self.kc.execute(code, store_history=False, allow_stdin=False, stop_on_error=True)
               for code in [FORGET] + [cell.source for cell in cells]]
        try:
            for number, (msg_id, cell) in enumerate(zip(ids, [None] + cells)):
                outputs, error = self._collect(msg_id, timeout=60 if cell is None else 900)
                if cell is None:
                    if error:
                        raise KernelFailed(f"the kernel could not be reset: {error}")
                    continue
                cell.outputs, cell.execution_count = outputs, number
                if error:
                    raise ReportError(f"report {name} ({quarter}) failed in cell {number}: {error}; "
                                      f"the last good report is unchanged")
        finally:
            self._replies(ids)
        return notebook

    def _collect(self, msg_id: str, timeout: float) -> tuple[list, str]:
        """The outputs of one execution, read from the kernel's messages until it is idle."""
        outputs, error = [], ""
        deadline = time.monotonic() + timeout
        while True:
            try:
                msg = self.kc.get_iopub_msg(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise KernelFailed(f"the kernel did not finish a cell within {timeout:.0f} s") from None
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "status" and content["execution_state"] == "idle":
                return outputs, error
            if kind == "clear_output":
                outputs.clear()
            elif kind in ("stream", "display_data", "execute_result", "error"):
                outputs.append(nbformat.v4.output_from_msg(msg))
                if kind == "error":
                    error = f"{content['ename']}: {str(content['evalue']).splitlines()[0] if content['evalue'] else ''}"

    def _replies(self, ids: list[str], timeout: float = 30) -> None:
        """Read the shell replies of ``ids`` (run, failed or skipped), so none is left for the next report."""
        waiting, deadline = set(ids), time.monotonic() + timeout
        while waiting:
            try:
                reply = self.kc.get_shell_msg(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise KernelFailed("the kernel did not reply to every cell") from None
            waiting.discard(reply["parent_header"].get("msg_id"))

    def close(self) -> None:
        from .runner import shutdown_kernel

        if getattr(self, "kc", None) is not None:
            self.kc.stop_channels()
            self.kc = None
        if self.km is not None:
            shutdown_kernel(self.km)
            self.km = None


def parameterized(source: Path, parameters: dict):
    """The notebook with its parameters injected as papermill injects them."""
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    notebook = load_notebook_node(str(source))  # as papermill reads it (every cell gets its tags list)
    return parameterize_notebook(notebook, parameters, kernel_name="python3", language="python")
