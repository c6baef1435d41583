"""A kernel kept for many reports, with one client, and a lean cell-by-cell executor.

papermill is the reference for one report (``runner.execute``): a fresh kernel, the notebook
saved after every cell. A batch worker builds hundreds of reports, and that machinery costs more
than the reports themselves (docs/performance.md). Here each worker keeps one kernel and one
client for its whole life. A report's parameters are injected by papermill
(``parameterize_notebook``, the same cell papermill writes), its cells are sent one after the
other, and the outputs are collected into the notebook in memory; the runner writes the executed
notebook once. Before each report a hidden call forgets every name the previous report defined
(``in_kernel.forget``: what ``%reset -f`` does, without its two full garbage collections). The preload
imports the report modules and freezes them out of the garbage collector's way.

The HTML is byte for byte what the papermill path writes (tests/test_batch.py).
"""

from __future__ import annotations

import os
import queue
import shutil
import signal
import time
from pathlib import Path

from ..errors import BoligdataError
from .settings import timeouts

# Runs in the kernel once, after the preload: the names IPython itself keeps, and a collection
# and freeze, so the imported modules are never scanned by the garbage collector again.
SETUP = """
import gc as _bd_gc
from boligdata.publish.in_kernel import forget as _bd_forget
_bd_gc.collect()
_bd_gc.freeze()
"""
FORGET = "_bd_forget(get_ipython())"
# A batch kernel keeps no input history (no SQLite file, no thread to write it) and does not
# copy its file descriptors' output into the notebook (a report prints nothing; stderr is dropped
# anyway): 0,26 s less of each kernel's start (docs/performance.md).
KERNEL_ARGUMENTS = ["--HistoryManager.enabled=False", "--IPKernelApp.capture_fd_output=False"]


class KernelFailed(BoligdataError):
    """The kernel died or stopped answering; the worker starts a new one."""

    exit_code = 1


class SpawnedKernel:
    """A kernel process started the ordinary way, by jupyter_client (``ipykernel_launcher``)."""

    def __init__(self, folder: Path):
        self.km = ipc_kernel_manager(folder)
        try:
            self.km.start_kernel(cwd=str(folder), extra_arguments=KERNEL_ARGUMENTS)
        except BaseException:
            shutdown_kernel(self.km)
            raise

    def client(self):
        return self.km.client()

    def is_alive(self) -> bool:
        return self.km.is_alive()

    def stop(self) -> None:
        shutdown_kernel(self.km)


class ForkedKernel:
    """A kernel forked by the zygote (``zygote.Zygote``), with its report modules already imported."""

    def __init__(self, folder: Path, zygote):
        import tempfile
        import uuid

        from jupyter_client.connect import write_connection_file

        self.sockets = Path(tempfile.mkdtemp(prefix="bd-"))  # short socket paths, as ipc_kernel_manager
        self.connection_file = str(folder / "kernel.json")
        write_connection_file(self.connection_file, ip=str(self.sockets / "k"), transport="ipc",
                              key=uuid.uuid4().hex.encode())
        try:
            self.pid = zygote.spawn(self.connection_file, str(folder), KERNEL_ARGUMENTS)
        except BaseException:
            shutil.rmtree(self.sockets, ignore_errors=True)
            raise

    def client(self):
        from jupyter_client import BlockingKernelClient

        client = BlockingKernelClient(connection_file=self.connection_file)
        client.load_connection_file()
        return client

    def is_alive(self) -> bool:
        try:
            os.kill(self.pid, 0)  # the zygote lets the system reap its kernels: a dead one is gone
        except ProcessLookupError:
            return False
        return True

    def stop(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)  # as shutdown_kernel(now=True): nothing of it is kept
        except ProcessLookupError:
            pass
        shutil.rmtree(self.sockets, ignore_errors=True)


class KernelSession:
    """One kernel and one client for many notebooks.

    The kernel process is launched at once (forked by ``zygote`` when one is given, else started
    by jupyter_client); ``boot`` waits for it and runs the preload, so the caller can do other
    work while the kernel starts.
    """

    def __init__(self, folder: Path, zygote=None):
        self.folder, self.kc, self.km, self.ready = folder, None, None, False
        folder.mkdir(parents=True, exist_ok=True)
        try:
            self.km = ForkedKernel(folder, zygote) if zygote is not None else SpawnedKernel(folder)
            self.kc = self.km.client()
            self.kc.start_channels()
        except BaseException:
            self.close()
            raise

    def boot(self, *preloads: str) -> None:
        """Wait for the kernel and run each preload in it; stops the kernel if one fails."""
        try:
            if not self.ready:
                self.wait_ready()
            for code in preloads:
                status, _, error = self.run(code, timeout=timeouts().preload)
                if status != "ok":
                    raise KernelFailed(f"the kernel could not run its preload: {error}")
        except BaseException:
            self.close()
            raise

    def wait_ready(self, timeout: float | None = None) -> None:
        """Wait until the kernel answers and its messages reach this client.

        As jupyter_client's ``wait_for_ready``, without its last step, which waits until nothing
        has come on IOPub for 0,2 s: here the kernel's "idle" for a kernel_info request proves
        the subscription, and a lost one (sent before it was made) is asked for again.
        """
        timeout = timeouts().kernel_start if timeout is None else timeout
        deadline = time.monotonic() + timeout
        while True:
            msg_id = self.kc.kernel_info()
            try:
                self._replies([msg_id], timeout=max(0.01, deadline - time.monotonic()))  # the kernel is up
                self._collect(msg_id, timeout=0.1)  # and its IOPub messages reach this client
                self.ready = True
                return
            except KernelFailed:
                if time.monotonic() > deadline or not self.alive():
                    raise KernelFailed(f"the kernel did not start within {timeout:.0f} s") from None

    def alive(self) -> bool:
        return self.km is not None and self.km.is_alive()

    def run(self, code: str, timeout: float | None = None) -> tuple[str, list, str]:
        """Execute ``code``; return the status ("ok" or "error"), the outputs (nbformat nodes) and
        the error text."""
        msg_id = self.kc.execute(code, store_history=False, allow_stdin=False, stop_on_error=True)
        try:
            outputs, error = self._collect(msg_id, timeouts().cell if timeout is None else timeout)
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
                outputs, error = self._collect(msg_id, timeout=timeouts().reset if cell is None else timeouts().cell)
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
        import nbformat

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

    def _replies(self, ids: list[str], timeout: float | None = None) -> None:
        """Read the shell replies of ``ids`` (run, failed or skipped), so none is left for the next report."""
        waiting, deadline = set(ids), time.monotonic() + (timeouts().reply if timeout is None else timeout)
        while waiting:
            try:
                reply = self.kc.get_shell_msg(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise KernelFailed("the kernel did not reply to every cell") from None
            waiting.discard(reply["parent_header"].get("msg_id"))

    def close(self) -> None:
        if getattr(self, "kc", None) is not None:
            self.kc.stop_channels()
            self.kc = None
        if self.km is not None:
            self.km.stop()
            self.km = None


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


def parameterized(source: Path, parameters: dict):
    """The notebook with its parameters injected as papermill injects them."""
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    notebook = load_notebook_node(str(source))  # as papermill reads it (every cell gets its tags list)
    return parameterize_notebook(notebook, parameters, kernel_name="python3", language="python")
