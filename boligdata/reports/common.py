"""What every committee report shares: its context (the quarter snapshot), title block, banners,
sources and footer.
"""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass

import pandas as pd

from .. import __version__
from ..loader import Tables, load
from ..present import disclosure
from ..present.dates import date_da, long_date_da, period_label, quarter_da
from ..present.html import Html, banner, bullets, esc, paragraph, table
from ..present.numbers_da import number_da
from ..readers.values import parse_quarter
from ..snapshot import QuarterSnapshot

INTERNAL_NOTE = ("Intern rapport: små antal personer er ikke diskretioneret. Rapporten må ikke offentliggøres "
                 "eller sendes videre.")
SYNTHETIC_NOTE = ("Denne rapport bygger helt eller delvist på syntetiske (konstruerede) tal, som ikke er "
                  "offentliggjorte data. Den viser, hvordan rapporten ser ud, og må ikke bruges som beslutningsgrundlag.")
STATUS_DA = {"final": "endelig", "provisional": "foreløbig", "estimate": "skøn (egne data)", "synthetic": "syntetisk"}


def previous_quarter(quarter: str) -> str:
    """The quarter before.

    >>> previous_quarter("2021Q1"), previous_quarter("2020Q3")
    ('2020Q4', '2020Q2')
    """
    quarter = parse_quarter(quarter)
    year, number = int(quarter[:4]), int(quarter[-1])
    return f"{year - 1}Q4" if number == 1 else f"{year}Q{number - 1}"


@dataclass
class ReportContext:
    """The data and parameters one report is built from: the quarter snapshot and its workspace."""

    tables: Tables
    snapshot: QuarterSnapshot
    internal: bool = False

    @classmethod
    def create(cls, workspace, quarter: str, internal: bool = False, as_of=None) -> "ReportContext":
        # Reports are read by committees: warnings go to the analyst's log, not into the report.
        warnings.filterwarnings("ignore")
        # Every report sets the disclosure policy itself, so one built after an internal report
        # in the same process is public again.
        disclosure.use(disclosure.internal() if internal else disclosure.public())
        tables = load(workspace)
        return cls(tables, tables.quarter(quarter, as_of or None), bool(internal))

    @property
    def quarter(self) -> str:
        return self.snapshot.quarter

    @property
    def as_of(self) -> dt.date:
        return self.snapshot.as_of

    @property
    def list(self):
        return self.snapshot.list

    @property
    def rules(self):
        return self.snapshot.rules  # as known on the as-of date

    def as_of_da(self) -> str:
        """"30. september 2020" (the quarter's last day, or the date asked for)."""
        return long_date_da(self.as_of)

    def previous(self) -> QuarterSnapshot:
        """The previous quarter's snapshot, as it stood at that quarter's end."""
        return self.tables.quarter(previous_quarter(self.quarter))


def share_key(area: str, indicator: str, period: str, then=None) -> tuple:
    """The ledger's key of one figure: a share of a place, indicator and period (``data-figure``);
    ``then`` marks a figure as an earlier quarter's snapshot had it (it may since have been revised)."""
    return ("share" if then is None else f"share@{then}", area, indicator, period)


def chosen_key(snapshot, area: str, indicator: str):
    """The ledger's key of the figure the snapshot chose for ``area`` and ``indicator`` (None if none)."""
    period = snapshot.chosen_period(area, indicator)
    return share_key(area, indicator, period) if period is not None else None


def register_series(ledger, series: pd.DataFrame, then=None) -> None:
    """Every figure of ``series`` (the snapshot's rows a report shows) in the ledger, with the size
    of the group it is a share of: its own denominator where the source gives one, else the count
    behind the criterion for the same place and period (rules.yaml), else that count for the
    nearest period (group sizes move slowly; a share with no known group at all is published)."""
    from ..rules import denominators

    behind = denominators()
    # Plain lists: iterating arrow-backed columns value by value is slow, and this runs for every
    # figure of every report.
    codes, indicators, periods = (series[c].tolist() for c in ("geo_code", "indicator", "period"))
    ends, values = series["period_end"].tolist(), series["value"].astype("float64").tolist()
    given, units = series["denominator"].astype("float64").tolist(), series["unit"].tolist()
    counts: dict = {}
    for g, i, end, v in zip(codes, indicators, ends, values):
        counts.setdefault((g, i), {})[end] = v
    for g, i, p, end, v, d, unit in zip(codes, indicators, periods, ends, values, given, units):
        group = None if d != d else d  # NaN: no denominator given
        if group is None and (g, behind.get(i)) in counts:
            known = counts[(g, behind[i])]
            group = known.get(end)  # the same period, else the nearest
            if group is None:
                group = known[min(known, key=lambda e: abs(e - end))]
        key = share_key(g, i, p, then)
        value = None if v != v else v
        if unit == "persons":
            ledger.indicator_count(key, value, i)
        else:
            ledger.share(key, value, i, None if group != group else group)


def years_sentence(result) -> str:
    """How long the area has been on the list before the coming one, in a sentence.

    >>> from boligdata.history import Run
    >>> from boligdata.lists import get_list
    >>> class R: name, run, list = "Vollsmose", Run(10, False, "2010-10-01", 2019), get_list("2020-12-01")
    >>> years_sentence(R)
    'Vollsmose har været på listen 10 år i træk før denne liste.'
    """
    run = result.run
    if run is None:
        return "Listehistorikken er ikke indlæst, så det vides ikke, hvor længe området har været på listen."
    if run.years == 0:
        return f"{result.name} var ikke på den seneste liste før denne."
    at_least = "mindst " if run.open_ended else ""
    why = years_before_history_da(result)
    return f"{result.name} har været på listen {at_least}{run.years} år i træk før denne liste." + (f" {why}" if why else "")


def years_before_history_da(result) -> str | None:
    """Why a run counts more years than the history covers, in Danish (None when it does not).

    A hard designation (hårdt ghettoområde, omdannelsesområde) needs years in a row on the list,
    so an area that held one was on the list before the history's first list.
    """
    from ..lists import get_list, lists_before

    run = result.run
    if run is None or not run.years or not run.first_covered:
        return None
    start = get_list(run.first_covered).known_by
    covered = {item.year for item in lists_before(result.list) if item.known_by >= start}
    if run.years <= len(covered):
        return None
    hard = next((d for d in result.version.ordered_designations() if d.consecutive_years_of), None)
    status = hard.label_da.lower() if hard else "på listen"
    return (f"Listehistorikken begynder med listen {get_list(run.first_covered).label_da}; de tidligere år følger af, "
            f"at området var {status} på en senere liste, hvilket efter loven kræver flere år i træk på listen.")


def years_da(result) -> str:
    """Years on the list before the coming one: "4", "mindst 6", "–"."""
    run = result.run
    if run is None:
        return "ukendt"
    return f"mindst {run.years}" if run.open_ended and run.years else str(run.years)


def lookup(frame: pd.DataFrame, key: str, value: str, what: str) -> pd.Series:
    """The row of ``frame`` whose ``key`` is ``value``, or a ParameterError naming what is unknown."""
    from ..errors import ParameterError

    rows = frame[frame[key] == value]
    if rows.empty:
        raise ParameterError(f"unknown {what} '{value}'")
    return rows.iloc[0]


def title_block(title: str, subtitle: str, synthetic: bool, internal: bool = False, notes=(), ctx=None) -> Html:
    """The report's title, subtitle, banners (internal, synthetic, a list history that lacks a
    published list, undecided) and the table of contents slot."""
    parts = [f'<header class="bd-title"><h1>{esc(title)}</h1><p class="bd-subtitle">{esc(subtitle)}</p></header>']
    if internal:
        parts.append(banner(INTERNAL_NOTE))
    if synthetic:
        parts.append(banner(SYNTHETIC_NOTE))
    gap = history_gap_da(ctx) if ctx is not None else None
    if gap:
        parts.append(banner(gap))
    notes = list(notes)
    if notes:
        items = "".join(f"<li>{esc(n)}</li>" for n in notes)
        parts.append(f'<div class="bd-banner bd-undecided" role="note"><strong>Kan ikke afgøres med de tal, der '
                     f'foreligger:</strong><ul>{items}</ul></div>')
    parts.append('<nav class="bd-toc" aria-label="Indhold"><!-- toc --></nav>')
    return Html("".join(parts))


def history_gap_da(ctx) -> str | None:
    """The Danish warning when the list history known on the report's date lacks a published list
    that the coming list's years in a row need (history.stale_note_da)."""
    from ..history import stale_note_da

    snapshot = getattr(ctx, "snapshot", None)
    if snapshot is None:
        return None
    return stale_note_da(snapshot.registry.list_history, ctx.list)


def is_synthetic(*frames: pd.DataFrame) -> bool:
    """True when any of the rows a report shows is synthetic."""
    return any("status" in f and (f["status"] == "synthetic").any() for f in frames)


def sources_table(rows: pd.DataFrame, tables=None) -> Html:
    """Every source behind the figures shown, with its newest vintage, status and count of figures;
    with ``tables`` (``load.Tables``) also the outliers among them the workspace confirmed, and what
    the last ingest changed."""
    if rows.empty:
        return Html("<p>Rapporten viser ingen indikatortal.</p>")
    notes = checked_notes(rows, tables) if tables is not None else Html("")
    return Html(str(_sources_table(rows)) + str(notes))


def checked_notes(rows: pd.DataFrame, tables) -> Html:
    """The confirmations behind the figures shown (who confirmed which outlier and why) and the
    ingest's digest, in Danish."""
    from ..catalog import load_catalog

    parts = []
    confirmed = getattr(tables, "confirmed", pd.DataFrame())
    if not confirmed.empty and {"geo_code", "indicator", "period"} <= set(rows.columns):
        shown = set(zip(rows["geo_code"], rows["indicator"], rows["period"].astype(str)))
        national = set(zip(rows["indicator"], rows["period"].astype(str).str.slice(0, 4)))
        keep = [(g, i, p) in shown or (g == "000" and (i, p) in national) for g, i, p in
                zip(confirmed["geo_code"], confirmed["indicator"], confirmed["period"].astype(str))]
        confirmed = confirmed[keep]
    if not confirmed.empty:
        labels = load_catalog()["label_da"]
        names = dict(zip(tables.areas["area_id"], tables.areas["area_name"]))
        items = []
        for row in confirmed.itertuples():
            place = names.get(row.geo_code, "hele landet" if row.geo_code == "000" else row.geo_code)
            items.append(f"{place}, {labels.get(row.indicator, row.indicator).lower()}, {period_label(row.period)}: "
                         f"bekræftet af {row.confirmed_by} {date_da(row.date)}: {row.reason}")
        parts.append(paragraph("Disse tal lå uden for det sandsynlige og er kontrolleret og bekræftet i "
                               "arbejdsområdets bekræftelser (raw/bekraeftelser):"))
        parts.append(bullets(items))
    digest = (tables.manifest or {}).get("digest") if hasattr(tables, "manifest") else None
    if digest and digest.get("summary_da"):
        parts.append(paragraph(f"Ved seneste indlæsning af arbejdsområdets inddata: {digest['summary_da']}."))
    own = ((tables.manifest or {}).get("vocabulary") or {}).get("sources") if hasattr(tables, "manifest") else None
    if own:
        parts.append(paragraph("Arbejdsområdet bruger egne definitioner i stedet for eller ud over boligdatas "
                               "(ikke lovens):"))
        parts.append(bullets(own))
    return Html("".join(str(p) for p in parts))


def _sources_table(rows: pd.DataFrame) -> Html:
    # Counted in plain Python: a groupby with named aggregations costs more than the rest of the
    # section for the few sources a report has (as groupby: keys with a missing part left out,
    # the latest vintage of each, sorted by source and status).
    found: dict = {}
    for key in zip(rows["source"].tolist(), rows["status"].tolist(), rows["vintage"].tolist()):
        if pd.isna(key[0]) or pd.isna(key[1]):
            continue
        latest, count = found.get(key[:2], (None, 0))
        vintage = None if pd.isna(key[2]) else key[2]
        found[key[:2]] = (vintage if latest is None or (vintage is not None and vintage > latest) else latest, count + 1)
    grouped = pd.DataFrame([(s, t, v, n) for (s, t), (v, n) in sorted(found.items())],
                           columns=["source", "status", "vintage", "rows"])
    grouped["vintage_da"] = grouped["vintage"].map(date_da)
    grouped["status_da"] = grouped["status"].map(STATUS_DA)
    return table(grouped, {"source": ("Kilde", "text"), "status_da": ("Status", "text"),
                           "vintage_da": ("Opgjort", "text"), "rows": ("Antal tal", "int")},
                 caption="Kilder bag tallene i rapporten")


def left_out(snapshot: QuarterSnapshot, geo_codes=None, lists: bool = True) -> str | None:
    """What the as-of date left out of the places a report is about, in one Danish sentence
    (None when nothing was): figures published later, and rows of lists published later."""
    excluded = snapshot.excluded
    if geo_codes is not None:
        excluded = excluded[excluded["geo_code"].isin(list(geo_codes))]
    figures = int(excluded.loc[excluded["what"] == "figures", "count"].sum())
    rows = int(excluded.loc[excluded["what"] == "list_rows", "count"].sum()) if lists else 0
    parts = []
    if figures:
        parts.append(f"{number_da(figures)} tal, der først er opgjort senere eller gælder en senere periode")
    if rows:
        parts.append(f"{number_da(rows)} oplysninger fra lister, der først er offentliggjort senere")
    if not parts:
        return None
    return (f"Rapporten viser tallene, som de forelå {long_date_da(snapshot.as_of)}. Derfor er disse ikke brugt: "
            f"{' og '.join(parts)}.")


def footer(ctx: ReportContext, rows: pd.DataFrame) -> Html:
    """The quarter, the date the figures stood on, the newest figure, the package version and build time."""
    newest = f" · Nyeste tal opgjort {esc(date_da(rows['vintage'].max()))}" if not rows.empty else ""
    built = dt.datetime.now().strftime("%d.%m.%Y kl. %H.%M")
    return Html(
        '<footer class="bd-footer">'
        f"<p>{esc(quarter_da(ctx.quarter))} · Tal pr. {esc(date_da(ctx.as_of))}{newest} · "
        f"Lavet med boligdata {esc(__version__)}"
        f'<span class="bd-built">. Dannet {esc(built)}</span></p></footer>'
    )
