"""Charts as small, deterministic inline SVG: the numbers as text, crisp in print.

One figure holds one panel per indicator, stacked, with a shared legend above the panels. Time
is a real axis (a year is a year whether the data are yearly or quarterly), series differ by
colour (the Okabe-Ito palette, safe for colour-blind readers) and by marker shape, and a
threshold is a dashed line labelled on the chart. The SVG scales to the column's width.
"""

from __future__ import annotations

import math

from .dates import period_label, period_year
from .html import Html, esc
from .numbers_da import number_da

# Okabe & Ito (2008), "Color Universal Design": distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
MARKERS = ("circle", "square", "triangle", "diamond", "cross", "circle-open", "square-open", "triangle-open")
WIDTH = 760
LEFT, RIGHT = 56, 150          # room for the y labels, and for the threshold's label at the right
PANEL = 150                     # the plot's height
LEGEND_ROW = 20


def _fmt(x: float) -> str:
    """Coordinates with one decimal: small files, the same bytes every time."""
    return f"{x:.1f}"


def nice_ticks(low: float, high: float, count: int = 4) -> list[float]:
    """Round tick values covering ``low``-``high``.

    >>> nice_ticks(37.6, 41.2), nice_ticks(2.0, 2.3)
    ([37.0, 38.0, 39.0, 40.0, 41.0, 42.0], [2.0, 2.1, 2.2, 2.3])
    """
    if high <= low:
        high = low + 1
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step) * step
    ticks, value = [], first
    while value < high + step * 0.999:
        ticks.append(round(value, 10))
        value += step
    return ticks


def _marker(kind: str, x: float, y: float, colour: str) -> str:
    s = 3.6
    fill, stroke = (colour, colour) if not kind.endswith("-open") else ("#ffffff", colour)
    shape = kind.replace("-open", "")
    if shape == "circle":
        return f'<circle cx="{_fmt(x)}" cy="{_fmt(y)}" r="{s:.1f}" fill="{fill}" stroke="{stroke}"/>'
    if shape == "square":
        return (f'<rect x="{_fmt(x - s)}" y="{_fmt(y - s)}" width="{2 * s:.1f}" height="{2 * s:.1f}" '
                f'fill="{fill}" stroke="{stroke}"/>')
    if shape == "triangle":
        points = f"{_fmt(x)},{_fmt(y - s - 0.6)} {_fmt(x - s)},{_fmt(y + s)} {_fmt(x + s)},{_fmt(y + s)}"
        return f'<polygon points="{points}" fill="{fill}" stroke="{stroke}"/>'
    if shape == "diamond":
        points = f"{_fmt(x)},{_fmt(y - s - 0.6)} {_fmt(x + s + 0.6)},{_fmt(y)} {_fmt(x)},{_fmt(y + s + 0.6)} {_fmt(x - s - 0.6)},{_fmt(y)}"
        return f'<polygon points="{points}" fill="{fill}" stroke="{stroke}"/>'
    return (f'<path d="M{_fmt(x - s)} {_fmt(y - s)}L{_fmt(x + s)} {_fmt(y + s)}M{_fmt(x - s)} {_fmt(y + s)}'
            f'L{_fmt(x + s)} {_fmt(y - s)}" stroke="{colour}" stroke-width="1.6"/>')


def line_panels(panels: list[dict], *, title: str) -> Html:
    """Panels of lines over time, one ``<figure>`` each (a panel is never split across pages), then
    the numbers of all of them as a table.

    Each panel is ``{"title", "series": {name: [(period, value[, key])]}, "threshold",
    "threshold_label", "decimals", "suffix"}``; ``period`` is a code such as ``2020Q3``, and
    ``suffix`` follows a number in the table (" %" for a share). A series keeps its colour and
    marker in every panel.

    >>> html = line_panels([{"title": "Dømte", "decimals": 2, "threshold": 2.27, "threshold_label": "grænse 2,27 %",
    ...                      "series": {"A": [("2019", 2.1), ("2020Q3", 2.3)]}}], title="Eksempel")
    >>> html.count("<svg"), "grænse 2,27 %" in html, "Tallene bag figurerne" in html
    (1, True, True)
    """
    panels = [p for p in panels if any(points for points in p["series"].values())]
    if not panels:
        return Html("")
    names = list(dict.fromkeys(name for p in panels for name in p["series"] if p["series"][name]))
    style = {name: (PALETTE[i % len(PALETTE)], MARKERS[i % len(MARKERS)]) for i, name in enumerate(names)}
    years = [period_year(point[0]) for p in panels for points in p["series"].values() for point in points]
    span = (math.floor(min(years)), math.floor(max(years)) + 1)
    figures = "".join(_panel_figure(panel, style, span) for panel in panels)
    return Html(f'<div class="bd-charts" role="group" aria-label="{esc(title)}"><p class="bd-charts-title">'
                f"{esc(title)}</p>{figures}</div>" + data_table(panels, title))


def _panel_figure(panel: dict, style: dict, span: tuple) -> str:
    """One panel as a figure: its own legend row, the lines, the threshold, the time axis."""
    x0, x1 = span
    plot_width = WIDTH - LEFT - RIGHT
    names = [n for n, points in panel["series"].items() if points]
    per_row = 3
    legend_rows = math.ceil(len(names) / per_row)
    y_top = 8 + legend_rows * LEGEND_ROW + 8
    height = y_top + PANEL + 26

    def x_of(year: float) -> float:
        return LEFT + (year - x0) / (x1 - x0) * plot_width

    decimals = panel.get("decimals", 1)
    values = [float(point[1]) for points in panel["series"].values() for point in points]
    threshold = panel.get("threshold")
    low, high = min(values), max(values)
    if threshold is not None:
        low, high = min(low, float(threshold)), max(high, float(threshold))
    margin = (high - low) * 0.08 or abs(high) * 0.05 or 1
    ticks = nice_ticks(low - margin, high + margin)
    y_low, y_high = ticks[0], ticks[-1]

    def y_of(value: float) -> float:
        return y_top + PANEL - (value - y_low) / (y_high - y_low) * PANEL

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
           f'aria-label="{esc(panel["title"])}: {esc(", ".join(names))} over tid" font-family="sans-serif" '
           f'font-size="12">']
    for i, name in enumerate(names):
        colour, marker = style[name]
        lx = LEFT + (i % per_row) * ((WIDTH - LEFT) / per_row)
        ly = 8 + (i // per_row) * LEGEND_ROW + 10
        out.append(f'<line x1="{_fmt(lx)}" y1="{_fmt(ly)}" x2="{_fmt(lx + 22)}" y2="{_fmt(ly)}" stroke="{colour}" '
                   f'stroke-width="2"/>' + _marker(marker, lx + 11, ly, colour))
        out.append(f'<text x="{_fmt(lx + 28)}" y="{_fmt(ly + 4)}" fill="#1d1d1d">{esc(name)}</text>')
    for tick in ticks:
        y = y_of(tick)
        out.append(f'<line x1="{LEFT}" y1="{_fmt(y)}" x2="{WIDTH - RIGHT}" y2="{_fmt(y)}" stroke="#d9d9d9"/>')
        out.append(f'<text x="{LEFT - 6}" y="{_fmt(y + 4)}" text-anchor="end" fill="#3d3d3d">'
                   f'{esc(number_da(tick, decimals if tick != int(tick) else 0) + panel.get("suffix", ""))}</text>')
    step = 1 if x1 - x0 <= 12 else 2
    for year in range(x0, x1 + 1, step):
        x = x_of(year)
        out.append(f'<line x1="{_fmt(x)}" y1="{_fmt(y_top + PANEL)}" x2="{_fmt(x)}" y2="{_fmt(y_top + PANEL + 4)}" '
                   f'stroke="#3d3d3d"/>')
        out.append(f'<text x="{_fmt(x)}" y="{_fmt(y_top + PANEL + 17)}" text-anchor="middle" fill="#3d3d3d">'
                   f'{year}</text>')
    out.append(f'<line x1="{LEFT}" y1="{_fmt(y_top + PANEL)}" x2="{WIDTH - RIGHT}" y2="{_fmt(y_top + PANEL)}" '
               f'stroke="#3d3d3d"/>')
    if threshold is not None:
        y = y_of(float(threshold))
        out.append(f'<line x1="{LEFT}" y1="{_fmt(y)}" x2="{WIDTH - RIGHT}" y2="{_fmt(y)}" stroke="#1d1d1d" '
                   f'stroke-dasharray="6 4" stroke-width="1.4"/>')
        label = panel.get("threshold_label") or f"grænse {number_da(threshold, decimals)}"
        out.append(f'<text x="{WIDTH - RIGHT + 6}" y="{_fmt(y + 4)}" fill="#1d1d1d">{esc(label)}</text>')
    for name, points in panel["series"].items():
        points = sorted((p for p in points if p[1] is not None), key=lambda p: period_year(p[0]))
        if not points:
            continue
        colour, marker = style[name]
        xy = [(x_of(period_year(p[0])), y_of(float(p[1]))) for p in points]
        out.append(f'<polyline points="{" ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in xy)}" fill="none" '
                   f'stroke="{colour}" stroke-width="2"/>')
        out.extend(_marker(marker, x, y, colour) for x, y in xy)
    out.append("</svg>")
    return f'<figure class="bd-figure"><figcaption>{esc(panel["title"])}</figcaption>{"".join(out)}</figure>'


def data_table(panels: list[dict], caption: str) -> str:
    """The numbers behind the charts as an accessible table, folded under the figure.

    One table per panel: a row per period (in time order), a column per series; a point given
    as ``(period, value, key)`` carries ``key`` as what the number is (``meaning_attr``).
    """
    from .html import meaning_attr

    parts = []
    for panel in panels:
        names = [n for n, points in panel["series"].items() if points]
        periods = sorted({p[0] for n in names for p in panel["series"][n]}, key=period_year)
        cells = {(n, p[0]): p for n in names for p in panel["series"][n]}
        decimals = panel.get("decimals", 1)
        head = '<th scope="col">Periode</th>' + "".join(f'<th scope="col">{esc(n)}</th>' for n in names)
        rows = []
        for period in periods:
            row = [f'<th scope="row">{esc(period_label(period))}</th>']
            for n in names:
                point = cells.get((n, period))
                if point is None:
                    row.append("<td>–</td>")
                    continue
                attr = meaning_attr(point[2]) if len(point) > 2 and point[2] else ""
                row.append(f'<td class="num"{attr}>{esc(number_da(point[1], decimals) + panel.get("suffix", ""))}</td>')
            rows.append("<tr>" + "".join(row) + "</tr>")
        parts.append(f'<table class="bd-table bd-chart-data"><caption>{esc(panel["title"])}</caption>'
                     f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")
    return (f'<details class="bd-chart-data"><summary>Tallene bag figurerne: {esc(caption)}</summary>'
            + "".join(parts) + "</details>")
