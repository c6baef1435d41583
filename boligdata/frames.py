"""Rows of a frame by the values of one column, from positions grouped once.

A report asks for its areas' rows of the same national tables many times, and a batch worker
process builds hundreds of reports from the same frames: a boolean mask over the whole table
for each question costs more than the rest of the report. ``select`` gives exactly what
``frame[frame[column].isin(values)]`` gives (same rows, same order, same index), from a
dictionary of positions built on first use and kept in ``cache``.

The cache may be shared by shallow copies of one frame (``load()`` and the snapshot store hand out
such copies of the frames they keep; a caller who changes one is meant to put the changed frame
in its place, which ``Tables`` notices by the frame's identity). A copy changed *in place* under
the same name and length (``tables.letting.loc[...] = ...``) is not noticed: the rows of the frame
as first asked are given again. Telling such a copy by its data's memory needs pandas' private
block internals, since the public ``__arrow_array__`` converts a masked column: measured, it
took a report from 0,10 to 0,18 s.

>>> import pandas as pd
>>> frame = pd.DataFrame({"area": ["a", "b", "a", "c"], "value": [1, 2, 3, 4]})
>>> cache = {}
>>> select(frame, "area", ["c", "a"], cache)["value"].tolist()
[1, 3, 4]
>>> select(frame, "area", "b", cache).index.tolist(), select(frame, "area", "x", cache).empty
([1], True)
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def select(frame: pd.DataFrame, column: str, values, cache: dict) -> pd.DataFrame:
    """The rows of ``frame`` whose ``column`` is ``values`` (one value or several), in the frame's
    order. ``cache`` keeps the grouped positions; it must belong to this frame (the caller keeps
    one per frame, and a frame of another length gets new positions)."""
    key = (column, len(frame))
    positions = cache.get(key)
    if positions is None:
        positions = {value: np.asarray(rows) for value, rows in frame.groupby(column, sort=False, dropna=False).indices.items()}
        cache[key] = positions
    wanted = (values,) if isinstance(values, str) or not hasattr(values, "__iter__") else tuple(dict.fromkeys(values))
    taken = cache.setdefault(("taken", len(frame)), {})
    found = taken.get((column, wanted))
    if found is None:  # the same question again (another section, the next template) costs a shallow copy
        rows = [positions[v] for v in wanted if v in positions]
        found = frame.take(np.sort(np.concatenate(rows)) if rows else np.array([], dtype=np.intp))
        if len(taken) >= MAX_KEPT:
            taken.pop(next(iter(taken)))
        taken[(column, wanted)] = found
    # With copy-on-write a caller that changes its rows changes its own copy, never the kept ones.
    return found.copy(deep=False)


MAX_KEPT = 4096  # selections kept per frame (a national quarter asks about 2.000 different ones)
