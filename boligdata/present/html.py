"""Static, self-contained HTML pieces for committee reports. Every text from data is escaped."""

from __future__ import annotations

import html
import re

import pandas as pd

from .marks import to_html
from .numbers_da import number_da, pct_da, signed_da


class Html(str):
    """A piece of HTML that Jupyter displays as HTML (and that is safe: built by this module)."""

    def _repr_html_(self) -> str:
        return str(self)

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        # The plain-text form is a short label, not the whole HTML again as an escaped string:
        # that would double what every report cell sends and stores (docs/performance.md).
        return {"text/html": str(self), "text/plain": f"<HTML, {len(self)} tegn>"}


def esc(value) -> str:
    """Escape any value for HTML text; missing becomes an en dash.

    >>> esc("<script>alert(1)</script>")
    '&lt;script&gt;alert(1)&lt;/script&gt;'
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "–"
    return to_html(html.escape(str(value), quote=True))


def anchor(text: str) -> str:
    """An id for a heading.

    >>> anchor("Områder i risiko")
    'omraader-i-risiko'
    """
    from ..readers.values import normalise_key

    return normalise_key(text).replace("_", "-") or "afsnit"


def heading(text: str, level: int = 3) -> Html:
    return Html(f'<h{level} id="{anchor(text)}">{esc(text)}</h{level}>')


def paragraph(text: str, css: str | None = None) -> Html:
    cls = f' class="{css}"' if css else ""
    return Html(f"<p{cls}>{esc(text)}</p>")


def bullets(items) -> Html:
    return Html("<ul>" + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ul>")


def banner(text: str) -> Html:
    return Html(f'<div class="bd-banner" role="note"><strong>Bemærk:</strong> {esc(text)}</div>')


def fmt(value, kind: str) -> str:
    """Format one cell: ``int``, ``pct`` (1 decimal), ``pct2``, ``num1``, ``signed1``, ``kr``, ``text``.

    >>> fmt(1302, "int"), fmt(61.4, "pct"), fmt(2.3, "pct2"), fmt(-74, "signed0"), fmt(21022000, "kr")
    ('1.302', '61,4 %', '2,30 %', '-74', '21.022.000 kr.')
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "–"
    if kind == "int":
        return number_da(value, 0)
    if kind in ("persons", "signed_persons"):  # counts of persons: the report's ledger decides what is hidden
        return signed_da(value, 0) if kind == "signed_persons" else number_da(value, 0)
    if kind == "pct":
        return pct_da(value, 1)
    if kind == "pct2":
        return pct_da(value, 2)
    if kind == "num1":
        return number_da(value, 1)
    if kind == "num2":
        return number_da(value, 2)
    if kind.startswith("signed"):
        return signed_da(value, int(kind[-1]))
    if kind == "kr":
        return f"{number_da(value, 0)} kr."
    return str(value)


def figure_attr(area: str, indicator: str, period: str) -> str:
    """The attribute that names which figure a cell shows (one figure must read the same everywhere).

    >>> figure_attr("a", "convicted_pct", "2020Q3")
    ' data-figure="a|convicted_pct|2020Q3"'
    """
    return f' data-figure="{esc(area)}|{esc(indicator)}|{esc(period)}"'


def meaning_attr(key) -> str:
    """The attribute that says what a number is: ``data-figure`` for a share of a place, indicator
    and period (a figure), ``data-n`` for anything else ("persons|area|criterion", ...).

    >>> meaning_attr(("share", "a", "convicted_pct", "2020Q3")), meaning_attr(("persons", "a", "crime"))
    (' data-figure="a|convicted_pct|2020Q3"', ' data-n="persons|a|crime"')
    """
    if key[0] == "share":
        return figure_attr(*key[1:])
    return f' data-n="{esc("|".join(str(k) for k in key))}"'


def table(frame: pd.DataFrame, columns: dict, *, caption: str | None = None, highlight=None,
          row_class=None, css: str = "bd-table", meaning=None, groups=None) -> Html:
    """An HTML table. ``columns`` maps a frame column to (Danish heading, format kind).

    ``highlight(row, column) -> bool`` marks cells (e.g. met criteria); ``row_class(row) -> str``
    gives a row a CSS class (e.g. its risk band); ``meaning(row, column) -> key | None`` says what
    the number in a cell is (``meaning_attr``); ``groups`` is a header row above the headings,
    ``[(label, number of columns), ...]``, for columns whose names repeat ("Området" at baseline
    and now). Kinds: ``int``, ``pct``, ``kr``, ... (formatted here), ``text`` (as given) and
    ``numtext`` (a number formatted already: aligned as a number).
    """
    head = "".join(f'<th scope="col">{esc(title)}</th>' for title, _ in columns.values())
    if groups:
        group_row = "".join(f'<th scope="colgroup" colspan="{span}" class="bd-group">{esc(label)}</th>' if label
                            else f'<td colspan="{span}"></td>' for label, span in groups)
        head = f"{group_row}</tr><tr>{head}"
    body = []
    for _, row in frame.iterrows():
        cls = f' class="{esc(row_class(row))}"' if row_class else ""
        cells = []
        for key, (_, kind) in columns.items():
            text = esc(fmt(row.get(key), "text" if kind == "numtext" else kind))
            numeric = kind != "text"
            classes = ["num"] if numeric else []
            if kind in ("persons", "signed_persons"):
                classes.append("persons")  # marks person counts (the disclosure test finds them)
            if highlight and highlight(row, key):
                classes.append("met")
                text = f"<strong>{text}</strong>"
            attr = f' class="{" ".join(classes)}"' if classes else ""
            if kind == "text":  # the workbook keeps it as text, even "2016" or "1.302" (publish/tables_out.py)
                attr += ' data-kind="text"'
            named = meaning(row, key) if meaning else None
            if named:
                attr += meaning_attr(named)
            cells.append(f"<td{attr}>{text}</td>")
        body.append(f"<tr{cls}>{''.join(cells)}</tr>")
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    # A short table is printed on one page (its heading row never left alone). A table of long
    # texts is not, even with few rows: kept whole it would leave most of a page empty before it.
    if len(frame) <= KEEP_WHOLE_ROWS and len(re.sub(r"<[^>]+>", "", "".join(body))) < KEEP_WHOLE_CHARS:
        css += " bd-keep"
    return Html(f'<table class="{css}">{cap}<thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>')


KEEP_WHOLE_CHARS = 1200  # of visible text: about half a page of a narrow-columned table
KEEP_WHOLE_ROWS = 25


def luminance(colour: str) -> float:
    """WCAG 2.1 relative luminance of a #rrggbb colour.

    >>> round(luminance("#ffffff"), 3), round(luminance("#000000"), 3)
    (1.0, 0.0)
    """
    channels = []
    for i in (1, 3, 5):
        c = int(colour[i:i + 2], 16) / 255
        channels.append(c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4)
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]


def contrast(a: str, b: str) -> float:
    """WCAG 2.1 contrast ratio of two colours (4.5 is the AA minimum for normal text).

    >>> round(contrast("#ffffff", "#e67e22"), 2), round(contrast("#1d1d1d", "#e67e22"), 2)
    (2.85, 5.92)
    """
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def text_colour(background: str) -> str:
    """Near-black or white, whichever reads better on ``background``."""
    return max(("#1d1d1d", "#ffffff"), key=lambda ink: contrast(ink, background))


def badge(label: str, colour: str) -> str:
    """A coloured label for a risk band (colour from the settings file, validated as #rrggbb)."""
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", colour):
        colour = "#999999"
    return f'<span class="bd-badge" style="background:{colour};color:{text_colour(colour)}">{esc(label)}</span>'


UNIT_KIND = {"pct": "pct", "pct_of_region": "pct", "persons": "int", "grade": "num1", "dkk": "kr", "per_1000": "num1"}


def value_da(value, unit: str, indicator: str = "") -> str:
    """A value in its unit's Danish format (shares convicted with two decimals).

    >>> value_da(38.3, "pct"), value_da(2.3, "pct", "convicted_pct"), value_da(4.6, "grade"), value_da(1302, "persons")
    ('38,3 %', '2,30 %', '4,6', '1.302')
    """
    kind = UNIT_KIND.get(unit, "num1")
    if kind == "pct" and indicator == "convicted_pct":
        kind = "pct2"
    return fmt(value, kind)


def difference_da(value, unit: str, indicator: str = "") -> str:
    """A difference in points (shares) or units, signed.

    >>> difference_da(19.0, "pct"), difference_da(-0.55, "pct", "convicted_pct"), difference_da(-2.0, "grade")
    ('+19,0 procentpoint', '-0,55 procentpoint', '-2,0')
    """
    if value is None or pd.isna(value):
        return "–"
    decimals = 2 if indicator == "convicted_pct" else (0 if unit in ("persons", "dkk") else 1)
    text = signed_da(value, decimals)
    return f"{text} procentpoint" if unit in ("pct", "pct_of_region") else text
