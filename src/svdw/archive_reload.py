"""Load every archived file into the configured warehouse, with today's pseudonymisation key.

This is how the key is rotated (docs/runbook.md, "Rotating the pseudonymisation key"): the
warehouse keeps only keyed hashes, which no key can turn into other keyed hashes, so new person
keys need the clear identifiers, and only the encrypted archive still has them. Reloaded into a
fresh warehouse, every batch gets the new key at once; a warehouse already loaded with another
key refuses the load (svdw.key_fingerprint), so the two never mix.

Reference files first (other extracts need the postcode lookup), then each contract's files by
their original name, oldest delivery of a name first, as ingestion would have loaded them. A
file is decrypted into a private temporary folder only while it loads. Files already loaded
(same content) are no-ops, so an interrupted reload can simply be run again.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import psycopg

from svdw.archive import AGE_SUFFIX, ARCHIVED_NAME, identities, opened
from svdw.config import Settings
from svdw.contracts import Contract, get_contract, load_contracts
from svdw.loader import LoadResult, load_file


def archived_files(contract: Contract, settings: Settings) -> list[Path]:
    folder = settings.archive_dir / contract.name
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir() if p.is_file() and ARCHIVED_NAME.match(p.name)]

    def order(path: Path) -> tuple[str, float]:
        match = ARCHIVED_NAME.match(path.name)
        assert match
        return match["name"].removesuffix(AGE_SUFFIX), path.stat().st_mtime

    return sorted(found, key=order)


def reload_archive(
    conn: psycopg.Connection,
    settings: Settings,
    contract_names: list[str] | None = None,
    *,
    loaded_by: str = "svdw archive reload",
) -> list[LoadResult]:
    """Load the archived files of the contracts (default: all) into the warehouse."""
    contracts = (
        [get_contract(name) for name in contract_names]
        if contract_names
        else list(load_contracts().values())
    )
    contracts.sort(key=lambda c: (c.partner != "reference", c.name))
    stored = [(c, path) for c in contracts for path in archived_files(c, settings)]
    if any(path.suffix == AGE_SUFFIX for _, path in stored):
        identities(settings)  # fail before loading anything when the archive cannot be read
    results = []
    with tempfile.TemporaryDirectory(prefix="svdw-reload-") as private:
        for contract, path in stored:
            with opened(path, Path(private), settings) as clear:
                results.append(load_file(conn, clear, contract, loaded_by=loaded_by))
    return results
