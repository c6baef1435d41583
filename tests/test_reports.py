"""The report suite: templates, the runner, committee HTML, and a real browser.

Every template is executed through the runner on the bundled sample once (module fixture)
and the published HTML is checked.
"""

import os
import re
import shutil

import nbformat
import pytest
from conftest import PROJECT

from boligdata.cli import main
from boligdata.paths import NOTEBOOKS_DIR, Workspace
from boligdata.publish import runner
from boligdata.publish.registry import analyst_notebooks, templates
from boligdata.publish.runner import plan_job, run_job

TEMPLATES = [t.notebook.removesuffix(".ipynb") for t in templates().values()] + list(analyst_notebooks())


# --- the templates, statically ----------------------------------------------------------------
@pytest.mark.parametrize("name", TEMPLATES)
def test_template_is_thin_and_clean(name):
    notebook = nbformat.read(str(NOTEBOOKS_DIR / f"{name}.ipynb"), as_version=4)
    assert notebook.metadata.kernelspec.name == "python3"
    assert notebook.metadata.kernelspec.language == "python"
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert sum("parameters" in c.metadata.get("tags", []) for c in code) == 1
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    for cell in code:  # thin: no function or class definitions
        assert not re.search(r"^\s*(def|class) ", cell.source, re.M), cell.source


# --- building every template through the runner ------------------------------------------------
@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from conftest import PROJECT

    root = tmp_path_factory.mktemp("reports") / "ws"
    shutil.copytree(PROJECT / "raw", root / "raw")
    ws = Workspace(root)
    jobs = [plan_job("kvartalsrapport", "2020Q3", municipality="461", workspace=root),
            plan_job("omraadeprofil", "2020Q3", area="odense-solbakken-mv", workspace=root),
            plan_job("helhedsplan", "2024Q4", plan="slagelse-en-faelles-indsats", workspace=root),
            plan_job("helhedsplan", "2020Q3", plan="slagelse-helhedsplan-2017", workspace=root)]
    paths = {job.name: run_job(job, ws) for job in jobs}
    return ws, paths


def test_reports_are_published_where_documented(built):
    ws, paths = built
    assert paths["kvartalsrapport"] == ws.reports / "2020Q3" / "461" / "kvartalsrapport.html"
    assert paths["omraadeprofil-odense-solbakken-mv"].parent == ws.reports / "2020Q3" / "461"
    assert paths["helhedsplan-slagelse-en-faelles-indsats"].parent == ws.reports / "2024Q4" / "330"
    for path in paths.values():
        assert path.with_suffix(".ipynb").exists()  # the executed notebook beside it, for analysts
    assert not (ws.reports / ".staging").exists()


def html_of(built, name):
    return built[1][name].read_text(encoding="utf-8")


@pytest.mark.parametrize("name, synthetic", [
    ("kvartalsrapport", True), ("omraadeprofil-odense-solbakken-mv", True),
    ("helhedsplan-slagelse-en-faelles-indsats", True),
    # Seed 000's budget and accounts only: published figures, so no synthetic banner.
    ("helhedsplan-slagelse-helhedsplan-2017", False),
])
def test_committee_html(built, name, synthetic):
    html = html_of(built, name)
    assert '<html lang="da">' in html
    assert "<script" not in html  # fully self-contained: no scripts at all
    for attribute in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert attribute.startswith(("data:", "#")), attribute  # no external resource
    assert not re.search(r"url\((?!data:)['\"]?https?:", html)
    body = html.split("<body", 1)[1]  # the CSS in <head> names classes; the content must not use them
    for forbidden in ("Traceback", "import ", "rapport = ", "jp-InputArea-editor", "hl-ipython3", "vnd.jupyter.stderr",
                      "Error", "ename", "parameters"):
        assert forbidden not in body, forbidden
    assert 'class="bd-toc"' in html and "<ol><li><a href=\"#" in html  # a table of contents
    assert 'class="bd-footer"' in html and "boligdata 0.1.0" in html and "Tal pr. " in html
    for alt in re.findall(r'<img [^>]*alt="([^"]*)"', html):
        assert len(alt) > 30 and "No description" not in alt
    assert (("Bemærk:" in html) and ("syntetiske" in html)) == synthetic  # synthetic rows: a banner says so


def test_kvartalsrapport_content(built):
    html = html_of(built, "kvartalsrapport")
    # Danish number formats: residents 1.302 (seed 004 punkt 3) and 61,4 % only grundskole.
    assert "1.302" in html and "61,4 %" in html and "2,30 %" in html
    # The forecast for Solbakken mv.: hard ghetto (2016-2019 on the list + 2020), crime and education met.
    assert "Solbakken mv. overskrider uddannelseskriteriet med" in html
    assert "Hårdt ghettoområde" in html
    # Issue 22: the 2020 list is settled by measured figures; no action is offered on it, only what
    # the unpublished employment figure would have to show, and the way for the list of 2021.
    assert "Korsløkkeparken Øst er ikke længere ghettoområde på listen 1. december 2020" not in html
    assert "Status på listen 1. december 2020 er afgjort af tal, der allerede er målt: Korsløkkeparken Øst" in html
    assert "under kommunens skøn" in html and "Den korteste vej af listen 1. december 2021" in html
    assert "målt; offentliggøres i december" in html and "offentliggjort i juli" in html
    assert "gennemsnittet af 2018 og 2019" in html and "kan stadig ændres" in html
    # The 2021 list under the law of 30 September 2020 (seed 004: hard after 4 years), never "nye regler".
    assert "følger nye regler" not in html and "Et hårdt ghettoområde kræver 4 år i træk på listen" in html
    assert "kan tidligst blive hårdt ghettoområde på listen 1. december 2021" in html
    # Punkt 3 and punkt 4 disagree on Korsløkkeparken Øst's employment (41,0 % and 39,4 %): said, with
    # what the other figure would change.
    assert "har <span" in html and "39,4 %" in html and "ville betegnelsen ændre sig" in html
    # Odense's own categories against the computed bands: 6 disagree (by hand in tests/test_snapshot.py).
    assert html.count("(afviger)") == 6
    assert "Kvartalsrapport: almene boligområder i Odense Kommune" in html and "3. kvartal 2020" in html
    # What the date left out is said.
    assert "Rapporten viser tallene, som de forelå 30. september 2020" in html


def test_a_third_quarter_profile_shows_no_later_list(built):
    # Seed 004 is of September 2020: the list of 1 December 2020 (Solbakken's first as a hard
    # ghetto) and later lists are not known yet, and the forecast says so.
    html = html_of(built, "omraadeprofil-odense-solbakken-mv")
    assert "<li>1. december 2020: " not in html and "<li>1. december 2021: " not in html
    assert "<li>1. december 2019: ghettoområde" in html and "Prognose for listen 1. december 2020" in html


def test_helhedsplan_content(built):
    html = html_of(built, "helhedsplan-slagelse-helhedsplan-2017")
    # Seed 000: the table is Slagelse Kommune's part: I alt 21.022.000 kr., of which Landsbyggefonden
    # bought municipal activities for 10.418.000 kr.; the whole plan is 44,450 mio. kr.
    assert "21.022.000 kr." in html and "10.418.000 kr." in html and "10.604.000 kr." in html
    assert "kommunens del af helhedsplanen" in html and "44.450.000 kr." in html
    assert "Lokal medfinansiering" not in html and "opfylder LBF" not in html
    assert "gælder helhedsplaner under 2019-26-midlerne" in html and "26.06.2017" in html
    assert "Rapporten viser ingen indikatortal" in html and "Slagelse Kommune, notat »Boligsocial Helhedsplan" in html
    plan = html_of(built, "helhedsplan-slagelse-en-faelles-indsats")
    assert "opgøres ikke for kommunen" in plan and "ikke registreret" in plan
    assert "38,0 %" in plan and "17,0 %" in plan  # seed 002: 18-64 without attachment, area vs kommune


def run_udforskning(tmp_path, **parameters):
    import papermill

    return papermill.execute_notebook(str(NOTEBOOKS_DIR / "udforskning.ipynb"), str(tmp_path / "out.ipynb"),
                                      parameters=parameters, kernel_name="python3", language="python",
                                      progress_bar=False, cwd=str(tmp_path))


def outputs(notebook) -> str:
    """What the notebook showed, as text: plain output, and tables (HTML) without their tags."""
    import html
    import re

    def shown(o) -> str:
        data = o.get("data", {})
        table = html.unescape(re.sub(r"<[^>]+>", " ", str(data.get("text/html", ""))))
        return (table if table.strip() else str(data.get("text/plain", ""))) + str(o.get("text", ""))

    return " ".join(shown(o) for c in notebook.cells if c.cell_type == "code" for o in c.outputs)


def test_udforskning_runs_on_the_sample_with_another_lists_rules(tmp_path):
    notebook = run_udforskning(tmp_path, quarter="2020Q3", list_year=2021)
    text = outputs(notebook)
    assert "prognose for listen 1. december 2020" in text
    assert "Parallelsamfund" in text  # the 2020 figures judged by the 2021 rules use the 2021 words
    images = [o for c in notebook.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert len(images) == 2  # the seaborn line and bar plots


def test_udforskning_runs_on_the_synthetic_national_data(tmp_path, national_reports):
    ws, _ = national_reports
    notebook = run_udforskning(tmp_path, workspace=str(ws.root), quarter="2025Q3")
    assert "prognose for listen 1. december 2025" in outputs(notebook)


# --- validation before anything runs ------------------------------------------------------------
@pytest.mark.parametrize("args, message", [
    (["--template", "aarsrapport", "--quarter", "2020Q3", "--municipality", "461"], "unknown template 'aarsrapport'"),
    (["--template", "kvartalsrapport", "--quarter", "2020-3", "--municipality", "461"], "expected YYYYQn"),
    (["--template", "kvartalsrapport", "--quarter", "2020Q3", "--municipality", "Atlantis"], "unknown municipality"),
    (["--template", "kvartalsrapport", "--quarter", "2020Q3", "--municipality", "101"], "no areas with criteria"),
    (["--template", "omraadeprofil", "--quarter", "2020Q3", "--area", "nowhere"], "unknown area 'nowhere'"),
    (["--template", "helhedsplan", "--quarter", "2020Q3", "--plan", "x"], "unknown plan 'x'"),
    (["--template", "omraadeprofil", "--quarter", "2020Q3", "--municipality", "461"], "takes --area"),
    (["--template", "udforskning", "--quarter", "2020Q3"], "not a report"),
])
def test_parameters_are_validated_before_running(sample_workspace, capsys, args, message):
    assert main(["report", "--workspace", str(sample_workspace), *args]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1
    assert not list((sample_workspace / "reports").rglob("*.html"))


def test_a_failing_report_leaves_the_last_good_one(built, tmp_path, monkeypatch, capsys):
    ws, paths = built
    good = paths["kvartalsrapport"].read_bytes()
    broken_dir = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS_DIR, broken_dir)
    notebook = nbformat.read(str(broken_dir / "kvartalsrapport.ipynb"), as_version=4)
    notebook.cells[5].source = "raise RuntimeError('data missing')"
    nbformat.write(notebook, str(broken_dir / "kvartalsrapport.ipynb"))
    monkeypatch.setattr(runner, "NOTEBOOKS_DIR", broken_dir)
    assert main(["report", "--workspace", str(ws.root), "--template", "kvartalsrapport", "--quarter", "2020Q3",
                 "--municipality", "461"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "RuntimeError: data missing" in err and "unchanged" in err
    assert paths["kvartalsrapport"].read_bytes() == good
    assert not (ws.reports / ".staging").exists()


# --- a real browser ---------------------------------------------------------------------------------
@pytest.mark.browser
def test_reports_open_offline_in_chromium(built):
    chromium = shutil.which("chromium")
    if chromium is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing in CI; make test installs it (Makefile target 'browser')")
        pytest.skip("chromium is not installed (make test installs it where it can)")
    from playwright.sync_api import sync_playwright

    ws, paths = built
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=args)
        try:
            for name, path in paths.items():
                page = browser.new_page()
                errors, requests = [], []
                page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
                page.on("pageerror", lambda e: errors.append(str(e)))
                page.on("request", lambda r: requests.append(r.url))
                page.goto(path.as_uri())
                page.wait_for_load_state("load")
                assert errors == [], (name, errors)
                external = [u for u in requests if not u.startswith(("file:", "data:"))]
                assert external == [], (name, external)
                assert page.locator("h1").first.inner_text().strip()
                shot = ws.reports / "screenshots" / f"{name}.png"
                shot.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(shot), full_page=False)
                assert shot.stat().st_size > 10_000
                review = PROJECT / "reports" / "screenshots"  # git-ignored; for a person to look at
                review.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(shot, review / shot.name)
                page.close()
        finally:
            browser.close()


def test_udforskning_opens_on_an_analysts_own_workspace(tmp_path):
    """A workspace that is not the sample: one invented area, its figures from the example
    Beboerdata export (years 2019-2023, drawn 15 May 2024) and a list history of its own. Without a
    quarter the notebook opens on 2024Q2, the quarter in which the latest figure was drawn, and
    finds the area; the criteria are in Danish and the years on the list are counted as the
    reports count them: on the parallelsamfund lists of 2022 and 2023, 2 in a row before the list
    of 2024, and "mindst", since the history starts with the 2022 list and may not go back far
    enough (no raw/listehistorik_daekning says it does)."""
    import re

    root = example_workspace(tmp_path, {2022: ["parallelsamfund"], 2023: ["parallelsamfund"]})
    notebook = run_udforskning(tmp_path, workspace=str(root))
    text = outputs(notebook)
    assert "2024Q2, 1 områder" in text and "prognose for listen 1. december 2024" in text
    assert "Eksempelparken" in text and "beskæftigelse" in text and "'employment'" not in text
    assert "År i træk på listen før" in text
    assert re.search(r"Eksempelparken\s+Odense\s.{0,120}?\smindst 2\s", text, re.S)


def test_a_report_says_when_the_list_history_lacks_a_published_list(tmp_path):
    """The history holds the lists of 2022 and 2023; a report in the 2nd quarter of 2025 forecasts
    the list of 1 December 2025, whose years in a row also need the list of 1 December 2024. The
    report says so at the top, in Danish, instead of counting the missing list silently."""
    text = report_text(example_workspace(tmp_path, {2022: ["parallelsamfund"], 2023: ["parallelsamfund"]}), "2025Q2")
    assert ("Listehistorikken slutter med listen fra 2023, men årene i træk før listen 1. december 2025 afhænger "
            "også af listen 1. december 2024") in text


def test_an_area_leaving_the_list_is_named_and_keeps_what_stays(tmp_path):
    """An omdannelsesområde on the list of 1 December 2023 (parallelsamfund 2019-2023: 5 years, §
    61 a, stk. 4) whose figures no longer make it a parallelsamfund (the example's 2023 figures:
    outside work 39,2 < 40, grundskole 58,1 < 60, income 56,9 > 55 % of the region, so at most the
    crime criterion of four is met, and an udsat area needs two, § 61 a, stk. 1): the headline says it is
    expected to leave, and under the area the udviklingsplan is said to stay (§ 168 a, the
    ministry's note of 1 December 2020), never "intet krav om en udviklingsplan"."""
    history = {year: ["parallelsamfund"] for year in range(2019, 2023)} | {2023: ["parallelsamfund", "omdannelse"]}
    text = report_text(example_workspace(tmp_path, history), "2024Q2")
    assert "Ventes at forlade listen: Eksempelparken (på listen 1. december 2023)" in text
    assert ("Fra listen 1. december 2023, hvor området var omdannelsesområde: Udviklingsplanen og kravet om højst "
            "40 % almene familieboliger gælder fortsat") in text
    assert "intet krav om en udviklingsplan" not in text


def example_workspace(tmp_path, history: dict):
    """A workspace that is not the sample: one invented area, Eksempelparken (461), its figures from
    the example Beboerdata export (synthetic, 2019-2023, drawn 15 May 2024) and the list rows
    ``history`` ({year: [designations]})."""
    import shutil

    from conftest import write

    from boligdata.synthetic import beboerdata_example
    from boligdata.workspace import init_workspace

    root = init_workspace(tmp_path / "ws")
    shutil.rmtree(root / "raw" / "skabeloner")
    write(root / "raw" / "omraader.csv", "områdekode;områdenavn;kommunekode\neksempelparken;Eksempelparken;461\n")
    rows = "".join(f"{year};Eksempelparken;{d};eget eksempel\n" for year, ds in history.items() for d in ds)
    write(root / "raw" / "listehistorik.csv", "listeår;område;betegnelse;kilde\n" + rows)
    (root / "raw" / "beboerdata_eksempelparken.xlsx").write_bytes(beboerdata_example())
    return root


def report_text(root, quarter: str) -> str:
    import re

    assert main(["report", "--workspace", str(root), "--template", "kvartalsrapport", "--quarter", quarter,
                 "--municipality", "461"]) == 0
    page = (root / "reports" / quarter / "461" / "kvartalsrapport.html").read_text(encoding="utf-8")
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
