-- Provision audit, one row per activity at a site (raw row), renamed and typed once.
with

source as (

    select * from {{ pinned_source('raw', 'providers__provision_audit') }}

),

renamed as (

    select
        md5(cast(_batch_id as text) || '-' || cast(_line_number as text)) as provision_key,
        cast(audit_date as date)                   as audit_date,
        trim(organisation)                         as organisation,
        trim(programme)                            as programme,
        trim(site_name)                            as site_name,
        upper(trim(site_postcode))                 as site_postcode,
        trim(activity)                             as activity,
        cast(sport_based as boolean)               as is_sport_based,
        trim(tier)                                 as tier,
        cast(age_from as integer)                  as age_from,
        cast(age_to as integer)                    as age_to,
        cast(places_per_week as integer)           as places_per_week,
        nullif(trim(days_times), '')               as days_times,
        cast(_batch_id as bigint)                  as _batch_id,
        cast(_line_number as integer)              as _line_number

    from source

)

select * from renamed
