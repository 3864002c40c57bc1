"""Read an SNA document's HTML back (stdlib parser): the generated sentences with their
figures, and every table cell with its kind and disclosure family, for the report tests."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class QuotedFigure:
    text: str
    table: str
    column: str
    transform: str
    value: str
    key: dict[str, str]


@dataclass
class Cell:
    text: str
    kind: str | None
    family: str | None


@dataclass
class Row:
    area: str
    cells: list[Cell] = field(default_factory=list)


@dataclass
class ParsedTable:
    id: str
    source: str
    headers: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)


class ReportParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.sentences: list[str] = []  # each sentence's text with its figures blanked
        self.figures: list[QuotedFigure] = []
        self.tables: list[ParsedTable] = []
        self.headings: list[tuple[str, str]] = []
        self.images: list[dict[str, str | None]] = []
        self._sentence: list[str] | None = None
        self._figure: dict[str, str | None] | None = None
        self._figure_text: list[str] = []
        self._cell: Cell | None = None
        self._header: list[str] | None = None
        self._heading: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "p" and a.get("class") == "sentence":
            self._sentence = []
        elif tag == "span" and a.get("class") == "figure":
            self._figure, self._figure_text = a, []
        elif tag == "table":
            self.tables.append(ParsedTable(a.get("id") or "", a.get("data-source") or ""))
        elif tag == "tr" and "data-area" in a:
            self.tables[-1].rows.append(Row(a["data-area"] or ""))
        elif tag == "td":
            self._cell = Cell("", a.get("data-kind"), a.get("data-family") or None)
        elif tag == "th":
            self._header = []
        elif tag in ("h1", "h2", "h3"):
            self._heading = (tag, [])
        elif tag == "img":
            self.images.append(a)

    def handle_endtag(self, tag: str) -> None:
        if tag == "p" and self._sentence is not None:
            self.sentences.append("".join(self._sentence))
            self._sentence = None
        elif tag == "span" and self._figure is not None:
            f = self._figure
            self.figures.append(
                QuotedFigure(
                    "".join(self._figure_text),
                    f["data-table"] or "",
                    f["data-column"] or "",
                    f["data-transform"] or "",
                    f["data-value"] or "",
                    json.loads(f["data-key"] or "{}"),
                )
            )
            self._figure = None
            if self._sentence is not None:
                self._sentence.append("<figure>")
        elif tag == "td" and self._cell is not None:
            self.tables[-1].rows[-1].cells.append(self._cell)
            self._cell = None
        elif tag == "th" and self._header is not None:
            self.tables[-1].headers.append("".join(self._header))
            self._header = None
        elif tag in ("h1", "h2", "h3") and self._heading is not None:
            self.headings.append((self._heading[0], "".join(self._heading[1]).strip()))
            self._heading = None

    def handle_data(self, data: str) -> None:
        if self._figure is not None:
            self._figure_text.append(data)
        elif self._sentence is not None:
            self._sentence.append(data)
        if self._cell is not None:
            self._cell.text += data
        if self._header is not None:
            self._header.append(data)
        if self._heading is not None:
            self._heading[1].append(data)


def parse_report(html: str) -> ReportParser:
    parser = ReportParser()
    parser.feed(html)
    return parser
