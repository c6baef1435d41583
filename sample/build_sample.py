"""Build the bundled sample in raw/ from the published tables in sample/sources/.

Published numbers are copied as they are (status final/provisional/estimate, with their
source). Where the documents give no number (earlier years, quarters, the counts behind
the percentages, municipal baselines, the Slagelse areas' criteria), values are drawn
from a random generator with a fixed seed and every such row is marked `synthetic`.

Run from the project root:  python sample/build_sample.py [OUTPUT_DIR]
The output is byte-for-byte the same on every run (tests/test_sample.py checks it).
"""

from __future__ import annotations

import csv
import io
import random
import sys
from pathlib import Path

import openpyxl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from boligdata.templates_xlsx import workbook_bytes  # noqa: E402  (fixed zip timestamps)

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "sample" / "sources"
SEED = 20200922  # the date of the Odense committee meeting; any fixed number would do
SYNTHETIC = "Syntetiske tal, konstrueret til eksemplet"
ODENSE_P4 = "Odense Kommune, BSU 22.09.2020, punkt 4 (monitorering)"
ODENSE_P3 = "Odense Kommune, BSU 22.09.2020, punkt 3 (kvartalsstatus)"
MEETING = "2020-09-22"
AGREEMENT = "Strategisk samarbejdsaftale En Fælles Indsats, Slagelse (2021)"
AGREEMENT_DATE = "2021-10-01"

CRITERIA = ["residents", "non_western_pct", "outside_labour_market_pct", "convicted_pct",
            "primary_school_only_pct", "income_pct_of_region"]
# Step sizes of the synthetic random walk back in time, per indicator (points per year).
STEP = {"non_western_pct": 1.0, "outside_labour_market_pct": 1.5, "convicted_pct": 0.25,
        "primary_school_only_pct": 1.2, "income_pct_of_region": 1.2}
DECIMALS = {"convicted_pct": 2}
PAST_PERIODS = ["2016", "2017", "2018", "2019", "2020Q1", "2020Q2"]

# Synthetic group sizes the documents pin down: seed 004, punkt 3 says Solbakken's 61,4 % with
# only grundskole exceeds the 60 % criterion "med ca. 7 personer", so its 30-59-year-olds are
# about 500 (61,4 % of 500 = 307 against 60 % of 500 = 300). 500 is also 38 % of its 1.302
# residents, inside the range the other areas' counts are drawn from (36-44 %).
PAPER_COUNTS = {("odense-solbakken-mv", "pop_30_59"): 500}

# Names the same area has had on the lists and in the documents.
ALIASES = {
    "Solbakken mv.": ["Solbakken"],
    "Nørager/Søstjernevej m.fl.": ["Nørager/Søstjernevej"],
    "Agervang": ["Agervang (Grønneparken)", "Grønneparken (Agervang)", "Grønneparken"],
    "Korsløkkeparken Øst": ["Korsløkken (Øst)"],
}
SECTIONS = {  # seed 002, section 1
    "Motalavej": "BoligKorsør afd. 15;BoligKorsør afd. 21;BoligKorsør afd. 35",
    "Ringparken": "FOB afd. 23;FOB afd. 24;FOB afd. 26;FOB afd. 32",
    "Sydbyen": "Slagelse Boligselskab afd. 12;FOB afd. 34",
}


def decimals_of(text: str) -> int:
    """How many decimals a figure is printed with: "1.4" -> 1."""
    return len(text.split(".")[1]) if "." in text else 0


def more_precise(printed: str, other: str | None) -> float | None:
    """``other`` when it is the same figure as ``printed`` with more decimals, else None.

    Seed 004 prints Korsløkkeparken Øst's crime share as 1,4 % in punkt 3 and as 1,43 % in
    punkt 4 of the same meeting: one figure, rounded once; the report shows two decimals, and
    "1,40" would be a figure nobody published.

    >>> more_precise("1.4", "1.43"), more_precise("53.9", "54.2"), more_precise("2.30", "2.30")
    (1.43, None, None)
    """
    if not other or decimals_of(other) <= decimals_of(printed):
        return None
    return float(other) if round(float(other), decimals_of(printed)) == float(printed) else None


def period_end(period: str) -> str:
    """The last day of a year or quarter label: a synthetic figure is "known" from then."""
    year = int(period[:4])
    if len(period) == 4:
        return f"{year}-12-31"
    month = 3 * int(period[-1])
    return f"{year}-{month:02d}-{[31, 30, 30, 31][int(period[-1]) - 1]}"


def slug(text: str) -> str:
    text = text.lower()
    for a, b in (("æ", "ae"), ("ø", "oe"), ("å", "aa"), ("é", "e")):
        text = text.replace(a, b)
    return "-".join("".join(c if c.isalnum() else " " for c in text).split())


def read(name: str) -> list[dict]:
    with open(SOURCES / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def kommuner() -> dict[str, str]:
    with open(ROOT / "boligdata" / "data" / "kommuner.csv", encoding="utf-8") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        return {r["municipality_name"]: r["municipality_code"] for r in rows}


def canonical(name: str) -> str:
    for main, others in ALIASES.items():
        if name == main or name in others:
            return main
    return name


def write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def dk(number, decimals: int = 1) -> str:
    """A number in Danish spelling, as an analyst's export would have it."""
    if number is None:
        return ""
    if decimals == 0:
        return f"{int(round(number)):,}".replace(",", ".")
    return f"{number:.{decimals}f}".replace(".", ",")


class Sample:
    def __init__(self, out: Path):
        self.out = out
        self.rng = random.Random(SEED)
        self.codes = kommuner()
        self.areas: dict[str, dict] = {}  # canonical name -> area record
        self.observations: list[list] = []

    # --- area registry ---------------------------------------------------------------
    def add_area(self, name: str, municipality: str) -> str:
        name = canonical(name)
        if name not in self.areas:
            code = self.codes[municipality]
            self.areas[name] = {
                "id": f"{slug(municipality)}-{slug(name)}", "name": name, "code": code,
                "aliases": ";".join(ALIASES.get(name, [])), "sections": SECTIONS.get(name, ""),
            }
        return self.areas[name]["id"]

    def area_id(self, name: str) -> str:
        return self.areas[canonical(name)]["id"]

    # --- observations ----------------------------------------------------------------
    def obs(self, level, code, indicator, period, value, source, vintage, status, note="", decimals=1):
        text = dk(value, 0 if indicator in ("residents", "pop_18_64", "pop_18plus", "pop_30_59") else decimals)
        self.observations.append([level, code, indicator, period, text, "", "", source, vintage, status, note])

    def synthetic_history(self, level, code, latest: dict, periods=PAST_PERIODS, scale=1.0):
        """A random walk back in time from the latest values, one row per period."""
        current = dict(latest)
        for period in reversed(periods):
            step_scale = (0.5 if "Q" in period else 1.0) * scale
            for indicator, value in list(current.items()):
                if value is None:
                    continue
                if indicator == "residents":
                    current[indicator] = max(300, round(value * (1 + self.rng.gauss(0, 0.02 * step_scale))))
                else:
                    step = self.rng.gauss(0, STEP[indicator] * step_scale)
                    current[indicator] = min(100.0, max(0.0, value + step))
                decimals = DECIMALS.get(indicator, 1)
                self.obs(level, code, indicator, period, round(current[indicator], decimals), SYNTHETIC,
                         period_end(period), "synthetic", decimals=decimals)

    def synthetic_counts(self, code: str, residents: int, period: str):
        shares = {"pop_18plus": (0.70, 0.80), "pop_18_64": (0.58, 0.68), "pop_30_59": (0.36, 0.44)}
        for indicator, (low, high) in shares.items():
            drawn = round(residents * self.rng.uniform(low, high))  # drawn always: the seed's sequence stays
            count = PAPER_COUNTS.get((code, indicator), drawn)
            self.obs("område", code, indicator, period, count, SYNTHETIC, MEETING, "synthetic")

    # --- the pieces ------------------------------------------------------------------
    def lists(self) -> list[list]:
        """The national list history the package ships (boligdata/data/published_lists.csv), as is."""
        rows = []
        with open(ROOT / "boligdata" / "data" / "published_lists.csv", encoding="utf-8") as handle:
            published = list(csv.DictReader(line for line in handle if not line.startswith("#")))
        names = {code: name for name, code in self.codes.items()}
        for r in published:
            self.add_area(r["area"], names[r["municipality_code"]])
            rows.append([int(r["list_year"]), "", canonical(r["area"]), r["designation"],
                         r["source"], r["evidence_grade"], r["note"]])
        return rows

    def odense(self) -> list[list]:
        history = []
        monitoring = {}  # punkt 4's figures as printed, by area and indicator
        for r in read("odense_monitoring_2020q3.csv"):
            area = self.add_area(r["area"], "Odense")
            latest = {}
            for indicator in CRITERIA:
                decimals = DECIMALS.get(indicator, 1)
                value = float(r[indicator]) if indicator != "residents" else int(r[indicator])
                latest[indicator] = value
                monitoring[(area, indicator)] = r[indicator]
                self.obs("område", area, indicator, "2020Q3", value, ODENSE_P4, MEETING, "provisional",
                         "udenfor arbejdsmarkedet: Odenses opgørelse af offentlig forsørgelse"
                         if indicator == "outside_labour_market_pct" else "", decimals)
            self.synthetic_counts(area, latest["residents"], "2020Q3")
            self.synthetic_history("område", area, latest)
            years = int(r["consecutive_years_on_list"] or 0)
            for year in range(2020 - years, 2017):  # 2017- come from the published lists
                # Consecutive years on a list "som udkom første gang i 2010": in 2013 both lists.
                for list_date in (("2013-10-01", "2013-12") if year == 2013 else ("",)):
                    history.append([year, list_date, canonical(r["area"]), "ghetto",
                                    "Odense Kommune, BSU 22.09.2020, punkt 4: sammenhængende år på listen",
                                    "derived", "from the count of consecutive years on the list as of September 2020"])
        for r in read("odense_status_2020q3.csv"):
            area = self.area_id(r["area"])
            for indicator in CRITERIA:
                raw = r[indicator]
                own = indicator == "outside_labour_market_pct"
                status = "estimate" if own else "final"
                note = "kommunens egne data" if own else "låst af ministeriet"
                if raw == "":
                    self.observations.append(["område", area, indicator, "2020Q3", "afventer", "", "",
                                              ODENSE_P3, MEETING, "provisional", "opdateres i oktober"])
                    continue
                value = int(raw) if indicator == "residents" else float(raw)
                precise = more_precise(raw, monitoring.get((area, indicator)))
                if precise is not None:
                    note += f" (punkt 3 afrunder til {dk(value, decimals_of(raw))} %, punkt 4 giver samme tal " \
                            f"med flere decimaler)"
                    value = precise
                self.obs("område", area, indicator, "2020Q3", value, ODENSE_P3, MEETING, status, note,
                         DECIMALS.get(indicator, 1))
        return history

    def baselines(self):
        """Synthetic municipal, regional and national values for the list criteria."""
        levels = [("kommune", "461", 22.0), ("kommune", "330", 14.0), ("region", "083", 12.0),
                  ("region", "085", 10.0), ("land", "000", 11.0)]
        for level, code, non_western in levels:
            latest = {"non_western_pct": non_western, "outside_labour_market_pct": 18.0 + self.rng.uniform(-2, 2),
                      "convicted_pct": 0.76 + self.rng.uniform(-0.1, 0.1),
                      "primary_school_only_pct": 24.0 + self.rng.uniform(-3, 3),
                      "income_pct_of_region": 100.0 if level != "kommune" else 96 + self.rng.uniform(-4, 4)}
            if level == "land":  # not drawn freely: the 2020 list's 2,27 % is 3 x the national average, 0,76 %
                latest["convicted_pct"] = 0.76
                del latest["income_pct_of_region"]  # income is measured against one's region: no national figure
            for indicator, value in latest.items():
                decimals = DECIMALS.get(indicator, 1)
                self.obs(level, code, indicator, "2020Q3", round(value, decimals), SYNTHETIC, MEETING,
                         "synthetic", decimals=decimals)
            # Whole municipalities move slowly: a quarter of an area's steps.
            self.synthetic_history(level, code, {k: v for k, v in latest.items() if k != "income_pct_of_region"},
                                   scale=0.25)

    def slagelse(self):
        """Slagelse's three areas: list criteria are synthetic; LBF indicators are published."""
        shapes = {"Ringparken": (1850, 57.0, 46.0, 2.4, 63.0, 52.0), "Motalavej": (1420, 54.0, 44.0, 2.5, 61.5, 53.0),
                  "Sydbyen": (1150, 38.0, 36.0, 1.2, 52.0, 62.0)}
        for name, values in shapes.items():
            area = self.add_area(name, "Slagelse")
            latest = dict(zip(CRITERIA, values))
            for indicator, value in latest.items():
                decimals = DECIMALS.get(indicator, 1)
                self.obs("område", area, indicator, "2020Q3", value, SYNTHETIC, MEETING, "synthetic", decimals=decimals)
            self.synthetic_counts(area, latest["residents"], "2020Q3")
            self.synthetic_history("område", area, latest)

    def lbf_goals(self, plan: str):
        ids = {
            "Andel 1-5-årige i dagtilbud": "lbf_daycare_1_5_pct",
            "Karaktergennemsnit i dansk og matematik, 9. klasse": "lbf_grade_9th_danish_maths",
            "Andel 18-29-årige med grundskole som højest fuldførte uddannelse, ikke i gang med uddannelse":
                "lbf_primary_only_18_29_not_in_education_pct",
            "Andel 15-29-årige hverken i uddannelse eller beskæftigelse (restgruppen)": "lbf_neet_15_29_pct",
            "Andel 18-64-årige uden tilknytning til arbejdsmarked og uddannelse": "lbf_no_attachment_18_64_pct",
            "Andel 15-29-årige sigtet mindst én gang": "lbf_charged_15_29_pct",
            "Andel beboere over 18 år, der føler sig grundlæggende trygge": "lbf_feel_safe_pct",
            "Andel beboere over 18 år, der laver frivilligt arbejde (i boligområdet)": "lbf_volunteering_pct",
            "Andel stemmeberettigede, der stemte ved folketingsvalget": "lbf_voter_turnout_pct",
            "Andel unge, der opnår 02 i dansk og matematik ved 9. klasses afgangsprøve": "plan_passed_02_danish_maths_pct",
            "Andel beboere, der oplever at være del af et fællesskab i boligområdet": "plan_part_of_community_pct",
        }
        for r in read("slagelse_lbf_goals_baseline.csv"):
            indicator, year = ids[r["indicator"]], int(r["year"])
            source = f"{r['source']} (baseline i {AGREEMENT})"
            decimals = 1
            for level, code, raw in (("helhedsplan", plan, r["area_value"]), ("kommune", "330", r["municipality_value"])):
                if raw == "":
                    continue  # "Opgøres ikke": no municipal figure exists
                value = float(raw)
                self.obs(level, code, indicator, str(year), value, source, AGREEMENT_DATE, "final", decimals=decimals)
                # Synthetic follow-up years, for the development against the municipality.
                for later in range(year + 1, 2025):
                    if indicator in ("lbf_feel_safe_pct", "lbf_volunteering_pct", "plan_part_of_community_pct") \
                            and (later - year) % 3:
                        continue  # the survey is not yearly
                    if indicator == "lbf_voter_turnout_pct" and later not in (2021, 2022):
                        continue  # elections: kommunalvalg 2021, folketingsvalg 2022
                    # Steps in proportion to small shares, so a 3 % share does not walk to 0.
                    spread = 0.3 if r["unit"] == "grade" else min(1.5, 0.08 * max(value, 1.0))
                    value = value + self.rng.gauss(0.2 if level == "helhedsplan" else 0, spread)
                    upper = 12.0 if r["unit"] == "grade" else 100.0
                    value = min(upper, max(0.0, value))
                    self.obs(level, code, indicator, str(later), round(value, 1), SYNTHETIC, "2024-12-31",
                             "synthetic", decimals=1)

    def profile(self, plan: str):
        ids = {
            "Andel 15-64-årige med grundskole som højest fuldførte uddannelse": "primary_only_15_64_pct",
            "Andel 18-29-årige med grundskole som højest fuldførte uddannelse": "primary_only_18_29_pct",
            "Andel 18-64-årige i beskæftigelse": "employed_18_64_pct",
            "Andel langvarigt ledige blandt ledige": "long_term_unemployed_share_pct",
            "Andel 18-64-årige på kontanthjælp": "social_assistance_18_64_pct",
            "Gennemsnitlig husstandsindkomst": "household_income_dkk",
            "Sigtelser pr. 1000 beboere": "charges_per_1000",
            "Sigtede pr. 1000 beboere": "charged_persons_per_1000",
            "Andel beboere under 18 år": "under_18_pct",
            "Andel med ikke-vestlig baggrund": "non_western_background_pct",
            "Fraflytningsprocent": "moving_out_pct",
            "Andel glade for at bo i boligområdet": "happy_living_pct",
            "Andel trygge (Rigspolitiets tryghedsmåling)": "feel_safe_police_survey_pct",
            "Andel 9.-klasseselever ikke vurderet uddannelsesparate": "not_ready_for_education_9th_pct",
        }
        for r in read("slagelse_area_profile.csv"):
            indicator = ids[r["indicator"]]
            period = r["year"] or "2021"
            note = r["note"] if r["year"] else f"år ikke angivet i aftalen; opført under aftaleåret 2021. {r['note']}".strip()
            decimals = 0
            for level, code, raw in (("helhedsplan", plan, r["area_value"]), ("kommune", "330", r["municipality_value"])):
                if raw:
                    self.obs(level, code, indicator, period, float(raw), AGREEMENT, AGREEMENT_DATE, "final",
                             note, decimals=decimals)

    # --- writing -------------------------------------------------------------------------
    def build(self):
        self.out.mkdir(parents=True, exist_ok=True)
        history = self.lists()
        history += self.odense()
        self.slagelse()
        self.baselines()
        plan_2017, plan_2021 = "slagelse-helhedsplan-2017", "slagelse-en-faelles-indsats"
        self.lbf_goals(plan_2021)
        self.profile(plan_2021)

        area_rows = sorted(([a["id"], a["name"], a["code"], a["aliases"], a["sections"], ""]
                            for a in self.areas.values()), key=lambda r: r[0])
        write_csv(self.out / "omraader.csv",
                  ["områdekode", "områdenavn", "kommunekode", "andre_navne", "afdelinger", "bemærkning"], area_rows)
        slagelse_areas = ";".join(self.area_id(n) for n in ("Ringparken", "Motalavej", "Sydbyen"))
        note_2017 = "Slagelse Kommune, notat »Boligsocial Helhedsplan august 2020«"
        write_csv(self.out / "helhedsplaner.csv",
                  ["helhedsplankode", "navn", "kommunekode", "områder", "startdato", "slutdato", "vedtaget",
                   "samlet_ramme_kr", "lbf_ramme_kr", "rammebemærkning", "rammekilde", "bemærkning"], [
                      [plan_2017, "Boligsocial Helhedsplan 2017-2021 (Slagelse, Korsør og Skælskør)", "330",
                       slagelse_areas, "2017-01-01", "2021-09-30", "2017-06-26", "44.450.000", "25.000.000",
                       "Landsbyggefondens bidrag er i notatet afrundet: »ca. 25 mio.«",
                       f"{note_2017}: byrådets vedtagelse 26.6.2017",
                       "Seed 000 names the plan, not its areas; registered with the areas of the follow-up plan"],
                      [plan_2021, "En Fælles Indsats", "330", slagelse_areas, "2021-10-01", "2025-09-30", "", "", "",
                       "", "", "Strategisk samarbejdsaftale 01.10.21-30.09.25 (Motalavej, Ringparken, Sydbyen)"],
                  ])
        write_csv(self.out / "observationer.csv",
                  ["geografiniveau", "geografikode", "indikator", "periode", "værdi", "tæller", "nævner",
                   "kilde", "opgjort", "status", "bemærkning"], self.observations)
        write_csv(self.out / "listehistorik.csv",
                  ["listeår", "listedato", "område", "betegnelse", "kilde", "belæg", "bemærkning"],
                  sorted(history, key=lambda r: (r[0], r[1], r[2], r[3])))
        write_csv(self.out / "listehistorik_daekning.csv", ["kommunekode", "dækket_fra", "kilde"], [
            ["461", "2010", "Odense Kommune, BSU 22.09.2020, punkt 4: sammenhængende år på listen, som udkom første "
                            "gang i 2010"],
            ["alle", "2017", "De offentliggjorte lister 2017-2024 (boligdata/data/published_lists.csv)"],
        ])
        self.economy(plan_2017)
        self.staff(plan_2021)
        self.activities(plan_2021)
        self.letting_and_support()
        write_csv(self.out / "kategorier.csv", ["område", "periode", "kategori", "kilde"],
                  [[canonical(r["area"]), "2020K3", r["odense_category"], ODENSE_P4]
                   for r in read("odense_monitoring_2020q3.csv")])

    def economy(self, plan: str):
        rows = []
        for r in read("slagelse_helhedsplan_budget.csv"):
            kind = "regnskab" if r["kind"] == "accounts" else "budget"
            source = "Slagelse Kommune, notat »Boligsocial Helhedsplan august 2020«, bilag 1 (tabel)"
            # The note's table is Slagelse Kommune's part: what LBF bought of municipal activities,
            # and the municipality's co-financing; not the whole plan (seed 000).
            rows.append([plan, r["year"], kind, "lbf", dk(int(r["lbf_dkk"]), 0), "kommunens_del", source, "endelig"])
            rows.append([plan, r["year"], kind, "kommune", dk(int(r["municipality_dkk"]), 0), "kommunens_del", source,
                         "endelig"])
        write_csv(self.out / "oekonomi.csv",
                  ["helhedsplankode", "år", "art", "finansieringspart", "beløb_kr", "omfang", "kilde", "status"], rows)

    def staff(self, plan: str):
        source = f"{AGREEMENT}, delaftale: medarbejderressourcer"
        table = {  # seed 002, "Medarbejderressourcer for indsatsområdet" in each delaftale
            "Uddannelse og livschancer": [("Chef for helhedsplanen", 25, None, ""), ("Beboervejledere", 20, None, ""),
                                          ("Boligsociale familiemedarbejdere", 50, None, ""), ("Fritidsjobvejleder", 20, None, ""),
                                          ("Aktivitetsmedarbejder", 33, None, ""),
                                          ("UU-vejleder", None, 9, "kommunal medfinansiering")],
            "Beskæftigelse": [("Chef for helhedsplanen", 25, None, ""), ("Beboervejledere", 20, None, ""),
                              ("Fritidsjobvejleder", 20, None, ""), ("Mentorkoordinator", None, 37, "KVINFO"),
                              ("Jobkonsulent, CAI (etniske minoritetskvinder)", None, 37, "kommunal medfinansiering"),
                              ("Jobkonsulent, CAI (håndholdt beskæftigelsesindsats)", None, 31, "kommunal medfinansiering"),
                              ("Jobkonsulent, CAI (lokal beskæftigelsesvejledning)", None, 6, "kommunal medfinansiering")],
            "Kriminalitetsforebyggelse": [("Chef for helhedsplanen", 25, None, ""), ("Beboervejledere", 20, None, ""),
                                          ("Boligsociale familievejledere", 25, None, ""), ("Fritidsjobvejleder", 60, None, ""),
                                          ("Aktivitetsmedarbejder", 33, None, ""),
                                          ("Get2Sport koordinator", None, 17, "kommunal medfinansiering")],
            "Sammenhængskraft og medborgerskab": [("Chef for helhedsplanen", 25, None, ""), ("Beboervejledere", 40, None, ""),
                                                  ("Boligsociale familiemedarbejdere", 25, None, ""),
                                                  ("Aktivitetsmedarbejder", 34, None, "")],
        }
        rows = [[plan, focus, role, "" if share is None else share, "" if hours is None else hours, financed, source]
                for focus, entries in table.items() for role, share, hours, financed in entries]
        write_csv(self.out / "medarbejdere.csv",
                  ["helhedsplankode", "indsatsområde", "funktion", "andel_pct", "timer_pr_uge", "finansiering", "kilde"],
                  rows)

    def activities(self, plan: str):
        """Published annual targets for 2022-2025; synthetic actuals for 2022-2024; 2025 not registered yet."""
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.title = "data"
        sheet.append(["helhedsplankode", "indsatsområde", "aktivitetsindikator", "år", "mål", "resultat", "enhed",
                      "baseline", "datakilde", "status"])
        # What the agreement counts in events or conversations rather than persons (its own words).
        events = ("camps/events", "ferieaktiviteter", "samtaler", "Større aktiviteter")
        for r in read("slagelse_activity_targets.csv"):
            target = int(r["annual_target"])
            unit = "aktiviteter" if any(word in r["activity_indicator"] for word in events) else "personer"
            for year in (2022, 2023, 2024, 2025):
                actual = None if year == 2025 else max(0, round(target * self.rng.uniform(0.55, 1.25)))
                status = "endelig" if actual is None else "syntetisk"
                sheet.append([plan, r["focus_area"], r["activity_indicator"], year, target, actual, unit,
                              int(r["baseline"]), r["data_source"], status])
        notes = workbook.create_sheet("vejledning")
        notes.append(["Mål og baseline: delaftalerne i den strategiske samarbejdsaftale (publiceret)."])
        notes.append(["Resultater 2022-2024 er SYNTETISKE (konstrueret til eksemplet); 2025 er ikke registreret."])
        workbook.properties.creator = "boligdata sample"
        (self.out / "aktiviteter.xlsx").write_bytes(workbook_bytes(workbook))

    def letting_and_support(self):
        rows = []
        for r in read("odense_strategic_letting_2020.csv"):
            area = canonical(r["area"])
            for column, first, last in (("q3_2020", "2020K3", "2020K3"), ("q1_q3_2020", "2020K1", "2020K3"),
                                        ("year_2019", "2019K1", "2019K4")):
                rows.append([area, r["letting_type"], first, last, r[column] or "-", ODENSE_P3, "endelig"])
        write_csv(self.out / "udlejning.csv",
                  ["område", "udlejningsform", "fra_kvartal", "til_kvartal", "antal", "kilde", "status"], rows)
        rows = []
        for r in read("odense_self_support_counts.csv"):
            measure = "offentligt_forsørgede" if r["measure"].startswith("Offentligt") else "selvforsørgende"
            rows.append([canonical(r["area"]), measure, r["period"], r["count"], ODENSE_P3, "endelig"])
        write_csv(self.out / "forsoergelse.csv", ["område", "gruppe", "periode", "antal", "kilde", "status"], rows)


if __name__ == "__main__":
    Sample(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "raw").build()
