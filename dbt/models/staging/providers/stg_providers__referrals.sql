-- Referral log, one row per status event of a referral (raw row), renamed and typed once.
with

source as (

    select * from {{ pinned_source('raw', 'providers__referrals') }}

),

renamed as (

    select
        md5(cast(_batch_id as text) || '-' || cast(_line_number as text)) as referral_status_key,
        trim(referral_id)                          as referral_id,
        cast(referral_date as date)                as referral_date,
        trim(referral_source)                      as referral_source,
        trim(programme)                            as programme,
        nullif(trim(person_key), '')               as person_key,
        nullif(trim(pupil_key), '')                as pupil_key,
        cast(birth_year as integer)                as birth_year,
        cast(age_at_event as integer)              as age_at_referral,
        nullif(trim(sex), '')                      as sex,
        trim(status)                               as status,
        cast(status_date as date)                  as status_date,
        cast(_batch_id as bigint)                  as _batch_id,
        cast(_line_number as integer)              as _line_number

    from source

)

select * from renamed
