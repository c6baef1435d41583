"""Disclosure control: what is hidden, what is published, and a leak test that tries the sums.

The policy (boligdata/data/disclosure.yaml) is checked against the Handbook on Statistical
Disclosure Control's threshold rule (a sensitive count of 1-4, or its complement, is not
published; a share of a group under 20 is not published) and its differencing attacks, written
out by hand below. A small constructed workspace holds each case the issue found; the leak test
reads every number the public reports show, with what it means, and works back what it can.
"""

import re
import shutil
from pathlib import Path

import pytest
from conftest import PROJECT, write

from boligdata import load
from boligdata.paths import Workspace
from boligdata.present.disclosure import Ledger, internal, parse_policy, public
from boligdata.publish.runner import all_jobs, plan_job, run_job

LABEL = public().persons_label_da
SHARE_LABEL = public().share_label_da


def number(text: str) -> float:
    return float(text.replace("%", "").strip().replace(".", "").replace(",", ".").replace("+", "").replace("−", "-"))


# --- the policy -------------------------------------------------------------------------------
def test_every_indicator_and_count_kind_has_a_class():
    import copy

    from boligdata.datafiles import package_yaml
    from boligdata.errors import DataFileError

    policy = public()
    assert policy.indicator_class("convicted_pct") == "trait" and policy.indicator_class("residents") == "population"
    assert policy.count_class("letting") == "administrative" and policy.count_class("support_counts") == "trait"
    assert "seed 004" in policy.classes["administrative"]["why"]  # why lettings are published
    document = copy.deepcopy(package_yaml("disclosure.yaml"))
    del document["indicators"]["convicted_pct"]
    with pytest.raises(DataFileError, match="no class for the indicators convicted_pct"):
        parse_policy(document)


@pytest.mark.parametrize("share, group, hidden", [
    (50.0, 8, True),      # tæller 4 / nævner 8: a group under 20
    (46.7, 15, True),     # a group of 15
    (1.0, 200, True),     # 2 of 200 convicted: a count of 2
    (98.5, 200, True),    # 197 of 200: everyone but 3 has the trait
    (2.3, 962, False),    # Solbakken: 22 convicted adults of 962
    (0.0, 200, False),    # nobody has the trait: a zero that is not sensitive
])
def test_the_threshold_rule_for_shares(share, group, hidden):
    assert public().unsafe_share(share, group) is hidden
    assert internal().unsafe_share(share, group) is False


def test_each_differencing_attack_of_the_issue_is_closed():
    """One ledger per derivation the issue found; each hidden number stays hidden."""
    policy = public()
    # A support series "færre end 5 | 10 | +7": the change gives the start (3) back.
    ledger = Ledger(policy)
    start = ledger.count(("support", "A", "p", "2018W01"), 3, "support_counts")
    latest = ledger.count(("support", "A", "p", "2020W32"), 10, "support_counts")
    change = ledger.derived(("support-change", "A", "p"), 7, start, latest)
    ledger.resolve()
    assert ledger.hidden(start) and ledger.hidden(change) and not ledger.hidden(latest)
    # An activity "mål 10, resultat færre end 5, 30,0 % af målet": the share of the target gives 3.
    ledger = Ledger(policy)
    actual = ledger.count(("activity", "P", "x", 2023), 3, "activities")
    share = ledger.derived(("activity-share", "P", "x", 2023), 30.0, actual)
    ledger.resolve()
    assert ledger.hidden(actual) and ledger.hidden(share)
    # A share of a group of 15 with its distance to the threshold ("+6,7"): the distance gives it back.
    ledger = Ledger(policy)
    figure = ledger.share(("share", "B", "outside_labour_market_pct", "2020Q3"), 46.7, "outside_labour_market_pct", 15)
    distance = ledger.derived(("distance", "B", "employment"), 6.7, figure)
    persons = ledger.derived(("persons", "B", "employment"), 1, figure)
    ledger.resolve()
    assert ledger.hidden(figure) and ledger.hidden(distance) and ledger.hidden(persons)
    # Publicly supported and self-supporting: each other's complement in the group.
    ledger = Ledger(policy)
    supported = ledger.count(("support", "C", "publicly_supported", "2020W32"), 2, "support_counts")
    selfsup = ledger.count(("support", "C", "self_supporting", "2020W32"), 40, "support_counts")
    ledger.link(supported, selfsup)
    ledger.resolve()
    assert ledger.hidden(supported) and ledger.hidden(selfsup)
    # A letting count is no count of persons with a trait: published, as the source paper does.
    ledger = Ledger(policy)
    letting = ledger.count(("letting", "D", "Intern venteliste", "quarter"), 1, "letting")
    ledger.resolve()
    assert not ledger.hidden(letting)


# --- a small constructed workspace with every case ----------------------------------------------
OBS = "geografiniveau;geografikode;indikator;periode;værdi;tæller;nævner;kilde;opgjort;status"


def tiny_workspace(root: Path) -> Path:
    """Odense with four small cases and one plan (every figure made up for the test, marked synthetic)."""
    write(root / "raw" / "omraader.csv", "områdekode;områdenavn;kommunekode\n"
          "odense-lille;Lille A;461\nodense-mellem;Mellem B;461\nodense-taeller;Tæller C;461\nodense-stor;Stor D;461\n")
    rows = [OBS]

    def add(area, indicator, period, value, vintage, numerator="", denominator=""):
        rows.append(f"område;{area};{indicator};{period};{value};{numerator};{denominator};test;{vintage};syntetisk")

    for period, vintage in (("2019", "2019-12-31"), ("2020Q2", "2020-06-30"), ("2020Q3", "2020-09-15")):
        # Lille A: 3 residents, 2 of 3 aged 18-64 outside the labour market (66,7 %).
        add("odense-lille", "residents", period, "3", vintage)
        add("odense-lille", "pop_18_64", period, "3", vintage)
        add("odense-lille", "outside_labour_market_pct", period, "66,7", vintage)
        # Mellem B: 15 aged 18-64; 60,0 % (9) in the previous quarter, 46,7 % (7) now.
        add("odense-mellem", "residents", period, "1.200", vintage)
        add("odense-mellem", "pop_18_64", period, "15", vintage)
        add("odense-mellem", "outside_labour_market_pct", period, "60,0" if period != "2020Q3" else "46,7", vintage)
        # Stor D: 1.500 residents, 1.000 adults; 3 convicted (0,30 %).
        add("odense-stor", "residents", period, "1.500", vintage)
        add("odense-stor", "pop_18plus", period, "1.000", vintage)
        add("odense-stor", "pop_18_64", period, "900", vintage)
        add("odense-stor", "convicted_pct", period, "0,30", vintage)
        add("odense-stor", "outside_labour_market_pct", period, "45,0", vintage)
        add("odense-stor", "primary_school_only_pct", period, "55,0", vintage)
    # Tæller C: 4 of 8 (tæller and nævner given with the share).
    add("odense-taeller", "residents", "2020Q3", "1.100", "2020-09-15")
    add("odense-taeller", "outside_labour_market_pct", "2020Q3", "50,0", "2020-09-15", "4", "8")
    write(root / "raw" / "observationer.csv", "\n".join(rows) + "\n")
    write(root / "raw" / "forsoergelse.csv", "område;gruppe;periode;antal;kilde;status\n"
          "odense-stor;offentligt_forsørgede;2018-W01;3;test;syntetisk\n"
          "odense-stor;offentligt_forsørgede;2020-W32;10;test;syntetisk\n"
          "odense-stor;selvforsørgende;2018-W01;400;test;syntetisk\n"
          "odense-stor;selvforsørgende;2020-W32;450;test;syntetisk\n")
    write(root / "raw" / "udlejning.csv", "område;udlejningsform;fra_kvartal;til_kvartal;antal;kilde;status\n"
          "odense-stor;Samlet;2020K3;2020K3;18;test;syntetisk\n"
          "odense-stor;Fleksibel udlejning;2020K3;2020K3;17;test;syntetisk\n"
          "odense-stor;Intern venteliste;2020K3;2020K3;1;test;syntetisk\n"
          "odense-stor;Samlet;2019K1;2019K4;0;test;syntetisk\n")
    write(root / "raw" / "helhedsplaner.csv", "helhedsplankode;navn;kommunekode;områder;startdato;slutdato\n"
          "odense-plan;Lille plan;461;odense-stor;2019-01-01;2022-12-31\n")
    write(root / "raw" / "aktiviteter.csv", "helhedsplankode;indsatsområde;aktivitetsindikator;år;mål;resultat;"
          "datakilde;status\nodense-plan;Beskæftigelse;Deltagere i mentorforløb;2019;10;3;test;syntetisk\n"
          "odense-plan;Beskæftigelse;Deltagere i mentorforløb;2020;10;12;test;syntetisk\n")
    return root


@pytest.fixture(scope="module")
def tiny_reports(tmp_path_factory):
    root = tiny_workspace(tmp_path_factory.mktemp("tiny") / "ws")
    ws = Workspace(root)
    jobs = all_jobs("2020Q3", root)
    paths = [run_job(job, ws) for job in jobs]
    return ws, paths


def test_every_tiny_report_builds(tiny_reports):
    # The kvartalsrapport, four area profiles (one of 3 residents, one of a group of 15), the plan and
    # the landsoversigt.
    ws, paths = tiny_reports
    assert sorted(p.name for p in paths) == ["helhedsplan-odense-plan.html", "kvartalsrapport.html",
                                             "landsoversigt.html", "omraadeprofil-odense-lille.html", "omraadeprofil-odense-mellem.html",
                                             "omraadeprofil-odense-stor.html", "omraadeprofil-odense-taeller.html"]


def html_of(paths, name):
    return next(p for p in paths if p.name == name).read_text(encoding="utf-8")


def test_the_tiny_cases_are_hidden_and_the_safe_ones_published(tiny_reports):
    _, paths = tiny_reports
    report = html_of(paths, "kvartalsrapport.html")
    # Tæller 4 / nævner 8 and the group of 15: their shares are not shown, nor their distances.
    assert 'data-figure="odense-taeller|outside_labour_market_pct|2020Q3">diskretioneret' in report
    assert 'data-figure="odense-mellem|outside_labour_market_pct|2020Q3">diskretioneret' in report
    assert "50,0 %" not in report and "46,7" not in report and "+6,7" not in report and "60,0" not in report
    # 3 convicted adults of 1.000: hidden, with the distance to the threshold.
    assert "0,30 %" not in report
    # The support series: the start of 3 and the change are hidden; the latest count (10) is shown.
    assert f'data-n="support|odense-stor|publicly_supported|2018W01">{LABEL}' in report
    assert 'data-n="support-change|odense-stor|publicly_supported">diskretioneret' in report
    # Lettings are published as the source papers publish them, a single letting and a zero included.
    assert re.search(r"<td[^>]*>Intern venteliste</td><td class=\"num\">1</td>", report)
    assert re.search(r"<td[^>]*>Samlet</td><td class=\"num\">18</td><td class=\"num\">–</td><td class=\"num\">0</td>", report)
    profile = html_of(paths, "omraadeprofil-odense-lille.html")
    assert "66,7" not in profile  # 2 of 3, in no period, no chart and no gap
    plan = html_of(paths, "helhedsplan-odense-plan.html")
    assert "30,0 %" not in plan and 'data-n="activity|odense-plan|Deltagere i mentorforløb|2019">færre end 5' in plan


def test_sentences_never_hold_a_suppression_label(tiny_reports, sample_reports):
    # "falder med færre end 5" would say a fall of zero would do: a hidden number in a sentence is
    # "et mindre antal personer", or the sentence says it without the number.
    for path in list(tiny_reports[1]) + list(sample_reports[1]):
        html = path.read_text(encoding="utf-8")
        for sentence in re.findall(r"<(?:p|li)[^>]*>(.*?)</(?:p|li)>", html, re.S):
            assert LABEL not in sentence and SHARE_LABEL not in sentence, (path.name, sentence[:200])


def test_a_distance_in_persons_is_published(sample_reports):
    # Seed 004, Odense's own public paper: Solbakken exceeds the crime criterion "med 1 kriminel
    # for meget". A distance to a threshold is not the size of a group: it is published.
    ws, _ = sample_reports
    html = (ws.reports / "2020Q3" / "461" / "kvartalsrapport.html").read_text(encoding="utf-8")
    assert re.search(r'Solbakken mv\. overskrider kriminalitetskriteriet med <span data-n="persons\|odense-solbakken-mv\|'
                     r'crime">1</span> person\.', html)
    # The same paper: 61,4 % with only grundskole "overskrider ghettokriteriet med ca. 7 personer".
    # The sample's (synthetic) 500 30-59-year-olds: 61,4 % of 500 = 307, and > 60 % of 500 means
    # more than 300, so 7 fewer (300) would no longer meet it.
    assert re.search(r'Solbakken mv\. overskrider uddannelseskriteriet med <span data-n="persons\|odense-solbakken-mv\|'
                     r'education">7</span> personer\.', html)


def test_internal_report_shows_the_counts_and_says_so(tiny_reports):
    ws, paths = tiny_reports
    path = run_job(plan_job("kvartalsrapport", "2020Q3", municipality="461", workspace=ws.root, internal=True), ws)
    assert path.name == "kvartalsrapport-intern.html"
    html = path.read_text(encoding="utf-8")
    assert "Intern rapport" in html and "må ikke offentliggøres" in html
    assert 'data-figure="odense-taeller|outside_labour_market_pct|2020Q3">50,0 %' in html
    # The public report and its notebook beside it are untouched.
    public_html = html_of(paths, "kvartalsrapport.html")
    notebook = next(p for p in paths if p.name == "kvartalsrapport.html").with_suffix(".ipynb").read_text(encoding="utf-8")
    assert "Intern rapport" not in public_html and "50,0 %" not in notebook


# --- the leak test -------------------------------------------------------------------------------
def published_numbers(paths) -> dict:
    """Every number the reports show with what it is: {key: value}, hidden ones left out."""
    numbers = {}
    for path in paths:
        html = path.read_text(encoding="utf-8")
        for attr, key, text in re.findall(r'data-(figure|n)="([^"]+)"[^>]*>(?:<strong>)?([^<]*)', html):
            key = ("share|" + key) if attr == "figure" else key
            try:
                numbers[tuple(key.split("|"))] = number(text)
            except ValueError:
                continue  # a hidden number ("diskretioneret", "færre end 5") or "–"
    return numbers


def sensitive(count: float, group: float | None = None) -> bool:
    """The Handbook's threshold rule as the policy states it, by hand: 1-4 persons, or all but 0-4."""
    n = round(count)
    if 1 <= n <= 4:
        return True
    return group is not None and n >= 1 and 0 <= round(group) - n <= 4


def groups_of(ws: Workspace) -> dict:
    """The group behind each area's share, as a reader could know it (the ministry publishes both)."""
    from boligdata.rules import denominators

    obs = load(ws.root).observations
    obs = obs[obs["geo_level"] == "area"]
    behind = denominators()
    counts = {(g, i, p): v for g, i, p, v in zip(obs["geo_code"], obs["indicator"], obs["period"], obs["value"])}
    groups = {}
    for row in obs.itertuples():
        if row.indicator in behind:
            import pandas as pd

            group = row.denominator if pd.notna(row.denominator) else counts.get(
                (row.geo_code, behind[row.indicator], row.period))
            groups[(row.geo_code, row.indicator, row.period)] = group
    return groups


def leaks(ws: Workspace, paths, quarter="2020Q3") -> tuple[list, int]:
    """Every sensitive count a reader can work out of what the reports publish; and how many tries."""
    from boligdata.crime import known_crime_figures
    from boligdata.lists import coming_list
    from boligdata.snapshot import quarter_as_of

    policy = public()
    numbers = published_numbers(paths)
    groups = groups_of(ws)
    _, as_of = quarter_as_of(quarter)
    lst = coming_list(as_of)
    found, tries = [], 0

    def check(what, count, group=None):
        nonlocal tries
        tries += 1
        if sensitive(count, group):
            found.append((what, round(count, 2), group))

    def check_share(what, area, indicator, period, share):
        group = groups.get((area, indicator, period))
        if policy.indicator_class(indicator) != "trait" or group is None:
            return
        if group < 20:
            found.append((what, "group under 20", share, group))
        check(what, share * group / 100, group)

    for key, value in numbers.items():
        kind = key[0]
        if kind == "share" and len(key) == 4:                          # share x its group
            check_share(key, key[1], key[2], key[3], value)
        elif kind == "support":                                         # a count shown as it is
            check(key, value)
        elif kind == "support-change":                                  # latest - change = start
            starts = [(k, v) for k, v in numbers.items() if k[0] == "support" and k[1:3] == key[1:3]]
            for k, v in starts:
                check((key, k), v - value)
                check((key, k), v + value)
        elif kind == "activity":
            check(key, value)
        elif kind == "activity-share":                                  # share of target x target
            target = numbers.get(("activity-target",) + key[1:])
            if target is not None:
                check(key, value * target / 100)
        elif kind == "gap":                                             # municipality + gap = the area's share
            area, indicator, period = key[1], key[2], key[3]
            municipality = next((v for k, v in numbers.items() if k[0] == "municipality" and k[2:] == (indicator, period)),
                                None)
            if municipality is not None:
                check_share(key, area, indicator, period, municipality + value)
        elif kind in ("distance", "persons"):                           # the threshold of the law and a distance
            area, cid = key[1], key[2]
            criterion = lst.version.criteria[cid]
            threshold = criterion.threshold
            if threshold is None:
                used = known_crime_figures().used(lst.id)
                threshold = used.threshold(criterion.national_average_multiple).value if used else None
            if threshold is None:
                continue
            periods = [k[2] for k in groups if k[0] == area and k[1] == criterion.indicator]
            for period in periods:
                group = groups[(area, criterion.indicator, period)]
                if group is None:
                    continue
                if kind == "distance":
                    share = float(threshold) + value if criterion.operator != "<" else float(threshold) - value
                    check_share(key, area, criterion.indicator, period, share)
                else:
                    limit = float(threshold) * group / 100
                    for count in (limit + value, limit - value):
                        check(key, count, group)
    return found, tries


def test_no_public_report_of_the_tiny_workspace_leaks(tiny_reports):
    ws, paths = tiny_reports
    found, tries = leaks(ws, paths)
    assert tries > 10  # most of the tiny workspace is hidden; what is shown is tried
    assert not found, found


def test_no_public_report_of_the_sample_leaks(sample_reports):
    ws, paths = sample_reports
    found, tries = leaks(ws, [p for p in paths if "/2020Q3/" in p.as_posix()])
    assert tries > 200
    assert not found, found


def test_the_leak_test_finds_a_leak(tiny_reports, tmp_path):
    # An internal report publishes everything: the test must find what it shows.
    ws, _ = tiny_reports
    path = run_job(plan_job("kvartalsrapport", "2020Q3", municipality="461", workspace=ws.root, internal=True), ws)
    found, _ = leaks(ws, [path])
    assert any("odense-taeller" in str(f) for f in found) and any("odense-stor" in str(f) for f in found)


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
    rows.append(f"helhedsplan;xss-plan;lbf_daycare_1_5_pct;2020;80,0;{XSS};2020-09-22;endelig;")
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


def test_every_sample_report_is_built(sample_reports):
    _, reports = sample_reports
    assert len(reports) == 26  # 2 kvartalsrapporter, 21 områdeprofiler, 2 helhedsplaner, 1 landsoversigt


def test_no_public_report_of_the_synthetic_national_data_leaks(national_reports):
    ws, paths = national_reports
    found, tries = leaks(ws, paths, quarter="2025Q3")
    assert len(paths) > 5 and tries > 100
    assert not found, found
