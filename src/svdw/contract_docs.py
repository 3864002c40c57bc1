"""Partner onboarding pages (docs/partners/<contract>.md), rendered from the contracts so
the documentation can never drift from what the loader enforces."""

from __future__ import annotations

from pathlib import Path

from svdw.contracts import Column, Contract, load_contracts

PRIVACY = {
    "none": "not identifying",
    "quasi_identifier": "quasi-identifier (kept, coarsened where the contract says)",
    "direct_identifier": "direct identifier: replaced at load by a keyed hash, never stored",
}


def _rule(column: Column) -> str:
    rules = []
    if column.type != "text":
        rules.append(
            {"month": "month YYYY-MM", "date": "date YYYY-MM-DD"}.get(column.type, column.type)
        )
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
    if column.minimum is not None or column.maximum is not None:
        rules.append(f"between {column.minimum} and {column.maximum}")
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
            f" | {PRIVACY[c.privacy]} | {c.description} |"
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
