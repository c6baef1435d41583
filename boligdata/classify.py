"""The classification of many areas as one flat table (the output of ``boligdata classify``)."""

from __future__ import annotations

import pandas as pd

from .crime import CrimeFigures
from .criteria import AreaResult, evaluate
from .errors import ParameterError
from .lists import as_list
from .present.marks import plain
from .present.outlook import exit_sentence
from .risk import compare_category, risk_band
from .rules import (
    count_indicators,
    criteria_indicators,
    criterion_ids,
    designation_ids,
    load_rules,
)

# Columns a frame to classify may have besides the criteria's indicators and their counts.
OPTIONAL_COLUMNS = ("area_name", "municipality", "category", "regional_income_dkk")


def check_frame(frame, list_year) -> None:
    """Refuse a frame ``classify_frame`` would misread: not a frame, no ``area``, a column of the
    list's criteria missing (a missing value is fine: write None, and it is undecided), or a
    column no rule reads (a misspelling such as ``non_western`` would otherwise read as missing).

    >>> check_frame(pd.DataFrame({"area": ["A"], "non_western": [61.0]}), 2020)
    Traceback (most recent call last):
    ...
    boligdata.errors.ParameterError: classify_frame: unknown column 'non_western' (did you mean 'non_western_pct'?); ...
    """
    import difflib

    if not isinstance(frame, pd.DataFrame):
        raise ParameterError(f"classify_frame: expected a pandas DataFrame with one row per area, not {type(frame).__name__}")
    lst = as_list(list_year)
    known = ("area",) + criteria_indicators() + count_indicators() + OPTIONAL_COLUMNS
    needed = ["area", "residents"] + list(dict.fromkeys(c.indicator for c in lst.version.criteria.values()))
    allowed = ", ".join(needed)
    for column in frame.columns:
        if column not in known:
            close = difflib.get_close_matches(str(column), known, n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise ParameterError(f"classify_frame: unknown column '{column}'{hint}; {lst.label_en} reads "
                                 f"{allowed}, optionally {', '.join(count_indicators() + OPTIONAL_COLUMNS)}")
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ParameterError(f"classify_frame: the columns {', '.join(missing)} are missing; {lst.label_en} "
                             f"reads {allowed} (a column with empty cells is fine: those areas are undecided)")


def _flag(value) -> str:
    """true / false, and "undecided" where the figures cannot decide it (never hidden as empty)."""
    return "undecided" if value is None else ("true" if value else "false")


def _num(value) -> str:
    return "" if value is None else format(value, "f") if not isinstance(value, int) else str(value)


def result_row(result: AreaResult, regional_income_dkk=None, category=None) -> dict:
    """One flat row: flags, designation, years, distances, persons, the way off, the risk band."""
    version = result.version
    row = {"area": result.area, "list_year": result.list_year, "list_date": result.list.id, "rules": version.id,
           "residents": _num(None if result.residents is None else int(result.residents)), "population_ok": _flag(result.population_ok)}
    counted = version.counted
    for cid in version.criteria:
        row[f"{cid}_met"] = _flag(result.criteria[cid].met)
    for cid in criterion_ids():  # the same columns for every list, empty where its rules lack a criterion
        row.setdefault(f"{cid}_met", "")
    row["criteria_met"] = str(sum(result.criteria[c].met is True for c in counted.criteria))
    row["criteria_counted"] = str(len(counted.criteria))
    for did in designation_ids():
        row[did] = _flag(result.designations.get(did)) if did in version.designations else ""
    row["designation"] = result.designation_label()
    row["years_on_list"] = _num(result.years_on_list)
    row["years_on_list_at_least"] = ("true" if result.years_open else "false") if result.years_on_list else ""
    for cid in criterion_ids():
        c = result.criteria.get(cid)
        row[f"{cid}_distance_pp"] = _num(c.distance_pp) if c else ""
        row[f"{cid}_persons_to_flip"] = _num(c.persons) if c else ""
    crime = result.criteria.get("crime")
    row["crime_threshold_pct"] = _num(crime.threshold) if crime else ""
    income = result.criteria.get("income")
    if income and income.distance_pp is not None and regional_income_dkk is not None:
        row["income_distance_dkk"] = str(round(float(income.distance_pp) / 100 * float(regional_income_dkk)))
    else:
        row["income_distance_dkk"] = ""
    exit_ = result.exit
    row["exit_persons"] = _num(exit_.persons) if exit_ else ""
    row["exit_persons_best"] = _num(exit_.persons_best) if exit_ else ""
    row["exit_via"] = ";".join(exit_.criteria) if exit_ else ""
    row["exit_fixed"] = ";".join(exit_.fixed) if exit_ else ""
    row["exit_possible"] = ("true" if exit_.possible else "false") if exit_ else ""
    row["exit_sentence_da"] = plain(exit_sentence(result) or "")
    band = risk_band(result)
    row.update({"band": band["band"], "band_label_da": band["band_label_da"], "band_reason_da": plain(band["reason_da"])})
    category = category if isinstance(category, str) and category.strip() else None  # an empty cell is no category
    row["own_category"] = category or ""
    row["category_note_da"] = compare_category(band, category) or ""
    row["notes"] = " | ".join(result.notes)
    # Added at the end (issue 22), so that a reader of the older columns by position is not misled.
    for did in designation_ids():
        designation = version.designations.get(did)
        if designation is not None and designation.excludes:  # the statute's reading beside the published list
            row[f"{did}_criteria"] = _flag(result.statute.get(did))
        elif any(did in v.designations and v.designations[did].excludes for v in load_rules()):
            row[f"{did}_criteria"] = ""
    for cid in criterion_ids():
        c = result.criteria.get(cid)
        row[f"{cid}_state"] = c.state.state if c and c.state else ""
        row[f"{cid}_persons_open"] = _num(c.persons_open) if c else ""
    row["crime_depends_on_figure"] = "; ".join(
        f"with {format(value, 'f')} %: {', '.join(ids)} would change" for value, ids in result.choice_changes)
    following = result.following
    row["following_list_date"] = following.list.id if following else ""
    row["following_rules"] = following.version.id if following else ""
    row["following_designation"] = following.designation_label() if following else ""
    way = following.exit if following else None
    row["following_exit_persons"] = _num(way.persons) if way else ""
    row["following_exit_via"] = ";".join(way.criteria) if way else ""
    row["unpublished_persons"] = _num(result.unpublished.persons) if result.unpublished else ""
    row["unpublished_via"] = ";".join(result.unpublished.criteria) if result.unpublished else ""
    # Added at the end: the lists in a row before this one, as the reports count them ("har været
    # på listen N år i træk før denne liste"); years_on_list counts this list too where it is on it.
    run = result.run
    row["years_before_list"] = _num(run.years) if run is not None else ""
    row["years_before_list_at_least"] = ("true" if run.open_ended and run.years else "false") if run is not None else ""
    return row


def classify_frame(frame: pd.DataFrame, list_year, *, history=None, crime: CrimeFigures | None = None,
                   as_of=None) -> pd.DataFrame:
    """Classify every area of ``frame`` and return the flat result table (text cells).

    ``list_year`` names the list (a year with one list, or a list id such as ``2013-10-01``);
    ``history`` is a ``ListHistory`` or a frame of ``area, list_year, designation``; without
    it the years on the list are unknown and a hard designation may be undecided. ``as_of`` is the
    date the figures stood on: the rules as known then, and the way off only through what can
    still move (with the way for the following list beside it).

    >>> f = pd.DataFrame([{"area": "Vollsmose", "residents": 7233, "non_western_pct": 76.1,
    ...     "outside_labour_market_pct": 49.6, "convicted_pct": 2.74, "primary_school_only_pct": 75.0,
    ...     "income_pct_of_region": 53.4}])
    >>> classify_frame(f, 2020).loc[0, ["criteria_met", "udsat", "ghetto", "haardt_ghetto"]].tolist()
    ['4', 'true', 'true', 'undecided']
    """
    check_frame(frame, list_year)
    results = evaluate(frame, list_year, history=history, crime=crime, as_of=as_of)
    regional = frame["regional_income_dkk"].tolist() if "regional_income_dkk" in frame else [None] * len(frame)
    categories = frame["category"].tolist() if "category" in frame else [None] * len(frame)
    return pd.DataFrame([result_row(r, inc, cat) for r, inc, cat in zip(results, regional, categories)])


FLAG_DA = {"true": "ja", "false": "nej", "undecided": "kan ikke afgøres", "": ""}
STATE_DA = {"movable": "kan stadig ændres", "measured": "målt, ikke offentliggjort", "published": "offentliggjort",
            "": ""}
_NUMERIC_SUFFIXES = ("_distance_pp", "_persons_to_flip", "_threshold_pct", "_distance_dkk", "_persons_open")
_NUMERIC = ("list_year", "residents", "criteria_met", "criteria_counted", "years_on_list", "years_before_list",
            "exit_persons",
            "exit_persons_best", "following_exit_persons", "unpublished_persons")


def headings_da() -> dict[str, str]:
    """The result table's columns in Danish, with the law's words from rules.yaml.

    >>> headings_da()["employment_met"], headings_da()["ghetto"]
    ('Beskæftigelse: opfyldt', 'Ghettoområde')
    """
    names = {"area": "Område", "list_year": "Listeår", "list_date": "Listedato", "rules": "Regler (lov af)",
             "residents": "Beboere", "population_ok": "Mindst 1.000 beboere", "criteria_met": "Opfyldte kriterier",
             "criteria_counted": "Kriterier i alt", "designation": "Betegnelse",
             "years_on_list": "År i træk på listen, denne liste medregnet",
             "years_on_list_at_least": "Mindst så mange år", "years_before_list": "År i træk på listen før",
             "years_before_list_at_least": "Mindst så mange år før", "crime_threshold_pct": "Kriminalitetsgrænse (%)",
             "income_distance_dkk": "Indkomst: afstand til grænsen (kr.)", "exit_persons": "Vej af listen: personer",
             "exit_persons_best": "Vej af listen: personer (bedste)", "exit_via": "Vej af listen: kriterier",
             "exit_fixed": "Kriterier, der ikke kan ændres", "exit_possible": "Vej af listen mulig",
             "exit_sentence_da": "Vejen af listen", "band": "Risikogruppe (kode)", "band_label_da": "Risikogruppe",
             "band_reason_da": "Begrundelse", "own_category": "Egen kategori", "category_note_da": "Bemærkning til kategori",
             "notes": "Noter (engelsk)", "crime_depends_on_figure": "Kriminalitet: afhænger af tallet (engelsk)",
             "following_list_date": "Næste liste", "following_rules": "Næste liste: regler (lov af)",
             "following_designation": "Næste liste: betegnelse med de nuværende tal",
             "following_exit_persons": "Næste liste: vej af listen, personer",
             "following_exit_via": "Næste liste: vej af listen, kriterier",
             "unpublished_persons": "Uoffentliggjorte tal: afvigelse i personer, der ændrer listen",
             "unpublished_via": "Uoffentliggjorte tal: kriterier"}
    for version in load_rules():
        for cid, criterion in version.criteria.items():
            short = criterion.short_da.capitalize()
            prefix = "Forebyggelse, " if cid.startswith("fb_") else ""
            names[f"{cid}_met"] = f"{prefix}{short}: opfyldt"
            names[f"{cid}_distance_pp"] = f"{prefix}{short}: afstand (procentpoint)"
            names[f"{cid}_persons_to_flip"] = f"{prefix}{short}: personer til skift"
            names[f"{cid}_state"] = f"{prefix}{short}: kan ændres / målt / offentliggjort"
            names[f"{cid}_persons_open"] = f"{prefix}{short}: personer i resten af måleperioden"
        for did, designation in version.designations.items():
            if designation.excludes:
                names[f"{did}_criteria"] = f"{designation.label_da}: kriterierne i {designation.paragraph} opfyldt"
        for did, designation in version.designations.items():
            names[did] = designation.label_da
    return names


def _criterion_words() -> dict[str, str]:
    """Each criterion id in the words of rules.yaml (the latest version's short name)."""
    words = {}
    for version in load_rules():
        words.update({c.id: c.short_da for c in version.ordered_criteria()})
    return words


def with_inputs(result: pd.DataFrame, inputs: pd.DataFrame | None) -> tuple[pd.DataFrame, list]:
    """The result table with the input values it was computed from beside it (after the area):
    every input column the result does not already hold, row for row; and their names.

    >>> r = pd.DataFrame({"area": ["A"], "udsat": ["true"]})
    >>> out, added = with_inputs(r, pd.DataFrame({"area": ["A"], "convicted_pct": [2.74]}))
    >>> out.columns.tolist(), added
    (['area', 'convicted_pct', 'udsat'], ['convicted_pct'])
    """
    if inputs is None or len(inputs) != len(result):
        return result, []
    added = [c for c in inputs.columns if c not in result.columns]
    out = result.copy()
    at = list(out.columns).index("area") + 1 if "area" in out.columns else 0
    for offset, column in enumerate(added):
        out.insert(at + offset, column, inputs[column].to_numpy())
    return out, added


def for_output(result: pd.DataFrame, danish: bool = False, inputs: pd.DataFrame | None = None) -> tuple[pd.DataFrame, dict]:
    """The result table with numbers as numbers (for Excel), flags in Danish and Danish headings
    when ``danish``; and the Excel number format of each numeric column. With ``inputs`` (the
    frame that was classified) the input values stand beside the results (``with_inputs``)."""
    result, added = with_inputs(result, inputs)
    out = result.copy()
    formats = {}
    for column in added:
        values = pd.to_numeric(out[column], errors="coerce")
        if values.notna().any() and values.notna().sum() == out[column].notna().sum():
            out[column] = values
            whole = values.dropna()
            formats[column] = "#,##0" if (whole == whole.round()).all() else "0.0#"
    for column in out.columns:
        if column in _NUMERIC or column.endswith(_NUMERIC_SUFFIXES):
            out[column] = pd.to_numeric(out[column].replace("", None), errors="coerce")
            formats[column] = ("0" if column == "list_year" else "#,##0" if column.endswith(("_persons_to_flip", "_dkk",
                                                                                              "_persons_open"))
                               or column in _NUMERIC else "0.00")
            whole = out[column].dropna()
            if formats[column] != "0.00" and (whole == whole.round()).all():
                out[column] = out[column].round().astype("Int64")  # persons are whole: 127, not 127,0
        elif danish and (column.endswith(("_met", "_criteria")) or column in designation_ids() or column in
                         ("population_ok", "years_on_list_at_least", "years_before_list_at_least", "exit_possible")):
            out[column] = out[column].map(lambda v: FLAG_DA.get(v, v))
        elif danish and column in ("exit_via", "exit_fixed", "following_exit_via", "unpublished_via"):
            words = _criterion_words()
            out[column] = out[column].map(lambda v: ", ".join(words.get(c, c) for c in str(v).split(";") if c))
        elif danish and column.endswith("_state"):
            out[column] = out[column].map(lambda v: STATE_DA.get(v, v))
    if danish:
        from .catalog import load_catalog

        labels = load_catalog()["label_da"]
        names = {**{c: f"Inddata: {labels.get(c, c)}" for c in added}, **headings_da()}
        out = out.rename(columns=names)
        formats = {names.get(k, k): v for k, v in formats.items()}
    return out, formats
