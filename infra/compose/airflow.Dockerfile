# The Airflow image of the SVD warehouse: Airflow 3.3.2, dbt, Great Expectations and the svdw
# package from requirements/warehouse.lock, the DAGs and the dbt project baked in (no git-sync,
# no DAG volume: an image is one tested version of the pipeline). Every Airflow component of
# infra/compose/compose.yaml and of the Helm values (infra/helm/) runs this image.
# Build from the repository root: docker build -f infra/compose/airflow.Dockerfile .
FROM python:3.11.7-slim-bookworm

ARG UV_VERSION=0.13.9
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    SVDW_HOME=/opt/svdw \
    AIRFLOW_HOME=/opt/airflow \
    AIRFLOW__CORE__DAGS_FOLDER=/opt/svdw/dags \
    AIRFLOW__CORE__LOAD_EXAMPLES=False \
    AIRFLOW__COSMOS__ENABLE_TELEMETRY=False \
    AIRFLOW__COSMOS__ENABLE_CACHE_DBT_LS=False

# uid 50000 is the official Airflow image's and the Helm chart's default user.
RUN pip install --no-cache-dir "uv==${UV_VERSION}" \
    && uv venv --python /usr/local/bin/python3.11 /opt/venv \
    && useradd --uid 50000 --gid 0 --home-dir /opt/airflow --create-home airflow

WORKDIR /opt/svdw
COPY requirements/warehouse.lock requirements/warehouse.lock
RUN uv pip sync --no-cache requirements/warehouse.lock

COPY --chown=airflow:0 pyproject.toml README.md ./
COPY --chown=airflow:0 src src
COPY --chown=airflow:0 dags dags
COPY --chown=airflow:0 dbt dbt
COPY --chown=airflow:0 expectations expectations
# No dbt manifest is baked: the warehouse DAG's layer tasks each run dbt, which parses the
# project itself (every build passes its own vars, so a baked parse would be redone anyway).
RUN uv pip install --no-cache --no-deps -e .

USER 50000
EXPOSE 8080
CMD ["airflow", "version"]
