"""Kvartalsrapport: one municipality, one quarter; every monitored area against the coming list.

Everything is read from the quarter snapshot, so a figure shown in the overview, the forecast
table, the chart, a sentence and the change log is the same figure.

>>> r = Kvartalsrapport(None, "2020Q3", "461")          # the bundled sample
>>> [a.name for a in r.results if a.designations.get("ghetto")]
['Korsløkkeparken Øst', 'Solbakken mv.', 'Vollsmose']
"""

from __future__ import annotations

import pandas as pd

from ..errors import ParameterError
from ..municipalities import municipalities
from ..plan import letting_table, support_series
from ..present import disclosure
from ..present.charts import line_panels
from ..present.dates import date_da, period_label, quarter_da
from ..present.disclosure import AreaView, Ledger
from ..present.html import (
    Html,
    badge,
    bullets,
    esc,
    figure_attr,
    heading,
    paragraph,
    table,
)
from ..present.marks import mark
from ..present.numbers_da import number_da, pct_da, signed_da
from ..present.outlook import (
    calendar_rows,
    consequences_da,
    exit_sentence,
    first_hard_da,
    last_listed,
    rules_notes_da,
    state_da,
)
from ..present.sentences import criterion_sentence, join_da, threshold_da
from ..present.undecided import designation_reasons_da
from ..risk import band_settings, risk_band
from .common import (
    STATUS_DA,
    ReportContext,
    chosen_key,
    footer,
    is_synthetic,
    left_out,
    register_series,
    share_key,
    sources_table,
    title_block,
    years_before_history_da,
    years_da,
)


class Kvartalsrapport:
    """The quarterly monitoring report of one municipality."""

    def __init__(self, workspace, quarter: str, municipality: str, internal: bool = False, as_of=None):
        self.ctx = ReportContext.create(workspace, quarter, internal, as_of)
        known = municipalities()
        municipality = str(municipality).strip().zfill(3)  # 461 typed as a number in a notebook works too
        if municipality not in known.index:
            raise ParameterError(f"unknown municipality '{municipality}'")
        self.municipality, self.municipality_name = municipality, known.loc[municipality, "municipality_name"]
        snap = self.ctx.snapshot
        self.area_ids = snap.area_ids(municipality)
        if not self.area_ids:
            raise ParameterError(f"no monitored areas with criteria figures in {self.municipality_name} "
                                 f"({municipality}) on {snap.as_of.isoformat()}")
        self.results = snap.results(self.area_ids)
        self.rows = snap.areas.set_index("area").loc[self.area_ids]
        self.figures = snap.rows("figures", "geo_code", self.area_ids)
        self.series = snap.rows("series", "geo_code", self.area_ids)
        self.series = self.series[self.series["geo_level"] == "area"]
        self.version = self.ctx.rules
        self.previous = self.ctx.previous()
        self.support = {r.area: support_series(self.ctx.tables, r.area, as_of=self.ctx.as_of) for r in self.results}
        self.letting = {r.area: letting_table(self.ctx.tables, r.area, self.ctx.quarter) for r in self.results}
        self.ledger = self._disclose()

    # --- disclosure: every number of the report, decided once before anything is rendered -----------
    def _chosen_key(self, area: str, indicator: str):
        return chosen_key(self.ctx.snapshot, area, indicator)

    def _disclose(self) -> Ledger:
        ledger = Ledger(disclosure.active())
        register_series(ledger, self.series)
        previous = self.previous.rows("series", "geo_code", self.area_ids)
        register_series(ledger, previous[previous["geo_level"] == "area"], then=self.previous.as_of)
        criteria = self._criteria() + [self.version.criteria[c] for d in self.version.other_designations()
                                       for c in list(d.and_criteria) + list(d.criteria)]
        for r in self.results:
            for criterion in criteria:
                key = self._chosen_key(r.area, criterion.indicator)
                c = r.criteria[criterion.id]
                ledger.derived(("distance", r.area, criterion.id), c.distance_pp, key)
                ledger.derived(("persons", r.area, criterion.id), c.persons, key)
            conflicts = self.ctx.snapshot.conflicts_of(r.area)
            for indicator, row in conflicts.iterrows():  # the other source's value: as safe as the chosen one
                ledger.derived(("share-other", r.area, indicator, row["other_source"]), row["other_value"],
                               self._chosen_key(r.area, indicator))
            for each in (r, r.following):  # the persons in the still-open part of a window, per list
                for cid, c in (each.criteria.items() if each is not None else ()):
                    key = self._chosen_key(r.area, c.criterion.indicator)
                    ledger.derived(("persons-open", r.area, cid, each.list.id), c.persons_open, key)
        for move in self._moves():
            ledger.derived(("change", move["area"], move["indicator"]), move["change"], move["before_key"], move["now_key"])
        for area, support in self.support.items():
            by_period = {}
            for row in support.itertuples():
                start = ledger.count(("support", area, row.measure, row.start_period), row.start_count, "support_counts")
                latest = ledger.count(("support", area, row.measure, row.latest_period), row.latest_count, "support_counts")
                ledger.derived(("support-change", area, row.measure), row.change, start, latest)
                by_period.setdefault(row.start_period, []).append(start)
                by_period.setdefault(row.latest_period, []).append(latest)
            for keys in by_period.values():  # publicly supported and self-supporting: each the other's complement
                if len(keys) > 1:
                    ledger.link(*keys)
        for area, letting in self.letting.items():
            for row in letting.itertuples():
                for span in ("quarter", "year_to_date", "previous_year"):
                    ledger.count(("letting", area, row.letting_type, span), getattr(row, span), "letting")
        ledger.resolve()
        return ledger

    def view(self, result) -> AreaView:
        """Which of the area's criteria may be shown, and the key of each figure (for sentences)."""
        keys = {cid: self._chosen_key(result.area, c.criterion.indicator) for cid, c in result.criteria.items()}
        return AreaView(result.area, keys, frozenset(c for c, k in keys.items() if k and self.ledger.hidden(k)))

    def basis(self, result) -> dict:
        """Per indicator, the status of the figure chosen for the area (estimate, provisional, ...)."""
        chosen = self.ctx.snapshot.rows("figures", "geo_code", result.area)
        return dict(zip(chosen["indicator"], chosen["status"]))

    def _shown(self, key, text: str) -> str:
        return self.ledger.label(key) if key is not None and self.ledger.hidden(key) else text

    # --- helpers ------------------------------------------------------------------------------------
    def _list_names(self):
        designations = self.version.list_designations()
        return designations[0], designations[-1]

    def _criteria(self):
        """The criteria shown in the overview: the udsat count and the non-western share, in order."""
        return self.version.watched_criteria()

    def undecided_notes(self) -> list[str]:
        return [text for r in self.results for text in designation_reasons_da(r)]

    # --- sections -----------------------------------------------------------------------------------
    def title(self) -> Html:
        return title_block(
            f"Kvartalsrapport: almene boligområder i {self.municipality_name} Kommune",
            f"{quarter_da(self.ctx.quarter)} · tal pr. {self.ctx.as_of_da()} · prognose for listen "
            f"{self.ctx.list.label_da}",
            is_synthetic(self.series), self.ctx.internal, self.undecided_notes(), ctx=self.ctx,
        )

    def headline(self) -> Html:
        """The summary in plain Danish."""
        base, hard = self._list_names()
        list_da = self.ctx.list.label_da
        on_list = [r for r in self.results if r.designations.get(base.id)]
        hard_ones = [r for r in on_list if r.designations.get(hard.id)] if hard is not base else []
        counted = self.version.counted
        udsat = [r for r in self.results if r.designations.get(counted.id) and r not in on_list] if not counted.list else []
        bands = self.rows["band"]
        yellow = [r for r in self.results if bands[r.area] == "yellow"]
        undecided = [r for r in self.results if bands[r.area] == "undecided" or r.undecided_designations()]
        items = [f"{len(self.results)} almene boligområder i {self.municipality_name} Kommune følges i denne rapport; "
                 f"tallene er dem, der forelå {self.ctx.as_of_da()}."]
        names = join_da([r.name for r in on_list]) or "ingen af områderne"
        items.append(f"På listen over {base.plural_da} {list_da} ventes: {names}.")
        history = self.ctx.snapshot.registry.history()
        leaving = [(r.name, last_listed(r, history)) for r in self.results if r not in on_list]
        leaving = [f"{name} (på listen {listed})" for name, listed in leaving if listed]
        if leaving:
            items.append(f"Ventes at forlade listen: {join_da(leaving)}; hvad der fortsat gælder, står under "
                         f"området.")
        if hard_ones:
            kind = hard.plural_da if len(hard_ones) > 1 else hard.label_da.lower()  # "1 som omdannelsesområde"
            items.append(f"Heraf ventes {len(hard_ones)} som {kind}: {join_da([r.name for r in hard_ones])}.")
        if udsat:
            items.append(f"{counted.plural_da.capitalize()} (ikke på listen over {base.plural_da}): "
                         f"{join_da([r.name for r in udsat])}.")
        for other in self.version.other_designations():
            held = [r.name for r in self.results if r.designations.get(other.id)]
            if held:
                items.append(f"{other.plural_da.capitalize()} ({other.paragraph}): {join_da(held)}.")
        if yellow:
            items.append(f"I risiko efter rapportens margin (ikke efter loven): {join_da([r.name for r in yellow])}.")
        if undecided:
            items.append(f"Kan ikke afgøres helt med de tal, der foreligger: {join_da([r.name for r in undecided])} "
                         f"(se boksen øverst).")
        settled = [r for r in self.results if r.exit is not None and not r.exit.possible]
        following = next((r.following for r in self.results if r.following is not None), None)
        if on_list and len(settled) == len([r for r in self.results if r.exit is not None]) and following is not None:
            items.append(f"Tallene til listen {list_da} er målt, og ingen indsats kan længere ændre den; det, der "
                         f"gøres nu, virker først på listen {following.list.label_da}. Vejene af listen nedenfor "
                         f"gælder derfor den liste, efter loven som den gælder {self.ctx.as_of_da()}.")
        for r in on_list:
            sentence = exit_sentence(r, self.view(r), self.basis(r))
            if sentence:
                items.append(sentence)
        disagree = [r.name for r in self.results if isinstance(self.rows.loc[r.area, "category_note_da"], str)]
        if disagree:
            items.append(f"Kommunens egen kategori afviger fra den beregnede risikogruppe for: {join_da(disagree)} "
                         f"(se begrundelserne).")
        return bullets(items)

    def overview_intro(self) -> Html:
        """What the colours mean, in the words of the coming list's own rules."""
        base, hard = self._list_names()
        counted = self.version.counted
        others = "".join(f", **{d.plural_da}** ({d.paragraph}) er blå" for d in self.version.other_designations())
        red = base.plural_da if hard is base else f"{base.plural_da} (og {hard.plural_da})"
        text = (f"Risikogrupperne følger kommunens kvartalsvise overvågning: rød er på eller ventes på listen over "
                f"{red}, orange er {counted.label_da.lower()}{others.replace('**', '')}, gul er i risiko efter "
                f"rapportens margin, og grøn er ikke i risiko. Betegnelserne er beregnet efter almenboligloven, "
                f"{self.version.source['paragraph']}, som reglerne gælder for listen {self.ctx.list.label_da}.")
        return paragraph(text)

    def overview(self) -> Html:
        """Every monitored area: band, designation, years on the list, criteria values."""
        criteria = self._criteria()
        head = ["Område", "Risikogruppe", "Forventet betegnelse", "År på listen før", "Beboere"]
        # The municipality's own category, where it keeps one (a column of dashes says nothing).
        own_kept = any(isinstance(self.rows.loc[r.area, "own_category"], str) for r in self.results)
        head += [f"{c.column_da} ({threshold_da(c, self._threshold(c))})" for c in criteria]
        head += ["Egen kategori"] if own_kept else []
        body = []
        for r in self.results:
            row = self.rows.loc[r.area]
            cells = [f'<th scope="row">{esc(r.name)}</th>', f"<td>{badge(row['band_label_da'], row['band_colour'])}</td>",
                     f"<td>{esc(r.designation_label())}</td>", f'<td class="num">{esc(years_da(r))}</td>',
                     f'<td class="num">{esc(number_da(None if r.residents is None else int(r.residents)))}</td>']
            for criterion in criteria:
                c = r.criteria[criterion.id]
                key = self._chosen_key(r.area, criterion.indicator)
                hidden = key is not None and self.ledger.hidden(key)
                text = self._shown(key, pct_da(c.value, criterion.decimals) if c.value is not None else "–")
                marked = c.met is True and not hidden
                period = self.ctx.snapshot.chosen_period(r.area, criterion.indicator)
                named = figure_attr(r.area, criterion.indicator, period) if period is not None else ""
                cells.append(f'<td class="num{" met" if marked else ""}"{named}>'
                             f'{"<strong>" + esc(text) + "</strong>" if marked else esc(text)}</td>')
            if own_kept:
                own = esc(row["own_category"]) if isinstance(row["own_category"], str) else "–"
                if isinstance(row["category_note_da"], str):
                    own += ' <span class="bd-warn">(afviger)</span>'
                cells.append(f"<td>{own}</td>")
            body.append("<tr>" + "".join(cells) + "</tr>")
        html = ('<table class="bd-table bd-overview"><caption>Alle overvågede områder. Opfyldte kriterier er '
                f'fremhævet med fed. Værdierne er prognosen for listen {esc(self.ctx.list.label_da)}.</caption>'
                '<thead><tr>' + "".join(f'<th scope="col">{esc(h)}</th>' for h in head) + "</tr></thead><tbody>"
                + "".join(body) + "</tbody></table>")
        reasons = []
        for r in self.results:
            row = self.rows.loc[r.area]
            note = f" {row['category_note_da']}" if isinstance(row["category_note_da"], str) else ""
            reasons.append(f"{r.name}: {self._reason(r)}{note}")
        parts = [self.overview_intro(), Html(f'<div class="bd-scroll">{html}</div>'), heading("Begrundelser", 3),
                 bullets(reasons)]
        parts += [self._other(designation) for designation in self.version.other_designations()]
        return Html("".join(parts))

    def _reason(self, result) -> str:
        """The band's reason, with no number the disclosure control hides."""
        return risk_band(result, view=self.view(result))["reason_da"]

    def _threshold(self, criterion):
        if criterion.threshold is not None:
            return criterion.threshold
        return next((r.criteria[criterion.id].threshold for r in self.results
                     if r.criteria[criterion.id].threshold is not None), None)

    def _other(self, designation) -> Html:
        """A designation outside the list (forebyggelsesområde, § 61 b) with its own criteria and thresholds."""
        ids = list(designation.and_criteria) + list(designation.criteria)
        criteria = [self.version.criteria[c] for c in ids]
        rows = []
        for r in self.results:
            value = {True: "ja", False: "nej", None: "kan ikke afgøres"}[r.designations.get(designation.id)]
            if designation.excludes and r.statute.get(designation.id) and not r.designations.get(designation.id):
                excluded = join_da([r.version.designations[d].label_da.lower() for d in designation.excludes
                                    if r.designations.get(d)])
                value = f"nej: opfylder {designation.paragraph}, men er {excluded}" if excluded else value
            row = {"name": r.name, "value": value}
            for c in criteria:
                result = r.criteria[c.id]
                key = self._chosen_key(r.area, c.indicator)
                mark = " (opfyldt)" if result.met else ""
                row[c.id] = self._shown(key, pct_da(result.value, c.decimals) + mark if result.value is not None else "–")
            rows.append(row)
        columns = {"name": ("Område", "text"), "value": (designation.label_da, "text")}
        columns.update({c.id: (f"{c.column_da} ({threshold_da(c, self._threshold(c))})", "text") for c in criteria})
        first = criteria[0]
        intro = (f"Et {designation.label_da.lower()} ({designation.paragraph}) opfylder {first.name_da} "
                 f"({threshold_da(first, first.threshold)}) og mindst {designation.min_met} af de "
                 f"{len(designation.criteria)} øvrige kriterier, med andre grænser end listen.")
        if designation.excludes:
            names = join_da([self.version.designations[d].plural_da for d in designation.excludes])
            intro += (f" Loven udelukker ikke et område fra begge lister, men ministeriet offentliggør listen over "
                      f"{designation.plural_da} uden de {names}; rapporten følger de offentliggjorte lister.")
        return Html(heading(designation.plural_da.capitalize(), 3) + paragraph(intro) + table(
            pd.DataFrame(rows), columns, caption=f"Kriterierne for {designation.plural_da}, listen {self.ctx.list.label_da}"))

    def at_risk(self) -> Html:
        """For each area not green: the forecast, vintages, distances in points and persons, the way off."""
        parts = []
        for r in self.results:
            row = self.rows.loc[r.area]
            if row["band"] == "green":
                continue
            parts.append(heading(r.name, 3))
            view = self.view(r)
            parts.append(Html(f"<p>{badge(row['band_label_da'], row['band_colour'])} Forventet betegnelse: "
                              f"<strong>{esc(r.designation_label())}</strong>. {esc(self._reason(r))}</p>"))
            sentences = [criterion_sentence(r.name, r.criteria[c.id], view) for c in self._criteria()
                         if r.criteria[c.id].met is not None and r.criteria[c.id].persons is not None]
            if sentences:
                parts.append(bullets(sentences))
            chosen = self.ctx.snapshot.figures_of(r.area)
            rows = []
            for criterion in self._criteria():
                c = r.criteria[criterion.id]
                source = chosen.loc[criterion.indicator] if criterion.indicator in chosen.index else None
                key = self._chosen_key(r.area, criterion.indicator)
                rows.append({
                    "cid": criterion.id, "indicator": criterion.indicator,
                    "period": None if source is None else source["period"],
                    "criterion": criterion.name_da.capitalize(),
                    "rule": threshold_da(criterion, c.threshold),
                    "value": self._shown(key, pct_da(c.value, criterion.decimals) if c.value is not None else "mangler"),
                    "met": {True: "ja", False: "nej", None: "kan ikke afgøres"}[c.met],
                    "distance": None if c.distance_pp is None else
                    self._shown(("distance", r.area, criterion.id), signed_da(c.distance_pp, criterion.decimals)),
                    "persons": None if c.persons is None else
                    self._shown(("persons", r.area, criterion.id), number_da(c.persons)),
                    "basis": None if source is None else
                    f"{source['basis_da']}, {period_label(source['period'])}, opgjort {date_da(source['vintage'])}",
                    "window": c.state.window.label_da(r.list.year) if c.state else "–",
                    "ministry": state_da(c.state) if c.state else "–",
                })
            parts.append(table(pd.DataFrame(rows), {
                "criterion": ("Kriterium", "text"), "rule": ("Grænse", "numtext"), "value": ("Værdi", "numtext"),
                "met": ("Opfyldt", "text"), "distance": ("Afstand (procentpoint)", "numtext"),
                "persons": ("Personer fra at skifte", "numtext"), "basis": ("Grundlag", "text"),
                "window": ("Ministeriets tal måler", "text"), "ministry": (f"Status {date_da(self.ctx.as_of)}", "text")},
                caption=f"{r.name}: prognose for listen {self.ctx.list.label_da}. Afstanden er positiv, når "
                        f"kriteriet er opfyldt.",
                meaning=lambda row, key, area=r.area: self._at_risk_meaning(area, row, key)))
            sentence = exit_sentence(r, view, self.basis(r), stays=False)
            if sentence:
                parts.append(paragraph(sentence, "bd-exit"))
            parts += [paragraph(text) for text in (first_hard_da(r), self._conflicts_da(r), self._choice_da(r)) if text]
            brings = consequences_da(r, self.ctx.snapshot.registry.history())
            if brings:
                parts.append(paragraph(f"Hvad betegnelsen betyder, hvis området kommer på listen "
                                       f"{r.list.label_da}:"))
                parts.append(bullets(brings))
        if not parts:
            parts.append(paragraph("Ingen områder er i risiko i dette kvartal."))
        return Html("".join(parts))

    def _conflicts_da(self, result) -> str | None:
        """Where two sources give different values for a chosen figure: the other value, and whether
        it would change a designation (issue 22, "which source")."""
        conflicts = self.ctx.snapshot.conflicts_of(result.area)
        texts = []
        shown = [("residents", "beboertallet", lambda v: number_da(v))]
        shown += [(c.indicator, c.name_da, lambda v, d=c.decimals: pct_da(v, d)) for c in self._criteria()]
        for indicator, name, written in shown:
            if indicator not in conflicts.index:
                continue
            row = conflicts.loc[indicator]
            key = self._chosen_key(result.area, indicator)
            other_key = ("share-other", result.area, indicator, row["other_source"])
            if key is None or self.ledger.hidden(key) or self.ledger.hidden(other_key):
                continue
            chosen = mark(key, written(row["value"]))
            other = mark(other_key, written(row["other_value"]))
            changed = [result.version.designations[d].label_da.lower() for d in str(row["changes"] or "").split(";") if d]
            effect = (f"Med det tal ville betegnelsen ændre sig ({join_da(changed)})" if changed
                      else "Det ville ikke ændre betegnelsen")
            texts.append(f"For {name} bruger rapporten {chosen} fra {row['source']} "
                         f"({STATUS_DA.get(row['status'], row['status'])}); {row['other_source']} har {other} for samme "
                         f"periode. {effect}.")
        return " ".join(texts) or None

    def _choice_da(self, result) -> str | None:
        """Where the list has two published crime figures and the other one would change a designation."""
        texts = []
        for value, changed in result.choice_changes:
            names = join_da([result.version.designations[d].label_da.lower() for d in changed])
            texts.append(f"Kilderne giver to tal for kriminalitetsgrænsen til listen {result.list.label_da}; med det "
                         f"andet ({pct_da(value, 2)}) ville betegnelsen ændre sig ({names}).")
        return " ".join(texts) or None

    @staticmethod
    def _at_risk_meaning(area: str, row, key: str):
        if key == "value" and row["period"]:
            return share_key(area, row["indicator"], row["period"])
        if key in ("distance", "persons"):
            return (key, area, row["cid"])
        return None

    def trends(self) -> Html:
        """Each criterion over time for the areas at risk, against the threshold of the coming list."""
        focus = [r for r in self.results if self.rows.loc[r.area, "band"] != "green"][:6] or self.results[:3]
        names = {r.area: r.name for r in focus}
        # Only the columns the chart reads: every filter below copies each column it keeps.
        series = self.series[self.series["geo_code"].isin(names)][["geo_code", "indicator", "period", "period_end",
                                                                   "value"]]
        panels = []
        for criterion in self._criteria():
            part = series[series["indicator"] == criterion.indicator].sort_values("period_end")
            # A point the disclosure control hides is left out of the chart (and of its text).
            shown = [not self.ledger.hidden(share_key(a, i, p)) for a, i, p in
                     zip(part["geo_code"], part["indicator"], part["period"])]
            part = part[pd.Series(shown, index=part.index, dtype=bool)]
            grouped = dict(list(part.groupby("geo_code", sort=False)))
            # The legend in the report's order (the most severe band first), not the data's.
            lines = {names[a]: [(p, float(v), share_key(a, i, p)) for p, v, i in
                                zip(grouped[a]["period"], grouped[a]["value"], grouped[a]["indicator"])]
                     for a in names if a in grouped}
            threshold = self._threshold(criterion)
            label = f"grænse {threshold_da(criterion, threshold)}" if threshold is not None else ""
            panels.append({"title": criterion.column_da, "series": lines, "threshold": threshold,
                           "threshold_label": label, "decimals": criterion.decimals, "suffix": " %"})
        return line_panels(panels, title=f"Kriterierne over tid for områderne i risiko, med grænserne for listen "
                                             f"{self.ctx.list.label_da}")

    def _moves(self) -> list[dict]:
        """Each criterion's figure now and in the previous quarter's forecast, per area."""
        if "_moves_found" in self.__dict__:
            return self._moves_found
        previous = self.previous
        before = {r.area: r for r in previous.results([a for a in self.area_ids if a in set(previous.area_ids())])}
        moves = []
        for r in self.results:
            old = before.get(r.area)
            if old is None:
                continue
            for criterion in self._criteria():
                c, o = r.criteria.get(criterion.id), old.criteria.get(criterion.id)
                if c is None or o is None or c.value is None or o.value is None:
                    continue
                then = previous.chosen_period(r.area, criterion.indicator)
                moves.append({"area": r.area, "name": r.name, "indicator": criterion.indicator,
                              "criterion": criterion.column_da, "decimals": criterion.decimals,
                              "before": float(o.value), "now": float(c.value), "change": float(c.value - o.value),
                              "before_key": share_key(r.area, criterion.indicator, then, previous.as_of),
                              "now_key": self._chosen_key(r.area, criterion.indicator)})
        self._moves_found = moves
        return moves

    def changes(self) -> Html:
        """What changed since the previous quarter's forecast: designations, criteria crossed, largest moves."""
        previous = self.previous
        before = {r.area: r for r in previous.results([a for a in self.area_ids if a in set(previous.area_ids())])}
        if not before:
            return paragraph(f"Der er ingen tal for {quarter_da(previous.quarter)} at sammenligne med.")
        items = []
        for criterion in self._criteria():  # a threshold that became public explains many changes at once
            now, then = self._threshold(criterion), next(
                (o.criteria[criterion.id].threshold for o in before.values()
                 if criterion.id in o.criteria and o.criteria[criterion.id].threshold is not None), None)
            if criterion.national_average_multiple and now is not None and then is None:
                items.append(f"Grænsen for {criterion.name_da} til listen {self.ctx.list.label_da} er blevet kendt "
                             f"siden sidste kvartal ({threshold_da(criterion, now)}); i "
                             f"{quarter_da(previous.quarter)} kunne kriteriet ikke afgøres.")
        for r in self.results:
            old = before.get(r.area)
            if old is None:
                items.append(f"{r.name}: nyt i overvågningen.")
                continue
            held = {d for d, v in r.designations.items() if v}
            held_before = {d for d, v in old.designations.items() if v}
            if held != held_before:
                items.append(f"{r.name}: den forventede betegnelse ændres fra {old.designation_label().lower()} "
                             f"til {r.designation_label().lower()}.")
            for criterion in self._criteria():
                c, o = r.criteria.get(criterion.id), old.criteria.get(criterion.id)
                if c is not None and o is not None and c.met is not None and o.met is not None and c.met != o.met:
                    verb = "opfylder nu" if c.met else "opfylder ikke længere"
                    items.append(f"{r.name} {verb} {criterion.name_da}{self._crossing_da(r.area, criterion)}.")
        target = (f"listen {previous.list.label_da}" if previous.list.id == self.ctx.list.id
                  else f"listen {previous.list.label_da}; nu er prognosen for listen {self.ctx.list.label_da}")
        parts = [paragraph(f"Sammenlignet med prognosen i {quarter_da(previous.quarter)} (tal pr. "
                           f"{date_da(previous.as_of)}, {target}).")]
        parts.append(bullets(items) if items else
                     paragraph("Ingen områder har skiftet forventet betegnelse eller krydset et kriterium."))
        # A move whose start or end is hidden is left out: the change and the other end would give it back.
        moves = [m for m in self._moves() if not (self.ledger.hidden(m["before_key"]) or self.ledger.hidden(m["now_key"])
                                                  or self.ledger.hidden(("change", m["area"], m["indicator"])))]
        if moves:
            top = pd.DataFrame(moves).assign(size=lambda f: f["change"].abs()).sort_values(
                ["size", "name"], ascending=[False, True]).head(5)
            top["before"] = [pct_da(v, d) for v, d in zip(top["before"], top["decimals"])]
            top["now"] = [pct_da(v, d) for v, d in zip(top["now"], top["decimals"])]
            top["change"] = [signed_da(v, d) for v, d in zip(top["change"], top["decimals"])]
            parts.append(table(top, {"name": ("Område", "text"), "criterion": ("Kriterium", "text"),
                                     "before": ("Før", "text"), "now": ("Nu", "text"),
                                     "change": ("Ændring (procentpoint)", "text")},
                               caption="De største bevægelser siden sidste kvartal",
                               meaning=lambda row, key: row["now_key"] if key == "now" else
                               ("change", row["area"], row["indicator"]) if key == "change" else None))
        return Html("".join(parts))

    def _crossing_da(self, area: str, criterion) -> str:
        """The two figures behind a criterion crossed since last quarter, and what each rests on.

        A crossing often comes from a new source rather than a new situation (the ministry's
        locked figure replacing an estimate), so the sentence names both; it gives no number
        when either end or the change may not be published.
        """
        move = next((m for m in self._moves() if m["area"] == area and m["indicator"] == criterion.indicator), None)
        if move is None or any(self.ledger.hidden(k) for k in (move["before_key"], move["now_key"],
                                                                 ("change", area, criterion.indicator))):
            return ""

        def basis(snapshot) -> str:
            figures = snapshot.figures_of(area)
            if criterion.indicator not in figures.index:
                return ""
            source = figures.loc[criterion.indicator]
            return f" ({source['basis_da']}, opgjort {date_da(source['vintage'])})"

        now = mark(move["now_key"], pct_da(move["now"], move["decimals"]))
        before = mark(move["before_key"], pct_da(move["before"], move["decimals"]))
        return (f": {now}{basis(self.ctx.snapshot)} mod {before}{basis(self.previous)} i "
                f"{quarter_da(self.previous.quarter)}")

    def own_series(self) -> Html:
        """Publicly supported / self-supporting, and strategic letting, for areas with own data."""
        parts = []
        for r in sorted(self.results, key=lambda r: r.name):
            support, letting = self.support[r.area], self.letting[r.area]
            if support.empty and letting.empty:
                continue
            parts.append(heading(r.name, 3))
            if not support.empty:
                support = support.copy()
                support["start"] = support["start_period"].map(period_label)
                support["latest"] = support["latest_period"].map(period_label)
                support["wanted"] = support["as_wanted"].map({True: "ja", False: "nej"})
                support["start_count"] = [self._shown(("support", r.area, m, p), number_da(v)) for m, p, v in
                                          zip(support["measure"], support["start_period"], support["start_count"])]
                support["latest_count"] = [self._shown(("support", r.area, m, p), number_da(v)) for m, p, v in
                                           zip(support["measure"], support["latest_period"], support["latest_count"])]
                support["change"] = [self._shown(("support-change", r.area, m), signed_da(v, 0)) for m, v in
                                     zip(support["measure"], support["change"])]
                support["wanted"] = ["–" if self.ledger.hidden(("support-change", r.area, m)) else w
                                     for m, w in zip(support["measure"], support["wanted"])]
                parts.append(table(support, {"label_da": ("Gruppe", "text"), "start": ("Start", "text"),
                                             "start_count": ("Antal ved start", "text"),
                                             "latest": ("Seneste", "text"),
                                             "latest_count": ("Antal seneste", "text"),
                                             "change": ("Ændring", "text"),
                                             "wanted": ("I ønsket retning", "text")},
                                   caption=f"{r.name}: offentligt forsørgede og selvforsørgende (egne data)",
                                   meaning=lambda row, key, area=r.area: self._support_meaning(area, row, key)))
            if not letting.empty:
                year = int(self.ctx.quarter[:4])
                parts.append(table(letting, {
                    "letting_type": ("Udlejningsform", "text"), "quarter": (quarter_da(self.ctx.quarter), "int"),
                    "year_to_date": (f"{year}, 1.-{self.ctx.quarter[-1]}. kvartal", "int"),
                    "previous_year": (f"Hele {year - 1}", "int")}, caption=f"{r.name}: strategisk udlejning"))
        return Html("".join(parts)) if parts else paragraph("Der er ingen egne kvartalsserier for områderne.")

    @staticmethod
    def _support_meaning(area: str, row, key: str):
        if key == "start_count":
            return ("support", area, row["measure"], row["start_period"])
        if key == "latest_count":
            return ("support", area, row["measure"], row["latest_period"])
        if key == "change":
            return ("support-change", area, row["measure"])
        return None

    def sources(self) -> Html:
        """The ministry's calendar, the sources and vintages, the rules, the history and what the date left out."""
        snap = self.ctx.snapshot
        labels = {c.indicator for c in self.version.ordered_criteria()} | {"residents"}
        parts = [paragraph(f"Ministeriets tal til listen {self.ctx.list.label_da} måler en bestemt periode. Når den er "
                           f"slut, kan tallet ikke længere ændres, selv om ministeriet først offentliggør det senere; "
                           f"indtil da er kommunens eget tal et skøn over det.")]
        for lst, rules in ((self.ctx.list, self.version),) + tuple(
                (r.following.list, r.following.version) for r in self.results[:1] if r.following is not None):
            parts.append(table(pd.DataFrame(calendar_rows(rules, lst, self.ctx.as_of)),
                               {"criterion": ("Kriterium", "text"), "window_da": ("Ministeriets tal måler", "text"),
                                "evidence_da": ("Kilde til perioden", "text"),
                                "state_da": (f"Status {date_da(self.ctx.as_of)}", "text")},
                               caption=f"Hvad tallene til listen {lst.label_da} måler, og hvor langt de er"))
        shown = self.series[self.series["indicator"].isin(list(labels))]
        parts.append(sources_table(shown, self.ctx.tables))
        source = self.version.source
        notes = rules_notes_da(self.results, self.ctx.as_of)
        parts += [paragraph(text) for text in notes] or [paragraph(
            f"Reglerne for listen {self.ctx.list.label_da}: {self.version.label_da}; {source['law']}, "
            f"{source['paragraph']}.")]
        crime = next((r.criteria["crime"] for r in self.results if "crime" in r.criteria), None)
        if crime is not None and crime.criterion.national_average_multiple:
            if crime.threshold_detail is not None:
                parts.append(paragraph(f"Kriminalitetsgrænsen: {crime.threshold_detail.source_da()}"
                                       f"{self._crime_source()}."))
            else:
                parts.append(paragraph(f"Kriminalitetsgrænsen for listen {self.ctx.list.label_da} kendes ikke, så "
                                       f"{crime.criterion.name_da} kan ikke afgøres, hvor det betyder noget for "
                                       f"betegnelsen."))
        coverage = snap.coverage
        if coverage.empty and snap.history.empty:
            parts.append(paragraph("Listehistorikken er ikke indlæst, så antallet af år på listen kendes ikke."))
        else:
            from ..lists import get_list, load_lists

            first = {r.run.first_covered for r in self.results if r.run and r.run.first_covered}
            very_first = load_lists()[0].id
            firsts = join_da([get_list(f).label_da for f in sorted(first, key=lambda f: get_list(f).known_by)])
            if not first:
                parts.append(paragraph("Listehistorikken siger ikke, hvilke lister den dækker; et antal år på listen "
                                       "står derfor som «mindst»."))
            elif first == {very_first}:  # nothing before the first list: a count back to it is exact
                parts.append(paragraph(f"Listehistorikken dækker alle lister fra den første, {firsts}."))
            else:
                parts.append(paragraph(f"Listehistorikken dækker listerne fra {firsts}. Et område, der har været på "
                                       f"listen lige siden, kan have været det længere; antallet står da som "
                                       f"«mindst»."))
            earlier = {}
            for r in self.results:
                if why := years_before_history_da(r):
                    earlier.setdefault(why, []).append(r.name)
            parts.extend(paragraph(f"{join_da(names)}: {text}") for text, names in earlier.items())
        from ..municipalities import municipalities as known

        region = known().loc[self.municipality, "region_code"]
        note = left_out(snap, list(self.area_ids) + [self.municipality, region, "000"])
        if note:
            parts.append(paragraph(note))
        parts.append(paragraph(
            "Personer fra at skifte: det mindste antal hele personer, hvis ændrede forhold flytter området over eller "
            "under grænsen, med uændret antal i aldersgruppen; det regnes fra det hele antal personer, andelen svarer "
            "til. Den korteste vej af listen bruger kun de kriterier, hvis måleperiode endnu ikke er slut, med de "
            "personer, der skal ændre forhold i den del af perioden, der er tilbage, og lægger de billigste sammen. "
            f"Risikogruppen «{band_settings().band('yellow').label_da}» er rapportens egen vurdering, ikke lovens: området kan nå en betegnelse på den "
            "kommende eller den følgende liste, fordi et kriterium, det ikke opfylder, ligger inden for marginen og "
            "stadig kan ændres eller endnu ikke er offentliggjort "
            f"({band_settings().margins_da(self.version)})."))
        return Html("".join(parts))

    def _crime_source(self) -> str:
        from ..crime import crime_figures_from_table, known_crime_figures

        figures = known_crime_figures().known_on(self.ctx.as_of).merged(
            crime_figures_from_table(self.ctx.tables.crime_averages))
        used = figures.used(self.ctx.list.id)
        if used is None:
            return ""
        sources = join_da([part.strip() for part in used.source.split(";")])  # the data file separates them by ";"
        text = f" (kilde: {sources}; {used.evidence_da})"
        replaced = used.replaces
        if replaced is not None:
            text += (f"; det erstatter det offentliggjorte tal {pct_da(replaced.value, 2)} ({replaced.evidence_da}), "
                     f"som det strider imod")
        others = [f for f in figures.for_list(self.ctx.list.id) if not f.used]
        if others:
            text += "; andre tal i kilderne: " + join_da([f"{pct_da(f.value, 2)} ({f.evidence_da})" for f in others])
        return text

    def footer(self) -> Html:
        return footer(self.ctx, self.series)
