"""Markdown tables generated from the data files, so the docs cannot drift from the code.

``python -m boligdata.docs_gen`` rewrites the generated parts of docs/*.md (between the
``<!-- generated -->`` markers); tests/test_docs.py fails when they are out of date.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from .catalog import load_catalog
from .readers.templates import input_kinds
from .rules import OPERATORS, known_crime_figures, load_rules

START, END = "<!-- generated: start -->", "<!-- generated: end -->"


def _cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def rules_markdown() -> str:
    """One table per rule version: paragraph -> entry in rules.yaml."""
    out = []
    for version in load_rules():
        years = f"{version.first_year}-{version.last_year or ''}"
        out.append(f"### Version {version.id}: {version.label_da} (lists {years}, {version.list_day[3:]}.{version.list_day[:2]}.)\n")
        out.append(f"Source: {version.source['law']}, {version.source['paragraph']} <{version.source['url']}>."
                   + (f" {version.source['note']}" if version.source.get("note") else "") + "\n")
        out.append(f"Population: at least {version.population_min:,} residents.\n".replace(",", "."))
        out.append("| paragraph | entry | indicator | operator (as worded) | threshold | age group | averaged over |")
        out.append("|---|---|---|---|---|---|---|")
        for c in version.criteria.values():
            threshold = f"{c.threshold} %" if c.threshold is not None else f"{c.national_average_multiple} × national average"
            out.append(f"| {_cell(c.paragraph)} | `criteria.{c.id}` | `{c.indicator}` | `{c.operator}` "
                       f"\"{c.wording_da}\" | {threshold} | {c.age_group} | {c.averaging_years} yr |")
        for d in version.designations.values():
            if d.consecutive_years_of:
                rule = f"{' or '.join(d.consecutive_years_of)} in each of the last {d.years} list years"
                for list_years, years, source in d.transition:
                    rule += f"; {years} years for the {', '.join(map(str, list_years))} lists ({source})"
            else:
                parts = []
                if d.criteria:
                    parts.append(f"at least {d.min_met} of {', '.join(d.criteria)}")
                parts += [f"{r}" for r in d.requires] + [f"{c} met" for c in d.and_criteria]
                rule = " and ".join(parts)
            out.append(f"| {_cell(d.paragraph)} | `designations.{d.id}` \"{d.label_da}\" | | | {_cell(rule)} | | |")
        out.append("")
    out.append("### Year-dependent crime thresholds (`crime_thresholds.yaml`)\n")
    out.append("| list year | multiple | threshold | source |")
    out.append("|---|---|---|---|")
    figures = known_crime_figures()
    for (year, multiple), (value, source) in sorted(figures.thresholds.items()):
        out.append(f"| {year} | {multiple} × | {value} % | {_cell(source)} |")
    for year, (value, source) in sorted(figures.national_average.items()):
        out.append(f"| {year} | national average | {value} % | {_cell(source)} |")
    out.append("\nOperators: " + "; ".join(f"`{k}` = \"{v}\"" for k, v in OPERATORS.items()) + ".")
    return "\n".join(out)


def indicators_markdown() -> str:
    """The indicator catalogue as a table."""
    out = ["| id | label (da) | group | unit | better | population | source |", "|---|---|---|---|---|---|---|"]
    for _, r in load_catalog().iterrows():
        out.append(f"| `{r['id']}` | {_cell(r['label_da'])} | {r['group']} | {r['unit']} | {r['better']} | "
                   f"{_cell(r['population'])} | {_cell(r['source'])} |")
    return "\n".join(out)


def inputs_markdown() -> str:
    """Every input template with its columns."""
    out = []
    for kind in input_kinds().values():
        out.append(f"### `{kind.name}` -> `processed/{kind.table}.parquet`: {kind.title_da}\n")
        out.append(f"{kind.help_da} One row per {' × '.join(kind.key)}.\n")
        out.append("| heading (da) | name | type | required | help |")
        out.append("|---|---|---|---|---|")
        for c in kind.columns:
            kind_type = c.type + (f" ({', '.join(sorted({v for _, v in c.values}))})" if c.values else "")
            out.append(f"| `{c.heading}` | `{c.name}` | {kind_type} | {'yes' if c.required else 'no'} | {_cell(c.help_da)} |")
        out.append("")
    return "\n".join(out)


GENERATED = {"rules.md": rules_markdown, "indicators.md": indicators_markdown, "inputs.md": inputs_markdown}


def splice(text: str, generated: str) -> str:
    """Replace what stands between the markers in ``text`` with ``generated``."""
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
    return pattern.sub(lambda _: f"{START}\n{generated}\n{END}", text)


def main(docs: Path) -> None:
    for name, make in GENERATED.items():
        path = docs / name
        path.write_text(splice(path.read_text(encoding="utf-8"), make()), encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "docs")
