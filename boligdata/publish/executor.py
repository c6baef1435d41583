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

import asyncio
import queue
import shutil
import time
from pathlib import Path

from ..errors import BoligdataError
from .settings import timeouts
from .zygote import describe_end

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


# How often a wait for the kernel checks that it still lives: a kernel that dies mid-cell is
# noticed within this (nbclient polls once a second as well), not at the cell's time limit.
LIVENESS_POLL = 1.0


def socket_folder() -> Path:
    """A short private folder for a kernel's IPC sockets, named by its owner (``owners``), so a
    later run removes it if this one is killed (``sweep_sockets``)."""
    import tempfile

    from .. import owners

    return Path(tempfile.mkdtemp(prefix=f"bd-{owners.tag()}-"))


def sweep_sockets() -> list[Path]:
    """Remove the socket folders of dead runs from the system's temp dir."""
    import tempfile

    from .. import owners

    return owners.sweep(Path(tempfile.gettempdir()), prefix="bd-")


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

    def ended(self) -> str | None:
        """None while the kernel runs; else how it ended (its parent, jupyter_client, knows)."""
        if self.km.is_alive():
            return None
        code = self.km.provisioner.process.poll() if self.km.provisioner is not None else None
        return describe_end(code)

    def stop(self) -> None:
        shutdown_kernel(self.km)


class ForkedKernel:
    """A kernel forked by the zygote (``zygote.Zygote``), with its report modules already imported.

    The zygote is the kernel's parent: it is asked whether the kernel still runs and it stops it,
    so a kernel's process id is never signalled after the system may have given it to another.
    """

    def __init__(self, folder: Path, zygote):
        import uuid

        from jupyter_client.connect import write_connection_file

        self.zygote = zygote
        self.sockets = socket_folder()  # short socket paths, as ipc_kernel_manager
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

    def ended(self) -> str | None:
        return self.zygote.ended(self.pid)

    def stop(self) -> None:
        self.zygote.stop(self.pid)  # as shutdown_kernel(now=True): nothing of it is kept
        shutil.rmtree(self.sockets, ignore_errors=True)


class KernelSession:
    """One kernel and one client for many notebooks.

    The kernel process is launched at once (forked by ``zygote`` when one is given, else started
    by jupyter_client); ``boot`` waits for it and runs the preload, so the caller can do other
    work while the kernel starts. A session whose kernel died or overran a time limit is
    ``broken``: its owner replaces it.
    """

    def __init__(self, folder: Path, zygote=None):
        self.folder, self.kc, self.km, self.ready, self.broken = folder, None, None, False, False
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
        return self.km is not None and not self.broken and self.km.ended() is None

    def _check_alive(self) -> None:
        ended = self.km.ended() if self.km is not None else "stopped"
        if ended is not None:
            self.broken = True
            raise KernelDied(f"the kernel died ({ended})")

    def run(self, code: str, timeout: float | None = None) -> tuple[str, list, str]:
        """Execute ``code``; return the status ("ok" or "error"), the outputs (nbformat nodes) and
        the error text."""
        msg_id = self.kc.execute(code, store_history=False, allow_stdin=False, stop_on_error=True)
        try:
            outputs, error = self._collect(msg_id, timeouts().cell if timeout is None else timeout)
        finally:
            if not self.broken:
                self._replies([msg_id])
        return ("error" if error else "ok"), outputs, error

    def execute_managed(self, nb_man, timeout: float | None = None) -> None:
        """Run every code cell of papermill's managed notebook (parameters injected) after
        forgetting the previous report, reporting each cell to papermill's execution manager
        (``nb_man``: its start, end, status and exception go into the notebook's metadata).

        All cells are sent at once and the kernel runs them in order (no round trip between two
        cells); after an error it skips the rest (``stop_on_error``), as papermill stops. The
        cells are numbered 1, 2, … as in a fresh kernel (and by the kernel: its tracebacks say
        ``In [3]`` for cell 3). A kernel that dies, or a cell that
        overruns its time limit, ends the run with an error output in that cell, as nbclient's
        ``DeadKernelError`` and ``CellTimeoutError``.
        """
        import nbformat

        timeout = timeouts().cell if timeout is None else timeout
        cells = [(index, cell) for index, cell in enumerate(nb_man.nb.cells) if cell.cell_type == "code"]
        # The report's cells are counted (store_history) from 1, as in a fresh kernel; the kernel
        # keeps no history file (KERNEL_ARGUMENTS) and the reset forgets the rest.
        ids = [self.kc.execute(FORGET, store_history=False, allow_stdin=False, stop_on_error=True)]
        ids += [self.kc.execute(cell.source, store_history=True, allow_stdin=False, stop_on_error=True)
                for _, cell in cells]
        try:
            _, error = self._collect(ids[0], timeout=timeouts().reset)
            if error:
                raise KernelFailed(f"the kernel could not be reset: {error}")
            for count, (msg_id, (index, cell)) in enumerate(zip(ids[1:], cells), start=1):
                nb_man.cell_start(cell, index)
                try:
                    outputs, error = self._collect(msg_id, timeout=timeout)
                except KernelFailed as exc:
                    self.broken = True
                    ename = "DeadKernelError" if isinstance(exc, KernelDied) else "CellTimeoutError"
                    outputs, error = [nbformat.v4.new_output("error", ename=ename, evalue=str(exc), traceback=[])], ename
                cell.outputs, cell.execution_count = outputs, count
                if error:
                    nb_man.cell_exception(cell, index)
                nb_man.cell_complete(cell, index)
                if error:
                    break
        finally:
            if not self.broken:
                self._replies(ids)

    def _collect(self, msg_id: str, timeout: float) -> tuple[list, str]:
        """The outputs of one execution, read from the kernel's messages until it is idle; checks
        every ``LIVENESS_POLL`` seconds without a message that the kernel still lives."""
        outputs, error = [], ""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            try:
                msg = self.kc.get_iopub_msg(timeout=max(0.01, min(LIVENESS_POLL, left)))
            except queue.Empty:
                self._check_alive()
                if left <= LIVENESS_POLL:
                    raise KernelFailed(f"the kernel did not finish a cell within {timeout:.0f} s") from None
                continue
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "status" and content["execution_state"] == "idle":
                return outputs, error
            if kind == "clear_output":
                outputs.clear()
            elif kind in ("stream", "display_data", "execute_result", "error"):
                outputs.append(output_node(kind, content))
                if kind == "error":
                    error = f"{content['ename']}: {str(content['evalue']).splitlines()[0] if content['evalue'] else ''}"

    def _replies(self, ids: list[str], timeout: float | None = None) -> None:
        """Read the shell replies of ``ids`` (run, failed or skipped), so none is left for the next report."""
        waiting, deadline = set(ids), time.monotonic() + (timeouts().reply if timeout is None else timeout)
        while waiting:
            left = deadline - time.monotonic()
            try:
                reply = self.kc.get_shell_msg(timeout=max(0.01, min(LIVENESS_POLL, left)))
            except queue.Empty:
                self._check_alive()
                if left <= LIVENESS_POLL:
                    self.broken = True
                    raise KernelFailed("the kernel did not reply to every cell") from None
                continue
            waiting.discard(reply["parent_header"].get("msg_id"))

    def close(self) -> None:
        if getattr(self, "kc", None) is not None:
            self.kc.stop_channels()
            self.kc = None
        if self.km is not None:
            self.km.stop()
            self.km = None


# The fields of each output type (nbformat's v4 schema), as ``nbformat.v4.output_from_msg`` takes them.
OUTPUT_FIELDS = {"execute_result": ("metadata", "data", "execution_count"), "display_data": ("metadata", "data"),
                 "stream": ("name", "text"), "error": ("ename", "evalue", "traceback")}


def output_node(kind: str, content: dict):
    """The notebook output of a kernel's IOPub message, as ``nbformat.v4.output_from_msg`` makes it
    but not validated on its own: the executed notebook is validated as a whole when papermill
    writes it, and validating each output again cost 13 ms per report (docs/performance.md).

    >>> output_node("stream", {"name": "stdout", "text": "hej"})
    {'output_type': 'stream', 'name': 'stdout', 'text': 'hej'}
    """
    import nbformat

    return nbformat.from_dict({"output_type": kind, **{name: content[name] for name in OUTPUT_FIELDS[kind]}})


class KernelDied(KernelFailed):
    """The kernel's process ended while it was running a cell."""


def ipc_kernel_manager(folder: Path, asynchronous: bool = False):
    """A kernel manager that talks to its kernel over IPC sockets.

    No TCP ports (so parallel runs cannot collide on a port, papermill issue #511) and no
    "running over TCP without encryption" warning. The sockets live in a short private
    folder under the system's temp dir, because a socket path may not exceed 107 bytes
    and a workspace path can be long. The caller stops it with ``shutdown_kernel``.
    ``asynchronous`` gives the manager nbclient needs to notice a dead kernel: with a
    blocking one, nbclient's wait for a cell's reply blocks the loop its liveness check runs on.
    """
    from jupyter_client import AsyncKernelManager, KernelManager

    sockets = socket_folder()
    km = (AsyncKernelManager if asynchronous else KernelManager)(kernel_name="python3", transport="ipc")
    km.ip = str(sockets / "k")
    km.connection_file = str(folder / "kernel.json")
    km.boligdata_sockets = sockets
    return km


def shutdown_kernel(km) -> None:
    """Stop a kernel from ``ipc_kernel_manager`` and remove its socket folder."""
    if km.has_kernel:
        from jupyter_core.utils import run_sync

        stop = km.shutdown_kernel
        (run_sync(stop) if asyncio.iscoroutinefunction(stop) else stop)(now=True)
    shutil.rmtree(getattr(km, "boligdata_sockets", ""), ignore_errors=True)
