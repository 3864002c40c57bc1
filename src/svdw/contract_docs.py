"""Partner onboarding pages (docs/partners/<contract>.md), rendered from the contracts so
the documentation can never drift from what the loader enforces."""

from __future__ import annotations

from pathlib import Path

from svdw.contracts import Column, Contract, load_contracts

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


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _range(column: Column) -> str | None:
    low, high = column.minimum, column.maximum
    if low is not None and high is not None:
        return f"between {_number(low)} and {_number(high)}"
    if low is not None:
        return f"at least {_number(low)}"
    if high is not None:
        return f"at most {_number(high)}"
    return None


def privacy(column: Column) -> str:
    if column.pseudonymise:
        return REPLACED_BY[column.pseudonymise]
    return PRIVACY[column.privacy]


def _rule(column: Column) -> str:
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
    return "; ".join(rules) or "any text"


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
        "- **Bad rows** go to `audit.quarantine` with their line and a reason naming the field;"
        " a file that cannot be read as this contract is rejected whole.",
        "",
        "| # | Header | Column | Required | Rule | Privacy | Meaning |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for number, c in enumerate(contract.columns, 1):
        lines.append(
            f"| {number} | {c.header} | `{c.name}` | {'yes' if c.required else 'no'} | {_rule(c)}"
            f" | {privacy(c)} | {c.description} |"
        )
    return "\n".join(lines) + "\n"


def write_docs(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for contract in load_contracts().values():
        path = out_dir / f"{contract.name}.md"
        path.write_text(render(contract))
        written.append(path)
    return written
