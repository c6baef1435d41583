"""``boligdata lists add FILE``: a newly published list, recorded once in the workspace.

Each December the ministry publishes a new list and the year's crime figure. Instead of every
analyst typing them into their own history files, one file with the list as published (area,
kommunekode, betegnelse, listeår or listedato, kilde) and the crime figure (``--threshold`` with
``--multiple``, or ``--national-average``, with ``--source``) is checked and written to the
workspace's raw/ as three files of the usual kinds:

- ``raw/listehistorik_liste_<list>.csv``: one row per area and designation;
- ``raw/omraader_liste_<list>.csv``: the areas the workspace's register does not have yet;
- ``raw/landsgennemsnit_liste_<list>.csv``: the crime figure with its source.

A list already recorded (by this command, or rows of that list in the workspace's own history)
is refused, so a list is recorded once. The whole workspace is then ingested; if that fails, the
three files are removed again and raw/ is as it was.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal, InvalidOperation
from pathlib import Path

from .errors import BoligdataError, ParameterError
from .readers.values import name_key, normalise_key

COLUMNS = {"område": "area", "områdenavn": "area", "area": "area", "kommunekode": "municipality",
           "kommune": "municipality", "betegnelse": "designation", "designation": "designation",
           "listeår": "list_year", "list_year": "list_year", "listedato": "list_date", "list_date": "list_date",
           "kilde": "source", "source": "source"}


def _csv(header: list[str], rows: list[list]) -> bytes:
    """A CSV as the templates are: ';', with a BOM so that Danish Excel opens it right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def read_list_file(path: Path):
    """The rows of a published list, checked: (list, [(row, area, kommunekode, designation, source)])."""
    from .ingest import input_kinds
    from .lists import resolve_list
    from .municipalities import find_municipality
    from .readers.table import read_table
    from .readers.values import parse_year

    table = read_table(path, str(path))
    columns = {normalise_key(k): v for k, v in COLUMNS.items()}
    index = {columns[normalise_key(h)]: i for i, h in enumerate(table.headers) if normalise_key(h) in columns}
    missing = [c for c in ("area", "municipality", "designation", "source") if c not in index]
    if missing or ("list_year" not in index and "list_date" not in index):
        raise table.error("the columns område, kommunekode, betegnelse, listeår (or listedato) and kilde", row=1)
    designations = dict(input_kinds()["listehistorik"].column("designation").values)
    lists, rows = set(), []

    def cell(cells, name):
        return str(cells[index[name]]).strip() if name in index and index[name] < len(cells) and \
            cells[index[name]] is not None else ""

    for row, cells in table.rows:
        area, source = cell(cells, "area"), cell(cells, "source")
        if not area:
            raise table.error("the area's name as on the list", row=row, column=table.headers[index["area"]], value="")
        if not source:
            raise table.error("the source of the list (the ministry's publication)", row=row,
                              column=table.headers[index["source"]], value="")
        try:
            code = find_municipality(cell(cells, "municipality"))
        except ValueError as exc:
            raise table.error(str(exc), row=row, column=table.headers[index["municipality"]],
                              value=cell(cells, "municipality")) from None
        designation = designations.get(normalise_key(cell(cells, "designation")))
        if designation is None:
            raise table.error(f"a designation ({', '.join(sorted(set(designations.values())))})", row=row,
                              column=table.headers[index["designation"]], value=cell(cells, "designation"))
        try:
            year = parse_year(cell(cells, "list_year")) if cell(cells, "list_year") else None
            lst = resolve_list(list_year=year, list_date=cell(cells, "list_date") or None)
        except (ValueError, ParameterError) as exc:
            raise table.error(f"a published list ({exc})", row=row, column="listeår",
                              value=cell(cells, "list_year") or cell(cells, "list_date")) from None
        if lst.future:
            raise table.error("a list that has been published", row=row, column="listeår", value=lst.id)
        lists.add(lst.id)
        rows.append((row, area, code, designation, source))
    if len(lists) != 1:
        raise table.error(f"one list per file; this one has {', '.join(sorted(lists))}")
    from .lists import get_list

    return get_list(lists.pop()), rows


def crime_figure(lst, national_average=None, threshold=None, multiple=None, source: str = ""):
    """The year's crime figure, checked as ingest checks raw/landsgennemsnit: possible, plausible,
    and not contradicting a published figure. Returns the CSV row for raw/landsgennemsnit."""
    from .crime import crime_figures_from_table, known_crime_figures
    from .plausibility import implausible_national_average

    import pandas as pd

    if (national_average is None) == (threshold is None):
        raise ParameterError("lists add: give the year's crime figure: --national-average, or --threshold with "
                             "--multiple (3 for udsat, 2 for forebyggelse)")
    if threshold is not None and multiple not in (2, 3):
        raise ParameterError("--multiple: the threshold's multiple of the national average, 3 or 2")
    if not source:
        raise ParameterError("--source: where the crime figure is published")
    try:
        value = Decimal(str(national_average if national_average is not None else threshold).replace(",", "."))
    except InvalidOperation:
        raise ParameterError("--national-average/--threshold: expected a percentage such as 0,76") from None
    frame = pd.DataFrame({"list_year": [lst.year], "national_average_pct": [float(value) if national_average else None],
                          "multiple": [multiple if threshold is not None else None],
                          "threshold_pct": [float(value) if threshold is not None else None], "source": [source]})
    known_crime_figures().merged(crime_figures_from_table(frame))  # possible, and against the published ones
    why = implausible_national_average(value, multiple if threshold is not None else 1)
    if why:
        raise ParameterError(f"lists add: {why}")
    text = format(value.normalize(), "f").replace(".", ",")
    return [lst.year, text if national_average is not None else "", multiple if threshold is not None else "",
            text if threshold is not None else "", source]


def add_list(workspace, path: Path, *, national_average=None, threshold=None, multiple=None,
             source: str = "") -> dict:
    """Check the list in ``path`` and the crime figure, write them into the workspace's raw/ and
    ingest; on any refusal raw/ is left as it was. Returns what was written."""
    from .ingest import atomic_write, ingest
    from .lists import lists_of_year
    from .loader import load
    from .paths import Workspace, resolve_workspace
    from .workspace import area_id_for

    ws = workspace if isinstance(workspace, Workspace) else resolve_workspace(workspace)
    lst, rows = read_list_file(Path(path))
    crime_row = crime_figure(lst, national_average, threshold, multiple, source or rows[0][4])
    tables = load(ws)
    recorded = tables.list_history[tables.list_history["list_id"] == lst.id]
    if not recorded.empty:
        raise ParameterError(f"lists add: the list {lst.id} is already in the workspace ({len(recorded)} rows in "
                             "raw/listehistorik*); a list is recorded once: correct those rows instead")
    # Areas: by name or other name, within the municipality; the rest are new register rows.
    known = {}
    for area in tables.areas.itertuples(index=False):
        for name in [area.area_id, area.area_name] + [a for a in (area.aliases if isinstance(area.aliases, str) else "").split(";") if a]:
            known.setdefault((area.municipality_code, name_key(name)), area.area_id)
    new_areas, history = {}, []
    for _row, name, code, designation, row_source in rows:
        area_id = known.get((code, name_key(name)))
        if area_id is None:
            area_id = area_id_for(name, code)
            new_areas[(code, name_key(name))] = (area_id, name, code)
        dated = lst.id if len(lists_of_year(lst.year)) > 1 else ""  # 2013 had two lists
        history.append([lst.year, dated, area_id, designation, row_source, "stated",
                        f"boligdata lists add {Path(path).name}"])
    stem = lst.id
    files = {
        ws.raw / f"listehistorik_liste_{stem}.csv": _csv(
            ["listeår", "listedato", "område", "betegnelse", "kilde", "belæg", "bemærkning"], history),
        ws.raw / f"landsgennemsnit_liste_{stem}.csv": _csv(
            ["listeår", "landsgennemsnit_pct", "multiplum", "tærskel_pct", "kilde"], [crime_row]),
    }
    if new_areas:
        files[ws.raw / f"omraader_liste_{stem}.csv"] = _csv(
            ["områdekode", "områdenavn", "kommunekode", "andre_navne", "afdelinger", "bemærkning"],
            [[i, n, c, "", "", f"Fra listen {lst.id} (boligdata lists add)"] for i, n, c in new_areas.values()])
    clash = [p for p in files if p.exists()]
    if clash:
        raise ParameterError(f"lists add: {ws.display(clash[0])} exists; the list {lst.id} was added before")
    written = []
    try:
        for target, data in files.items():
            atomic_write(target, data)
            written.append(target)
        result = ingest(ws)
    except BoligdataError:
        for target in written:
            target.unlink(missing_ok=True)
        raise
    return {"list": lst.id, "rows": len(history), "new_areas": len(new_areas),
            "files": [ws.display(p) for p in written], "warnings": result.warnings}


def cmd_lists(args) -> int:
    done = add_list(args.workspace, Path(args.file), national_average=args.national_average,
                    threshold=args.threshold, multiple=args.multiple, source=args.source or "")
    for message in done["warnings"]:
        print(f"warning: {message}")
    print(f"recorded the list {done['list']}: {done['rows']} rows, {done['new_areas']} new areas")
    for name in done["files"]:
        print(f"wrote {name}")
    print("ingested the workspace again: every report from now on uses the list and its crime figure")
    return 0


def add_lists(commands) -> None:
    p = commands.add_parser("lists", help="record a newly published list and its crime figure in the workspace")
    actions = p.add_subparsers(dest="action", required=True)
    a = actions.add_parser("add", help="check a published list (område, kommunekode, betegnelse, listeår, kilde) "
                                       "and the year's crime figure, and record them once in raw/")
    a.add_argument("file", metavar="FILE", help="CSV or XLSX with one row per area and designation")
    a.add_argument("--national-average", metavar="PCT", help="the year's national average share convicted")
    a.add_argument("--threshold", metavar="PCT", help="or the published threshold, with --multiple")
    a.add_argument("--multiple", type=int, choices=(2, 3), help="the threshold's multiple (3 udsat, 2 forebyggelse)")
    a.add_argument("--source", metavar="TEXT", help="where the crime figure is published (default: the list's kilde)")
    a.add_argument("--workspace", metavar="DIR", help="folder with raw/ (default: $BOLIGDATA_WORKSPACE or the project)")
    a.set_defaults(func=cmd_lists)
