#!/usr/bin/env bash
# Run once by the postgres image on an empty data volume (docker-entrypoint-initdb.d): the same
# roles and databases as the local cluster (infra/local/pg.sh bootstrap, infra/sql/bootstrap_roles.sql).
set -euo pipefail
# bootstrap_roles.sql reads the passwords from this container's environment (\getenv).
psql -X -q -v ON_ERROR_STOP=1 --username postgres --dbname postgres -f /svdw/sql/bootstrap_roles.sql
for spec in warehouse:svdw_engineer airflow:airflow superset:superset; do
  psql -X -q -v ON_ERROR_STOP=1 --username postgres --dbname postgres \
    -c "create database ${spec%%:*} owner ${spec##*:}"
done
