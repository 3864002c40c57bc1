#!/usr/bin/env bash
# Run once by the postgres image on an empty data volume (docker-entrypoint-initdb.d): the same
# roles and databases as the local cluster (infra/local/pg.sh bootstrap, infra/sql/bootstrap_roles.sql).
set -euo pipefail
psql -X -q -v ON_ERROR_STOP=1 --username postgres --dbname postgres \
  -v warehouse_password="$WAREHOUSE_PASSWORD" \
  -v airflow_password="$AIRFLOW_DB_PASSWORD" \
  -v superset_password="$SUPERSET_DB_PASSWORD" \
  -v dashboard_password="$DASHBOARD_PASSWORD" \
  -v loader_password="$LOADER_PASSWORD" \
  -v transformer_password="$TRANSFORMER_PASSWORD" \
  -v analyst_password="$ANALYST_PASSWORD" \
  -f /svdw/sql/bootstrap_roles.sql
for spec in warehouse:svdw_engineer airflow:airflow superset:superset; do
  psql -X -q -v ON_ERROR_STOP=1 --username postgres --dbname postgres \
    -c "create database ${spec%%:*} owner ${spec##*:}"
done
