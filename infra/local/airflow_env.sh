# Sourced (not run): the Airflow settings for this repo, all from .env. AIRFLOW_HOME and the
# metadata database may be overridden beforehand (the tests use their own).
repo="${repo:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
# shellcheck source=load_env.sh
. "$repo/infra/local/load_env.sh"
export SVDW_HOME="$repo"
export AIRFLOW_HOME="${AIRFLOW_HOME:-$repo/.local/airflow}"
export AIRFLOW__CORE__DAGS_FOLDER="$repo/dags"
export AIRFLOW__CORE__LOAD_EXAMPLES=False
export AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION=False
# SVDW_EXECUTOR (or `make demo EXECUTOR=...`): local = LocalExecutor inside `airflow standalone`
# (the default); celery = CeleryExecutor, Redis as the broker (infra/local/redis.sh), the metadata
# DB as the result backend, and SVDW_CELERY_WORKERS workers (airflow.sh starts each on its own).
export SVDW_EXECUTOR="${EXECUTOR:-${SVDW_EXECUTOR:-local}}"
if [ "$SVDW_EXECUTOR" = celery ]; then
  export AIRFLOW__CORE__EXECUTOR=CeleryExecutor
  export AIRFLOW__CELERY__BROKER_URL="redis://:${SVDW_REDIS_PASSWORD:-}@127.0.0.1:${SVDW_REDIS_PORT:-56379}/0"
  export AIRFLOW__CELERY__WORKER_CONCURRENCY="${AIRFLOW__CELERY__WORKER_CONCURRENCY:-2}"
  # Celery writes the worker's name (and queue) beside each result in the metadata DB
  # (celery_taskmeta.worker; task_instance.external_executor_id is its task_id): which worker
  # ran which task is then a query.
  export AIRFLOW__CELERY__EXTRA_CELERY_CONFIG='{"result_extended": true}'
  # A worker that dies mid-task stops heartbeating: after this many seconds the scheduler fails
  # the task instance and its retry goes to a worker that is alive (Airflow's default is 300 s).
  export AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT="${AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT:-120}"
else
  export AIRFLOW__CORE__EXECUTOR="${AIRFLOW__CORE__EXECUTOR:-LocalExecutor}"
fi
export AIRFLOW__CORE__PARALLELISM=4
# Each DAG file is parsed again every 2 minutes, not every 30 s (Airflow's default): a parse of
# the four files costs ~1.7 CPU-seconds, which on two cores the demo's tasks need more. A changed
# DAG file shows in the UI within 2 minutes.
export AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL="${AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL:-120}"
export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN="${AIRFLOW__DATABASE__SQL_ALCHEMY_CONN:-postgresql+psycopg2://airflow:${AIRFLOW_DB_PASSWORD}@127.0.0.1:${SVDW_PG_PORT:-55432}/airflow}"
export AIRFLOW__API__HOST=127.0.0.1
export AIRFLOW__API__PORT="${AIRFLOW_PORT:-8080}"
export AIRFLOW__CORE__EXECUTION_API_SERVER_URL="http://127.0.0.1:${AIRFLOW_PORT:-8080}/execution/"
export AIRFLOW__API_AUTH__JWT_SECRET="${AIRFLOW_JWT_SECRET:-}"
export AIRFLOW__API__SECRET_KEY="${AIRFLOW_API_SECRET_KEY:-}"
export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS="${AIRFLOW_ADMIN_USER:-admin}:admin"
export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE="$AIRFLOW_HOME/simple_auth_manager_passwords.json"
export AIRFLOW__COSMOS__ENABLE_TELEMETRY=False
export AIRFLOW__COSMOS__ENABLE_CACHE_DBT_LS=False
# Cosmos' cache (the dbt partial parse the warehouse build's layers share) per Airflow home, not
# in /tmp/cosmos, which every checkout and test stack on the machine would share.
export AIRFLOW__COSMOS__CACHE_DIR="${AIRFLOW__COSMOS__CACHE_DIR:-$AIRFLOW_HOME/cosmos}"
export AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK=False
export AIRFLOW_CONN_WAREHOUSE="${WAREHOUSE_URL:-}"
# dbt's connection (Cosmos): the warehouse WAREHOUSE_URL names, as svdw_transformer
# (TRANSFORMER_DATABASE_URL's role and password; svdw.config.service_url does the same in Python).
if [ -n "${TRANSFORMER_DATABASE_URL:-}" ] && [ -n "${WAREHOUSE_URL:-}" ]; then
  export AIRFLOW_CONN_WAREHOUSE_TRANSFORMER="${WAREHOUSE_URL%%://*}://${TRANSFORMER_DATABASE_URL#*://}"
  AIRFLOW_CONN_WAREHOUSE_TRANSFORMER="${AIRFLOW_CONN_WAREHOUSE_TRANSFORMER%%@*}@${WAREHOUSE_URL#*@}"
fi
mkdir -p "$AIRFLOW_HOME"
# The simple auth manager reads the admin's password from this file (kept out of git in .local/).
printf '{"%s": "%s"}\n' "${AIRFLOW_ADMIN_USER:-admin}" "${AIRFLOW_ADMIN_PASSWORD:-}" \
  > "$AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"
chmod 600 "$AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"
