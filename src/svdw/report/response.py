"""Section 4, the response: provision against need (sna_provision_vs_need), referrals
(sna_referral_funnel), what works (sna_programme_evaluation: matched comparison, never
before/after alone) and the action plan's status at its latest snapshot (sna_action_plan_status)."""

from __future__ import annotations

from svdw.report.charts import bar_chart
from svdw.report.content import Block, Section
from svdw.report.data import Row, SnaReader
from svdw.report.narrative import Figure, Sentence, Source, significance
from svdw.report.numbers import TOO_FEW, decimal_text
from svdw.report.tables import Column, Table


def provision_block(reader: SnaReader, year: str) -> Block:
    rows = reader.rows(
        "sna_provision_vs_need", {"financial_year": year}, ["need_rank", "district_code", "tier"]
    )
    table = Table(
        "provision_vs_need",
        f"Provision against need by district and prevention tier, {year}",
        [
            Column("district_name", "District"),
            Column("tier", "Tier"),
            Column("need_rank", "Need rank", "number"),
            Column(
                "session_count", "Sessions", "count", "providers", "session_count_is_suppressed"
            ),
            Column("sessions_per_1000_young_people", "Sessions per 1,000 aged 10-24", "decimal1"),
            Column("is_high_need_low_provision", "High need, low provision"),
        ],
        rows,
        source_table="sna_provision_vs_need",
    )
    chart = bar_chart(
        "provision_vs_need",
        f"Sessions per 1,000 young people by district and tier, {year}",
        "Bar chart of provision sessions per 1,000 residents aged 10-24 by district (most need "
        f"first) and prevention tier, {year}; values in the appendix table.",
        table,
        "district_name",
        "sessions_per_1000_young_people",
        "Sessions per 1,000 aged 10-24",
        colour="tier",
    )
    return Block("provision", "Provision against need", charts=[chart])


def referrals_block(reader: SnaReader, year: str) -> Block:
    rows = reader.partnership_rows(
        "sna_referral_funnel", {"financial_year": year}, ["agency_name", "programme_name"]
    )
    count = "count"
    table = Table(
        "referrals",
        f"Referrals by agency and programme, {year} (partnership-wide)",
        [
            Column("agency_name", "Referring agency"),
            Column("programme_name", "Programme"),
            Column(
                "referred_count", "Referred", count, "providers", "referred_count_is_suppressed"
            ),
            Column(
                "accepted_count", "Accepted", count, "providers", "accepted_count_is_suppressed"
            ),
            Column("started_count", "Started", count, "providers", "started_count_is_suppressed"),
            Column(
                "completed_count", "Completed", count, "providers", "completed_count_is_suppressed"
            ),
            Column("completed_of_referred_percent", "Completed of referred", "percent"),
        ],
        rows,
        area_column=None,
        source_table="sna_referral_funnel",
    )
    note = (
        "The referral log carries no address, so referrals are published for the partnership only."
    )
    return Block("referrals", "Referrals", tables=[table], note=note)


def evaluation_sentence(row: Row) -> Sentence:
    """'<programme>: <outcome> changed by X% (95% CI a% to b%) against a matched comparison
    group (<verdict>).' The verdict is the interval's: a reduction only when it excludes zero."""
    name = f"{row['programme_name']}, {row['outcome_name']}"
    change = row.get("percent_change")
    lower, upper = row.get("percent_change_lower_95"), row.get("percent_change_upper_95")
    if change is None or lower is None or upper is None:
        return Sentence((f"{name}: {TOO_FEW}.",))
    key = {
        "programme_key": str(row["programme_key"]),
        "design": row["design"],
        "outcome_code": row["outcome_code"],
    }

    def figure(column: str, value: object) -> Figure:
        return Figure(
            decimal_text(value, 1) + "%",  # type: ignore[arg-type]
            value,  # type: ignore[arg-type]
            Source("sna_programme_evaluation", column, key, "decimal1"),
        )

    verdict = {
        "increase": "a significant increase",
        "decrease": "a significant reduction",
        "none": "no significant difference",
    }[significance(1 + float(lower) / 100, 1 + float(upper) / 100)]
    return Sentence(
        (
            f"{name}: ",
            figure("percent_change", change),
            " (95% CI ",
            figure("percent_change_lower_95", lower),
            " to ",
            figure("percent_change_upper_95", upper),
            f") against a matched comparison group, {verdict}.",
        )
    )


def what_works_block(reader: SnaReader) -> Block:
    rows = reader.partnership_rows(
        "sna_programme_evaluation", order_by=["programme_name", "design", "outcome_sort_order"]
    )
    table = Table(
        "programme_evaluation",
        "Programme effects against a matched comparison group (partnership-wide)",
        [
            Column("programme_name", "Programme"),
            Column("design", "Design"),
            Column("outcome_name", "Outcome"),
            Column(
                "participant_count",
                "Participants",
                "count",
                "providers",
                "participant_count_is_suppressed",
            ),
            Column("percent_change", "Change", "percent"),
            Column("percent_change_lower_95", "95% CI lower", "percent"),
            Column("percent_change_upper_95", "95% CI upper", "percent"),
            Column("verdict", "Verdict"),
        ],
        rows,
        area_column=None,
        source_table="sna_programme_evaluation",
    )
    block = Block("what_works", "What works", tables=[table] if rows else [])
    block.sentences = [evaluation_sentence(row) for row in rows]
    if not rows:
        block.note = "No programme has been evaluated against a comparison group yet."
    return block


def action_plan_block(reader: SnaReader) -> Block:
    snapshots = reader.partnership_rows("sna_action_plan_status", order_by=["snapshot_date"])
    latest = snapshots[-1]["snapshot_date"] if snapshots else None
    rows = [row for row in snapshots if row["snapshot_date"] == latest]
    table = Table(
        "action_plan",
        f"Action plan status at {latest}" if latest else "Action plan status",
        [
            Column("theme", "Theme"),
            Column("tier", "Tier"),
            Column("rag", "RAG"),
            Column("action_count", "Actions", "number"),
            Column("overdue_action_count", "Overdue", "number"),
        ],
        rows,
        area_column=None,
        source_table="sna_action_plan_status",
    )
    chart = bar_chart(
        "action_plan",
        "Action plan status by theme",
        "Bar chart of the partnership's actions by theme, coloured by red, amber or green "
        "status at the latest tracker snapshot; values in the appendix table.",
        table,
        "theme",
        "action_count",
        "Actions",
        colour="rag",
    )
    return Block("action_plan", "The action plan", charts=[chart] if rows else [])


def response_section(reader: SnaReader, year: str) -> Section:
    return Section(
        "response",
        "4. Provision, referrals, what works and the action plan",
        [
            provision_block(reader, year),
            referrals_block(reader, year),
            what_works_block(reader),
            action_plan_block(reader),
        ],
    )
