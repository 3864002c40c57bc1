-- ONS LSOA (2021) boundaries, one row per LSOA: the polygon as GeoJSON geometry (jsonb),
-- longitude/latitude. The loader checked the GeoJSON is well-formed (svdw.geojson_reader).
with

source as (

    select * from {{ pinned_source('raw', 'ons__lsoa21_boundaries') }}

),

renamed as (

    select
        upper(trim(lsoa_code))          as lsoa_code,
        trim(lsoa_name)                 as lsoa_name,
        cast(geometry as jsonb)         as geometry,
        cast(_batch_id as bigint)       as _batch_id

    from source

)

select * from renamed
