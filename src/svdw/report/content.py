"""What a section of the document holds: blocks of generated sentences, charts and tables."""

from __future__ import annotations

from dataclasses import dataclass, field

from svdw.report.charts import Chart
from svdw.report.narrative import Sentence
from svdw.report.tables import Table


@dataclass
class Block:
    """One sub-section (an h3): its sentences, then its charts, then tables shown in the body
    (a chart's own table goes to the appendix)."""

    key: str
    heading: str
    sentences: list[Sentence] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    note: str = ""


@dataclass
class Section:
    key: str  # the template's name: summary, data, profile, response
    heading: str
    blocks: list[Block]

    @property
    def charts(self) -> list[Chart]:
        return [chart for block in self.blocks for chart in block.charts]

    @property
    def tables(self) -> list[Table]:
        return [table for block in self.blocks for table in block.tables]
