"""The input templates (``data/inputs.yaml``): which kinds of file exist and their columns."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ..datafiles import check_choice, check_keys, check_positive, package_yaml
from .values import normalise_key

TYPES = (
    "text", "id", "key", "kommunekode", "count", "number", "pct", "year", "period",
    "quarter", "date", "list", "enum", "area_ref",
)


@dataclass(frozen=True)
class Column:
    name: str
    heading: str
    type: str
    required: bool
    help_da: str
    values: tuple = ()
    missing_allowed: bool = False

    def canonical(self, raw_value: str) -> str:
        """Map an enum spelling to its canonical value (KeyError if unknown)."""
        return dict(self.values)[normalise_key(raw_value)]


@dataclass(frozen=True)
class Kind:
    name: str
    table: str
    title_da: str
    help_da: str
    key: tuple
    columns: tuple
    layout: str = "long"            # "wide": the columns after the fixed ones are indicators
    indicator_columns_da: str = ""  # the help for those indicator columns

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


@lru_cache(maxsize=1)
def input_kinds() -> dict[str, Kind]:
    """Every input kind by name, validated.

    >>> kinds = input_kinds()
    >>> kinds["observationer"].table, kinds["observationer"].column("value").heading
    ('observations', 'værdi')
    """
    document = check_keys(package_yaml("inputs.yaml"), "inputs.yaml", required=["kinds", "limits", "periods"])
    kinds = {}
    for name, entry in document["kinds"].items():
        where = f"inputs.yaml: kind '{name}'"
        check_keys(entry, where, required=["table", "title_da", "help_da", "key", "columns"],
                   optional=["layout", "indicator_columns_da"])
        check_choice(entry.get("layout", "long"), ("long", "wide"), where + " layout")
        columns = []
        for spec in entry["columns"]:
            cwhere = f"{where} column '{spec.get('name', '?')}'"
            check_keys(spec, cwhere, required=["name", "heading", "type", "required", "help_da"],
                       optional=["values", "missing_allowed"])
            check_choice(spec["type"], TYPES, cwhere + " type")
            values = tuple((normalise_key(k), v) for k, v in (spec.get("values") or {}).items())
            columns.append(Column(spec["name"], spec["heading"], spec["type"], bool(spec["required"]),
                                  spec["help_da"], values, bool(spec.get("missing_allowed", False))))
        kinds[name] = Kind(name, entry["table"], entry["title_da"], entry["help_da"],
                           tuple(entry["key"]), tuple(columns), entry.get("layout", "long"),
                           entry.get("indicator_columns_da", ""))
    return kinds


@dataclass(frozen=True)
class Limits:
    """How large one input file may be (``limits`` in data/inputs.yaml)."""

    max_bytes: int
    max_rows: int
    max_cells: int
    max_unpacked_bytes: int
    max_id_length: int


@lru_cache(maxsize=1)
def input_limits() -> Limits:
    """The limits on one input file.

    >>> input_limits().max_rows
    1048576
    """
    entry = check_keys(package_yaml("inputs.yaml")["limits"], "inputs.yaml: limits",
                       required=list(Limits.__dataclass_fields__))
    check_positive(entry, "inputs.yaml: limits", whole=True)
    return Limits(**entry)


@lru_cache(maxsize=1)
def period_years() -> tuple[int, int]:
    """The first and last year a period or year in the inputs may have: ``periods.first_year``
    of data/inputs.yaml, and the year of the last list in the rules' timeline.

    >>> period_years()
    (1990, 2030)
    """
    from ..lists import load_lists

    entry = check_keys(package_yaml("inputs.yaml")["periods"], "inputs.yaml: periods", required=["first_year"])
    return int(entry["first_year"]), load_lists()[-1].year


def kind_for_file(filename: str) -> Kind | None:
    """The kind a file in raw/ belongs to, by the start of its name.

    >>> kind_for_file("observationer_odense.csv").name
    'observationer'
    >>> kind_for_file("README.md") is None
    True
    """
    stem = normalise_key(filename.rsplit(".", 1)[0])
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix not in ("csv", "xlsx", "xlsm", "txt"):
        return None
    for name in sorted(input_kinds(), key=len, reverse=True):
        if stem == name or stem.startswith(name + "_"):
            return input_kinds()[name]
    return None
