"""The analyst's common questions, each a few lines on a quarter snapshot (used by
notebooks/udforskning.ipynb; every function returns a plain frame to look at, filter or plot,
and ``in_danish`` gives any of them the words a committee reads).

>>> from boligdata import load
>>> snap = load().quarter("2020Q3")
>>> list(nearest(snap, n=3).columns[:3]), len(nearest(snap, n=3))
(['name', 'municipality_code', 'criterion'], 3)
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from .criteria import evaluate
from .gaps import gap_table

DANISH_COLUMNS = {
    "name": "Område", "municipality_code": "Kommunekode", "criterion": "Kriterium", "indicator": "Indikator",
    "value": "Værdi", "threshold": "Grænse", "met": "Opfyldt", "distance_pp": "Afstand (procentpoint)",
    "persons": "Personer fra at skifte", "state": "Målingen", "persons_open": "Personer i den åbne del",
    "period": "Periode", "period_end": "Periodens slutning", "municipality_value": "Kommunen", "gap": "Forskel",
    "level_da": "Niveau", "designation": "Betegnelse", "criteria_met": "Opfyldte kriterier",
}


def latest_quarter(tables, today: dt.date | None = None) -> str:
    """The latest quarter for which the workspace has a figure for a list criterion of an area:
    the quarter that holds the later of the figure's period end and its vintage (a figure is not
    known before it is drawn), and no later than today's quarter.

    >>> from boligdata import load
    >>> latest_quarter(load())  # the sample's criteria: 2020Q3, drawn 22 September 2020 (seed 004)
    '2020Q3'
    """
    from .catalog import load_catalog
    from .readers.values import period_bounds

    today = today or dt.date.today()
    criteria = load_catalog().query("group == 'list_criterion'").index
    obs = tables.observations
    obs = obs[(obs["geo_level"] == "area") & obs["indicator"].isin(criteria) & obs["value"].notna()]
    if obs.empty:
        raise ValueError("the workspace has no figure for a list criterion of an area; ingest observations first")
    latest = max(max(period_bounds(str(period))[1], pd.Timestamp(vintage).date())
                 for period, vintage in set(zip(obs["period"], obs["vintage"])))
    latest = min(latest, today)
    return f"{latest.year}Q{(latest.month - 1) // 3 + 1}"


def standing_date(quarter: str, today: dt.date | None = None) -> str | None:
    """The date a quarter's figures stand on when none is given: its last day, or today while it
    is still running (a notebook, like a report, never stands on a day still to come).

    >>> standing_date("2020Q3"), standing_date("2026Q4", dt.date(2026, 12, 7))
    (None, '2026-12-07')
    """
    from .readers.values import period_bounds

    today = today or dt.date.today()
    return today.isoformat() if period_bounds(quarter)[1] > today else None


def history_gap(snapshot) -> str | None:
    """The reports' warning when the list history lacks a published list the coming list's years
    in a row need (Danish), or None."""
    from .history import stale_note_da

    return stale_note_da(snapshot.registry.list_history, snapshot.list)


def overview(snapshot) -> pd.DataFrame:
    """Each monitored area with its designation on the coming list, its risk band and how many
    lists in a row it has been on before it, counted as the reports count them (``mindst`` where
    the history may go back further), in Danish."""
    from .municipalities import municipalities

    areas = snapshot.tables["areas"]
    towns = municipalities()["municipality_name"]

    def years(row) -> str:
        if pd.isna(row["run_years"]):
            return "ukendt (ingen listehistorik)"
        at_least = "mindst " if str(row["run_open"]).lower() == "true" else ""
        return f"{at_least}{int(row['run_years'])}"

    return pd.DataFrame({
        "Område": areas["name"],
        "Kommune": areas["municipality_code"].map(lambda code: towns.get(code, code)),
        f"Betegnelse, {snapshot.list.label_da}": areas["label_da"],
        "Risikogruppe": areas["band_label_da"],
        "År i træk på listen før": [years(row) for _, row in areas.iterrows()],
    }).reset_index(drop=True)


def show(frame: pd.DataFrame, decimals: int = 2):
    """A frame as a notebook shows it to a Danish reader: decimal comma, thousands point, no index.

    >>> show(pd.DataFrame({"Værdi": [1302.5]})).to_html().count("1.302,50")
    1
    """
    return frame.style.format(decimal=",", thousands=".", precision=decimals, na_rep="").hide(axis="index")


def in_danish(frame: pd.DataFrame, snapshot) -> pd.DataFrame:
    """Any frame of this module with Danish headings and words: criteria by the rules' own short
    names for the snapshot's list, indicators by the catalogue's labels, ja/nej, the measurement's
    state in words."""
    from .catalog import load_catalog
    from .classify import STATE_DA

    out = frame.copy()
    names = {c.id: c.short_da for c in snapshot.list.version.ordered_criteria()}
    labels = load_catalog()["label_da"]
    if "criterion" in out:
        out["criterion"] = out["criterion"].map(lambda c: names.get(c, c))
    if "indicator" in out:
        out["indicator"] = out["indicator"].map(lambda i: labels.get(i, i))
    if "met" in out:
        out["met"] = out["met"].map(lambda m: {"true": "ja", "false": "nej"}.get(str(m).lower(), "uafklaret"))
    if "state" in out:
        out["state"] = out["state"].map(lambda s: STATE_DA.get(s, s))
    for column in ("value", "threshold", "distance_pp", "municipality_value", "gap"):
        if column in out:
            out[column] = pd.to_numeric(out[column], errors="coerce")
    for column in ("persons", "persons_open"):
        if column in out:
            out[column] = pd.to_numeric(out[column], errors="coerce").round().astype("Int64")
    out = out.drop(columns=[c for c in ("verdict",) if c in out])  # the code; level_da says it in words
    return out.rename(columns=DANISH_COLUMNS)


def nearest(snapshot, n: int = 10, met: bool | None = None) -> pd.DataFrame:
    """The areas nearest to a threshold of the coming list, in persons where the group is known
    (else in points): one row per area and criterion, nearest first, with the criterion's state on
    the date (``movable``, ``measured``, ``published``: only a movable figure can still be changed)
    and the persons in what is left of its window. ``met`` keeps only criteria that are met (True:
    how little it takes to leave) or not met (False: how little to enter)."""
    criteria = snapshot.tables["criteria"]
    criteria = criteria[criteria["which"] == "coming"].merge(
        snapshot.tables["areas"][["area", "name", "municipality_code"]], on="area")
    criteria = criteria[criteria["distance_pp"].notna()].copy()
    if met is not None:
        criteria = criteria[criteria["met"].astype(str) == ("true" if met else "false")]
    criteria["distance_pp"] = criteria["distance_pp"].astype(float)
    criteria["persons"] = pd.to_numeric(criteria["persons"], errors="coerce")
    criteria["order"] = criteria["persons"].fillna(criteria["distance_pp"].abs() * 1000)
    columns = ["name", "municipality_code", "criterion", "indicator", "value", "threshold", "met", "distance_pp",
               "persons", "state", "persons_open"]
    return criteria.sort_values(["order", "name"]).head(n)[columns].reset_index(drop=True)


def over_time(snapshot, indicator: str, areas=None) -> pd.DataFrame:
    """One indicator over the periods known on the snapshot's date, for the areas (default: every
    monitored area), tidy: ``name, period, period_end, value``."""
    series = snapshot.tables["series"]
    names = snapshot.tables["areas"].set_index("area")["name"]
    wanted = list(names.index) if areas is None else list(areas)
    part = series[(series["geo_level"] == "area") & (series["indicator"] == indicator) & series["geo_code"].isin(wanted)]
    return (part.assign(name=part["geo_code"].map(names))[["name", "period", "period_end", "value"]]
            .sort_values(["name", "period_end"]).reset_index(drop=True))


def gap_to_municipality(snapshot, indicator: str) -> pd.DataFrame:
    """Each area's latest value of ``indicator`` beside its municipality's, and the gap."""
    gaps = gap_table(snapshot, levels=("area",))
    gaps = gaps[gaps["indicator"] == indicator].sort_values("period").groupby("geo_code").tail(1)
    names = snapshot.tables["areas"].set_index("area")["name"]
    gaps = gaps.assign(name=gaps["geo_code"].map(names))
    # The level in the reports' own words (present.comparison), beside the code.
    from .catalog import load_catalog
    from .present.comparison import level_da

    entry = load_catalog().loc[indicator] if indicator in load_catalog().index else None
    gaps["level_da"] = [level_da(gap, entry["better"] if entry is not None else "none",
                                 entry["tolerance"] if entry is not None else 0.0,
                                 has_baseline=bool(entry is None or entry["municipal_baseline"]))
                        for gap in gaps["gap"]]
    return gaps[["name", "period", "value", "municipality_value", "gap", "verdict", "level_da"]].sort_values(
        "gap").reset_index(drop=True)


def against_list(snapshot, list_year) -> pd.DataFrame:
    """The snapshot's figures judged by another list's rules (a what-if: the same figures, the
    rules of ``list_year``), one row per area with the designation."""
    figures = snapshot.tables["figures"]
    wide = figures.pivot_table(index="geo_code", columns="indicator", values="value", aggfunc="first")
    wide = wide.reset_index().rename(columns={"geo_code": "area"})
    results = evaluate(wide, list_year, history=snapshot.registry.history())
    names = snapshot.tables["areas"].set_index("area")["name"]
    return pd.DataFrame([{"name": names.get(r.area, r.area), "designation": r.designation_label(),
                          "criteria_met": sum(c.met is True for c in r.criteria.values())} for r in results])


def plot_development(development: pd.DataFrame, title: str):
    """``over_time``'s frame as a line per area, with a legend of the areas and Danish labels;
    returns the figure.

    >>> from boligdata import load
    >>> snap = load().quarter("2020Q3")
    >>> fig = plot_development(over_time(snap, "convicted_pct"), "Andel dømte")
    >>> fig.axes[0].get_legend().get_title().get_text(), "Vollsmose" in [t.get_text() for t in fig.axes[0].get_legend().texts]
    ('Område', True)
    """
    from .extras import require

    plt, sns, dates = require("matplotlib.pyplot", "lab"), require("seaborn", "lab"), require("matplotlib.dates", "lab")
    sns.set_theme(style="whitegrid")
    fig, ax = plt.subplots(figsize=(9, 4.5))
    sns.lineplot(data=development, x="period_end", y="value", hue="name", marker="o", ax=ax)
    ax.set(xlabel="Periode (slutdato)", ylabel="Procent", title=title)
    ax.xaxis.set_major_formatter(dates.DateFormatter("%Y"))  # years, not ISO months
    ax.xaxis.set_major_locator(dates.YearLocator())
    if ax.get_legend() is not None:
        ax.legend(title="Område", bbox_to_anchor=(1.02, 1), loc="upper left", frameon=False)
    fig.tight_layout()
    return fig


def plot_gaps(gaps: pd.DataFrame, title: str):
    """``gap_to_municipality``'s frame as bars, coloured by the verdict with its legend; returns
    the figure."""
    from .extras import require

    plt, sns = require("matplotlib.pyplot", "lab"), require("seaborn", "lab")
    sns.set_theme(style="whitegrid")
    fig, ax = plt.subplots(figsize=(9, max(2.5, 0.4 * len(gaps))))
    sns.barplot(data=gaps, y="name", x="gap", hue="level_da", dodge=False, ax=ax)
    ax.set(xlabel="Procentpoint over (+) eller under (−) kommunen", ylabel="", title=title)
    if ax.get_legend() is not None:
        ax.legend(title="Niveau", frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.08 - 2.5 / fig.get_figheight() * 0.1),
                  ncol=2)
    fig.tight_layout()
    return fig
