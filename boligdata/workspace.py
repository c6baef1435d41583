"""Creating a new, empty workspace for real (confidential) data outside the checkout."""

from __future__ import annotations

from pathlib import Path

from .errors import ParameterError
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
"""


def init_workspace(directory: Path, history=None) -> Path:
    """Create ``directory`` with raw/ (and templates), processed/, reports/ and a README.

    ``history`` seeds raw/ with the published national list history the package ships
    (``seed_history``): ``"all"`` or a list of kommunekoder.

    >>> import tempfile, pathlib
    >>> root = init_workspace(pathlib.Path(tempfile.mkdtemp()) / "ws")
    >>> sorted(p.name for p in root.iterdir())
    ['README.md', 'processed', 'raw', 'reports']
    """
    root = Path(directory).expanduser().resolve()
    if root.exists() and any(root.iterdir()):
        raise ParameterError(f"{root} exists and is not empty; choose a new folder")
    for name in ("raw", "processed", "reports"):
        (root / name).mkdir(parents=True, exist_ok=True)
    write_templates(root / "raw" / "skabeloner")
    (root / "README.md").write_text(README, encoding="utf-8")
    if history:
        seed_history(root / "raw", history)
    return root


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
    parallelsamfund lists). Returns the counts written.

    >>> import tempfile, pathlib
    >>> seed_history(pathlib.Path(tempfile.mkdtemp()), ["461"])
    {'areas': 3, 'rows': 34}
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
    ids = dict(zip(areas["area"], areas["id"]))
    raw.mkdir(parents=True, exist_ok=True)
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
    return {"areas": len(areas), "rows": len(shipped)}
