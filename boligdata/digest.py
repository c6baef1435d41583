"""What an ingest changed: a short digest beside the tables (issue 23, point 2).

New and missing areas and periods against the last ingest, figures whose value moved more than
the plausible factor (data/plausibility.yaml) since then, and figures superseded by a newer
vintage of the same status. Printed by ``boligdata ingest``, written to processed/digest.json,
and named in the reports' sources.

>>> old = pd.DataFrame({"geo_level": ["area"], "geo_code": ["a"], "indicator": ["non_western_pct"],
...     "period": ["2020"], "source": ["s"], "status": ["final"], "value": [30.0],
...     "vintage": [pd.Timestamp("2021-01-01")], "unit": ["pct"]})
>>> new = old.assign(value=70.0)
>>> d = digest(pd.DataFrame({"area_id": ["a"]}), new, pd.DataFrame({"area_id": ["a"]}), old)
>>> d["moved"][0]["before"], d["moved"][0]["after"]
(30.0, 70.0)
"""

from __future__ import annotations

import pandas as pd

from .plausibility import load_plausibility

KEY = ["geo_level", "geo_code", "indicator", "period", "source"]
FIGURE = ["geo_level", "geo_code", "indicator", "period", "status"]
SHOWN = 5  # items named per kind in the printed digest


def digest(areas: pd.DataFrame, observations: pd.DataFrame, old_areas: pd.DataFrame | None,
           old_observations: pd.DataFrame | None) -> dict:
    """The digest of one ingest against the one before (``old_*`` None: the first ingest)."""
    first = old_areas is None or old_observations is None
    result = {"first": first, "new_areas": [], "missing_areas": [],
              "new_periods": [], "missing_periods": [], "moved": [], "superseded": _superseded(observations)}
    if not first:
        now, before = set(areas["area_id"]), set(old_areas["area_id"])
        result["new_areas"], result["missing_areas"] = sorted(now - before), sorted(before - now)
        periods, old_periods = set(observations["period"]), set(old_observations["period"])
        result["new_periods"], result["missing_periods"] = sorted(periods - old_periods), sorted(old_periods - periods)
        result["moved"] = _moved(observations, old_observations)
    result["summary_da"] = summary_da(result)
    return result


def _superseded(observations: pd.DataFrame) -> dict:
    """How many figures a newer vintage of the same status replaced, in all and per source."""
    if observations.empty:
        return {"count": 0, "sources": []}
    newest = observations.groupby(FIGURE, dropna=False)["vintage"].transform("max")
    older = observations[observations["vintage"] < newest]
    return {"count": int(len(older)), "sources": sorted(set(older["source"].astype(str)))}


def _moved(observations: pd.DataFrame, old: pd.DataFrame) -> list[dict]:
    """Figures with the same key in both ingests whose value moved beyond the jump rule."""
    checks = load_plausibility()
    merged = observations[KEY + ["value", "unit"]].merge(old[KEY + ["value"]], on=KEY, suffixes=("", "_before"))
    merged = merged[merged["value"].notna() & merged["value_before"].notna() & (merged["value"] != merged["value_before"])]
    moved = []
    for row in merged.itertuples(index=False):
        rule = checks.jump(row.indicator, row.unit)
        if rule is not None and rule.jumps(float(row.value_before), float(row.value)):
            moved.append({"geo_code": row.geo_code, "indicator": row.indicator, "period": row.period,
                          "source": row.source, "before": float(row.value_before), "after": float(row.value)})
    return moved


def _count_da(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def summary_da(result: dict) -> str:
    """The digest in one Danish clause, for the reports' sources ("" when nothing changed).

    >>> summary_da({"first": False, "new_areas": ["a"], "missing_areas": [], "new_periods": ["2020Q4"],
    ...             "missing_periods": [], "moved": [], "superseded": {"count": 3, "sources": ["s"]}})
    '1 nyt område, 1 ny periode (4. kvt. 2020), 3 tal erstattet af en nyere opgørelse'
    """
    from .present.dates import period_label

    parts = []
    if result["new_areas"]:
        parts.append(_count_da(len(result["new_areas"]), "nyt område", "nye områder"))
    if result["missing_areas"]:
        parts.append(_count_da(len(result["missing_areas"]), "område", "områder") + " ikke længere i inddata")
    if result["new_periods"]:
        labels = ", ".join(period_label(p) for p in result["new_periods"][:SHOWN])
        parts.append(_count_da(len(result["new_periods"]), "ny periode", "nye perioder") + f" ({labels})")
    if result["missing_periods"]:
        parts.append(_count_da(len(result["missing_periods"]), "periode", "perioder") + " ikke længere i inddata")
    if result["moved"]:
        parts.append(_count_da(len(result["moved"]), "tal", "tal") + " ændret mere end det sandsynlige siden sidst")
    if result["superseded"]["count"]:
        parts.append(_count_da(result["superseded"]["count"], "tal", "tal") + " erstattet af en nyere opgørelse")
    return ", ".join(parts)


def lines_en(result: dict) -> list[str]:
    """The digest as the short lines ``boligdata ingest`` prints."""
    if result["first"]:
        lines = ["first ingest of this workspace: nothing to compare with"]
    else:
        lines = []
        for key, what in (("new_areas", "new areas"), ("missing_areas", "areas no longer in raw/"),
                          ("new_periods", "new periods"), ("missing_periods", "periods no longer in raw/")):
            if result[key]:
                more = f" (+{len(result[key]) - SHOWN} more)" if len(result[key]) > SHOWN else ""
                lines.append(f"{what}: {', '.join(result[key][:SHOWN])}{more}")
        for item in result["moved"][:SHOWN]:
            lines.append(f"moved beyond the plausible factor: {item['indicator']} {item['geo_code']} {item['period']}: "
                         f"{item['before']:g} -> {item['after']:g} ({item['source']})")
        if len(result["moved"]) > SHOWN:
            lines.append(f"... and {len(result['moved']) - SHOWN} more moved figures (processed/digest.json)")
        if not lines:
            lines.append("no new or missing areas or periods, no figure moved beyond the plausible factor")
    superseded = result["superseded"]
    if superseded["count"]:
        lines.append(f"{superseded['count']} figures superseded by a newer vintage of the same status "
                     f"({', '.join(superseded['sources'][:3])}{', …' if len(superseded['sources']) > 3 else ''})")
    return lines
