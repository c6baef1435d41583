"""Benchmark: ingesting the national synthetic workbook from XLSX against reloading processed/.

    python benchmarks/ingest.py [--repeat 3]

Prints both times (best of --repeat) and, as its last line, `ratio: X.XX` (ingest / reload).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import national_workspace  # noqa: E402


def best(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from boligdata import load
    from boligdata.ingest import ingest

    with tempfile.TemporaryDirectory(prefix="bd-bench-") as temp:
        ws = national_workspace(Path(temp) / "ws")
        rows = len(load(ws).observations)
        xlsx = best(lambda: ingest(ws, force=True), args.repeat)
        reload = best(lambda: load(ws), args.repeat)
        print(f"national synthetic data: {rows} observations")
        print(f"ingest from raw/ (XLSX + CSV, validated): {xlsx:.2f} s")
        print(f"reload from processed/ (parquet, freshness checked): {reload:.3f} s")
        print(f"ratio: {xlsx / reload:.2f}")


if __name__ == "__main__":
    main()
