"""Section 2, data and caveats: the periods the figures cover (sna_core_measures), each partner
extract's freshness and load quality (sna_data_freshness), and which tables of this document had
values withheld by disclosure control. Sources, suppression rules and definitions are the
partnership's wording in the template."""

from __future__ import annotations

from collections.abc import Sequence

from svdw.report.content import Block, Section
from svdw.report.data import SnaReader
from svdw.report.narrative import Figure, Sentence, Source
from svdw.report.numbers import count_text
from svdw.report.tables import Column, Table


def periods_block(reader: SnaReader, year: str) -> Block:
    rows = reader.partnership_rows(
        "sna_core_measures",
        {"period_type": "financial_year", "period": year, "geography_level": "county"},
        order_by=["measure_order"],
    )
    block = Block("periods", "Periods covered")
    seen: set[str] = set()
    for row in rows:
        family = row["disclosure_family"]
        if family in seen:
            continue
        seen.add(family)
        source = "police" if family == "police" else "hospital"
        months = row["months_covered"]
        key = {"measure": row["measure"], "period": row["period"], "area_code": row["area_code"]}
        block.sentences.append(
            Sentence(
                (
                    f"The {source} figures for {year} cover ",
                    Figure(
                        count_text(months),
                        months,
                        Source("sna_core_measures", "months_covered", key),
                    ),
                    f" month{'s' if months != 1 else ''} of the financial year "
                    f"({row['period_start']:%B %Y} to {row['period_end']:%B %Y})"
                    + ("; rates are annualised." if row["is_part_period"] else "."),
                )
            )
        )
    return block


def freshness_block(reader: SnaReader) -> Block:
    rows = reader.partnership_rows("sna_data_freshness", order_by=["partner", "contract"])
    columns = [
        Column("partner", "Partner"),
        Column("contract_title", "Extract"),
        Column("cadence", "Cadence"),
        Column("last_delivery_at", "Last delivery", "date"),
        Column("delivery_status", "Status"),
        Column("rows_loaded_count", "Rows loaded", "number"),
        Column("rows_quarantined_count", "Rows quarantined", "number"),
    ]
    table = Table(
        "data_freshness",
        "Freshness and coverage of each partner extract",
        columns,
        rows,
        area_column=None,
        source_table="sna_data_freshness",
    )
    return Block("freshness", "Freshness and coverage per partner", tables=[table])


def withheld_tables(tables: Sequence[Table]) -> list[str]:
    """Captions of the tables in which disclosure control withheld at least one value."""
    from svdw.report.numbers import CELL_WITHHELD

    return [
        table.caption
        for table in tables
        if any(
            column.cell(row) == CELL_WITHHELD
            for row in table.rows
            for column in table.columns
            if column.is_numeric
        )
    ]


def caveats_section(reader: SnaReader, year: str) -> Section:
    return Section(
        "data",
        "2. Data and caveats",
        [
            periods_block(reader, year),
            freshness_block(reader),
            Block("suppression", "What was withheld and why"),
        ],
    )
