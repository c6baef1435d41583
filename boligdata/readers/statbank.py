"""Danmarks Statistik's Statbank CSV export, as the API delivers it, into tidy observations.

The format (``https://api.statbank.dk/v1/data/<TABLE>/CSV``): UTF-8 with a byte-order
mark, ``;``-separated, a header of upper-case variable codes followed by ``TID;INDHOLD``,
labels by default or codes (``valuePresentation=Code``), decimal comma in Danish output,
``..`` for suppressed values. Suppressed values are kept as missing with that reason,
never as zero.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..errors import InputError
from ..municipalities import COUNTRY_CODE, municipalities, regions
from .table import read_table
from .values import normalise_key, parse_period

AREA_VARIABLES = ("OMRÅDE", "KOMK", "KOMKODE", "KOMMUNEDK", "REGION", "BOPOMR", "OMR")
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
    table = read_table(Path(path), display)
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
    records = []
    for row, cells in table.rows:
        if len(cells) != len(headers):
            raise table.error(f"{len(headers)} fields separated by ';'", row=row, value=";".join(map(str, cells)))
        area = str(cells[area_index]).strip()
        geo = lookup.get(area.zfill(3) if area.isdigit() else normalise_key(area))
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
                raise table.error("a number, or '..' for a suppressed value", row=row, column="INDHOLD",
                                  value=content) from None
        record = {"geo_level": geo[0], "geo_code": geo[1], "period": period, "value": value,
                  "missing_reason": reason, "_row": row}
        record.update({headers[i]: str(cells[i]).strip() for i in others})
        records.append(record)
    if not records:
        raise table.error("at least one data row under the header")
    frame = pd.DataFrame.from_records(records)
    frame["value"] = frame["value"].astype("Float64")
    frame.attrs["display"] = display
    return frame


def statbank_observations(mapping: pd.DataFrame, raw_dir: Path, display_prefix: str = "raw/") -> pd.DataFrame:
    """Observation rows (template columns) from the Statbank files named in ``mapping``.

    Each mapping row picks the lines of one file that match its filters; more than one line
    per geography and period after filtering is refused, naming the variables to filter on.
    """
    frames = []
    for index, entry in mapping.iterrows():
        where = {"file": entry["_file"], "sheet": None if pd.isna(entry["_sheet"]) else entry["_sheet"],
                 "row": int(entry["_row"])}
        path = raw_dir / str(entry["file"])
        if not path.is_file():
            raise InputError(where["file"], f"a Statbank file raw/{entry['file']}", sheet=where["sheet"],
                             row=where["row"], column="fil", value=entry["file"])
        frame = read_statbank_csv(path, f"{display_prefix}{entry['file']}")
        filters = [f for f in str(entry["filters"] or "").split(";") if f] if pd.notna(entry["filters"]) else []
        for item in filters:
            variable, _, wanted = item.partition("=")
            variable = variable.strip().upper()
            if variable not in frame.columns:
                raise InputError(where["file"], f"a variable of {entry['file']} ({', '.join(_variables(frame))})",
                                 sheet=where["sheet"], row=where["row"], column="filtre", value=item)
            frame = frame[frame[variable] == wanted.strip()]
        duplicated = frame[frame.duplicated(["geo_level", "geo_code", "period"], keep=False)]
        if not duplicated.empty:
            varying = [v for v in _variables(frame) if duplicated[v].nunique() > 1]
            raise InputError(where["file"], f"filters that leave one value per area and period; add a filter on "
                             f"{', '.join(varying) or 'the variables'}", sheet=where["sheet"], row=where["row"],
                             column="filtre", value=";".join(filters))
        frames.append(pd.DataFrame({
            "geo_level": frame["geo_level"], "geo_code": frame["geo_code"], "indicator": entry["indicator"],
            "period": frame["period"], "value": frame["value"], "value_missing_reason": frame["missing_reason"],
            "numerator": pd.NA, "denominator": pd.NA, "source": f"{entry['source']} ({entry['file']})",
            "vintage": entry["vintage"], "status": entry["status"], "note": ";".join(filters) or pd.NA,
            "_file": f"{display_prefix}{entry['file']}", "_sheet": None, "_row": frame["_row"],
        }))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _variables(frame: pd.DataFrame) -> list[str]:
    fixed = {"geo_level", "geo_code", "period", "value", "missing_reason", "_row"}
    return [c for c in frame.columns if c not in fixed]
