"""The one place that knows where a workspace's folders are.

A workspace is a folder holding ``raw/`` (read-only inputs), ``processed/`` (tidy
tables) and ``reports/``. The default is the project checkout with its bundled sample;
real, confidential data lives in a workspace outside the checkout, chosen with
``--workspace DIR`` or the ``BOLIGDATA_WORKSPACE`` environment variable.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent
DATA_DIR = PACKAGE_DIR / "data"
# The report templates; an organisation can point BOLIGDATA_NOTEBOOKS at its own edited copies.
NOTEBOOKS_DIR = Path(os.environ.get("BOLIGDATA_NOTEBOOKS") or PROJECT_ROOT / "notebooks")


@dataclass(frozen=True)
class Workspace:
    """Folders of one workspace.

    >>> ws = Workspace(Path("/data/odense"))
    >>> ws.raw.as_posix(), ws.processed.name, ws.reports.name
    ('/data/odense/raw', 'processed', 'reports')
    """

    root: Path

    @property
    def raw(self) -> Path:
        return self.root / "raw"

    @property
    def processed(self) -> Path:
        return self.root / "processed"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    def require_raw(self) -> None:
        """Refuse a folder that is not a workspace: it has no raw/."""
        from .errors import ParameterError

        if not self.raw.is_dir():
            raise ParameterError(f"{self.raw} does not exist; create a workspace with 'boligdata init DIR'")

    def display(self, path: Path) -> str:
        """A path as the user should read it: relative to the workspace where possible."""
        try:
            return Path(path).resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return str(path)


def resolve_workspace(workspace: str | os.PathLike | None = None) -> Workspace:
    """The workspace to use: the argument, else ``BOLIGDATA_WORKSPACE``, else the project.

    >>> resolve_workspace("my-workspace").root.name
    'my-workspace'
    """
    chosen = workspace or os.environ.get("BOLIGDATA_WORKSPACE") or PROJECT_ROOT
    return Workspace(Path(chosen).expanduser().resolve())
