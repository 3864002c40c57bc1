"""The `svdw` Typer application and what every command shares: the consoles and one way to fail."""

from __future__ import annotations

import typer
from rich.console import Console

app = typer.Typer(
    help=(
        "Serious Violence Duty warehouse.\n\n"
        "Load partner extracts against their data contracts (svdw load), build the star schema "
        "and SNA marts with dbt and Great Expectations (svdw build), and see what was loaded "
        "and rejected (svdw status, svdw quarantine). `make demo` runs the whole pipeline "
        "through Airflow; these commands run the same code by hand.\n\n"
        "Settings come from the environment and the repo's .env (WAREHOUSE_URL, "
        "SVDW_LANDING_DIR, SVDW_ARCHIVE_DIR, SVDW_PSEUDONYM_KEY)."
    ),
    no_args_is_help=True,
    rich_markup_mode="markdown",
)
console = Console()
err = Console(stderr=True)


def fail(message: str, hint: str | None = None) -> typer.Exit:
    """Print the error and what to do next; `raise fail(...)` exits with status 1."""
    err.print(f"[bold red]error:[/] {message}")
    if hint:
        err.print(f"[yellow]next:[/] {hint}")
    return typer.Exit(code=1)
