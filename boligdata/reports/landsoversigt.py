"""Landsoversigt: every area of a workspace (all its municipalities, or one region) at a glance.

For those who hold data for many municipalities (Landsbyggefonden, BL, the ministry, a region,
a large housing organisation): each area's expected designation and risk for the coming list,
the count per designation against the last published list, the areas nearest to leaving or
entering a list (in persons), a table per region, and the count per designation over the years.
Read from the quarter snapshot, with the same disclosure control as every report.

>>> o = Landsoversigt(None, "2020Q3")
>>> len(o.results), o.scope_da
(21, 'Odense og Slagelse kommuner')
"""

from __future__ import annotations

import pandas as pd

from ..lists import get_list, lists_before
from ..municipalities import municipalities, regions
from ..present import disclosure
from ..present.charts import line_panels
from ..present.dates import quarter_da
from ..present.disclosure import Ledger
from ..present.html import (
    Html,
    badge,
    bullets,
    esc,
    heading,
    number_da,
    paragraph,
    table,
)
from ..present.sentences import join_da
from .common import (
    ReportContext,
    chosen_key,
    footer,
    is_synthetic,
    register_series,
    sources_table,
    title_block,
    years_da,
)

ALL = "alle"


class Landsoversigt:
    """The whole workspace, or one region, for the coming list."""

    def __init__(self, workspace, quarter: str, region: str = ALL, internal: bool = False, as_of=None):
        from ..errors import ParameterError

        self.ctx = ReportContext.create(workspace, quarter, internal, as_of)
        snap = self.ctx.snapshot
        region = str(region).strip().lower()
        kommuner = municipalities()
        areas = snap.areas.assign(region_code=snap.areas["municipality_code"].map(kommuner["region_code"]),
                                  municipality_name=snap.areas["municipality_code"].map(kommuner["municipality_name"]))
        if region != ALL:
            region = region.zfill(3)
            if region not in regions():
                raise ParameterError(f"unknown region '{region}' (alle, or one of {', '.join(sorted(regions()))})")
            areas = areas[areas["region_code"] == region]
        self.region = region
        self.areas = areas.set_index("area")
        self.area_ids = [a for a in snap.area_ids() if a in self.areas.index]
        if not self.area_ids:
            scope = "the workspace" if region == ALL else regions()[region]
            raise ParameterError(f"no monitored areas with criteria figures in {scope} on {snap.as_of}")
        self.scope_da = regions()[region] if region != ALL else self._municipalities_da(len(kommuner))
        self.results = snap.results(self.area_ids)
        self.version = self.ctx.rules
        self.series = snap.series[(snap.series["geo_level"] == "area") & snap.series["geo_code"].isin(self.area_ids)]
        self.ledger = self._disclose()

    def _municipalities_da(self, in_country: int) -> str:
        """The municipalities the overview covers, as a reader names them: all, a few by name, or a count."""
        names = sorted(set(self.areas.loc[self.area_ids, "municipality_name"]))
        if len(names) == in_country:
            return "hele landet"
        if len(names) == 1:
            return f"{names[0]} Kommune"
        return f"{join_da(names)} kommuner" if len(names) <= 5 else f"{len(names)} kommuner"

    # --- disclosure ---------------------------------------------------------------------------------
    def _key(self, area: str, indicator: str):
        return chosen_key(self.ctx.snapshot, area, indicator)

    def _disclose(self) -> Ledger:
        ledger = Ledger(disclosure.active())
        register_series(ledger, self.series)
        for r in self.results:
            for cid, c in r.criteria.items():
                ledger.derived(("persons", r.area, cid), c.persons, self._key(r.area, c.criterion.indicator))
            leaving = self._to_leave(r)
            if leaving is not None:
                keys = [self._key(r.area, r.criteria[c].criterion.indicator) for c in leaving[1] if c in r.criteria]
                ledger.derived(("exit", r.area), leaving[0], *[k for k in keys if k])
            entering = self._to_enter(r)
            if entering is not None:
                keys = [self._key(r.area, r.criteria[c].criterion.indicator) for c in entering[1]]
                ledger.derived(("enter", r.area), entering[0], *[k for k in keys if k])
        ledger.resolve()
        return ledger

    @staticmethod
    def _to_leave(result):
        """(persons, criteria, list): the way off the list, through what can still move: on the coming
        list where something can, else on the following one (the kvartalsrapport's sentence)."""
        for each in (result, result.following):
            top = each.most_severe() if each is not None else None
            if top is None or not top.list:
                return None
            path = each.exit
            if path is not None and path.possible and path.persons is not None:
                return path.persons, path.criteria, each.list
        return None

    @staticmethod
    def _to_enter(result):
        """(persons, criteria, list): the fewest persons whose change would make a not-designated area
        meet the counted designation (udsat), through its unmet criteria that can still move, each by
        the persons who must change in the still-open part of its window: on the coming list where
        enough can move, else on the following one."""
        for each in (result, result.following):
            if each is None:
                return None
            counted = each.version.counted
            if each.designations.get(counted.id) is not False or each.population_ok is False:
                return None
            met = [c for c in counted.criteria if each.criteria[c].met]
            missing = counted.min_met - len(met)
            options = sorted((each.criteria[c].persons_open, c) for c in counted.criteria
                             if each.criteria[c].met is False and each.criteria[c].persons_open is not None)
            if missing > 0 and len(options) >= missing:
                chosen = options[:missing]
                return sum(p for p, _ in chosen), [c for _, c in chosen], each.list
        return None

    # --- sections -----------------------------------------------------------------------------------
    def title(self) -> Html:
        kind = "Landsoversigt" if self.scope_da == "hele landet" else "Oversigt" if self.region == ALL \
            else "Regionsoversigt"
        return title_block(f"{kind}: almene boligområder i {self.scope_da}",
                           f"{quarter_da(self.ctx.quarter)} · tal pr. {self.ctx.as_of_da()} · prognose for listen "
                           f"{self.ctx.list.label_da}", is_synthetic(self.series), self.ctx.internal, ctx=self.ctx)

    def _history_in_scope(self, history: pd.DataFrame) -> pd.DataFrame:
        """The list rows of areas in the municipalities this overview covers (those with monitored
        areas), so that counts compare like with like."""
        homes = dict(zip(self.ctx.tables.areas["area_id"], self.ctx.tables.areas["municipality_code"]))
        covered = set(self.areas.loc[self.area_ids, "municipality_code"])
        return history[history["area_id"].map(lambda a: homes.get(a) in covered).astype(bool)]

    def _previous_list(self):
        earlier = lists_before(self.ctx.list)
        return earlier[-1] if earlier else None

    def _counts(self) -> pd.DataFrame:
        """Per designation of the coming list: the forecast count and the last published list's."""
        previous = self._previous_list()
        history = self.ctx.snapshot.registry.list_history
        last = self._history_in_scope(history)
        last = last[last["list_id"] == (previous.id if previous else "")]
        rows = []
        for designation in self.version.ordered_designations():
            forecast = sum(bool(r.designations.get(designation.id)) for r in self.results)
            undecided = sum(r.designations.get(designation.id) is None for r in self.results)
            published = int((last["designation"] == designation.id).sum())
            rows.append({"designation": designation.label_da, "forecast": forecast, "undecided": undecided,
                         "published": published if previous else None})
        return pd.DataFrame(rows)

    def summary(self) -> Html:
        counts = self._counts()
        previous = self._previous_list()
        municipalities_count = self.areas.loc[self.area_ids, "municipality_code"].nunique()
        kommuner = "kommune" if municipalities_count == 1 else "kommuner"
        items = [f"{len(self.results)} almene boligområder i {municipalities_count} {kommuner} følges; tallene er dem, "
                 f"der forelå {self.ctx.as_of_da()}."]
        for row in counts.itertuples():
            if row.forecast or row.published:
                before = f" (listen {previous.label_da}: {row.published})" if previous else ""
                items.append(f"{row.designation}: {row.forecast} ventes på listen {self.ctx.list.label_da}{before}.")
        following = next((r.following for r in self.results if r.following is not None), None)
        if following is not None and not any(r.exit is not None and r.exit.possible for r in self.results):
            items.append(f"Tallene til listen {self.ctx.list.label_da} er målt, så kun ministeriets endnu ikke "
                         f"offentliggjorte tal kan ændre den; vejene af og på listen nedenfor gælder listen "
                         f"{following.list.label_da}.")
        undecided = [r.name for r in self.results if r.undecided_designations()]
        if undecided:
            items.append(f"Kan ikke afgøres helt med de tal, der foreligger: {len(undecided)} områder.")
        return bullets(items)

    def counts_table(self) -> Html:
        counts = self._counts()
        previous = self._previous_list()
        columns = {"designation": ("Betegnelse", "text"), "forecast": (f"Prognose {self.ctx.list.label_da}", "num"),
                   "undecided": ("Kan ikke afgøres", "num")}
        if previous:
            columns["published"] = (f"Offentliggjort {previous.label_da}", "num")
        nested = [f"et {d.label_da.lower()} er også et {self.version.designations[parent].label_da.lower()}"
                  for d in reversed(self.version.ordered_designations())
                  for parent in dict.fromkeys(d.requires + d.consecutive_years_of)
                  if parent in self.version.designations]  # years may count under an older name
        inclusive = (f"Tallene er inklusive, som loven definerer betegnelserne: {join_da(nested)}. " if nested else "")
        note = paragraph(f"{inclusive}Prognosen tæller de områder, der følges med tal; den offentliggjorte liste "
                         f"tæller de områder i listehistorikken, der ligger i de samme kommuner.")
        return Html(table(counts, columns, caption=f"Antal områder pr. betegnelse, {self.scope_da}") + note)

    def nearest(self, n: int = 10) -> Html:
        names = {r.area: r.name for r in self.results}
        homes = self.areas["municipality_name"]
        leaving = []
        for r in self.results:
            found = self._to_leave(r)
            if found is not None:
                leaving.append({"name": r.name, "municipality": homes[r.area], "designation": r.designation_label(),
                                "list": found[2].label_da, "persons": self._shown(("exit", r.area), found[0]),
                                "order": found[0],
                                "via": join_da([r.criteria[c].criterion.short_da if c in r.criteria else "beboertal"
                                                for c in found[1]])})
        entering = []
        for r in self.results:
            found = self._to_enter(r)
            if found is not None:
                entering.append({"name": names[r.area], "municipality": homes[r.area], "list": found[2].label_da,
                                 "persons": self._shown(("enter", r.area), found[0]), "order": found[0],
                                 "via": join_da([r.criteria[c].criterion.short_da for c in found[1]])})
        parts = []
        columns = {"name": ("Område", "text"), "municipality": ("Kommune", "text"),
                   "designation": ("Forventet betegnelse", "text"), "list": ("Til listen", "text"),
                   "persons": ("Personer", "text"), "via": ("Gennem", "text")}
        if leaving:
            frame = pd.DataFrame(leaving).sort_values(["order", "name"]).head(n)
            parts.append(table(frame, columns, caption="Nærmest at komme af listen over "
                                                       f"{self.version.list_designations()[0].plural_da} (færrest "
                                                       f"personer, der skal skifte status, gennem de tal, der stadig "
                                                       f"kan ændres)"))
        else:
            expected = [r for r in self.results if r.most_severe() is not None and r.most_severe().list]
            parts.append(paragraph(
                "Ingen områder ventes på listen." if not expected else
                f"For de områder, der ventes på listen ({join_da([r.name for r in expected])}), kan vejen af listen "
                f"ikke opgøres i personer gennem de tal, der stadig kan ændres."))
        if entering:
            frame = pd.DataFrame(entering).sort_values(["order", "name"]).head(n)
            counted = self.version.counted
            parts.append(table(frame, {k: v for k, v in columns.items() if k != "designation"},
                               caption=f"Nærmest at blive {counted.label_da.lower()} (færrest personer, der skal skifte "
                                       f"status, gennem de tal, der stadig kan ændres)"))
        parts.append(paragraph("Personerne tælles pr. kriterium med uændret beboertal, som i kvartalsrapporten; en "
                               "person kan tælle i flere kriterier, så tallet er en øvre grænse. Et tal, som "
                               "ministeriet allerede har målt, kan ikke ændres: vejen går derfor til den første liste, "
                               "hvis tal stadig kan ændres, og et gennemsnit over flere år, der allerede er delvis målt, "
                               "kræver flere personer i den del, der er tilbage. Et tal, der ville vise en lille gruppe, "
                               "står som «et mindre antal»."))
        return Html("".join(parts))

    def _shown(self, key, persons) -> str:
        if self.ledger.hidden(key):
            return "et mindre antal"
        return number_da(int(persons))

    def by_region(self) -> Html:
        parts = []
        for code, part in sorted(self.areas.loc[self.area_ids].groupby("region_code"), key=lambda g: g[0]):
            rows = []
            for r in self.results:
                if r.area not in part.index:
                    continue
                row = part.loc[r.area]
                rows.append(f'<tr><th scope="row">{esc(r.name)}</th><td>{esc(row["municipality_name"])}</td>'
                            f'<td class="num">{esc(number_da(None if r.residents is None else int(r.residents)))}</td>'
                            f"<td>{badge(row['band_label_da'], row['band_colour'])}</td>"
                            f"<td>{esc(r.designation_label())}</td><td class=\"num\">{esc(years_da(r))}</td></tr>")
            head = "".join(f'<th scope="col">{h}</th>' for h in ("Område", "Kommune", "Beboere", "Risikogruppe",
                                                                  "Forventet betegnelse", "År på listen før"))
            parts.append(heading(regions()[code], 3))
            parts.append(Html(f'<div class="bd-scroll"><table class="bd-table"><caption>{esc(regions()[code])}: '
                              f'områderne og prognosen for listen {esc(self.ctx.list.label_da)}</caption><thead><tr>'
                              f'{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>'))
        return Html("".join(parts))

    def history_chart(self) -> Html:
        """The count per designation on each list the workspace's history holds, as known on the date."""
        history = self._history_in_scope(self.ctx.snapshot.registry.list_history)
        history = history[history["list_id"].map(lambda i: get_list(i).known_by <= self.ctx.as_of)]
        # A count over municipalities means something only from the first list the history covers
        # for all of them: before it, areas of the others are missing, not off the lists.
        first = self._first_covered_by_all()
        note = ""
        kept = history[history["list_id"].map(lambda i: get_list(i).known_by >= first.known_by)] \
            if first is not None else history
        if len(kept) < len(history):  # said only when earlier lists were really left out
            history = kept
            note = (f"Figuren begynder med listen {first.label_da}, den første, som listehistorikken dækker for alle "
                    f"kommunerne i oversigten; tidligere lister mangler for nogle af dem.")
        if history.empty:
            return paragraph("Arbejdsmappens listehistorik har ingen lister før denne dato.")
        series = {}
        for (designation, list_id), part in history.groupby(["designation", "list_id"]):
            item = get_list(list_id)
            label = item.version.designations[designation].label_da if designation in item.version.designations \
                else designation
            series.setdefault(label, []).append((str(item.year), float(part["area_id"].nunique())))
        panel = {"title": "Antal områder pr. betegnelse på de offentliggjorte lister", "series": series,
                 "threshold": None, "threshold_label": "", "decimals": 0, "suffix": ""}
        chart = line_panels([panel], title=f"Antal områder pr. betegnelse, {self.scope_da} (efter "
                                           f"listehistorikken)")
        return Html(chart + paragraph(note)) if note else chart

    def _first_covered_by_all(self):
        """The latest of the first covered lists of the municipalities in scope (None: none declared)."""
        history = self.ctx.tables.history()
        firsts = {history.first_covered(a) for a in self.area_ids}
        if not firsts or None in firsts:
            return None
        return max((get_list(i) for i in firsts), key=lambda item: item.known_by)

    def sources(self) -> Html:
        return sources_table(self.series, self.ctx.tables)

    def footer(self) -> Html:
        return footer(self.ctx, self.series)
