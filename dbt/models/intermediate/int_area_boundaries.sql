-- The polygons to draw each area of the partnership with: one row per area and polygon (an
-- area of several polygons, an island or a MultiPolygon, has several rows), the polygon as its
-- outer ring, a JSON array of [longitude, latitude] (what Superset's deck.gl Polygon layer draws;
-- holes are left out: one LSOA in Hertfordshire has one). No PostGIS: GeoJSON is kept as jsonb
-- (docs/geography.md, "Boundaries").
--   lsoa: each 2021 LSOA of dim_geography, from the 2021 boundaries where they hold its code,
--         else from the 2011 boundaries of the 2011 LSOAs it came from (a merge is drawn as its
--         parts; a split as its whole parent, the best that 2011 boundaries can do).
--   ward: each ward of dim_geography, from the ward boundaries.
{{ config(materialized='table', schema='intermediate') }}

with

geography as (

    select lsoa_code, lsoa_2011_codes, ward_code from {{ ref('dim_geography') }}

),

lsoa21 as (

    select
        'lsoa'              as area_type,
        geography.lsoa_code as area_code,
        'lsoa_2021'         as boundary_source,
        geography.lsoa_code as source_code,
        boundaries.geometry
    from geography
    inner join {{ ref('stg_reference__lsoa21_boundaries') }} as boundaries
        on geography.lsoa_code = boundaries.lsoa_code

),

lsoa11 as (

    select
        'lsoa'              as area_type,
        geography.lsoa_code as area_code,
        'lsoa_2011'         as boundary_source,
        boundaries.lsoa_code as source_code,
        boundaries.geometry
    from geography
    cross join lateral unnest(string_to_array(geography.lsoa_2011_codes, ',')) as parent(code)
    inner join {{ ref('stg_reference__lsoa11_boundaries') }} as boundaries
        on parent.code = boundaries.lsoa_code
    where not exists (select 1 from lsoa21 where lsoa21.area_code = geography.lsoa_code)

),

wards as (

    select
        'ward'                  as area_type,
        boundaries.ward_code    as area_code,
        'ward_2019'             as boundary_source,
        boundaries.ward_code    as source_code,
        boundaries.geometry
    from {{ ref('stg_reference__ward_boundaries') }} as boundaries
    where boundaries.ward_code in (select ward_code from geography)

),

geometries as (

    select * from lsoa21
    union all
    select * from lsoa11
    union all
    select * from wards

),

polygons as (

    -- a Polygon's coordinates are its rings; a MultiPolygon's, a list of such polygons
    select
        geometries.area_type,
        geometries.area_code,
        geometries.boundary_source,
        geometries.source_code,
        part.position,
        part.coordinates -> 0 as outer_ring
    from geometries
    cross join lateral jsonb_array_elements(
        case geometries.geometry ->> 'type'
            when 'Polygon' then jsonb_build_array(geometries.geometry -> 'coordinates')
            else geometries.geometry -> 'coordinates'
        end
    ) with ordinality as part(coordinates, position)

),

final as (

    select
        area_type,
        area_code,
        boundary_source,
        cast(
            row_number() over (partition by area_type, area_code order by source_code, position)
            as integer
        )                               as polygon_number,
        cast(outer_ring as text)        as polygon
    from polygons

)

select * from final
