"""Section 1, the summary: the Home Office Serious Violence Duty measures for the year (count,
rate and interval from sna_core_measures) and the three biggest changes against earlier years,
each with its interval and whether it is significant."""

from __future__ import annotations

from svdw.report.charts import bar_chart
from svdw.report.content import Block, Section
from svdw.report.data import Row, SnaReader
from svdw.report.narrative import Change, Source, biggest_changes, change_sentence, count_sentence
from svdw.report.tables import Column, Table

TABLE = "sna_core_measures"


def core_measure_rows(reader: SnaReader, year: str) -> tuple[list[Row], list[Row]]:
    """(the area's rows, the partnership's rows) for the financial year."""
    where = {"period_type": "financial_year", "period": year}
    partnership = reader.partnership_rows(
        TABLE, where | {"geography_level": "county"}, order_by=["measure_order"]
    )
    if reader.area.is_partnership:
        return partnership, partnership
    own = reader.rows(TABLE, where | {"geography_level": "district"}, order_by=["measure_order"])
    return own, partnership


def _key(row: Row) -> dict[str, str]:
    return {"measure": row["measure"], "period": row["period"], "area_code": row["area_code"]}


def previous_year(year: str) -> str:
    start = int(year[:4]) - 1
    return f"{start}/{(start + 1) % 100:02d}"


def changes(rows: list[Row]) -> list[Change]:
    """Each measure's change against the previous year and against the baseline year, where sna
    has the comparison at all (its significance column is NULL when there is none)."""
    found = []
    for row in rows:
        comparisons = [("previous_12_months", previous_year(row["period"]))]
        if row.get("baseline_year") and row["baseline_year"] != row["period"]:
            comparisons.append(("baseline", f"the baseline year {row['baseline_year']}"))
        for prefix, label in comparisons:
            if row.get(f"{prefix}_change_significance") is None:
                continue
            found.append(
                Change(
                    row["measure_name"],
                    label,
                    row[f"{prefix}_rate_ratio"],
                    row[f"{prefix}_rate_ratio_lower_95"],
                    row[f"{prefix}_rate_ratio_upper_95"],
                    Source(TABLE, f"{prefix}_rate_ratio", _key(row), "percent_change"),
                )
            )
    return found


def measures_table(key: str, caption: str, rows: list[Row]) -> Table:
    columns = [
        Column("area_name", "Area"),
        Column("measure_name", "Measure"),
        Column("event_count", "Count", "count", "police", "is_suppressed"),
        Column("event_rate_per_100k", "Per 100,000", "decimal1"),
        Column("event_rate_per_100k_lower_95", "95% CI lower", "decimal1"),
        Column("event_rate_per_100k_upper_95", "95% CI upper", "decimal1"),
        Column("previous_12_months_change_significance", "Against the previous year"),
    ]
    return Table(key, caption, columns, rows, area_column="district_code", source_table=TABLE)


def summary_section(reader: SnaReader, year: str) -> Section:
    own, partnership = core_measure_rows(reader, year)
    area = reader.area.name
    measures = Block("measures", "The Home Office measures")
    for row in own:
        measures.sentences.append(
            count_sentence(
                f"{row['measure_name']} in {area}, {year}",
                row["event_count"],
                Source(TABLE, "event_count", _key(row)),
                row["event_rate_per_100k"],
                Source(TABLE, "event_rate_per_100k", _key(row)),
                (row["event_rate_per_100k_lower_95"], row["event_rate_per_100k_upper_95"]),
            )
        )
    chart_rows = own if reader.area.is_partnership else own + partnership
    table = measures_table("core_measures", f"Home Office measures, {year}", chart_rows)
    measures.charts.append(
        bar_chart(
            "core_measures",
            f"Home Office measures per 100,000 residents, {year}",
            f"Bar chart of each Home Office Serious Violence Duty measure per 100,000 residents "
            f"in {area}"
            + ("" if reader.area.is_partnership else " beside the partnership as a whole")
            + f", {year}, with 95% confidence intervals; the values are in the appendix table.",
            table,
            "measure_name",
            "event_rate_per_100k",
            "Per 100,000 residents",
            colour="area_name",
            interval=("event_rate_per_100k_lower_95", "event_rate_per_100k_upper_95"),
        )
    )
    biggest = Block("changes", "The biggest changes")
    found = biggest_changes(changes(own))
    biggest.sentences = [change_sentence(change) for change in found]
    if not found:
        biggest.note = (
            f"No earlier whole year is loaded to compare {year} with yet, so no change can be "
            "tested."
        )
    return Section("summary", "1. Summary", [measures, biggest])
