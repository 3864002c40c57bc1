-- Force crime extract, one row per raw row (crime x victim x suspect), renamed and typed once.
-- Person keys are already keyed hashes (the loader pseudonymises); dates of birth are birth years.
with

source as (

    select * from {{ pinned_source('raw', 'police__force_crimes') }}

),

renamed as (

    select
        md5(cast(_batch_id as text) || '-' || cast(_line_number as text)) as force_crime_key,
        trim(crime_reference)                      as crime_reference,
        cast(recorded_date as date)                as recorded_date,
        cast(offence_datetime as timestamp)        as offence_at,
        cast(offence_datetime as date)             as offence_date,
        upper(trim(ho_offence_code))               as ho_offence_code,
        trim(ho_offence_description)               as ho_offence_description,
        trim(crime_type)                           as crime_type,
        upper(nullif(trim(lsoa_code), ''))         as lsoa_code,
        coalesce(weapon_flag, false)               as is_weapon,
        coalesce(knife_flag, false)                as is_knife,
        coalesce(domestic_abuse_flag, false)       as is_domestic_abuse,
        coalesce(alcohol_flag, false)              as is_alcohol_related,
        coalesce(drug_flag, false)                 as is_drug_related,
        -- exploitation flags: NULL when the delivery did not carry them (older extracts)
        county_lines_flag                          as is_county_lines,
        child_criminal_exploitation_flag           as is_child_criminal_exploitation,
        child_sexual_exploitation_flag             as is_child_sexual_exploitation,
        cuckooing_flag                             as is_cuckooing,
        nullif(trim(victim_key), '')               as victim_person_key,
        cast(victim_birth_year as integer)         as victim_birth_year,
        cast(age_at_event as integer)              as victim_age,
        upper(nullif(trim(victim_sex), ''))        as victim_sex,
        nullif(trim(suspect_key), '')              as suspect_person_key,
        nullif(trim(suspect_pnc_key), '')          as suspect_pnc_key,
        cast(suspect_birth_year as integer)        as suspect_birth_year,
        upper(nullif(trim(suspect_sex), ''))       as suspect_sex,
        cast(_batch_id as bigint)                  as _batch_id,
        cast(_line_number as integer)              as _line_number

    from source

)

select * from renamed
