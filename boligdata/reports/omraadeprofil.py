"""Områdeprofil: one area, every indicator against its municipality, region and the country.

Read from the quarter snapshot: the gaps, the list history as known on the date, and the same
forecast as the kvartalsrapport.

>>> p = Omraadeprofil(None, "2020Q3", "odense-solbakken-mv")
>>> p.name, p.municipality_name
('Solbakken mv.', 'Odense')
"""

from __future__ import annotations

import pandas as pd

from ..catalog import load_catalog
from ..gaps import gap_development
from ..lists import get_list
from ..present import disclosure
from ..present.charts import small_multiples
from ..present.html import Html, bullets, difference_da, paragraph, table, value_da
from ..present.sentences import exit_sentence, join_da
from ..present.undecided import designation_reasons_da
from .common import ReportContext, footer, is_synthetic, left_out, lookup, period_label, quarter_da, sources_table, title_block


class Omraadeprofil:
    """Every indicator of one area over time, with the gaps to municipality and country."""

    def __init__(self, workspace, quarter: str, area: str, internal: bool = False, as_of=None):
        self.ctx = ReportContext.create(workspace, quarter, internal, as_of)
        snap = self.ctx.snapshot
        row = lookup(self.ctx.tables.areas, "area_id", area, "area")
        self.area, self.name = area, row["area_name"]
        self.municipality, self.municipality_name = row["municipality_code"], row["municipality_name"]
        self.gaps = snap.gaps[(snap.gaps["geo_level"] == "area") & (snap.gaps["geo_code"] == area)]
        self.monitored = area in set(snap.area_ids())
        self.result = snap.result(area) if self.monitored else None
        self.catalog = load_catalog()

    def _hidden(self, indicator: str, denominator) -> str | None:
        """The suppression label for this area's figure, or None when it may be shown."""
        policy = disclosure.active()
        if self.catalog.loc[indicator, "unit"] == "persons":
            return None  # a population count is not a group with a trait
        if self.result is not None:
            criterion = next((c for c in self.result.criteria.values() if c.criterion.indicator == indicator), None)
            if criterion is not None:
                return policy.share(criterion.denominator)
        return policy.share(denominator)

    def title(self) -> Html:
        notes = designation_reasons_da(self.result) if self.result is not None else []
        return title_block(f"Områdeprofil: {self.name}",
                           f"{self.municipality_name} Kommune · {quarter_da(self.ctx.quarter)} · tal pr. "
                           f"{self.ctx.as_of_da()}", is_synthetic(self.gaps), self.ctx.internal, notes)

    def key_figures(self) -> Html:
        """The latest value of every indicator beside the municipality, region and country."""
        if self.gaps.empty:
            return paragraph("Der er ingen tal for området.")
        latest = self.gaps.sort_values("period").groupby("indicator").tail(1).copy()
        latest["label"] = latest["indicator"].map(self.catalog["label_da"])
        latest["period_da"] = latest["period"].map(period_label)
        units = latest["indicator"].map(self.catalog["unit"])
        hidden = [self._hidden(i, d) for i, d in zip(latest["indicator"], latest["denominator"])]
        for column in ("value", "municipality_value", "region_value", "country_value"):
            latest[column] = [value_da(v, u, i) for v, u, i in zip(latest[column], units, latest["indicator"])]
        latest["gap"] = [difference_da(v, u, i) for v, u, i in zip(latest["gap"], units, latest["indicator"])]
        latest["value"] = [h or v for h, v in zip(hidden, latest["value"])]
        latest["gap"] = ["–" if h else g for h, g in zip(hidden, latest["gap"])]
        latest["verdict_da"] = ["–" if h else v for h, v in zip(hidden, latest["verdict_da"])]
        latest = latest.sort_values("label")
        return table(latest, {"label": ("Indikator", "text"), "period_da": ("Periode", "text"),
                              "value": ("Området", "text"), "municipality_value": ("Kommunen", "text"),
                              "region_value": ("Regionen", "text"), "country_value": ("Hele landet", "text"),
                              "gap": ("Forskel til kommunen", "text"), "verdict_da": ("Området er", "text")},
                     caption=f"{self.name}: seneste tal mod kommune, region og hele landet",
                     figure=lambda row, key: (self.area, row["indicator"], row["period"]) if key == "value" else None)

    def development(self) -> Html:
        """How the gap to the municipality developed from the first to the latest period."""
        shown = self.gaps[[not self._hidden(i, d) for i, d in zip(self.gaps["indicator"], self.gaps["denominator"])]]
        development = gap_development(shown)
        if development.empty:
            return paragraph("Der er ikke tal for både området og kommunen i flere perioder.")
        development["label"] = development["indicator"].map(self.catalog["label_da"])
        development["trend_da"] = development["trend"].map({"narrowed": "mindre", "widened": "større",
                                                             "unchanged": "uændret"})
        development["development_da"] = development["development"].map(
            {"better": "bedre end kommunens", "worse": "dårligere end kommunens", "on_par": "som kommunens",
             "higher": "steget mere end kommunens", "lower": "steget mindre end kommunens", "unknown": "–"})
        development["from"] = development["baseline_period"].map(period_label)
        development["to"] = development["latest_period"].map(period_label)
        units = development["indicator"].map(self.catalog["unit"])
        for column in ("baseline_gap", "latest_gap", "gap_change"):
            development[column] = [difference_da(v, u, i) for v, u, i in
                                   zip(development[column], units, development["indicator"])]
        return table(development, {"label": ("Indikator", "text"), "from": ("Fra", "text"),
                                   "baseline_gap": ("Forskel da", "text"), "to": ("Til", "text"),
                                   "latest_gap": ("Forskel nu", "text"), "gap_change": ("Ændring i forskel", "text"),
                                   "trend_da": ("Forskellen er blevet", "text"),
                                   "development_da": ("Områdets udvikling er", "text")},
                     caption="Forskellen til kommunen: ved første og seneste periode")

    def charts(self) -> Html:
        """The list criteria over time: the area, its municipality and the country."""
        panels = []
        criteria = self.ctx.rules.ordered_criteria()
        for criterion in [c for c in criteria if not c.id.startswith("fb_")]:
            part = self.gaps[self.gaps["indicator"] == criterion.indicator].sort_values("period")
            if part.empty or self._hidden(criterion.indicator, part["denominator"].iloc[-1]):
                continue
            labels = part["period"].map(period_label)
            series = {self.name: list(zip(labels, part["value"].astype(float))),
                      f"{self.municipality_name} Kommune": [(p, float(v)) for p, v in zip(labels, part["municipality_value"])
                                                            if pd.notna(v)],
                      "Hele landet": [(p, float(v)) for p, v in zip(labels, part["country_value"]) if pd.notna(v)]}
            panels.append({"title": criterion.column_da, "series": series, "decimals": criterion.decimals})
        chart = small_multiples(panels, title=f"{self.name}, {self.municipality_name} Kommune og hele landet over tid")
        return chart if panels else paragraph("Ingen kriterieværdier over tid.")

    def list_status(self) -> Html:
        """The published list history as known on the date, and the forecast for the coming list."""
        snap = self.ctx.snapshot
        history = snap.history[snap.history["area_id"] == self.area]
        items = []
        for list_id, part in history.groupby("list_id", sort=False):
            lst = get_list(list_id)
            labels = lst.version.designations  # the label of that list's own rules (rules.yaml)
            names = join_da(sorted(labels[d].label_da.lower() if d in labels else d for d in part["designation"]))
            items.append((lst.known_by, f"{lst.label_da}: {names}"))
        items = [text for _, text in sorted(items)]
        parts = []
        if items:
            parts.append(bullets(items))
        first = self.result.run.first_covered if self.result is not None and self.result.run else None
        if snap.history.empty:
            parts.append(paragraph("Listehistorikken er ikke indlæst, så det vides ikke, om området har været på "
                                   "listerne."))
        elif not items:
            covered = f" (historikken dækker listerne fra {get_list(first).label_da})" if first else ""
            parts.append(paragraph(f"Området står ikke på de offentliggjorte lister, som kendes pr. "
                                   f"{self.ctx.as_of_da()}{covered}."))
        if self.result is not None:
            row = snap.area(self.area)
            result = self.result
            run = result.run
            before = ("ukendt" if run is None else f"mindst {run.years}" if run.open_ended and run.years
                      else str(run.years))
            parts.append(paragraph(f"Prognose for listen {self.ctx.list.label_da}: {result.designation_label()} "
                                   f"(risikogruppe: {row['band_label_da'].lower()}). {row['band_reason_da']} "
                                   f"År i træk på listen før denne liste: {before}."))
            sentence = exit_sentence(result)
            if sentence:
                parts.append(paragraph(sentence, "bd-exit"))
        return Html("".join(parts))

    def sources(self) -> Html:
        parts = [sources_table(self.gaps)]
        note = left_out(self.ctx.snapshot)
        if note:
            parts.append(paragraph(note))
        return Html("".join(parts))

    def footer(self) -> Html:
        return footer(self.ctx, self.gaps)
