"""Public reports: no small count of persons, every text from data escaped, determinism."""

import re
import shutil


from boligdata.paths import Workspace
from boligdata.present.disclosure import public
from boligdata.publish.runner import plan_job, run_job

from conftest import PROJECT

LIMIT = public().min_persons
LABEL = public().persons_label_da


def number(text: str) -> float:
    return float(text.replace(".", "").replace(",", ".").replace("+", ""))


def test_every_sample_report_is_built(sample_reports):
    _, reports = sample_reports
    assert len(reports) == 25  # 2 kvartalsrapporter, 21 områdeprofiler, 2 helhedsplaner


def test_no_person_count_below_the_limit_in_any_report(sample_reports):
    _, reports = sample_reports
    cells_seen = 0
    for path in reports:
        html = path.read_text(encoding="utf-8")
        # Table cells holding counts of persons carry the class "persons".
        for cell in re.findall(r'<td class="[^"]*\bpersons\b[^"]*">(?:<strong>)?([^<]*)', html):
            cells_seen += 1
            if cell not in (LABEL, "–"):
                assert abs(number(cell)) >= LIMIT, (path.name, cell)
    assert cells_seen > 20  # the scan found the counts it is about


def test_a_distance_in_persons_is_published(sample_reports):
    # Seed 004, Odense's own public paper: Solbakken exceeds the crime criterion "med 1 kriminel
    # for meget". A distance to a threshold is not the size of a group: it is published.
    ws, _ = sample_reports
    html = (ws.reports / "2020Q3" / "461" / "kvartalsrapport.html").read_text(encoding="utf-8")
    assert "Solbakken mv. overskrider kriminalitetskriteriet med 1 person." in html


def test_internal_report_shows_the_counts_and_says_so(sample_reports):
    ws, _ = sample_reports
    path = run_job(plan_job("kvartalsrapport", "2020Q3", municipality="461", workspace=ws.root, internal=True), ws)
    assert path.name == "kvartalsrapport-intern.html"
    html = path.read_text(encoding="utf-8")
    assert "Intern rapport" in html and "må ikke offentliggøres" in html
    assert "Solbakken mv. overskrider kriminalitetskriteriet med 1 person." in html
    # The public report beside it is untouched and still suppressed.
    public_html = (ws.reports / "2020Q3" / "461" / "kvartalsrapport.html").read_text(encoding="utf-8")
    assert "Intern rapport" not in public_html


XSS = "<script>alert(1)</script>"


def test_text_from_data_is_escaped_in_every_template(tmp_path):
    root = tmp_path / "ws"
    shutil.copytree(PROJECT / "raw", root / "raw")
    (root / "raw" / "omraader_xss.csv").write_text(
        f"områdekode;områdenavn;kommunekode;andre_navne\nxss-area;{XSS};461;<b>fed</b>\n", encoding="utf-8")
    (root / "raw" / "helhedsplaner_xss.csv").write_text(
        f"helhedsplankode;navn;kommunekode;områder\nxss-plan;{XSS};461;xss-area\n", encoding="utf-8")
    rows = ["geografiniveau;geografikode;indikator;periode;værdi;kilde;opgjort;status;bemærkning"]
    for indicator, value in (("residents", "1.300"), ("non_western_pct", "55,0"), ("outside_labour_market_pct", "45,0"),
                             ("convicted_pct", "2,40"), ("primary_school_only_pct", "62,0"), ("income_pct_of_region", "50,0")):
        rows.append(f"område;xss-area;{indicator};2020K3;{value};{XSS};2020-09-22;endelig;{XSS}")
    rows.append(f"helhedsplan;xss-plan;lbf_daycare_1_5_pct;2020;80,0;{XSS};2020-12-31;endelig;")
    (root / "raw" / "observationer_xss.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (root / "raw" / "kategorier_xss.csv").write_text(
        f"område;periode;kategori;kilde\nxss-area;2020K3;{XSS};{XSS}\n", encoding="utf-8")
    ws = Workspace(root)
    for job in (plan_job("kvartalsrapport", "2020Q3", municipality="461", workspace=root),
                plan_job("omraadeprofil", "2020Q3", area="xss-area", workspace=root),
                plan_job("helhedsplan", "2020Q3", plan="xss-plan", workspace=root)):
        html = run_job(job, ws).read_text(encoding="utf-8")
        assert "<script>alert(1)" not in html, job.name
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, job.name


def test_reports_are_identical_but_for_the_build_time(sample_reports):
    ws, _ = sample_reports
    path = ws.reports / "2020Q3" / "461" / "omraadeprofil-odense-vollsmose.html"
    first = path.read_text(encoding="utf-8")
    run_job(plan_job("omraadeprofil", "2020Q3", area="odense-vollsmose", workspace=ws.root), ws)
    second = path.read_text(encoding="utf-8")

    def strip(html):
        return re.sub(r"Dannet \d\d\.\d\d\.\d{4} kl\. \d\d\.\d\d", "Dannet", html)

    assert strip(first) == strip(second)
