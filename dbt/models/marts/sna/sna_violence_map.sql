-- The violence rate maps (Hotspots dashboard): each LSOA and ward of the partnership as its
-- polygons (one row per polygon, int_area_boundaries), coloured by violence and sexual offences
-- per 1,000 residents over the latest 12 months. The counts and rates are those already
-- published, with their disclosure control, by sna_violence_lsoa_latest_12_months and
-- sna_violence_ward_latest_12_months; the LSOA rate's 95% interval is computed here from the
-- published count (NULL exactly when the rate is withheld, as published_rate_interval does).
-- LSOA rows also carry the LSOA's area prioritisation score (sna_area_prioritisation), for the
-- priority areas map. An area with no boundary loaded has no row.

with

lsoas as (

    select
        'lsoa'              as area_type,
        lsoa_code           as area_code,
        lsoa_name           as area_name,
        ward_name,
        district_code,
        district_name,
        period_start,
        period_end,
        population,
        violence_count,
        violence_rate_per_1000,
        {{ published_rate_interval(
            'violence_count', 'population', 'lower', per=1000, decimals=2,
            withheld=['is_suppressed'], family='police'
        ) }} as violence_rate_per_1000_lower_95,
        {{ published_rate_interval(
            'violence_count', 'population', 'upper', per=1000, decimals=2,
            withheld=['is_suppressed'], family='police'
        ) }} as violence_rate_per_1000_upper_95,
        is_suppressed
    from {{ ref('sna_violence_lsoa_latest_12_months') }}

),

priorities as (

    select
        'lsoa'      as area_type,
        lsoa_code   as area_code,
        total_score as priority_total_score,
        is_priority_area
    from {{ ref('sna_area_prioritisation') }}

),

wards as (

    select
        'ward'              as area_type,
        ward_code           as area_code,
        ward_name           as area_name,
        ward_name,
        district_code,
        district_name,
        period_start,
        period_end,
        population,
        violence_count,
        violence_rate_per_1000,
        violence_rate_per_1000_lower_95,
        violence_rate_per_1000_upper_95,
        is_suppressed
    from {{ ref('sna_violence_ward_latest_12_months') }}

),

areas as (

    select * from lsoas
    union all
    select * from wards

),

final as (

    select
        areas.area_type,
        areas.area_code,
        areas.area_name,
        areas.ward_name,
        areas.district_code,
        areas.district_name,
        areas.period_start,
        areas.period_end,
        areas.population,
        areas.violence_count,
        areas.violence_rate_per_1000,
        areas.violence_rate_per_1000_lower_95,
        areas.violence_rate_per_1000_upper_95,
        areas.is_suppressed,
        priorities.priority_total_score,
        priorities.is_priority_area,
        boundaries.polygon_number,
        boundaries.polygon
    from areas
    inner join {{ ref('int_area_boundaries') }} as boundaries
        on areas.area_type = boundaries.area_type
        and areas.area_code = boundaries.area_code
    left join priorities
        on areas.area_type = priorities.area_type
        and areas.area_code = priorities.area_code

)

select * from final
