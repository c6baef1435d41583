"""Danish number formats: thousands dot, decimal comma, "61,4 %"."""

from __future__ import annotations

import math
from decimal import Decimal


def number_da(value, decimals: int = 0) -> str:
    """A number the Danish way; missing is an en dash.

    >>> number_da(1302), number_da(61.4, 1), number_da(-74), number_da(None)
    ('1.302', '61,4', '-74', '–')
    >>> number_da(21022000)
    '21.022.000'
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    try:
        if value != value:  # pandas NA and NaN
            return "–"
    except TypeError:
        return "–"
    text = f"{float(value) if not isinstance(value, Decimal) else value:,.{decimals}f}"
    return text.replace(",", "\u0000").replace(".", ",").replace("\u0000", ".")


def pct_da(value, decimals: int = 1) -> str:
    """A percentage the Danish way.

    >>> pct_da(61.4), pct_da(2.3, 2)
    ('61,4 %', '2,30 %')
    """
    text = number_da(value, decimals)
    return text if text == "–" else f"{text} %"


def signed_da(value, decimals: int = 1) -> str:
    """A signed difference: +1,4 or -0,5.

    >>> signed_da(1.4), signed_da(-0.5), signed_da(0)
    ('+1,4', '-0,5', '0,0')
    """
    text = number_da(value, decimals)
    if text == "–":
        return text
    return f"+{text}" if float(value) > 0 else text
