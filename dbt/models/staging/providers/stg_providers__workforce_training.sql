-- Workforce training completions, one row per practitioner per course (raw row), renamed and typed once.
with

source as (

    select * from {{ pinned_source('raw', 'providers__workforce_training') }}

),

renamed as (

    select
        md5(cast(_batch_id as text) || '-' || cast(_line_number as text)) as training_key,
        nullif(trim(practitioner_key), '')         as practitioner_key,
        trim(organisation)                         as organisation,
        trim(sector)                               as sector,
        trim(course)                               as course,
        trim(level)                                as level,
        cast(completed_date as date)               as completed_date,
        cast(hours as numeric(5, 1))               as hours,
        cast(_batch_id as bigint)                  as _batch_id,
        cast(_line_number as integer)              as _line_number

    from source

)

select * from renamed
