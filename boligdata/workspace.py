"""Creating a new, empty workspace for real (confidential) data outside the checkout."""

from __future__ import annotations

from pathlib import Path

from .errors import ParameterError
from .register_merge import merge_register
from .templates_xlsx import write_templates

README = """# boligdata workspace

This folder holds one organisation's data; keep it outside the boligdata checkout.

- `raw/`: your input files, read-only to boligdata. Fill the templates in `raw/skabeloner/`
  (one per kind of input; the sheet "vejledning" explains every column), save each
  filled file directly in `raw/` with a name that starts with its kind, e.g.
  `raw/observationer_2020K3.xlsx`, and delete the empty templates you do not use.
- `processed/`: the tidy tables boligdata writes (`boligdata ingest --workspace .`).
- `reports/`: the committee reports (`boligdata report --workspace . ...`).

Set `BOLIGDATA_WORKSPACE` to this folder to make it the default for every command.

With `boligdata init DIR --history all` (or `--history 461,751`), `raw/` starts with the
published lists 2017-2024 the package ships: `omraader_lister.csv` (the listed areas),
`listehistorik_lister.csv` (one row per area, list and designation, with its source and
evidence) and `listehistorik_daekning.csv`. Add your own areas in another `omraader_*` file;
add the lists published after 2024 to the history before you report on them.

If you keep your own area register, put it in `raw/` first (e.g. `raw/omraader.xlsx`) and run
`boligdata init DIR --history ...` on this folder: the published areas are matched with yours by
name and andre_navne in the same kommune and take your ids; conflicts are listed, and nothing is
written until they are resolved.
"""

SEEDED = ("omraader_lister.csv", "listehistorik_lister.csv", "listehistorik_daekning.csv")


def init_workspace(directory: Path, history=None) -> Path:
    """Create ``directory`` with raw/ (and templates), processed/, reports/ and a README.

    ``history`` seeds raw/ with the published national list history the package ships
    (``seed_history``): ``"all"`` or a list of kommunekoder. With ``history``, ``directory`` may
    be an existing workspace (one with raw/ but no seeded files yet): the history is then
    merged with the area register already in its raw/.

    >>> import tempfile, pathlib
    >>> root = init_workspace(pathlib.Path(tempfile.mkdtemp()) / "ws")
    >>> sorted(p.name for p in root.iterdir())
    ['README.md', 'processed', 'raw', 'reports']
    """
    root = Path(directory).expanduser().resolve()
    if history and (root / "raw").is_dir():
        add_history(root, history)
        return root
    if root.exists() and any(root.iterdir()):
        raise ParameterError(f"{root} exists and is not empty; choose a new folder (or, to add the published "
                             "lists to an existing workspace, one with raw/)")
    for name in ("raw", "processed", "reports"):
        (root / name).mkdir(parents=True, exist_ok=True)
    write_templates(root / "raw" / "skabeloner")
    (root / "README.md").write_text(README, encoding="utf-8")
    if history:
        seed_history(root / "raw", history)
    return root


def add_history(root: Path, history) -> dict:
    """Seed an existing workspace's raw/ with the published list history, merged with the area
    register already there; refused if it was seeded before. Returns ``seed_history``'s counts."""
    seeded = [name for name in SEEDED if (root / "raw" / name).exists()]
    if seeded:
        raise ParameterError(f"{root / 'raw'} already holds {', '.join(seeded)}; delete them to seed again")
    return seed_history(root / "raw", history)


def area_id_for(name: str, municipality_code: str) -> str:
    """The områdekode boligdata gives an area from a published list: kommune and name as a key.

    >>> area_id_for("Nyt Område", "461")
    'odense-nyt-omraade'
    """
    from .municipalities import municipalities
    from .readers.values import name_key

    town = municipalities().loc[municipality_code, "municipality_name"]
    return f"{name_key(town)}-{name_key(name)}".replace("_", "-").replace("(", "").replace(")", "")


def seed_history(raw: Path, municipalities_wanted="all") -> dict:
    """Write the published list history 2017-2024 (boligdata/data/published_lists.csv, with its
    sources and evidence) for the chosen municipalities into ``raw/``: the listed areas
    (``omraader_lister.csv``), their list rows (``listehistorik_lister.csv``) and the coverage
    (``listehistorik_daekning.csv``: complete from the 2017 list for the ghetto and
    parallelsamfund lists). Areas the workspace's own register in ``raw/`` already has (by name or
    andre_navne, in the same kommune) keep its ids and are not written again; rows its own list
    history already has are left out; a conflict stops the seeding with a list of them
    (``register_merge``). Returns the counts written.

    >>> import tempfile, pathlib
    >>> seed_history(pathlib.Path(tempfile.mkdtemp()), ["461"])
    {'areas': 3, 'rows': 34, 'matched': 0}
    """
    import csv

    import pandas as pd

    from .municipalities import normalise_kommunekode
    from .paths import DATA_DIR

    shipped = pd.read_csv(DATA_DIR / "published_lists.csv", comment="#", dtype=str)
    if municipalities_wanted != "all":
        try:
            codes = {normalise_kommunekode(code) for code in municipalities_wanted}
        except ValueError as exc:
            raise ParameterError(f"--history: {exc}") from None
        shipped = shipped[shipped["municipality_code"].isin(codes)]
    # A renamed area is one area: its rows under the earlier name go to the latest name.
    renamed = pd.read_csv(DATA_DIR / "published_list_aliases.csv", comment="#", dtype=str)
    latest = dict(zip(renamed["alias"], renamed["area"]))
    shipped = shipped.assign(listed_as=shipped["area"], area=shipped["area"].map(lambda a: latest.get(a, a)))
    areas = (shipped[["area", "municipality_code"]].drop_duplicates().sort_values(["municipality_code", "area"]))
    areas["id"] = [area_id_for(area, code) for area, code in zip(areas["area"], areas["municipality_code"])]
    areas["aliases"] = [";".join(renamed.loc[renamed["area"] == area, "alias"]) for area in areas["area"]]
    raw.mkdir(parents=True, exist_ok=True)
    own_areas, own_rows = _own_register(raw)
    merge = merge_register(areas, own_areas)
    if merge.conflicts:
        raise ParameterError("the published lists do not match your area register one to one; nothing was "
                             "written:\n  " + "\n  ".join(merge.conflicts))
    ids = merge.ids
    areas = areas[~areas["area"].isin(list(merge.matched))]
    keys = list(zip(shipped["list_year"].astype(int), shipped["area"].map(ids), shipped["designation"]))
    shipped = shipped[[key not in own_rows for key in keys]]
    with open(raw / "omraader_lister.csv", "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(["områdekode", "områdenavn", "kommunekode", "andre_navne", "afdelinger", "bemærkning"])
        for row in areas.itertuples():
            writer.writerow([row.id, row.area, row.municipality_code, row.aliases, "",
                             "Fra de offentliggjorte lister 2017-2024 (boligdata init --history)"])
    with open(raw / "listehistorik_lister.csv", "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(["listeår", "listedato", "område", "betegnelse", "kilde", "belæg", "bemærkning"])
        for row in shipped.sort_values(["list_year", "municipality_code", "area", "designation"]).itertuples():
            writer.writerow([row.list_year, "", ids[row.area], row.designation, row.source, row.evidence_grade,
                             "" if pd.isna(row.note) else row.note])
    with open(raw / "listehistorik_daekning.csv", "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(["kommunekode", "dækket_fra", "kilde"])
        writer.writerow(["alle", "2017", "De offentliggjorte lister 2017-2024 (boligdata/data/published_lists.csv), "
                         "fuldstændige fra 2017 for de lister, der tæller år i træk"])
    return {"areas": len(areas), "rows": len(shipped), "matched": len(merge.matched)}


def _own_register(raw: Path) -> tuple:
    """The areas of the workspace's own raw/omraader* files (not the ones boligdata wrote) with
    where each stands, and the (list year, area id, designation) rows of its own list history."""
    import pandas as pd

    from .readers.inputs import read_input
    from .readers.templates import kind_for_file
    from .readers.values import name_key

    areas, histories = [], []
    for path in sorted(raw.iterdir()):
        kind = kind_for_file(path.name) if path.is_file() and not path.name.startswith((".", "~$")) else None
        if kind is None or path.name.lower().startswith(("omraader_liste", "listehistorik_liste")):
            continue
        if kind.name == "omraader":
            frame = read_input(path, kind, f"raw/{path.name}")
            frame["_where"] = [f"raw/{path.name} row {row}" for row in frame["_row"]]
            areas.append(frame)
        elif kind.name == "listehistorik":
            histories.append(read_input(path, kind, f"raw/{path.name}"))
    own = (pd.concat(areas, ignore_index=True) if areas else
           pd.DataFrame(columns=["area_id", "area_name", "municipality_code", "aliases", "_where"]))
    by_name = {}
    for row in own.itertuples():
        aliases = "" if pd.isna(row.aliases) else str(row.aliases)
        for name in [row.area_id, row.area_name, *aliases.split(";")]:
            if name.strip():
                by_name[name_key(name)] = row.area_id
    rows = set()
    for frame in histories:
        for row in frame.itertuples():
            rows.add((int(row.list_year), by_name.get(name_key(row.area_id), row.area_id), row.designation))
    return own, rows
