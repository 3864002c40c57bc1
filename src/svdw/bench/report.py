"""docs/benchmarks.md from bench/results.json: the machine, then one section per figure with
its cases (median, min, max of the runs), its target, and what bounds it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from svdw.bench.stats import FIGURES

# The notes section on running the benchmark (its knobs, how long it takes), printed before
# the figures.
RUNNING = "Running it"


def _cell(value: Any) -> str:
    if isinstance(value, Mapping) and "median" in value:
        runs = len(value["runs"])
        detail = f"; {value['detail']}" if value.get("detail") else ""
        return (
            f"{value['median']:,} (min {value['min']:,}, max {value['max']:,}; {runs} runs)"
            + detail
        )
    if isinstance(value, float):
        return f"{value:,}"
    return str(value)


def _case_rows(cases: Mapping[str, Any]) -> list[str]:
    lines = []
    for case, value in cases.items():
        if isinstance(value, Mapping) and "median" not in value:
            for name, inner in value.items():
                lines.append(f"| {case} | {name} | {_cell(inner)} |")
        else:
            lines.append(f"| {case} | | {_cell(value)} |")
    return lines


def render(results: Mapping[str, Any], notes: Mapping[str, str]) -> str:
    machine, run = results["machine"], results["run"]
    packages = ", ".join(f"{k} {v}" for k, v in machine.get("packages", {}).items())
    lines = [
        "# Benchmarks (`make bench`)",
        "",
        "Written by `make bench` (benchmarks/bench.py) from bench/results.json; the notes"
        " under each figure (what bounds it, what was tried) are kept in benchmarks/notes.md."
        " Each figure is the median of repeated runs with min and max; every ratio compares"
        " runs made in the same repeat on the same files (throughput ratio = baseline seconds /"
        " svdw seconds, so above 1 means svdw is faster).",
        "",
        "## Machine and run",
        "",
        f"- {machine.get('cores')} cores ({machine.get('cpu')}), {machine.get('memory_gb')} GB"
        f" memory, {machine.get('os')}",
        f"- Python {machine.get('python')}, PostgreSQL {machine.get('postgresql')}; {packages}",
        f"- commit {machine.get('commit')}; started {run.get('started')}, {run.get('seconds')} s;"
        f" load average {machine.get('load_average_at_start')} at the start,"
        f" {run.get('load_average_at_end')} at the end (the machine is shared: other sessions'"
        " work runs beside the benchmark)",
        f"- options: `{run.get('options')}`",
        "",
        *([f"## {RUNNING}", "", notes[RUNNING].strip(), ""] if notes.get(RUNNING) else []),
        "## Figures",
        "",
        "| key | target | status |",
        "| --- | --- | --- |",
    ]
    figures = results["figures"]
    for key, (unit, target) in FIGURES.items():
        entry = figures.get(key, {})
        lines.append(f"| `{key}` | {target or 'reported'} ({unit}) | {entry.get('status', '-')} |")
    for key in FIGURES:
        entry = figures.get(key, {})
        lines += ["", f"### `{key}`", ""]
        if entry.get("reason"):
            said = "Note" if entry.get("status") == "measured" else "Not measured"
            lines += [f"{said}: {entry['reason']}", ""]
        if entry.get("scope"):
            lines += [f"Measured at: {entry['scope']}", ""]
        if entry.get("measured"):
            stamp = entry["measured"]
            lines += [
                f"Run {stamp.get('run')} (`{stamp.get('options')}`), load average"
                f" {stamp.get('load_average')} when the part finished.",
                "",
            ]
        if entry.get("cases"):
            lines += ["| case | measure | value |", "| --- | --- | --- |"]
            lines += _case_rows(entry["cases"])
            lines.append("")
        if notes.get(key):
            lines += [notes[key].strip(), ""]
    return "\n".join(lines).rstrip() + "\n"


def read_notes(text: str) -> dict[str, str]:
    """Notes by figure key from a markdown file of `## key` sections."""
    notes: dict[str, str] = {}
    key = None
    for line in text.splitlines():
        if line.startswith("## "):
            key = line[3:].strip().strip("`")
            notes[key] = ""
        elif key is not None:
            notes[key] += line + "\n"
    return notes
