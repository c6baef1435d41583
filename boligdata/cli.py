"""The command line: thin wrappers around the package. ``boligdata --help`` lists commands."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .errors import BoligdataError, ParameterError

# The columns of classify's input table (the command's work is in cli_classify.py).
CLASSIFY_NUMERIC = ("residents", "non_western_pct", "outside_labour_market_pct", "convicted_pct",
                    "primary_school_only_pct", "income_pct_of_region", "pop_18_64", "pop_18plus", "pop_30_59",
                    "regional_income_dkk")
CLASSIFY_REQUIRED = ("area", "residents", "non_western_pct", "outside_labour_market_pct", "convicted_pct",
                     "primary_school_only_pct", "income_pct_of_region")


def _workspace_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--workspace", metavar="DIR",
                        help="folder with raw/, processed/, reports/ (default: $BOLIGDATA_WORKSPACE or the project)")


def cmd_ingest(args) -> int:
    from .ingest import ingest

    result = ingest(args.workspace, force=args.force)
    for message in result.warnings:
        print(f"warning: {message}", file=sys.stderr)
    ws = result.workspace
    if not result.changed:
        print(f"{ws.display(ws.processed)}/ is up to date with {ws.display(ws.raw)}/; nothing to do")
        return 0
    print(f"wrote {ws.display(ws.processed)}/ from {ws.display(ws.raw)}/:")
    for name, rows in result.tables.items():
        synthetic = result.manifest["tables"][name]["synthetic_rows"]
        note = f" ({synthetic} synthetic)" if synthetic else ""
        print(f"  {name}.parquet  {rows} rows{note}")
    print("  manifest.json")
    from .digest import lines_en

    print("what changed (processed/digest.json):")
    for line in lines_en(result.manifest["digest"]):
        print(f"  {line}")
    return 0


def cmd_init(args) -> int:
    from .workspace import add_history, init_workspace

    history = None if args.history is None else ("all" if args.history == "all" else args.history.split(","))
    root = Path(args.directory).expanduser().resolve()
    if history and (root / "raw").is_dir():
        counts = add_history(root, history)
        print(f"added the published lists 2017-2024 to {root / 'raw'}: {counts['rows']} list rows; "
              f"{counts['matched']} of the listed areas are in your register and keep your ids; "
              f"{counts['areas']} {'area is' if counts['areas'] == 1 else 'areas are'} new, in omraader_lister.csv")
        return 0
    root = init_workspace(root, history)
    print(f"created workspace {root} with raw/ (templates in raw/skabeloner/), processed/, reports/ and README.md")
    if history:
        print("raw/ holds the published lists 2017-2024 (boligdata/data/published_lists.csv): omraader_lister.csv, "
              "listehistorik_lister.csv and listehistorik_daekning.csv; add later lists before reporting on them")
    return 0


def cmd_templates(args) -> int:
    from .templates_xlsx import write_templates

    for path in write_templates(Path(args.directory)):
        print(path)
    return 0


def _history_note(ws, quarter: str, as_of) -> None:
    """Warn when the list history lacks a published list the coming list's years in a row need."""
    from .history import stale_note
    from .loader import load
    from .publish.runner import as_of_parameter

    tables = load(ws)
    note = stale_note(tables.list_history, tables.quarter(quarter, as_of_parameter(as_of, quarter), store=False).list)
    if note:
        print(f"warning: {note}", file=sys.stderr)


def _date_notes(ws, quarter: str, as_of) -> list[str]:
    """What the as-of date left out of the quarter (figures and lists published later), and a crime
    threshold of the coming list not yet known on it, one line each."""
    from .loader import load
    from .publish.runner import as_of_parameter

    snapshot = load(ws).quarter(quarter, as_of_parameter(as_of, quarter), store=False)
    lines = []
    excluded = snapshot.excluded.groupby("what")["count"].sum()
    if excluded.sum():
        lines.append(f"as of {snapshot.as_of.isoformat()}: {int(excluded.get('figures', 0))} figures with a later "
                     f"vintage and {int(excluded.get('list_rows', 0))} list-history rows of later lists are not used")
    criteria = snapshot.tables["criteria"]
    open_ = criteria[(criteria["which"] == "coming") & (criteria["reason_code"] == "no_threshold")]
    if not open_.empty:
        lines.append(f"the crime threshold of {snapshot.list.label_en} is not known on {snapshot.as_of.isoformat()}: "
                     f"{open_['area'].nunique()} area(s) have it undecided; give the national average or the "
                     f"threshold in raw/landsgennemsnit* when it is published")
    return lines


def cmd_report(args) -> int:
    from .ingest import ingest
    from .paths import resolve_workspace
    from .publish.runner import all_jobs, parse_quarter_parameter, plan_job, run_job

    ws = resolve_workspace(args.workspace)
    ingest(ws)
    quarter = parse_quarter_parameter(args.quarter)
    if args.all:
        if args.municipality or args.area or args.plan or args.region or args.template:
            raise ParameterError("--all builds every report; leave out --template, --municipality, --area, --plan "
                                 "and --region")
        jobs = all_jobs(quarter, ws, args.templates.split(",") if args.templates else None, as_of=args.as_of,
                        internal=args.internal)
    else:
        if not args.template:
            raise ParameterError("give --template NAME (or --all)")
        jobs = [plan_job(args.template, quarter, municipality=args.municipality, area=args.area,
                         plan=args.plan, region=args.region, workspace=ws, internal=args.internal, as_of=args.as_of)]
    for line in _date_notes(ws, quarter, args.as_of):
        print(f"note: {line}")
    _history_note(ws, quarter, args.as_of)
    if args.all and not args.rebuild:
        current = [job for job in jobs if job.is_current(ws, args.pdf)]
        jobs = [job for job in jobs if job not in current]
        if current:
            print(f"skipped {len(current)} report(s) built from the same inputs, rules, templates and version "
                  f"(--rebuild builds them again)")
        if not jobs:
            return 0
    if len(jobs) > 1:
        return _report_many(jobs, ws, args.pdf)
    with _printer(args.pdf) as printer:  # one report: papermill in a fresh kernel, the reference path
        path = run_job(jobs[0], ws, printer=printer)
        beside = [path.with_suffix(s) for s in ((".pdf", ".xlsx") if printer else (".xlsx",))]
        print(f"wrote {ws.display(path)}" + "".join(f" and {ws.display(p)}" for p in beside if p.exists()))
    return 0


def _report_many(jobs, ws, pdf: bool) -> int:
    """Several reports: two worker processes, as the batch runs them, one line per report written."""
    from .publish.batch import KernelPool

    with KernelPool(ws, 2, True, pdf) as pool:
        results = pool.run(jobs)
    order = {(job.municipality, job.name): i for i, job in enumerate(jobs)}
    results.sort(key=lambda r: order[(r["municipality"], r["report"])])
    for note in sorted({r["note"] for r in results} - {""}):
        print(f"warning: {note}", file=sys.stderr)
    for result in results:
        if result["status"] != "ok":
            print(f"error: {result['reason']}", file=sys.stderr)
        elif pdf and not result["note"]:
            print(f"wrote {result['path']} and {result['path'][:-5]}.pdf")
        else:
            print(f"wrote {result['path']}")
    from .publish.batch import exit_code

    return exit_code(results)


class _printer:
    """A PdfPrinter when PDFs are asked for and Chromium is there; else None, with a line saying why."""

    def __init__(self, wanted: bool):
        self.wanted, self.printer = wanted, None

    def __enter__(self):
        if not self.wanted:
            return None
        from .publish.pdf import start_printer

        self.printer, why = start_printer()
        if why:
            print(f"warning: {why}", file=sys.stderr)
        return self.printer

    def __exit__(self, *exc):
        if self.printer is not None:
            self.printer.__exit__(*exc)


def cmd_batch(args) -> int:
    from .paths import resolve_workspace
    from .publish.batch import KernelPool

    ws = resolve_workspace(args.workspace)
    ws.require_raw()
    if args.workers < 1:
        raise ParameterError("--workers: expected 1 or more")
    # The worker processes start (a second each) while the parameters, the inputs and the jobs are
    # checked; they read the workspace once it is ingested.
    with KernelPool(ws, args.workers, not args.fresh_kernels, args.pdf, wait_for_data=True) as pool:
        from .ingest import ingest
        from .publish.batch import run_batch
        from .publish.runner import (
            all_jobs,
            municipality_parameter,
            parse_quarter_parameter,
        )

        quarter = parse_quarter_parameter(args.quarter)
        ingest(ws)
        wanted = None if args.municipalities == "all" else {municipality_parameter(c) for c in args.municipalities.split(",")}
        jobs = all_jobs(quarter, ws, args.templates.split(",") if args.templates else None, as_of=args.as_of,
                        municipalities_wanted=wanted)
        if not jobs:
            raise ParameterError("no reports to build for these municipalities and templates")
        pool.data_ready(None if args.as_of else quarter)
        for line in _date_notes(ws, quarter, args.as_of):
            print(f"note: {line}")
        _history_note(ws, quarter, args.as_of)
        summary = run_batch(jobs, ws, pool=pool)
    from .publish.batch import summary_table

    for note in summary["notes"]:
        print(f"warning: {note}", file=sys.stderr)
    print(summary_table(summary))
    print(f"summary: {summary['summary_file']}")
    from .publish.batch import exit_code

    return exit_code(summary["reports"])


def _template_names() -> list[str]:
    from .publish.registry import templates

    return list(templates())


def _scoped(scope: str) -> str:
    from .publish.registry import templates

    return ", ".join(name for name, t in templates().items() if t.scope == scope)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="boligdata", description=__doc__)
    parser.add_argument("--debug", action="store_true", help="show the full traceback on errors")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = commands.add_parser("ingest", help="read raw/, validate it and write processed/")
    _workspace_arg(p)
    p.add_argument("--force", action="store_true", help="ingest even when nothing changed")
    p.set_defaults(func=cmd_ingest)

    p = commands.add_parser("init", help="create an empty workspace with templates and a README")
    p.add_argument("directory", metavar="DIR")
    p.add_argument("--history", metavar="all|CODES",
                   help="seed raw/ with the published list history 2017-2024 for all municipalities or these "
                   "kommunekoder; on an existing workspace, merged with the area register in its raw/ (the published "
                   "areas take your ids by name and andre_navne; conflicts are listed and nothing is written)")
    p.set_defaults(func=cmd_init)

    p = commands.add_parser("templates", help="write empty XLSX input templates to DIR")
    p.add_argument("directory", metavar="DIR")
    p.set_defaults(func=cmd_templates)

    p = commands.add_parser("report", help="build committee reports (HTML) from the report notebooks")
    _workspace_arg(p)
    p.add_argument("--template", help="a report template: " + ", ".join(_template_names()))
    p.add_argument("--quarter", required=True, metavar="YYYYQn", help="the quarter reported on, e.g. 2020Q3")
    scope = p.add_mutually_exclusive_group()
    scope.add_argument("--municipality", metavar="CODE", help="kommunekode (" + _scoped("municipality") + ")")
    scope.add_argument("--area", metavar="ID|NAME", help="områdekode, name or other name (" + _scoped("area") + ")")
    scope.add_argument("--plan", metavar="ID", help="helhedsplankode (" + _scoped("plan") + ")")
    scope.add_argument("--region", metavar="alle|CODE|NAME",
                       help="alle, a regionskode 081-085 or a region's name (" + _scoped("region") + ")")
    p.add_argument("--all", action="store_true", help="every report of the workspace for the quarter")
    p.add_argument("--templates", metavar="LIST", help="with --all: only these templates, comma-separated")
    p.add_argument("--as-of", metavar="YYYY-MM-DD",
                   help="the date the figures stood on: inside the quarter, or after it up to the end of the next "
                        "quarter for the committee's meeting (default: the quarter's last day)")
    p.add_argument("--internal", action="store_true",
                   help="no disclosure control (small counts shown); for internal use only, never publish")
    p.add_argument("--pdf", action="store_true", help="also print each report to PDF beside the HTML (Chromium)")
    p.add_argument("--rebuild", action="store_true",
                   help="with --all: build every report, also those whose inputs, rules and template are unchanged")
    p.set_defaults(func=cmd_report)

    p = commands.add_parser("batch", help="every report of a quarter, in parallel, for a scheduled run")
    _workspace_arg(p)
    p.add_argument("--quarter", required=True, metavar="YYYYQn")
    p.add_argument("--as-of", metavar="YYYY-MM-DD",
                   help="the date the figures stood on: inside the quarter, or after it up to the end of the next "
                        "quarter for the committee's meeting (default: the quarter's last day)")
    p.add_argument("--templates", metavar="LIST", help="comma-separated (default: all report templates)")
    p.add_argument("--municipalities", default="all", metavar="all|CODES", help="'all' or comma-separated kommunekoder")
    p.add_argument("--workers", type=int, default=2, metavar="N", help="parallel workers (default 2)")
    p.add_argument("--fresh-kernels", action="store_true", help="a new kernel for every report (slower)")
    p.add_argument("--pdf", action="store_true", help="also print each report to PDF beside the HTML (Chromium)")
    p.set_defaults(func=cmd_batch)

    from .statbank_fetch import add_statbank

    add_classify(commands)
    add_statbank(commands)
    from .lists_add import add_lists

    add_lists(commands)
    return parser


def cmd_classify(args) -> int:
    from .cli_classify import cmd_classify as classify

    return classify(args)


def add_classify(commands) -> None:
    """The classify command's arguments (its work is in cli_classify, imported when it runs)."""
    p = commands.add_parser("classify", help="designations, distances and the way off the list for a table of areas")
    p.add_argument("input", metavar="INPUT.csv",
                   help="columns: " + ", ".join(CLASSIFY_REQUIRED) + " [, pop_18_64, pop_18plus, pop_30_59, category]")
    which = p.add_argument_group("the list (one of)")
    which.add_argument("--list-year", type=int, metavar="YYYY", help="the list of that year (2013 had two: use --list-date)")
    which.add_argument("--list-date", metavar="YYYY-MM-DD", help="the list by its publication date, e.g. 2013-10-01")
    p.add_argument("--as-of", metavar="YYYY-MM-DD",
                   help="the date the figures stood on: a list not yet published then follows the law as it stood "
                        "that day; the way off goes only through criteria whose measurement period has not ended, "
                        "and the way for the following list is given too (default: every criterion open)")
    p.add_argument("--history", metavar="FILE", help="earlier lists: area, list_year, designation [, list_date]")
    p.add_argument("--history-from", metavar="YYYY",
                   help="the first list the history is complete from (default: its earliest list); a run that "
                        "reaches it may go on before it")
    p.add_argument("--crime-national-average", metavar="PCT",
                   help="national average share of convicted adults (18+), in percent, e.g. 0.76")
    p.add_argument("--crime-threshold", metavar="PCT", help="the 3 × threshold of § 61 a, stk. 1, nr. 2, in percent")
    p.add_argument("--crime-threshold-forebyggelse", metavar="PCT", help="the 2 × threshold of § 61 b, nr. 2, in percent")
    p.add_argument("--allow-undecided", action="store_true",
                   help="write the table even if a designation cannot be decided (its cells say 'undecided')")
    p.add_argument("--out", metavar="FILE", help="write the table here instead of standard output: .csv in Danish "
                   "Excel's dialect (byte-order mark, ';', decimal comma), or .xlsx (an Excel workbook with typed "
                   "columns and a frozen header)")
    p.add_argument("--danish", action="store_true", help="Danish headings and ja/nej")
    p.add_argument("--workspace", metavar="DIR",
                   help="also use this workspace's crime figures (raw/landsgennemsnit*), confirmations and, without "
                   "--history, its list history, matched to the table's areas by id, name or andre_navne "
                   "(or $BOLIGDATA_WORKSPACE)")
    p.set_defaults(func=cmd_classify)


def say_workspace(args) -> None:
    """Every command that works on a workspace says which one, and warns when it is the bundled sample."""
    from .paths import PROJECT_ROOT, resolve_workspace

    if not hasattr(args, "workspace"):
        return
    if args.func.__name__ == "cmd_classify" and not (args.workspace or os.environ.get("BOLIGDATA_WORKSPACE")):
        return  # classify uses a workspace only when given one (for its crime figures)
    ws = resolve_workspace(args.workspace)
    # On standard error where standard output carries data (classify without --out).
    stream = sys.stderr if getattr(args, "out", True) is None else sys.stdout
    print(f"workspace: {ws.root}", file=stream)
    if ws.root == PROJECT_ROOT.resolve():
        print("warning: this is the bundled sample (published figures filled out with synthetic values); give "
              "--workspace DIR or set BOLIGDATA_WORKSPACE to work on your own data", file=sys.stderr)


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        say_workspace(args)
        return args.func(args)
    except BoligdataError as exc:
        if args.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("error: interrupted; nothing was published", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug, not the user's input: still one line, the details with --debug
        if args.debug:
            raise
        first = str(exc).splitlines()[0] if str(exc) else ""
        print(f"error: internal error ({type(exc).__name__}: {first}); run with --debug for the traceback",
              file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
