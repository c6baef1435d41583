"""Parsing of single cell values, with the normalisations documented in docs/inputs.md.

Every parser takes the raw cell (text from CSV, or a Python value from XLSX) and returns
the normalised value, or raises ``ValueError`` whose text says what was expected; the
reader adds the file, sheet, row and column.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata

# Texts that mean "no figure" in Danish tables and exports; the reason is kept.
MISSING_MARKERS = {
    "..": "diskretioneret eller ikke offentliggjort (..)",
    "…": "diskretioneret eller ikke offentliggjort (..)",
    "-": "ingen opgørelse (-)",
    "–": "ingen opgørelse (-)",
    "afventer": "afventer",
    "ukendt": "ukendt",
    "n/a": "ikke oplyst",
    "na": "ikke oplyst",
    "diskretioneret": "diskretioneret",
    "x": "diskretioneret",
}

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
_GROUPED_DOT = re.compile(r"^-?\d{1,3}(\.\d{3})+$")
_GROUPED_COMMA = re.compile(r"^-?\d{1,3}(,\d{3})+$")
_PLAIN = re.compile(r"^-?\d+(\.\d+)?$")


def is_blank(value) -> bool:
    """True for an empty cell.

    >>> is_blank(None), is_blank("  "), is_blank(0)
    (True, True, False)
    """
    return value is None or (isinstance(value, str) and value.strip() == "") or (
        isinstance(value, float) and value != value
    )


def missing_reason(value) -> str | None:
    """The reason a cell holds no number, or None if it may hold one.

    >>> missing_reason(".."), missing_reason("Afventer"), missing_reason("61,4")
    ('diskretioneret eller ikke offentliggjort (..)', 'afventer', None)
    """
    if is_blank(value):
        return "tom"
    if isinstance(value, str):
        return MISSING_MARKERS.get(value.strip().lower())
    return None


def parse_number(value, *, decimal_comma: bool = True, whole: bool = False) -> float:
    """A number from a Danish or English spelling.

    Decimal comma and thousands dots (``1.302`` is 1302 in a Danish file), a trailing
    ``%`` or ``kr.``, and spaces are accepted. A spelling with two readings is refused.

    >>> parse_number("61,4 %"), parse_number("1.302"), parse_number("2.30", decimal_comma=False)
    (61.4, 1302.0, 2.3)
    >>> parse_number("1.302.000 kr.")
    1302000.0
    >>> parse_number("1,302", decimal_comma=False)
    Traceback (most recent call last):
    ...
    ValueError: an unambiguous number: '1,302' reads as 1302 or as 1.302; write 1302 or 1,3020
    """
    if isinstance(value, bool):
        raise ValueError("a number, not a yes/no value")
    if isinstance(value, (int, float)):
        return _checked(float(value), whole)
    text = _SPACES.sub("", str(value)).lower()
    for suffix in ("%", "kr.", "kr", "dkk"):
        if text.endswith(suffix):
            text = text[: -len(suffix)]
    text = text.replace("\u2212", "-")
    if not text:
        raise ValueError("a number")
    if "," in text and "." in text:
        decimal = "," if text.rfind(",") > text.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        head, _, tail = text.rpartition(decimal)
        if not re.fullmatch(r"-?\d{1,3}(\%s\d{3})*" % thousands, head) or not tail.isdigit():
            raise ValueError("a number such as 1.302,5 or 61,4")
        text = head.replace(thousands, "") + "." + tail
    elif "," in text:
        if _GROUPED_COMMA.match(text) and not decimal_comma:
            if whole:
                text = text.replace(",", "")
            else:
                raise ValueError(
                    f"an unambiguous number: {value!r} reads as {text.replace(',', '')} or as "
                    f"{text.replace(',', '.')}; write {text.replace(',', '')} or {text}0"
                )
        else:
            text = text.replace(",", ".")
    elif "." in text:
        if _GROUPED_DOT.match(text) and (decimal_comma or whole):
            text = text.replace(".", "")
    if not _PLAIN.match(text):
        raise ValueError("a number such as 1.302 or 61,4")
    return _checked(float(text), whole)


# The largest whole number a float (and Excel) holds exactly; a count beyond it is no count.
MAX_WHOLE = 2**53 - 1


def _checked(number: float, whole: bool) -> float:
    if not math.isfinite(number):
        raise ValueError("a finite number (Excel's #DIV/0! or an overflow is not a figure)")
    if whole and number != int(number):
        raise ValueError("a whole number")
    if whole and abs(number) > MAX_WHOLE:
        raise ValueError(f"a whole number no larger than {MAX_WHOLE:,}".replace(",", "."))
    return number


# Characters that print as nothing (Unicode category Cf: zero-width space, soft hyphen,
# byte-order mark, direction marks): removed from text, refused in ids.
def invisible_characters(text: str) -> list[str]:
    """The invisible characters in ``text``, by their Unicode names.

    >>> invisible_characters("x-par\u200bken")
    ['U+200B ZERO WIDTH SPACE']
    """
    return [f"U+{ord(c):04X} {unicodedata.name(c, 'UNNAMED')}" for c in text if unicodedata.category(c) == "Cf"]


def clean_text(value) -> str:
    """Text as compared and stored: NFC (a decomposed "å" is the same letter as "å"),
    invisible characters removed, no-break and other spaces made plain, trimmed.

    >>> clean_text(" Vollsmose\u00a0Nord\u200b ") == "Vollsmose Nord", clean_text("a\u030a") == "å"
    (True, True)
    """
    text = unicodedata.normalize("NFC", str(value))
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    return re.sub(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000]", " ", text).strip()


def parse_key(value, max_length: int = 64) -> str:
    """An id that becomes part of file names (områdekode, helhedsplankode): lower-case a-z,
    digits and hyphens, starting with a letter or digit, at most ``max_length`` characters.

    >>> parse_key(" odense-vollsmose ")
    'odense-vollsmose'
    >>> parse_key("x/../raw")
    Traceback (most recent call last):
    ...
    ValueError: an id of a-z, 0-9 and - (at most 64 characters, e.g. odense-vollsmose); '/' (U+002F SOLIDUS) is not allowed
    """
    text = unicodedata.normalize("NFC", parse_code(value))
    rule = f"an id of a-z, 0-9 and - (at most {max_length} characters, e.g. odense-vollsmose)"
    hidden = invisible_characters(text)
    if hidden:
        raise ValueError(f"{rule}; it holds the invisible character {hidden[0]}: retype the id")
    if len(text) > max_length:
        raise ValueError(f"{rule}; this one has {len(text)} characters")
    bad = next((c for c in text if not ("a" <= c <= "z" or "0" <= c <= "9" or c == "-")), None)
    if bad is not None:
        name = unicodedata.name(bad, "UNNAMED")
        hint = {"æ": "ae", "ø": "oe", "å": "aa"}.get(bad.lower())
        tail = f": write {hint}" if hint else (": write it in lower case" if bad.isupper() and bad.isascii() else "")
        raise ValueError(f"{rule}; {bad!r} (U+{ord(bad):04X} {name}) is not allowed{tail}")
    if not text or text.startswith("-"):
        raise ValueError(f"{rule}; it must start with a letter or digit")
    return text


def normalise_key(text: str) -> str:
    """A heading or code reduced for matching: case, spaces, hyphens, æøå folded.

    >>> normalise_key("  Områ-dekode "), normalise_key("Værdi (%)")
    ('omraa_dekode', 'vaerdi')
    """
    text = clean_text(text).lower()
    for a, b in (("æ", "ae"), ("ø", "oe"), ("å", "aa")):
        text = text.replace(a, b)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"\(.*?\)", "", text)
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def name_key(text: str) -> str:
    """A name reduced for matching, keeping everything that tells two names apart.

    Unlike ``normalise_key`` it keeps parenthesised parts: "Korsløkken (Øst)" is not "Korsløkken".

    >>> name_key("Korsløkken (Øst)") == name_key("korsløkken (øst)"), name_key("Korsløkken (Øst)") == name_key("Korsløkken")
    (True, False)
    """
    text = clean_text(text).lower()
    for a, b in (("æ", "ae"), ("ø", "oe"), ("å", "aa")):
        text = text.replace(a, b)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9()]+", "_", text).strip("_")


_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})-?[QK]([1-4])$")
_MONTH = re.compile(r"^(\d{4})(?:-?M|-)(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-?[WU](\d{1,2})$")


def parse_period(value) -> str:
    """A period in canonical form: ``2020``, ``2020Q3``, ``2020M07`` or ``2020W32``.

    Statbank's ``2020K3`` and ``2020M07`` and Danish weeks ``2020-U32`` are accepted.

    >>> [parse_period(p) for p in ("2020", "2020K3", "2020-07", "2018-W01", "2020-U32")]
    ['2020', '2020Q3', '2020M07', '2018W01', '2020W32']
    >>> parse_period("Q3 2020")
    Traceback (most recent call last):
    ...
    ValueError: a period such as 2020, 2020K3 (quarter), 2020M07 (month) or 2020-U32 (week)
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
        value = str(int(value))
    if isinstance(value, (dt.date, dt.datetime)):
        raise ValueError("a period such as 2020, 2020K3 (quarter), 2020M07 (month) or 2020-U32 (week), "
                         "not a date (Excel turned the text into a date: format the column as text)")
    text = _SPACES.sub("", str(value)).upper()
    if m := _YEAR.match(text):
        period = m.group(1)
    elif m := _QUARTER.match(text):
        period = f"{m.group(1)}Q{m.group(2)}"
    elif (m := _MONTH.match(text)) and 1 <= int(m.group(2)) <= 12:
        period = f"{m.group(1)}M{m.group(2)}"
    elif (m := _WEEK.match(text)) and 1 <= int(m.group(2)) <= 53:
        period = f"{m.group(1)}W{int(m.group(2)):02d}"
    else:
        raise ValueError("a period such as 2020, 2020K3 (quarter), 2020M07 (month) or 2020-U32 (week)")
    _check_year(int(period[:4]))
    if "W" in period and int(period[5:]) > _iso_weeks(int(period[:4])):
        raise ValueError(f"a week that exists: {period[:4]} has {_iso_weeks(int(period[:4]))} ISO weeks")
    return period


def _iso_weeks(year: int) -> int:
    """52 or 53: the ISO week of 28 December is the year's last."""
    return dt.date(year, 12, 28).isocalendar()[1]


def _check_year(year: int) -> None:
    from .templates import period_years

    first, last = period_years()
    if not first <= year <= last:
        raise ValueError(f"a year from {first} to {last} (the rules' timeline ends with the list of {last})")


def parse_quarter(value) -> str:
    """A quarter in canonical form.

    >>> parse_quarter("2020K1")
    '2020Q1'
    """
    period = parse_period(value)
    if "Q" not in period:
        raise ValueError("a quarter such as 2020K3")
    return period


def period_bounds(period: str) -> tuple[dt.date, dt.date]:
    """First and last day of a canonical period.

    >>> period_bounds("2020Q3")
    (datetime.date(2020, 7, 1), datetime.date(2020, 9, 30))
    >>> period_bounds("2020W32")
    (datetime.date(2020, 8, 3), datetime.date(2020, 8, 9))
    """
    year = int(period[:4])
    if len(period) == 4:
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    kind, number = period[4], int(period[5:])
    if kind == "Q":
        start = dt.date(year, 3 * number - 2, 1)
        end_month = 3 * number
    elif kind == "M":
        start = dt.date(year, number, 1)
        end_month = number
    else:
        start = dt.date.fromisocalendar(year, number, 1)
        return start, start + dt.timedelta(days=6)
    nxt = dt.date(year + (end_month == 12), end_month % 12 + 1, 1)
    return start, nxt - dt.timedelta(days=1)


def parse_year(value) -> int:
    """A four-digit year.

    >>> parse_year("2020"), parse_year(2019.0)
    (2020, 2019)
    """
    try:
        number = parse_number(value, whole=True)
    except ValueError:
        raise ValueError("a year such as 2020") from None
    _check_year(int(number))
    return int(number)


def parse_date(value) -> str:
    """An ISO date string from ``2020-09-22``, ``22-09-2020``, ``22.09.2020`` or an Excel date.

    >>> parse_date("22.09.2020"), parse_date("2020-09-22")
    ('2020-09-22', '2020-09-22')
    """
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S"):
        try:
            return dt.datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    raise ValueError("a date such as 2020-09-22 or 22.09.2020")


def parse_list(value) -> str:
    """A ``;``-separated list, normalised to ``a;b`` without spaces around items.

    >>> parse_list(" afd. 23 ; afd. 24 ")
    'afd. 23;afd. 24'
    """
    return ";".join(item.strip() for item in str(value).split(";") if item.strip())


def parse_code(value) -> str:
    """A code as text: Excel's ``461.0`` becomes ``461``.

    >>> parse_code(461.0), parse_code(" odense-vollsmose ")
    ('461', 'odense-vollsmose')
    """
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
