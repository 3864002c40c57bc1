"""`svdw quarantine` shows quarantined text as it was stored: raw lines are data, not markup."""

from __future__ import annotations

from rich.console import Console

from svdw.cli.extracts import quarantine_table


def test_quarantined_text_is_printed_verbatim() -> None:
    raw = "41/0912345/25,[redacted],[hmac 0123456789abcdef],[bold]Y[/bold]"
    reason = "field 'Victim Date of Birth': expected the format %d/%m/%Y (value withheld)"
    console = Console(record=True, width=400)
    console.print(quarantine_table([(7, "crimes.csv", 12, reason, raw)]))
    shown = console.export_text()
    assert raw in shown
    assert reason in shown
