-- ISTV (ISB 1594) ED assault attendances, one row per raw row, renamed and typed once.
-- Anonymised as the standard shares it: no patient identifiers.
with

source as (

    select * from {{ source('raw', 'health__ed_assault_attendances') }}

),

renamed as (

    select
        md5(cast(_batch_id as text) || '-' || cast(_line_number as text)) as attendance_key,
        upper(trim(site_code))                              as site_code,
        cast(arrival_date as date)                          as arrival_date,
        cast(arrival_time as time)                          as arrival_time,
        cast(assault_date as date)                          as assault_date,
        cast(assault_time as time)                          as assault_time,
        trim(assault_method)                                as assault_method,
        nullif(trim(assault_method_other_description), '')  as assault_method_other_description,
        trim(assault_location_type)                         as assault_location_type,
        nullif(trim(assault_location_description), '')      as assault_location_description,
        cast(_batch_id as bigint)                           as _batch_id,
        cast(_line_number as integer)                       as _line_number

    from source

)

select * from renamed
