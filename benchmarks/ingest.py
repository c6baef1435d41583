"""Benchmark: ingest of the national synthetic data at 1 x and 5 x, as XLSX and as CSV, against
reading the same rows with pandas alone (the strongest unvalidated way), and against reloading
processed/.

    python benchmarks/ingest.py [--repeat 3] [--scale 5]

The 5 x data repeats the national observations under five source names (so every row keeps a key
of its own). Each ingest is `ingest(force=True)`: every file read, every cell parsed and checked,
every table written. The rate is observation rows per second. Last line: `ratio: X.XX`, the
5 x CSV ingest rate against the 50.000 rows per second the project aims for (issue 15).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import national_workspace  # noqa: E402

GOAL_ROWS_PER_SECOND = 50_000


def dk(number: float) -> str:
    """Thousands grouped with a point, as in the Danish docs."""
    return f"{number:,.0f}".replace(",", ".")


def best(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times)


def variant(national: Path, root: Path, scale: int, fmt: str) -> tuple[Path, int]:
    """A workspace with the national inputs, the observations as one ``fmt`` file, ``scale`` times."""
    import openpyxl
    import pandas as pd

    raw = root / "raw"
    shutil.copytree(national / "raw", raw)
    (raw / "observationer_national.xlsx").unlink()
    frame = pd.read_excel(national / "raw" / "observationer_national.xlsx", dtype=str, engine="calamine")
    frame = pd.concat([frame.assign(kilde=f"{source} ({copy + 1})") if scale > 1 else frame
                       for copy, source in enumerate([frame["kilde"].iloc[0]] * scale)], ignore_index=True)
    if fmt == "csv":
        frame.to_csv(raw / "observationer_national.csv", sep=";", index=False)
    else:
        book = openpyxl.Workbook(write_only=True)
        sheet = book.create_sheet("data")
        sheet.append(list(frame.columns))
        for row in frame.itertuples(index=False):
            sheet.append(list(row))
        book.save(raw / "observationer_national.xlsx")
    return root, len(frame)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scale", type=int, default=5)
    args = parser.parse_args()
    import pandas as pd

    from boligdata import load
    from boligdata.ingest import ingest

    with tempfile.TemporaryDirectory(prefix="bd-bench-") as temp:
        national = national_workspace(Path(temp) / "national")
        print(f"{'input':34} {'rows':>9} {'ingest':>9} {'rows/s':>9} {'pandas only':>12}")
        rates = {}
        for scale in (1, args.scale):
            for fmt in ("xlsx", "csv"):
                ws, rows = variant(national, Path(temp) / f"{fmt}{scale}", scale, fmt)
                seconds = best(lambda: ingest(ws, force=True), args.repeat)
                source = ws / "raw" / f"observationer_national.{fmt}"
                reader = (lambda: pd.read_csv(source, sep=";", dtype=str)) if fmt == "csv" else \
                    (lambda: pd.read_excel(source, dtype=str, engine="calamine"))
                plain = best(reader, args.repeat)
                rates[(fmt, scale)] = rows / seconds
                print(f"{f'{fmt.upper()} {scale} x, validated':34} {dk(rows):>9} {seconds:8.2f}s "
                      f"{dk(rows / seconds):>9} {plain:11.2f}s")
        reload = best(lambda: load(national), args.repeat)
        print(f"reload from processed/ (parquet, freshness checked by hashes): {reload:.3f} s")
        print(f"ratio: {rates[('csv', args.scale)] / GOAL_ROWS_PER_SECOND:.2f}")


if __name__ == "__main__":
    main()
