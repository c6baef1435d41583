"""The strongest way a Python user who knows papermill would build the reports without boligdata's
batch: a process pool of ``papermill.execute_notebook`` calls, each with a fresh kernel, and the
HTML exported in-process with nbconvert (no input cells). Run by benchmarks/batch.py.

    python benchmarks/strong_recipe.py WORKSPACE QUARTER OUT WORKERS CODE [CODE ...]
"""

from __future__ import annotations

import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "kvartalsrapport.ipynb"


def one(args: tuple[str, str, str, str]) -> str:
    import nbformat
    import papermill
    from nbconvert import HTMLExporter

    workspace, quarter, out, code = args
    executed = Path(out) / f"strong-{code}.ipynb"
    papermill.execute_notebook(str(NOTEBOOK), str(executed), kernel_name="python3", language="python",
                               parameters={"quarter": quarter, "municipality": code, "workspace": workspace},
                               progress_bar=False, log_output=False)
    body, _ = HTMLExporter(exclude_input=True).from_notebook_node(nbformat.read(str(executed), as_version=4))
    html = Path(out) / f"strong-{code}.html"
    html.write_text(body, encoding="utf-8")
    return str(html)


def main() -> None:
    workspace, quarter, out, workers, *codes = sys.argv[1:]
    with ProcessPoolExecutor(max_workers=int(workers)) as pool:
        list(pool.map(one, [(workspace, quarter, out, code) for code in codes]))


if __name__ == "__main__":
    main()
