"""Benchmark: the naive papermill + nbconvert loop against `boligdata batch`, in one run.

    python benchmarks/batch.py --n 20 [--workers 2] [--national]

Both build the same N kvartalsrapport reports from the same synthetic national data:
(a) one `papermill` command and one `jupyter nbconvert --to html --no-input` command per
report, one after the other, as a scheduled job would naively do; (b) one
`boligdata batch` command. It prints both times, the marginal cost per report of the batch
(from a second batch of N/2 reports in the same run), the batch's peak resident memory
(all its processes), and, as its last line, `ratio: X.XX` (naive time / batch time).
`--national` also runs the whole national batch (every template, every municipality) and
prints its time and peak memory.
"""

from __future__ import annotations

import argparse
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import PeakMemory, national_workspace  # noqa: E402

BIN = Path(sys.executable).parent
QUARTER = "2025Q3"


def municipalities(n: int, ws: Path) -> list[str]:
    from boligdata import load

    codes = sorted(set(load(ws).quarter(QUARTER).areas["municipality_code"]))
    if n > len(codes):
        raise SystemExit(f"--n {n}: only {len(codes)} municipalities have areas")
    return codes[:n]


def naive(codes: list[str], ws: Path, out: Path) -> float:
    started = time.perf_counter()
    for code in codes:
        notebook = out / f"naive-{code}.ipynb"
        subprocess.run([str(BIN / "papermill"), str(ROOT / "notebooks" / "kvartalsrapport.ipynb"), str(notebook),
                        "-r", "quarter", QUARTER, "-r", "municipality", code, "-r", "workspace", str(ws),
                        "-k", "python3", "--language", "python", "--no-progress-bar", "--log-level", "ERROR"],
                       check=True, capture_output=True)
        subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(notebook)],
                       check=True, capture_output=True)
    return time.perf_counter() - started


def batch(codes: list[str], ws: Path, workers: int, templates: str = "kvartalsrapport") -> tuple[float, float]:
    command = [str(BIN / "boligdata"), "batch", "--workspace", str(ws), "--quarter", QUARTER,
               "--templates", templates, "--workers", str(workers)]
    if codes:
        command += ["--municipalities", ",".join(codes)]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    with PeakMemory(process.pid) as memory:
        stdout, stderr = process.communicate()
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"boligdata batch failed ({process.returncode}):\n{stdout.decode()[-2000:]}\n{stderr.decode()[-2000:]}")
    return seconds, memory.peak_mb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20, help="reports per side (default 20)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--national", action="store_true", help="also time the whole national batch")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bd-bench-") as temp:
        ws = national_workspace(Path(temp) / "ws")
        codes = municipalities(args.n, ws)
        out = Path(temp) / "naive"
        out.mkdir()
        print(f"machine: {platform.machine()}, {platform.python_version()}, cores: "
              f"{len(__import__('os').sched_getaffinity(0))}; data: synthetic national, quarter {QUARTER}")
        if args.national:
            seconds, peak = batch([], ws, args.workers, "kvartalsrapport,omraadeprofil,helhedsplan")
            count = len(list((ws / "reports" / QUARTER).rglob("*.html")))
            print(f"national batch: {count} reports in {seconds:.1f} s, peak memory {peak:.0f} MB")
        half_seconds, _ = batch(codes[: args.n // 2], ws, args.workers)
        batch_seconds, peak = batch(codes, ws, args.workers)
        naive_seconds = naive(codes, ws, out)
        marginal = (batch_seconds - half_seconds) / (args.n - args.n // 2)
        print(f"naive papermill + nbconvert loop: {naive_seconds:.1f} s for {args.n} reports "
              f"({naive_seconds / args.n:.2f} s each)")
        print(f"boligdata batch, {args.workers} workers: {batch_seconds:.1f} s for {args.n} reports "
              f"({batch_seconds / args.n:.2f} s each); {args.n // 2} reports: {half_seconds:.1f} s")
        print(f"batch marginal cost: {marginal:.2f} s per report; batch peak memory: {peak:.0f} MB")
        print(f"ratio: {naive_seconds / batch_seconds:.2f}")


if __name__ == "__main__":
    main()
