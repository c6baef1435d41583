"""Benchmark: four ways to build the same kvartalsrapporter, side by side, interleaved.

    python benchmarks/batch.py [--n 20 | --n all] [--workers 2] [--rounds 1] [--pdf] [--national]
                               [--skip-naive]

On the synthetic national data (quarter 2025Q3), each round runs, one after the other:
(a) the naive loop: one `papermill` and one `jupyter nbconvert --to html --no-input` command per
    report;
(b) the strong recipe (benchmarks/strong_recipe.py): a process pool of the same size as the
    batch, `papermill.execute_notebook` with a fresh kernel per report, HTML exported in-process;
(c) the warm recipe (benchmarks/warm_recipe.py): papermill at its best, a pool of the same size
    whose processes each reuse one kernel (`execute_notebook(..., km=...)`) with a `%reset -f`
    between reports, no save per cell, HTML exported in-process;
(d) `boligdata batch --workers N`, and the same batch for N/2 reports (for the marginal cost).
`--n all` is every municipality's kvartalsrapport (98 on the national data).
Each way runs as its own process tree; its wall time and peak resident memory (all processes)
are measured. With several rounds the order rotates and the best time of each way counts.
It prints the ratios, the batch's marginal cost per report and, as its last line,
`ratio: X.XX` = the strongest recipe (the faster of (b) and (c)) / batch. `--pdf` also times the
batch with PDFs (the cost per report shown separately); `--national` the whole national quarter
(every template, every municipality), also with PDFs when `--pdf` is given.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
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


def municipalities(n: int | None, ws: Path) -> list[str]:
    """The first ``n`` municipalities with areas (every one for None)."""
    from boligdata import load

    codes = sorted(set(load(ws).quarter(QUARTER).areas["municipality_code"]))
    if n is None:
        return codes
    if n > len(codes):
        raise SystemExit(f"--n {n}: only {len(codes)} municipalities have areas")
    return codes[:n]


def timed(commands: list[list[str]]) -> tuple[float, float]:
    """Run the commands one after the other; wall time and the peak memory of any one's tree."""
    started, peak = time.perf_counter(), 0.0
    for command in commands:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        with PeakMemory(process.pid) as memory:
            stdout, stderr = process.communicate()
        if process.returncode != 0:
            raise SystemExit(f"{command[0]} failed ({process.returncode}):\n{stdout.decode()[-1500:]}\n"
                             f"{stderr.decode()[-1500:]}")
        peak = max(peak, memory.peak_mb)
    return time.perf_counter() - started, peak


def naive(codes, ws: Path, out: Path) -> tuple[float, float]:
    commands = []
    for code in codes:
        notebook = out / f"naive-{code}.ipynb"
        commands.append([str(BIN / "papermill"), str(ROOT / "notebooks" / "kvartalsrapport.ipynb"), str(notebook),
                         "-r", "quarter", QUARTER, "-r", "municipality", code, "-r", "workspace", str(ws),
                         "-k", "python3", "--language", "python", "--no-progress-bar", "--log-level", "ERROR"])
        commands.append([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(notebook)])
    return timed(commands)


def strong(codes, ws: Path, out: Path, workers: int) -> tuple[float, float]:
    return timed([[sys.executable, str(Path(__file__).parent / "strong_recipe.py"), str(ws), QUARTER, str(out),
                   str(workers), *codes]])


def warm(codes, ws: Path, out: Path, workers: int) -> tuple[float, float]:
    return timed([[sys.executable, str(Path(__file__).parent / "warm_recipe.py"), str(ws), QUARTER, str(out),
                   str(workers), *codes]])


def batch(codes, ws: Path, workers: int, templates="kvartalsrapport", pdf=False) -> tuple[float, float]:
    command = [str(BIN / "boligdata"), "batch", "--workspace", str(ws), "--quarter", QUARTER,
               "--templates", templates, "--workers", str(workers)]
    if codes:
        command += ["--municipalities", ",".join(codes)]
    if pdf:
        command.append("--pdf")
    shutil.rmtree(ws / "reports", ignore_errors=True)  # every run writes every report afresh
    return timed([command])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", default="20", help="reports per way (default 20; all: every municipality)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=1, help="rounds of the three ways (best time counts)")
    parser.add_argument("--pdf", action="store_true", help="also the batch with PDFs")
    parser.add_argument("--national", action="store_true", help="also the whole national quarter")
    parser.add_argument("--skip-naive", action="store_true", help="leave out the naive loop (5 s a report)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bd-bench-") as temp:
        ws = national_workspace(Path(temp) / "ws")
        codes = municipalities(None if args.n == "all" else int(args.n), ws)
        args.n = len(codes)
        out = Path(temp) / "out"
        out.mkdir()
        print(f"machine: {platform.machine()}, Python {platform.python_version()}, cores: "
              f"{len(os.sched_getaffinity(0))}; data: synthetic national, quarter {QUARTER}; {args.n} kvartalsrapporter")
        ways = {
            "naive": lambda: naive(codes, ws, out),
            "strong": lambda: strong(codes, ws, out, args.workers),
            "warm": lambda: warm(codes, ws, out, args.workers),
            "batch": lambda: batch(codes, ws, args.workers),
            "batch_half": lambda: batch(codes[: args.n // 2], ws, args.workers),
        }
        if args.skip_naive:
            del ways["naive"]
        best: dict = {}
        order = list(ways)
        for number in range(args.rounds):
            for name in order[number % len(order):] + order[: number % len(order)]:  # rotate the order
                seconds, peak = ways[name]()
                old = best.get(name)
                best[name] = (min(seconds, old[0]) if old else seconds, max(peak, old[1]) if old else peak)
        (naive_s, naive_mb) = best.get("naive", (float("nan"), float("nan")))
        (strong_s, strong_mb), (warm_s, warm_mb) = best["strong"], best["warm"]
        (batch_s, batch_mb), (half_s, _) = best["batch"], best["batch_half"]
        marginal = (batch_s - half_s) / (args.n - args.n // 2)
        n = args.n
        print(f"{'way':58} {'time':>8} {'per report':>11} {'peak MB':>8}")
        print(f"{'(a) naive loop: papermill + jupyter nbconvert CLI':58} {naive_s:7.1f}s {naive_s / n:10.2f}s {naive_mb:8.0f}")
        print(f"{f'(b) strong recipe: pool of {args.workers}, execute_notebook, in-process HTML':58} "
              f"{strong_s:7.1f}s {strong_s / n:10.2f}s {strong_mb:8.0f}")
        print(f"{f'(c) warm recipe: pool of {args.workers}, one kernel each, %reset -f':58} "
              f"{warm_s:7.1f}s {warm_s / n:10.2f}s {warm_mb:8.0f}")
        print(f"{f'(d) boligdata batch --workers {args.workers}':58} {batch_s:7.1f}s {batch_s / n:10.3f}s {batch_mb:8.0f}")
        print(f"{f'    boligdata batch, {n // 2} reports':58} {half_s:7.1f}s")
        print(f"batch marginal cost: {marginal:.3f} s per report")
        if args.pdf:
            pdf_s, pdf_mb = batch(codes, ws, args.workers, pdf=True)
            print(f"batch with PDFs: {pdf_s:.1f} s ({pdf_s / n:.2f} s per report, PDF {(pdf_s - batch_s) / n:.3f} s "
                  f"per report on top), peak {pdf_mb:.0f} MB")
        if args.national:
            national_s, national_mb = batch([], ws, args.workers, "kvartalsrapport,omraadeprofil,helhedsplan")
            count = len(list((ws / "reports" / QUARTER).rglob("*.html")))
            print(f"national quarter: {count} reports in {national_s:.1f} s ({national_s / count:.3f} s per report), "
                  f"peak memory {national_mb:.0f} MB")
            if args.pdf:
                national_pdf_s, national_pdf_mb = batch([], ws, args.workers, "kvartalsrapport,omraadeprofil,helhedsplan",
                                                        pdf=True)
                print(f"national quarter with PDFs: {count} reports in {national_pdf_s:.1f} s "
                      f"(PDF {(national_pdf_s - national_s) / count:.3f} s per report on top), peak memory "
                      f"{national_pdf_mb:.0f} MB")
        print(f"ratio naive / batch: {naive_s / batch_s:.2f}")
        print(f"ratio strong recipe / batch: {strong_s / batch_s:.2f}")
        print(f"ratio warm recipe / batch: {warm_s / batch_s:.2f}")
        print(f"ratio: {min(strong_s, warm_s) / batch_s:.2f}")


if __name__ == "__main__":
    main()
