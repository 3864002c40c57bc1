-- The optional identifiable ED feed (its own legal basis), one row per raw row, renamed and
-- typed once. NHS number already a keyed hash, home postcode already an LSOA (loader).
with

source as (

    select * from {{ source('raw', 'health__ed_attendances_identifiable') }}

),

renamed as (

    select
        md5(cast(_batch_id as text) || '-' || cast(_line_number as text)) as identifiable_attendance_key,
        upper(trim(site_code))                     as site_code,
        trim(attendance_id)                        as attendance_id,
        cast(arrival_date as date)                 as arrival_date,
        cast(arrival_time as time)                 as arrival_time,
        nullif(trim(person_key), '')               as person_key,
        upper(nullif(trim(home_lsoa_code), ''))    as home_lsoa_code,
        cast(patient_age as integer)               as patient_age,
        case trim(sex) when '1' then 'M' when '2' then 'F' else 'U' end as sex,
        trim(sex)                                  as sex_code,
        cast(_batch_id as bigint)                  as _batch_id,
        cast(_line_number as integer)              as _line_number

    from source

)

select * from renamed
