"""Partner onboarding pages (docs/partners/<contract>.md), rendered from the contracts so
the documentation can never drift from what the loader enforces."""

from __future__ import annotations

from pathlib import Path

from svdw.batch_checks import future_date_columns
from svdw.contracts import DATED_TYPES, TODAY, Column, Contract, load_contracts

PRIVACY = {
    "none": "not identifying",
    "quasi_identifier": "quasi-identifier (kept, coarsened where the contract says)",
    "direct_identifier": "direct identifier: replaced at load by a keyed hash, never stored",
}


TYPE_WORDS = {
    "month": "month YYYY-MM",
    "date": "date YYYY-MM-DD",
    "datetime": "date and time YYYY-MM-DD HH:MM:SS",
    "time": "time HH:MM:SS",
    "integer": "whole number",
    "decimal": "number",
}
KIND_WORDS = {"date": "date", "datetime": "date and time", "time": "time"}
# strptime directives in the notation partners know (a format: "%d/%m/%Y" column is DD/MM/YYYY).
FORMAT_WORDS = {"%d": "DD", "%m": "MM", "%Y": "YYYY", "%y": "YY", "%H": "HH", "%M": "MM",
                "%S": "SS", "%b": "Mon", "%B": "Month", "%I": "hh", "%p": "AM/PM"}  # fmt: skip
SEVERITY_WORDS = {
    "critical": "critical: the delivery is held back",
    "warning": "warning: reported, the delivery goes ahead",
    "info": "for information",
}


def _format_words(fmt: str) -> str:
    for directive, words in FORMAT_WORDS.items():
        fmt = fmt.replace(directive, words)
    return fmt


def _type_words(column: Column) -> str:
    if column.type == "boolean":
        return (
            "yes/no: "
            + ", ".join(f"`{v}`" for v in column.true_values)
            + " for yes; "
            + ", ".join(f"`{v}`" for v in column.false_values)
            + " for no"
        )
    if column.format:
        return f"{KIND_WORDS[column.type]} {_format_words(column.format)}"
    return TYPE_WORDS[column.type]


def _bound_words(bound: object) -> str:
    if bound == TODAY:
        return "the day of loading"
    if isinstance(bound, float):
        return f"{bound:g}"
    return str(bound)


def _bounds(column: Column, headers: dict[str, str]) -> list[str]:
    rules = []
    dated = column.type in DATED_TYPES
    low, high = column.minimum, column.maximum
    if low is not None and high is not None and not dated:
        rules.append(f"between {_bound_words(low)} and {_bound_words(high)}")
    else:
        if low is not None:
            rules.append(f"{'not before' if dated else 'at least'} {_bound_words(low)}")
        if high is not None:
            rules.append(f"{'not after' if dated else 'at most'} {_bound_words(high)}")
    if column.not_before:
        rules.append(f"not before {headers[column.not_before]!r} of the same row")
    if column.not_after:
        rules.append(f"not after {headers[column.not_after]!r} of the same row")
    return rules


def _rule(column: Column, headers: dict[str, str] | None = None) -> str:
    rules = []
    if column.type != "text":
        rules.append(_type_words(column))
    if column.pattern:
        rules.append(f"matches `{column.pattern}`")
    if column.allowed:
        rules.append("one of: " + ", ".join(f"`{v}`" for v in column.allowed))
    if column.allowed_from:
        source = column.allowed_from
        rules.append(
            f"a `{source.column}` of the official code list `dbt/seeds/code_lists/"
            f"{source.code_list}.csv`"
        )
    rules.extend(_bounds(column, headers or {}))
    return "; ".join(rules) or "any text"


def _privacy(column: Column) -> str:
    if column.pseudonymise == "birth_year":
        return "direct identifier: a date of birth, stored only as the year of birth"
    if column.pseudonymise == "postcode_to_lsoa":
        return "direct identifier: a postcode, stored only as its LSOA"
    return PRIVACY[column.privacy]


def _share(value: float) -> str:
    return f"{value * 100:g}%"


def _checks(contract: Contract) -> list[str]:
    """The contract's batch plausibility checks (Great Expectations, per delivery), in words."""
    headers = {c.name: c.header for c in contract.columns}
    checks = contract.checks

    def named(column: str) -> str:
        return repr(headers.get(column, column))

    def deliveries(count: int) -> str:
        return "your last delivery" if count == 1 else f"your last {count} deliveries"

    lines = []
    if checks.row_count:
        count = checks.row_count
        lines.append(
            f"- **Row count:** at least {_share(count.min_share_of_mean)} of the mean number of"
            f" rows of {deliveries(count.previous_deliveries)} ({SEVERITY_WORDS[count.severity]})."
        )
    if checks.key:
        key = " + ".join(named(c) for c in checks.key)
        lines.append(
            f"- **No duplicates:** {key} is unique within a delivery"
            f" ({SEVERITY_WORDS[checks.key_severity]})."
        )
    future = future_date_columns(contract)
    if future:
        lines.append(
            "- **No dates in the future:** "
            + ", ".join(named(c.name) for c in future)
            + f" ({SEVERITY_WORDS[checks.future_dates_severity]})."
        )
    if checks.future_dates_allowed:
        lines.append(
            "- **May be in the future:** "
            + ", ".join(named(c) for c in checks.future_dates_allowed)
            + "."
        )
    for unknown in checks.unknown_codes:
        if unknown.codes:
            what = "are placeholders (" + ", ".join(f"`{v}`" for v in unknown.codes) + ")"
        else:
            what = (
                "are outside the partnership's list of known values ("
                + ", ".join(f"`{v}`" for v in unknown.known)
                + ")"
            )
        share = (
            f"at most {_share(unknown.max_share)} of the values"
            if unknown.max_share
            else "no value"
        )
        what = what.replace("are ", "is ", 1) if not unknown.max_share else what
        lines.append(
            f"- **Unknown values in {named(unknown.column)}:** {share} {what}"
            f" ({SEVERITY_WORDS[unknown.severity]})."
        )
    for rate in checks.null_rate:
        lines.append(
            f"- **Empty values in {named(rate.column)}:** the share of empty values rises by at"
            f" most {rate.max_increase * 100:g} percentage points over its mean in"
            f" {deliveries(checks.previous_deliveries)} ({SEVERITY_WORDS[rate.severity]})."
        )
    for shift in checks.distribution:
        lines.append(
            f"- **Mix of values in {named(shift.column)}:** the share of each value stays close"
            f" to {deliveries(checks.previous_deliveries)} (Kullback-Leibler divergence at most"
            f" {shift.max_divergence:g}) ({SEVERITY_WORDS[shift.severity]})."
        )
    return lines


def render(contract: Contract) -> str:
    scope = ", ".join(f"`{c}`" for c in contract.replace_scope) or "the whole table (a snapshot)"
    lines = [
        f"# {contract.title}",
        "",
        "<!-- generated from src/svdw/contracts/"
        f"{contract.name}.yml by `svdw contracts --docs docs/partners`; do not edit -->",
        "",
        contract.description.strip(),
        "",
        f"- **Contract:** `{contract.name}`; partner: {contract.partner};"
        f" delivered {contract.cadence}",
        f"- **File:** `{contract.file_glob}`, {contract.encoding},"
        f" delimiter `{contract.delimiter}`, header row exactly as below (same names, same order)",
        f"- **Drop into:** `$SVDW_LANDING_DIR/{contract.name}/` (or `svdw load FILE`)",
        f"- **Lands in:** `{contract.table}`, with `_batch_id` and `_line_number` on every row",
        "- **Period:** "
        + (
            f"`{contract.period_column}`"
            if contract.period_column
            else "none: each delivery is a complete snapshot"
        ),
        f"- **A re-delivery replaces:** rows with the same {scope}; replaced rows move to"
        f" `history.{contract.table_name}`",
        *(
            [
                f"- **From the file name:** `{named.name}` ({named.type}), the first group of"
                f" `{named.pattern}`; a file whose name does not match is rejected."
                f" {named.description}"
            ]
            if (named := contract.file_name_column)
            else []
        ),
        *(
            [
                "- **Optional:** a partnership may never have this feed (it needs a legal basis"
                " of its own); until a first delivery it is shown as 'not delivered (optional)',"
                " not as overdue"
            ]
            if contract.optional
            else []
        ),
        "- **Bad rows** go to `audit.quarantine` with their line and a reason naming the field;"
        " a file that cannot be read as this contract is rejected whole.",
        "",
        "| # | Header | Column | Required | Rule | Privacy | Meaning |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    headers = {c.name: c.header for c in contract.columns}
    for number, c in enumerate(contract.columns, 1):
        lines.append(
            f"| {number} | {c.header} | `{c.name}` | {'yes' if c.required else 'no'}"
            f" | {_rule(c, headers)} | {_privacy(c)} | {c.description} |"
        )
    lines += [
        "",
        "A row that breaks a rule of the table (a wrong type or format, an empty required value,"
        " a value not allowed, a date out of its bounds or out of order with another date of the"
        " row) is quarantined with the reason; the other rows load.",
        "",
        "## Checks on each delivery",
        "",
        "Before a delivery reaches the warehouse, Great Expectations checks it as a whole, for"
        " what no single row can show. A critical check that fails holds the whole delivery"
        " back until an engineer accepts or rejects it (`svdw batches`); a warning is shown on"
        " the data-quality dashboard.",
        "",
        *_checks(contract),
    ]
    return "\n".join(lines) + "\n"


def write_docs(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for contract in load_contracts().values():
        path = out_dir / f"{contract.name}.md"
        path.write_text(render(contract))
        written.append(path)
    return written
