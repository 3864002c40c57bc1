-- Schools (GIAS extract), one row per establishment, renamed and typed once.
with

source as (

    select * from {{ pinned_source('raw', 'education__schools') }}

),

renamed as (

    select
        trim(school_urn)                           as school_urn,
        trim(la_code)                              as la_code,
        trim(la_name)                              as la_name,
        trim(establishment_number)                 as establishment_number,
        trim(la_code) || trim(establishment_number) as laestab,
        trim(school_name)                          as school_name,
        trim(establishment_type)                   as establishment_type,
        trim(establishment_type_group)             as establishment_type_group,
        trim(establishment_status)                 as establishment_status,
        trim(phase)                                as phase,
        cast(statutory_low_age as integer)         as statutory_low_age,
        cast(statutory_high_age as integer)        as statutory_high_age,
        cast(number_of_pupils as integer)          as number_of_pupils,
        upper(nullif(trim(school_postcode), ''))   as school_postcode,
        upper(nullif(trim(lsoa_code), ''))         as lsoa_code,
        cast(_batch_id as bigint)                  as _batch_id,
        cast(_line_number as integer)              as _line_number

    from source

)

select * from renamed
