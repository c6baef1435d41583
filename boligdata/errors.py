"""Errors a user can meet, each one line that names where the problem is.

The command line prints ``str(error)`` and exits non-zero; only ``--debug`` shows a
traceback. Every message is listed in docs/errors.md (tested against this module).
"""

from __future__ import annotations


class BoligdataError(Exception):
    """Base class: an error whose message is meant for the user, not a developer."""

    exit_code = 2


class InputError(BoligdataError):
    """A problem in an input file, located by file, sheet, row and column.

    >>> str(InputError("raw/obs.csv", "a number", row=4, column="værdi", value="6x"))
    "raw/obs.csv, row 4, column 'værdi': found '6x'; expected a number"
    """

    def __init__(self, file, expected, *, sheet=None, row=None, column=None, value=None):
        self.file, self.sheet, self.row, self.column = str(file), sheet, row, column
        self.value, self.expected = value, expected
        super().__init__(self._message())

    def _message(self) -> str:
        where = [self.file]
        if self.sheet:
            where.append(f"sheet '{self.sheet}'")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        found = f"found {shown_value(self.value)}; " if self.value is not None else ""
        return f"{', '.join(where)}: {found}expected {self.expected}"


def shown_value(value) -> str:
    """A cell's value as a user can recognise it: dates as 2020-09-22, long text shortened,
    invisible characters escaped (``repr`` shows them as ``\\u200b``).

    >>> import datetime as dt
    >>> shown_value(dt.datetime(2020, 9, 22)), shown_value(0.614), shown_value("x" * 90)[-3:]
    ('2020-09-22', '0.614', "x…'")
    """
    import datetime as dt

    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and len(value) > 60:
        value = value[:60] + "…"
    return repr(value)


class DataFileError(BoligdataError):
    """A problem in one of the package's own data files (rules, catalogue, settings)."""


class UndecidedError(BoligdataError):
    """A criterion or designation cannot be decided from the figures given.

    ``code`` says why, for the Danish text a committee reads (``present.undecided``).
    """

    def __init__(self, message: str, *, code: str = "undecided"):
        self.code = code
        super().__init__(message)


class ParameterError(BoligdataError):
    """A command-line or function parameter that is not valid."""


class OutputError(BoligdataError):
    """Output could not be written (disk full, no permission); what was there before is kept."""

    exit_code = 4
