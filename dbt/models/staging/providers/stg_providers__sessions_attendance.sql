-- Provider session registers, one row per participant per session (raw row), renamed and typed once.
with

source as (

    select * from {{ pinned_source('raw', 'providers__sessions_attendance') }}

),

renamed as (

    select
        md5(cast(_batch_id as text) || '-' || cast(_line_number as text)) as session_attendance_key,
        trim(session_id)                           as session_id,
        trim(programme)                            as programme,
        trim(site_name)                            as site_name,
        cast(session_date as date)                 as session_date,
        cast(start_time as time)                   as start_time,
        nullif(trim(participant_key), '')          as participant_key,
        cast(attended as boolean)                  as attended,
        cast(_batch_id as bigint)                  as _batch_id,
        cast(_line_number as integer)              as _line_number

    from source

)

select * from renamed
