-- Provision session fact: one row per participant on a session register (one raw row): who was
-- registered for which programme's session at which provider site, and whether they attended.
-- Incremental on its load batches (macros/incremental_batches.sql): a build re-reads only the
-- batches whose rows changed since this table last merged.
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='_batch_id',
    on_schema_change='sync_all_columns',
    indexes=[{'columns': ['_batch_id']}, {'columns': ['session_date']}],
    meta={'incremental_dimensions': ['dim_programme', 'dim_provider']},
    pre_hook="{{ incremental_delete_changed_batches() }}",
    post_hook="{{ incremental_record_build() }}",
) }}
{%- set batches = incremental_batches(person_columns=[]) %}
with

sessions as (

    select * from {{ ref('stg_providers__sessions_attendance') }}
    where {{ incremental_batch_filter(batches) }}

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
