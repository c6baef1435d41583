"""papermill at its best, for many reports: a pool of processes, each reusing one kernel for
every report it builds (``papermill.execute_notebook(..., km=...)``), a ``%reset -f`` in that
kernel between two reports (a first cell papermill runs), no save after each cell (``request_save_on_cell_execute=False``)
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
    """This process's kernel manager, its kernel started on the first report and kept for the others."""
    if "km" not in _KERNEL:
        from jupyter_client import KernelManager

        km = KernelManager(kernel_name="python3")
        km.start_kernel()
        _KERNEL["km"] = km
    return _KERNEL["km"]


def _notebook():
    """The report notebook with a first cell ``%reset -f`` (the previous report forgotten), run by
    papermill in the kept kernel like the report's own cells; its input is left out of the HTML."""
    if "nb" not in _KERNEL:
        import nbformat

        nb = nbformat.read(str(NOTEBOOK), as_version=4)
        nb.cells.insert(0, nbformat.v4.new_code_cell("%reset -f"))
        _KERNEL["nb"] = nb
    import copy

    return copy.deepcopy(_KERNEL["nb"])


def one(args: tuple[str, str, str, str]) -> str:
    import papermill
    from nbconvert import HTMLExporter

    workspace, quarter, out, code = args
    executed = Path(out) / f"warm-{code}.ipynb"
    notebook = papermill.execute_notebook(
        _notebook(), str(executed), kernel_name="python3", language="python",
        parameters={"quarter": quarter, "municipality": code, "workspace": workspace},
        progress_bar=False, log_output=False, km=_kernel(), request_save_on_cell_execute=False)
    body, _ = HTMLExporter(exclude_input=True).from_notebook_node(notebook)
    html = Path(out) / f"warm-{code}.html"
    html.write_text(body, encoding="utf-8")
    return str(html)


def _stop() -> None:
    if "km" in _KERNEL:
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
