"""Markdown tables generated from the data files, so the docs cannot drift from the code.

``python -m boligdata.docs_gen`` rewrites the generated parts of docs/*.md (between the
``<!-- generated -->`` markers); tests/test_docs.py fails when they are out of date.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from .catalog import load_catalog
from .crime import known_crime_figures
from .lists import load_lists
from .readers.templates import input_kinds
from .rules import OPERATORS, load_rules

START, END = "<!-- generated: start -->", "<!-- generated: end -->"


def _cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def timeline_markdown() -> str:
    """Every list by date: its rule version and the crime figures known for it, with their evidence."""
    figures = known_crime_figures()
    out = ["| list (id) | list year | published | rules | crime figures (multiple = threshold; evidence; used) | source |",
           "|---|---|---|---|---|---|"]
    for item in load_lists():
        if item.future:
            continue
        published = item.date.isoformat() if item.date else f"date not found; known by {item.known_by.isoformat()}"
        crime = "; ".join(
            f"{f.multiple or 'average'} × = {f.value} % ({f.evidence}{', used' if f.used else ', not used'}"
            f"{'; public from ' + f.known_from.isoformat() if f.known_from and f.known_from != item.known_by else ''})"
            for f in figures.for_list(item.id)) or ("none needed" if item.rules in ("2010", "2013") else "**not known**")
        out.append(f"| `{item.id}` | {item.year} | {published} | {item.rules} | {_cell(crime)} | {_cell(item.source)} |")
    future = [item for item in load_lists() if item.future]
    if future:
        out.append(f"\nAfter {future[0].year - 1}: a list every 1 December to {future[-1].year} under the "
                   f"{future[0].rules} rules, assumed unchanged (no amendment was found); quarters after that are "
                   f"refused.")
    return "\n".join(out)


def _window(window) -> str:
    """A window for the docs: "the average of T-2 and T-1 (counts time; inferred: ...)"."""
    if window.years:
        years = " and ".join(f"T{y:+d}".replace("+0", "") for y in window.years)
        what = f"the average of {years}" if len(window.years) > 1 else f"the year {years}"
    else:
        year, month, day = window.on
        what = f"{day}/{month} of T{year:+d}".replace("+0", "")
    return f"{what} (`{window.id}`, counts {window.counts}; {window.evidence}: {window.source})"


def rules_markdown() -> str:
    """The timeline of the lists, then one table per rule version: paragraph -> entry in rules.yaml."""
    out = ["### The lists and their figures (`lists.yaml`, `crime_thresholds.yaml`)\n", timeline_markdown(), ""]
    for version in load_rules():
        lists = [item for item in load_lists() if item.rules == version.id and not item.future]
        span = f"{lists[0].id} to {lists[-1].id}" if lists else "none"
        out.append(f"### Version {version.id}: {version.label_da} (lists {span})\n")
        out.append(f"Source: {version.source['law']}, {version.source['paragraph']} <{version.source['url']}>."
                   + (f" {version.source['note']}" if version.source.get("note") else "") + "\n")
        steps = "; ".join(f"{s.step.replace('_', ' ')} {s.date.isoformat() if s.date else 'not found'}"
                          f"{' (at the latest)' if s.at_the_latest else ''}" for s in version.enacted.values())
        out.append(f"Enacted: {steps}.\n")
        out.append(f"Population: at least {version.population_min:,} residents, counted "
                   f"{_window(version.population_window)}.\n".replace(",", ".", 1))
        out.append("| paragraph | entry | indicator | operator (as worded) | threshold | age group | averaged over | "
                   "measures, for the list of T |")
        out.append("|---|---|---|---|---|---|---|---|")
        for c in version.ordered_criteria():
            threshold = f"{c.threshold} %" if c.threshold is not None else f"{c.national_average_multiple} × national average"
            paragraph = c.paragraph + (f" ({c.note})" if c.note else "")
            out.append(f"| {_cell(paragraph)} | `criteria.{c.id}` | `{c.indicator}` | `{c.operator}` "
                       f"\"{c.wording_da}\" | {threshold} | {c.age_group} | {c.averaging_years} yr | "
                       f"{_cell(_window(c.window))} |")
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
            if d.excludes:
                rule += f"; as published, not {' or '.join(d.excludes)} ({d.excludes_source})"
            out.append(f"| {_cell(d.paragraph)} | `designations.{d.id}` \"{d.label_da}\" | | | {_cell(rule)} | | | |")
        out.append("")
        brings = [(d, c) for d in version.designations.values() for c in d.consequences]
        if brings:
            out.append("What a designation brings (`consequences`), and what stays after the area leaves the list:\n")
            out.append("| designation | brings | paragraph | stays after the list | source | evidence |")
            out.append("|---|---|---|---|---|---|")
            for d, c in brings:
                stays = f"{c.stays_da} ({c.stays_source})" if c.stays_da else "no"
                out.append(f"| `{d.id}` | {_cell(c.text_da)} | {_cell(c.paragraph)} | {_cell(stays)} | "
                           f"{_cell(c.source)} | {c.evidence} |")
            out.append("")
    out.append("Operators: " + "; ".join(f"`{k}` = \"{v}\"" for k, v in OPERATORS.items()) + ".")
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
        if kind.layout == "wide":
            out.append(f"| *an indicator's label or code* | `indicator`, `value` | number | at least one | "
                       f"{_cell(kind.indicator_columns_da)} |")
        out.append("")
    return "\n".join(out)


GENERATED = {"rules.md": rules_markdown, "indicators.md": indicators_markdown, "inputs.md": inputs_markdown}


def splice(text: str, generated: str) -> str:
    """Replace what stands between the markers in ``text`` with ``generated``."""
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
    return pattern.sub(lambda _: f"{START}\n{generated}\n{END}", text)


EXAMPLES = {"examples/beboerdata_eksempelparken.xlsx": "beboerdata_example"}


def example_bytes(name: str) -> bytes:
    """The generated bytes of one example file of docs/ (see EXAMPLES)."""
    from . import synthetic

    return getattr(synthetic, EXAMPLES[name])()


def main(docs: Path) -> None:
    for name, make in GENERATED.items():
        path = docs / name
        path.write_text(splice(path.read_text(encoding="utf-8"), make()), encoding="utf-8")
    for name in EXAMPLES:
        (docs / name).parent.mkdir(parents=True, exist_ok=True)
        (docs / name).write_bytes(example_bytes(name))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "docs")
