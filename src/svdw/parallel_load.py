"""Loading many files with several processes (`svdw load --jobs N`).

The loader spends its time in Python, one row at a time, so one process keeps one core busy;
a delivery of many contracts (a month of every extract) loads on several cores instead. Files
are grouped by contract and each group loads in one process, in loading order: a contract's
loads are serialised by the loader's advisory lock anyway, and a re-delivery must load after
the delivery it replaces. Reference files (the postcode lookup that other contracts read) load
first, in this process, before any group starts. Each load is still one file in one
transaction, with the same audit rows, quarantine and re-delivery rules as `load_file`.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from svdw.contracts import Contract
from svdw.loader import FileRejected, LoadResult, detect_contract, load_file, loading_order


@dataclass
class GroupOutcome:
    """What one group's process did: its results in order, and the error that stopped it (the
    file it was loading, what kind of error, the message), if one did."""

    results: list[LoadResult] = field(default_factory=list)
    failed_path: Path | None = None
    failure: str = ""  # "pseudonymisation" or "connection"
    message: str = ""
    seconds: float = 0.0  # how long the group took in its process


def contract_groups(
    files: list[Path], chosen: Contract | None = None
) -> tuple[list[Path], list[list[Path]]]:
    """(reference files, in loading order; the other files grouped by contract, each group in
    loading order, the largest group first so it starts first). A file no contract reads is a
    group of its own: its load records the rejection."""
    reference: list[Path] = []
    groups: dict[str, list[Path]] = {}
    for path in loading_order(files):
        try:
            contract = chosen or detect_contract(path)
        except FileRejected:
            groups[f"unreadable:{path}"] = [path]
            continue
        if contract.partner == "reference":
            reference.append(path)
        else:
            groups.setdefault(contract.name, []).append(path)
    ordered = sorted(groups.values(), key=lambda g: -sum(p.stat().st_size for p in g if p.exists()))
    return reference, ordered


def load_group(
    url: str, paths: list[Path], contract: Contract | None, loaded_by: str
) -> GroupOutcome:
    """Load the files in order in one connection; stop at an error that is not a rejection."""
    from svdw.pseudonymise import PseudonymisationError

    started = time.perf_counter()
    outcome = GroupOutcome()
    try:
        conn = psycopg.connect(url, application_name="svdw")
    except psycopg.OperationalError as exc:
        return GroupOutcome(failed_path=paths[0], failure="connection", message=str(exc))
    with conn:
        for path in paths:
            try:
                outcome.results.append(load_file(conn, path, contract, loaded_by=loaded_by))
            except (PseudonymisationError, psycopg.OperationalError) as exc:
                pseudonymisation = isinstance(exc, PseudonymisationError)
                kind = "pseudonymisation" if pseudonymisation else "connection"
                outcome.failed_path, outcome.failure, outcome.message = path, kind, str(exc)
                break
    outcome.seconds = time.perf_counter() - started
    return outcome


def load_in_parallel(
    url: str,
    files: list[Path],
    jobs: int,
    contract: Contract | None = None,
    loaded_by: str = "svdw load",
    on_outcome: Callable[[GroupOutcome], object] | None = None,
) -> list[GroupOutcome]:
    """Load `files` with up to `jobs` processes (see the module doc); the reference files'
    outcome comes first, then each group's as it finishes (`on_outcome` is told of each)."""
    reference, groups = contract_groups(files, contract)
    outcomes: list[GroupOutcome] = []

    def done(outcome: GroupOutcome) -> None:
        outcomes.append(outcome)
        if on_outcome is not None:
            on_outcome(outcome)

    if reference:
        done(load_group(url, reference, contract, loaded_by))
        if outcomes[-1].failure:
            return outcomes
    if jobs == 1 or len(groups) == 1:  # nothing to share out: no process to start
        for group in groups:
            done(load_group(url, group, contract, loaded_by))
        return outcomes
    # spawn, not fork: a forked child would share this process's open connections and locks
    context = multiprocessing.get_context("spawn")
    workers = max(1, min(jobs, len(groups)))
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [pool.submit(load_group, url, group, contract, loaded_by) for group in groups]
        for future in as_completed(futures):
            done(future.result())
    return outcomes


def loaded_results(outcomes: list[GroupOutcome]) -> list[LoadResult]:
    """Every load result of the outcomes, for callers that need every file loaded (the
    benchmarks); RuntimeError names the first file that stopped its group or was not loaded."""
    results = []
    for outcome in outcomes:
        if outcome.failure:
            raise RuntimeError(f"{outcome.failed_path}: {outcome.message}")
        for result in outcome.results:
            if result.status != "loaded":
                raise RuntimeError(f"{result.path.name} was not loaded: {result.error}")
            results.append(result)
    return results
