-- Ambulance call-outs to assaults, one row per raw row, renamed and typed once.
with

source as (

    select * from {{ pinned_source('raw', 'health__ambulance_callouts') }}

),

renamed as (

    select
        md5(cast(_batch_id as text) || '-' || cast(_line_number as text)) as callout_key,
        trim(incident_id)                          as incident_id,
        cast(call_datetime as timestamp)           as call_at,
        cast(call_datetime as date)                as call_date,
        cast(category as integer)                  as category,
        trim(chief_complaint)                      as chief_complaint,
        upper(nullif(trim(lsoa_code), ''))         as lsoa_code,
        cast(longitude as numeric(9, 6))           as longitude,
        cast(latitude as numeric(9, 6))            as latitude,
        coalesce(conveyed, false)                  as is_conveyed,
        cast(_batch_id as bigint)                  as _batch_id,
        cast(_line_number as integer)              as _line_number

    from source

)

select * from renamed
