"""The demo's geography: a partnership generated on reference/ (real Hertfordshire), loaded and
built, draws every LSOA and ward it counts, and colours the wards by a published rate."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from db import rows, scalar
from scipy.stats import chi2

from svdw.loader import EXTRACT_SUFFIXES, load_file, loading_order
from svdw.synthetic import generate
from svdw.transform import build_warehouse

pytestmark = pytest.mark.integration
# Only what the tests read, and its parents: a fraction of the whole project's build.
MODELS = [
    "+dim_geography",
    "+int_area_boundaries",
    "+sna_violence_map",
    "+sna_violence_ward_latest_12_months",
    "+sna_violence_lsoa_latest_12_months",
]
HERTS_BOX = (-0.75, 51.59, 0.20, 52.09)  # west, south, east, north


@pytest.fixture(scope="module")
def herts_url(make_database: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory) -> str:
    out: Path = tmp_path_factory.mktemp("herts")
    generate(out, months=2, families={"reference", "police"})
    files = loading_order([p for p in out.rglob("*") if p.suffix in EXTRACT_SUFFIXES])
    url = make_database("herts")
    with psycopg.connect(url) as conn:
        for path in files:
            result = load_file(conn, path)
            assert result.status == "loaded" and not result.rows_quarantined, result
    build_warehouse(url, select=MODELS, report=lambda _line: None, trigger="tests")
    return url


def test_every_lsoa_and_ward_of_the_partnership_is_drawn(herts_url: str) -> None:
    assert scalar(herts_url, "select count(*) from marts.dim_geography") == 690
    drawn = dict(
        rows(
            herts_url,
            "select boundary_source, count(distinct area_code)"
            " from intermediate.int_area_boundaries group by 1",
        )
    )
    # 666 of Hertfordshire's 690 2011 LSOA codes live on in 2021; the other 24 (split or
    # merged in 2021) are drawn from the 2011 boundaries. Wards: all 179 of the lookup.
    assert drawn == {"lsoa_2021": 666, "lsoa_2011": 24, "ward_2019": 179}


def test_polygons_are_closed_rings_in_hertfordshire(herts_url: str) -> None:
    west, south, east, north = HERTS_BOX
    for (text,) in rows(herts_url, "select polygon from sna.sna_violence_map"):
        ring = json.loads(text)
        assert len(ring) >= 4 and ring[0] == ring[-1]
        assert all(west < lon < east and south < lat < north for lon, lat in ring)


def test_ward_rates_carry_their_interval_and_wards_add_up_to_the_lsoas(herts_url: str) -> None:
    wards = rows(
        herts_url,
        "select violence_count, population, violence_rate_per_1000_lower_95,"
        " violence_rate_per_1000, violence_rate_per_1000_upper_95"
        " from sna.sna_violence_ward_latest_12_months",
    )
    published = [w for w in wards if w[3] is not None]
    assert len(published) > 100  # most wards have ten or more offences in two months
    for count, population, low, rate, high in published:
        # Byar's limits are within 1% of the exact Poisson limits (chi-squared quantiles)
        exact_low = chi2.ppf(0.025, 2 * count) / 2 * 1000 / population
        exact_high = chi2.ppf(0.975, 2 * count + 2) / 2 * 1000 / population
        assert float(low) == pytest.approx(exact_low, rel=0.01, abs=0.01)
        assert float(high) == pytest.approx(exact_high, rel=0.01, abs=0.01)
        assert low < rate < high
    # Nothing withheld anywhere: each ward's count is the sum of its LSOAs' counts.
    mismatched = scalar(
        herts_url,
        "select count(*) from sna.sna_violence_ward_latest_12_months w"
        " join (select ward_code, sum(violence_count) as n, bool_or(is_suppressed) as any_withheld"
        "       from sna.sna_violence_lsoa_latest_12_months group by ward_code) l using (ward_code)"
        " where not w.is_suppressed and not l.any_withheld and w.violence_count <> l.n",
    )
    assert mismatched == 0
