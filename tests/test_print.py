"""Agenda-ready: the PDFs of the sample, accessibility (axe-core, WCAG 2.1 A/AA), and the Danish.

Every sample report is built with its PDF (the session fixture ``sample_reports``). The PDFs are
read with pypdf; the HTML is checked in Debian's Chromium with axe-core (axe-playwright-python,
pinned in pyproject.toml).
"""

import html as htmllib
import re
import shutil

import pytest
from conftest import PROJECT, need_chromium
from pypdf import PdfReader

A4 = (595, 842)  # points, rounded
PAGE_LIMIT = {"kvartalsrapport": 12, "omraadeprofil": 5, "helhedsplan": 9, "landsoversigt": 6}


def pdfs(sample_reports):
    need_chromium()
    _, paths = sample_reports
    found = [p.with_suffix(".pdf") for p in paths]
    assert all(p.exists() for p in found), [p.name for p in found if not p.exists()]
    return found


def test_every_pdf_is_a4_tagged_danish_and_titled(sample_reports):
    for path in pdfs(sample_reports):
        reader = PdfReader(str(path))
        root = reader.trailer["/Root"]
        assert root.get("/Lang") == "da" and root["/MarkInfo"]["/Marked"], path.name
        assert reader.metadata.title and "kvartal" in reader.metadata.title, path.name
        for page in reader.pages:
            size = sorted((round(float(page.mediabox.width)), round(float(page.mediabox.height))))
            assert tuple(size) == A4, (path.name, size)


def test_no_blank_page_and_a_page_count_within_bounds(sample_reports):
    for path in pdfs(sample_reports):
        reader = PdfReader(str(path))
        template = path.stem.split("-")[0]
        assert 1 <= len(reader.pages) <= PAGE_LIMIT[template], (path.name, len(reader.pages))
        for number, page in enumerate(reader.pages, start=1):
            text = page.extract_text().strip()
            # A page holds more than the running footer.
            assert len(text.replace(f"side {number} af {len(reader.pages)}", "")) > 120, (path.name, number)
            assert f"side {number} af {len(reader.pages)}" in text  # "side X af Y" in the footer
            assert "file:" not in text and "/tmp/" not in text and "http" not in text.split("side")[0][-60:]


def test_the_overview_prints_every_column_and_every_area(sample_reports):
    ws, paths = sample_reports
    need_chromium()
    html = (ws.reports / "2020Q3" / "461" / "kvartalsrapport.html").read_text(encoding="utf-8")
    overview = html[html.index('class="bd-table bd-overview"'):]
    overview = overview[:overview.index("</table>")]
    headers = [re.sub(r"\s+", " ", h) for h in re.findall(r'<th scope="col">([^<]+)</th>', overview)]
    names = re.findall(r'<th scope="row">([^<]+)</th>', overview)
    assert len(headers) == 11 and len(names) == 18
    text = " ".join(page.extract_text() for page in
                    PdfReader(str(ws.reports / "2020Q3" / "461" / "kvartalsrapport.pdf")).pages)
    flat = re.sub(r"\s+", "", text)
    for word in headers + names:
        assert re.sub(r"\s+", "", htmllib.unescape(word)) in flat, word


def axe_violations(paths) -> list:
    """Every WCAG 2.1 A/AA violation axe-core (pinned, via axe-playwright-python) finds in the pages."""
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    from boligdata.publish.pdf import CHROMIUM_ARGS, chromium_path

    axe = Axe()
    tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
    found = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            for path in paths:
                page = browser.new_page()
                page.goto(path.as_uri())
                result = axe.run(page, options={"runOnly": {"type": "tag", "values": tags}})
                found += [(path.name, v["id"], len(v["nodes"])) for v in result.response["violations"]]
                page.close()
        finally:
            browser.close()
    return found


@pytest.mark.browser
def test_no_wcag_21_aa_violation_in_any_sample_report(sample_reports):
    need_chromium()
    _, paths = sample_reports
    assert axe_violations(paths) == []


@pytest.mark.browser
def test_no_wcag_21_aa_violation_in_a_sample_of_the_national_reports(national_reports):
    need_chromium()
    _, paths = national_reports
    # Every kvartalsrapport and helhedsplan, and every fourth områdeprofil (they share one template).
    profiles = [p for p in paths if p.name.startswith("omraadeprofil")]
    chosen = [p for p in paths if not p.name.startswith("omraadeprofil")] + profiles[::4]
    assert len(chosen) >= 6
    assert axe_violations(chosen) == []


def test_without_chromium_the_html_is_written_and_the_command_says_how_to_get_it(tmp_path, monkeypatch, capsys):
    from boligdata import cli
    from boligdata.publish import pdf

    shutil.copytree(PROJECT / "raw", tmp_path / "raw")
    monkeypatch.setattr(pdf, "CHROMIUM_NAMES", ())
    code = cli.main(["report", "--workspace", str(tmp_path), "--quarter", "2020Q3", "--area", "slagelse-sydbyen",
                     "--template", "omraadeprofil", "--pdf"])
    assert code == 0
    err = capsys.readouterr().err
    assert "apt-get install chromium" in err and "HTML" in err
    written = list((tmp_path / "reports").rglob("*"))
    assert any(p.suffix == ".html" for p in written) and not any(p.suffix == ".pdf" for p in written)


# --- the Danish -----------------------------------------------------------------------------------
def visible_text(html: str) -> str:
    body = html.split("<body", 1)[1]
    body = re.sub(r"<style.*?</style>", "", body, flags=re.S)
    # Inline elements join their text to the neighbours; block elements separate it.
    body = re.sub(r"</?(?:strong|em|span|a|b|i|abbr|sup|sub|small|code)\b[^>]*>", "", body)
    body = re.sub(r"<[^>]+>", " ", body)
    return re.sub(r"\s+", " ", htmllib.unescape(body))


def test_no_raw_codes_or_paths_in_the_text(sample_reports):
    _, paths = sample_reports
    for path in paths:
        text = visible_text(path.read_text(encoding="utf-8"))
        for code in (r"\b20\d\dQ[1-4]\b", r"\b20\d\d K[1-4]\b", r"sample/", r"\.py\b", r"seed 0", r"Inddata-hash",
                     r"opgjort –", r"\d point\b", r"Positiv afstand", r"\(\w+\) \(\w+\) afviger", r" \.",
                     r"\bnan\b", r"None", r"Uafklaret \(\)", r"\bstated \(", r"\bsecondary \(", r"boligdata [\d.]+ ·",
                     r"→ 3\. kvt\. 2020 .*uændret, som i kommunen"):
            assert not re.search(code, text), (path.name, code, re.search(code, text).group(0))


def test_quarters_in_words(sample_reports):
    ws, _ = sample_reports
    html = (ws.reports / "2020Q3" / "461" / "kvartalsrapport.html").read_text(encoding="utf-8")
    assert "<title>Kvartalsrapport: Odense Kommune, 3. kvartal 2020</title>" in html
    assert "3. kvartal 2020 · tal pr. 30. september 2020" in html


def test_the_designations_have_the_words_of_their_own_time(sample_reports):
    # The list of 1 December 2020 is under the 2018 rules: ghettoområde and hårdt ghettoområde;
    # "parallelsamfund", "omdannelsesområde" and § 61 b (forebyggelse) came with L 23 in 2021.
    ws, _ = sample_reports
    for path in (ws.reports / "2020Q3").rglob("*.html"):
        text = visible_text(path.read_text(encoding="utf-8"))
        for later in ("arallelsamfund", "mdannelsesområde", "§ 61 b", "orebyggelsesområde"):
            assert later not in text, (path.name, later)
    text = visible_text((ws.reports / "2020Q3" / "461" / "kvartalsrapport.html").read_text(encoding="utf-8"))
    assert "listen over ghettoområder" in text and "hårde ghettoområder" in text


def test_level_and_development_are_said_apart(sample_reports):
    # Seed 004: Solbakken mv. has 53,9 % non-western residents; the synthetic kommune about 22 %:
    # the level is "højere end kommunen", with no better or worse (the indicator has no direction).
    ws, _ = sample_reports
    html = (ws.reports / "2020Q3" / "461" / "omraadeprofil-odense-solbakken-mv.html").read_text(encoding="utf-8")
    row = re.search(r"Andel indvandrere og efterkommere fra ikke-vestlige lande.*?</tr>", html, re.S).group(0)
    assert "højere end kommunen" in row and "bedre" not in row and "dårligere" not in row
    # A share outside the labour market above the kommune's: higher, and worse (lower is better).
    row = re.search(r"Andel 18-64-årige uden for arbejdsmarked.*?</tr>", html, re.S).group(0)
    assert "højere end kommunen (dårligere)" in row
    assert "Forskellen til kommunen er blevet" in html and "Udviklingen i området" in html
    plan = (ws.reports / "2024Q4" / "330" / "helhedsplan-slagelse-en-faelles-indsats.html").read_text(encoding="utf-8")
    assert "Området ligger nu" in plan and 'scope="colgroup"' in plan  # a grouping header over the repeated names
    # The sample's 02-indicator (seed 002's baseline 80,6 % in 2019; synthetic 76,8 % in 2024) fell,
    # and the kommune's (92,0 % to 86,1 %) fell more: a fall is said as a fall, the verdict beside it.
    row = re.search(r"Andel unge, der opnår 02.*?</tr>", plan, re.S).group(0)
    assert "faldet mindre end i kommunen (bedre)" in row


def test_charts_have_a_short_label_a_data_table_and_markers(sample_reports):
    ws, _ = sample_reports
    html = (ws.reports / "2020Q3" / "461" / "kvartalsrapport.html").read_text(encoding="utf-8")
    for label in re.findall(r'<svg [^>]*aria-label="([^"]+)"', html):
        assert 10 < len(label) < 300
    assert '<details class="bd-chart-data">' in html and "Tallene bag figurerne" in html
    assert "<polygon" in html and "<rect" in html  # series differ by marker shape, not only colour
    assert "grænse &gt; 40 %" in html  # the threshold is labelled on the chart
