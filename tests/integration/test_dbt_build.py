"""dbt build and the GX gate against throwaway databases in the project-local cluster.

Each test database comes from conftest's `make_database` (dropped at the end of the session),
gets the raw tables by hand (their shape as the loader creates them) and small known rows.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal

import psycopg
import pytest
from conftest import BuiltWarehouse
from db import rows as _rows
from deliveries import pin_batches_by_hand

from svdw.config import Settings
from svdw.contracts import load_contracts
from svdw.loader import ensure_raw_table
from svdw.quality import DataQualityError, validate_raw_batches
from svdw.transform import DbtError, dbt_build, dbt_env, dbt_parse, dbt_unit_tests, run_dbt

pytestmark = pytest.mark.integration

RAW_DDL = """
create schema if not exists raw;
create table raw.police_uk__street_crimes (
    crime_id text, month date, reported_by text, falls_within text,
    longitude numeric, latitude numeric, location text, lsoa_code text, lsoa_name text,
    crime_type text, last_outcome_category text, context text,
    _batch_id bigint not null, _line_number integer not null
);
create table raw.ons__lsoa_ward_lad_lookup (
    fid bigint, lsoa_code text, lsoa_name text, ward_code text, ward_name text,
    district_code text, district_name text, _batch_id bigint not null, _line_number integer not null
);
create table raw.imd__population_denominators (
    lsoa_code text, lsoa_name text, district_code text, district_name text,
    population_total bigint, population_0_15 bigint, population_16_59 bigint,
    population_60_plus bigint, population_working_age bigint,
    _batch_id bigint not null, _line_number integer not null
);
"""

ALPHA, BETA = "E07000001", "E07000002"
# lsoa, name, ward, district, district name, population
GEOGRAPHY = [
    ("E01000001", "Alpha 001A", "E05000001", "Alpha North", ALPHA, "Alpha", 1000),
    ("E01000002", "Alpha 001B", "E05000002", "Alpha South", ALPHA, "Alpha", 1000),
    ("E01000003", "Beta 001A", "E05000003", "Beta Central", BETA, "Beta", 500),
]
VSO = "Violence and sexual offences"
APRIL, MARCH = date(2019, 4, 1), date(2019, 3, 1)


def _crime(month: date, crime_type: str, lsoa: str | None, crime_id: str | None = None) -> dict:
    return {
        "crime_id": crime_id,
        "month": month,
        "crime_type": crime_type,
        "lsoa_code": lsoa,
        "longitude": None if lsoa is None else Decimal("-0.2"),
        "latitude": None if lsoa is None else Decimal("51.75"),
    }


# Load batch 101 (2019-04): Alpha 12 violence (rate 12 / 2000 * 1000 = 6.00) + 2 ASB; Beta 3
# violence (suppressed); 1 violence outside the geography; 1 robbery with no location.
BATCH_APRIL = (
    [_crime(APRIL, VSO, "E01000001", "a" * 64) for _ in range(7)]  # crime_id repeats: not a key
    + [_crime(APRIL, VSO, "E01000002") for _ in range(5)]
    + [_crime(APRIL, "Anti-social behaviour", "E01000001") for _ in range(2)]
    + [_crime(APRIL, VSO, "E01000003") for _ in range(3)]
    + [_crime(APRIL, VSO, "E01999999")]
    + [_crime(APRIL, "Robbery", None)]
)
# Load batch 102 (2019-03): Alpha 5 "Violent crime" (old name: counted, no rate), Beta 0.
BATCH_MARCH = [_crime(MARCH, "Violent crime", "E01000002") for _ in range(5)] + [
    _crime(MARCH, "Burglary", "E01000003")
]


@pytest.fixture(scope="module")
def make_db(make_database: Callable[[str], str]) -> Callable[[], str]:
    """Factory: a fresh database (conftest's make_database) holding the raw tables."""

    def make() -> str:
        url = make_database("dbt")
        with psycopg.connect(url) as conn:
            conn.execute(RAW_DDL)
            # every other contract's raw table, empty (the dbt project reads them all)
            for contract in load_contracts().values():
                ensure_raw_table(conn, contract)
            _insert_reference(conn)
        return url

    return make


@pytest.fixture(autouse=True, scope="module")
def _private_dbt_target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Keep the test's dbt artefacts out of dbt/target (another process may be using it)."""
    saved = {k: os.environ.get(k) for k in ("DBT_TARGET_PATH", "DBT_LOG_PATH")}
    os.environ["DBT_TARGET_PATH"] = str(tmp_path_factory.mktemp("dbt_target"))
    os.environ["DBT_LOG_PATH"] = str(tmp_path_factory.mktemp("dbt_logs"))
    yield
    for key, old in saved.items():
        if old is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = old


def _insert_reference(conn: psycopg.Connection) -> None:
    for line, (lsoa, name, ward, wname, dist, dname, pop) in enumerate(GEOGRAPHY, start=2):
        conn.execute(
            "insert into raw.ons__lsoa_ward_lad_lookup values (%s,%s,%s,%s,%s,%s,%s,1,%s)",
            (line, lsoa, name, ward, wname, dist, dname, line),
        )
        conn.execute(
            "insert into raw.imd__population_denominators values (%s,%s,%s,%s,%s,%s,%s,%s,%s,2,%s)",
            (lsoa, name, dist, dname, pop, pop // 5, pop // 2, pop // 5, pop // 2, line),
        )


def _insert_crimes(conn: psycopg.Connection, batch_id: int, rows: list[dict]) -> None:
    with conn.cursor() as cur:
        cur.executemany(
            "insert into raw.police_uk__street_crimes (crime_id, month, reported_by,"
            " falls_within, longitude, latitude, location, lsoa_code, lsoa_name, crime_type,"
            " last_outcome_category, context, _batch_id, _line_number) values (%(crime_id)s,"
            " %(month)s, 'Test Constabulary', 'Test Constabulary', %(longitude)s, %(latitude)s,"
            " 'On or near Test Street', %(lsoa_code)s, null, %(crime_type)s, null, null,"
            " %(batch_id)s, %(line)s)",
            [{**row, "batch_id": batch_id, "line": i} for i, row in enumerate(rows, start=2)],
        )


# What the tests of built_db read, and its parents (the whole project building on sparse sources is
# test_partial_sources's and test_ed_feeds's to show).
BUILT_MODELS = ["+fct_police_crime", "+sna_violence_district_month", "+dim_geography", "+dim_date"]


@pytest.fixture(scope="module")
def built_db(make_db: Callable[[], str]) -> str:
    url = make_db()
    with psycopg.connect(url) as conn:
        _insert_crimes(conn, 101, BATCH_APRIL)
        _insert_crimes(conn, 102, BATCH_MARCH)
    pin_batches_by_hand(url, [1, 2, 101, 102])
    seconds = dbt_build(url, select=BUILT_MODELS)
    print(f"dbt build took {seconds:.1f} s")
    return url


def test_dbt_env_parses_the_warehouse_url() -> None:
    env = dbt_env("postgresql://svdw_engineer:p%40ss%3Aword@db.example:6543/warehouse")
    assert env == {
        "SVDW_DB_HOST": "db.example",
        "SVDW_DB_PORT": "6543",
        "SVDW_DB_USER": "svdw_engineer",
        "SVDW_DB_PASSWORD": "p@ss:word",
        "SVDW_DB_NAME": "warehouse",
    }
    with pytest.raises(ValueError):
        dbt_env("mysql://u:p@h/db")


def test_dbt_parse_writes_a_manifest_without_a_database() -> None:
    manifest = dbt_parse()
    assert manifest.is_file()
    text = manifest.read_text()
    assert "model.svdw.sna_violence_district_month" in text
    assert "unit_test.svdw.dim_date.dim_date_financial_year_runs_april_to_march" in text


def test_the_dbt_unit_tests_pass_on_a_built_warehouse(built_warehouse: BuiltWarehouse) -> None:
    """Data builds skip dbt's unit tests (svdw.transform.UNIT_TESTS): here they all run, once,
    on the whole-project build (each reads its model's parents' columns)."""
    dbt_unit_tests(built_warehouse.url)
    results = json.loads((Settings.from_env().dbt_target_dir / "run_results.json").read_text())
    ran = {
        r["unique_id"]: r["status"]
        for r in results["results"]
        if r["unique_id"].startswith("unit_test.")
    }
    manifest = json.loads((Settings.from_env().dbt_target_dir / "manifest.json").read_text())
    unit_tests = set(manifest["unit_tests"])
    assert len(unit_tests) >= 40, "the project's unit tests are missing from the manifest"
    assert ran == dict.fromkeys(unit_tests, "pass")


def test_fact_has_one_row_per_raw_row(built_db: str) -> None:
    raw = _rows(built_db, "select count(*) from raw.police_uk__street_crimes")[0][0]
    fact = _rows(built_db, "select count(*), count(distinct crime_key) from marts.fct_police_crime")
    assert raw == len(BATCH_APRIL) + len(BATCH_MARCH)
    assert fact == [(raw, raw)]
    outside = _rows(
        built_db,
        "select lsoa_code, district_code, location_status, is_violence_and_sexual"
        " from marts.fct_police_crime where source_lsoa_code = 'E01999999'",
    )
    assert outside == [(None, None, "outside_area", True)]
    old_name = _rows(
        built_db,
        "select bool_and(is_violence_and_sexual) from marts.fct_police_crime"
        " where crime_type = 'Violent crime'",
    )
    assert old_name == [(True,)]


def test_sna_counts_rates_and_suppression(built_db: str) -> None:
    rows = _rows(
        built_db,
        "select month_start, financial_year, district_code, population, violence_count,"
        " violence_rate_per_1000, is_suppressed from sna.sna_violence_district_month"
        " order by month_start, district_code",
    )
    # Beta's 3 in April is withheld (NULL + flag, never 0). With only two districts, April's
    # total minus Alpha's 12 would give it away, so Alpha's April is withheld too (secondary
    # suppression), and then each district's other month, or its own total would.
    assert rows == [
        (MARCH, "2018/19", ALPHA, 2000, None, None, True),
        (MARCH, "2018/19", BETA, 500, None, None, True),
        (APRIL, "2019/20", ALPHA, 2000, None, None, True),
        (APRIL, "2019/20", BETA, 500, None, None, True),
    ]


def test_dimensions(built_db: str) -> None:
    geography = _rows(
        built_db,
        "select lsoa_code, ward_code, district_code, population_total"
        " from marts.dim_geography order by 1",
    )
    assert geography == [(g[0], g[2], g[4], g[6]) for g in GEOGRAPHY]
    days = _rows(
        built_db,
        "select date_day, financial_year, month_start from marts.dim_date"
        " where date_day in ('2019-03-31', '2019-04-01') order by 1",
    )
    assert days == [
        (date(2019, 3, 31), "2018/19", MARCH),
        (date(2019, 4, 1), "2019/20", APRIL),
    ]


def test_dashboard_role_reads_sna_only(built_db: str) -> None:
    role = "svdw_dashboard"
    if not _rows(built_db, "select 1 from pg_roles where rolname = %s", (role,)):
        pytest.skip("dashboard role not in this cluster")
    privileges = _rows(
        built_db,
        "select has_schema_privilege(%s, 'sna', 'usage'),"
        " has_table_privilege(%s, 'sna.sna_violence_district_month', 'select'),"
        " has_schema_privilege(%s, 'marts', 'usage')",
        (role, role, role),
    )
    assert privileges == [(True, True, False)]


def test_failing_dbt_test_names_the_node(make_db: Callable[[], str]) -> None:
    url = make_db()
    with psycopg.connect(url) as conn:
        _insert_crimes(conn, 201, [_crime(APRIL, "Knife crime", "E01000001")])
    pin_batches_by_hand(url, [1, 2, 201])
    with pytest.raises(DbtError) as caught:
        run_dbt(["build", "--select", "+fct_police_crime", "+dim_date"], url)
    assert "fct_police_crime_crime_type_is_a_police_uk_category" in str(caught.value)
    (failed,) = caught.value.failed_nodes
    assert failed.startswith("test.svdw.fct_police_crime_crime_type_is_a_police_uk_category")


def test_a_police_month_before_the_archive_warns_without_failing_the_build(
    make_db: Callable[[], str],
) -> None:
    """A model rule that is a warning (severity warn) reports its rows and lets dbt succeed."""
    url = make_db()
    with psycopg.connect(url) as conn:
        _insert_crimes(conn, 201, [*BATCH_APRIL, _crime(date(2009, 1, 1), VSO, "E01000001")])
    pin_batches_by_hand(url, [1, 2, 201])
    test = "fct_police_crime_month_start_within_police_uk_archive"
    # Raises on any error-severity failure.
    run_dbt(["build", "--select", "+fct_police_crime", "+dim_date"], url)
    results = json.loads((Settings.from_env().dbt_target_dir / "run_results.json").read_text())
    (result,) = [r for r in results["results"] if r["unique_id"].startswith(f"test.svdw.{test}")]
    assert (result["status"], result["failures"]) == ("warn", 1)


def test_gx_passes_on_good_batches_and_names_a_month_in_the_future(
    make_db: Callable[[], str],
) -> None:
    url = make_db()
    with psycopg.connect(url) as conn:
        _insert_crimes(conn, 101, BATCH_APRIL)
        _insert_crimes(conn, 102, BATCH_MARCH)

    summary = validate_raw_batches(url, [101, 102, 999])
    assert summary.success
    assert summary.tables == ("raw.police_uk__street_crimes",)
    assert summary.batch_ids == (101, 102)
    assert summary.batches_not_found == (999,)
    assert summary.expectations_evaluated > 0
    print(f"GX run (first in process, with import) took {summary.seconds:.1f} s")

    future = date(2999, 3, 1)  # a well-formed month (the contract lets it in), not a past one
    with psycopg.connect(url) as conn:
        _insert_crimes(conn, 103, [*BATCH_MARCH, _crime(future, "Burglary", "E01000001")])
    # Per-batch: the good batches still pass on their own ...
    assert validate_raw_batches(url, [101]).success
    # ... and the bad one fails, naming the expectation, the column, the table and the batch.
    with pytest.raises(DataQualityError) as caught:
        validate_raw_batches(url, [103])
    message = str(caught.value)
    assert "expect_column_values_to_be_between on column month" in message
    assert "raw.police_uk__street_crimes (load batch 103)" in message
    (failure,) = caught.value.summary.failing
    assert failure.batch_id == 103
    assert failure.unexpected_count == 1
    assert failure.sample == ("2999-03-01",)
    # Every batch in the raw tables (no ids given) sees it too.
    with pytest.raises(DataQualityError):
        validate_raw_batches(url)


def test_a_selection_matching_no_model_fails_the_build(make_db: Callable[[], str]) -> None:
    """dbt only warns when a selection matches nothing; a misspelt model name must not pass."""
    url = make_db()
    pin_batches_by_hand(url, [1, 2])
    with pytest.raises(DbtError, match="matched no model"):
        dbt_build(url, select=["+fct_police_crme"])
