-- Action plan status fact: one row per action per snapshot date (the tracker's monthly
-- snapshots), with the change in RAG since the action's previous snapshot.
with

snapshots as (

    select
        *,
        case rag when 'Red' then 1 when 'Amber' then 2 when 'Green' then 3 when 'Complete' then 4 end
            as rag_rank
    from {{ ref('stg_partnership__action_plan') }}

),

agencies as (

    select agency_key, agency_name from {{ ref('dim_agency') }}

),

with_previous as (

    select
        snapshots.*,
        lag(snapshot_date) over (partition by action_id order by snapshot_date) as previous_snapshot_date,
        lag(rag) over (partition by action_id order by snapshot_date)           as previous_rag,
        lag(rag_rank) over (partition by action_id order by snapshot_date)      as previous_rag_rank
    from snapshots

),

final as (

    select
        with_previous.action_status_key,
        with_previous.snapshot_date,
        with_previous.action_id,
        with_previous.theme,
        with_previous.tier,
        with_previous.action,
        with_previous.owner_agency,
        agencies.agency_key                                 as owner_agency_key,
        with_previous.indicator,
        with_previous.target_date,
        with_previous.rag,
        with_previous.previous_snapshot_date,
        with_previous.previous_rag,
        case
            when with_previous.previous_rag is null then 'New'
            when with_previous.rag_rank > with_previous.previous_rag_rank then 'Improved'
            when with_previous.rag_rank < with_previous.previous_rag_rank then 'Worsened'
            else 'Unchanged'
        end                                                 as rag_change,
        coalesce(with_previous.rag is distinct from with_previous.previous_rag
            and with_previous.previous_rag is not null, false) as is_rag_changed,
        coalesce(with_previous.target_date < with_previous.snapshot_date
            and with_previous.rag <> 'Complete', false)     as is_overdue,
        with_previous.update_text,
        with_previous._batch_id
    from with_previous
    left join agencies
        on with_previous.owner_agency = agencies.agency_name

)

select * from final
