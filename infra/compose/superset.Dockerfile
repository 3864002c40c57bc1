# The Superset image of the SVD warehouse: apache-superset 6.1.0 from requirements/superset.lock
# (its own venv: SQLAlchemy 1.4), the project's superset_config.py, dashboards as files and the
# import/security scripts. The web server, the Celery worker and the one-shot init all run it.
# Build from the repository root: docker build -f infra/compose/superset.Dockerfile .
FROM python:3.11.7-slim-bookworm

ARG UV_VERSION=0.13.9
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    SUPERSET_VENV=/opt/venv \
    SUPERSET_HOME=/var/lib/superset \
    SUPERSET_CONFIG_PATH=/opt/svdw/superset/superset_config.py \
    FLASK_APP=superset

# superset.sh (init, import) checks health with curl.
RUN apt-get update \
    && apt-get install -y --no-install-recommends "curl=7.88.1-10+deb12u*" \
    && rm -rf /var/lib/apt/lists/* \
    && pip install --no-cache-dir "uv==${UV_VERSION}" \
    && uv venv --python /usr/local/bin/python3.11 /opt/venv \
    && useradd --uid 50001 --gid 0 --home-dir /var/lib/superset --create-home superset

WORKDIR /opt/svdw
COPY requirements/superset.lock requirements/superset.lock
RUN uv pip sync --no-cache requirements/superset.lock

COPY superset superset
COPY infra/local/superset.sh infra/local/load_env.sh infra/local/

USER 50001
EXPOSE 8088
CMD ["gunicorn", "--bind", "0.0.0.0:8088", "--workers", "4", "--worker-class", "gthread", \
     "--threads", "4", "--timeout", "120", "--limit-request-line", "0", \
     "--limit-request-field_size", "0", "superset.app:create_app()"]
