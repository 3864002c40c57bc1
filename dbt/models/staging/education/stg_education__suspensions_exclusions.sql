-- Pupil suspensions and permanent exclusions, one row per raw row, renamed and typed once.
with

source as (

    select * from {{ pinned_source('raw', 'education__suspensions_exclusions') }}

),

renamed as (

    select
        md5(cast(_batch_id as text) || '-' || cast(_line_number as text)) as exclusion_key,
        trim(academic_year)                        as academic_year,
        trim(term)                                 as term,
        nullif(trim(pupil_key), '')                as pupil_key,
        trim(school_urn)                           as school_urn,
        trim(laestab)                              as laestab,
        upper(trim(category))                      as category,
        cast(start_date as date)                   as start_date,
        cast(sessions as integer)                  as sessions,
        upper(trim(reason_code))                   as reason_code,
        cast(birth_year as integer)                as birth_year,
        cast(age_at_event as integer)              as age_at_event,
        upper(nullif(trim(sex), ''))               as sex,
        cast(fsm_eligible as boolean)              as fsm_eligible,
        upper(nullif(trim(sen_provision), ''))     as sen_provision,
        upper(nullif(trim(home_lsoa_code), ''))    as home_lsoa_code,
        cast(_batch_id as bigint)                  as _batch_id,
        cast(_line_number as integer)              as _line_number

    from source

)

select * from renamed
