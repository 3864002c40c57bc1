"""Every dashboard chart that shows counts says which disclosure rule they follow: NHS data
(ED attendances, hospital admissions) 1 to 7 withheld and rounded to the nearest 5, police
counts 1 to 4 withheld (dbt_project.yml, var disclosure_control)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from svdw.config import REPO_DIR

ASSETS = REPO_DIR / "superset" / "assets"
# datasets (by table) whose charts show health counts, police counts, or both
HEALTH = {
    "sna_health_assaults_month",
    "sna_ed_vs_police",
    "sna_core_measures",
    "sna_core_measures_latest_year",
    "sna_ed_venues",
    "sna_ed_location_types",
    "sna_repeat_people",
}
POLICE = {
    "sna_violence_district_month",
    "sna_violence_district_latest_month",
    "sna_violence_ward_month",
    "sna_violence_lsoa_latest_12_months",
    "sna_knife_crime_drivers",
    "sna_victim_suspect_profile",
    "sna_ed_vs_police",
    "sna_core_measures",
    "sna_core_measures_latest_year",
    "sna_repeat_locations",
    "sna_repeat_people",
}


def dataset_tables() -> dict[str, str]:
    tables = {}
    for path in (ASSETS / "datasets").rglob("*.yaml"):
        dataset = yaml.safe_load(path.read_text())
        tables[dataset["uuid"]] = dataset["table_name"]
    return tables


def charts() -> list[tuple[str, str, str]]:
    tables = dataset_tables()
    found = []
    for path in sorted((ASSETS / "charts").glob("*.yaml")):
        chart = yaml.safe_load(path.read_text())
        description = " ".join((chart.get("description") or "").split())
        found.append((Path(path).name, tables.get(chart.get("dataset_uuid"), ""), description))
    return found


@pytest.mark.parametrize(
    ("chart", "table", "description"), [c for c in charts() if c[1] in HEALTH | POLICE]
)
def test_chart_description_names_its_disclosure_rule(
    chart: str, table: str, description: str
) -> None:
    if table in HEALTH:
        assert "1 to 7" in description and "nearest 5" in description, chart
    if table in POLICE:
        assert "1 to 4" in description, chart
