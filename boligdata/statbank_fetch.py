"""``boligdata statbank fetch``: a table from Danmarks Statistik's API into raw/, ready for ingest.

It calls the documented v1 ``data`` endpoint in CSV format
(``https://api.statbank.dk/v1/data/<TABLE>/CSV?<VARIABLE>=<values>``, values separated by
commas, ``*`` for all), checks that the answer is a Statbank CSV, and writes it to
``raw/statbank_<TABLE>.csv`` exactly as received, with the request and the date beside it
(``raw/.statbank_<TABLE>.request.json``; ingest skips hidden files). With ``--indicator`` it also
writes ``raw/statbankkort_<TABLE>.csv``, the line that tells ingest which indicator the file
gives, so the next ingest reads it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from .errors import BoligdataError, ParameterError

API = "https://api.statbank.dk/v1"
TIMEOUT = 60


class FetchError(BoligdataError):
    """Statbank could not be reached, or refused the request; nothing was written."""

    exit_code = 2


def api_base() -> str:
    """The API's address (``BOLIGDATA_STATBANK_API`` overrides it, for tests against a local server)."""
    return os.environ.get("BOLIGDATA_STATBANK_API", API).rstrip("/")


def request_url(table: str, variables: list[str], base: str | None = None) -> str:
    """The GET address of the ``data`` endpoint for ``table`` with ``NAME=VALUES`` selections.

    >>> request_url("FOLK1E", ["OMRÅDE=*", "HERKOMST=I alt,Indvandrere fra ikke-vestlige lande", "TID=2020K3"],
    ...             "https://api.statbank.dk/v1")
    'https://api.statbank.dk/v1/data/FOLK1E/CSV?lang=da&OMR%C3%85DE=%2A&HERKOMST=I+alt%2CIndvandrere+fra+ikke-vestlige+lande&TID=2020K3'
    """
    if not table.replace("_", "").isalnum():
        raise ParameterError(f"statbank fetch: expected a table name such as FOLK1E, found {table!r}")
    query = [("lang", "da")]
    for item in variables:
        name, sep, values = item.partition("=")
        if not sep or not name.strip() or not values.strip():
            raise ParameterError(f"--var: expected NAME=VALUES such as OMRÅDE=* or TID=2020K3, found {item!r}")
        query.append((name.strip().upper(), values.strip()))
    return f"{base or api_base()}/data/{table.upper()}/CSV?{urllib.parse.urlencode(query)}"


def fetch(table: str, variables: list[str]) -> tuple[bytes, str]:
    """The API's CSV answer for ``table``, and the address asked; a failure is one clear line."""
    url = request_url(table, variables)
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as answer:
            body = answer.read()
    except urllib.error.HTTPError as exc:
        raise FetchError(f"Statbank refused the request for {table.upper()} (HTTP {exc.code}): "
                         f"{_error_text(exc.read())}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise FetchError(f"could not reach {api_base()} ({reason}): no network here? Export the table as CSV from "
                         "statbank.dk and save it in raw/ as statbank_<TABLE>.csv instead") from None
    text = body.decode("utf-8-sig", errors="replace")
    header = text.splitlines()[0] if text else ""
    if not header.upper().rstrip().endswith("TID;INDHOLD"):
        raise FetchError(f"Statbank's answer for {table.upper()} is not a Statbank CSV table (first line: "
                         f"{header[:80]!r}); nothing was written")
    return body, url


def _error_text(body: bytes) -> str:
    """The message of the API's JSON error body (or the body itself, shortened)."""
    text = body.decode("utf-8-sig", errors="replace").strip()
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return text[:200] or "no message"
    return str(data.get("message") or data.get("errorTypeCode") or text)[:300]


def store(raw: Path, table: str, body: bytes, url: str, indicator: str | None = None, filters: str = "",
          denominator_filters: str = "") -> list[Path]:
    """Write the answer, its request and (with ``indicator``) its map line into ``raw``."""
    from .ingest import atomic_write

    table = table.upper()
    today = dt.date.today().isoformat()
    written = [raw / f"statbank_{table}.csv", raw / f".statbank_{table}.request.json"]
    atomic_write(written[0], body)
    atomic_write(written[1], (json.dumps({"table": table, "url": url, "fetched": today}, ensure_ascii=False,
                                         indent=2) + "\n").encode("utf-8"))
    if indicator:
        from .catalog import load_catalog

        if indicator not in load_catalog().index:
            raise ParameterError(f"--indicator: unknown indicator {indicator!r} (see docs/indicators.md)")
        line = ";".join([f"statbank_{table}.csv", indicator, filters, denominator_filters,
                         f"Danmarks Statistik, {table} (api.statbank.dk, hentet {today})", today, "endelig"])
        written.append(raw / f"statbankkort_{table}.csv")
        atomic_write(written[-1], ("fil;indikator;filtre;nævner_filtre;kilde;opgjort;status\n" + line + "\n")
                     .encode("utf-8"))
    return written


def cmd_statbank(args) -> int:
    from .paths import resolve_workspace

    ws = resolve_workspace(args.workspace)
    if not ws.raw.is_dir():
        raise ParameterError(f"{ws.raw} does not exist; create a workspace with 'boligdata init DIR'")
    body, url = fetch(args.table, args.var or [])
    for path in store(ws.raw, args.table, body, url, args.indicator, args.filter or "", args.denominator_filter or ""):
        print(f"wrote {ws.display(path)}")
    if not args.indicator:
        print("note: say which indicator the file gives in raw/statbankkort*.csv (or fetch with --indicator), "
              "then run boligdata ingest")
    return 0


def add_statbank(commands) -> None:
    p = commands.add_parser("statbank", help="fetch a table from Danmarks Statistik's Statbank into raw/")
    actions = p.add_subparsers(dest="action", required=True)
    f = actions.add_parser("fetch", help="call api.statbank.dk (v1 data, CSV) and save the table in raw/")
    f.add_argument("table", metavar="TABLE", help="the table, e.g. FOLK1E")
    f.add_argument("--var", action="append", metavar="NAME=VALUES",
                   help="a variable and its values, comma-separated, * for all; repeat for each variable")
    f.add_argument("--indicator", metavar="ID", help="also write raw/statbankkort_<TABLE>.csv for this indicator")
    f.add_argument("--filter", metavar="FILTERS", help="with --indicator: the filters (VAR=value;VAR=a|b)")
    f.add_argument("--denominator-filter", metavar="FILTERS",
                   help="with --indicator: the denominator's filters; the value becomes 100 x numerator / denominator")
    f.add_argument("--workspace", metavar="DIR", help="folder with raw/ (default: $BOLIGDATA_WORKSPACE or the project)")
    f.set_defaults(func=cmd_statbank)
