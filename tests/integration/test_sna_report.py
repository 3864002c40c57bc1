"""The SNA document rendered from the synthetic partnership's built warehouse: every number in
its text is the sna value it names, no withheld value leaks into a table or a chart, the PDF has
the SNA guidance's sections, and a district's document holds only its own rows beside
partnership-wide comparators."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from report_html import ReportParser, parse_report
from typer.testing import CliRunner

from svdw.cli import app
from svdw.config import REPO_DIR
from svdw.report.data import SnaReader, area_by_code, districts
from svdw.report.document import build_document
from svdw.report.publish import render_all_parallel, render_area

pytestmark = pytest.mark.integration

TEMPLATES = REPO_DIR / "reports" / "templates"
YEAR = "2025/26"
# The disclosure families' rules (dbt_project.yml vars.disclosure_control)
SUPPRESS_UP_TO = {"police": 4, "health": 7, "education": 4, "youth_justice": 4, "providers": 4}
ROUNDING = {"health": 5}


@dataclass(frozen=True)
class RenderedReport:
    code: str
    html: str
    parsed: ReportParser
    pdf: Path


@pytest.fixture(scope="module")
def reports(built_warehouse, tmp_path_factory) -> dict[str, RenderedReport]:
    """The partnership's document through the CLI, and one district's through the library."""
    out = tmp_path_factory.mktemp("reports")
    result = CliRunner().invoke(
        app,
        ["report", "sna", "--area", "partnership", "--year", YEAR, "--out", str(out)],
        env={"WAREHOUSE_URL": built_warehouse.url, "SVDW_REPORT_TEMPLATES_DIR": str(TEMPLATES)},
    )
    assert result.exit_code == 0, result.output
    with psycopg.connect(built_warehouse.url) as conn:
        district = districts(conn)[2]
        rendered = render_area(conn, district, YEAR, out, TEMPLATES)
    found = {}
    for code, html_path in (
        ("partnership", out / "2025-26" / "sna_partnership.html"),
        (district.code, rendered.html),
    ):
        html = html_path.read_text()
        found[code] = RenderedReport(code, html, parse_report(html), html_path.with_suffix(".pdf"))
    return found


def sna_value(conn: psycopg.Connection, table: str, column: str, key: dict[str, str]):
    where = sql.SQL(" and ").join(
        sql.SQL("{}::text = %s").format(sql.Identifier(name)) for name in key
    )
    query = sql.SQL("select {} from {}.{} where ").format(
        sql.Identifier(column), sql.Identifier("sna"), sql.Identifier(table)
    )
    found = conn.execute(query + where, list(key.values())).fetchall()
    assert len(found) == 1, (table, column, key, found)
    return found[0][0]


def expected_text(value, transform: str) -> str:
    """How the document must write an sna value (independently of svdw.report.numbers)."""
    if transform == "count":
        return f"{int(value):,}"
    if transform == "decimal1":
        return f"{Decimal(value).quantize(Decimal('0.1'), ROUND_HALF_UP):,}"
    change = ((Decimal(value) - 1) * 100).quantize(Decimal("1"), ROUND_HALF_UP)
    return f"{abs(change) if transform == 'abs_percent_change' else change}%"


def test_every_quoted_figure_is_the_sna_value_it_names(reports, built_warehouse) -> None:
    with psycopg.connect(built_warehouse.url) as conn:
        for report in reports.values():
            assert len(report.parsed.figures) >= 10, report.code
            for figure in report.parsed.figures:
                value = sna_value(conn, figure.table, figure.column, figure.key)
                assert value is not None, figure
                assert Decimal(figure.value) == Decimal(value), figure
                assert figure.text.rstrip("%") == expected_text(value, figure.transform).rstrip(
                    "%"
                ), figure


# Numbers that are part of a measure's name or unit, or a period, not figures
NAMES_AND_PERIODS = re.compile(
    r"95% CI|per 100,000|per 1,000|aged? under 25|aged 10-2?[47]|\b20\d\d(/\d\d)?\b"
)


def test_the_text_quotes_no_number_that_is_not_an_sna_figure(reports) -> None:
    for report in reports.values():
        for sentence in report.parsed.sentences:
            assert not re.search(r"\d", NAMES_AND_PERIODS.sub("", sentence)), sentence


def test_no_withheld_value_in_tables_or_chart_data(reports, built_warehouse) -> None:
    withheld_cells = 0
    for report in reports.values():
        for table in report.parsed.tables:
            for row in table.rows:
                for cell in row.cells:
                    withheld_cells += cell.text == "[c]"
                    if cell.kind != "count" or cell.text in ("[c]", "[x]"):
                        continue
                    count = int(cell.text.replace(",", ""))
                    family = cell.family or "police"
                    assert not 1 <= count <= SUPPRESS_UP_TO[family], (table.id, cell)
                    assert count % ROUNDING.get(family, 1) == 0, (table.id, cell)
        assert "too few to publish" in report.html
    assert withheld_cells > 0, "the synthetic partnership has withheld cells to check"
    with psycopg.connect(built_warehouse.url) as conn:
        for code in reports:
            document = build_document(SnaReader(conn, area_by_code(conn, code)), YEAR)
            for chart in document.charts:
                counts = {c.key: c.family for c in chart.table.columns if c.kind == "count"}
                for point in chart.values:
                    for key, value in point.items():
                        if key in counts and value is not None:
                            assert not 1 <= value <= SUPPRESS_UP_TO[counts[key] or "police"]


def test_accessible_structure(reports) -> None:
    for report in reports.values():
        levels = [level for level, _ in report.parsed.headings]
        assert levels.count("h1") == 1 and levels.count("h2") == 5 and "h3" in levels
        assert report.parsed.images and all(img.get("alt") for img in report.parsed.images)
        assert all(table.headers for table in report.parsed.tables)
        assert "http://" not in report.html.replace('href="http', "")
        assert 'src="http' not in report.html and "url(http" not in report.html


def test_pdf_has_the_sna_sections(reports) -> None:
    for report in reports.values():
        text = subprocess.run(
            ["pdftotext", "-layout", str(report.pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for heading in (
            "1. Summary",
            "The Home Office measures",
            "The biggest changes",
            "2. Data and caveats",
            "Freshness and coverage per partner",
            "3. The profile",
            "Trends",
            "Where",
            "Youth justice",
            "4. Provision, referrals, what works and the action plan",
            "What works",
            "5. Appendix",
        ):
            assert heading in text, (report.code, heading)


def test_district_document_holds_only_its_rows_and_partnership_comparators(reports) -> None:
    (district,) = (code for code in reports if code != "partnership")
    areas = {row.area for table in reports[district].parsed.tables for row in table.rows}
    assert areas == {district, "partnership"}
    partnership_areas = {
        row.area for table in reports["partnership"].parsed.tables for row in table.rows
    }
    assert len(partnership_areas - {"partnership"}) >= 2


def without_timestamp(html: str) -> str:
    return re.sub(r"Produced from the partnership's data warehouse on [^.]*\.", "", html)


def test_areas_rendered_in_two_processes_are_the_documents_one_process_writes(
    reports, built_warehouse, tmp_path
) -> None:
    """make demo's sna_reports DAG renders the areas in two processes: the same documents, each
    area's file of its own, and the index listing them in order."""
    with psycopg.connect(built_warehouse.url) as conn:
        areas = [area_by_code(conn, "partnership"), area_by_code(conn, reports_district(reports))]
    rendered = render_all_parallel(
        built_warehouse.url, YEAR, tmp_path, TEMPLATES, workers=2, pdf=False, areas=areas
    )
    assert [r.area for r in rendered] == areas
    for r in rendered:
        assert without_timestamp(r.html.read_text()) == without_timestamp(reports[r.area.code].html)
    index = (tmp_path / "latest" / "index.html").read_text()
    assert index.index("sna_partnership.html") < index.index(f"sna_{areas[1].slug}.html")


def reports_district(reports: dict[str, RenderedReport]) -> str:
    return next(code for code in reports if code != "partnership")
