"""Where the report runs' processes talk: private socket folders, and the reference path's kernel.

The batch's worker processes (``worker.py``) and the kernels of the reference path talk over Unix
sockets, not TCP ports (parallel runs cannot collide on a port, papermill issue #511). Their
folders are short (a socket path may not exceed 107 bytes, and a workspace path can be long),
private, and named by their owner (``owners``), so a later run removes what a killed one left
(``sweep_sockets``).

>>> folder = socket_folder()
>>> folder.name.startswith("bd-"), folder.stat().st_mode & 0o777 == 0o700
(True, True)
>>> folder.rmdir()
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path


def socket_folder() -> Path:
    """A short private folder for a process's IPC sockets, named by its owner (``owners``), so a
    later run removes it if this one is killed (``sweep_sockets``)."""
    import tempfile

    from .. import owners

    return Path(tempfile.mkdtemp(prefix=f"bd-{owners.tag()}-"))


def sweep_sockets() -> list[Path]:
    """Remove the socket folders of dead runs from the system's temp dir."""
    import tempfile

    from .. import owners

    return owners.sweep(Path(tempfile.gettempdir()), prefix="bd-")


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
