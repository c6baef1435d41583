"""Kvartalsrapport: one municipality, one quarter; every monitored area against the lists.

>>> r = Kvartalsrapport(None, "2020Q3", "461")          # the bundled sample
>>> [a.name for a in r.results if a.designations.get("ghetto")]
['Korsløkkeparken Øst', 'Solbakken mv.', 'Vollsmose']
"""

from __future__ import annotations

import pandas as pd

from ..criteria import consecutive_years, evaluate
from ..errors import ParameterError
from ..gaps import one_value_per_period
from ..municipalities import municipalities
from ..present.charts import small_multiples
from ..present.html import Html, badge, bullets, esc, heading, paragraph, table
from ..present import disclosure
from ..present.numbers_da import count_da, number_da, pct_da, signed_da
from ..present.sentences import NAME_DA, criterion_sentence, exit_sentence
from ..projection import CRITERIA_INDICATORS, history_frame, projected_observations, projection_frame, vintage_table
from ..risk import compare_category, risk_band
from .common import (ReportContext, date_da, footer, period_label, previous_quarter, quarter_da, sources_table,
                     title_block)

CRITERION_ORDER = ("employment", "crime", "education", "income", "non_western")
LABEL_DA = {"residents": "Beboere", "non_western_pct": "Ikke-vestlig herkomst", "outside_labour_market_pct":
            "Uden for arbejdsmarked og uddannelse", "convicted_pct": "Dømte", "primary_school_only_pct":
            "Alene grundskole", "income_pct_of_region": "Indkomst i pct. af regionen"}
BAND_ORDER = {"red": 0, "orange": 1, "yellow": 2, "green": 3}


def monitored_index(tables) -> dict[str, list[str]]:
    """Every municipality's areas that have criteria figures at area level (one pass)."""
    obs = tables.observations
    has = set(obs.loc[(obs["geo_level"] == "area") & obs["indicator"].isin(CRITERIA_INDICATORS), "geo_code"].unique())
    index: dict[str, list[str]] = {}
    for area, code in sorted(zip(tables.areas["area_id"], tables.areas["municipality_code"])):
        if area in has:
            index.setdefault(code, []).append(area)
    return index


def monitored_areas(tables, municipality: str) -> list[str]:
    """Areas of the municipality with criteria figures at area level."""
    return monitored_index(tables).get(municipality, [])


class Kvartalsrapport:
    """The quarterly monitoring report of one municipality."""

    def __init__(self, workspace, quarter: str, municipality: str, internal: bool = False):
        self.ctx = ReportContext.create(workspace, quarter, internal)
        known = municipalities()
        municipality = str(municipality).strip().zfill(3)  # 461 typed as a number in a notebook works too
        if municipality not in known.index:
            raise ParameterError(f"unknown municipality '{municipality}'")
        self.municipality, self.municipality_name = municipality, known.loc[municipality, "municipality_name"]
        tables = self.ctx.tables
        self.area_ids = monitored_areas(tables, municipality)
        if not self.area_ids:
            raise ParameterError(f"no monitored areas with criteria figures in {self.municipality_name} ({municipality})")
        self.history = history_frame(tables.list_history)
        self.results, self.bands, self.chosen = self._classify(self.ctx.quarter, self.ctx.list_year)
        previous = previous_quarter(self.ctx.quarter)
        self.previous_quarter = previous
        self.previous, _, _ = self._classify(previous, int(previous[:4]))
        obs = tables.observations
        self.observations = obs[(obs["geo_level"] == "area") & obs["geo_code"].isin(self.area_ids)
                                & (obs["vintage"] <= self.ctx.quarter_end)]
        categories = tables.categories
        self.categories = dict(zip(categories.loc[categories["period"] == self.ctx.quarter, "area_id"],
                                   categories.loc[categories["period"] == self.ctx.quarter, "category"]))

    def _classify(self, quarter: str, list_year: int):
        frame = projection_frame(self.ctx.tables.observations, self.ctx.tables.areas, list_year, quarter, self.area_ids)
        if frame.empty:
            return [], [], pd.DataFrame()
        results = evaluate(frame, list_year, history=self.history, crime=self.ctx.crime)
        order = sorted(range(len(results)), key=lambda i: (BAND_ORDER[risk_band(results[i])["band"]], results[i].name))
        results = [results[i] for i in order]
        chosen = projected_observations(self.ctx.tables.observations, list_year, quarter, self.area_ids)
        return results, [risk_band(r) for r in results], chosen

    # --- sections ---------------------------------------------------------------------
    def title(self) -> Html:
        return title_block(
            f"Kvartalsrapport: almene boligområder i {self.municipality_name} Kommune",
            f"{quarter_da(self.ctx.quarter)} · status og prognose for listerne 1. december {self.ctx.list_year}",
            self.ctx.synthetic(self.observations), self.ctx.internal,
        )

    def headline(self) -> Html:
        """The summary in plain Danish."""
        on_list = [r for r in self.results if r.designations.get("ghetto") or r.designations.get("parallelsamfund")]
        hard = [r for r in on_list if r.designations.get("haardt_ghetto") or r.designations.get("omdannelse")]
        udsat = [r for r in self.results if r.designations.get("udsat") and r not in on_list]
        prevent = [r for r in self.results if r.designations.get("forebyggelse")]
        yellow = [r for r, b in zip(self.results, self.bands) if b["band"] == "yellow"]
        undecided = [r for r in self.results if r.designation_label() == "Uafklaret"]
        list_name = "parallelsamfund" if "parallelsamfund" in self.ctx.rules.designations else "ghettoområder"
        items = [f"{len(self.results)} boligområder i {self.municipality_name} følges i denne rapport."]
        names = ", ".join(r.name for r in on_list) or "ingen"
        items.append(f"På listen over {list_name} 1. december {self.ctx.list_year} ventes: {names}.")
        if hard:
            label = "hårde ghettoområder" if "haardt_ghetto" in self.ctx.rules.designations else "omdannelsesområder"
            items.append(f"Heraf ventes {len(hard)} som {label}: {', '.join(r.name for r in hard)}.")
        if udsat:
            items.append(f"Udsatte boligområder (ikke på listen over {list_name}): {', '.join(r.name for r in udsat)}.")
        if prevent:
            items.append(f"Forebyggelsesområder: {', '.join(r.name for r in prevent)}.")
        if yellow:
            items.append(f"I risiko for at blive udsat: {', '.join(r.name for r in yellow)}.")
        if undecided:
            items.append(f"Kan ikke afgøres med de tal, der foreligger: {', '.join(r.name for r in undecided)}.")
        for r in on_list:
            sentence = exit_sentence(r)
            if sentence:
                items.append(f"Den korteste vej af listen: {sentence}")
        disagree = [r.name for r, b in zip(self.results, self.bands) if compare_category(b, self.categories.get(r.area))]
        if disagree:
            items.append(f"Kommunens egen kategori afviger fra beregningen efter loven for: {', '.join(disagree)} "
                         f"(se oversigten).")
        return bullets(items)

    def overview(self) -> Html:
        """Every monitored area: band, designation, years on the list, criteria values."""
        rows = []
        for r, b in zip(self.results, self.bands):
            before = consecutive_years(self.history, r.area, self.ctx.list_year)
            row = {"name": r.name, "band": b["band_label_da"], "colour": b["colour"], "designation": r.designation_label(),
                   "years_before": before, "years": r.years_on_list,
                   "residents": None if r.residents is None else int(r.residents),
                   "own": self.categories.get(r.area), "note": compare_category(b, self.categories.get(r.area)),
                   "reason": b["reason_da"]}
            for cid in CRITERION_ORDER:
                c = r.criteria.get(cid)
                row[cid] = None if c is None or c.value is None else float(c.value)
                row[f"{cid}_met"] = bool(c and c.met)
                row[f"{cid}_hidden"] = disclosure.active().share(c.denominator) if c else None
            rows.append(row)
        body = []
        for row in rows:  # plain dicts: a missing note stays None (a frame would make it a truthy NaN)
            cells = [f"<td>{esc(row['name'])}</td>", f"<td>{badge(row['band'], row['colour'])}</td>",
                     f"<td>{esc(row['designation'])}</td>",
                     f"<td class=\"num\">{number_da(row['years_before'])}</td>",
                     f"<td class=\"num persons\">{esc(count_da(row['residents']))}</td>"]
            for cid in CRITERION_ORDER:
                decimals = 2 if cid == "crime" else 1
                text = esc(pct_da(row[cid], decimals)) if row[cid] is not None else "–"
                if row[f"{cid}_hidden"]:
                    text = esc(row[f"{cid}_hidden"])
                cls = "num met" if row[f"{cid}_met"] else "num"
                text = f"<strong>{text}</strong>" if row[f"{cid}_met"] else text
                cells.append(f'<td class="{cls}">{text}</td>')
            own = esc(row["own"]) if row["own"] else "–"
            if row["note"]:
                own += ' <span class="bd-warn" title="Afviger fra beregningen">(afviger)</span>'
            cells.append(f"<td>{own}</td>")
            body.append("<tr>" + "".join(cells) + "</tr>")
        version = self.ctx.rules
        thresholds = []
        for cid in CRITERION_ORDER:
            c = version.criteria.get(cid)
            if c is None:
                thresholds.append("")
                continue
            if c.threshold is not None:
                thresholds.append(f"{c.operator.replace('>=', '≥')} {pct_da(c.threshold, 0)}")
            else:
                known = next((r.criteria[cid].threshold for r in self.results if r.criteria[cid].threshold is not None), None)
                thresholds.append(f"≥ {pct_da(known, 2)}" if known is not None else f"≥ {c.national_average_multiple} × landsgns.")
        head = ["Område", "Risiko", "Forventet betegnelse", "År på listen", "Beboere"] + \
               [f"{LABEL_DA[version.criteria[c].indicator] if c in version.criteria else c} ({t})"
                for c, t in zip(CRITERION_ORDER, thresholds)] + ["Egen kategori"]
        html = ('<table class="bd-table bd-overview"><caption>Alle overvågede områder. Opfyldte kriterier er fremhævet. '
                f'Værdierne er prognosen for listen 1. december {self.ctx.list_year}.</caption><thead><tr>'
                + "".join(f'<th scope="col">{esc(h)}</th>' for h in head) + "</tr></thead><tbody>"
                + "".join(body) + "</tbody></table>")
        reasons = bullets(f"{r['name']}: {r['reason']}" + (f" {r['note']}" if r["note"] else "") for r in rows)
        return Html(html + "<h3 id=\"begrundelser\">Begrundelser</h3>" + reasons)

    def at_risk(self) -> Html:
        """For each area at risk: the projection, vintages, distances in points and persons, the way off."""
        vintages = vintage_table(self.ctx.list_year, self.ctx.quarter).set_index("indicator")
        parts = []
        for r, b in zip(self.results, self.bands):
            if b["band"] == "green":
                continue
            parts.append(heading(r.name, 3))
            parts.append(Html(f"<p>{badge(b['band_label_da'], b['colour'])} Forventet betegnelse: "
                              f"<strong>{esc(r.designation_label())}</strong>. {esc(b['reason_da'])}</p>"))
            sentences = [criterion_sentence(r.name, c) for cid, c in r.criteria.items()
                         if cid in CRITERION_ORDER and c.met is not None and c.persons is not None]
            if sentences:
                parts.append(bullets(sentences))
            chosen = self.chosen[self.chosen["geo_code"] == r.area].set_index("indicator")
            rows = []
            for cid in CRITERION_ORDER:
                c = r.criteria.get(cid)
                if c is None:
                    continue
                ind = c.criterion.indicator
                source = chosen.loc[ind] if ind in chosen.index else None
                decimals = 2 if cid == "crime" else 1
                hidden = disclosure.active().share(c.denominator)
                rows.append({
                    "criterion": NAME_DA[ind].capitalize(),
                    "rule": f"{c.criterion.wording_da} {_threshold_da(c.threshold, decimals)}",
                    "value": hidden or (pct_da(c.value, decimals) if c.value is not None else None),
                    "met": {True: "ja", False: "nej", None: "kan ikke afgøres"}[c.met],
                    "distance": None if c.distance_pp is None else signed_da(c.distance_pp, decimals),
                    "persons": c.persons,
                    "basis": None if source is None else f"{source['basis_da']}, {date_da(source['vintage'])}",
                    "ministry": vintages.loc[ind, "text_da"] if ind in vintages.index else "–",
                })
            parts.append(table(pd.DataFrame(rows), {
                "criterion": ("Kriterium", "text"), "rule": ("Grænse", "text"), "value": ("Værdi", "text"),
                "met": ("Opfyldt", "text"), "distance": ("Afstand (point)", "text"),
                "persons": ("Personer fra at skifte", "persons"), "basis": ("Grundlag", "text"),
                "ministry": ("Ministeriets tal", "text")},
                caption=f"{r.name}: prognose for 1. december {self.ctx.list_year}. Positiv afstand: på kriteriets side."))
            sentence = exit_sentence(r)
            if sentence:
                parts.append(paragraph(sentence, "bd-exit"))
            if r.notes:
                parts.append(paragraph("Kan ikke afgøres: " + " ".join(r.notes)))
        if not parts:
            parts.append(paragraph("Ingen områder er i risiko i dette kvartal."))
        return Html("".join(parts))

    def trends(self) -> Html:
        """Each criterion over time for the areas at risk, against the threshold of the coming list."""
        focus = [r for r, b in zip(self.results, self.bands) if b["band"] != "green"][:6] or self.results[:3]
        obs = one_value_per_period(self.ctx.tables.observations)
        obs = obs[(obs["geo_level"] == "area") & obs["geo_code"].isin([r.area for r in focus])
                  & (obs["period_start"] <= pd.Timestamp(self.ctx.quarter[:4] + "-12-31")) & obs["value"].notna()]
        names = {r.area: r.name for r in focus}
        panels = []
        for cid in CRITERION_ORDER:
            criterion = self.ctx.rules.criteria.get(cid)
            if criterion is None:
                continue
            part = obs[obs["indicator"] == criterion.indicator].sort_values("period_start")
            # An area whose group is too small for its share to be shown is left out of the chart.
            hidden = {r.area for r in focus if cid in r.criteria and disclosure.active().share(r.criteria[cid].denominator)}
            series = {names[a]: list(zip(g["period"].map(period_label), g["value"].astype(float)))
                      for a, g in part.groupby("geo_code", sort=False) if a not in hidden}
            threshold = next((r.criteria[cid].threshold for r in focus if r.criteria[cid].threshold is not None), None)
            label = (f"grænse {self.ctx.list_year}: {criterion.wording_da} {_threshold_da(threshold, 2 if cid == 'crime' else 1)}"
                     if threshold is not None else "")
            panels.append({"title": f"{LABEL_DA[criterion.indicator]} ({criterion.age_group})", "series": series,
                           "threshold": threshold, "threshold_label": label, "decimals": 2 if cid == "crime" else 1})
        return small_multiples(panels, title=f"Kriterierne over tid for områderne i risiko, med grænsen for {self.ctx.list_year}")

    def changes(self) -> Html:
        """What changed since the previous quarter: designations, criteria crossed, largest moves."""
        if not self.previous:
            return paragraph(f"Der er ingen tal for {quarter_da(self.previous_quarter)} at sammenligne med.")
        before = {r.area: r for r in self.previous}
        items, moves = [], []
        for r in self.results:
            old = before.get(r.area)
            if old is None:
                items.append(f"{r.name}: nyt i overvågningen.")
                continue
            if old.designation_label() != r.designation_label():
                items.append(f"{r.name}: betegnelsen ændres fra {old.designation_label()} til {r.designation_label()}.")
            for cid in CRITERION_ORDER:
                c, o = r.criteria.get(cid), old.criteria.get(cid)
                if c is None or o is None:
                    continue
                if c.met is not None and o.met is not None and c.met != o.met:
                    verb = "opfylder nu" if c.met else "opfylder ikke længere"
                    items.append(f"{r.name} {verb} {NAME_DA[c.criterion.indicator]}.")
                if c.value is not None and o.value is not None:
                    moves.append({"name": r.name, "criterion": LABEL_DA[c.criterion.indicator],
                                  "before": float(o.value), "now": float(c.value), "change": float(c.value - o.value)})
        parts = [paragraph(f"Sammenlignet med prognosen i {quarter_da(self.previous_quarter)}.")]
        parts.append(bullets(items) if items else paragraph("Ingen områder har skiftet betegnelse eller krydset et kriterium."))
        if moves:
            top = pd.DataFrame(moves).assign(size=lambda f: f["change"].abs()).sort_values(
                ["size", "name"], ascending=[False, True]).head(5)
            parts.append(table(top, {"name": ("Område", "text"), "criterion": ("Kriterium", "text"),
                                     "before": ("Før", "num2"), "now": ("Nu", "num2"), "change": ("Ændring (point)", "signed2")},
                               caption="De største bevægelser siden sidste kvartal"))
        return Html("".join(parts))

    def own_series(self) -> Html:
        """Publicly supported / self-supporting, and strategic letting, for areas with own data."""
        from ..plan import letting_table, support_series

        tables = self.ctx.tables
        parts = []
        for r in sorted(self.results, key=lambda r: r.name):
            has_support = (tables.support_counts["area_id"] == r.area).any()
            has_letting = (tables.letting["area_id"] == r.area).any()
            if not (has_support or has_letting):
                continue
            parts.append(heading(r.name, 3))
            if has_support:
                series = support_series(tables, r.area)
                series["start"] = series["start_period"].map(period_label)
                series["latest"] = series["latest_period"].map(period_label)
                series["wanted"] = series["as_wanted"].map({True: "ja", False: "nej"})
                parts.append(table(series, {"label_da": ("Gruppe", "text"), "start": ("Start", "text"),
                                            "start_count": ("Antal", "persons"), "latest": ("Seneste", "text"),
                                            "latest_count": ("Antal", "persons"), "change": ("Ændring", "signed_persons"),
                                            "wanted": ("I ønsket retning", "text")},
                                   caption=f"{r.name}: offentligt forsørgede og selvforsørgende (egne data)"))
            if has_letting:
                letting = letting_table(tables, r.area, self.ctx.quarter)
                year = int(self.ctx.quarter[:4])
                parts.append(table(letting, {
                    "letting_type": ("Udlejningsform", "text"), "quarter": (quarter_da(self.ctx.quarter), "persons"),
                    "year_to_date": (f"{year} 1.-{self.ctx.quarter[-1]}. kvartal", "persons"),
                    "previous_year": (str(year - 1), "persons")}, caption=f"{r.name}: strategisk udlejning"))
        return Html("".join(parts)) if parts else paragraph("Der er ingen egne kvartalsserier for områderne.")

    def sources(self) -> Html:
        """The ministry's calendar (locked / open), the sources and vintages, and the rules applied."""
        vintages = vintage_table(self.ctx.list_year, self.ctx.quarter)
        vintages["criterion"] = vintages["indicator"].map(LABEL_DA)
        parts = [table(vintages, {"criterion": ("Kriterium", "text"), "calendar_da": ("Ministeriet låser tallet i", "text"),
                                  "text_da": (f"Status ved udgangen af {quarter_da(self.ctx.quarter)}", "text")},
                       caption="Hvornår ministeriet låser tallene til listen")]
        parts.append(sources_table(self.observations))
        version = self.ctx.rules
        crime = next((r.criteria["crime"] for r in self.results if "crime" in r.criteria), None)
        law = (f"Reglerne for listen 1. december {self.ctx.list_year}: {version.label_da}; "
               f"{version.source['law']}, {version.source['paragraph']} ({version.source['url']}).")
        parts.append(paragraph(law))
        if crime is not None:
            text = (f"Kriminalitetsgrænsen {pct_da(crime.threshold, 2)}: {crime.threshold_source}." if crime.threshold is not None
                    else f"Kriminalitetsgrænsen for {self.ctx.list_year} er ikke kendt, så kriminalitetskriteriet kan ikke afgøres.")
            parts.append(paragraph(text))
        parts.append(paragraph("Personer fra at skifte: det mindste antal personer, hvis ændrede forhold flytter området "
                               "over eller under grænsen, med uændret antal i aldersgruppen. Den korteste vej af listen "
                               "lægger personerne for de billigste kriterier sammen."))
        return Html("".join(parts))

    def footer(self) -> Html:
        return footer(self.ctx, self.observations)


def _threshold_da(threshold, decimals: int) -> str:
    """A threshold as the law states it: "40 %", "2,27 %"; unknown when not given."""
    if threshold is None:
        return "(tærsklen er ikke kendt)"
    return pct_da(threshold, 0 if threshold == int(threshold) else decimals)
