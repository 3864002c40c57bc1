-- Provider dimension: one row per provider organisation and site (venue). Sites come from the
-- provision audit, plus any venue in the session registers that the audit lacks (organisation
-- taken from the programme's audited organisation, else "Unknown").
with

audit as (

    select * from {{ ref('stg_providers__provision_audit') }}

),

programmes as (

    select programme_name, organisation from {{ ref('dim_programme') }}

),

session_sites as (

    select distinct
        coalesce(programmes.organisation, 'Unknown') as organisation,
        sessions.site_name
    from {{ ref('stg_providers__sessions_attendance') }} as sessions
    left join programmes
        on sessions.programme = programmes.programme_name

),

audited_sites as (

    select
        organisation,
        site_name,
        min(site_postcode)                                      as site_postcode,
        count(*)                                                as activity_count,
        string_agg(distinct programme, '; ' order by programme) as programmes,
        max(audit_date)                                         as audit_date
    from audit
    group by organisation, site_name

),

all_sites as (

    select *, true as is_in_audit from audited_sites

    union all

    select
        session_sites.organisation, session_sites.site_name, null, 0, null, null, false
    from session_sites
    where not exists (
        select 1 from audited_sites
        where audited_sites.organisation = session_sites.organisation
            and audited_sites.site_name = session_sites.site_name
    )

),

final as (

    select
        md5(organisation || '|' || site_name) as provider_key,
        organisation,
        site_name,
        site_postcode,
        activity_count,
        programmes,
        audit_date,
        is_in_audit
    from all_sites

)

select * from final
