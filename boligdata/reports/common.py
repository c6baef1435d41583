"""What every committee report shares: its context, title block, banner, sources and footer."""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass

import pandas as pd

from .. import __version__
from ..load import Tables, load
from ..present import disclosure
from ..present.html import Html, banner, esc, table
from ..projection import quarter_end
from ..readers.values import parse_quarter
from ..rules import CrimeFigures, crime_figures_from_table, known_crime_figures, version_for_year

INTERNAL_NOTE = ("Intern rapport: små antal personer er ikke diskretioneret. Rapporten må ikke offentliggøres "
                 "eller sendes videre.")
SYNTHETIC_NOTE = ("Denne rapport bygger helt eller delvist på syntetiske (konstruerede) tal, som ikke er "
                  "offentliggjorte data. Den viser, hvordan rapporten ser ud, og må ikke bruges som beslutningsgrundlag.")
STATUS_DA = {"final": "endelig", "provisional": "foreløbig", "estimate": "skøn (egne data)", "synthetic": "syntetisk"}


def quarter_da(quarter: str) -> str:
    """``2020Q3`` as Danish readers write it.

    >>> quarter_da("2020Q3")
    '3. kvartal 2020'
    """
    quarter = parse_quarter(quarter)
    return f"{quarter[-1]}. kvartal {quarter[:4]}"


def previous_quarter(quarter: str) -> str:
    """The quarter before.

    >>> previous_quarter("2021Q1"), previous_quarter("2020Q3")
    ('2020Q4', '2020Q2')
    """
    quarter = parse_quarter(quarter)
    year, number = int(quarter[:4]), int(quarter[-1])
    return f"{year - 1}Q4" if number == 1 else f"{year}Q{number - 1}"


def date_da(value) -> str:
    """A date as 22.09.2020.

    >>> date_da(pd.Timestamp("2020-09-22"))
    '22.09.2020'
    """
    return pd.Timestamp(value).strftime("%d.%m.%Y")


@dataclass
class ReportContext:
    """The data and parameters one report is built from."""

    tables: Tables
    quarter: str
    list_year: int
    crime: CrimeFigures
    internal: bool = False

    @classmethod
    def create(cls, workspace, quarter: str, internal: bool = False) -> "ReportContext":
        # Reports are read by committees: warnings go to the analyst's log, not into the report.
        warnings.filterwarnings("ignore")
        # Every report sets the disclosure policy itself, so one built after an internal report
        # in the same kernel is public again.
        disclosure.use(disclosure.internal() if internal else disclosure.public())
        quarter = parse_quarter(quarter)
        tables = load(workspace)
        crime = known_crime_figures().merged(crime_figures_from_table(tables.crime_averages))
        return cls(tables, quarter, int(quarter[:4]), crime, bool(internal))

    @property
    def quarter_end(self) -> pd.Timestamp:
        """The last day of the report's quarter: figures known later are not used."""
        return pd.Timestamp(quarter_end(self.quarter))

    @property
    def rules(self):
        return version_for_year(self.list_year)

    def synthetic(self, observations: pd.DataFrame, *others: pd.DataFrame) -> bool:
        """True when any of the rows a report shows is synthetic."""
        frames = (observations, *others)
        return any("status" in f and (f["status"] == "synthetic").any() for f in frames)


def lookup(frame: pd.DataFrame, key: str, value: str, what: str) -> pd.Series:
    """The row of ``frame`` whose ``key`` is ``value``, or a ParameterError naming what is unknown."""
    from ..errors import ParameterError

    rows = frame[frame[key] == value]
    if rows.empty:
        raise ParameterError(f"unknown {what} '{value}'")
    return rows.iloc[0]


def title_block(title: str, subtitle: str, synthetic: bool, internal: bool = False) -> Html:
    """The report's title, subtitle, banners (internal, synthetic) where needed, and the table of contents slot."""
    parts = [f'<header class="bd-title"><h1>{esc(title)}</h1><p class="bd-subtitle">{esc(subtitle)}</p></header>']
    if internal:
        parts.append(banner(INTERNAL_NOTE))
    if synthetic:
        parts.append(banner(SYNTHETIC_NOTE))
    parts.append('<nav class="bd-toc" aria-label="Indhold"><!-- toc --></nav>')
    return Html("".join(parts))


def sources_table(observations: pd.DataFrame) -> Html:
    """Every source behind the figures shown, with its newest vintage, status and row count."""
    if observations.empty:
        return Html("<p>Ingen tal.</p>")
    grouped = (observations.groupby(["source", "status"], sort=True)
               .agg(vintage=("vintage", "max"), rows=("indicator", "size")).reset_index())
    grouped["vintage_da"] = grouped["vintage"].map(date_da)
    grouped["status_da"] = grouped["status"].map(STATUS_DA)
    return table(grouped, {"source": ("Kilde", "text"), "status_da": ("Status", "text"),
                           "vintage_da": ("Opgjort", "text"), "rows": ("Antal tal", "int")},
                 caption="Kilder bag tallene i rapporten")


def footer(ctx: ReportContext, observations: pd.DataFrame) -> Html:
    """Quarter, data vintages, package version, hash of the inputs and the build time."""
    manifest = ctx.tables.manifest
    newest = date_da(observations["vintage"].max()) if not observations.empty else "–"
    built = dt.datetime.now().strftime("%d.%m.%Y kl. %H.%M")
    return Html(
        '<footer class="bd-footer">'
        f"<p>{esc(quarter_da(ctx.quarter))} · Nyeste data opgjort {esc(newest)} · "
        f"boligdata {esc(__version__)} · Inddata-hash {esc(manifest.get('input_hash', '')[:12])} · "
        f'<span class="bd-built">Dannet {esc(built)}</span></p></footer>'
    )


def period_label(period: str) -> str:
    """A period as a short Danish label.

    >>> period_label("2020"), period_label("2020Q3"), period_label("2020W32")
    ('2020', '2020 K3', '2020 uge 32')
    """
    if len(period) == 4:
        return period
    kind, number = period[4], period[5:]
    return {"Q": f"{period[:4]} K{number}", "M": f"{period[:4]}-{number}", "W": f"{period[:4]} uge {int(number)}"}[kind]
