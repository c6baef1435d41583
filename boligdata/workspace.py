"""Creating a new, empty workspace for real (confidential) data outside the checkout."""

from __future__ import annotations

from pathlib import Path

from .errors import ParameterError
from .templates_xlsx import write_templates

README = """# boligdata workspace

This folder holds one organisation's data; keep it outside the boligdata checkout.

- `raw/`: your input files, read-only to boligdata. Fill the templates in `raw/skabeloner/`
  (one per kind of input; the sheet "vejledning" explains every column), save each
  filled file directly in `raw/` with a name that starts with its kind, e.g.
  `raw/observationer_2020K3.xlsx`, and delete the empty templates you do not use.
- `processed/`: the tidy tables boligdata writes (`boligdata ingest --workspace .`).
- `reports/`: the committee reports (`boligdata report --workspace . ...`).

Set `BOLIGDATA_WORKSPACE` to this folder to make it the default for every command.
"""


def init_workspace(directory: Path) -> Path:
    """Create ``directory`` with raw/ (and templates), processed/, reports/ and a README.

    >>> import tempfile, pathlib
    >>> root = init_workspace(pathlib.Path(tempfile.mkdtemp()) / "ws")
    >>> sorted(p.name for p in root.iterdir())
    ['README.md', 'processed', 'raw', 'reports']
    """
    root = Path(directory).expanduser().resolve()
    if root.exists() and any(root.iterdir()):
        raise ParameterError(f"{root} exists and is not empty; choose a new folder")
    for name in ("raw", "processed", "reports"):
        (root / name).mkdir(parents=True, exist_ok=True)
    write_templates(root / "raw" / "skabeloner")
    (root / "README.md").write_text(README, encoding="utf-8")
    return root
