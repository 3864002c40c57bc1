-- Youth justice proven offences and their outcomes, one row per raw row (one offence), renamed
-- and typed once.
with

source as (

    select * from {{ pinned_source('raw', 'youth_justice__offences_outcomes') }}

),

renamed as (

    select
        md5(cast(_batch_id as text) || '-' || cast(_line_number as text)) as offence_outcome_key,
        trim(reporting_quarter)                    as reporting_quarter,
        nullif(trim(child_key), '')                as child_key,
        nullif(trim(pupil_key), '')                as pupil_key,
        nullif(trim(pnc_key), '')                  as pnc_key,
        cast(birth_year as integer)                as birth_year,
        cast(age_at_event as integer)              as age_at_offence,
        trim(sex)                                  as sex,
        nullif(trim(ethnicity), '')                as ethnicity,
        trim(offence_id)                           as offence_id,
        cast(offence_date as date)                 as offence_date,
        trim(offence_description)                  as offence_description,
        trim(offence_group)                        as offence_group,
        cast(gravity_score as integer)             as gravity_score,
        cast(knife_weapon_flag as boolean)         as is_knife_or_weapon,
        cast(outcome_date as date)                 as outcome_date,
        trim(outcome_type)                         as outcome_type,
        trim(outcome_tier)                         as outcome_tier,
        upper(nullif(trim(home_lsoa_code), ''))    as home_lsoa_code,
        cast(_batch_id as bigint)                  as _batch_id,
        cast(_line_number as integer)              as _line_number

    from source

)

select * from renamed
