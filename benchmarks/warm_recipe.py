"""papermill at its best, for many reports: a pool of processes, each reusing one kernel for
every report it builds (``papermill.execute_notebook(..., km=...)``), a ``%reset -f`` in that
kernel between two reports, no save after each cell (``request_save_on_cell_execute=False``)
and the HTML exported in-process with nbconvert (no input cells). Run by benchmarks/batch.py.

    python benchmarks/warm_recipe.py WORKSPACE QUARTER OUT WORKERS CODE [CODE ...]
"""

from __future__ import annotations

import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "kvartalsrapport.ipynb"
_KERNEL = {}


def _kernel():
    """This process's kernel, started on its first report and kept for the others."""
    if "km" not in _KERNEL:
        from jupyter_client import KernelManager

        km = KernelManager(kernel_name="python3")
        km.start_kernel()
        client = km.client()
        client.start_channels()
        client.wait_for_ready(timeout=60)
        _KERNEL.update(km=km, client=client)
    return _KERNEL["km"], _KERNEL["client"]


def one(args: tuple[str, str, str, str]) -> str:
    import papermill
    from nbconvert import HTMLExporter

    workspace, quarter, out, code = args
    km, client = _kernel()
    client.execute_interactive("%reset -f", store_history=False, timeout=60)  # forget the last report
    executed = Path(out) / f"warm-{code}.ipynb"
    notebook = papermill.execute_notebook(
        str(NOTEBOOK), str(executed), kernel_name="python3", language="python",
        parameters={"quarter": quarter, "municipality": code, "workspace": workspace},
        progress_bar=False, log_output=False, km=km, request_save_on_cell_execute=False)
    body, _ = HTMLExporter(exclude_input=True).from_notebook_node(notebook)
    html = Path(out) / f"warm-{code}.html"
    html.write_text(body, encoding="utf-8")
    return str(html)


def _stop() -> None:
    if "km" in _KERNEL:
        _KERNEL["client"].stop_channels()
        _KERNEL["km"].shutdown_kernel(now=True)


def _init() -> None:
    # A pool's worker process ends without atexit; multiprocessing's own finalizers do run.
    from multiprocessing.util import Finalize

    Finalize(None, _stop, exitpriority=10)


def main() -> None:
    workspace, quarter, out, workers, *codes = sys.argv[1:]
    with ProcessPoolExecutor(max_workers=int(workers), initializer=_init) as pool:
        list(pool.map(one, [(workspace, quarter, out, code) for code in codes]))


if __name__ == "__main__":
    main()
