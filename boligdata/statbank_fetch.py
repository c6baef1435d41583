"""``boligdata statbank fetch`` and ``describe``: Danmarks Statistik's API, safely into raw/.

``fetch`` calls the documented v1 ``data`` endpoint in CSV format
(``https://api.statbank.dk/v1/data/<TABLE>/CSV?<VARIABLE>=<values>``, values separated by
commas, ``*`` for all). The whole answer is read within a deadline and a size limit, validated
as ingest reads it (every row: place, period, number), and compared with the file it would
replace: an answer that lacks rows the current file has is refused unless ``--replace`` is
given, so a broken or empty answer never replaces good data. Only then is it written to
``raw/statbank_<TABLE>.csv`` exactly as received, with the request beside it
(``raw/.statbank_<TABLE>.request.json``; ingest skips hidden files). With ``--indicator`` it also
writes ``raw/statbankkort_<TABLE>.csv``, the line that tells ingest which indicator the file
gives. Its vintage (``opgjort``) is the table's publication date from the API's table
information, or the date given with ``--vintage``; never the day of the fetch.

``describe`` lists a table's variables and their codes from the ``tableinfo`` endpoint.

The API's address is ``https://api.statbank.dk/v1``; ``BOLIGDATA_STATBANK_API`` sets another
(a mirror, a proxy, a local test server).
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
TIMEOUT = 60        # seconds without a byte before a read gives up
DEADLINE = 180      # seconds for the whole answer (--deadline)


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


def _get(url: str, what: str, deadline: float, max_bytes: int) -> bytes:
    """The whole answer to ``url`` within ``deadline`` seconds and ``max_bytes``; one clear line on failure."""
    import time

    start = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=min(TIMEOUT, deadline)) as answer:
            declared = answer.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise FetchError(f"Statbank's answer for {what} is {int(declared):,} bytes, more than the limit of "
                                 f"{max_bytes:,} (--max-bytes); nothing was written".replace(",", "."))
            parts, size = [], 0
            while True:
                if time.monotonic() - start > deadline:
                    raise FetchError(f"Statbank's answer for {what} took longer than {deadline:g} s (--deadline); "
                                     "nothing was written")
                chunk = answer.read1(1 << 16)  # what has arrived, so a trickling server meets the deadline
                if not chunk:
                    break
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError(f"Statbank's answer for {what} is more than {max_bytes:,} bytes (--max-bytes); "
                                     "nothing was written".replace(",", "."))
                parts.append(chunk)
    except urllib.error.HTTPError as exc:
        raise FetchError(f"Statbank refused the request for {what} (HTTP {exc.code}): "
                         f"{_error_text(exc.read())}") from None
    except FetchError:
        raise
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise FetchError(f"could not reach {api_base()} ({reason}): no network here? Export the table as CSV from "
                         "statbank.dk and save it in raw/ as statbank_<TABLE>.csv instead") from None
    return b"".join(parts)


def fetch(table: str, variables: list[str], deadline: float = DEADLINE, max_bytes: int | None = None) -> tuple[bytes, str]:
    """The API's CSV answer for ``table``, and the address asked; a failure is one clear line."""
    from .readers.templates import input_limits

    url = request_url(table, variables)
    body = _get(url, table.upper(), deadline, max_bytes or input_limits().max_bytes)
    text = body.decode("utf-8-sig", errors="replace")
    header = text.splitlines()[0] if text else ""
    if not header.upper().rstrip().endswith("TID;INDHOLD"):
        raise FetchError(f"Statbank's answer for {table.upper()} is not a Statbank CSV table (first line: "
                         f"{header[:80]!r}); nothing was written")
    return body, url


def validate_answer(body: bytes, table: str):
    """Read the answer as ingest will (every row: place, period, number); the tidy rows, or
    FetchError naming the first bad row."""
    import tempfile

    from .errors import InputError
    from .readers.statbank import read_statbank_csv

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"statbank_{table.upper()}.csv"
        path.write_bytes(body)
        try:
            return read_statbank_csv(path, f"Statbank's answer for {table.upper()}")
        except InputError as exc:
            raise FetchError(f"{exc}; nothing in raw/ was changed") from None


def _keys(frame) -> set:
    columns = [c for c in frame.columns if c not in ("value", "missing_reason", "_row", "geo_level")]
    return set(map(tuple, frame[columns].astype(str).itertuples(index=False)))


def check_not_worse(raw: Path, table: str, answer) -> None:
    """Refuse an answer that lacks rows the current raw/statbank_<TABLE>.csv has, or has fewer figures."""
    from .errors import InputError
    from .readers.statbank import read_statbank_csv

    current = raw / f"statbank_{table.upper()}.csv"
    if not current.exists():
        return
    try:
        old = read_statbank_csv(current, f"raw/{current.name}")
    except InputError:
        return  # the current file is itself unreadable: the valid answer is better
    lost = _keys(old) - _keys(answer)
    fewer = int(old["value"].notna().sum()) - int(answer["value"].notna().sum())
    if lost or fewer > 0:
        example = "; ".join(" ".join(k) for k in sorted(lost)[:2])
        what = (f"{len(lost)} rows of the current file are missing from it (e.g. {example})" if lost
                else f"it has {fewer} fewer figures than the current file")
        raise FetchError(f"Statbank's answer for {table.upper()} would make raw/{current.name} worse: {what}; the "
                         "current file is kept (pass --replace to take the answer anyway)")


def table_info(table: str, deadline: float = DEADLINE) -> dict:
    """The API's table information (``tableinfo``): title, last update, variables and their codes."""
    url = f"{api_base()}/tableinfo/{urllib.parse.quote(table.upper())}?lang=da&format=JSON"
    body = _get(url, table.upper(), deadline, 16 * 2**20)
    try:
        info = json.loads(body.decode("utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise FetchError(f"Statbank's table information for {table.upper()} is not JSON") from None
    if not isinstance(info, dict) or not isinstance(info.get("variables"), list):
        raise FetchError(f"Statbank's table information for {table.upper()} has no variables")
    return info


def published(info: dict) -> str | None:
    """The table's last publication date (``updated``) as YYYY-MM-DD, or None.

    >>> published({"updated": "2020-11-11T08:00:00"})
    '2020-11-11'
    """
    text = str(info.get("updated") or "")[:10]
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        return None


def describe_lines(info: dict, every: bool = False, shown: int = 12) -> list[str]:
    """The table's variables and codes as lines to print.

    >>> describe_lines({"id": "X", "text": "T", "updated": "2020-11-11T08:00:00", "variables": [
    ...     {"id": "TID", "text": "tid", "values": [{"id": "2020K3", "text": "2020K3"}], "time": True}]})
    ['X: T (opdateret 2020-11-11)', '  TID (tid), 1 value:', '    2020K3  2020K3']
    """
    lines = [f"{info.get('id', '?')}: {info.get('text', '')} (opdateret {published(info) or '?'})"]
    for variable in info["variables"]:
        values = variable.get("values") or []
        lines.append(f"  {variable.get('id')} ({variable.get('text', '')}), {len(values)} value"
                     f"{'' if len(values) == 1 else 's'}:")
        for value in values if every else values[:shown]:
            lines.append(f"    {value.get('id')}  {value.get('text', '')}")
        if not every and len(values) > shown:
            lines.append(f"    ... and {len(values) - shown} more (--all)")
    return lines


def _error_text(body: bytes) -> str:
    """The message of the API's JSON error body (or the body itself, shortened)."""
    text = body.decode("utf-8-sig", errors="replace").strip()
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return text[:200] or "no message"
    return str(data.get("message") or data.get("errorTypeCode") or text)[:300]


def store(raw: Path, table: str, body: bytes, url: str, indicator: str | None = None, filters: str = "",
          denominator_filters: str = "", vintage: str | None = None) -> list[Path]:
    """Write the answer, its request and (with ``indicator``) its map line into ``raw``; ``vintage``
    is the figures' publication date (the map line's ``opgjort``)."""
    from .ingest import atomic_write

    table = table.upper()
    today = dt.date.today().isoformat()
    if indicator:
        from .catalog import load_catalog

        if indicator not in load_catalog().index:
            raise ParameterError(f"--indicator: unknown indicator {indicator!r} (see docs/indicators.md)")
        if not vintage:
            raise ParameterError("--vintage: the date the figures were published is needed for the map line "
                                 "(the API's table information gave none); give it as YYYY-MM-DD")
    written = [raw / f"statbank_{table}.csv", raw / f".statbank_{table}.request.json"]
    atomic_write(written[0], body)
    atomic_write(written[1], (json.dumps({"table": table, "url": url, "fetched": today, "published": vintage},
                                         ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    if indicator:
        line = ";".join([f"statbank_{table}.csv", indicator, filters, denominator_filters,
                         f"Danmarks Statistik, {table} (api.statbank.dk, offentliggjort {vintage}, hentet {today})",
                         vintage, "endelig"])
        written.append(raw / f"statbankkort_{table}.csv")
        atomic_write(written[-1], ("fil;indikator;filtre;nævner_filtre;kilde;opgjort;status\n" + line + "\n")
                     .encode("utf-8-sig"))  # with a BOM: Danish Excel opens it right
    return written


def cmd_statbank(args) -> int:
    from .paths import resolve_workspace

    ws = resolve_workspace(args.workspace)
    if not ws.raw.is_dir():
        raise ParameterError(f"{ws.raw} does not exist; create a workspace with 'boligdata init DIR'")
    deadline = float(args.deadline)
    body, url = fetch(args.table, args.var or [], deadline, args.max_bytes)
    answer = validate_answer(body, args.table)
    if not args.replace:
        check_not_worse(ws.raw, args.table, answer)
    vintage = _vintage(args, deadline)
    for path in store(ws.raw, args.table, body, url, args.indicator, args.filter or "", args.denominator_filter or "",
                      vintage):
        print(f"wrote {ws.display(path)}")
    if not args.indicator:
        print("note: say which indicator the file gives in raw/statbankkort*.csv (or fetch with --indicator), "
              "then run boligdata ingest")
    return 0


def _vintage(args, deadline: float) -> str | None:
    """The figures' publication date: --vintage, or the table's last update from the API."""
    if args.vintage:
        try:
            return dt.date.fromisoformat(args.vintage).isoformat()
        except ValueError:
            raise ParameterError(f"--vintage: expected a date YYYY-MM-DD, found {args.vintage!r}") from None
    if not args.indicator:
        return None
    try:
        return published(table_info(args.table, deadline))
    except FetchError:
        return None  # store() then asks for --vintage


def cmd_describe(args) -> int:
    for line in describe_lines(table_info(args.table, float(args.deadline)), every=args.all):
        print(line)
    return 0


def argparse_default() -> str:
    return f"the longest the answer may take (default {DEADLINE})"


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
    f.add_argument("--vintage", metavar="YYYY-MM-DD",
                   help="with --indicator: the date the figures were published (default: the table's last update "
                        "from the API; never the day of the fetch)")
    f.add_argument("--replace", action="store_true",
                   help="take the answer even if it lacks rows the current raw/statbank_<TABLE>.csv has")
    f.add_argument("--deadline", default=DEADLINE, type=float, metavar="SECONDS",
                   help=f"the longest the whole answer may take (default {DEADLINE})")
    f.add_argument("--max-bytes", type=int, metavar="N", help="the largest answer taken (default: limits.max_bytes)")
    f.add_argument("--workspace", metavar="DIR", help="folder with raw/ (default: $BOLIGDATA_WORKSPACE or the project)")
    f.set_defaults(func=cmd_statbank)
    d = actions.add_parser("describe", help="list a Statbank table's variables and codes (the API's tableinfo)")
    d.add_argument("table", metavar="TABLE", help="the table, e.g. FOLK1E")
    d.add_argument("--all", action="store_true", help="every value of every variable, not the first 12")
    d.add_argument("--deadline", default=DEADLINE, type=float, metavar="SECONDS", help=argparse_default())
    d.set_defaults(func=cmd_describe)
