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
    frame.attrs["display"], frame.attrs["skipped"] = display, skipped
    return frame


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
