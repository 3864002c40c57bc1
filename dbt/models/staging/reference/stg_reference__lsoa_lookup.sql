-- ONS LSOA -> ward -> local authority district lookup, one row per LSOA.
with

source as (

    select * from {{ pinned_source('raw', 'ons__lsoa_ward_lad_lookup') }}

),

renamed as (

    select
        upper(trim(lsoa_code))          as lsoa_code,
        trim(lsoa_name)                 as lsoa_name,
        upper(trim(ward_code))          as ward_code,
        trim(ward_name)                 as ward_name,
        upper(trim(district_code))      as district_code,
        trim(district_name)             as district_name,
        cast(_batch_id as bigint)       as _batch_id

    from source

)

select * from renamed
