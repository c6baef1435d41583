"""Benchmark for issue 24, point 1: what the notebook machinery costs per report, on each way a
report's cells could run. The same kvartalsrapporter (national synthetic data), one after the
other in one run:

(a) content: the report's sections called directly in this process (no notebook at all);
(b) the product's engine: ``papermill.execute_notebook(engine_name="boligdata")``, the cells in an
    IPython shell of this process (``boligdata/publish/inprocess.py``, what each batch worker
    process does), the committee HTML and the workbook made in-process too;
(c) a warm kernel: papermill's own engine (nbclient) with one kernel kept for every report
    (``km=``), a first cell ``%reset -f``, as the warm recipe of ``benchmarks/batch.py``; its CPU
    (the kernel's, read from /proc, and this process's as client) and the same HTML and workbook.

Prints CPU seconds per report; the last line is ``ratio: X``, the CPU of (c) over (b).

    python benchmarks/engine_choice.py [--n 40]
"""

from __future__ import annotations

import argparse
import copy
import os
import tempfile
import time
from pathlib import Path

from common import national_workspace

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "kvartalsrapport.ipynb"
QUARTER = "2025Q3"
SECTIONS = ["title", "headline", "overview", "at_risk", "trends", "changes", "own_series", "sources", "footer"]


def _cpu(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=40)
    args = parser.parse_args()
    ws = str(national_workspace(Path(tempfile.gettempdir()) / "boligdata-bench-national"))

    import nbformat
    import papermill
    from jupyter_client import KernelManager

    import boligdata
    from boligdata.publish.engine import register_engine
    from boligdata.publish.export import notebook_to_html
    from boligdata.publish.tables_out import report_workbook
    from boligdata.reports.kvartalsrapport import Kvartalsrapport
    from boligdata.snapshot.store import preread

    register_engine()
    boligdata.warm()
    boligdata.load(ws)
    boligdata.load(ws).quarter(QUARTER)
    preread(ws, QUARTER)
    codes = [str(m) for m in boligdata.load(ws).areas["municipality_code"].drop_duplicates()][: args.n]
    out = Path(tempfile.mkdtemp(prefix="bd-bench-"))
    with_reset = nbformat.read(str(NOTEBOOK), as_version=4)
    with_reset.cells.insert(0, nbformat.v4.new_code_cell("%reset -f"))

    def execute(code: str, source, **options):
        return papermill.execute_notebook(
            source, str(out / f"{code}.ipynb"), kernel_name="python3", language="python",
            parameters={"quarter": QUARTER, "municipality": code, "workspace": ws},
            progress_bar=False, log_output=False, request_save_on_cell_execute=False, **options)

    def content(code):
        report = Kvartalsrapport(ws, QUARTER, code)
        for name in SECTIONS:
            getattr(report, name)()._repr_html_()

    def export(notebook):
        report_workbook(notebook_to_html(notebook, "Kvartalsrapport"), [])

    def in_process(code):
        export(execute(code, str(NOTEBOOK), engine_name="boligdata"))

    def per_report(work) -> float:
        work(codes[0])  # the first report fills the caches
        started = time.process_time()
        for code in codes:
            work(code)
        return (time.process_time() - started) / len(codes)

    a = per_report(content)
    b = per_report(in_process)
    km = KernelManager(kernel_name="python3")
    km.start_kernel()
    try:
        pid = km.provisioner.process.pid
        export(execute(codes[0], copy.deepcopy(with_reset), km=km))  # the kernel imports and reads once
        kernel0, client0 = _cpu(pid), time.process_time()
        for code in codes:
            export(execute(code, copy.deepcopy(with_reset), km=km))
        kernel = (_cpu(pid) - kernel0) / len(codes)
        client = (time.process_time() - client0) / len(codes)
    finally:
        km.shutdown_kernel(now=True)
    c = kernel + client
    print(f"{len(codes)} kvartalsrapporter, national synthetic data, {QUARTER}; CPU seconds per report")
    print(f"(a) content alone:                                   {a:.3f}")
    print(f"(b) the engine boligdata (in-process), HTML, workbook: {b:.3f}  (machinery and export {b - a:.3f})")
    print(f"(c) warm kernel: kernel {kernel:.3f} + client, HTML and workbook {client:.3f} = {c:.3f}"
          f"  (machinery and export {c - a:.3f})")
    print(f"ratio: {c / b:.2f}")


if __name__ == "__main__":
    main()
