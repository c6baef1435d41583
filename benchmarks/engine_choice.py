"""Benchmark for issue 24, point 1: what the notebook machinery costs per report, on each way the
fast path could run a report's cells. The same kvartalsrapporter (national synthetic data), one
after the other in one run:

(a) content: the report's sections called directly in this process (no notebook at all);
(b) in-process engine: ``papermill.execute_notebook`` with an engine that runs the cells in an
    IPython shell of this process, a fresh namespace per report (what a plain worker process
    would do), the committee HTML and the workbook made in-process too;
(c) warm kernel: ``papermill.execute_notebook(engine_name="boligdata")``, the batch's engine, with
    one warm kernel; its CPU (the kernel's, read from /proc, and this process's as client) without
    the HTML and the workbook, which the batch makes beside it.

Prints CPU seconds per report; the last line is ``ratio: X``, the CPU of (c) plus the export over (b).

    python benchmarks/engine_choice.py [--n 40]

The in-process engine here is a measuring device, not the product's code: it captures what a
kernel would send (display data, results with their counts, errors) and nothing more.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from common import national_workspace

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "kvartalsrapport.ipynb"
QUARTER = "2025Q3"
SECTIONS = ["title", "headline", "overview", "at_risk", "trends", "changes", "own_series", "sources", "footer"]


def in_process_engine():
    """An IPython shell of this process that captures outputs as a kernel would send them, and the
    papermill engine that runs a managed notebook's cells in it."""
    import nbformat
    from IPython.core.displayhook import DisplayHook
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell
    from papermill.engines import Engine, papermill_engines

    from boligdata.publish.in_kernel import forget

    class Publisher(DisplayPublisher):
        def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs):
            self.shell.captured.append(nbformat.from_dict({"output_type": "display_data", "metadata": metadata or {},
                                                           "data": data}))

    class Hook(DisplayHook):
        def write_output_prompt(self):
            pass

        def write_format_data(self, format_dict, md_dict=None):
            self.shell.captured.append(nbformat.from_dict({"output_type": "execute_result", "metadata": md_dict or {},
                                                           "data": format_dict, "execution_count": self.prompt_count}))

        def finish_displayhook(self):
            pass

    shell = InteractiveShell.instance()
    shell.history_manager.enabled = False
    shell.display_pub = Publisher(shell=shell, parent=shell)
    shell.displayhook = Hook(shell=shell, cache_size=0, parent=shell)
    shell.display_trap.hook = shell.displayhook

    class InProcess(Engine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
            forget(shell)
            for index, cell in enumerate(nb_man.nb.cells):
                if cell.cell_type != "code":
                    continue
                nb_man.cell_start(cell, index)
                shell.captured = []
                result = shell.run_cell(cell.source, store_history=True)
                cell.outputs, cell.execution_count = shell.captured, shell.execution_count - 1
                if not result.success:
                    nb_man.cell_exception(cell, index)
                nb_man.cell_complete(cell, index)
                if not result.success:
                    break

    papermill_engines.register("bench-inprocess", InProcess)


def _cpu(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=40)
    args = parser.parse_args()
    ws = str(national_workspace(Path(tempfile.gettempdir()) / "boligdata-bench-national"))

    import papermill

    import boligdata
    from boligdata.publish.batch import preload_code
    from boligdata.publish.engine import register_engine
    from boligdata.publish.executor import SETUP, KernelSession
    from boligdata.publish.export import notebook_to_html
    from boligdata.publish.tables_out import report_workbook
    from boligdata.reports.kvartalsrapport import Kvartalsrapport
    from boligdata.snapshot.store import preread

    boligdata.warm()
    boligdata.load(ws)
    boligdata.load(ws).quarter(QUARTER)
    preread(ws, QUARTER)
    codes = [str(m) for m in boligdata.load(ws).areas["municipality_code"].drop_duplicates()][: args.n]
    out = Path(tempfile.mkdtemp(prefix="bd-bench-"))

    def execute(code: str, engine: str, **options):
        return papermill.execute_notebook(
            str(NOTEBOOK), str(out / f"{engine}-{code}.ipynb"), engine_name=engine, kernel_name="python3",
            language="python", parameters={"quarter": QUARTER, "municipality": code, "workspace": ws},
            progress_bar=False, log_output=False, request_save_on_cell_execute=False, **options)

    def content(code):
        report = Kvartalsrapport(ws, QUARTER, code)
        for name in SECTIONS:
            getattr(report, name)()._repr_html_()

    def in_process(code):
        html = notebook_to_html(execute(code, "bench-inprocess"), "Kvartalsrapport")
        report_workbook(html, [])

    def export_only(notebook):
        report_workbook(notebook_to_html(notebook, "Kvartalsrapport"), [])

    def per_report(work) -> float:
        work(codes[0])  # the first report fills the caches
        started = time.process_time()
        for code in codes:
            work(code)
        return (time.process_time() - started) / len(codes)

    in_process_engine()
    a = per_report(content)
    b = per_report(in_process)
    register_engine()
    session = KernelSession(out / "kernel")
    session.boot(preload_code())
    session.run(f"import boligdata\nboligdata.load({ws!r})\nfrom boligdata.snapshot.store import preread\n"
                f"preread({ws!r}, {QUARTER!r})")
    session.run(SETUP)
    pid = session.km.km.provisioner.process.pid
    notebooks = []
    execute(codes[0], "boligdata", session=session)
    kernel0, client0 = _cpu(pid), time.process_time()
    for code in codes:
        notebooks.append(execute(code, "boligdata", session=session))
    kernel = (_cpu(pid) - kernel0) / len(codes)
    client = (time.process_time() - client0) / len(codes)
    session.close()
    started = time.process_time()
    for notebook in notebooks:
        export_only(notebook)
    export = (time.process_time() - started) / len(codes)
    c = kernel + client + export
    print(f"{len(codes)} kvartalsrapporter, national synthetic data, {QUARTER}; CPU seconds per report")
    print(f"(a) content alone:                          {a:.3f}")
    print(f"(b) in-process engine, HTML and workbook:   {b:.3f}  (machinery and export {b - a:.3f})")
    print(f"(c) warm kernel: kernel {kernel:.3f} + client {client:.3f} + HTML and workbook {export:.3f} = {c:.3f}"
          f"  (machinery and export {c - a:.3f})")
    print(f"ratio: {c / b:.2f}")


if __name__ == "__main__":
    main()
