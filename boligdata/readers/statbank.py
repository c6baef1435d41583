"""Danmarks Statistik's Statbank CSV export into tidy observations, from the API or from the
Statistikbanken web pages.

The API's format (``https://api.statbank.dk/v1/data/<TABLE>/CSV``): UTF-8 with a byte-order
mark, ``;``-separated, a header of upper-case variable codes followed by ``TID;INDHOLD``,
labels by default or codes (``valuePresentation=Code``), decimal comma in Danish output,
``..`` for suppressed values. Suppressed values are kept as missing with that reason,
never as zero.

The web pages' "semikolonsepareret" download is the table as the page shows it: a title
line naming the variables ("Befolkningen den 1. i kvartalet efter område, herkomst og tid"),
perhaps a unit line, a header row with one empty cell per row variable and then the periods,
and one row per combination with the row labels left empty where they repeat the row above,
in Windows-1252 or UTF-8. It is read into the API's shape (the variables named as the title
names them, upper case: OMRÅDE, HERKOMST), so the same map lines work for both.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ..errors import InputError
from ..municipalities import COUNTRY_CODE, municipalities, regions
from .table import read_table
from .values import normalise_key, parse_period

AREA_VARIABLES = ("OMRÅDE", "KOMK", "KOMKODE", "KOMMUNEDK", "REGION", "BOPOMR", "OMR", "KOMMUNE")
# Geographies Danmarks Statistik publishes that no list or report uses: Christiansø (not a
# municipality; code 411) and the landsdele. Their rows are skipped and counted, not refused; any
# other unknown name (a misspelt municipality) is still refused.
SKIPPED_CODES = {"411"}
SKIPPED_NAMES = ("christiansø", "landsdel ")
COUNTRY_NAMES = {"hele landet", "danmark", "i alt", "landet i alt"}
SUPPRESSED = {"..": "diskretioneret eller ikke offentliggjort (..)", ".": "ikke opgjort (.)", "": "tom"}


def _geography_lookup() -> dict[str, tuple[str, str]]:
    """Name or code (normalised) -> (geo_level, code)."""
    lookup = {normalise_key(name): ("country", COUNTRY_CODE) for name in COUNTRY_NAMES}
    lookup[COUNTRY_CODE] = ("country", COUNTRY_CODE)
    for code, name in regions().items():
        lookup[code] = ("region", code)
        lookup[normalise_key(name)] = ("region", code)
        lookup[normalise_key(name.replace("Region ", ""))] = ("region", code)
    for code, name in municipalities()["municipality_name"].items():
        lookup[code] = ("municipality", code)
        lookup[normalise_key(name)] = ("municipality", code)
        lookup[normalise_key(f"{name} Kommune")] = ("municipality", code)
    return lookup


def _value(text: str, decimal_comma: bool) -> float:
    text = text.strip()
    if decimal_comma:
        text = text.replace(",", ".")
    return float(text)


def read_statbank_csv(path, display: str | None = None) -> pd.DataFrame:
    """Read a Statbank CSV export into tidy rows.

    Returns one row per line of the file with ``geo_level`` (``country``, ``region``,
    ``municipality``), ``geo_code``, ``period`` (canonical: ``2020``, ``2020Q3``,
    ``2020M07``), ``value``, ``missing_reason``, and the table's other variables as
    columns under their Statbank codes.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "FOLK1E.csv"
    >>> _ = p.write_bytes("\\ufeffOMRÅDE;HERKOMST;TID;INDHOLD\\nOdense;Ikke-vestlig;2020K3;12,5\\n"
    ...                   "Hele landet;Ikke-vestlig;2020K3;..\\n".encode("utf-8"))
    >>> frame = read_statbank_csv(p)
    >>> frame[["geo_level", "geo_code", "period", "HERKOMST"]].values.tolist()
    [['municipality', '461', '2020Q3', 'Ikke-vestlig'], ['country', '000', '2020Q3', 'Ikke-vestlig']]
    >>> frame["value"].tolist(), frame["missing_reason"].tolist()[1]
    ([12.5, <NA>], 'diskretioneret eller ikke offentliggjort (..)')
    """
    display = display or str(path)
    table = web_table(Path(path), display) or read_table(Path(path), display)
    web = getattr(table, "web", False)
    headers = [h.strip().upper() for h in table.headers]
    if headers[-2:] != ["TID", "INDHOLD"]:
        raise table.error("a Statbank header ending in TID;INDHOLD (variable codes, then time and content)",
                          row=1, value=";".join(table.headers))
    area_columns = [i for i, h in enumerate(headers) if h in AREA_VARIABLES]
    if len(area_columns) != 1:
        raise table.error(f"exactly one area variable ({', '.join(AREA_VARIABLES)})", row=1,
                          value=";".join(table.headers))
    area_index = area_columns[0]
    others = [i for i in range(len(headers) - 2) if i != area_index]
    contents = [cells[-1] if cells else "" for _, cells in table.rows]
    decimal_comma = any("," in str(c) for c in contents)
    lookup = _geography_lookup()
    records, skipped = [], {}
    for row, cells in table.rows:
        if len(cells) != len(headers):
            raise table.error(f"{len(headers)} fields separated by ';'", row=row, value=";".join(map(str, cells)))
        area = str(cells[area_index]).strip()
        geo = lookup.get(area.zfill(3) if area.isdigit() else normalise_key(area))
        if geo is None and (area.zfill(3) in SKIPPED_CODES or area.lower().startswith(SKIPPED_NAMES)):
            skipped[area] = skipped.get(area, 0) + 1
            continue
        if geo is None:
            raise table.error("Hele landet, a region or a municipality (name or Danmarks Statistik code)",
                              row=row, column=headers[area_index], value=area)
        try:
            period = parse_period(cells[-2])
        except ValueError as exc:
            raise table.error(str(exc), row=row, column="TID", value=cells[-2]) from None
        content = str(cells[-1]).strip()
        if content in SUPPRESSED:
            value, reason = None, SUPPRESSED[content]
        else:
            try:
                value, reason = _value(content, decimal_comma), None
            except ValueError:
                raise table.error("a number, or '..' for a suppressed value", row=row,
                                  column=cells[-2] if web else "INDHOLD", value=content) from None
        record = {"geo_level": geo[0], "geo_code": geo[1], "period": period, "value": value,
                  "missing_reason": reason, "_row": row}
        record.update({headers[i]: str(cells[i]).strip() for i in others})
        records.append(record)
    if not records:
        raise table.error("at least one data row under the header")
    frame = pd.DataFrame.from_records(records)
    frame["value"] = frame["value"].astype("Float64")
    frame.attrs["display"], frame.attrs["skipped"] = display, skipped
    return frame


_TITLE = re.compile(r"\befter\s+(.+?)\s*$", re.IGNORECASE)


def _title_variables(line: str) -> list[str] | None:
    """The variables a Statistikbanken title names, in order, as upper-case codes.

    >>> _title_variables("Befolkningen den 1. i kvartalet efter område, herkomst, køn og tid")
    ['OMRÅDE', 'HERKOMST', 'KØN', 'TID']
    """
    match = _TITLE.search(line)
    if not match:
        return None
    text = re.sub(r"\s*\(.*?\)", "", match.group(1))
    parts = [p.strip() for p in re.split(r",|\bog\b", text) if p.strip()]
    return [re.sub(r"\s+", "_", p).upper() for p in parts]


def web_table(path: Path, display: str):
    """A download from Statistikbanken's web pages in the API's shape (a RawTable whose header is
    the variables, TID and INDHOLD, and whose rows keep their line numbers), or None when the file
    is not one (an API answer, whose first line is its header)."""
    import csv
    import io

    from .table import RawTable, _decode

    if path.suffix.lower() not in (".csv", ".txt"):
        return None
    text, notes = _decode(path.read_bytes(), display)
    lines = list(csv.reader(io.StringIO(text), delimiter=";"))
    first = next(((n, [c.strip() for c in cells]) for n, cells in enumerate(lines, 1) if any(c.strip() for c in cells)), None)
    if first is None or [c for c in first[1] if c][-2:] == ["TID", "INDHOLD"] or len([c for c in first[1] if c]) != 1:
        return None
    variables = _title_variables(first[1][0] if first[1][0] else next(c for c in first[1] if c))
    if not variables or variables[-1] != "TID":
        raise InputError(display, "a Statistikbanken title naming the variables and ending in 'og tid' (e.g. "
                         "'Befolkningen efter område, herkomst og tid'), with the periods as columns; or the API's "
                         "CSV (boligdata statbank fetch)", row=first[0], value=first[1][0])
    row_vars = variables[:-1]
    header = None
    for number, cells in enumerate(lines[first[0]:], start=first[0] + 1):
        cells = [c.strip() for c in cells]
        if len(cells) > len(row_vars) and not any(cells[:len(row_vars)]) and all(cells[len(row_vars):]):
            try:
                periods = [parse_period(c) for c in cells[len(row_vars):]]
            except ValueError as exc:
                raise InputError(display, f"periods as the columns after {len(row_vars)} empty cells ({exc})",
                                 row=number, value=";".join(cells)) from None
            header = (number, cells[len(row_vars):], periods)
            break
    if header is None:
        raise InputError(display, f"a header row of {len(row_vars)} empty cells ({', '.join(row_vars)}) and then "
                         "the periods, as Statistikbanken writes the table with tid in the columns")
    rows, labels = [], [""] * len(row_vars)
    for number, cells in enumerate(lines[header[0]:], start=header[0] + 1):
        cells = [c.strip() for c in cells]
        values = cells[len(row_vars):]
        if len(cells) <= len(row_vars) or not any(values):
            continue  # a blank line or a note under the table ("Kilde: ...")
        if len(values) != len(header[1]):
            raise InputError(display, f"{len(row_vars) + len(header[1])} fields separated by ';', as in the header",
                             row=number, value=";".join(cells))
        labels = [cell or labels[i] for i, cell in enumerate(cells[:len(row_vars)])]
        for heading, content in zip(header[1], values):
            rows.append((number, [*labels, heading, content]))
    table = RawTable(display, None, [*row_vars, "TID", "INDHOLD"], rows, decimal_comma=True, notes=notes)
    table.web = True
    return table


def statbank_observations(mapping: pd.DataFrame, raw_dir: Path, display_prefix: str = "raw/",
                          messages: list | None = None) -> pd.DataFrame:
    """Observation rows (template columns) from the Statbank files named in ``mapping``.

    Each mapping row picks the lines of one file that match its filters (``VARIABLE=value``;
    ``value|value`` sums several lines, e.g. immigrants and descendants); more than one line per
    geography and period after that is refused, naming the variables to filter on. With
    ``nævner_filtre`` (and ``nævner_fil``) the indicator is a share: 100 × numerator / denominator,
    both kept. Skipped geographies (Christiansø, landsdele) are counted in ``messages``.
    """
    frames = []
    for _, entry in mapping.iterrows():
        where = {"file": entry["_file"], "sheet": None if pd.isna(entry["_sheet"]) else entry["_sheet"],
                 "row": int(entry["_row"])}
        numerator = _selection(entry, entry["file"], entry["filters"], where, raw_dir, display_prefix, "filtre",
                               messages)
        values = numerator.rename(columns={"value": "numerator_value", "missing_reason": "numerator_reason"})
        share = pd.notna(entry.get("denominator_filters")) or pd.notna(entry.get("denominator_file"))
        if share:
            file = entry["denominator_file"] if pd.notna(entry.get("denominator_file")) else entry["file"]
            denominator = _selection(entry, file, entry.get("denominator_filters"), where, raw_dir, display_prefix,
                                     "nævner_filtre", messages)
            values = values.merge(denominator.rename(columns={"value": "denominator_value",
                                                              "missing_reason": "denominator_reason", "_row": "_drow"}),
                                  on=["geo_level", "geo_code", "period"], how="inner")
            num, den = values["numerator_value"], values["denominator_value"]
            value = (100 * num / den.where(den != 0)).astype("Float64")
            reason = values["numerator_reason"].fillna(values["denominator_reason"])
            reason = reason.where(~(den == 0).fillna(False), "nævneren er 0")
        else:
            value, reason = values["numerator_value"], values["numerator_reason"]
        filters = ";".join(str(f) for f in (entry["filters"], entry.get("denominator_filters")) if pd.notna(f))
        frames.append(pd.DataFrame({
            "geo_level": values["geo_level"], "geo_code": values["geo_code"], "indicator": entry["indicator"],
            "period": values["period"], "value": value, "value_missing_reason": reason,
            "numerator": values["numerator_value"] if share else pd.NA,
            "denominator": values["denominator_value"] if share else pd.NA,
            "source": f"{entry['source']} ({entry['file']})", "vintage": entry["vintage"], "status": entry["status"],
            "note": filters or pd.NA, "_file": f"{display_prefix}{entry['file']}", "_sheet": None,
            "_row": values["_row"],
        }))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _selection(entry, file: str, filters_text, where: dict, raw_dir: Path, prefix: str, column: str,
               messages) -> pd.DataFrame:
    """One value per geography and period from ``file``: the lines the filters pick, summed over
    the alternatives a filter names with ``|`` (a suppressed part leaves the sum missing)."""
    path = raw_dir / str(file)
    if not path.is_file():
        raise InputError(where["file"], f"a Statbank file raw/{file}", sheet=where["sheet"], row=where["row"],
                         column="nævner_fil" if column == "nævner_filtre" else "fil", value=file)
    frame = read_statbank_csv(path, f"{prefix}{file}")
    if messages is not None and frame.attrs.get("skipped"):
        skipped = frame.attrs["skipped"]
        note = (f"{prefix}{file}: {sum(skipped.values())} rows of geographies no list uses skipped "
                f"({', '.join(sorted(skipped))})")
        if note not in messages:
            messages.append(note)
    filters = [f for f in str(filters_text).split(";") if f] if pd.notna(filters_text) else []
    summed = set()
    for item in filters:
        variable, _, wanted = item.partition("=")
        variable = variable.strip().upper()
        if variable not in frame.columns:
            raise InputError(where["file"], f"a variable of {file} ({', '.join(_variables(frame))})",
                             sheet=where["sheet"], row=where["row"], column=column, value=item)
        choices = [w.strip() for w in wanted.split("|")]
        frame = frame[frame[variable].isin(choices)]
        if len(choices) > 1:
            summed.add(variable)
    keys = ["geo_level", "geo_code", "period"]
    varying = [v for v in _variables(frame) if v not in summed and frame.groupby(keys)[v].nunique().gt(1).any()]
    if varying:
        raise InputError(where["file"], f"filters that leave one value per area and period; add a filter on "
                         f"{', '.join(varying)}", sheet=where["sheet"], row=where["row"], column=column,
                         value=";".join(filters))
    return frame.groupby(keys, sort=False).agg(
        value=("value", lambda v: v.sum() if v.notna().all() else pd.NA),
        missing_reason=("missing_reason", lambda r: next((x for x in r if pd.notna(x)), pd.NA)),
        _row=("_row", "min")).reset_index().astype({"value": "Float64"})


def _variables(frame: pd.DataFrame) -> list[str]:
    fixed = {"geo_level", "geo_code", "period", "value", "missing_reason", "_row"}
    return [c for c in frame.columns if c not in fixed]
