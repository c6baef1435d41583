"""A report's files published as one unit: written aside, then swapped in under the report's lock.

A report is five files in ``reports/<quarter>/<kommunekode>/``: the HTML, the PDF (when asked
for), the workbook, the executed notebook and the build key (``.<name>.key``, which says what the
report was built from). They are written into a staging folder of their own
(``reports/.staging/<owner>-<random>/``, on the same disk), and only when every one of them is
there are they moved into place, each with one rename, under a lock per report: two runs of one
report take turns, and each run's set goes in whole.

Before the first rename the staging folder gets a journal (``swap.json``): which report, which
files. A run killed in the middle of the swap leaves the journal, and the next run finishes that
swap before it does anything else (``finish_interrupted``), so the set is whole again. Until the
swap is done the report has no build key, so it is never taken as current meanwhile. A failure
before the swap (a full disk, a refused name, an error in a template, a kill) leaves the last
good set exactly as it was; the staging folder of a dead run is removed by the next run.

>>> import tempfile
>>> root = Path(tempfile.mkdtemp())
>>> staging = new_staging(root)
>>> _ = (staging / "r.html").write_text("ny"), (staging / ".r.key").write_text("k")
>>> release(staging, root / "2020Q3" / "461", "r", ["r.html", ".r.key"])
>>> (root / "2020Q3" / "461" / "r.html").read_text(), staging.exists()
('ny', False)
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from pathlib import Path

from .. import owners
from ..errors import OutputError
from ..ingest import atomic_write

JOURNAL = "swap.json"
LOCK_WAIT = 600  # s: a swap is a few renames; a run that waits longer than this is stuck


def _staging_root(reports: Path) -> Path:
    return reports / ".staging"


def new_staging(reports: Path) -> Path:
    """A new staging folder under ``reports``, named by this process (``finish_interrupted``,
    once per run, removes what dead runs left). A ``reports`` that cannot be written (read-only,
    full) raises ``OutputError``: nothing of the last good reports was touched."""
    folder = _staging_root(reports) / f"{owners.tag()}-{uuid.uuid4().hex[:12]}"
    for attempt in range(5):
        try:
            folder.mkdir(parents=True)
            return folder
        except FileNotFoundError as exc:
            # Another process removed the empty .staging/ between its creation and this folder's
            # (``discard``); try again. A reports/ that is gone itself fails every time.
            error = exc
        except OSError as exc:
            error = exc
            break
    from ..ingest import write_failed

    raise write_failed(reports, error, "the last good report") from None


def discard(staging: Path) -> None:
    """Remove a staging folder (and its parent, when it was the last)."""
    shutil.rmtree(staging, ignore_errors=True)
    try:
        staging.parent.rmdir()
    except OSError:
        pass  # another run's staging is there


def lock(folder: Path, name: str):
    """The report's lock (a file lock beside it); held while its files are swapped."""
    from filelock import FileLock

    return FileLock(folder / f".{name}.lock", timeout=LOCK_WAIT)


def release(staging: Path, folder: Path, name: str, files: list[str], stale: tuple[str, ...] = ()) -> None:
    """Move ``files`` (file names in ``staging``; the build key last) into ``folder`` as one set,
    and remove ``stale`` (files of the old set that the new one does not have, e.g. a PDF the new
    run did not print: it would show the old figures). Raises ``OutputError`` if the folder
    cannot be written; the last good set is then as it was."""
    from filelock import Timeout

    journal = {"folder": str(folder), "name": name, "files": list(files), "stale": list(stale)}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with lock(folder, name):
            atomic_write(staging / JOURNAL, json.dumps(journal).encode("utf-8"))
            _swap(staging, journal)
    except Timeout:
        raise OutputError(f"could not publish {name}: another run has held its lock for {LOCK_WAIT} s; "
                          f"the last good report is as it was") from None
    except OSError as exc:
        from ..ingest import write_failed

        raise write_failed(folder / name, exc, "the last good report") from None
    discard(staging)


def _swap(staging: Path, journal: dict) -> None:
    """The renames, in an order that a repeat (after a kill) completes: the old key goes first,
    unless the new one is already in place; then the stale files; then the new files, key last."""
    folder = Path(journal["folder"])
    key = f".{journal['name']}.key"
    if (staging / key).exists():
        (folder / key).unlink(missing_ok=True)  # from here until the end the report is not current
    for name in journal["stale"]:
        (folder / name).unlink(missing_ok=True)
    for name in sorted(journal["files"], key=lambda n: n == key):
        if (staging / name).exists():  # moved already by the swap that was killed
            os.replace(staging / name, folder / name)
    _sync(folder)
    (staging / JOURNAL).unlink()


def _sync(folder: Path) -> None:
    """Flush the folder's entries (the renames) to disk, where the system allows it."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def _finish(staging: Path) -> bool:
    """Finish the swap a dead run began in ``staging``, if it began one; False (remove the folder)."""
    path = staging / JOURNAL
    if path.is_file():
        try:
            journal = json.loads(path.read_text(encoding="utf-8"))
            folder = Path(journal["folder"])
            with lock(folder, journal["name"]):
                if path.is_file():
                    _swap(staging, journal)
        except (OSError, ValueError, KeyError):
            return True  # cannot finish it now (read-only?): leave it for a run that can
    return False


def finish_interrupted(reports: Path) -> list[Path]:
    """What killed runs left under ``reports``: their swaps finished, their staging folders and
    temporary files removed. Returns the staging folders removed."""
    from ..ingest import remove_leftovers

    try:
        removed = owners.sweep(_staging_root(reports), keep=_finish)
        remove_leftovers(reports)
    except OSError:  # a read-only reports/: nothing to clean, and the run says so when it writes
        return []
    try:
        _staging_root(reports).rmdir()
    except OSError:
        pass
    return removed
