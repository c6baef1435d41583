"""Build the national list history the package ships (boligdata/data/published_lists.csv).

From the two research files in sample/sources/ (copied, with provenance, from the project's
reference data): published_lists_2017_2024.csv (list memberships from news reports and
ministry papers) and published_lists_additions.csv (later corrections and additions, which
win where they disagree). Each row becomes the designations of the engine (rules.yaml),
with its evidence grade and source; a designation the law implies (a ghetto or
parallelsamfund from 2018 is also udsat, § 61 a, stk. 2) is added with grade
"derived (§ 61 a, stk. 2)". Rows that say an area left a list give no membership.

Run from the project root:  python sample/build_published_lists.py
The output is byte-for-byte the same on every run (tests/test_sample.py checks it).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "sample" / "sources"
OUTPUT = ROOT / "boligdata" / "data" / "published_lists.csv"
HEADER = ["list_year", "area", "municipality_code", "designation", "evidence_grade", "source", "note"]
COMMENT = """# The ministry's published lists 2017-2024 as found in public sources, one row per area, list and
# designation (ids of rules.yaml). Built by sample/build_published_lists.py from
# sample/sources/published_lists_2017_2024.csv and sample/sources/published_lists_additions.csv;
# do not edit by hand. evidence_grade: "stated" where a source says it, "derived" where it follows
# from stated exits, counts or the law. The lineage (ghetto / parallelsamfund and the hard forms)
# is complete for 2017-2024 (the counts match bl.dk's); the udsatte-only and forebyggelse rows
# are partial, so an area missing from them may still have been on those lists.
"""


def kommunekoder() -> dict[str, str]:
    with open(ROOT / "boligdata" / "data" / "kommuner.csv", encoding="utf-8") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        return {r["municipality_name"]: r["municipality_code"] for r in rows}


def read(name: str) -> list[dict]:
    with open(SOURCES / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def designations(year: int, designation: str, hard: str) -> list[str]:
    """The engine's designations for one published row (none for a row that records an exit)."""
    hard_yes = hard.strip().lower().startswith("yes")
    text = designation.strip().lower()
    if text.startswith(("former", "off ")):
        return []
    if text in ("ghetto", "parallelsamfund") or text.startswith("unknown (probably parallelsamfund"):
        main = "ghetto" if year <= 2020 else "parallelsamfund"
        ids = [main]
        if hard_yes:
            ids.append("haardt_ghetto" if year <= 2020 else "omdannelse")
        return ids
    if text.startswith("udsat"):
        return ["udsat"]
    if text.startswith("forebyggelse"):
        return ["forebyggelse"]
    raise ValueError(f"unknown designation {designation!r} ({year})")


def grade(evidence: str) -> str:
    """The evidence as the research file words it (an empty one: the 2017 list as reprinted in full)."""
    return evidence.strip() or "stated (the 2017 list reprinted in full)"


def build() -> str:
    codes = kommunekoder()
    rows: dict[tuple, list] = {}
    exits = set()
    for source_name in ("published_lists_2017_2024.csv", "published_lists_additions.csv"):
        for r in read(source_name):
            year = int(r["list_year"])
            code = r.get("kommunekode") or codes[r["municipality"]]
            key_area = (year, r["area"])
            ids = designations(year, r["designation"], r.get("hard", ""))
            source = r.get("source") or "news reports and ministry papers (research file published_lists_2017_2024.csv)"
            if source_name == "published_lists_additions.csv":
                # A correction replaces what the first file said of the area on that list.
                for key in [k for k in rows if k[:2] == key_area]:
                    del rows[key]
            if not ids:
                exits.add(key_area)
                continue
            for number, did in enumerate(ids):
                rows[(year, r["area"], did)] = [year, r["area"], code, did, grade(r["evidence"]), source,
                                                r.get("note", "")]
            if year >= 2018 and ids[0] in ("ghetto", "parallelsamfund") and (year, r["area"], "udsat") not in rows:
                rows[(year, r["area"], "udsat")] = [year, r["area"], code, "udsat", "derived (§ 61 a, stk. 2)", source,
                                                    f"a {ids[0]} is an udsat boligområde by § 61 a, stk. 2"]
    buffer = io.StringIO()
    buffer.write(COMMENT)
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(sorted(rows.values(), key=lambda r: (r[0], r[1], r[3])))
    return buffer.getvalue()


if __name__ == "__main__":
    OUTPUT.write_text(build(), encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(ROOT)}")
