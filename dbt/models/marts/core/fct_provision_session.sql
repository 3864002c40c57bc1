-- Provision session fact: one row per participant on a session register (one raw row): who was
-- registered for which programme's session at which provider site, and whether they attended.
with

sessions as (

    select * from {{ ref('stg_providers__sessions_attendance') }}

),

programmes as (

    select programme_key, programme_name, organisation from {{ ref('dim_programme') }}

),

providers as (

    select provider_key, organisation, site_name from {{ ref('dim_provider') }}

),

final as (

    select
        sessions.session_attendance_key,
        sessions.session_id,
        programmes.programme_key,
        providers.provider_key,
        sessions.programme                  as programme_name,
        sessions.site_name,
        sessions.session_date,
        sessions.start_time,
        sessions.participant_key,
        sessions.attended,
        sessions._batch_id
    from sessions
    left join programmes
        on sessions.programme = programmes.programme_name
    left join providers
        on coalesce(programmes.organisation, 'Unknown') = providers.organisation
        and sessions.site_name = providers.site_name

)

select * from final
