-- Programme dimension: one row per programme named in the provision audit, sessions or referrals.
-- Tier: the highest prevention tier among the programme's audited activities; approach follows
-- from it (Primary -> universal, Secondary -> early, Tertiary -> reactive).
with

audit as (

    select * from {{ ref('stg_providers__provision_audit') }}

),

named_elsewhere as (

    select programme from {{ ref('stg_providers__sessions_attendance') }}
    union
    select programme from {{ ref('stg_providers__referrals') }}

),

audited as (

    select
        programme,
        string_agg(distinct organisation, '; ' order by organisation)  as organisation,
        max(case tier when 'Primary' then 1 when 'Secondary' then 2 when 'Tertiary' then 3 end)
                                                                       as tier_rank,
        bool_or(is_sport_based)                                        as is_sport_based,
        string_agg(distinct activity, '; ' order by activity)          as activities,
        min(age_from)                                                  as age_from,
        max(age_to)                                                    as age_to,
        count(distinct site_name)                                      as site_count,
        sum(places_per_week)                                           as places_per_week,
        max(audit_date)                                                as audit_date
    from audit
    group by programme

),

all_programmes as (

    select *, true as is_in_audit from audited

    union all

    select
        programme, null, null, null, null, null, null, null, null, null, false
    from named_elsewhere
    where programme not in (select programme from audited)

),

final as (

    select
        md5(programme)                                              as programme_key,
        programme                                                   as programme_name,
        organisation,
        case tier_rank when 1 then 'Primary' when 2 then 'Secondary' when 3 then 'Tertiary' end
                                                                    as tier,
        case tier_rank when 1 then 'universal' when 2 then 'early' when 3 then 'reactive' end
                                                                    as approach,
        is_sport_based,
        activities,
        age_from,
        age_to,
        site_count,
        places_per_week,
        audit_date,
        is_in_audit
    from all_programmes

)

select * from final
