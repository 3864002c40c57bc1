-- Data quality for engineers: every loaded batch with its quality status and why, so the
-- dashboard shows the batches builds hold back. A batch that failed the quality gate (or that a
-- person rejected) stays out of every build until a person accepts it; the reason is the latest
-- decision's (the failing expectations, or the person's words).
-- About files, not people: no disclosure control applies.
-- A view, not a table: the build that finds a failed batch stops before dbt runs.
{{ config(materialized='view') }}

with

batches as (

    select * from {{ ref('stg_audit__load_batches') }}

),

events as (

    select * from {{ ref('stg_audit__batch_status_events') }}

),

contracts as (

    select * from {{ ref('stg_audit__contracts') }}

),

latest_event as (

    select
        *,
        row_number() over (partition by batch_id order by decided_at desc, event_id desc)
            as recency

    from events

)

select
    b.batch_id,
    b.contract,
    c.partner,
    b.file_name,
    b.rows_loaded,
    b.loaded_at,
    b.quality_status,
    b.quality_status in ('failed', 'rejected')     as is_held,
    e.reason                                        as status_reason,
    e.decided_by,
    e.decided_at

from batches as b
left join latest_event as e
    on e.batch_id = b.batch_id and e.recency = 1
left join contracts as c on c.contract = b.contract
where b.status = 'loaded'
