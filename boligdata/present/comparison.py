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


def development_da(development: str) -> str:
    """How the area moved against the municipality: "bedre end i kommunen", ..."""
    return DEVELOPMENT_DA.get(development, "–")
