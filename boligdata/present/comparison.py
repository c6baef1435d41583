"""An area against its municipality in words: the level now, and the development, kept apart.

The level says where the area is ("højere end kommunen"), and whether that is better or worse
where the indicator has a better direction (the catalogue). The development says how the gap
changed ("forskellen til kommunen er blevet mindre") and whether the area moved better or worse
than the municipality. Neither is ever said of the other.
"""

from __future__ import annotations

import pandas as pd

QUALITY_DA = {"higher": {"higher": "bedre", "lower": "dårligere"}, "lower": {"higher": "dårligere", "lower": "bedre"}}
TREND_DA = {"narrowed": "mindre", "widened": "større", "unchanged": "uændret", "single": "–"}
DEVELOPMENT_DA = {"better": "bedre end i kommunen", "worse": "dårligere end i kommunen", "on_par": "som i kommunen",
                  "higher": "steget mere eller faldet mindre end i kommunen",
                  "lower": "faldet mere eller steget mindre end i kommunen", "unknown": "–"}


def level_da(gap, better: str, tolerance: float = 0.0, has_baseline: bool = True) -> str:
    """Where the area lies against the municipality, and whether that is better or worse.

    >>> level_da(31.9, "none"), level_da(-3.8, "higher"), level_da(21.0, "lower"), level_da(0.1, "lower", 0.5)
    ('højere end kommunen', 'lavere end kommunen (dårligere)', 'højere end kommunen (dårligere)', 'som kommunen')
    >>> level_da(None, "lower", has_baseline=False)
    'opgøres ikke for kommunen'
    """
    if gap is None or pd.isna(gap):
        return "opgøres ikke for kommunen" if not has_baseline else "–"
    if abs(gap) <= tolerance:
        return "som kommunen"
    side = "higher" if gap > 0 else "lower"
    text = "højere end kommunen" if side == "higher" else "lavere end kommunen"
    quality = QUALITY_DA.get(better, {}).get(side)
    return f"{text} ({quality})" if quality else text


def trend_da(trend: str) -> str:
    """How the gap to the municipality changed: "mindre", "større", "uændret"."""
    return TREND_DA.get(trend, "–")


def change(before, after) -> float | None:
    """``after - before``, or None where either is missing.

    >>> change(80.6, 76.8) < 0, change(None, 1.0)
    (True, None)
    """
    if before is None or after is None or pd.isna(before) or pd.isna(after):
        return None
    return float(after) - float(before)


def development_da(development: str, area_change=None, municipality_change=None) -> str:
    """How the area moved against the municipality, said as it happened, with better or worse.

    With the two changes given, the words say what each did ("faldet mindre end i kommunen"),
    so a fall is never called "bedre" on its own; the verdict follows in brackets.

    >>> development_da("better", -3.8, -5.9), development_da("worse", 1.2, -0.4)
    ('faldet mindre end i kommunen (bedre)', 'steget, mens kommunen er faldet (dårligere)')
    >>> development_da("higher", 2.0, 1.0), development_da("on_par", 0.1, 0.1), development_da("better")
    ('steget mere end i kommunen', 'som i kommunen', 'bedre end i kommunen')
    """
    if development in ("unknown", "on_par") or area_change is None or municipality_change is None:
        return DEVELOPMENT_DA.get(development, "–")
    a, m = round(float(area_change), 9), round(float(municipality_change), 9)

    def moved(x: float) -> str:
        return "steget" if x > 0 else "faldet" if x < 0 else "uændret"

    if a != 0 and m != 0 and (a > 0) == (m > 0):
        text = f"{moved(a)} {'mere' if abs(a) > abs(m) else 'mindre'} end i kommunen"
    else:
        text = f"{moved(a)}, mens kommunen er {moved(m)}"
    quality = {"better": "bedre", "worse": "dårligere"}.get(development)
    return f"{text} ({quality})" if quality else text


def developments_da(frame: pd.DataFrame) -> list[str]:
    """``development_da`` for every row of a ``gaps.gap_development`` frame ("–" where none is told)."""
    return [development_da(d, change(bv, lv), change(bm, lm)) if isinstance(d, str) else "–"
            for d, bv, lv, bm, lm in zip(frame["development"], frame["baseline_value"], frame["latest_value"],
                                         frame["baseline_municipality"], frame["latest_municipality"])]
