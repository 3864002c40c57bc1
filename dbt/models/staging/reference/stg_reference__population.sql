-- IMD 2019 population denominators (mid-2015 estimates), one row per LSOA.
with

source as (

    select * from {{ pinned_source('raw', 'imd__population_denominators') }}

),

renamed as (

    select
        upper(trim(lsoa_code))                      as lsoa_code,
        trim(lsoa_name)                             as lsoa_name,
        upper(trim(district_code))                  as district_code,
        trim(district_name)                         as district_name,
        cast(population_total as integer)           as population_total,
        cast(population_0_15 as integer)            as population_0_15,
        cast(population_16_59 as integer)           as population_16_59,
        cast(population_60_plus as integer)         as population_60_plus,
        cast(population_working_age as integer)     as population_working_age,
        cast(_batch_id as bigint)                   as _batch_id

    from source

)

select * from renamed
