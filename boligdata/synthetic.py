"""A synthetic national data set for benchmarks and scale tests (never mixed into the sample).

Every municipality gets monitored areas (more in the large cities), twelve-plus years of
criteria values with the counts behind them, municipal and national baselines, a list
history, and one helhedsplan with LBF's fixed indicators where a municipality has two or
more areas. Every row is marked ``synthetic`` and its source says so. The generator uses a
fixed seed: the same arguments give the same files.
"""

from __future__ import annotations

import random
from pathlib import Path

import openpyxl

from .lists import resolve_list
from .municipalities import municipalities
from .templates_xlsx import workbook_bytes

SOURCE = "Syntetisk nationalt datasæt (boligdata.synthetic)"
# Monitored areas per municipality where there are many (the large cities); 1-4 elsewhere.
# Not statistics: a plausible shape for load and speed tests only.
CITY_AREAS = {"101": 24, "751": 14, "461": 18, "851": 10, "147": 4, "169": 5, "183": 3, "561": 6, "621": 6,
              "630": 6, "615": 5, "330": 4, "540": 4, "316": 3, "253": 3, "259": 3, "265": 3, "740": 3, "791": 3}
CRITERIA = ("non_western_pct", "outside_labour_market_pct", "convicted_pct", "primary_school_only_pct",
            "income_pct_of_region")
LBF = ("lbf_daycare_1_5_pct", "lbf_grade_9th_danish_maths", "lbf_primary_only_18_29_not_in_education_pct",
       "lbf_neet_15_29_pct", "lbf_no_attachment_18_64_pct", "lbf_charged_15_29_pct", "lbf_voter_turnout_pct")


def _dk(value, decimals=1) -> str:
    return f"{value:.{decimals}f}".replace(".", ",")


def _walk(rng, start, step, years, low=0.0, high=100.0):
    value, out = start, []
    for _ in years:
        value = min(high, max(low, value + rng.gauss(0, step)))
        out.append(value)
    return out


def national_raw(raw: Path, *, seed: int = 2024, first_year: int = 2012, last_year: int = 2024,
                 codes=None) -> dict:
    """Write the national synthetic inputs to ``raw`` (an XLSX workbook of observations and
    CSV registry, plans and list history). Returns counts of what was written."""
    rng = random.Random(seed)
    raw.mkdir(parents=True, exist_ok=True)
    kommuner = municipalities()
    codes = sorted(codes or kommuner.index)
    years = list(range(first_year, last_year + 1))
    periods = [str(y) for y in years] + [f"{last_year + 1}Q{q}" for q in (1, 2, 3)]
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("data")
    sheet.append(["geografiniveau", "geografikode", "indikator", "periode", "værdi", "kilde", "opgjort", "status"])
    areas, history, plans, rows = [], [], [], 0

    def vintage(period):
        return f"{period}-12-31" if len(period) == 4 else f"{period[:4]}-{3 * int(period[-1]):02d}-28"

    def emit(level, code, indicator, period, value, decimals=1):
        nonlocal rows
        sheet.append([level, code, indicator, period, _dk(value, decimals) if decimals else str(round(value)),
                      SOURCE, vintage(period), "syntetisk"])
        rows += 1

    for code in codes:
        count = CITY_AREAS.get(code, 1 + rng.randrange(4))
        ids = []
        for number in range(1, count + 1):
            area_id = f"syn-{code}-{number:02d}"
            ids.append(area_id)
            areas.append([area_id, f"Syntetisk område {number} ({kommuner.loc[code, 'municipality_name']})", code])
            severity = rng.random()
            residents = rng.randint(800, 6000)
            starts = {"non_western_pct": 15 + 50 * severity, "outside_labour_market_pct": 22 + 25 * severity,
                      "convicted_pct": 0.8 + 2.0 * severity, "primary_school_only_pct": 35 + 30 * severity,
                      "income_pct_of_region": 80 - 30 * severity}
            steps = {"non_western_pct": 1.0, "outside_labour_market_pct": 1.5, "convicted_pct": 0.2,
                     "primary_school_only_pct": 1.2, "income_pct_of_region": 1.2}
            # A floor under the crime share: a walk down to 0,01 % is no area of 1.000 residents or more
            # (it would be a tenth of a person), and ingest rightly takes it for a share written 0-1.
            series = {ind: _walk(rng, starts[ind], steps[ind], periods, low=0.2 if ind == "convicted_pct" else 0.0)
                      for ind in CRITERIA}
            people = _walk(rng, residents, residents * 0.02, periods, 300, 20000)
            for i, period in enumerate(periods):
                for ind in CRITERIA:
                    emit("område", area_id, ind, period, series[ind][i], 2 if ind == "convicted_pct" else 1)
                emit("område", area_id, "residents", period, people[i], 0)
                for ind, share in (("pop_18_64", 0.63), ("pop_18plus", 0.75), ("pop_30_59", 0.4)):
                    emit("område", area_id, ind, period, people[i] * share, 0)
            for year in years:
                if year < 2018 or severity < 0.55:
                    continue
                lineage = resolve_list(list_year=year).version.list_designations()[0].id  # ghetto, then parallelsamfund
                history.append([year, area_id, lineage, "syntetisk", ""])
        for ind, start in (("non_western_pct", 10.0), ("outside_labour_market_pct", 18.0), ("convicted_pct", 0.75),
                           ("primary_school_only_pct", 25.0), ("income_pct_of_region", 95.0)):
            for period, value in zip(periods, _walk(rng, start, 0.3 if ind != "convicted_pct" else 0.03, periods)):
                emit("kommune", code, ind, period, value, 2 if ind == "convicted_pct" else 1)
        if len(ids) >= 2:
            plan_id = f"syn-plan-{code}"
            plans.append([plan_id, f"Syntetisk helhedsplan ({kommuner.loc[code, 'municipality_name']})", code,
                          ";".join(ids[:3]), f"{last_year - 3}-01-01", f"{last_year + 1}-12-31"])
            for ind in LBF:
                base = 6.0 if "grade" in ind else rng.uniform(10, 80)
                top = 12.0 if "grade" in ind else 100.0
                for level, geo, shift in (("helhedsplan", plan_id, 0.0), ("kommune", code, 5.0)):
                    for year, value in zip(years[-6:], _walk(rng, base + shift, 0.5, years[-6:], 0, top)):
                        emit(level, geo, ind, str(year), value)
    for ind in CRITERIA:
        start = 11.0 if ind == "non_western_pct" else 100.0 if ind == "income_pct_of_region" else 18.0
        for period in periods:
            emit("land", "000", ind, period, start if ind != "convicted_pct" else 0.75, 2 if ind == "convicted_pct" else 1)
    (raw / "observationer_national.xlsx").write_bytes(workbook_bytes(book))
    _csv(raw / "omraader.csv", ["områdekode", "områdenavn", "kommunekode"], areas)
    _csv(raw / "listehistorik.csv", ["listeår", "område", "betegnelse", "kilde", "bemærkning"], history)
    _csv(raw / "helhedsplaner.csv", ["helhedsplankode", "navn", "kommunekode", "områder", "startdato", "slutdato"], plans)
    # A synthetic national average share convicted for every list from 2018 that has no published
    # figure, so that the crime criterion is decided in the synthetic reports (labelled synthetic
    # like everything here; a published figure is never contradicted).
    from .crime import known_crime_figures

    published = known_crime_figures()
    _csv(raw / "landsgennemsnit.csv", ["listeår", "landsgennemsnit_pct", "kilde"],
         [[year, "0,75", SOURCE] for year in range(max(first_year, 2018), last_year + 2)
          if published.used(resolve_list(list_year=year).id) is None])
    (raw / "README.md").write_text("# Synthetic national data\n\nEvery row is synthetic (boligdata.synthetic, "
                                   f"seed {seed}); for benchmarks and scale tests only.\n", encoding="utf-8")
    return {"municipalities": len(codes), "areas": len(areas), "plans": len(plans), "observations": rows}


def _csv(path: Path, header, rows) -> None:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8-sig")  # a BOM, so Danish Excel reads æøå


# The example Beboerdata workbook of docs/examples/ (synthetic, an invented area): laid out as the
# mapping boligdata/data/lbf_beboerdata/parallelsamfundskriterievaerdier.yaml reads it.
BEBOERDATA_EXAMPLE = {
    "Antal beboere": [2410, 2395, 2388, 2401, 2376],
    "Andel indvandrere og efterkommere fra ikke-vestlige lande": [58.2, 58.9, 59.4, 60.1, 60.3],
    "Andel 18-64-årige uden for arbejdsmarked eller uddannelse": [44.1, 43.0, 41.8, 40.6, 39.2],
    "Andel dømte for overtrædelse af straffeloven, våbenloven eller lov om euforiserende stoffer":
        ["diskr.", 2.31, 2.12, 1.94, 1.87],
    "Andel 30-59-årige med alene grundskoleuddannelse": [61.0, 60.2, 59.7, 58.8, 58.1],
    "Gennemsnitlig bruttoindkomst i procent af regionen": [54.3, 55.0, 55.8, 56.1, 56.9],
}
BEBOERDATA_YEARS = [2019, 2020, 2021, 2022, 2023]
BEBOERDATA_INDICATORS = ("residents", "non_western_pct", "outside_labour_market_pct", "convicted_pct",
                         "primary_school_only_pct", "income_pct_of_region")


def beboerdata_example() -> bytes:
    """An example Beboerdata export, labelled synthetic in its cells and its status, for an
    invented area ("Eksempelparken"): what ``raw/beboerdata*.xlsx`` looks like to boligdata.

    >>> import io, openpyxl
    >>> sheet = openpyxl.load_workbook(io.BytesIO(beboerdata_example())).active
    >>> sheet["A2"].value[:17], sheet["B3"].value, sheet["B5"].value
    ('SYNTETISKE TAL: e', 'Eksempelparken', 'syntetisk')
    """
    import datetime as dt

    from openpyxl.styles import Font

    from .readers.lbf import mappings

    # The shipped mapping of LBF's table of the list criteria: its sheet and title as LBF names them.
    table = next(m for m in mappings().values() if {r.indicator for r in m.rows} >= set(BEBOERDATA_INDICATORS))
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = table.sheets[0]
    sheet.append([table.title_da.split(": ")[-1]])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(["SYNTETISKE TAL: eksempel på, hvordan boligdata læser en eksport fra Landsbyggefondens "
                  "Beboerdata. Tallene er opfundet, området findes ikke."])
    sheet.append(["Boligområde:", "Eksempelparken"])
    sheet.append(["Udtrukket:", dt.datetime(2024, 5, 15)])
    sheet["B4"].number_format = "dd-mm-yyyy"
    sheet.append(["Status:", "syntetisk"])
    sheet.append([])
    sheet.append(["Kriterium", *BEBOERDATA_YEARS])
    for cell in sheet[7]:
        cell.font = Font(bold=True)
    for label, values in BEBOERDATA_EXAMPLE.items():
        sheet.append([label, *values])
    sheet.column_dimensions["A"].width = 70
    return workbook_bytes(book)
