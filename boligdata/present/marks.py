"""Numbers in sentences that say what they are: a key travels with the text to the HTML.

A sentence is plain text for a reader; in the HTML each number in it becomes
``<span data-n="persons|area|criterion">17</span>``, so the leak test (and anyone checking a
report) can tell what every published number means. ``plain`` removes the marks for a table
or a command's output.
"""

from __future__ import annotations

import re

OPEN, MID, CLOSE = "\ue000", "\ue001", "\ue002"
_MARK = re.compile(f"{OPEN}([^{MID}]*){MID}([^{CLOSE}]*){CLOSE}")


def mark(key, text: str) -> str:
    """``text`` (a number as written) marked with what it is.

    >>> plain("med " + mark(("persons", "a", "crime"), "1") + " person")
    'med 1 person'
    """
    return f"{OPEN}{'|'.join(str(k) for k in key)}{MID}{text}{CLOSE}"


def plain(text: str) -> str:
    """The text without its marks."""
    return _MARK.sub(lambda m: m.group(2), text)


def to_html(escaped: str) -> str:
    """Marks in already escaped text as spans (the key is escaped text too)."""
    return _MARK.sub(lambda m: f'<span data-n="{m.group(1)}">{m.group(2)}</span>', escaped)
