-- Agency dimension: one row per agency that refers young people into programmes (referral
-- source) or owns an action in the partnership's action plan, with a broad sector.
with

names as (

    select referral_source as agency_name, true as is_referral_source, false as is_action_owner
    from {{ ref('stg_providers__referrals') }}

    union all

    select owner_agency, false, true
    from {{ ref('stg_partnership__action_plan') }}

),

agencies as (

    select
        agency_name,
        bool_or(is_referral_source) as is_referral_source,
        bool_or(is_action_owner)    as is_action_owner
    from names
    group by agency_name

),

final as (

    select
        md5(lower(agency_name))                  as agency_key,
        agency_name,
        case
            when agency_name ilike '%police%' or agency_name ilike '%constabulary%'
                or agency_name ilike '%crime commissioner%' then 'Police'
            when agency_name ilike '%youth justice%' or agency_name ilike '%probation%' then 'Justice'
            when agency_name ilike '%NHS%' or agency_name ilike '%health%'
                or agency_name ilike '%hospital%' or agency_name ilike '%ICB%' then 'Health'
            when agency_name ilike '%school%' or agency_name ilike '%education%'
                or agency_name ilike '%college%' then 'Education'
            when agency_name ilike '%fire%' then 'Fire and rescue'
            when agency_name ilike '%early help%' or agency_name ilike '%children%'
                or agency_name ilike '%council%' or agency_name ilike '%community safety%'
                or agency_name ilike '%violence reduction%' then 'Local authority and partnership'
            when agency_name ilike 'self%' then 'Self or family'
            else 'Other'
        end                                      as agency_sector,
        is_referral_source,
        is_action_owner
    from agencies

)

select * from final
