-- Approximate point for each LSOA: the mean latitude and longitude of the police.uk snap points
-- of the crimes recorded in it. Snap points are anonymised map points (street centres, public
-- places), so this is a point for drawing an LSOA on a map, not its geometric or population
-- centroid (it may even fall outside a concave LSOA); LSOAs without a located crime have no row.
{{ config(materialized='table', schema='intermediate') }}

with

points as (

    -- the partnership's 2021 LSOA, or the published code of an LSOA outside the area
    select coalesce(lsoa_code, source_lsoa_code) as lsoa_code, latitude, longitude
    from {{ ref('fct_police_crime') }}
    where coalesce(lsoa_code, source_lsoa_code) is not null
        and latitude is not null
        and longitude is not null

),

final as (

    select
        lsoa_code,
        cast(round(avg(latitude)::numeric, 6) as numeric(9, 6))   as latitude,
        cast(round(avg(longitude)::numeric, 6) as numeric(9, 6))  as longitude,
        count(*)                                                  as snap_point_records
    from points
    group by lsoa_code

)

select * from final
