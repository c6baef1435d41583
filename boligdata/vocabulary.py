"""A workspace's own vocabulary: its indicators, category labels, risk bands and margins, and
plausibility bounds, kept in its raw/ and in force for that workspace only.

A municipality that follows kontanthjælp per area, calls its categories "Rød / Gul / Grøn", or
wants a wider margin than the package's, writes a YAML file in ``raw/``; nothing in the package
is edited. Each file is merged with the package's file of the same kind and the result is
validated by the package's own loader, so an own file is held to the same rules (an unknown
key, a unit that does not exist, a colour a badge cannot be read on, …) and a mistake names the
workspace file. Every file names its ``source``: who decided it and why.

============================  ==============================  ===================================
workspace file (raw/)         replaces or adds to             merged how
============================  ==============================  ===================================
``indikatorer*.yaml``         ``indicators.yaml``             an entry per id: a new id is added,
                                                              a shipped id is replaced whole
``risikogrupper*.yaml``       ``risk_bands.yaml``             margins per criterion; bands by id,
                                                              field by field (label_da, colour,
                                                              colour_da, aliases_da)
``plausibilitet*.yaml``       ``plausibility.yaml``           per unit, per indicator and level,
                                                              per jump rule
============================  ==============================  ===================================

``ingest`` validates the files and records the merged documents in processed/'s manifest;
``load`` puts them in force for the workspace it loads.
"""

from __future__ import annotations

import copy
from pathlib import Path

import yaml

from .datafiles import check_keys, set_overrides, shipped_yaml
from .errors import DataFileError, InputError

FILES = {"indikatorer": "indicators.yaml", "risikogrupper": "risk_bands.yaml", "plausibilitet": "plausibility.yaml"}
BAND_FIELDS = ("label_da", "colour", "colour_da", "aliases_da")


def vocabulary_files(raw: Path) -> list[Path]:
    """The workspace's own vocabulary files, in a fixed order.

    >>> vocabulary_files(Path("/nonexistent"))
    []
    """
    if not raw.is_dir():
        return []
    return sorted(p for p in raw.iterdir() if p.is_file() and is_vocabulary_file(p.name))


def is_vocabulary_file(name: str) -> bool:
    """>>> is_vocabulary_file("risikogrupper.yaml"), is_vocabulary_file("omraader.csv")
    (True, False)
    """
    lower = name.lower()
    return lower.endswith((".yaml", ".yml")) and lower.split(".")[0].split("_")[0] in FILES


def _merge_indicators(base: dict, own: dict, origin: str) -> dict:
    check_keys(own, origin, required=["source", "indicators"])
    merged = copy.deepcopy(base)
    position = {entry["id"]: i for i, entry in enumerate(merged["indicators"])}
    for number, entry in enumerate(own["indicators"] or [], start=1):
        if not isinstance(entry, dict) or "id" not in entry:
            raise DataFileError(f"{origin}: indicators entry {number}: an entry with an id")
        if entry["id"] in position:
            merged["indicators"][position[entry["id"]]] = entry
        else:
            position[entry["id"]] = len(merged["indicators"])
            merged["indicators"].append(entry)
    return merged


def _merge_bands(base: dict, own: dict, origin: str) -> dict:
    check_keys(own, origin, required=["source"],
               optional=["margins_pp", "margins_persons", "margin_residents", "bands"])
    merged = copy.deepcopy(base)
    for key in ("margins_pp", "margins_persons"):
        if key in own:
            if not isinstance(own[key], dict):
                raise DataFileError(f"{origin}: {key}: a mapping of criterion to margin")
            merged[key] = {**merged[key], **own[key]}
    if "margin_residents" in own:
        merged["margin_residents"] = own["margin_residents"]
    bands = {band["id"]: band for band in merged["bands"]}
    for number, entry in enumerate(own.get("bands") or [], start=1):
        where = f"{origin}: bands entry {number}"
        check_keys(entry, where, required=["id"], optional=BAND_FIELDS)
        if entry["id"] not in bands:
            raise DataFileError(f"{where}: '{entry['id']}' is not a band ({', '.join(bands)}); a workspace "
                                "renames and recolours the package's bands, the rules that make them stay")
        bands[entry["id"]].update({k: v for k, v in entry.items() if k != "id"})
    merged["source"] = f"{base['source']}; tilpasset af arbejdsområdet: {own['source']}"
    return merged


def _merge_plausibility(base: dict, own: dict, origin: str) -> dict:
    from .plausibility import merge_documents

    check_keys(own, origin, required=["source"], optional=["units", "indicators", "jumps", "history"])
    return merge_documents(base, {k: v for k, v in own.items() if k != "source"})


MERGE = {"indicators.yaml": _merge_indicators, "risk_bands.yaml": _merge_bands,
         "plausibility.yaml": _merge_plausibility}


def read_vocabulary(raw: Path, display=lambda p: f"raw/{p.name}") -> dict:
    """The workspace's files as {package file: [(origin, document), ...]}, each read and checked
    as a YAML mapping (``InputError`` naming the file otherwise)."""
    found: dict[str, list] = {}
    for path in vocabulary_files(raw):
        origin = display(path)
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            raise InputError(origin, f"valid YAML in UTF-8 ({getattr(exc, 'problem', None) or exc}{where})") from None
        if not isinstance(document, dict):
            raise InputError(origin, "a YAML mapping with 'source' and the entries to add or change "
                             "(docs/inputs.md: the workspace's own vocabulary)")
        found.setdefault(FILES[path.name.lower().split(".")[0].split("_")[0]], []).append((origin, document))
    return found


def merge_only(own: dict) -> dict:
    """The package's documents with the workspace's merged in (``own`` as ``read_vocabulary``
    gives it, or as the manifest keeps it: lists of [origin, document]), not validated."""
    merged = {}
    for name, documents in own.items():
        document = shipped_yaml(name)
        for origin, entry in documents:
            try:
                document = MERGE[name](document, entry, origin)
            except DataFileError as exc:
                raise InputError(origin, _expected(exc, origin)) from None
        merged[name] = document
    return merged


def merged_documents(own: dict) -> dict:
    """The package's documents with the workspace's merged in, validated by the package's loaders;
    a mistake is an ``InputError`` naming the workspace file."""
    merged = merge_only(own)
    previous = in_force()
    try:
        put_in_force(merged)
        _validate(own)
    finally:
        set_overrides(previous)
    return merged


def _expected(exc: Exception, origin: str) -> str:
    text = str(exc)
    return text[len(origin) + 2:] if text.startswith(origin + ": ") else text


def _validate(own: dict) -> None:
    from .catalog import load_catalog
    from .plausibility import load_plausibility
    from .risk import band_settings

    loaders = {"indicators.yaml": load_catalog, "risk_bands.yaml": band_settings, "plausibility.yaml": load_plausibility}
    for name, documents in own.items():
        try:
            loaders[name]()
            if name == "indicators.yaml":
                load_plausibility()  # the bounds name indicators: an indicator replaced must still fit them
        except DataFileError as exc:
            import re

            origins = ", ".join(origin for origin, _ in documents)
            # The loader counts entries in the merged file; the analyst knows theirs by id.
            detail = re.sub(r"^[\w.]+\.yaml: entry \d+ \((.+?)\)", r"the entry with id '\1':", str(exc))
            raise InputError(origins, f"entries the package's rules for {name} accept, once merged with it: {detail}") \
                from None


def in_force() -> dict:
    """The merged documents in force now ({} when the package's own are)."""
    from .datafiles import overrides

    return overrides()


def put_in_force(merged: dict | None) -> None:
    """Make ``merged`` (from ``merged_documents`` or a manifest) the vocabulary in force; None or
    {} restores the package's own."""
    set_overrides(dict(merged or {}))


def sources(own: dict) -> list[str]:
    """Each workspace file with its stated source, for a report's sources (Danish).

    >>> sources({"risk_bands.yaml": [("raw/risikogrupper.yaml", {"source": "BSU 2026"})]})
    ['raw/risikogrupper.yaml (risikogrupper og margener): BSU 2026']
    """
    what = {"indicators.yaml": "egne indikatorer", "risk_bands.yaml": "risikogrupper og margener",
            "plausibility.yaml": "sandsynlighedsgrænser"}
    return [f"{origin} ({what[name]}): {document.get('source', '')}"
            for name, documents in own.items() for origin, document in documents]
