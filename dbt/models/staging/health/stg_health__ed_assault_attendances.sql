-- ISTV ED assault attendances, one row per raw row, renamed and typed once.
with

source as (

    select * from {{ pinned_source('raw', 'health__ed_assault_attendances') }}

),

renamed as (

    select
        md5(cast(_batch_id as text) || '-' || cast(_line_number as text)) as attendance_key,
        upper(trim(site_code))                     as site_code,
        trim(attendance_id)                        as attendance_id,
        cast(arrival_date as date)                 as arrival_date,
        cast(arrival_time as time)                 as arrival_time,
        cast(patient_age as integer)               as patient_age,
        case trim(sex) when '1' then 'M' when '2' then 'F' else 'U' end as sex,
        trim(sex)                                  as sex_code,
        cast(assault_date as date)                 as assault_date,
        cast(assault_time as time)                 as assault_time,
        trim(assault_location_type)                as assault_location_type,
        nullif(trim(assault_location_description), '') as assault_location_description,
        trim(primary_means_of_assault)             as primary_means_of_assault,
        nullif(trim(person_key), '')               as person_key,
        upper(nullif(trim(home_lsoa_code), ''))    as home_lsoa_code,
        cast(_batch_id as bigint)                  as _batch_id,
        cast(_line_number as integer)              as _line_number

    from source

)

select * from renamed
