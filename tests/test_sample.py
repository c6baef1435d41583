"""The bundled sample: rebuilt byte for byte by its script, published numbers unaltered."""

import csv
import subprocess
import sys

import pandas as pd
from conftest import PROJECT

from boligdata import load


def test_sample_script_rebuilds_raw_exactly(tmp_path):
    subprocess.run([sys.executable, str(PROJECT / "sample" / "build_sample.py"), str(tmp_path)], check=True)
    for path in sorted(tmp_path.iterdir()):
        assert path.read_bytes() == (PROJECT / "raw" / path.name).read_bytes(), path.name


def test_published_odense_figures_are_copied_unaltered(sample_workspace):
    obs = load(sample_workspace).observations
    published = obs[obs["source"].str.contains("punkt 4") & (obs["period"] == "2020Q3")]
    areas = load(sample_workspace).areas
    names = dict(zip(areas["area_id"], areas["area_name"]))
    aliases = {a: n for n, al in zip(areas["area_name"], areas["aliases"].fillna("")) for a in al.split(";") if a}
    with open(PROJECT / "sample" / "sources" / "odense_monitoring_2020q3.csv", encoding="utf-8") as f:
        source = {r["area"]: r for r in csv.DictReader(f)}
    assert len(source) == 18
    for row in published.itertuples():
        name = names[row.geo_code]
        record = source.get(name) or next(r for k, r in source.items() if aliases.get(k) == name)
        assert float(record[row.indicator]) == row.value, (name, row.indicator)
    assert len(published) == 18 * 6


def test_slagelse_budget_totals_match_the_seed(sample_workspace):
    # Seed 000: I alt 21.022.000 kr.; LBF 10.418.000; Slagelse Kommune 10.604.000.
    economy = load(sample_workspace).economy
    by_party = economy.groupby("party")["amount_dkk"].sum()
    assert by_party["lbf"] == 10_418_000 and by_party["municipality"] == 10_604_000
    assert economy["amount_dkk"].sum() == 21_022_000


def test_every_synthetic_row_is_labelled(sample_workspace):
    tables = load(sample_workspace)
    obs = tables.observations
    assert (obs.loc[obs["source"].str.startswith("Syntetisk"), "status"] == "synthetic").all()
    assert (obs.loc[obs["status"] == "synthetic", "source"].str.startswith("Syntetisk")).all()
    activities = tables.activities
    assert (activities.loc[activities["actual"].notna(), "status"] == "synthetic").all()
    assert pd.isna(activities.loc[activities["year"] == 2025, "actual"]).all()
