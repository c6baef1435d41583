"""Shared by the benchmarks: a national synthetic workspace, timing, peak memory of a process tree."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path


def national_workspace(root: Path) -> Path:
    """A workspace with the national synthetic data set, ingested."""
    from boligdata.ingest import ingest
    from boligdata.synthetic import national_raw

    if not (root / "raw" / "observationer_national.xlsx").exists():
        national_raw(root / "raw")
    ingest(root)
    return root


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
                if int(fields[1]) == pid:
                    found.append(int(entry))
            except OSError:
                continue
    return found


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class PeakMemory:
    """Samples the summed resident memory of a process and all its descendants."""

    def __init__(self, pid: int, every: float = 0.2):
        self.pid, self.every, self.peak_kb = pid, every, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            tree, frontier = [self.pid], [self.pid]
            while frontier:
                frontier = [c for p in frontier for c in _children(p)]
                tree += frontier
            self.peak_kb = max(self.peak_kb, sum(_rss_kb(p) for p in tree))
            time.sleep(self.every)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    @property
    def peak_mb(self) -> float:
        return self.peak_kb / 1024
