"""``boligdata classify``: designations for any table of criteria values."""

from __future__ import annotations

import os
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pandas as pd

# The columns classify reads, shared with its argument parser in cli.py.
from .cli import CLASSIFY_NUMERIC as NUMERIC
from .cli import CLASSIFY_REQUIRED as REQUIRED
from .crime import (
    CrimeFigures,
    crime_figures_from_table,
    known_crime_figures,
    user_crime_figure,
)
from .criteria import undecided_reasons
from .errors import ParameterError, UndecidedError
from .history import ListHistory
from .lists import as_list, get_list, resolve_list
from .readers.table import read_table
from .readers.values import (
    is_blank,
    missing_reason,
    normalise_key,
    parse_number,
    parse_year,
)


def input_aliases() -> dict[str, str]:
    """Headings ``classify`` reads for each of its columns: the English names, and the Danish words
    of the catalogue (label_da) and of the rules (the criteria's column headings), normalised.

    >>> input_aliases()[normalise_key("Uden for arbejdsmarked og uddannelse")]
    'outside_labour_market_pct'
    """
    from .catalog import load_catalog
    from .rules import load_rules

    catalog = load_catalog()
    aliases = {normalise_key(c): c for c in NUMERIC + ("area", "category")}
    for danish, column in (("område", "area"), ("områdenavn", "area"), ("områdekode", "area"),
                           ("egen kategori", "category"), ("kategori", "category"), ("beboere", "residents"),
                           ("regional indkomst kr", "regional_income_dkk")):
        aliases[normalise_key(danish)] = column
    for column in NUMERIC:
        if column in catalog.index:
            aliases.setdefault(normalise_key(catalog.loc[column, "label_da"]), column)
    for version in load_rules():
        for criterion in version.criteria.values():
            aliases.setdefault(normalise_key(criterion.column_da), criterion.indicator)
    return aliases


def read_values(path: Path) -> pd.DataFrame:
    """Read the input table of ``classify``; numbers in Danish or English spelling, headings in
    English or in the Danish of the templates (``input_aliases``)."""
    table = read_table(path, str(path))
    aliases = input_aliases()
    index = {aliases.get(normalise_key(h), normalise_key(h)): i for i, h in enumerate(table.headers)}
    missing = [c for c in REQUIRED if c not in index]
    if missing:
        raise table.error(f"the columns {', '.join(REQUIRED)} (missing: {', '.join(missing)})", row=1)
    records, rows = [], []
    for row, cells in table.rows:
        rows.append(row)
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
    frame = pd.DataFrame(records)
    frame.attrs.update(rows=rows, headings={c: table.headers[i] for c, i in index.items() if c in NUMERIC},
                       error=table.error)
    return frame


def check_plausible_values(frame: pd.DataFrame, lst, history_rows=(), confirmations=None) -> list:
    """Refuse what ingest would refuse in a table for classify (issue 23): a share column whose every
    value lies within 0-1 (per column: other columns on 0-100 do not prove it), a figure outside its
    plausible range, a figure on the wrong side of what the area's list history required. A real
    outlier is confirmed in the workspace's raw/bekraeftelser*. Returns the confirmations used.
    """
    from .catalog import load_catalog
    from .plausibility import CONFIRM_HINT, Confirmations, history_findings, load_plausibility, range_findings

    catalog, checks = load_catalog(), load_plausibility()
    confirmations = confirmations or Confirmations()
    headings, rows, error = frame.attrs["headings"], frame.attrs["rows"], frame.attrs["error"]
    long = frame.melt(id_vars=["area"], value_vars=[c for c in headings if c in frame], var_name="indicator",
                      value_name="value").dropna(subset=["value"])
    long["value"] = long["value"].astype(float)
    long["geo_level"], long["geo_code"], long["period"] = "area", long["area"], str(lst.year)
    long["year"] = lst.year
    long["_position"] = long.index % len(frame)
    units = long["indicator"].map(catalog["unit"])
    for indicator, part in long[units.isin(("pct",))].groupby("indicator"):
        if catalog.loc[indicator, "small_shares"]:
            continue
        values = part["value"]
        if ((values >= 0) & (values <= 1)).all() and (values > 0).any():
            first = part.index[0]
            if confirmations.find("area", part.loc[first, "area"], indicator, lst.year, values[first]) is None:
                raise error(f"a percentage from 0 to 100; every value of this column lies between 0 and 1, as shares "
                            f"written from 0 to 1 do: write {100 * values[first]:.1f} for {values[first]:g}, or "
                            f"confirm a share truly under 1 % ({CONFIRM_HINT})", row=rows[part.loc[first, '_position']],
                            column=headings[indicator], value=float(values[first]))
    history = pd.DataFrame(list(history_rows), columns=["area_id", "list_id", "designation"])
    findings = range_findings(long, units, checks) + history_findings(
        long.assign(geo_code=long["area"]), history, checks)
    used = []
    for finding in findings:
        row = long.loc[finding.index]
        match = None if finding.check == "possible" else confirmations.find(
            "area", row["area"], row["indicator"], row["period"], row["value"])
        if match is None:
            raise error(finding.expected, row=rows[row["_position"]], column=headings[row["indicator"]],
                        value=float(row["value"]))
        used.append(match)
    return used


def workspace_confirmations(args):
    """The workspace's confirmations, keyed by area name as well as area id (classify reads names)."""
    from .plausibility import Confirmations

    if not (args.workspace or os.environ.get("BOLIGDATA_WORKSPACE")):
        return Confirmations()
    from .loader import load

    data = load(args.workspace)
    table = data.confirmations
    names = data.areas.set_index("area_id")["area_name"]
    by_name = table[table["geo_code"].isin(names.index)].assign(geo_code=lambda t: t["geo_code"].map(names))
    return Confirmations(pd.concat([table, by_name], ignore_index=True))


def workspace_history(args, frame: pd.DataFrame) -> ListHistory | None:
    """Without --history, the workspace's own list history (raw/listehistorik*, as ingested, with
    its coverage), its area ids matched to the table's areas by id, name or andre_navne."""
    if not (args.workspace or os.environ.get("BOLIGDATA_WORKSPACE")):
        return None
    from .ingest import AreaResolver
    from .loader import load
    from .readers.values import name_key

    data = load(args.workspace)
    history = data.history()
    if history.rows.empty:
        return None
    ids = AreaResolver(data.areas).by_key  # id, name and andre_navne, as ingest finds an area
    shown = {}
    for value in frame["area"].astype(str):
        if name_key(value) in ids:
            shown[ids[name_key(value)]] = value
    rows = history.rows.assign(area=history.rows["area"].map(lambda a: shown.get(a, a)))
    return ListHistory(rows, dict(history.coverage), {shown.get(a, a): m for a, m in history.municipality_of.items()})


def read_history(path: Path, first_covered=None) -> ListHistory:
    """Read ``area, list_year, designation`` rows (and ``list_date`` where a year has two lists).

    ``first_covered`` (a list year or list id) is the first list the file is complete from;
    by default its earliest list.
    """
    from .readers.templates import input_kinds

    table = read_table(path, str(path))
    # The list history template's Danish headings (raw/listehistorik*) name the same columns.
    danish = {"listeaar": "list_year", "omraade": "area", "omraadekode": "area", "betegnelse": "designation",
              "listedato": "list_date"}
    index = {danish.get(normalise_key(h), normalise_key(h)): i for i, h in enumerate(table.headers)}
    designations = input_kinds()["listehistorik"].column("designation")
    for column in ("area", "list_year", "designation"):
        if column not in index:
            raise table.error("the columns area, list_year, designation (and list_date where a year has two lists)",
                              row=1)
    rows = []
    for row, cells in table.rows:
        raw_date = cells[index["list_date"]] if "list_date" in index and index["list_date"] < len(cells) else ""
        try:
            year = parse_year(cells[index["list_year"]])
            lst = resolve_list(list_year=year, list_date=raw_date.strip() or None)
        except (ValueError, ParameterError) as exc:
            raise table.error(str(exc).replace("--list-year", "list_year").replace("--list-date", "a list_date column"),
                              row=row, column="list_year", value=cells[index["list_year"]]) from None
        try:
            designation = designations.canonical(str(cells[index["designation"]]).strip())
        except KeyError:
            designation = str(cells[index["designation"]]).strip()  # the engine names what it does not know
        rows.append((cells[index["area"]].strip(), lst.id, designation))
    if first_covered is None and rows:  # as documented: complete from its earliest list
        first_covered = min((get_list(lst) for _, lst, _ in rows), key=lambda item: item.known_by).id
    coverage = {"*": as_list(first_covered).id} if first_covered is not None else None
    return ListHistory.from_rows(rows, coverage=coverage)


def _decimal(text: str, flag: str) -> Decimal:
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise ParameterError(f"{flag}: expected a percentage such as 0.76, found {text!r}") from None
    if not 0 < value < 100:
        raise ParameterError(f"{flag}: expected a percentage between 0 and 100, found {text!r}")
    return value


def crime_figures(args, lst, as_of=None) -> CrimeFigures:
    """The published figures (those public on ``as_of``), the workspace's and the user's own."""
    figures = known_crime_figures() if as_of is None else known_crime_figures().known_on(as_of)
    if args.workspace or os.environ.get("BOLIGDATA_WORKSPACE"):
        from .loader import load

        figures = figures.merged(crime_figures_from_table(load(args.workspace).crime_averages))
    given = {name: _decimal(getattr(args, name), "--" + name.replace("_", "-"))
             for name in ("crime_national_average", "crime_threshold", "crime_threshold_forebyggelse")
             if getattr(args, name)}
    user = user_crime_figure(lst, national_average=given.get("crime_national_average"),
                             threshold=given.get("crime_threshold"),
                             threshold_forebyggelse=given.get("crime_threshold_forebyggelse"))
    _check_plausible_flag(given, lst, args)  # after the possible range: 72 % is wrong, not an outlier
    return figures.merged(user)


def _check_plausible_flag(given: dict, lst, args) -> None:
    """A national average (or threshold) on the command line outside the plausible range
    (data/plausibility.yaml) is refused unless the workspace confirmed it, as ingest does."""
    from .plausibility import CONFIRM_HINT, implausible_national_average

    for name, value in given.items():
        multiple = {"crime_threshold": 3, "crime_threshold_forebyggelse": 2}.get(name, 1)
        why = implausible_national_average(value, multiple)
        if why and workspace_confirmations(args).find("country", "000", "convicted_pct", str(lst.year),
                                                      float(value)) is None:
            raise ParameterError(f"--{name.replace('_', '-')}: {why}; {CONFIRM_HINT} and pass --workspace")


def undecided_message(results) -> str | None:
    """One line naming each figure that leaves a designation undecided (None when all are decided)."""
    grouped: dict = {}  # (area, reason) -> the designations it leaves open: each reason said once per area
    for result in results:
        for designation in result.version.ordered_designations():
            if result.designations.get(designation.id) is None:
                for reason in undecided_reasons(result, designation):
                    grouped.setdefault((result.name, reason), []).append(designation.label_da)
    if not grouped:
        return None
    shown = [f"{name}: {', '.join(labels)} ({reason})" for (name, reason), labels in grouped.items()]
    more = f" (and {len(shown) - 3} more)" if len(shown) > 3 else ""
    return ("some designations cannot be decided: " + "; ".join(shown[:3]) + more
            + ". Give the missing figures, or pass --allow-undecided to write the table with 'undecided'")


def cmd_classify(args) -> int:
    from .classify import classify_frame
    from .criteria import evaluate

    lst = resolve_list(list_year=args.list_year, list_date=args.list_date)
    as_of = _as_of(args.as_of) if args.as_of else None
    frame = read_values(Path(args.input))
    history = read_history(Path(args.history), args.history_from) if args.history else workspace_history(args, frame)
    check_plausible_values(frame, lst, history.rows[['area', 'list_id', 'designation']].itertuples(index=False)
                           if history is not None else (), workspace_confirmations(args))
    crime = crime_figures(args, lst, as_of)
    for line in crime.warnings():
        print(f"warning: {line}", file=sys.stderr)
    results = evaluate(frame, lst, history=history, crime=crime, as_of=as_of)
    message = undecided_message(results)
    if message and not args.allow_undecided:
        raise UndecidedError(message)
    result = classify_frame(frame, lst, history=history, crime=crime, as_of=as_of)
    if args.out:
        from .classify import for_output
        from .publish.tables_out import write_table

        out = Path(args.out)
        if out.suffix.lower() not in (".csv", ".xlsx"):
            raise ParameterError(f"--out: expected a .csv or .xlsx file, found {out.name!r}")
        table, formats = for_output(result, args.danish, inputs=frame)
        write_table(table, out, sheet="klassifikation", formats=formats)
        print(f"wrote {args.out} ({len(result)} areas)")
    else:
        from .publish.tables_out import csv_safe

        csv_safe(result).to_csv(sys.stdout, index=False)
    return 0


def _as_of(text: str):
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ParameterError(f"--as-of: expected a date YYYY-MM-DD, found {text!r}") from None
