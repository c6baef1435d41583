"""Helhedsplan: LBF's fixed goals against the municipality, activity targets, economy, staff.

>>> h = Helhedsplan(None, "2024Q4", "slagelse-en-faelles-indsats")
>>> h.name
'En Fælles Indsats'
"""

from __future__ import annotations

import pandas as pd

from ..gaps import VERDICT_DA
from ..plan import KIND_DA, PARTY_DA, activity_table, economy_table, economy_totals, goals_table, plan_settings, staff_summary, staff_table
from ..present import disclosure
from ..present.charts import line_panels
from ..present.disclosure import Ledger
from ..present.html import Html, heading, paragraph, table, value_da
from ..present.numbers_da import number_da, pct_da
from ..present.dates import quarter_da
from .common import (ReportContext, footer, is_synthetic, left_out, lookup, register_series, share_key, sources_table, title_block)



class Helhedsplan:
    """The follow-up report of one boligsocial helhedsplan."""

    def __init__(self, workspace, quarter: str, plan: str, internal: bool = False, as_of=None):
        self.ctx = ReportContext.create(workspace, quarter, internal, as_of)
        row = lookup(self.ctx.tables.plans, "plan_id", plan, "plan")
        self.plan, self.name, self.municipality = plan, row["plan_name"], row["municipality_code"]
        areas = self.ctx.tables.areas.set_index("area_id")
        area_ids = str(row["area_ids"]).split(";")
        self.area_names = [areas.loc[a, "area_name"] for a in area_ids]
        self.municipality_name = areas.loc[area_ids[0], "municipality_name"]
        series = self.ctx.snapshot.series
        self.observations = series[((series["geo_level"] == "plan") & (series["geo_code"] == plan))
                                   | ((series["geo_level"] == "municipality") & (series["geo_code"] == self.municipality)
                                      & series["indicator"].str.startswith(("lbf_", "plan_")))]
        self.activities = activity_table(self.ctx.tables, plan, as_of=self.ctx.as_of)
        self.economy = economy_table(self.ctx.tables, plan, as_of=self.ctx.as_of)
        self.ledger = self._disclose()

    def _disclose(self) -> Ledger:
        """Every number of the report in the ledger, decided once before anything is rendered."""
        ledger = Ledger(disclosure.active())
        plan_rows = self.observations[self.observations["geo_level"] == "plan"]
        register_series(ledger, plan_rows)
        for row in self.activities.itertuples():
            actual = ledger.count(("activity", self.plan, row.indicator, row.year), row.actual, "activities")
            ledger.derived(("activity-share", self.plan, row.indicator, row.year), row.share_of_target_pct, actual)
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
        goals["development_text"] = [
            note if isinstance(note, str) else (VERDICT_DA.get(dev, "–") + " end kommunen" if isinstance(dev, str) else "–")
            for note, dev in zip(goals.get("note_da", pd.Series([None] * len(goals))),
                                 goals.get("development", pd.Series([None] * len(goals))))]
        goals["development_text"] = goals["development_text"].str.replace("på niveau end kommunen", "som kommunen")
        for column in ("baseline_value", "baseline_municipality", "latest_value", "latest_municipality"):
            if column not in goals:
                goals[column] = None
            goals[column] = [value_da(v, u, i) for v, u, i in zip(goals[column], goals["unit"], goals["indicator"])]
        label = disclosure.active().share_label_da
        for value, period in (("baseline_value", "baseline_period"), ("latest_value", "latest_period")):
            goals[value] = [label if self._plan_hidden(i, p) else v
                            for i, p, v in zip(goals["indicator"], goals[period], goals[value])]
        # A development over hidden figures would give them back.
        goals["development_text"] = ["–" if self._plan_hidden(i, b) or self._plan_hidden(i, latest) else text
                                     for i, b, latest, text in zip(goals["indicator"], goals["baseline_period"],
                                                                   goals["latest_period"], goals["development_text"])]
        return table(goals, {"label_da": ("Indikator", "text"), "baseline_period": ("Baseline", "text"),
                             "baseline_value": ("Området", "text"), "baseline_municipality": ("Kommunen", "text"),
                             "latest_period": ("Seneste", "text"), "latest_value": ("Området", "text"),
                             "latest_municipality": ("Kommunen", "text"),
                             "development_text": ("Udvikling", "text")},
                     caption="LBF's faste indikatorer: baseline og seneste tal for området og kommunen")

    def goal_charts(self) -> Html:
        gaps = self.ctx.snapshot.gaps
        gaps = gaps[(gaps["geo_level"] == "plan") & (gaps["geo_code"] == self.plan) & gaps["indicator"].str.startswith("lbf_")
                    & gaps["municipality_value"].notna()]
        from ..catalog import load_catalog

        catalog = load_catalog()
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
        if self.activities.empty:
            return paragraph("Der er ingen aktivitetsmål registreret.")
        parts = []
        activities = self.activities.copy()
        activities["actual_da"] = [
            "–" if pd.isna(a) else self.ledger.label(k) if self.ledger.hidden(k) else number_da(a)
            for a, k in zip(activities["actual"], (("activity", self.plan, i, y) for i, y in
                                                    zip(activities["indicator"], activities["year"])))]
        activities["share_da"] = [
            "–" if pd.isna(v) else self.ledger.label(k) if self.ledger.hidden(k) else pct_da(v)
            for v, k in zip(activities["share_of_target_pct"], (("activity-share", self.plan, i, y) for i, y in
                                                                 zip(activities["indicator"], activities["year"])))]
        for focus, part in activities.groupby("focus_area", sort=True):
            parts.append(heading(focus, 3))
            parts.append(table(part, {"indicator": ("Aktivitetsindikator", "text"), "year": ("År", "text"),
                                      "target": ("Mål", "int"), "actual_da": ("Resultat", "text"),
                                      "share_da": ("Andel af mål", "text"), "status_da": ("Status", "text")},
                               caption=f"{focus}: mål og resultater pr. år",
                               meaning=lambda row, key: ("activity", self.plan, row["indicator"], row["year"])
                               if key == "actual_da" else ("activity-share", self.plan, row["indicator"], row["year"])
                               if key == "share_da" else ("activity-target", self.plan, row["indicator"], row["year"])
                               if key == "target" else None))
        return Html("".join(parts))

    def economy_section(self) -> Html:
        if self.economy.empty:
            return paragraph("Der er ingen budget- eller regnskabstal for denne helhedsplan.")
        economy = self.economy.copy()
        economy["kind_da"] = economy["kind"].map(KIND_DA)
        columns = {"year": ("År", "text"), "kind_da": ("Art", "text")}
        for party, title in PARTY_DA.items():
            if economy[party].notna().any():
                columns[party] = (title, "kr")
        columns.update({"total": ("I alt", "kr"), "cumulative_total": ("Akkumuleret", "kr"),
                        "local_share_pct": ("Lokal medfinansiering", "pct")})
        totals = economy_totals(economy)
        minimum = plan_settings()["cofinancing"]["min_local_share_pct"]
        verdict = "opfylder" if totals["meets_requirement"] else "opfylder ikke"
        summary = (f"I alt {number_da(totals['total'])} kr., heraf Landsbyggefonden {number_da(totals.get('lbf', 0))} kr. "
                   f"Den lokale medfinansiering er {pct_da(totals['local_share_pct'])} og {verdict} LBF's krav om "
                   f"mindst {pct_da(minimum, 0)}.")
        return Html(table(economy, columns, caption="Budget og regnskab pr. år og finansieringspart")
                    + paragraph(summary) + paragraph(f"Kravet: {plan_settings()['cofinancing']['source']}."))

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
        parts = [sources_table(self.observations)]
        note = left_out(self.ctx.snapshot)
        if note:
            parts.append(paragraph(note))
        return Html("".join(parts))

    def footer(self) -> Html:
        return footer(self.ctx, self.observations)
