"""Områdeprofil: one area, every indicator against its municipality, region and the country.

>>> p = Omraadeprofil(None, "2020Q3", "odense-solbakken-mv")
>>> p.name, p.municipality_name
('Solbakken mv.', 'Odense')
"""

from __future__ import annotations

import pandas as pd

from ..catalog import load_catalog
from ..criteria import consecutive_years, evaluate
from ..gaps import gap_development, gap_table
from ..present.charts import small_multiples
from ..present import disclosure
from ..present.html import Html, bullets, difference_da, paragraph, table, value_da
from ..present.sentences import exit_sentence
from ..projection import history_frame, projection_frame
from ..risk import risk_band
from ..rules import version_for_year
from .common import ReportContext, footer, lookup, period_label, quarter_da, sources_table, title_block



class Omraadeprofil:
    """Every indicator of one area over time, with the gaps to municipality and country."""

    def __init__(self, workspace, quarter: str, area: str, internal: bool = False):
        self.ctx = ReportContext.create(workspace, quarter, internal)
        row = lookup(self.ctx.tables.areas, "area_id", area, "area")
        self.area, self.name = area, row["area_name"]
        self.municipality, self.municipality_name = row["municipality_code"], row["municipality_name"]
        gaps = gap_table(self.ctx.tables, levels=("area",), geo_codes=[area])
        self.gaps = gaps[(gaps["geo_code"] == area) & (gaps["period"].map(lambda p: p[:4]) <= quarter[:4])]
        obs = self.ctx.tables.observations
        scope = obs["geo_code"].isin([area, self.municipality, "000"])
        self.observations = obs[scope & (obs["vintage"] <= self.ctx.quarter_end)]
        catalog = load_catalog()
        self.catalog = catalog

    def title(self) -> Html:
        return title_block(f"Områdeprofil: {self.name}", f"{self.municipality_name} Kommune · {quarter_da(self.ctx.quarter)}",
                           self.ctx.synthetic(self.observations), self.ctx.internal)

    def key_figures(self) -> Html:
        """The latest value of every indicator beside the municipality, region and country."""
        if self.gaps.empty:
            return paragraph("Der er ingen tal for området.")
        latest = self.gaps.sort_values("period").groupby("indicator").tail(1).copy()
        latest["label"] = latest["indicator"].map(self.catalog["label_da"])
        latest["period_da"] = latest["period"].map(period_label)
        units = latest["indicator"].map(self.catalog["unit"])
        for column in ("value", "municipality_value", "region_value", "country_value"):
            latest[column] = [value_da(v, u, i) for v, u, i in zip(latest[column], units, latest["indicator"])]
        policy = disclosure.active()
        for index, (unit, denominator) in enumerate(zip(units, latest["denominator"])):
            raw = self.gaps.loc[latest.index[index], "value"]
            label = policy.persons(raw) if unit == "persons" else policy.share(denominator)
            if label:
                latest.iloc[index, latest.columns.get_loc("value")] = label
                latest.iloc[index, latest.columns.get_loc("gap")] = "–"
        latest["gap"] = [difference_da(v, u, i) for v, u, i in zip(latest["gap"], units, latest["indicator"])]
        latest = latest.sort_values("label")
        return table(latest, {"label": ("Indikator", "text"), "period_da": ("Periode", "text"),
                              "value": ("Området", "text"), "municipality_value": ("Kommunen", "text"),
                              "region_value": ("Regionen", "text"), "country_value": ("Hele landet", "text"),
                              "gap": ("Forskel til kommunen", "text"), "verdict_da": ("Området er", "text")},
                     caption=f"{self.name}: seneste tal mod kommune, region og hele landet")

    def development(self) -> Html:
        """How the gap to the municipality developed from the first to the latest period."""
        development = gap_development(self.gaps)
        if development.empty:
            return paragraph("Der er ikke tal for både området og kommunen i flere perioder.")
        development["label"] = development["indicator"].map(self.catalog["label_da"])
        development["trend_da"] = development["trend"].map({"narrowed": "indsnævret", "widened": "udvidet",
                                                             "unchanged": "uændret"})
        development["development_da"] = development["development"].map(
            {"better": "bedre end kommunen", "worse": "dårligere end kommunen", "on_par": "som kommunen",
             "higher": "højere end kommunen", "lower": "lavere end kommunen", "unknown": "–"})
        development["from"] = development["baseline_period"].map(period_label)
        development["to"] = development["latest_period"].map(period_label)
        units = development["indicator"].map(self.catalog["unit"])
        for column in ("baseline_gap", "latest_gap", "gap_change"):
            development[column] = [difference_da(v, u, i) for v, u, i in
                                   zip(development[column], units, development["indicator"])]
        return table(development, {"label": ("Indikator", "text"), "from": ("Fra", "text"), "baseline_gap": ("Forskel da", "text"),
                                   "to": ("Til", "text"), "latest_gap": ("Forskel nu", "text"),
                                   "gap_change": ("Ændring i forskel", "text"), "trend_da": ("Forskellen er", "text"),
                                   "development_da": ("Områdets udvikling", "text")},
                     caption="Forskellen til kommunen: ved første og seneste periode")

    def charts(self) -> Html:
        """The list criteria over time: the area, its municipality and the country."""
        panels = []
        for indicator in ("outside_labour_market_pct", "convicted_pct", "primary_school_only_pct",
                          "income_pct_of_region", "non_western_pct"):
            part = self.gaps[self.gaps["indicator"] == indicator].sort_values("period")
            if part.empty:
                continue
            labels = part["period"].map(period_label)
            series = {self.name: list(zip(labels, part["value"].astype(float))),
                      f"{self.municipality_name} Kommune": [(p, float(v)) for p, v in zip(labels, part["municipality_value"])
                                                            if pd.notna(v)],
                      "Hele landet": [(p, float(v)) for p, v in zip(labels, part["country_value"]) if pd.notna(v)]}
            panels.append({"title": self.catalog.loc[indicator, "label_da"], "series": series,
                           "decimals": 2 if indicator == "convicted_pct" else 1})
        chart = small_multiples(panels, title=f"{self.name}, {self.municipality_name} Kommune og hele landet over tid")
        return chart if panels else paragraph("Ingen kriterieværdier over tid.")

    def list_status(self) -> Html:
        """The published list history and the projection for the coming list."""
        tables = self.ctx.tables
        history = tables.list_history[tables.list_history["area_id"] == self.area]
        items = []
        for year, part in history.groupby("list_year"):
            labels = version_for_year(int(year)).designations  # the label of that year's rules (rules.yaml)
            names = ", ".join(sorted(labels[d].label_da.lower() if d in labels else d for d in part["designation"]))
            items.append(f"{year}: {names}")
        parts = [bullets(items) if items else paragraph("Området har ikke været på de offentliggjorte lister.")]
        frame = projection_frame(tables.observations, tables.areas, self.ctx.list_year, self.ctx.quarter, [self.area])
        if not frame.empty:
            result = evaluate(frame, self.ctx.list_year, history=history_frame(tables.list_history), crime=self.ctx.crime)[0]
            band = risk_band(result)
            before = consecutive_years(history_frame(tables.list_history), self.area, self.ctx.list_year)
            text = (f"Prognose for 1. december {self.ctx.list_year}: {result.designation_label()} "
                    f"({band['band_label_da'].lower()}). {band['reason_da']} År i træk på listen før: {before}.")
            parts.append(paragraph(text))
            sentence = exit_sentence(result)
            if sentence:
                parts.append(paragraph(sentence, "bd-exit"))
        return Html("".join(parts))

    def sources(self) -> Html:
        return sources_table(self.observations)

    def footer(self) -> Html:
        return footer(self.ctx, self.observations)
