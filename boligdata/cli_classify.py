"""``boligdata classify``: designations for any table of criteria values."""

from __future__ import annotations

import os
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pandas as pd

from .errors import InputError, ParameterError
from .readers.table import read_table
from .readers.values import is_blank, missing_reason, normalise_key, parse_number, parse_year
from .rules import CrimeFigures, crime_figures_from_table, known_crime_figures, version_for_year

NUMERIC = ("residents", "non_western_pct", "outside_labour_market_pct", "convicted_pct",
           "primary_school_only_pct", "income_pct_of_region", "pop_18_64", "pop_18plus", "pop_30_59",
           "regional_income_dkk")
REQUIRED = ("area", "residents", "non_western_pct", "outside_labour_market_pct", "convicted_pct",
            "primary_school_only_pct", "income_pct_of_region")


def read_values(path: Path) -> pd.DataFrame:
    """Read the input table of ``classify``; numbers in Danish or English spelling."""
    table = read_table(path, str(path))
    index = {normalise_key(h): i for i, h in enumerate(table.headers)}
    missing = [c for c in REQUIRED if c not in index]
    if missing:
        raise table.error(f"the columns {', '.join(REQUIRED)} (missing: {', '.join(missing)})", row=1)
    records = []
    for row, cells in table.rows:
        record = {"area": str(cells[index["area"]]).strip()}
        if "category" in index and index["category"] < len(cells) and not is_blank(cells[index["category"]]):
            record["category"] = str(cells[index["category"]]).strip()
        for column in NUMERIC:
            if column not in index:
                continue
            raw = cells[index[column]] if index[column] < len(cells) else None
            if missing_reason(raw):  # empty, "..", "afventer", "-": no figure
                record[column] = None
                continue
            try:
                record[column] = parse_number(raw, decimal_comma=table.decimal_comma)
            except ValueError as exc:
                raise table.error(str(exc), row=row, column=table.headers[index[column]], value=raw) from None
        records.append(record)
    if not records:
        raise table.error("at least one area below the header")
    return pd.DataFrame(records)


def read_history(path: Path) -> pd.DataFrame:
    """Read ``area, list_year, designation`` rows."""
    table = read_table(path, str(path))
    index = {normalise_key(h): i for i, h in enumerate(table.headers)}
    for column in ("area", "list_year", "designation"):
        if column not in index:
            raise table.error("the columns area, list_year, designation", row=1)
    rows = []
    for row, cells in table.rows:
        try:
            year = parse_year(cells[index["list_year"]])
            version_for_year(year)
        except (ValueError, ParameterError) as exc:
            raise table.error(str(exc), row=row, column="list_year", value=cells[index["list_year"]]) from None
        rows.append({"area": cells[index["area"]].strip(), "list_year": year,
                     "designation": cells[index["designation"]].strip()})
    return pd.DataFrame(rows)


def _decimal(text: str, flag: str) -> Decimal:
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise ParameterError(f"{flag}: expected a percentage such as 0.76, found {text!r}") from None
    if not 0 < value < 100:
        raise ParameterError(f"{flag}: expected a percentage between 0 and 100, found {text!r}")
    return value


def crime_figures(args) -> CrimeFigures:
    """The package's known figures plus what the user gave on the command line."""
    figures = known_crime_figures()
    if args.workspace or os.environ.get("BOLIGDATA_WORKSPACE"):
        from .load import load

        figures = figures.merged(crime_figures_from_table(load(args.workspace).crime_averages))
    user = CrimeFigures()
    if args.crime_national_average:
        user = CrimeFigures({args.list_year: (_decimal(args.crime_national_average, "--crime-national-average"),
                                              "--crime-national-average")}, {})
    if args.crime_threshold:
        multiples = {c.national_average_multiple for c in version_for_year(args.list_year).criteria.values()
                     if c.national_average_multiple and c.id == "crime"}
        value = _decimal(args.crime_threshold, "--crime-threshold")
        user = CrimeFigures(user.national_average, {(args.list_year, m): (value, "--crime-threshold") for m in multiples})
    return figures.merged(user)


def cmd_classify(args) -> int:
    from .classify import classify_frame

    version_for_year(args.list_year)
    frame = read_values(Path(args.input))
    history = read_history(Path(args.history)) if args.history else None
    result = classify_frame(frame, args.list_year, history=history, crime=crime_figures(args))
    undecided = sorted({n for n in result["notes"] if n})
    if undecided and not args.allow_undecided:
        raise ParameterError(undecided[0].split(" | ")[0] + " (or pass --allow-undecided)")
    if args.out:
        from .ingest import atomic_write

        atomic_write(Path(args.out), result.to_csv(index=False).encode("utf-8"))
        print(f"wrote {args.out} ({len(result)} areas)")
    else:
        result.to_csv(sys.stdout, index=False)
    return 0


def add_classify(commands) -> None:
    p = commands.add_parser("classify", help="designations, distances and the way off the list for a table of areas")
    p.add_argument("input", metavar="INPUT.csv",
                   help="columns: " + ", ".join(REQUIRED) + " [, pop_18_64, pop_18plus, pop_30_59, category]")
    p.add_argument("--list-year", type=int, required=True, metavar="YYYY", help="the list (1 December) to classify for")
    p.add_argument("--history", metavar="FILE", help="earlier lists: area, list_year, designation")
    p.add_argument("--crime-national-average", metavar="PCT", help="national average share convicted (18+), in percent")
    p.add_argument("--crime-threshold", metavar="PCT", help="the crime threshold itself, in percent")
    p.add_argument("--allow-undecided", action="store_true", help="write the table even if a criterion cannot be decided")
    p.add_argument("--out", metavar="FILE", help="write CSV here instead of standard output")
    p.add_argument("--workspace", metavar="DIR",
                   help="also use the crime figures in this workspace's raw/landsgennemsnit* (or $BOLIGDATA_WORKSPACE)")
    p.set_defaults(func=cmd_classify)
