"""Write the SNA document for one area, or for every district and the partnership, into a
directory: <out>/<year as 2025-26>/sna_<area>.html and .pdf, plus an index.html listing them
(the page the Superset Overview dashboard links to)."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import psycopg

from svdw.report.data import Area, SnaReader, districts, latest_financial_year, partnership
from svdw.report.document import build_document, render_html, render_pdf
from svdw.report.partnership_config import load_config


@dataclass(frozen=True)
class Rendered:
    area: Area
    html: Path
    pdf: Path | None


def year_dir(out_dir: Path, year: str) -> Path:
    return out_dir / year.replace("/", "-")


def resolve_year(conn: psycopg.Connection, year: str | None) -> str:
    found = year or latest_financial_year(conn)
    if not found:
        raise ValueError("sna_core_measures has no financial year: build the warehouse first")
    return found


def render_area(
    conn: psycopg.Connection,
    area: Area,
    year: str,
    out_dir: Path,
    templates_dir: Path,
    pdf: bool = True,
) -> Rendered:
    document = build_document(SnaReader(conn, area), year)
    html = render_html(document, templates_dir, load_config(templates_dir))
    target = year_dir(out_dir, year)
    target.mkdir(parents=True, exist_ok=True)
    html_path = target / f"sna_{area.slug}.html"
    html_path.write_text(html, encoding="utf-8")
    pdf_path = None
    if pdf:
        pdf_path = target / f"sna_{area.slug}.pdf"
        render_pdf(html, pdf_path)
    return Rendered(area, html_path, pdf_path)


def all_areas(conn: psycopg.Connection) -> list[Area]:
    return [partnership(conn), *districts(conn)]


def _render_in_worker(
    area: Area, warehouse_url: str, year: str, out_dir: Path, templates_dir: Path, pdf: bool
) -> Rendered:
    with psycopg.connect(warehouse_url) as conn:
        return render_area(conn, area, year, out_dir, templates_dir, pdf)


def default_workers() -> int:
    """One rendering process per core, at most two: an area's document is one process's work
    (Jinja, vl-convert's charts, then WeasyPrint's layout, all single-threaded)."""
    return max(1, min(2, len(os.sched_getaffinity(0))))


def render_all_parallel(
    warehouse_url: str,
    year: str,
    out_dir: Path,
    templates_dir: Path,
    workers: int | None = None,
    progress: Callable[[Area], None] = lambda _area: None,
    pdf: bool = True,
    areas: list[Area] | None = None,
    start_method: str = "spawn",
) -> list[Rendered]:
    """Every area's document (render_area) and the index, the areas shared out among `workers`
    processes (default_workers; 1: one after another in this process), each reading sna on its
    own connection: the same files, in about 1/workers of the time on a machine with that many
    idle cores. The partnership's document (about twice a district's) is first in the queue, so
    the last area to finish is a short one. `areas`: these only (default all_areas), in order.

    `start_method` of the worker processes: spawn (a fresh interpreter) by default, as the CLI
    may have threads of its own (a forked child could inherit a lock one of them holds); an
    Airflow task passes fork, since a spawned child first re-imports the parent's main script,
    the `airflow` command, which needs the metadata database a task process is not given."""
    if areas is None:
        with psycopg.connect(warehouse_url) as conn:
            areas = all_areas(conn)
    count = workers or default_workers()
    args = (warehouse_url, year, out_dir, templates_dir, pdf)
    rendered: list[Rendered] = []
    with ExitStack() as stack:
        results: Iterator[Rendered]
        if count <= 1:
            results = (_render_in_worker(area, *args) for area in areas)
        else:
            context = multiprocessing.get_context(start_method)
            pool = stack.enter_context(ProcessPoolExecutor(count, mp_context=context))
            futures = [pool.submit(_render_in_worker, area, *args) for area in areas]
            results = (future.result() for future in futures)
        for result in results:
            rendered.append(result)
            progress(result.area)
    write_index(out_dir, year, rendered)
    return rendered


def write_index(out_dir: Path, year: str, rendered: list[Rendered]) -> Path:
    """A plain page linking every area's HTML and PDF, for the year and as `latest`."""
    folder = year_dir(out_dir, year)
    items = "\n".join(
        f'<li>{r.area.name}: <a href="{r.html.name}">HTML</a>'
        + (f' · <a href="{r.pdf.name}">PDF</a>' if r.pdf else "")
        + "</li>"
        for r in rendered
    )
    page = (
        '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
        f"<title>SNA documents {year}</title></head><body>"
        f"<h1>Serious Violence Strategic Needs Assessments {year}</h1><ul>{items}</ul>"
        "</body></html>"
    )
    index = folder / "index.html"
    index.write_text(page, encoding="utf-8")
    latest = out_dir / "latest"
    if latest.is_symlink() or latest.exists():
        latest.unlink()
    latest.symlink_to(folder.name, target_is_directory=True)
    return index
