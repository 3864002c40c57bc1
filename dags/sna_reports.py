"""The SNA documents, refreshed after every successful warehouse build: scheduled on the sna
Asset that warehouse_build emits once its models, tests and programme evaluation have passed,
it renders the Strategic Needs Assessment for every district and the partnership (HTML and PDF)
into the reports directory (SVDW_REPORTS_DIR), as `svdw report sna --all` does. docs/report.md."""

from __future__ import annotations

from airflow.sdk import DAG, task

from svdw.airflow_support import DEFAULT_ARGS, sna_asset, warehouse_settings

with DAG(
    dag_id="sna_reports",
    description="Render the SNA document for each district and the partnership from sna",
    doc_md=__doc__,
    schedule=[sna_asset()],
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["svdw", "reports"],
):

    @task
    def render_sna_documents() -> list[str]:
        """Every area's document for the latest financial year, areas rendered side by side in
        two processes (svdw.report.publish.render_all_parallel); returns the files written."""
        import psycopg

        from svdw.report.publish import render_all_parallel, resolve_year

        settings = warehouse_settings()
        with psycopg.connect(settings.warehouse_url) as conn:
            year = resolve_year(conn, None)
        # fork: a spawned worker would re-import the `airflow` command (render_all_parallel).
        rendered = render_all_parallel(
            settings.warehouse_url,
            year,
            settings.reports_dir,
            settings.report_templates_dir,
            start_method="fork",
        )
        return [str(r.html) for r in rendered] + [str(r.pdf) for r in rendered if r.pdf]

    render_sna_documents()
