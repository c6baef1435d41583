"""A report that failed, kept where an operator looks: the executed notebook with its traceback.

A failing report is never published (the last good one stays). Its executed notebook, with the
error in the cell that raised it and papermill's marker at the top, goes to
``reports/<quarter>/failures/<kommunekode>/<name>.ipynb``, beside ``batch-summary.json``, with
the traceback as plain text beside it (``<name>.txt``). The one-line reason names the cell and
the package's file and line where the error was raised. When the report later succeeds, its kept
failure is removed.

>>> lines = ["\\x1b[0;31mKeyError\\x1b[0m  Traceback (most recent call last)",
...          "Cell \\x1b[0;32mIn[4], line 2\\x1b[0m",
...          "File \\x1b[0;32m/x/boligdata/reports/landsoversigt.py:88\\x1b[0m, in \\x1b[0;36mrows\\x1b[0;34m(snapshot)\\x1b[0m",
...          "File /x/site-packages/pandas/core/frame.py:4113, in DataFrame.__getitem__(self, key)"]
>>> where(lines)
'boligdata/reports/landsoversigt.py, line 88, in rows'
"""

from __future__ import annotations

import re
from pathlib import Path

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
FRAME = re.compile(r"File (\S+?):(\d+), in ([\w.<>]+)")
PACKAGE = "boligdata"
# Where the machinery that runs a report raises (a cell's time limit): not where the report broke.
MACHINERY = {"boligdata/publish/inprocess.py"}


def plain(lines: list[str]) -> list[str]:
    """Traceback lines without the terminal colours IPython gives them."""
    return [ANSI.sub("", line) for line in lines]


def where(traceback: list[str]) -> str:
    """The deepest frame of the package's own code in an IPython traceback, as
    ``boligdata/…/file.py, line N, in function``; "" when the error was raised elsewhere only."""
    found = ""
    for line in plain(traceback):
        for path, number, function in FRAME.findall(line):
            parts = Path(path).parts
            if PACKAGE in parts[:-1]:  # the package's own module, installed or not
                inside = "/".join(parts[len(parts) - 1 - parts[::-1].index(PACKAGE):])
                if inside not in MACHINERY:
                    found = f"{inside}, line {number}, in {function}"
    return found


def error_of(notebook) -> tuple[int | None, dict | None]:
    """The failed code cell's execution count and its error output, or (None, None)."""
    for cell in notebook.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if output.get("output_type") == "error":
                return cell.get("execution_count"), output
    return None, None


def reason(notebook) -> str:
    """One line: the cell, the error and where in the package it was raised."""
    count, error = error_of(notebook)
    if error is None:
        return "failed (no error output in the notebook)"
    value = str(error.get("evalue", "")).splitlines()
    text = f"{error.get('ename', 'Error')}: {value[0] if value else ''}".rstrip(": ")
    at = where(error.get("traceback", []))
    return f"failed in cell {count}: {text}" + (f" (raised at {at})" if at else "")


def folder(reports: Path, quarter: str, municipality: str) -> Path:
    return reports / quarter / "failures" / municipality


def keep(notebook, reports: Path, quarter: str, municipality: str, name: str) -> Path:
    """Write the failed notebook and its plain traceback to the failures folder; the notebook's path.
    A write that fails (a full disk) is given up quietly: the report's reason still says what broke."""
    import nbformat

    from ..ingest import atomic_write

    target = folder(reports, quarter, municipality) / f"{name}.ipynb"
    _, error = error_of(notebook)
    text = reason(notebook) + "\n\n" + "\n".join(plain(error.get("traceback", []) if error else [])) + "\n"
    try:
        atomic_write(target.with_suffix(".txt"), text.encode("utf-8"))
        atomic_write(target, nbformat.writes(notebook).encode("utf-8"))
    except Exception:
        return None
    return target


def forget(reports: Path, quarter: str, municipality: str, name: str) -> None:
    """Remove a kept failure of the report (it has now been built)."""
    place = folder(reports, quarter, municipality)
    for suffix in (".ipynb", ".txt"):
        (place / f"{name}{suffix}").unlink(missing_ok=True)
    for empty in (place, place.parent):
        try:
            empty.rmdir()
        except OSError:
            break
