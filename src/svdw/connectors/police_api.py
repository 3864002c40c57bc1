"""Pull a force's month of street-level crime from the police.uk API into landing, written in
the bulk-download CSV format of contract `police_uk_street` (`<YYYY-MM>-<force>-street.csv`).

The API has no "all street crime of a force" call, so a force is read neighbourhood by
neighbourhood: `/{force}/neighbourhoods`, each `/{force}/{id}/boundary` as the `poly` of
`/crimes-street/all-crime` (POSTed when the polygon is too long for a URL), plus
`/crimes-no-location?category=all-crime&force=...` for crimes with no location. Crimes seen in
two neighbourhoods (on a shared edge) are kept once (by API id). Pass `poly` (or set
`SVDW_POLICE_API_POLY_<FORCE>`) to read one custom area instead, for example the partnership's
boundary; the file still replaces the whole force-month in the warehouse (contract replace
scope: month, falls_within), so use one way per force consistently.

Differences from the bulk files, by the API's nature:
- `LSOA code` and `LSOA name` are empty: the API does not return them. dbt can derive them from
  the coordinates if needed; the contract allows them empty.
- `Reported by` and `Falls within` are both the force's name (from `/forces/{force}`).
- `Location` is the street name ("On or near ..."), or "No Location" as in the bulk files.
- `Crime type` maps the API's category slug (e.g. `violent-crime`) to the bulk files' name
  (`Violence and sexual offences`); see CATEGORY_NAMES.

The base URL is `SVDW_POLICE_API_URL` (default https://data.police.uk/api). HTTP 429 and 5xx
answers, and network errors, are retried with bounded exponential back-off (honouring
Retry-After up to a minute); then a ConnectorError says what failed and what to do.
"""

from __future__ import annotations

import csv
import json
import logging
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from svdw.config import POLICE_API_POLY_PREFIX, Settings, suffix_key
from svdw.connectors.errors import ConnectorError
from svdw.contracts import get_contract
from svdw.landing import arrival_path

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://data.police.uk/api"
CONTRACT = "police_uk_street"
USER_AGENT = "svdw (Serious Violence Duty warehouse) police.uk connector"
MAX_URL_CHARS = 4000
MAX_RETRY_AFTER_S = 60.0
RETRY_STATUSES = {429, 500, 502, 503, 504}

# API category slug -> "Crime type" as in the bulk CSV files (and the contract's allowed list).
CATEGORY_NAMES: dict[str, str] = {
    "anti-social-behaviour": "Anti-social behaviour",
    "bicycle-theft": "Bicycle theft",
    "burglary": "Burglary",
    "criminal-damage-arson": "Criminal damage and arson",
    "drugs": "Drugs",
    "other-crime": "Other crime",
    "other-theft": "Other theft",
    "possession-of-weapons": "Possession of weapons",
    "public-disorder-weapons": "Public disorder and weapons",
    "public-order": "Public order",
    "robbery": "Robbery",
    "shoplifting": "Shoplifting",
    "theft-from-the-person": "Theft from the person",
    "vehicle-crime": "Vehicle crime",
    "violent-crime": "Violence and sexual offences",
}


def base_url_from_env() -> str:
    return Settings.from_env().police_api_url or DEFAULT_BASE_URL


def poly_env_key(force: str) -> str:
    return suffix_key(POLICE_API_POLY_PREFIX, force)


class _Client:
    def __init__(
        self,
        base_url: str,
        *,
        attempts: int,
        backoff_s: float,
        timeout_s: float,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.attempts = max(1, attempts)
        self.backoff_s = backoff_s
        self.timeout_s = timeout_s
        self.sleep = sleep

    def get(self, path: str, params: dict[str, str] | None = None) -> Any:
        url = f"{self.base_url}/{path.lstrip('/')}"
        query = urllib.parse.urlencode(params or {}, safe=",:")
        if query and len(url) + len(query) + 1 <= MAX_URL_CHARS:
            return self._request(f"{url}?{query}", None)
        if query:  # a long polygon: the API accepts the same parameters as a POST form
            return self._request(url, query.encode())
        return self._request(url, None)

    def _request(self, url: str, body: bytes | None) -> Any:
        source = f"police.uk API {url.split('?', 1)[0]}"
        problem = ""
        for attempt in range(1, self.attempts + 1):
            request = urllib.request.Request(
                url,
                data=body,
                headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
                method="POST" if body is not None else "GET",
            )
            retry_after: float | None = None
            try:
                with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                    return json.load(response)
            except urllib.error.HTTPError as exc:
                if exc.code not in RETRY_STATUSES:
                    raise ConnectorError(
                        source,
                        f"HTTP {exc.code} {exc.reason}",
                        "check the force id (see /forces) and the month (YYYY-MM, see "
                        "/crimes-street-dates)"
                        if exc.code in (400, 404)
                        else "check SVDW_POLICE_API_URL and the request",
                    ) from exc
                problem = f"HTTP {exc.code} {exc.reason}"
                retry_after = _retry_after(exc.headers.get("Retry-After"))
            except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
                problem = f"network error ({getattr(exc, 'reason', exc)})"
            except json.JSONDecodeError as exc:
                raise ConnectorError(
                    source,
                    f"the answer is not JSON ({exc})",
                    "check SVDW_POLICE_API_URL points at the police.uk API",
                ) from exc
            if attempt < self.attempts:
                delay = self.backoff_s * 2 ** (attempt - 1)
                if retry_after is not None:
                    delay = retry_after
                log.warning("%s: %s; retry %d in %.1fs", source, problem, attempt, delay)
                self.sleep(min(delay, MAX_RETRY_AFTER_S))
        hint = "the API may be down or rate-limiting: try again later"
        if "503" in problem and (body is not None or "poly=" in url):
            hint = (
                "police.uk answers 503 when an area holds more than 10,000 crimes: use a "
                "smaller area (poly), or try again later if the API is down"
            )
        raise ConnectorError(source, f"{problem} after {self.attempts} attempt(s)", hint)


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def _polygon(points: Iterable[dict[str, Any]]) -> str:
    return ":".join(f"{p['latitude']},{p['longitude']}" for p in points)


def _force_name(client: _Client, force: str) -> str:
    info = client.get(f"forces/{force}")
    name = info.get("name") if isinstance(info, dict) else None
    if not name:
        raise ConnectorError(
            f"police.uk API forces/{force}",
            "the answer has no force name",
            "check the force id against /forces",
        )
    return str(name)


def _areas(client: _Client, force: str, poly: str | None) -> Iterator[str]:
    if poly:
        yield poly
        return
    neighbourhoods = client.get(f"{force}/neighbourhoods")
    if not neighbourhoods:
        raise ConnectorError(
            f"police.uk API {force}/neighbourhoods",
            "the force has no neighbourhoods to read street crime by",
            f"pass poly= (or set {poly_env_key(force)}) to read a custom area",
        )
    for hood in neighbourhoods:
        boundary = client.get(f"{force}/{urllib.parse.quote(str(hood['id']), safe='')}/boundary")
        if boundary:
            yield _polygon(boundary)


def _row(crime: dict[str, Any], force_name: str) -> list[str]:
    slug = str(crime.get("category") or "")
    crime_type = CATEGORY_NAMES.get(slug)
    if crime_type is None:
        crime_type = slug.replace("-", " ").capitalize()
        log.warning("police.uk category %r is not mapped; written as %r", slug, crime_type)
    location = crime.get("location") or {}
    street = location.get("street") or {}
    outcome = crime.get("outcome_status") or {}
    return [
        str(crime.get("persistent_id") or ""),
        str(crime.get("month") or ""),
        force_name,
        force_name,
        str(location.get("longitude") or ""),
        str(location.get("latitude") or ""),
        str(street.get("name") or "") if location else "No Location",
        "",  # LSOA code: not in the API
        "",  # LSOA name: not in the API
        crime_type,
        str(outcome.get("category") or ""),
        str(crime.get("context") or ""),
    ]


def fetch_police_api(
    force: str,
    month: str,
    settings: Settings,
    base_url: str | None = None,
    *,
    poly: str | None = None,
    attempts: int = 5,
    backoff_s: float = 1.0,
    timeout_s: float = 60.0,
) -> Path:
    """Write `<landing>/police_uk_street/<month>-<force>-street.csv` from the police.uk API
    (street crimes of the force's neighbourhoods, or of `poly`, plus crimes with no location)
    and return its path. The file appears atomically (written to a temporary name, renamed)."""
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", force):
        raise ConnectorError(
            "police.uk API",
            f"{force!r} is not a police.uk force id",
            "use the id from /forces, e.g. 'hertfordshire' or 'metropolitan'",
        )
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise ConnectorError("police.uk API", f"{month!r} is not a month", "use YYYY-MM")
    client = _Client(
        base_url or base_url_from_env(), attempts=attempts, backoff_s=backoff_s, timeout_s=timeout_s
    )
    poly = poly or Settings.from_env().police_api_poly(force)
    force_name = _force_name(client, force)
    contract = get_contract(CONTRACT)
    folder = settings.landing_dir / contract.name
    folder.mkdir(parents=True, exist_ok=True)
    # A month fetched again while the first copy still waits goes beside it (svdw.landing).
    target = arrival_path(folder, f"{month}-{force}-street.csv")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = folder / f".{target.name}.{uuid.uuid4().hex[:8]}.part"
    seen: set[str] = set()
    rows = 0
    try:
        with partial.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(contract.headers)

            def write(batch: Iterable[dict[str, Any]]) -> None:
                nonlocal rows
                for crime in batch:
                    key = str(crime.get("id") or crime.get("persistent_id") or "")
                    if key and key in seen:
                        continue
                    seen.add(key)
                    writer.writerow(_row(crime, force_name))
                    rows += 1

            for area in _areas(client, force, poly):  # one area's answer in memory at a time
                write(client.get("crimes-street/all-crime", {"poly": area, "date": month}))
            write(
                client.get(
                    "crimes-no-location", {"category": "all-crime", "force": force, "date": month}
                )
            )
        if rows == 0:
            raise ConnectorError(
                f"police.uk API ({force}, {month})",
                "no crimes returned",
                "police.uk publishes about two months in arrears: check /crimes-street-dates "
                "for the months available",
            )
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    log.info("police.uk API: %d crime(s) of %s, %s -> %s", rows, force, month, target)
    return target
