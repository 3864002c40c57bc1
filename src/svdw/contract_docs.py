"""Partner onboarding pages (docs/partners/<contract>.md), rendered from the contracts so
the documentation can never drift from what the loader enforces."""

from __future__ import annotations

from pathlib import Path

from svdw.batch_checks import CHANCE_LEVEL, future_date_columns
from svdw.contracts import (
    DATED_TYPES,
    TODAY,
    Column,
    Contract,
    ScopeCapture,
    ScopeItem,
    load_contracts,
)
from svdw.input_limits import size_words

PRIVACY = {
    "none": "not identifying",
    "quasi_identifier": "quasi-identifier (kept, coarsened where the contract says)",
}
# A direct identifier never reaches a table; what is stored instead depends on how the
# contract pseudonymises it.
REPLACED_BY = {
    "hmac": "direct identifier: replaced at load by a keyed hash, never stored",
    "birth_year": "direct identifier: only the birth year is stored, never the date",
    "postcode_to_lsoa": (
        "direct identifier: only its LSOA is stored, never the postcode (empty when the postcode"
        " is not in the loaded ONS postcode lookup)"
    ),
}
# What a partner writes for each strptime directive the contracts use.
FORMAT_PLACEHOLDERS = {
    "%Y": "YYYY",
    "%y": "YY",
    "%m": "MM",
    "%d": "DD",
    "%H": "HH",
    "%M": "MM",
    "%S": "SS",
    "%b": "Mon",
    "%%": "%",
}
# The forms the loader accepts when a column has no `format` (ISO 8601).
ISO_FORMS = {
    "month": "YYYY-MM",
    "date": "YYYY-MM-DD",
    "datetime": "YYYY-MM-DD HH:MM:SS",
    "time": "HH:MM:SS",
}


def written_form(strptime_format: str) -> str:
    """`%d/%m/%Y` -> `DD/MM/YYYY`: the form a partner writes the value in."""
    form = strptime_format
    for directive, placeholder in FORMAT_PLACEHOLDERS.items():
        form = form.replace(directive, placeholder)
    return form


SEVERITY_WORDS = {
    "critical": "critical: the delivery is held back",
    "warning": "warning: reported, the delivery goes ahead",
    "info": "for information",
}


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _range(column: Column) -> str | None:
    low, high = column.number_bounds
    if low is not None and high is not None:
        return f"between {_number(low)} and {_number(high)}"
    if low is not None:
        return f"at least {_number(low)}"
    if high is not None:
        return f"at most {_number(high)}"
    return None


def _day(bound: object) -> str:
    return "the day of loading" if bound == TODAY else str(bound)


def _dates(column: Column, headers: dict[str, str]) -> list[str]:
    """A date column's bounds and its order against other dates of the row, in words."""
    if column.type not in DATED_TYPES:
        return []
    low, high = column.date_bounds
    rules = [
        *([f"not before {_day(low)}"] if low is not None else []),
        *([f"not after {_day(high)}"] if high is not None else []),
    ]
    if column.not_before:
        rules.append(f"not before {headers.get(column.not_before, column.not_before)!r} of the row")
    if column.not_after:
        rules.append(f"not after {headers.get(column.not_after, column.not_after)!r} of the row")
    return rules


def privacy(column: Column) -> str:
    if column.pseudonymise:
        return REPLACED_BY[column.pseudonymise]
    return PRIVACY[column.privacy]


def _rule(column: Column, headers: dict[str, str] | None = None) -> str:
    rules = []
    if column.type in ISO_FORMS:
        form = written_form(column.format) if column.format else ISO_FORMS[column.type]
        rules.append(f"{column.type} written `{form}`")
    elif column.type == "boolean":
        rules.append(
            "boolean: true as "
            + " or ".join(f"`{v}`" for v in column.true_values)
            + "; false as "
            + " or ".join(f"`{v}`" for v in column.false_values)
        )
    elif column.type != "text":
        rules.append(column.type)
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
    if (bounds := _range(column)) is not None:
        rules.append(bounds)
    rules.extend(_dates(column, headers or {}))
    for rule, other in ((r, o) for r, o in column.order_rules if r.startswith("at_")):
        rules.append(f"{rule.replace('_', ' ')} {(headers or {}).get(other, other)!r} of the row")
    return "; ".join(rules) or "any text"


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
            f" A small delivery may fall further: the minimum is never above the"
            f" {CHANCE_LEVEL:.1%} lower limit of a count of that mean (a source of about 30 rows"
            " a month can send 10 by chance)."
        )
    if checks.same_file_name:
        # svdw.batch_history._yardstick: a partner keeping the name steady keeps the check useful.
        lines.append(
            "- **Your deliveries:** a file is compared with your earlier files of the same name,"
            " its digits (the month) aside: each sender (a force, a trust) sends its own file"
            " each month. Keep the name from month to month; a file named otherwise is compared"
            " with the files whose rows it replaces, or, when only one name came before and it"
            " starts a later month, with those files."
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


def scope_words(item: ScopeItem) -> str:
    """One value of a contract's replace scope, for the page."""
    if isinstance(item, ScopeCapture):
        return f"{item.name} (the first group of `{item.pattern}` in `{item.column}`)"
    return f"`{item}`"


def render(contract: Contract) -> str:
    scope = ", ".join(map(scope_words, contract.replace_scope)) or "the whole table (a snapshot)"
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
        (
            f"- **File:** `{contract.file_glob}`, {contract.encoding}, a GeoJSON FeatureCollection"
            " in longitude/latitude (CRS84), one feature per row: the columns below are its"
            " properties by name, `geometry` its geometry"
            + (f" ({' or '.join(contract.geometry_types)})" if contract.geometry_types else "")
            if contract.format == "geojson"
            else f"- **File:** `{contract.file_glob}`, {contract.encoding},"
            f" delimiter `{contract.delimiter}`, header row exactly as below (same names, same"
            " order)"
        ),
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
        _limits(contract),
        "- **While uploading:** write the file under a temporary name (ending `.part`, or"
        " starting with a dot) and rename it when complete; only complete names are loaded.",
        "",
        "| # | Header | Column | Required | Rule | Privacy | Meaning |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    headers = {c.name: c.header for c in contract.columns}
    for number, c in enumerate(contract.columns, 1):
        lines.append(
            f"| {number} | {c.header} | `{c.name}` | {_required(c)}"
            f" | {_rule(c, headers)} | {privacy(c)} | {c.description} |"
        )
    lines += [
        "",
        "A row that breaks a rule of the table (a wrong type or form, an empty required value,"
        " a value not allowed, a value out of its bounds or out of order with another column of"
        " the row) is quarantined with the reason; the other rows load.",
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


def _limits(contract: Contract) -> str:
    limits = contract.limits
    return (
        f"- **Limits:** a file of at most {size_words(limits.max_file_bytes)}, a record (all its"
        f" lines) of at most {limits.max_record_chars:,} characters, a field of at most"
        f" {limits.max_field_chars:,}; a larger file or a longer record is rejected whole, naming"
        " the line and field, and a row with a longer field is quarantined."
    )


def _required(column: Column) -> str:
    if column.default is not None:
        shown = f"`{column.default}`" if column.default else "empty"
        return f"no; may be absent from older files (then {shown})"
    return "yes" if column.required else "no"


def write_docs(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for contract in load_contracts().values():
        path = out_dir / f"{contract.name}.md"
        path.write_text(render(contract))
        written.append(path)
    return written
