"""A report's cells run in an IPython shell of this process, with the outputs a kernel would send.

A batch worker process (``worker.py``) builds hundreds of reports. A kernel would cost it about
as much CPU again as the reports themselves (its messages, their JSON and signatures, its
threads: docs/performance.md, ``benchmarks/engine_choice.py``), so the worker runs the cells
itself, in one ``InteractiveShell`` kept for its whole life. What a cell shows is captured as the
notebook outputs a kernel's messages become: ``display_data``, ``execute_result`` with its cell's
number, ``stream`` for what it prints, ``error`` with IPython's traceback (``Cell In[3], line 2``,
then each frame's file and line), so the executed notebook and its HTML are those of a fresh
kernel (tests/test_batch.py compares them byte for byte). Before each report the shell forgets
every name the previous one defined (``forget``) and counts its cells from 1.

A cell that overruns its time limit is stopped by an alarm (``CellTimeout``), as a kernel's
interrupt would stop it; one that does not come back to Python (a hang inside C) is ended by the
worker's parent, which stops the whole process.

>>> session = InProcessSession()
>>> forget(session.shell)  # as before each report: the cells count from 1
>>> session.run("x = 6 * 7\\nx")
('ok', [{'output_type': 'execute_result', 'metadata': {}, 'data': {'text/plain': '42'}, 'execution_count': 1}], '')
>>> session.run("1 / 0")[2]
'ZeroDivisionError: division by zero'
"""

from __future__ import annotations

import signal
import sys

from IPython.core.displayhook import DisplayHook
from IPython.core.displaypub import DisplayPublisher
from IPython.core.interactiveshell import InteractiveShell

from .settings import timeouts


def forget(ip) -> None:
    """Forget every name a report defined in the shell ``ip``: its variables, its last results
    (``_``, ``Out``) and its history; the cells are counted from 1 again. Imported modules stay
    (they hold no report's state: each report sets the disclosure policy and reads its own data).
    What ``%reset -f`` does, without its two full garbage collections.

    >>> from types import SimpleNamespace
    >>> ip = SimpleNamespace(user_ns={"x": 1, "_oh": {1: "x"}}, user_ns_hidden={"_oh"},
    ...                      history_manager=SimpleNamespace(output_hist={1: "x"}))
    >>> forget(ip)
    >>> sorted(ip.user_ns), ip.user_ns["_oh"], ip.execution_count
    (['_', '__', '___', '_oh'], {}, 1)
    """
    hidden = ip.user_ns_hidden
    for name in [n for n in ip.user_ns if n not in hidden]:
        del ip.user_ns[name]
    for name in ("_", "__", "___"):
        ip.user_ns[name] = ""
    ip.user_ns["_oh"].clear()
    ip.history_manager.output_hist.clear()
    ip.execution_count = 1  # the next report's cells are In [1], In [2], … as in a fresh kernel


class CellTimeout(Exception):
    """A report cell ran longer than its time limit (``run_settings.yaml``: ``timeouts.cell``)."""


class Shell(InteractiveShell):
    """IPython's shell, showing a traceback as ipykernel's does: as an error output."""

    def _showtraceback(self, etype, evalue, stb):
        self.captured.append({"output_type": "error", "ename": str(etype.__name__), "evalue": str(evalue),
                              "traceback": stb})


class Publisher(DisplayPublisher):
    """``display(...)`` in a cell: a ``display_data`` output."""

    def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs):
        self.shell.captured.append({"output_type": "display_data", "metadata": metadata or {}, "data": data})

    def clear_output(self, wait=False):
        self.shell.captured.clear()


class Hook(DisplayHook):
    """A cell's last expression: an ``execute_result`` output with the cell's number."""

    def write_output_prompt(self):
        pass

    def write_format_data(self, format_dict, md_dict=None):
        self.shell.captured.append({"output_type": "execute_result", "metadata": md_dict or {},
                                    "data": format_dict, "execution_count": self.prompt_count})

    def finish_displayhook(self):
        pass


def _shell() -> Shell:
    """The process's IPython shell (IPython's ``display`` finds it as the one instance), set up
    once to capture outputs instead of printing them."""
    if Shell.initialized():
        return Shell.instance()
    if InteractiveShell.initialized():
        raise RuntimeError("another IPython shell runs in this process; the engine boligdata runs a report's cells "
                           "in a shell of its own (run papermill outside IPython, or use its default engine)")
    from traitlets.config import Config

    # No input history kept (no SQLite file, no thread writing it: a process that forks must have
    # one thread), no colours to strip again.
    config = Config()
    config.HistoryManager.enabled = False
    shell = Shell.instance(config=config, colors="nocolor")
    shell.display_pub = Publisher(shell=shell, parent=shell)
    shell.displayhook = Hook(shell=shell, cache_size=shell.cache_size, parent=shell)
    shell.display_trap.hook = shell.displayhook
    shell.captured = []
    return shell


class _Stream:
    """What a cell prints on stdout or stderr, as the ``stream`` outputs a kernel would send (one
    output while nothing else is shown in between)."""

    def __init__(self, shell, name: str):
        self.shell, self.name = shell, name

    def write(self, text: str) -> int:
        captured = self.shell.captured
        if captured and captured[-1]["output_type"] == "stream" and captured[-1]["name"] == self.name:
            captured[-1]["text"] += text
        elif text:
            captured.append({"output_type": "stream", "name": self.name, "text": text})
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    encoding = "utf-8"


def _overran(limit: float):
    def stop(signum, frame):
        __tracebackhide__ = True  # the traceback ends in the report's cell, not here
        raise CellTimeout(f"the cell did not finish within {limit:.0f} s (run_settings.yaml: timeouts.cell)")

    return stop


class InProcessSession:
    """The shell, seen by papermill's engine ``boligdata`` (``engine.py``) as it would see a kernel."""

    def __init__(self):
        self.shell = _shell()

    def run(self, code: str, timeout: float | None = None) -> tuple[str, list, str]:
        """Run ``code`` as a cell; its status ("ok" or "error"), outputs (nbformat nodes) and error text."""
        import nbformat

        shell = self.shell
        shell.captured = []
        streams = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = _Stream(shell, "stdout"), _Stream(shell, "stderr")
        alarm = hasattr(signal, "SIGALRM") and _main_thread()
        if alarm:
            limit = timeouts().cell if timeout is None else timeout
            previous = signal.signal(signal.SIGALRM, _overran(limit))
            signal.setitimer(signal.ITIMER_REAL, limit)
        try:
            shell.run_cell(code, store_history=True)
        finally:
            if alarm:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, previous)
            sys.stdout, sys.stderr = streams
        outputs = [nbformat.from_dict(o) for o in shell.captured]
        error = next((o for o in outputs if o.output_type == "error"), None)
        text = f"{error.ename}: {error.evalue.splitlines()[0] if error.evalue else ''}" if error else ""
        return ("error" if error else "ok"), outputs, text

    def execute_managed(self, nb_man, timeout: float | None = None, on_cell=None) -> None:
        """Run every code cell of papermill's managed notebook after forgetting the previous report,
        reporting each cell to papermill's execution manager (its start, end, status and exception
        go into the notebook's metadata); stop at the first error, as papermill does. ``on_cell``
        is called with each cell's index before it runs, and with None after the last (the
        worker tells its parent)."""
        forget(self.shell)
        for index, cell in enumerate(nb_man.nb.cells):
            if cell.cell_type != "code":
                continue
            if on_cell is not None:
                on_cell(index)
            nb_man.cell_start(cell, index)
            count = self.shell.execution_count
            status, cell.outputs, _ = self.run(cell.source, timeout)
            cell.execution_count = count
            if status == "error":
                nb_man.cell_exception(cell, index)
            nb_man.cell_complete(cell, index)
            if status == "error":
                return
        if on_cell is not None:
            on_cell(None)


def _main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


class Unfinished:
    """A session that runs nothing and marks one cell with an error: how a report ended whose
    worker process died in that cell. Given to the engine in place of a shell, it has papermill
    write its own record of the failure (the cells before it pending, the exception at the top),
    so the batch keeps that notebook as it keeps any failure.

    >>> import nbformat
    >>> from papermill.engines import NotebookExecutionManager
    >>> cells = [nbformat.v4.new_code_cell(code, metadata={"papermill": {}}) for code in ("1", "2")]
    >>> nb = nbformat.v4.new_notebook(cells=cells, metadata={"papermill": {}})  # as papermill loads one
    >>> manager = NotebookExecutionManager(nb, progress_bar=False)
    >>> Unfinished(1, "WorkerDied", "the worker process died").execute_managed(manager)
    >>> nb.cells[1].outputs[0].ename, nb.cells[1].execution_count, nb.cells[1].metadata.papermill.exception
    ('WorkerDied', 2, True)
    """

    def __init__(self, cell: int, ename: str, evalue: str):
        self.cell, self.ename, self.evalue = cell, ename, evalue

    def execute_managed(self, nb_man, timeout: float | None = None, on_cell=None) -> None:
        import nbformat

        code = [index for index, cell in enumerate(nb_man.nb.cells) if cell.cell_type == "code"]
        cell = nb_man.nb.cells[self.cell]
        nb_man.cell_start(cell, self.cell)
        cell.outputs = [nbformat.v4.new_output("error", ename=self.ename, evalue=self.evalue, traceback=[])]
        cell.execution_count = code.index(self.cell) + 1 if self.cell in code else None
        nb_man.cell_exception(cell, self.cell)
        nb_man.cell_complete(cell, self.cell)
