-- ONS postcode -> OA -> LSOA -> MSOA -> district (best fit) lookup, one row per postcode.
with

source as (

    select * from {{ pinned_source('raw', 'ons__postcode_lsoa_lookup') }}

),

renamed as (

    select
        upper(trim(postcode))                      as postcode,
        upper(nullif(trim(oa_code), ''))           as oa_code,
        upper(nullif(trim(lsoa_code), ''))         as lsoa_code,
        upper(nullif(trim(msoa_code), ''))         as msoa_code,
        nullif(trim(msoa_name), '')                as msoa_name,
        upper(nullif(trim(district_code), ''))     as district_code,
        nullif(trim(date_terminated), '') is null  as is_live,
        cast(_batch_id as bigint)                  as _batch_id

    from source

)

select * from renamed
