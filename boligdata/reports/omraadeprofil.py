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
from ..present.charts import line_panels
from ..present.comparison import developments_da, level_da, trend_da
from ..present.dates import period_label, quarter_da
from ..present.disclosure import AreaView, Ledger
from ..present.html import Html, bullets, difference_da, paragraph, table, value_da
from ..present.outlook import consequences_da, exit_sentence, first_hard_da
from ..present.sentences import join_da, threshold_da
from ..present.undecided import designation_reasons_da
from ..risk import risk_band
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
    years_sentence,
)


class Omraadeprofil:
    """Every indicator of one area over time, with the gaps to municipality and country."""

    def __init__(self, workspace, quarter: str, area: str, internal: bool = False, as_of=None):
        self.ctx = ReportContext.create(workspace, quarter, internal, as_of)
        snap = self.ctx.snapshot
        row = lookup(self.ctx.tables.areas, "area_id", area, "area")
        self.area, self.name = area, row["area_name"]
        self.municipality, self.municipality_name = row["municipality_code"], row["municipality_name"]
        self.gaps = snap.rows("gaps", "geo_code", area)
        self.gaps = self.gaps[self.gaps["geo_level"] == "area"]
        self.monitored = area in set(snap.area_ids())
        self.result = snap.result(area) if self.monitored else None
        self.catalog = load_catalog()
        self.figures = snap.figures_of(area)
        self.ledger = self._disclose()

    def _disclose(self) -> Ledger:
        """Every number of the profile in the ledger, decided once before anything is rendered."""
        ledger = Ledger(disclosure.active())
        series = self.ctx.snapshot.rows("series", "geo_code", self.area)
        register_series(ledger, series[series["geo_level"] == "area"])
        for row in self.gaps.itertuples():
            ledger.derived(("gap", self.area, row.indicator, row.period), row.gap,
                           share_key(self.area, row.indicator, row.period))
        if self.result is not None:
            for cid, c in self.result.criteria.items():
                key = self._figure_key(c.criterion.indicator)
                ledger.derived(("distance", self.area, cid), c.distance_pp, key)
                ledger.derived(("persons", self.area, cid), c.persons, key)
            for each in (self.result, self.result.following):  # the persons in a window's still-open part
                for cid, c in (each.criteria.items() if each is not None else ()):
                    ledger.derived(("persons-open", self.area, cid, each.list.id), c.persons_open,
                                   self._figure_key(c.criterion.indicator))
        ledger.resolve()
        return ledger

    def _figure_key(self, indicator: str):
        if indicator not in self.figures.index:
            return None
        return share_key(self.area, indicator, self.figures.loc[indicator, "period"])

    def _hidden(self, indicator: str, period: str) -> bool:
        return self.ledger.hidden(share_key(self.area, indicator, period))

    def view(self) -> AreaView:
        """Which of the area's criteria may be shown, and the key of each figure (for sentences)."""
        keys = {cid: self._figure_key(c.criterion.indicator) for cid, c in self.result.criteria.items()}
        return AreaView(self.area, keys, frozenset(c for c, k in keys.items() if k and self.ledger.hidden(k)))

    def title(self) -> Html:
        notes = designation_reasons_da(self.result) if self.result is not None else []
        return title_block(f"Områdeprofil: {self.name}",
                           f"{self.municipality_name} Kommune · {quarter_da(self.ctx.quarter)} · tal pr. "
                           f"{self.ctx.as_of_da()}", is_synthetic(self.gaps), self.ctx.internal, notes, ctx=self.ctx)

    def key_figures(self) -> Html:
        """The latest value of every indicator beside the municipality, region and country."""
        if self.gaps.empty:
            return paragraph("Der er ingen tal for området.")
        latest = self.gaps.sort_values("period").groupby("indicator").tail(1).copy()
        latest["label"] = latest["indicator"].map(self.catalog["label_da"])
        latest["period_da"] = latest["period"].map(period_label)
        units = latest["indicator"].map(self.catalog["unit"])
        hidden = [self._hidden(i, p) for i, p in zip(latest["indicator"], latest["period"])]
        label = disclosure.active().share_label_da
        for column in ("value", "municipality_value", "region_value", "country_value"):
            latest[column] = [value_da(v, u, i) for v, u, i in zip(latest[column], units, latest["indicator"])]
        # Income in percent of the region: the region is 100 by definition, the country has no such figure.
        of_region = units == "pct_of_region"
        latest.loc[of_region, "region_value"] = "100 % (grundlaget)"
        latest.loc[of_region, "country_value"] = "–"
        latest["gap"] = [difference_da(v, u, i) for v, u, i in zip(latest["gap"], units, latest["indicator"])]
        latest["value"] = [label if h else v for h, v in zip(hidden, latest["value"])]
        latest["gap"] = [label if self.ledger.hidden(("gap", self.area, i, p)) else g
                         for i, p, g in zip(latest["indicator"], latest["period"], latest["gap"])]
        latest["verdict_da"] = ["–" if h else level_da(g, self.catalog.loc[i, "better"], self.catalog.loc[i, "tolerance"],
                                                       bool(self.catalog.loc[i, "municipal_baseline"]))
                                for h, g, i in zip(hidden, self.gaps.loc[latest.index, "gap"], latest["indicator"])]
        latest = latest.sort_values("label")
        return table(latest, {"label": ("Indikator", "text"), "period_da": ("Periode", "text"),
                              "value": ("Området", "text"), "municipality_value": ("Kommunen", "text"),
                              "region_value": ("Regionen", "text"), "country_value": ("Hele landet", "text"),
                              "gap": ("Forskel til kommunen", "text"), "verdict_da": ("Området er", "text")},
                     caption=f"{self.name}: seneste tal mod kommune, region og hele landet",
                     meaning=lambda row, key: share_key(self.area, row["indicator"], row["period"]) if key == "value"
                     else ("gap", self.area, row["indicator"], row["period"]) if key == "gap"
                     else ("municipality", self.municipality, row["indicator"], row["period"])
                     if key == "municipality_value" else None)

    def development(self) -> Html:
        """How the gap to the municipality developed from the first to the latest period."""
        # An indicator with a hidden figure in any period is left out: a gap at one period and the
        # change in the gap would give it back.
        hidden = {i for i, p in zip(self.gaps["indicator"], self.gaps["period"]) if self._hidden(i, p)}
        development = gap_development(self.gaps[~self.gaps["indicator"].isin(hidden)])
        development = development[development["trend"] != "single"]  # one period tells no development
        if development.empty:
            return paragraph("Der er ikke tal for både området og kommunen i flere perioder.")
        development["label"] = development["indicator"].map(self.catalog["label_da"])
        development["trend_da"] = development["trend"].map(trend_da)
        development["development_da"] = developments_da(development)
        development["from"] = development["baseline_period"].map(period_label)
        development["to"] = development["latest_period"].map(period_label)
        units = development["indicator"].map(self.catalog["unit"])
        for column in ("baseline_gap", "latest_gap", "gap_change"):
            development[column] = [difference_da(v, u, i) for v, u, i in
                                   zip(development[column], units, development["indicator"])]
        return table(development, {"label": ("Indikator", "text"), "from": ("Fra", "text"),
                                   "baseline_gap": ("Forskel da", "text"), "to": ("Til", "text"),
                                   "latest_gap": ("Forskel nu", "text"), "gap_change": ("Ændring i forskel", "text"),
                                   "trend_da": ("Forskellen til kommunen er blevet", "text"),
                                   "development_da": ("Udviklingen i området", "text")},
                     caption="Forskellen til kommunen: ved første og seneste periode")

    def charts(self) -> Html:
        """The list criteria over time: the area, its municipality and the country."""
        panels = []
        criteria = self.ctx.rules.ordered_criteria()
        for criterion in [c for c in criteria if not c.id.startswith("fb_")]:
            part = self.gaps[self.gaps["indicator"] == criterion.indicator].sort_values("period")
            # A point the disclosure control hides is left out of the chart (and of its text).
            part = part[[not self._hidden(i, p) for i, p in zip(part["indicator"], part["period"])]]
            if part.empty:
                continue
            series = {self.name: [(p, float(v), share_key(self.area, criterion.indicator, p))
                                  for p, v in zip(part["period"], part["value"])],
                      f"{self.municipality_name} Kommune": [(p, float(v)) for p, v in zip(part["period"],
                                                                                         part["municipality_value"])
                                                            if pd.notna(v)],
                      "Hele landet": [(p, float(v)) for p, v in zip(part["period"], part["country_value"]) if pd.notna(v)]}
            if self.catalog["unit"].get(criterion.indicator) == "pct_of_region":
                del series["Hele landet"]  # as in the table: the country has no share of its region
            threshold = self.result.criteria[criterion.id].threshold if self.result is not None else criterion.threshold
            label = f"grænse {threshold_da(criterion, threshold)}" if threshold is not None else ""
            panels.append({"title": criterion.column_da, "series": series, "decimals": criterion.decimals, "suffix": " %",
                           "threshold": threshold, "threshold_label": label})
        shown = [name for name in (f"{self.municipality_name} Kommune", "Hele landet")
                 if any(panel["series"].get(name) for panel in panels)]
        places = " og ".join([self.name] + [n if n != "Hele landet" else "hele landet" for n in shown]) \
            if len(shown) < 2 else f"{self.name}, {shown[0]} og hele landet"
        chart = line_panels(panels, title=f"{places} over tid, med grænserne for listen {self.ctx.list.label_da}")
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
            reason = risk_band(result, view=self.view())["reason_da"]
            label = result.designation_label()
            band = "" if row["band_label_da"].lower() == label.lower() else f" (risikogruppe: {row['band_label_da'].lower()})"
            parts.append(paragraph(f"Prognose for listen {self.ctx.list.label_da}: {label}{band}. {reason} "
                                   f"{years_sentence(result)}"))
            basis = dict(zip(self.figures.index, self.figures["status"]))
            sentence = exit_sentence(result, self.view(), basis, stays=False)
            if sentence:
                parts.append(paragraph(sentence, "bd-exit"))
            hard = first_hard_da(result)
            if hard:
                parts.append(paragraph(hard))
            brings = consequences_da(result, self.ctx.snapshot.registry.history())
            if brings:
                parts.append(paragraph(f"Hvad betegnelsen betyder, hvis området kommer på listen "
                                       f"{result.list.label_da}:"))
                parts.append(bullets(brings))
        return Html("".join(parts))

    def sources(self) -> Html:
        from ..municipalities import municipalities

        # The kommune's, region's and country's figures shown beside the area's have sources too.
        places = {"municipality": self.municipality, "region": municipalities().loc[self.municipality, "region_code"],
                  "country": "000"}
        # Only the three places' rows are looked at (keys of the whole national series, per report,
        # were most of the profile's time).
        series = self.ctx.snapshot.rows("series", "geo_code", list(dict.fromkeys(places.values())))
        shown = set()
        for level, column in (("municipality", "municipality_value"), ("region", "region_value"),
                              ("country", "country_value")):
            used = self.gaps[self.gaps[column].notna()]
            shown |= {(level, places[level], i, p) for i, p in zip(used["indicator"], used["period"])}
        keys = list(zip(series["geo_level"], series["geo_code"], series["indicator"], series["period"]))
        baselines = series[[key in shown for key in keys]]
        parts = [sources_table(pd.concat([self.gaps, baselines], ignore_index=True), self.ctx.tables)]

        note = left_out(self.ctx.snapshot, [self.area, self.municipality,
                                            municipalities().loc[self.municipality, "region_code"], "000"])
        if note:
            parts.append(paragraph(note))
        return Html("".join(parts))

    def footer(self) -> Html:
        return footer(self.ctx, self.gaps)
