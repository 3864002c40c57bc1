"""(Re)write the committed Great Expectations project in expectations/gx/ from this file.

The suites, validation definitions and checkpoints under gx/ are generated here so that a change
is one reviewed diff: edit SUITES (raw tables) or MART_SUITES below, then run against a
warehouse that has every raw table (GX checks the datasource and the tables while adding them)
and, for the mart suites, the marts (a mart not built there is skipped with a message):

    createdb svdw_dev_gx   # any throwaway database in the local cluster
    .venv/bin/svdw generate --out /tmp/gxgen --months 3
    WAREHOUSE_URL=postgresql://.../svdw_dev_gx .venv/bin/svdw load /tmp/gxgen
    WAREHOUSE_URL=postgresql://.../svdw_dev_gx .venv/bin/python -c \
        "import os; from svdw.transform import dbt_build; dbt_build(os.environ['WAREHOUSE_URL'])"
    WAREHOUSE_URL=postgresql://.../svdw_dev_gx .venv/bin/python expectations/build_project.py

The output is deterministic: GX's random ids are replaced by ids derived from where each first
appears, so re-running on unchanged suites rewrites identical files and a change to one suite
touches only its files. The datasource connection string is stored as the config variable
${WAREHOUSE_URL}, never a literal: GX substitutes it from the environment at run time.

Per raw table T this writes:
  - data asset T (a table asset) with batch definitions `whole_table` and `by_load_batch`
    (partitioned on the loader's _batch_id column: batch parameter {"_batch_id": <id>});
  - expectation suite T;
  - validation definitions `T.whole_table` and `T.by_load_batch`;
  - checkpoints `T` (whole table) and `T.by_load_batch` (one load batch per run).
Per mart M (schemas marts and sna): asset, suite, validation definition `M.whole_table` and
checkpoint `M`. svdw.quality runs them: validate_raw_batches (raw, with the row count against
the partner's previous deliveries, which needs audit.load_batch and so lives there),
validate_marts (after dbt) and build_data_docs.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import uuid
from pathlib import Path
from typing import Any

import yaml

PROJECT_ROOT = Path(__file__).resolve().parent
DATASOURCE = "warehouse"
WHOLE_TABLE = "whole_table"
BY_LOAD_BATCH = "by_load_batch"

# Suite parameters supplied at validation time by svdw.quality (GX `$PARAMETER`): "today" (ISO
# date), "now" (ISO timestamp) and "current_year". A date in the future or a birth year after
# this year is then judged against the day the gate runs, not the day this file was run.
TODAY = {"$PARAMETER": "today"}
NOW = {"$PARAMETER": "now"}
CURRENT_YEAR = {"$PARAMETER": "current_year"}

POLICE_CRIME_TYPES = [
    "Anti-social behaviour",
    "Bicycle theft",
    "Burglary",
    "Criminal damage and arson",
    "Drugs",
    "Other crime",
    "Other theft",
    "Possession of weapons",
    "Public disorder and weapons",
    "Public order",
    "Robbery",
    "Shoplifting",
    "Theft from the person",
    "Vehicle crime",
    "Violence and sexual offences",
    "Violent crime",
]

# Home Office offence codes the partnership expects in the force crime extract (violence against
# the person, sexual offences, robbery, possession of weapons). THE PARTNERSHIP MAINTAINS THIS
# LIST: the contract accepts any well-formed code, so a code the force starts sending (a new
# Home Office Counting Rules code, a change of extract scope) fails the gate until the
# partnership's analyst agrees what it means and adds it here (then re-run this script).
HO_OFFENCE_CODES = [
    "1/1",  # Murder
    "4/1",  # Attempted murder
    "3A",  # Threats to kill
    "5D",  # Assault with intent to cause serious harm
    "5E",  # Endangering life
    "8L",  # Harassment
    "8N",  # Assault with injury
    "8Q",  # Stalking
    "105A",  # Assault without injury
    "19C",  # Rape of a female aged 16 and over
    "20A",  # Sexual assault on a female aged 13 and over
    "34A",  # Robbery of business property
    "34B",  # Robbery of personal property
    "10A",  # Possession of article with blade or point
    "10D",  # Possession of other weapons
]

# police.uk outcome categories (the latest outcome of a crime), as published by police.uk.
# Maintained by the partnership; a new category is a warning, not a failure.
POLICE_UK_OUTCOMES = [
    "Action to be taken by another organisation",
    "Awaiting court outcome",
    "Court case unable to proceed",
    "Court result unavailable",
    "Defendant found not guilty",
    "Defendant sent to Crown Court",
    "Formal action is not in the public interest",
    "Further action is not in the public interest",
    "Further investigation is not in the public interest",
    "Investigation complete; no suspect identified",
    "Local resolution",
    "Offender deprived of property",
    "Offender fined",
    "Offender given a caution",
    "Offender given a drugs possession warning",
    "Offender given absolute discharge",
    "Offender given community sentence",
    "Offender given conditional discharge",
    "Offender given penalty notice",
    "Offender given suspended prison sentence",
    "Offender ordered to pay compensation",
    "Offender otherwise dealt with",
    "Offender sent to prison",
    "Status update unavailable",
    "Suspect charged",
    "Suspect charged as part of another case",
    "Unable to prosecute suspect",
    "Under investigation",
]

# Ambulance chief complaints the partnership counts as assaults (NHS Pathways / AMPDS wording of
# the local ambulance service). Maintained by the partnership; a new one is a warning.
AMBULANCE_CHIEF_COMPLAINTS = [
    "Assault/Sexual Assault/Stun Gun",
    "Haemorrhage/Lacerations",
    "Stab/Gunshot/Penetrating Trauma",
    "Unconscious/Fainting (Near)",
]

Expectation = tuple[str, dict[str, Any]]


def rows() -> Expectation:
    """At least one row (per load batch, or in the whole table)."""
    return ("ExpectTableRowCountToBeBetween", {"min_value": 1})


def not_null(column: str, mostly: float | None = None, severity: str = "critical") -> Expectation:
    kwargs: dict[str, Any] = {"column": column, "severity": severity}
    if mostly is not None:
        kwargs["mostly"] = mostly
    return ("ExpectColumnValuesToNotBeNull", kwargs)


def age(column: str) -> Expectation:
    """An age in years: 0 to 120."""
    return ("ExpectColumnValuesToBeBetween", {"column": column, "min_value": 0, "max_value": 120})


def born(column: str) -> Expectation:
    """A birth year: 1900 to this year."""
    return (
        "ExpectColumnValuesToBeBetween",
        {"column": column, "min_value": 1900, "max_value": CURRENT_YEAR},
    )


def not_future(column: str, timestamp: bool = False) -> Expectation:
    """A date (or timestamp) not after the day the gate runs."""
    return (
        "ExpectColumnValuesToBeBetween",
        {"column": column, "max_value": NOW if timestamp else TODAY},
    )


def in_set(
    column: str, values: list[str], severity: str = "critical", notes: str = ""
) -> Expectation:
    kwargs: dict[str, Any] = {"column": column, "value_set": values, "severity": severity}
    if notes:
        kwargs["notes"] = notes
    return ("ExpectColumnValuesToBeInSet", kwargs)


def not_before(column_a: str, column_b: str, severity: str = "critical") -> Expectation:
    """column_a >= column_b where both are present (e.g. outcome on or after the offence)."""
    return (
        "ExpectColumnPairValuesAToBeGreaterThanB",
        {
            "column_A": column_a,
            "column_B": column_b,
            "or_equal": True,
            "ignore_row_if": "either_value_is_missing",
            "severity": severity,
        },
    )


def unique(column: str, severity: str = "critical") -> Expectation:
    return ("ExpectColumnValuesToBeUnique", {"column": column, "severity": severity})


def no_rows(query: str, description: str, severity: str = "critical") -> Expectation:
    """Rows matching `query` ({batch} is the table or load batch) must not exist."""
    return (
        "UnexpectedRowsExpectation",
        {"unexpected_rows_query": query, "description": description, "severity": severity},
    )


LSOA_MOSTLY = 0.9  # rows without a location (police.uk: "no location"; ED: no postcode)

# Raw table -> list of (expectation class name, kwargs). Severity "critical" (the default) fails
# the gate; "warning" is recorded only. The loader has already quarantined rows that break the
# contract (types, patterns, allowed values, required): these check what one row cannot show,
# the plausibility of a delivery. The row count against the partner's previous deliveries is
# checked by svdw.quality (it needs audit.load_batch), not here.
SUITES: dict[str, list[Expectation]] = {
    "raw.police_uk__street_crimes": [
        rows(),
        not_null("month"),
        not_null("crime_type"),
        in_set("crime_type", POLICE_CRIME_TYPES),
        not_future("month"),
        (
            "ExpectColumnValuesToBeBetween",
            {"column": "longitude", "min_value": -180, "max_value": 180},
        ),
        (
            "ExpectColumnValuesToBeBetween",
            {"column": "latitude", "min_value": -90, "max_value": 90},
        ),
        # NULLs are ignored by column-map expectations: only present codes must match.
        ("ExpectColumnValuesToMatchRegex", {"column": "lsoa_code", "regex": "^[EW]01[0-9]{6}$"}),
        not_null("lsoa_code", mostly=LSOA_MOSTLY, severity="warning"),
    ],
    "raw.police_uk__outcomes": [
        rows(),
        not_null("crime_id"),
        not_null("month"),
        not_future("month"),
        in_set(
            "outcome_type",
            POLICE_UK_OUTCOMES,
            severity="warning",
            notes="police.uk outcome categories; the list is maintained by the partnership.",
        ),
        not_null("lsoa_code", mostly=LSOA_MOSTLY, severity="warning"),
    ],
    "raw.police__force_crimes": [
        rows(),
        not_null("crime_reference"),
        not_null("recorded_date"),
        not_null("ho_offence_code"),
        in_set(
            "ho_offence_code",
            HO_OFFENCE_CODES,
            notes="Home Office offence codes the partnership expects in the force extract; the"
            " list is maintained by the partnership (expectations/build_project.py).",
        ),
        not_future("recorded_date"),
        not_future("offence_datetime", timestamp=True),
        age("age_at_event"),
        born("victim_birth_year"),
        born("suspect_birth_year"),
        not_null("lsoa_code", mostly=LSOA_MOSTLY, severity="warning"),
        # Possession of weapons has no victim; most other crimes have one.
        not_null("victim_key", mostly=0.7, severity="warning"),
    ],
    "raw.health__ed_assault_attendances": [
        rows(),
        not_null("arrival_date"),
        not_future("arrival_date"),
        not_future("assault_date"),
        not_before("arrival_date", "assault_date", severity="warning"),
    ],
    # optional (its own legal basis): a partnership without it has an empty table and no batches
    "raw.health__ed_attendances_identifiable": [
        rows(),
        not_null("attendance_id"),
        not_null("arrival_date"),
        not_future("arrival_date"),
        age("patient_age"),
        not_null("person_key", mostly=0.8, severity="warning"),
        not_null("home_lsoa_code", mostly=0.8, severity="warning"),
    ],
    "raw.health__hospital_admissions": [
        rows(),
        not_null("spell_id"),
        not_null("admission_date"),
        not_null("person_key"),
        not_future("admission_date"),
        age("age_on_admission"),
        not_null("home_lsoa_code", mostly=0.8, severity="warning"),
    ],
    "raw.health__ambulance_callouts": [
        rows(),
        not_null("incident_id"),
        not_null("call_datetime"),
        not_future("call_datetime", timestamp=True),
        in_set(
            "chief_complaint",
            AMBULANCE_CHIEF_COMPLAINTS,
            severity="warning",
            notes="Chief complaints counted as assaults; maintained by the partnership.",
        ),
        not_null("lsoa_code", mostly=LSOA_MOSTLY, severity="warning"),
    ],
    "raw.education__attendance": [
        rows(),
        not_null("pupil_key"),
        not_null("school_urn"),
        born("birth_year"),
        no_rows(
            "select * from {batch} where sessions_authorised_absence"
            " + sessions_unauthorised_absence > sessions_possible",
            "Absence (authorised plus unauthorised) never exceeds the possible sessions.",
        ),
    ],
    "raw.education__schools": [
        rows(),
        not_null("school_urn"),
        unique("school_urn"),
        not_before("statutory_high_age", "statutory_low_age"),
        not_null("lsoa_code", mostly=0.95, severity="warning"),
    ],
    "raw.education__suspensions_exclusions": [
        rows(),
        not_null("pupil_key"),
        not_null("start_date"),
        not_future("start_date"),
        age("age_at_event"),
        born("birth_year"),
        not_null("home_lsoa_code", mostly=0.8, severity="warning"),
    ],
    "raw.youth_justice__offences_outcomes": [
        rows(),
        not_null("child_key"),
        not_null("offence_date"),
        not_future("offence_date"),
        not_future("outcome_date"),
        not_before("outcome_date", "offence_date"),
        age("age_at_event"),
        born("birth_year"),
        # Youth justice: children aged 10 (criminal responsibility) to 17 at the offence.
        (
            "ExpectColumnValuesToBeBetween",
            {"column": "age_at_event", "min_value": 10, "max_value": 17, "severity": "warning"},
        ),
    ],
    "raw.providers__provision_audit": [
        rows(),
        not_null("programme"),
        not_future("audit_date"),
        not_before("age_to", "age_from"),
    ],
    "raw.providers__sessions_attendance": [
        rows(),
        not_null("session_id"),
        not_null("participant_key"),
        not_null("session_date"),
        not_future("session_date"),
    ],
    "raw.providers__referrals": [
        rows(),
        not_null("referral_id"),
        not_null("person_key"),
        not_null("referral_date"),
        not_future("referral_date"),
        not_future("status_date"),
        not_before("status_date", "referral_date"),
        age("age_at_event"),
        born("birth_year"),
    ],
    "raw.providers__workforce_training": [
        rows(),
        not_null("practitioner_key"),
        not_null("completed_date"),
        not_future("completed_date"),
    ],
    "raw.partnership__action_plan": [
        rows(),
        not_null("action_id"),
        not_null("snapshot_date"),
        not_future("snapshot_date"),
        ("ExpectCompoundColumnsToBeUnique", {"column_list": ["snapshot_date", "action_id"]}),
    ],
    "raw.imd__index_of_multiple_deprivation": [
        rows(),
        not_null("lsoa_code"),
        unique("lsoa_code"),
    ],
    "raw.imd__population_denominators": [
        rows(),
        not_null("lsoa_code"),
        unique("lsoa_code"),
        no_rows(
            "select * from {batch} where population_0_15 + population_16_59"
            " + population_60_plus <> population_total",
            "The age bands add up to the total population.",
            severity="warning",
        ),
    ],
    "raw.ons__lsoa_ward_lad_lookup": [
        rows(),
        not_null("lsoa_code"),
        unique("lsoa_code", severity="warning"),  # a best-fit lookup: one ward per LSOA
    ],
    "raw.ons__postcode_lsoa_lookup": [
        rows(),
        not_null("postcode"),
        unique("postcode", severity="warning"),
        not_null("lsoa_code", mostly=0.95, severity="warning"),
    ],
}

# Key marts, validated after dbt by svdw.quality.validate_marts (whole table, no load batches).
# A mart that dbt has not built yet is listed as missing, not failed; this script only adds the
# marts that exist in the warehouse it runs against.
MART_SUITES: dict[str, list[Expectation]] = {
    "marts.fct_police_crime": [
        rows(),
        not_null("crime_key"),
        not_null("month_start"),
        not_null("crime_type"),
        # police.uk street-level data starts in December 2010.
        (
            "ExpectColumnValuesToBeBetween",
            {"column": "month_start", "min_value": "2010-12-01", "max_value": TODAY},
        ),
    ],
    "sna.sna_violence_district_month": [
        rows(),
        not_null("district_code"),
        not_null("month_start"),
        no_rows(
            "select * from {batch} where violence_count between 1 and 4",
            "Disclosure control held: no published count from 1 to 4.",
        ),
        (
            "ExpectColumnValuesToBeBetween",
            {"column": "violence_rate_per_1000", "min_value": 0},
        ),
        ("ExpectColumnValuesToBeBetween", {"column": "violence_count", "min_value": 0}),
    ],
}


def _existing(tables: list[str]) -> set[str]:
    import psycopg

    with psycopg.connect(os.environ["WAREHOUSE_URL"]) as conn:
        return {
            t for t in tables if conn.execute("select to_regclass(%s)", (t,)).fetchone() != (None,)
        }


def build(project_root: Path = PROJECT_ROOT) -> None:
    import great_expectations as gx
    from great_expectations import expectations as gxe
    from great_expectations.core.partitioners import PartitionerColumnValue
    from great_expectations.data_context.types.base import ProgressBarsConfig

    if "WAREHOUSE_URL" not in os.environ:
        sys.exit("set WAREHOUSE_URL to a warehouse that has the raw tables")
    existing = _existing([*SUITES, *MART_SUITES])
    missing_raw = sorted(set(SUITES) - existing)
    if missing_raw:
        sys.exit(f"the warehouse lacks raw tables {missing_raw}: load every extract first")
    marts = {t: e for t, e in MART_SUITES.items() if t in existing}
    for table in sorted(set(MART_SUITES) - existing):
        print(f"skipped mart {table}: not built in this warehouse")
    gx_dir = project_root / "gx"
    if gx_dir.exists():
        shutil.rmtree(gx_dir)
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    context = gx.get_context(mode="file", project_root_dir=str(project_root))
    context.variables.analytics_enabled = False  # no usage statistics, no network calls
    context.variables.progress_bars = ProgressBarsConfig(globally=False)  # quiet task logs
    context.variables.save()
    datasource = context.data_sources.add_postgres(
        name=DATASOURCE, connection_string="${WAREHOUSE_URL}"
    )
    for table, expectations in [*SUITES.items(), *marts.items()]:
        schema_name, table_name = table.split(".", 1)
        asset = datasource.add_table_asset(
            name=table, schema_name=schema_name, table_name=table_name
        )
        batch_definitions = [asset.add_batch_definition_whole_table(WHOLE_TABLE)]
        if table in SUITES:  # raw tables: one load batch at a time
            batch_definitions.append(
                asset.add_batch_definition(
                    BY_LOAD_BATCH,
                    partitioner=PartitionerColumnValue(column_name="_batch_id"),
                    validate_partitioner=False,
                )
            )
        suite = context.suites.add(gx.ExpectationSuite(name=table))
        for class_name, kwargs in expectations:
            suite.add_expectation(getattr(gxe, class_name)(**kwargs))
        for batch_definition in batch_definitions:
            definition = context.validation_definitions.add(
                gx.ValidationDefinition(
                    name=f"{table}.{batch_definition.name}",
                    data=batch_definition,
                    suite=suite,
                )
            )
            whole = batch_definition.name == WHOLE_TABLE
            context.checkpoints.add(
                gx.Checkpoint(
                    name=table if whole else f"{table}.{BY_LOAD_BATCH}",
                    validation_definitions=[definition],
                    actions=[],
                    result_format={"result_format": "SUMMARY"},
                )
            )
    # Runtime output only: never committed (git-ignored anyway).
    shutil.rmtree(gx_dir / "uncommitted", ignore_errors=True)
    _stable_ids(gx_dir)
    print(f"wrote {gx_dir}: {len(SUITES)} raw suites, {len(marts)} mart suites")


UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
ID_NAMESPACE = uuid.UUID("5b3c1f0e-6a1d-4f4e-9a57-7d0a3c2b9e11")


def _stable_ids(gx_dir: Path) -> None:
    """Replace GX's random ids by ids derived from where each first appears (file and key
    path), so that re-running this script on unchanged SUITES rewrites identical files."""
    files = sorted(
        p for p in gx_dir.rglob("*") if p.is_file() and p.suffix in {".json", ".yml", ""}
    )
    files.sort(key=lambda p: p.name != "great_expectations.yml")  # the datasource ids first
    mapping: dict[str, str] = {}

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{where}/{index}")
        elif isinstance(node, str) and UUID.fullmatch(node) and node not in mapping:
            mapping[node] = str(uuid.uuid5(ID_NAMESPACE, where))

    for path in files:
        text = path.read_text()
        where = path.relative_to(gx_dir).as_posix()
        if path.suffix == ".json":
            walk(json.loads(text), where)
        elif path.suffix == ".yml":
            walk(yaml.safe_load(text), where)
        else:  # .ge_store_backend_id: "store_backend_id = <uuid>"
            for found in UUID.findall(text):
                mapping.setdefault(found, str(uuid.uuid5(ID_NAMESPACE, where)))
    for path in files:
        text = path.read_text()
        new = UUID.sub(lambda m: mapping.get(m.group(0), m.group(0)), text)
        if new != text:
            path.write_text(new)


if __name__ == "__main__":
    build()
