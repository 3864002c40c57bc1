-- Pupil attendance by term, one row per raw row (pupil, school, term), renamed and typed once.
with

source as (

    select * from {{ pinned_source('raw', 'education__attendance') }}

),

renamed as (

    select
        md5(cast(_batch_id as text) || '-' || cast(_line_number as text)) as attendance_key,
        trim(academic_year)                            as academic_year,
        trim(term)                                     as term,
        nullif(trim(pupil_key), '')                    as pupil_key,
        trim(school_urn)                               as school_urn,
        upper(nullif(trim(nc_year), ''))               as nc_year,
        cast(sessions_possible as integer)             as sessions_possible,
        cast(sessions_authorised_absence as integer)   as sessions_authorised_absence,
        cast(sessions_unauthorised_absence as integer) as sessions_unauthorised_absence,
        cast(birth_year as integer)                    as birth_year,
        upper(nullif(trim(sex), ''))                   as sex,
        cast(_batch_id as bigint)                      as _batch_id,
        cast(_line_number as integer)                  as _line_number

    from source

)

select * from renamed
