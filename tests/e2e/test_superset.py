"""Superset end to end through its REST API: the bundle imported whole and idempotently, every
chart answering rows, and what each role may see and do. The server comes from
tests/superset_fixtures.py (one per session, shared with the browser test).

Needs the project-local PostgreSQL (infra/local/pg.sh up) and .env (make env).
"""

from __future__ import annotations

import json
import secrets
from urllib.parse import urlsplit

import pytest
import requests
import yaml
from conftest import BuiltWarehouse
from superset_fixtures import ASSETS, ENV, Superset, analyst_url

pytestmark = pytest.mark.e2e


def _as(superset: Superset, who: str) -> requests.Session:
    """A session as a demo user: who is BOARD, DISTRICT or ANALYST."""
    return superset.api(ENV[f"SUPERSET_{who}_USER"], ENV[f"SUPERSET_{who}_PASSWORD"])


def _with_csrf(superset: Superset, session: requests.Session) -> requests.Session:
    response = session.get(f"{superset.url}/api/v1/security/csrf_token/", timeout=30)
    assert response.status_code == 200, response.text
    session.headers["X-CSRFToken"] = response.json()["result"]
    session.headers["Referer"] = superset.url
    return session


def _count(session: requests.Session, base: str, kind: str) -> tuple[int, list[int]]:
    response = session.get(f"{base}/api/v1/{kind}/", params={"q": "(page_size:100)"}, timeout=30)
    assert response.status_code == 200, response.text
    body = response.json()
    return body["count"], sorted(item["id"] for item in body["result"])


def _bundle(kind: str) -> list[dict]:
    return [yaml.safe_load(p.read_text()) for p in sorted((ASSETS / kind).rglob("*.yaml"))]


# --- tests ---------------------------------------------------------------------------------------


def test_bundle_holds_no_credentials() -> None:
    for database in _bundle("databases"):
        parts = urlsplit(database["sqlalchemy_uri"])
        assert parts.password is None, "the bundle must not hold a database password"
        assert "password" not in database


def test_status_reports_running(superset: Superset) -> None:
    proc = superset.sh("status", check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert superset.url in proc.stdout


def test_bundle_is_imported_whole(superset: Superset) -> None:
    session = superset.api()
    expected = {
        "database": len(_bundle("databases")),
        "dataset": len(_bundle("datasets")),
        "chart": len(_bundle("charts")),
        "dashboard": len(_bundle("dashboards")),
    }
    assert {kind: _count(session, superset.url, kind)[0] for kind in expected} == expected

    response = session.get(f"{superset.url}/api/v1/dashboard/overview", timeout=30)
    assert response.status_code == 200, response.text
    assert response.json()["result"]["dashboard_title"] == "Overview: serious violence"
    # Every dashboard holds exactly the charts its position places (by uuid).
    names = {c["uuid"]: c["slice_name"] for c in _bundle("charts")}
    for dashboard in _bundle("dashboards"):
        placed = {
            names[item["meta"]["uuid"]]
            for item in dashboard["position"].values()
            if isinstance(item, dict) and item.get("type") == "CHART"
        }
        url = f"{superset.url}/api/v1/dashboard/{dashboard['slug']}/charts"
        charts = session.get(url, timeout=30)
        assert charts.status_code == 200, charts.text
        assert {c["slice_name"] for c in charts.json()["result"]} == placed, dashboard["slug"]


def _snapshot(session: requests.Session, base: str) -> dict[str, object]:
    """Ids and uuids of every imported object, the roles and their permission counts, the
    users and the row-level security filters: what a second import must leave as it was."""
    out: dict[str, object] = {}
    for kind in ("database", "dataset", "chart", "dashboard"):
        response = session.get(
            f"{base}/api/v1/{kind}/",
            params={"q": "(columns:!(id,uuid),page_size:100)"},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        out[kind] = sorted((item["id"], item["uuid"]) for item in response.json()["result"])
    roles = session.get(f"{base}/api/v1/security/roles/", params={"q": "(page_size:100)"})
    assert roles.status_code == 200, roles.text
    out["roles"] = sorted((r["id"], r["name"]) for r in roles.json()["result"])
    for role_id, _ in out["roles"]:  # type: ignore[attr-defined]
        perms = session.get(f"{base}/api/v1/security/roles/{role_id}/permissions/", timeout=30)
        assert perms.status_code == 200, perms.text
        out[f"role {role_id}"] = sorted(p["id"] for p in perms.json()["result"])
    users = session.get(f"{base}/api/v1/security/users/", params={"q": "(page_size:100)"})
    assert users.status_code == 200, users.text
    out["users"] = sorted(
        (u["id"], u["username"], sorted(r["id"] for r in u["roles"]))
        for u in users.json()["result"]
    )
    rls = session.get(f"{base}/api/v1/rowlevelsecurity/", params={"q": "(page_size:100)"})
    assert rls.status_code == 200, rls.text
    out["rls"] = sorted(
        (f["id"], f["name"], f["clause"], sorted(t["id"] for t in f["tables"]))
        for f in rls.json()["result"]
    )
    return out


def test_second_import_changes_nothing(superset: Superset) -> None:
    session = superset.api()
    before = _snapshot(session, superset.url)
    superset.sh("import")
    after = _snapshot(session, superset.url)
    assert after == before
    # No duplicates: one object per uuid in the bundle.
    for kind in ("database", "dataset", "chart", "dashboard"):
        assert len(after[kind]) == len(_bundle(f"{kind}s"))  # type: ignore[arg-type]
    # The roles and the row-level security filters (the district filter, and the fail-closed one
    # on datasets with no district column) exist once each.
    names = [name for _, name in after["roles"]]  # type: ignore[attr-defined]
    for role in ("Board member", "District partner", "Analyst", "Engineer"):
        assert names.count(role) == 1, names
    rls_names = sorted(name for _, name, *_ in after["rls"])  # type: ignore[attr-defined]
    assert len(rls_names) == len(set(rls_names)) == 2, after["rls"]


def test_every_chart_returns_rows(superset: Superset) -> None:
    session = superset.api()
    _, chart_ids = _count(session, superset.url, "chart")
    assert chart_ids
    for chart_id in chart_ids:
        response = session.get(f"{superset.url}/api/v1/chart/{chart_id}/data/", timeout=60)
        assert response.status_code == 200, f"chart {chart_id}: {response.text[:500]}"
        results = response.json()["result"]
        assert results, f"chart {chart_id} answered no result"
        for result in results:
            assert result.get("error") is None, f"chart {chart_id}: {result['error']}"
            assert result["rowcount"] > 0, f"chart {chart_id} returned no rows"


def test_latest_month_table_shows_each_district_once(superset: Superset) -> None:
    session = superset.api()
    charts = session.get(f"{superset.url}/api/v1/dashboard/overview/charts", timeout=30).json()
    (table,) = [c for c in charts["result"] if c["form_data"]["viz_type"] == "table"]
    response = session.get(f"{superset.url}/api/v1/chart/{table['id']}/data/", timeout=60)
    assert response.status_code == 200, response.text
    rows = response.json()["result"][0]["data"]
    assert len({row["district_code"] for row in rows}) == len(rows)
    assert len({row["month_start"] for row in rows}) == 1
    assert {
        "district_code",
        "district_name",
        "violence_count",
        "violence_rate_per_1000",
        "is_suppressed",
    } <= set(rows[0])


# --- roles and row-level security (superset/security/) ------------------------------------------


def _datasets_with(session: requests.Session, base: str, column: str) -> list[int]:
    response = session.get(f"{base}/api/v1/dataset/", params={"q": "(page_size:100)"}, timeout=30)
    assert response.status_code == 200, response.text
    ids = []
    for item in response.json()["result"]:
        detail = session.get(f"{base}/api/v1/dataset/{item['id']}", timeout=30).json()["result"]
        if column in {c["column_name"] for c in detail["columns"]}:
            ids.append(item["id"])
    return ids


def _district_codes(session: requests.Session, base: str, dataset_id: int) -> set[str]:
    """The distinct district codes a user's chart queries can see in a dataset."""
    response = session.post(
        f"{base}/api/v1/chart/data",
        json={
            "datasource": {"id": dataset_id, "type": "table"},
            "queries": [{"columns": ["district_code"], "metrics": [], "row_limit": 10000}],
            "result_format": "json",
            "result_type": "full",
        },
        timeout=60,
    )
    assert response.status_code == 200, response.text
    return {row["district_code"] for row in response.json()["result"][0]["data"]}


def test_district_partner_sees_only_its_district(superset: Superset) -> None:
    code = ENV["SUPERSET_DISTRICT_CODE"]
    admin = superset.api()
    datasets = _datasets_with(admin, superset.url, "district_code")
    assert datasets, "no dataset has a district_code column: nothing to protect?"
    district = _as(superset, "DISTRICT")
    board = _as(superset, "BOARD")
    for dataset_id in datasets:
        everyone = _district_codes(board, superset.url, dataset_id)
        assert code in everyone and len(everyone) > 1, (dataset_id, everyone)
        assert _district_codes(district, superset.url, dataset_id) == {code}, dataset_id

    # Every saved chart on such a dataset: whatever rows it returns hold only that district.
    _, chart_ids = _count(district, superset.url, "chart")
    for chart_id in chart_ids:
        response = district.get(f"{superset.url}/api/v1/chart/{chart_id}/data/", timeout=60)
        assert response.status_code == 200, f"chart {chart_id}: {response.text[:500]}"
        for result in response.json()["result"]:
            codes = {row["district_code"] for row in result["data"] if "district_code" in row}
            assert codes <= {code}, (chart_id, codes)


def test_board_member_views_but_cannot_edit_or_query(superset: Superset) -> None:
    board = _with_csrf(superset, _as(superset, "BOARD"))
    dashboards = board.get(f"{superset.url}/api/v1/dashboard/", timeout=30)
    assert dashboards.status_code == 200
    assert dashboards.json()["count"] == len(_bundle("dashboards"))
    # No editing: changing a chart or a dashboard and creating a chart are refused.
    admin = superset.api()
    _, (chart_id, *_) = _count(admin, superset.url, "chart")
    _, (dashboard_id, *_) = _count(admin, superset.url, "dashboard")
    url = superset.url
    assert board.put(f"{url}/api/v1/chart/{chart_id}", json={"slice_name": "x"}).status_code == 403
    assert board.put(f"{url}/api/v1/dashboard/{dashboard_id}", json={"css": ""}).status_code == 403
    assert board.post(f"{url}/api/v1/chart/", json={"slice_name": "x"}).status_code == 403
    # No SQL Lab, no database list.
    assert board.get(f"{url}/api/v1/database/", timeout=30).status_code == 403
    query = {"database_id": 1, "sql": "select 1", "runAsync": False, "client_id": "boardtest"}
    assert board.post(f"{url}/api/v1/sqllab/execute/", json=query).status_code == 403


def _sql(superset: Superset, session: requests.Session, database: str, sql: str) -> dict:
    databases = session.get(f"{superset.url}/api/v1/database/", timeout=30)
    assert databases.status_code == 200, databases.text
    ids = {d["database_name"]: d["id"] for d in databases.json()["result"]}
    response = session.post(
        f"{superset.url}/api/v1/sqllab/execute/",
        json={
            "database_id": ids[database],
            "sql": sql,
            "runAsync": False,
            "schema": "sna",
            "client_id": secrets.token_hex(5),
        },
        timeout=60,
    )
    return {"status": response.status_code, "body": response.json()}


def test_analyst_queries_read_only_through_own_connection(superset: Superset) -> None:
    analyst = _with_csrf(superset, _as(superset, "ANALYST"))
    ok = _sql(superset, analyst, "svdw_analyst", "select count(*) as n from marts.dim_age_band")
    assert ok["status"] == 200, ok
    assert ok["body"]["data"][0]["n"] > 0
    sna = _sql(superset, analyst, "svdw_analyst", "select * from sna.sna_data_freshness")
    assert sna["status"] == 200, sna

    # No writes: Superset refuses DML on the connection (and the PostgreSQL role could not).
    write = _sql(superset, analyst, "svdw_analyst", "create table sna.analyst_was_here (a int)")
    assert write["status"] != 200, write
    # No raw (identifiable) data: the svdw_analyst role has no access to the raw schema.
    raw_table = "raw.health__ed_attendances_identifiable"
    raw = _sql(superset, analyst, "svdw_analyst", f"select * from {raw_table} limit 1")
    assert raw["status"] != 200 and "permission denied" in json.dumps(raw["body"]), raw
    # SQL Lab on the dashboards' connection is closed to analysts.
    closed = _sql(superset, analyst, "svdw_warehouse", "select * from sna.sna_data_freshness")
    assert closed["status"] != 200, closed


def test_analyst_role_cannot_write_in_postgres(dashboard_warehouse: BuiltWarehouse) -> None:
    """The second layer under Superset's allow_dml=false: the connection's own role."""
    import psycopg

    with (
        psycopg.connect(analyst_url(dashboard_warehouse.url)) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute("create table sna.analyst_was_here (a int)")
