-- Data quality for engineers: the latest Great Expectations result of every expectation on every
-- table it checks (per load batch for raw extracts, whole table for raw, marts and sna). About
-- rules and files, not people: no counts of people, so no disclosure control applies.
-- A view, not a table: it must show the checks and deliveries of a build that the gate stopped
-- (dbt does not run then) and judge overdue against the time it is read.
{{ config(materialized='view') }}

with

results as (

    select * from {{ ref('stg_audit__expectation_results') }}

),

contracts as (

    select * from {{ ref('stg_audit__contracts') }}

),

ranked as (

    -- Severity is part of the key: a column can carry the same expectation type twice (a
    -- critical range and a narrower warning one, as youth justice ages do).
    select
        *,
        row_number() over (
            partition by target_table, batch_id, expectation, column_name, severity
            order by checked_at desc
        ) as recency,
        max(checked_at) over (partition by target_table) as table_last_checked_at

    from results

)

select
    c.contract,
    r.target_table,
    r.target_schema,
    r.batch_id,
    r.expectation,
    r.column_name,
    r.severity,
    r.is_success,
    (not r.is_success and r.severity = 'critical')     as is_blocking,
    r.unexpected_count,
    r.observed_value,
    r.checked_at,
    (r.checked_at = r.table_last_checked_at)            as is_latest_check

from ranked as r
left join contracts as c on c.target_table = r.target_table
where r.recency = 1
