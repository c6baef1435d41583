"""Statbank, properly: a share from two selections, geographies no list uses skipped and counted,
and `boligdata statbank fetch` against a local server that answers as api.statbank.dk does."""

import json
import re
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest
from conftest import PROJECT

from boligdata import load
from boligdata.cli import main

# FOLK1E as the API answers (labels, BOM, ';', CRLF), for the third quarter of 2020. Invented
# counts, chosen so the shares are easy to check by hand:
#   Odense: (16.000 + 8.000) / 200.000 = 12,0 %;  Slagelse: descendants suppressed ("..") -> missing
#   Hele landet: (300.000 + 200.000) / 5.000.000 = 10,0 %
RECORDED = (
    "\ufeffOMRÅDE;KØN;ALDER;HERKOMST;TID;INDHOLD\r\n"
    "Hele landet;I alt;Alder i alt;I alt;2020K3;5000000\r\n"
    "Hele landet;I alt;Alder i alt;Indvandrere fra ikke-vestlige lande;2020K3;300000\r\n"
    "Hele landet;I alt;Alder i alt;Efterkommere fra ikke-vestlige lande;2020K3;200000\r\n"
    "Landsdel Fyn;I alt;Alder i alt;I alt;2020K3;500000\r\n"
    "Odense;I alt;Alder i alt;I alt;2020K3;200000\r\n"
    "Odense;I alt;Alder i alt;Indvandrere fra ikke-vestlige lande;2020K3;16000\r\n"
    "Odense;I alt;Alder i alt;Efterkommere fra ikke-vestlige lande;2020K3;8000\r\n"
    "Slagelse;I alt;Alder i alt;I alt;2020K3;79000\r\n"
    "Slagelse;I alt;Alder i alt;Indvandrere fra ikke-vestlige lande;2020K3;4000\r\n"
    "Slagelse;I alt;Alder i alt;Efterkommere fra ikke-vestlige lande;2020K3;..\r\n"
    "Christiansø;I alt;Alder i alt;I alt;2020K3;90\r\n"
)
ERROR = {"errorTypeCode": "TABLE_NOT_FOUND", "message": "Tabellen 'NOPE' findes ikke"}
# The tableinfo answer's shape (id, text, updated, variables with id, text, values); invented date.
INFO = {"id": "FOLK1E", "text": "Befolkningen den 1. i kvartalet", "updated": "2020-08-11T08:00:00",
        "variables": [{"id": "OMRÅDE", "text": "område", "values": [{"id": "000", "text": "Hele landet"},
                                                                     {"id": "461", "text": "Odense"}]},
                      {"id": "HERKOMST", "text": "herkomst", "values": [{"id": "TOT", "text": "I alt"}]},
                      {"id": "TID", "text": "tid", "time": True, "values": [{"id": "2020K3", "text": "2020K3"}]}]}


class Statbank(BaseHTTPRequestHandler):
    asked: list = []

    answer = None  # a test's own answer for the data endpoint (bytes), or a callable writing it

    def do_GET(self):  # noqa: N802 (the name http.server calls)
        url = urlparse(self.path)
        Statbank.asked.append((url.path, parse_qs(url.query)))
        if url.path == "/v1/data/FOLK1E/CSV" and callable(Statbank.answer):
            return Statbank.answer(self)
        if url.path == "/v1/data/FOLK1E/CSV":
            body, status, kind = (Statbank.answer or RECORDED.encode("utf-8")), 200, "text/csv; charset=utf-8"
        elif url.path == "/v1/tableinfo/FOLK1E":
            body, status, kind = json.dumps(INFO).encode("utf-8"), 200, "application/json"
        else:
            body, status, kind = json.dumps(ERROR).encode("utf-8"), 400, "application/json"
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def api(monkeypatch):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Statbank)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("BOLIGDATA_STATBANK_API", f"http://127.0.0.1:{server.server_port}/v1")
    Statbank.asked.clear()
    Statbank.answer = None
    yield server
    Statbank.answer = None
    server.shutdown()


def readme_command() -> list[str]:
    """The README's `statbank fetch` example, as written (continuation lines joined)."""
    text = (PROJECT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```sh\n(boligdata statbank fetch .*?)\nboligdata ingest", text, re.S).group(1)
    import shlex

    return shlex.split(block.replace("\\\n", " "))[1:]


def test_the_readmes_example_fetches_and_the_next_ingest_computes_the_share(api, sample_workspace, capsys):
    command = readme_command()
    assert command[:3] == ["statbank", "fetch", "FOLK1E"]
    assert main(command + ["--workspace", str(sample_workspace)]) == 0
    path, query = next(a for a in Statbank.asked if a[0].startswith("/v1/data/"))
    assert path == "/v1/data/FOLK1E/CSV" and query["HERKOMST"] == ["*"] and query["TID"] == ["2020K3"]
    raw = sample_workspace / "raw"
    assert (raw / "statbank_FOLK1E.csv").read_bytes() == RECORDED.encode("utf-8")  # stored as answered
    request = json.loads((raw / ".statbank_FOLK1E.request.json").read_text(encoding="utf-8"))
    assert request["table"] == "FOLK1E" and "/data/FOLK1E/CSV?" in request["url"] and request["fetched"]
    # The vintage is the table's publication (tableinfo's "updated"), not the day of the fetch.
    assert request["published"] == "2020-08-11"
    assert ";2020-08-11;endelig" in (raw / "statbankkort_FOLK1E.csv").read_text(encoding="utf-8")
    assert main(["ingest", "--workspace", str(sample_workspace)]) == 0
    err = capsys.readouterr().err
    assert "2 rows of geographies no list uses skipped (Christiansø, Landsdel Fyn)" in err
    obs = load(sample_workspace).observations
    mine = obs[obs["source"].str.startswith("Danmarks Statistik, FOLK1E")].set_index("geo_code")
    assert mine.loc["461", "value"] == pytest.approx(12.0)
    assert (mine.loc["461", "numerator"], mine.loc["461", "denominator"]) == (24000, 200000)
    assert mine.loc["000", "value"] == pytest.approx(10.0)
    assert pd.isna(mine.loc["330", "value"]) and "(..)" in mine.loc["330", "missing_reason"]


def test_statbank_refusing_the_request_is_one_line(api, sample_workspace, capsys):
    assert main(["statbank", "fetch", "NOPE", "--var", "TID=*", "--workspace", str(sample_workspace)]) == 2
    err = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
    assert err == ["error: Statbank refused the request for NOPE (HTTP 400): Tabellen 'NOPE' findes ikke"]
    assert not list((sample_workspace / "raw").glob("statbank_*"))


def test_without_a_network_fetch_says_so(sample_workspace, capsys, monkeypatch):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("BOLIGDATA_STATBANK_API", f"http://127.0.0.1:{port}/v1")
    assert main(["statbank", "fetch", "FOLK1E", "--var", "TID=*", "--workspace", str(sample_workspace)]) == 2
    err = capsys.readouterr().err
    assert "could not reach" in err and "no network here?" in err and err.count("\n") == 1


def test_an_unknown_place_is_still_refused(sample_workspace, capsys):
    (sample_workspace / "raw" / "statbank_X.csv").write_text("OMRÅDE;TID;INDHOLD\nOdnse;2020;5\n", encoding="utf-8")
    (sample_workspace / "raw" / "statbankkort.csv").write_text(
        "fil;indikator;kilde;opgjort;status\nstatbank_X.csv;non_western_pct;DST;2020-10-01;endelig\n", encoding="utf-8")
    assert main(["ingest", "--workspace", str(sample_workspace)]) == 2
    assert "found 'Odnse'; expected Hele landet, a region or a municipality" in capsys.readouterr().err


def _fetch(workspace, *extra):
    return main(["statbank", "fetch", "FOLK1E", "--var", "TID=2020K3", "--workspace", str(workspace), *extra])


@pytest.mark.parametrize("answer, message", [
    (b"\xef\xbb\xbfOMR\xc3\x85DE;TID;INDHOLD\r\n", "expected at least one data row"),            # header only
    ("OMRÅDE;TID;INDHOLD\r\nOdense;2020K3;12\r\nOdense;2020K3;nej\r\n".encode(), "column 'INDHOLD'"),  # broken row
])
def test_a_broken_answer_never_replaces_a_good_file(api, sample_workspace, capsys, answer, message):
    assert _fetch(sample_workspace) == 0
    good = (sample_workspace / "raw" / "statbank_FOLK1E.csv").read_bytes()
    capsys.readouterr()
    Statbank.answer = answer
    assert _fetch(sample_workspace) == 2
    err = capsys.readouterr().err
    assert message in err and "nothing in raw/ was changed" in err
    assert (sample_workspace / "raw" / "statbank_FOLK1E.csv").read_bytes() == good


def test_a_smaller_answer_keeps_the_current_file_unless_replace(api, sample_workspace, capsys):
    assert _fetch(sample_workspace) == 0
    good = (sample_workspace / "raw" / "statbank_FOLK1E.csv").read_bytes()
    Statbank.answer = "\ufeffOMRÅDE;KØN;ALDER;HERKOMST;TID;INDHOLD\r\nOdense;I alt;Alder i alt;I alt;2020K3;200000\r\n".encode()
    capsys.readouterr()
    assert _fetch(sample_workspace) == 2
    assert "would make raw/statbank_FOLK1E.csv worse" in capsys.readouterr().err
    assert (sample_workspace / "raw" / "statbank_FOLK1E.csv").read_bytes() == good
    assert _fetch(sample_workspace, "--replace") == 0
    assert (sample_workspace / "raw" / "statbank_FOLK1E.csv").read_bytes() == Statbank.answer


def test_a_trickling_server_meets_the_deadline(api, sample_workspace, capsys):
    import time

    def trickle(handler):  # one byte every 0,5 s of a long answer: each read succeeds, the whole never ends
        handler.send_response(200)
        handler.send_header("Content-Length", "1000")
        handler.end_headers()
        for _ in range(1000):
            try:
                handler.wfile.write(b"x")
                handler.wfile.flush()
            except OSError:
                return
            time.sleep(0.5)

    Statbank.answer = trickle
    start = time.monotonic()
    assert _fetch(sample_workspace, "--deadline", "2") == 2
    assert time.monotonic() - start < 10
    assert "took longer than 2 s (--deadline); nothing was written" in capsys.readouterr().err
    assert not (sample_workspace / "raw" / "statbank_FOLK1E.csv").exists()


def test_an_answer_over_the_size_limit_is_refused_before_raw_is_touched(api, sample_workspace, capsys):
    Statbank.answer = RECORDED.encode("utf-8") * 10
    assert _fetch(sample_workspace, "--max-bytes", "1000") == 2
    assert "more than the limit of 1.000" in capsys.readouterr().err
    assert not (sample_workspace / "raw" / "statbank_FOLK1E.csv").exists()


def test_describe_lists_variables_and_codes(api, capsys):
    assert main(["statbank", "describe", "FOLK1E"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "FOLK1E: Befolkningen den 1. i kvartalet (opdateret 2020-08-11)"
    assert "  OMRÅDE (område), 2 values:" in out and "    461  Odense" in out


# The same figures as RECORDED, downloaded from Statistikbanken's web pages ("semikolonsepareret"):
# a title naming the variables, a unit line, the periods as columns, the row labels left empty
# where they repeat, a source note under the table, in Windows-1252 as the download comes.
WEB = (
    "Befolkningen den 1. i kvartalet efter område, køn, alder, herkomst og tid\r\n"
    "Enhed: Antal\r\n"
    ";;;;2020K3\r\n"
    "Hele landet;I alt;Alder i alt;I alt;5000000\r\n"
    ";;;Indvandrere fra ikke-vestlige lande;300000\r\n"
    ";;;Efterkommere fra ikke-vestlige lande;200000\r\n"
    "Landsdel Fyn;I alt;Alder i alt;I alt;500000\r\n"
    "Odense;I alt;Alder i alt;I alt;200000\r\n"
    ";;;Indvandrere fra ikke-vestlige lande;16000\r\n"
    ";;;Efterkommere fra ikke-vestlige lande;8000\r\n"
    "Slagelse;I alt;Alder i alt;I alt;79000\r\n"
    ";;;Indvandrere fra ikke-vestlige lande;4000\r\n"
    ";;;Efterkommere fra ikke-vestlige lande;..\r\n"
    "Christiansø;I alt;Alder i alt;I alt;90\r\n"
    "\r\n"
    "Kilde: Danmarks Statistik\r\n"
)
MAP = ("fil;indikator;filtre;nævner_filtre;kilde;opgjort;status\n"
       "statbank_FOLK1E.csv;non_western_pct;HERKOMST=Indvandrere fra ikke-vestlige lande|Efterkommere fra ikke-vestlige "
       "lande;HERKOMST=I alt;Danmarks Statistik, FOLK1E;2020-08-11;endelig\n")


def test_a_download_from_the_web_pages_reads_as_the_apis_answer(sample_workspace):
    from boligdata.readers.statbank import read_statbank_csv

    raw = sample_workspace / "raw"
    (raw / "statbank_FOLK1E.csv").write_bytes(WEB.encode("cp1252"))
    web = read_statbank_csv(raw / "statbank_FOLK1E.csv")
    (raw / "api.csv").write_bytes(RECORDED.encode("utf-8"))
    api = read_statbank_csv(raw / "api.csv")
    (raw / "api.csv").unlink()
    columns = ["geo_level", "geo_code", "period", "value", "missing_reason", "KØN", "ALDER", "HERKOMST"]
    assert web[columns].equals(api[columns])
    # Through the map line, the shares by hand as for RECORDED: Odense (16.000 + 8.000) / 200.000.
    (raw / "statbankkort_FOLK1E.csv").write_text(MAP, encoding="utf-8")
    obs = load(sample_workspace).observations
    mine = obs[obs["source"].str.startswith("Danmarks Statistik, FOLK1E")].set_index("geo_code")
    assert mine.loc["461", "value"] == pytest.approx(12.0) and mine.loc["000", "value"] == pytest.approx(10.0)


@pytest.mark.parametrize("text, message", [
    ("Befolkningen efter område og herkomst\r\n;2020K3\r\nOdense;5\r\n", "ending in 'og tid'"),
    ("Befolkningen efter område og tid\r\n;2020K9\r\nOdense;5\r\n", "periods as the columns"),
    ("Befolkningen efter område og tid\r\n;2020K3\r\nOdense;fem\r\n", "row 3, column '2020K3'"),
])
def test_a_web_download_that_cannot_be_read_says_where(tmp_path, text, message):
    from boligdata.errors import InputError
    from boligdata.readers.statbank import read_statbank_csv

    path = tmp_path / "statbank_X.csv"
    path.write_bytes(text.encode("cp1252"))
    with pytest.raises(InputError, match=re.escape(message)):
        read_statbank_csv(path, "raw/statbank_X.csv")
