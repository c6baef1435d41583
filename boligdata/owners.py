"""Who left a file behind: a tag naming the process that made it, by its id and its start time.

A run that is killed leaves its staging folders and socket folders. The next run
removes those whose owner is dead. A process id alone is not enough to tell (the system gives a
dead process's id to a new one), so the tag also holds the owner's start time: an id in use by
a process started at another time is a dead owner too.

>>> alive(tag())
True
>>> alive("999999999.1")
False
>>> owner_of("4711.1700000000000-0a1b"), owner_of("kvartalsrapport")
('4711.1700000000000', None)
"""

from __future__ import annotations

import os
import re
import shutil
from functools import cache
from pathlib import Path

TAG = re.compile(r"^(\d+)\.(\d+)(?=-|$)")


def _started(pid: int) -> int:
    import psutil  # portable: os.kill(pid, 0) means something else on Windows

    return int(psutil.Process(pid).create_time() * 1000)


@cache
def _own(pid: int) -> str:
    return f"{pid}.{_started(pid)}"


def tag() -> str:
    """This process's tag, ``<pid>.<start time in ms>``: the prefix of every leftover it may leave."""
    return _own(os.getpid())  # by pid, so a forked child gets its own tag


def owner_of(name: str) -> str | None:
    """The owner's tag at the start of a file or folder name, or None for a name without one."""
    match = TAG.match(name)
    return match.group(0) if match else None


def alive(owner: str) -> bool:
    """True while the process the tag names runs (the same process: same id, same start time)."""
    import psutil

    pid, _, started = owner.partition(".")
    try:
        return _started(int(pid)) == int(started)
    except psutil.NoSuchProcess:
        return False
    except (psutil.AccessDenied, ValueError):
        return True  # another user's process: never remove what it may still use


def sweep(folder: Path, prefix: str = "", keep=None) -> list[Path]:
    """Remove the entries of ``folder`` named ``<prefix><tag>…`` whose owner is dead; return them.

    ``keep(path)`` may claim an entry first (e.g. finish what it was doing) and return True to
    leave it. Entries without a tag are never touched.
    """
    removed = []
    if not folder.is_dir():
        return removed
    for path in folder.iterdir():
        if not path.name.startswith(prefix):
            continue
        owner = owner_of(path.name[len(prefix):])
        if owner is None or alive(owner) or (keep is not None and keep(path)):
            continue
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        removed.append(path)
    return removed
