-- IMD 2019 (File 1) rank and decile, one row per LSOA.
with

source as (

    select * from {{ pinned_source('raw', 'imd__index_of_multiple_deprivation') }}

),

renamed as (

    select
        upper(trim(lsoa_code))          as lsoa_code,
        trim(lsoa_name)                 as lsoa_name,
        upper(trim(district_code))      as district_code,
        cast(imd_rank as integer)       as imd_rank,
        cast(imd_decile as integer)     as imd_decile,
        cast(_batch_id as bigint)       as _batch_id

    from source

)

select * from renamed
