"""Matching the published lists' areas with a workspace's own area register.

An analyst who already keeps areas under their own ids (``aarhus-gellerup``) must not get a
second id for the same area from the seeded list history: the history would then belong to an
area no report shows. An area on the published lists is the user's area when one of its names
(the latest name on the lists, or an earlier one) equals the user's name or one of the user's
other names, in the same municipality. Anything that cannot be matched one to one is a
conflict: it is listed, and nothing is written until it is resolved in the register.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .readers.values import name_key


@dataclass
class Merge:
    """The outcome: each published area's id, the published areas the user already has, and the
    conflicts that stop seeding."""

    ids: dict[str, str] = field(default_factory=dict)      # published area name -> id to use
    matched: dict[str, str] = field(default_factory=dict)  # published area name -> the user's id
    conflicts: list[str] = field(default_factory=list)


def _names(row) -> list[str]:
    aliases = row.get("aliases")
    extra = [] if aliases is None or pd.isna(aliases) else [a for a in str(aliases).split(";") if a.strip()]
    return [row["area_name"], *extra]


def merge_register(published: pd.DataFrame, own: pd.DataFrame) -> Merge:
    """Give each published area (columns ``area``, ``municipality_code``, ``id``, ``aliases``)
    the user's id where the user's register (``own``: ``area_id``, ``area_name``,
    ``municipality_code``, ``aliases``, ``_where``) has it by name or alias, else its own id.

    >>> published = pd.DataFrame({"area": ["Gellerupparken/Toveshøj"], "municipality_code": ["751"],
    ...                           "id": ["aarhus-gellerupparken-toveshoej"], "aliases": [""]})
    >>> own = pd.DataFrame({"area_id": ["gellerup"], "area_name": ["Gellerup"], "municipality_code": ["751"],
    ...                     "aliases": ["Gellerupparken/Toveshøj"], "_where": ["raw/omraader.xlsx row 2"]})
    >>> merge_register(published, own).ids
    {'Gellerupparken/Toveshøj': 'gellerup'}
    """
    merge = Merge()
    by_name: dict[tuple[str, str], list[int]] = {}
    for index, row in own.iterrows():
        for name in _names(row):
            users = by_name.setdefault((str(row["municipality_code"]), name_key(name)), [])
            if index not in users:
                users.append(index)
    own_ids = {str(area_id): index for index, area_id in own["area_id"].items()}
    anywhere: dict[str, int] = {key: users[0] for (_, key), users in by_name.items()}
    claimed: dict[int, str] = {}
    for row in published.itertuples(index=False):
        names = [row.area, *[a for a in str(row.aliases or "").split(";") if a]]
        found = []
        for name in names:
            for index in by_name.get((str(row.municipality_code), name_key(name)), []):
                if index not in found:
                    found.append(index)
        if len(found) > 1:
            places = " and ".join(f"'{own.loc[i, 'area_id']}' ({own.loc[i, '_where']})" for i in found)
            merge.conflicts.append(f"the published area '{row.area}' ({row.municipality_code}) matches {places} "
                                   "by name or andre_navne; keep the name on one area only")
            continue
        if found:
            index = found[0]
            if index in claimed:
                merge.conflicts.append(
                    f"your area '{own.loc[index, 'area_id']}' ({own.loc[index, '_where']}) matches two published "
                    f"areas, '{claimed[index]}' and '{row.area}'; they are two areas on the lists, so give each "
                    "its own row in the register")
                continue
            claimed[index] = row.area
            merge.ids[row.area] = merge.matched[row.area] = str(own.loc[index, "area_id"])
            continue
        elsewhere = next((anywhere[name_key(n)] for n in names if name_key(n) in anywhere), None)
        if elsewhere is not None:
            # Names are unique in a workspace (ingest resolves list rows by name), so the same
            # name in another kommune would make two areas one.
            merge.conflicts.append(
                f"the published area '{row.area}' ({row.municipality_code}) has the name of your area "
                f"'{own.loc[elsewhere, 'area_id']}' in kommune {own.loc[elsewhere, 'municipality_code']} "
                f"({own.loc[elsewhere, '_where']}); names are unique in a workspace: if it is the same area, correct "
                "its kommunekode, otherwise give yours a name that tells them apart")
            continue
        if row.id in own_ids:
            index = own_ids[row.id]
            merge.conflicts.append(
                f"the published area '{row.area}' ({row.municipality_code}) would get the id '{row.id}', which is "
                f"your area '{own.loc[index, 'area_name']}' ({own.loc[index, '_where']}); if they are the same "
                f"area, add '{row.area}' to its andre_navne, otherwise give your area another id")
            continue
        merge.ids[row.area] = row.id
    return merge
