-- ONS LSOA (2021) boundaries, one row per LSOA: the polygon as GeoJSON geometry (jsonb),
-- longitude/latitude. The loader checked the GeoJSON is well-formed (svdw.geojson_reader).
with

source as (

    select * from {{ pinned_source('raw', 'ons__lsoa21_boundaries') }}

),

renamed as (

    {{ lsoa_boundaries_renamed('source') }}

)

select * from renamed
