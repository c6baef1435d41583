"""Helhedsplan: LBF's fixed goals against the municipality, activity targets, economy, staff.

>>> h = Helhedsplan(None, "2024Q4", "slagelse-en-faelles-indsats")
>>> h.name
'En Fælles Indsats'
"""

from __future__ import annotations

import pandas as pd

from ..catalog import load_catalog
from ..plan import (
    KIND_DA,
    PARTY_DA,
    PARTY_PART_DA,
    activity_table,
    cofinancing_requirement,
    economy_table,
    economy_totals,
    goals_table,
    plan_settings,
    staff_summary,
    staff_table,
)
from ..present import disclosure
from ..present.charts import line_panels
from ..present.comparison import developments_da, level_da, trend_da
from ..present.dates import date_da, period_label, quarter_da
from ..present.disclosure import Ledger
from ..present.html import Html, bullets, heading, paragraph, table, value_da
from ..present.numbers_da import number_da, pct_da
from .common import (
    ReportContext,
    footer,
    is_synthetic,
    left_out,
    lookup,
    register_series,
    share_key,
    sources_table,
    title_block,
)


class Helhedsplan:
    """The follow-up report of one boligsocial helhedsplan."""

    def __init__(self, workspace, quarter: str, plan: str, internal: bool = False, as_of=None):
        self.ctx = ReportContext.create(workspace, quarter, internal, as_of)
        row = lookup(self.ctx.tables.plans, "plan_id", plan, "plan")
        self.row = row
        self.plan, self.name, self.municipality = plan, row["plan_name"], row["municipality_code"]
        areas = self.ctx.tables.areas.set_index("area_id")
        area_ids = str(row["area_ids"]).split(";")
        self.area_names = [areas.loc[a, "area_name"] for a in area_ids]
        self.municipality_name = areas.loc[area_ids[0], "municipality_name"]
        series = self.ctx.snapshot.series
        self.observations = series[((series["geo_level"] == "plan") & (series["geo_code"] == plan))
                                   | ((series["geo_level"] == "municipality") & (series["geo_code"] == self.municipality)
                                      & series["indicator"].str.startswith(("lbf_", "plan_")))]
        self.catalog = load_catalog()
        self.activities = activity_table(self.ctx.tables, plan, as_of=self.ctx.as_of)
        self.economy = economy_table(self.ctx.tables, plan, as_of=self.ctx.as_of)
        self.ledger = self._disclose()

    def _disclose(self) -> Ledger:
        """Every number of the report in the ledger, decided once before anything is rendered."""
        ledger = Ledger(disclosure.active())
        plan_rows = self.observations[self.observations["geo_level"] == "plan"]
        register_series(ledger, plan_rows)
        for row in self.activities.itertuples():
            kind = "activities" if row.unit == "persons" else "activity_events"
            ledger.count(("activity", self.plan, row.indicator, row.year), row.actual, kind)
        ledger.resolve()
        return ledger

    def _plan_hidden(self, indicator: str, period) -> bool:
        return isinstance(period, str) and self.ledger.hidden(share_key(self.plan, indicator, period))

    def title(self) -> Html:
        synthetic = is_synthetic(self.observations, self.activities)
        return title_block(f"Helhedsplan: {self.name}",
                           f"{', '.join(self.area_names)} · {self.municipality_name} Kommune · "
                           f"{quarter_da(self.ctx.quarter)} · tal pr. {self.ctx.as_of_da()}",
                           synthetic, self.ctx.internal)

    def goals(self) -> Html:
        """LBF's fixed indicators with baseline and latest values against the municipality."""
        goals = goals_table(self.ctx.snapshot, self.plan)
        goals = goals[goals["baseline_period"].notna()] if "baseline_period" in goals else goals.iloc[0:0]
        if goals.empty:
            return paragraph("Der er ingen tal for LBF's faste indikatorer for helhedsplanens område.")
        goals = goals.copy()
        for column in ("baseline_value", "baseline_municipality", "latest_value", "latest_municipality", "latest_gap",
                       "development", "trend", "note_da"):
            if column not in goals:
                goals[column] = None
        has_baseline = [bool(self.catalog.loc[i, "municipal_baseline"]) for i in goals["indicator"]]
        goals["level_da"] = [note if isinstance(note, str) else
                             level_da(gap, self.catalog.loc[i, "better"], self.catalog.loc[i, "tolerance"], base)
                             for note, gap, i, base in zip(goals["note_da"], goals["latest_gap"], goals["indicator"],
                                                           has_baseline)]
        goals["trend_da"] = [trend_da(t) if isinstance(t, str) else "–" for t in goals["trend"]]
        goals["development_da"] = developments_da(goals)
        for column in ("baseline_value", "baseline_municipality", "latest_value", "latest_municipality"):
            goals[column] = [value_da(v, u, i) for v, u, i in zip(goals[column], goals["unit"], goals["indicator"])]
        goals["baseline_year"] = goals["baseline_period"].map(lambda p: period_label(p) if isinstance(p, str) else "–")
        goals["latest_year"] = goals["latest_period"].map(lambda p: period_label(p) if isinstance(p, str) else "–")
        label = disclosure.active().share_label_da
        for value, period in (("baseline_value", "baseline_period"), ("latest_value", "latest_period")):
            goals[value] = [label if self._plan_hidden(i, p) else v
                            for i, p, v in zip(goals["indicator"], goals[period], goals[value])]
        # A comparison over hidden figures would give them back.
        hidden = [self._plan_hidden(i, b) or self._plan_hidden(i, latest)
                  for i, b, latest in zip(goals["indicator"], goals["baseline_period"], goals["latest_period"])]
        for column in ("level_da", "trend_da", "development_da"):
            goals[column] = ["–" if h else v for h, v in zip(hidden, goals[column])]
        # LBF's nine fixed indicators, and the plan's own sub-goals (delmål) in a table of their own.
        captions = {"lbf_fixed": "LBF's faste indikatorer: baseline og seneste tal for området og kommunen",
                    "plan_goal": "Helhedsplanens egne delmål: baseline og seneste tal for området og kommunen"}
        groups = goals["indicator"].map(self.catalog["group"]).where(lambda g: g == "plan_goal", "lbf_fixed")
        return Html("".join(self._goal_table(goals[groups == group], caption) for group, caption in captions.items()
                            if (groups == group).any()))

    def _goal_table(self, goals: pd.DataFrame, caption: str) -> Html:
        return table(goals, {"label_da": ("Indikator", "text"),
                             "baseline_year": ("År", "text"), "baseline_value": ("Området", "numtext"),
                             "baseline_municipality": ("Kommunen", "numtext"),
                             "latest_year": ("År", "text"), "latest_value": ("Området", "numtext"),
                             "latest_municipality": ("Kommunen", "numtext"),
                             "level_da": ("Området ligger nu", "text"),
                             "trend_da": ("Forskellen til kommunen er blevet", "text"),
                             "development_da": ("Udviklingen i området", "text")},
                     caption=caption,
                     groups=[("", 1), ("Baseline", 3), ("Seneste", 3), ("Sammenligning med kommunen", 3)],
                     meaning=lambda row, key: share_key(self.plan, row["indicator"], row["latest_period"])
                     if key == "latest_value" and isinstance(row["latest_period"], str) else
                     share_key(self.plan, row["indicator"], row["baseline_period"])
                     if key == "baseline_value" and isinstance(row["baseline_period"], str) else None)

    def goal_charts(self) -> Html:
        gaps = self.ctx.snapshot.gaps
        gaps = gaps[(gaps["geo_level"] == "plan") & (gaps["geo_code"] == self.plan) & gaps["indicator"].str.startswith("lbf_")
                    & gaps["municipality_value"].notna()]
        catalog = self.catalog
        panels = []
        for indicator, part in gaps.groupby("indicator", sort=True):
            part = part.sort_values("period")
            if len(part) < 2:
                continue
            part = part[[not self._plan_hidden(indicator, p) for p in part["period"]]]
            if len(part) < 2:
                continue
            suffix = " %" if catalog.loc[indicator, "unit"] == "pct" else ""
            panels.append({"title": catalog.loc[indicator, "label_da"], "decimals": 1, "suffix": suffix, "series": {
                "Området": [(p, float(v), share_key(self.plan, indicator, p)) for p, v in zip(part["period"], part["value"])],
                f"{self.municipality_name} Kommune": [(p, float(v)) for p, v in zip(part["period"],
                                                                                   part["municipality_value"])]}})
        chart = line_panels(panels, title="LBF's faste indikatorer: området og kommunen over tid")
        return chart if panels else paragraph("Ingen udvikling at vise endnu.")

    def activities_section(self) -> Html:
        """Per focus area one table: a row per activity indicator, the target and the result of each year."""
        if self.activities.empty:
            return paragraph("Der er ingen aktivitetsmål registreret.")
        activities = self.activities
        years = sorted(activities["year"].unique())
        parts = []
        for focus, part in activities.groupby("focus_area", sort=True):
            rows, meanings = [], {}
            for indicator, one in part.groupby("indicator", sort=False):
                row = {"indicator": indicator}
                for item in one.itertuples():
                    key = ("activity", self.plan, indicator, item.year)
                    if pd.isna(item.actual):
                        result = "ikke registreret" if item.year < self.ctx.as_of.year else "–"
                    elif self.ledger.hidden(key):
                        result = self.ledger.label(key)
                    else:
                        result = number_da(item.actual)
                    row[f"target_{item.year}"] = number_da(item.target)
                    row[f"actual_{item.year}"] = result
                    meanings[(indicator, f"target_{item.year}")] = ("activity-target",) + key[1:]
                    meanings[(indicator, f"actual_{item.year}")] = key
                rows.append(row)
            columns = {"indicator": ("Aktivitetsindikator", "text")}
            for year in years:
                columns[f"target_{year}"] = ("Mål", "numtext")
                columns[f"actual_{year}"] = ("Resultat", "numtext")
            parts.append(heading(focus, 3))
            parts.append(table(pd.DataFrame(rows), columns, caption=f"{focus}: mål og resultat pr. år",
                               groups=[("", 1)] + [(str(year), 2) for year in years],
                               meaning=lambda row, key, m=meanings: m.get((row["indicator"], key))))
        parts.append(paragraph(f"Et års resultat kan tidligst foreligge, når året er omme: et tidligere år uden "
                               f"registreret resultat står som «ikke registreret»; {self.ctx.as_of.year} og senere år "
                               f"står som «–».", "bd-note"))
        return Html("".join(parts))

    def economy_section(self) -> Html:
        if self.economy.empty:
            return paragraph("Der er ingen budget- eller regnskabstal for denne helhedsplan.")
        economy = self.economy.copy()
        economy["kind_da"] = economy["kind"].map(KIND_DA)
        part = economy["scope"].iloc[0] == "municipality_part"
        names = PARTY_PART_DA if part else PARTY_DA
        columns = {"year": ("År", "text"), "kind_da": ("Art", "text")}
        for party, title in names.items():
            if economy[party].notna().any():
                columns[party] = (title, "kr")
        columns.update({"total": ("Kommunens del i alt" if part else "I alt", "kr"),
                        "cumulative_total": ("Akkumuleret", "kr")})
        if not part:
            columns["local_share_pct"] = ("Lokal medfinansiering", "pct")
        totals = economy_totals(economy)
        years = f"{int(economy['year'].min())}-{int(economy['year'].max())}"
        if part:
            texts = [f"Tabellen viser kommunens del af helhedsplanen, som kilden opgør den: kommunale aktiviteter for i "
                     f"alt {number_da(totals['total'])} kr. i {years}, heraf købt af Landsbyggefonden for "
                     f"{number_da(totals.get('lbf', 0))} kr. og finansieret af kommunen med "
                     f"{number_da(totals.get('municipality', 0))} kr. Det er ikke hele planens økonomi."]
        else:
            texts = [f"I alt {number_da(totals['total'])} kr. i {years}, heraf Landsbyggefonden "
                     f"{number_da(totals.get('lbf', 0))} kr."]
        frame = self._frame()
        if frame:
            texts.append(frame)
        requirement = cofinancing_requirement(self.row)
        if requirement is None:
            adopted = pd.notna(self.row.get("adopted"))
            when = (f"blev vedtaget {date_da(self.row['adopted'])}" if adopted
                    else f"begyndte {date_da(self.row['start_date'])}")
            texts.append(f"Landsbyggefondens krav om mindst {pct_da(plan_settings()['cofinancing']['min_local_share_pct'], 0)} "
                         f"lokal medfinansiering gælder helhedsplaner under 2019-26-midlerne. Planen {when}, og "
                         f"kravet i dens egen periode står ikke i rapportens kilder, så medfinansieringen vurderes "
                         f"ikke her.")
        elif not part:
            minimum = requirement["min_local_share_pct"]
            verdict = "opfylder" if totals["local_share_pct"] >= minimum else "opfylder ikke"
            texts.append(f"Den lokale medfinansiering er {pct_da(totals['local_share_pct'])} og {verdict} "
                         f"Landsbyggefondens krav om mindst {pct_da(minimum, 0)} ({requirement['source']}).")
        caption = ("Kommunens del af helhedsplanen pr. år: budget og regnskab" if part else
                   "Budget og regnskab pr. år og finansieringspart")
        return Html(table(economy, columns, caption=caption) + "".join(paragraph(t) for t in texts))

    def _frame(self) -> str | None:
        """The whole plan's economic frame, where the plan registry gives it."""
        total, lbf = self.row.get("total_budget_dkk"), self.row.get("lbf_budget_dkk")
        if pd.isna(total):
            return None
        text = f"Hele helhedsplanens økonomiske ramme er {number_da(total)} kr. inkl. boligorganisationernes bidrag"
        if pd.notna(lbf):
            text += f", heraf {number_da(lbf)} kr. fra Landsbyggefonden"
        text += "."
        if isinstance(self.row.get("frame_note"), str):
            note = self.row["frame_note"].strip()
            text += f" {note}" + ("" if note.endswith((".", "«", "»")) else ".")
        if isinstance(self.row.get("frame_source"), str):
            text += f" Kilde: {self.row['frame_source']}."
        return text

    def staff_section(self) -> Html:
        staff = staff_table(self.ctx.tables, self.plan)
        if staff.empty:
            return paragraph("Der er ingen medarbejderressourcer registreret.")
        summary = staff_summary(staff)
        parts = [table(summary, {"focus_area": ("Indsatsområde", "text"), "roles": ("Funktioner", "int"),
                                 "hours_per_week": ("Timer pr. uge (angivet)", "int"),
                                 "municipal_hours_per_week": ("Heraf kommunalt finansieret", "int")},
                       caption="Medarbejderressourcer pr. indsatsområde")]
        parts.append(table(staff, {"focus_area": ("Indsatsområde", "text"), "role": ("Funktion", "text"),
                                   "share_pct": ("Andel af kapacitet", "pct"), "hours_per_week": ("Timer pr. uge", "int"),
                                   "financed_by": ("Finansiering", "text")}, caption="Funktioner"))
        return Html("".join(parts))

    def sources(self) -> Html:
        """The documents behind every part of the report: indicator figures, economy, activities, staff."""
        parts = [sources_table(self.observations, self.ctx.tables)]
        tables = self.ctx.tables
        documents = []
        economy = tables.economy[tables.economy["plan_id"] == self.plan]
        documents += [f"Økonomi: {source}" for source in sorted(set(economy["source"].dropna()))]
        if isinstance(self.row.get("frame_source"), str):
            documents.append(f"Planens samlede ramme: {self.row['frame_source']}")
        activities = tables.activities[tables.activities["plan_id"] == self.plan]
        documents += [f"Aktivitetsmål og resultater: {source}" for source in sorted(set(activities["data_source"].dropna()))]
        staff = tables.staff[tables.staff["plan_id"] == self.plan]
        documents += [f"Medarbejderressourcer: {source}" for source in sorted(set(staff["source"].dropna()))]
        if documents:
            parts.append(heading("Øvrige kilder", 3))
            parts.append(bullets(documents))
        note = left_out(self.ctx.snapshot, [self.plan, self.municipality], lists=False)
        if note:
            parts.append(paragraph(note))
        return Html("".join(parts))

    def footer(self) -> Html:
        return footer(self.ctx, self.observations)
