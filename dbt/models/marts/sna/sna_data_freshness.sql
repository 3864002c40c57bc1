-- Data quality and freshness for engineers: per partner extract, the last delivery against its
-- cadence, what was quarantined or rejected, and how the latest Great Expectations check of its
-- raw table went. Counts of rows and rules, not of people: no suppression.
-- A view, not a table: it must show the checks and deliveries of a build that the gate stopped
-- (dbt does not run then) and judge overdue against the time it is read.
-- An optional feed (contract `optional: true`, e.g. the identifiable ED feed, which needs a legal
-- basis of its own) that was never delivered is shown as 'not delivered (optional)', never as
-- overdue; once delivered, it is judged against its cadence like any other feed.
{{ config(materialized='view') }}

with

contracts as (

    select * from {{ ref('stg_audit__contracts') }}

),

batches as (

    select * from {{ ref('stg_audit__load_batches') }}

),

checks as (

    select * from {{ ref('stg_audit__expectation_results') }}

),

latest_check as (

    -- The table's most recent check: every result of one check shares checked_at.
    select
        target_table,
        max(checked_at)                                                  as last_checked_at

    from checks
    where target_schema = 'raw'
    group by target_table

),

per_table as (

    select
        l.target_table,
        l.last_checked_at,
        count(*)                                                          as expectations_checked_count,
        count(*) filter (where not k.is_success and k.severity = 'critical')
                                                                          as expectations_failed_count,
        count(*) filter (where not k.is_success and k.severity <> 'critical')
                                                                          as expectations_warned_count

    from latest_check as l
    inner join checks as k
        on k.target_table = l.target_table and k.checked_at = l.last_checked_at
    group by l.target_table, l.last_checked_at

),

per_contract as (

    select
        contract,
        max(loaded_at) filter (where status = 'loaded')         as last_delivery_at,
        count(*) filter (where status = 'loaded')               as files_loaded_count,
        count(*) filter (where status = 'rejected')             as files_rejected_count,
        coalesce(sum(rows_loaded), 0)                           as rows_loaded_count,
        coalesce(sum(rows_quarantined), 0)                      as rows_quarantined_count

    from batches
    group by contract

)

select
    c.contract,
    c.contract_title,
    c.partner,
    c.cadence,
    c.is_optional,
    p.last_delivery_at,
    coalesce(p.last_delivery_at < now() - c.overdue_after, not c.is_optional)
                                                                    as is_overdue,
    case
        when p.last_delivery_at is null and c.is_optional then 'not delivered (optional)'
        when p.last_delivery_at is null then 'never delivered'
        when p.last_delivery_at < now() - c.overdue_after then 'overdue'
        else 'on time'
    end                                                             as delivery_status,
    coalesce(p.files_loaded_count, 0)                               as files_loaded_count,
    coalesce(p.files_rejected_count, 0)                             as files_rejected_count,
    coalesce(p.rows_loaded_count, 0)                                as rows_loaded_count,
    coalesce(p.rows_quarantined_count, 0)                           as rows_quarantined_count,
    q.last_checked_at,
    coalesce(q.expectations_checked_count, 0)                       as expectations_checked_count,
    coalesce(q.expectations_failed_count, 0)                        as expectations_failed_count,
    coalesce(q.expectations_warned_count, 0)                        as expectations_warned_count

from contracts as c
left join per_contract as p using (contract)
left join per_table as q on q.target_table = c.target_table
