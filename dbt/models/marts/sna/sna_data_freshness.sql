-- Data quality and freshness for engineers: per partner extract, the last delivery against its
-- cadence, and what was quarantined or rejected. Counts of rows, not of people: no suppression.
with

contracts as (

    select * from {{ ref('stg_audit__contracts') }}

),

batches as (

    select * from {{ ref('stg_audit__load_batches') }}

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
    p.last_delivery_at,
    coalesce(p.last_delivery_at < now() - c.overdue_after, true)  as is_overdue,
    coalesce(p.files_loaded_count, 0)                               as files_loaded_count,
    coalesce(p.files_rejected_count, 0)                             as files_rejected_count,
    coalesce(p.rows_loaded_count, 0)                                as rows_loaded_count,
    coalesce(p.rows_quarantined_count, 0)                           as rows_quarantined_count

from contracts as c
left join per_contract as p using (contract)
