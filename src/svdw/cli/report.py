"""`svdw report sna`: the Strategic Needs Assessment document (svdw.report) for one area or for
every district and the partnership, as HTML and PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from svdw.cli.app import app, console, fail
from svdw.config import Settings

report_app = typer.Typer(help="Documents rendered from the sna tables.", no_args_is_help=True)
app.add_typer(report_app, name="report")


@report_app.command()
def sna(
    area: Annotated[
        str | None,
        typer.Option(help="A district's ONS code, or 'partnership' (default: partnership)"),
    ] = None,
    all_areas: Annotated[
        bool, typer.Option("--all", help="Every district and the partnership, plus an index")
    ] = False,
    year: Annotated[
        str | None, typer.Option(help="Financial year, e.g. 2025/26 (default: the latest)")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Output directory (default: SVDW_REPORTS_DIR)")
    ] = None,
    pdf: Annotated[bool, typer.Option(help="Also write the PDF")] = True,
) -> None:
    """Write the SNA document as a self-contained HTML file and a PDF: <out>/<year>/sna_<area>.*"""
    import psycopg

    from svdw.report.data import area_by_code
    from svdw.report.publish import render_all_parallel, render_area, resolve_year

    if all_areas and area:
        raise fail("give --area or --all, not both")
    settings = Settings.from_env()
    out_dir = out or settings.reports_dir
    templates = settings.report_templates_dir
    try:
        conn = psycopg.connect(settings.warehouse_url)
    except psycopg.OperationalError as exc:
        raise fail(f"cannot reach the warehouse: {exc}") from exc
    with conn:
        try:
            chosen_year = resolve_year(conn, year)
        except ValueError as exc:
            raise fail(str(exc), "run `svdw build` first") from exc
        if all_areas:
            from svdw.report.publish import all_areas as list_areas

            total = len(list_areas(conn))
            columns = (
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
            )
            with Progress(*columns, console=console) as progress:
                task = progress.add_task(f"SNA documents {chosen_year}", total=total)
                # The areas side by side in two processes, each on its own connection.
                rendered = render_all_parallel(
                    settings.warehouse_url,
                    chosen_year,
                    out_dir,
                    templates,
                    progress=lambda done: progress.update(
                        task, advance=1, description=f"{done.name} written"
                    ),
                    pdf=pdf,
                )
            console.print(f"[green]{len(rendered)} documents[/] in {rendered[0].html.parent}")
            return
        found = area_by_code(conn, area or "partnership")
        if found is None:
            raise fail(f"no district {area} in sna_core_measures", "give an ONS district code")
        with console.status(f"Rendering the SNA document for {found.name}, {chosen_year}"):
            result = render_area(conn, found, chosen_year, out_dir, templates, pdf)
    console.print(f"[green]written[/] {result.html}" + (f" and {result.pdf}" if result.pdf else ""))
