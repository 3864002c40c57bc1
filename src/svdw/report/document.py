"""The document for one area: its sections from the sna reader, rendered through the
partnership's Jinja templates to one self-contained HTML page, and from the same HTML to a PDF
by WeasyPrint (Pango; no browser). docs/report.md says why these two."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import jinja2

from svdw.report.caveats import caveats_section, withheld_tables
from svdw.report.charts import Chart
from svdw.report.content import Section
from svdw.report.data import SnaReader
from svdw.report.narrative import Figure
from svdw.report.numbers import TOO_FEW
from svdw.report.partnership_config import PartnershipConfig, load_config
from svdw.report.profile import profile_section
from svdw.report.response import response_section
from svdw.report.summary import summary_section
from svdw.report.tables import Table


@dataclass
class Document:
    area_name: str
    area_code: str
    year: str
    sections: list[Section]

    @property
    def charts(self) -> list[Chart]:
        return [chart for section in self.sections for chart in section.charts]

    @property
    def tables(self) -> list[Table]:
        """Every table in the document: the body's, then each chart's (the appendix)."""
        body = [table for section in self.sections for table in section.tables]
        return body + [chart.table for chart in self.charts]


def build_document(reader: SnaReader, year: str) -> Document:
    sections = [
        summary_section(reader, year),
        caveats_section(reader, year),
        profile_section(reader, year),
        response_section(reader, year),
    ]
    document = Document(reader.area.name, reader.area.code, year, sections)
    suppression = next(b for b in sections[1].blocks if b.key == "suppression")
    withheld = withheld_tables(document.tables)
    suppression.note = (
        "Values were withheld in: " + "; ".join(withheld) + "."
        if withheld
        else "No value in this document needed withholding."
    )
    return document


def environment(templates_dir: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.tests["figure"] = lambda fragment: isinstance(fragment, Figure)
    return env


def render_html(
    document: Document, templates_dir: Path, config: PartnershipConfig | None = None
) -> str:
    config = config or load_config(templates_dir)
    env = environment(templates_dir)
    stylesheet = (templates_dir / "style.css").read_text()
    return env.get_template("document.html.j2").render(
        document=document,
        config=config,
        wording=config.wording,
        logo=config.logo_data_uri(),
        stylesheet=stylesheet,
        too_few=TOO_FEW,
        generated_at=datetime.now(UTC).strftime("%d %B %Y %H:%M UTC"),
    )


def render_pdf(html: str, path: Path) -> None:
    # Imported here: WeasyPrint loads Pango at import, which only rendering needs.
    from weasyprint import HTML

    HTML(string=html, base_url=None).write_pdf(path)
