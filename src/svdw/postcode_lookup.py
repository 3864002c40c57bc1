"""The loaded ONS postcode lookup as the loader reads it (postcode -> LSOA), read once per
version and kept between files. A national lookup holds ~140,000 postcodes and takes about a
second to read; a national month's health, education and youth justice files ask for it ~45
times (docs/benchmarks.md). The version is the table itself (its oid), its row count and a
checksum of its pairs, so any change to the lookup (a new delivery, a re-delivery, a deletion)
is read afresh."""

from __future__ import annotations

from typing import Any

import psycopg

TABLE = "raw.ons__postcode_lsoa_lookup"
_cached: dict[tuple[Any, ...], dict[str, str]] = {}


def postcode_lookup(conn: psycopg.Connection) -> dict[str, str]:
    """Normalised postcode (upper case, no spaces) -> LSOA code, from the loaded lookup."""
    # A checksum of the pairs: far cheaper than reading them (no rows cross the wire).
    row = conn.execute(
        f"select '{TABLE}'::regclass::oid, count(*),"
        " sum(hashtext(coalesce(postcode, '') || '|' || coalesce(lsoa_code, ''))::bigint)"
        f" from {TABLE}"
    ).fetchone()
    version = (conn.info.host, conn.info.port, conn.info.dbname, *(row or ()))
    if version not in _cached:
        rows = conn.execute(
            f"select upper(replace(postcode, ' ', '')), lsoa_code from {TABLE}"
            " where postcode is not null and lsoa_code is not null"
        ).fetchall()
        _cached.clear()  # one version is kept: the lookup is large
        _cached[version] = dict(rows)
    return _cached[version]
