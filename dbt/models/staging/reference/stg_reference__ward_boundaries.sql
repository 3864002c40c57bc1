-- Electoral ward (2019) boundaries, one row per ward: the polygon as GeoJSON geometry (jsonb),
-- longitude/latitude, with the codes of the ward lookup.
with

source as (

    select * from {{ pinned_source('raw', 'ons__ward_boundaries') }}

),

renamed as (

    select
        upper(trim(ward_code))          as ward_code,
        trim(ward_name)                 as ward_name,
        upper(trim(district_code))      as district_code,
        cast(geometry as jsonb)         as geometry,
        cast(_batch_id as bigint)       as _batch_id

    from source

)

select * from renamed
