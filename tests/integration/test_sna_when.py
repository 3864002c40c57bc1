"""The "When violence happens" models on a built synthetic warehouse: each publishes rows for the
dashboard, no small count shows, the published cells agree with the facts they aggregate
(counted here independently, in Python where the rule is the point), and the parts of the
night-time economy and after-school tables add up."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import psycopg
import pytest
from db import rows, scalar

pytestmark = pytest.mark.integration

# model -> its count columns, each disclosure-controlled by the row's disclosure_family
COUNT_COLUMNS = {
    "sna_violence_hour_weekday": ["event_count"],
    "sna_violence_night_time_economy": [
        "all_hours_count",
        "night_time_economy_count",
        "other_hours_count",
    ],
    "sna_violence_seasonality": ["event_count"],
    "sna_violence_after_school": ["event_count"],
}
# police 1-4 withheld; NHS data 1-7 withheld and the rest rounded to 5 (var disclosure_control)
RULES = {"police": (4, 1), "health": (7, 5)}


def in_default_night_time_window(at: datetime) -> bool:
    """Friday 20:00 to Saturday 04:00 and Saturday 20:00 to Sunday 04:00 (ISO Friday = 5)."""
    day, minute = at.isoweekday(), at.hour * 60 + at.minute
    opened_today = day in (5, 6) and minute >= 20 * 60
    opened_yesterday = (day - 1) in (5, 6) and minute < 4 * 60
    return opened_today or opened_yesterday


def serious_violence_offence_times(url: str) -> list[tuple[str, datetime]]:
    """(district, offence time) of each serious-violence crime in the force extract."""
    return rows(
        url,
        """
        select district_code, min(offence_at)
        from marts.fct_police_force_crime
        where is_serious_violence and district_code is not null and offence_at is not null
        group by crime_reference, district_code
        """,
    )


@pytest.mark.parametrize("model", sorted(COUNT_COLUMNS))
def test_model_has_visible_counts_and_no_small_ones(built_warehouse, model: str) -> None:
    with psycopg.connect(built_warehouse.url) as conn:
        for column in COUNT_COLUMNS[model]:
            for family, (up_to, base) in RULES.items():
                where = f"from sna.{model} where disclosure_family = '{family}'"
                small = scalar(conn, f"select count(*) {where} and {column} between 1 and {up_to}")
                unrounded = scalar(conn, f"select count(*) {where} and {column} % {base} <> 0")
                assert (small, unrounded) == (0, 0), (model, column, family)
            visible = scalar(conn, f"select count(*) from sna.{model} where {column} > 0")
            assert visible > 0, f"{model}.{column} has no visible non-zero count"


def test_heatmap_cells_count_the_force_extract_by_offence_hour(built_warehouse) -> None:
    """Every published police cell of the latest 12 months equals the serious-violence crimes of
    the force extract with that district, ISO weekday and offence hour."""
    crimes = serious_violence_offence_times(built_warehouse.url)
    expected = Counter((district, at.isoweekday(), at.hour) for district, at in crimes)
    published = rows(
        built_warehouse.url,
        """
        select district_code, iso_day_of_week, hour_of_day, event_count
        from sna.sna_violence_hour_weekday
        where source = 'police_force' and period_type = 'rolling_12_months'
            and geography_level = 'district' and not is_suppressed
        """,
    )
    assert published
    for district, day, hour, count in published:
        assert count == expected[(district, day, hour)], (district, day, hour)
    # every district and the partnership has all 168 cells; the partnership's published cells
    # count every district's crimes
    cells = scalar(
        built_warehouse.url,
        "select count(*) from sna.sna_violence_hour_weekday where source = 'police_force'"
        " and period_type = 'rolling_12_months'",
    )
    districts = scalar(
        built_warehouse.url, "select count(distinct district_code) from marts.dim_geography"
    )
    assert cells == 7 * 24 * (districts + 1)
    whole = Counter((at.isoweekday(), at.hour) for _, at in crimes)
    partnership = rows(
        built_warehouse.url,
        "select iso_day_of_week, hour_of_day, event_count from sna.sna_violence_hour_weekday"
        " where source = 'police_force' and period_type = 'rolling_12_months'"
        " and geography_level = 'partnership' and not is_suppressed",
    )
    assert partnership
    for day, hour, count in partnership:
        assert count == whole[(day, hour)], (day, hour)


def test_night_time_share_follows_the_window_and_parts_add_up(built_warehouse) -> None:
    crimes = serious_violence_offence_times(built_warehouse.url)
    in_window = Counter(d for d, at in crimes if in_default_night_time_window(at))
    everything = Counter(d for d, _ in crimes)
    published = rows(
        built_warehouse.url,
        """
        select district_code, all_hours_count, night_time_economy_count, other_hours_count
        from sna.sna_violence_night_time_economy
        where source = 'police_force' and period_type = 'rolling_12_months'
            and area_type = 'district' and not is_suppressed
        """,
    )
    assert published
    for district, all_hours, window, other in published:
        assert (all_hours, window) == (everything[district], in_window[district]), district
        assert window + other == all_hours
    # a district with town centres: the district's counts are its town centres' plus the rest's
    # (whatever LSOAs the seed names: read from the seed, not assumed)
    parts = rows(
        built_warehouse.url,
        """
        select district_code, period, source,
            max(all_hours_count) filter (where area_type = 'district'),
            sum(all_hours_count) filter (where area_type <> 'district'),
            bool_or(is_suppressed)
        from sna.sna_violence_night_time_economy
        group by district_code, period, source
        having count(*) filter (where area_type = 'town_centre') > 0
        """,
    )
    seeded = scalar(
        built_warehouse.url,
        """
        select count(distinct geography.district_code)
        from marts.town_centre_lsoas as seed
        join intermediate.int_lsoa_codes_mapped as mapped on seed.lsoa_code = mapped.lsoa_code
        join marts.dim_geography as geography on mapped.lsoa21_code = geography.lsoa_code
        """,
    )
    assert len({p[0] for p in parts}) == seeded
    for district, period, source, whole, summed, withheld in parts:
        assert source != "ed_assault", "ED records no place: no town-centre rows"
        if not withheld:
            assert whole == summed, (district, period, source)


def test_after_school_bands_share_out_the_period_hours(built_warehouse) -> None:
    found = rows(
        built_warehouse.url,
        """
        select source, period, district_code, sum(exposure_hours), sum(share_of_hours_percent),
            max(months_covered), count(*)
        from sna.sna_violence_after_school
        group by source, period, district_code
        """,
    )
    assert found
    for source, period, district, hours, share, _months, bands in found:
        assert bands == 2, (source, period, district)
        # the two bands cover every hour of the covered months once
        assert hours % 24 == 0 and 28 * 24 <= hours <= 366 * 24, (source, period, hours)
        if share is not None:
            assert abs(share - 100) <= 0.1
    after_school = scalar(
        built_warehouse.url,
        "select count(*) from sna.sna_violence_after_school"
        " where time_band = 'after_school' and exposure_hours > 0",
    )
    assert after_school > 0, "the synthetic months include school days"


def test_ambulance_trend_counts_the_callouts(built_warehouse) -> None:
    callouts = Counter(
        (month, district)
        for month, district in rows(
            built_warehouse.url,
            "select date_trunc('month', call_date)::date, district_code"
            " from marts.fct_ambulance_callout where district_code is not null",
        )
    )
    published = rows(
        built_warehouse.url,
        "select month_start, district_code, callout_count from sna.sna_ambulance_callouts_month"
        " where not is_suppressed",
    )
    assert published
    for month, district, count in published:
        true = callouts[(month, district)]
        assert true == 0 or true > 7, "a withheld count was published"
        assert count == 5 * round(true / 5), (month, district, true, count)
    hotspots = scalar(
        built_warehouse.url,
        "select count(*) from sna.sna_ambulance_callouts_lsoa where callout_rate_rank is not null",
    )
    assert hotspots > 0
