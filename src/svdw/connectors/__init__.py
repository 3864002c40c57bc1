"""Pull connectors: fetch partner files into the landing directory, where `svdw.ingest` (load,
archive, dedup by sha256) takes over.

- `fetch_new_files` copies new files from an SFTP server or S3-compatible object storage;
  `fetch_configured_source` does the same for a contract configured by `SVDW_SOURCE_<CONTRACT>`.
- `fetch_police_api` pulls a force's month from the police.uk API and writes it as a
  `<YYYY-MM>-<force>-street.csv` file of contract `police_uk_street`.

Every failure is a `ConnectorError` whose message names the source and says what to do next.
"""

from __future__ import annotations

from svdw.connectors.errors import ConnectorError
from svdw.connectors.objectstore import (
    SourceConfig,
    fetch_configured_source,
    fetch_new_files,
    source_config_for,
)
from svdw.connectors.police_api import CATEGORY_NAMES, fetch_police_api

__all__ = [
    "CATEGORY_NAMES",
    "ConnectorError",
    "SourceConfig",
    "fetch_configured_source",
    "fetch_new_files",
    "fetch_police_api",
    "source_config_for",
]
