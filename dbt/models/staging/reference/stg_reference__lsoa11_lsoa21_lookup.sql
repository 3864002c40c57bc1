-- ONS LSOA (2011) -> LSOA (2021) lookup, one row per overlapping pair of a 2011 and a 2021 LSOA
-- (U unchanged, S split, M merged, X irregular).
with

source as (

    select * from {{ source('raw', 'ons__lsoa11_lsoa21_lookup') }}

),

renamed as (

    select
        upper(trim(lsoa11_code))        as lsoa11_code,
        trim(lsoa11_name)               as lsoa11_name,
        upper(trim(lsoa21_code))        as lsoa21_code,
        trim(lsoa21_name)               as lsoa21_name,
        upper(trim(change_indicator))   as change_indicator,
        upper(trim(district_code))      as district_code,
        trim(district_name)             as district_name,
        cast(_batch_id as bigint)       as _batch_id

    from source

)

select * from renamed
