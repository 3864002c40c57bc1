-- Action plan status per tracker snapshot, theme, prevention tier and RAG: how many actions,
-- how many overdue (target date passed and not complete), and the change since the previous
-- snapshot (the count then, and the actions that improved, worsened or are new, from
-- fct_action_plan_status's per-action comparison with the action's previous snapshot).
-- No disclosure control, on purpose: these are counts of the partnership's own actions, which
-- are published to the board by name; no count here is about people, so a small count cannot
-- identify anyone. Counts keep the `_count` naming so dashboards treat them alike.
with

statuses as (

    select * from {{ ref('fct_action_plan_status') }}

),

snapshots as (

    select
        snapshot_date,
        lag(snapshot_date) over (order by snapshot_date) as previous_snapshot_date
    from (select distinct snapshot_date from statuses) as dates

),

theme_tiers as (

    select distinct theme, tier from statuses

),

rags (rag, rag_sort_order) as (

    values ('Red', 1), ('Amber', 2), ('Green', 3), ('Complete', 4)

),

counted as (

    select
        snapshot_date,
        theme,
        tier,
        rag,
        count(*)                                          as action_count,
        count(*) filter (where is_overdue)                as overdue_action_count,
        count(*) filter (where rag_change = 'Improved')   as improved_action_count,
        count(*) filter (where rag_change = 'Worsened')   as worsened_action_count,
        count(*) filter (where rag_change = 'New')        as new_action_count
    from statuses
    group by snapshot_date, theme, tier, rag

),

grid as (

    select
        snapshots.snapshot_date,
        snapshots.previous_snapshot_date,
        theme_tiers.theme,
        theme_tiers.tier,
        rags.rag,
        rags.rag_sort_order,
        coalesce(counted.action_count, 0)            as action_count,
        coalesce(counted.overdue_action_count, 0)    as overdue_action_count,
        coalesce(counted.improved_action_count, 0)   as improved_action_count,
        coalesce(counted.worsened_action_count, 0)   as worsened_action_count,
        coalesce(counted.new_action_count, 0)        as new_action_count
    from snapshots
    cross join theme_tiers
    cross join rags
    left join counted
        on snapshots.snapshot_date = counted.snapshot_date
        and theme_tiers.theme = counted.theme
        and theme_tiers.tier = counted.tier
        and rags.rag = counted.rag

),

final as (

    select
        grid.snapshot_date,
        cast(date_trunc('month', grid.snapshot_date) as date)            as month_start,
        {{ financial_year('grid.snapshot_date') }}                         as financial_year,
        grid.previous_snapshot_date,
        grid.theme,
        grid.tier,
        grid.rag,
        grid.rag_sort_order,
        grid.action_count,
        cast(sum(grid.action_count) over (
            partition by grid.snapshot_date, grid.theme, grid.tier
        ) as bigint)                                                       as theme_tier_action_count,
        cast(round(grid.action_count * 100.0 / nullif(sum(grid.action_count) over (
            partition by grid.snapshot_date, grid.theme, grid.tier
        ), 0), 1) as numeric(5, 1))                                        as action_percent,
        grid.overdue_action_count,
        previous.action_count                                              as previous_action_count,
        grid.action_count - previous.action_count                          as action_count_change,
        grid.improved_action_count,
        grid.worsened_action_count,
        grid.new_action_count
    from grid
    left join grid as previous
        on grid.previous_snapshot_date = previous.snapshot_date
        and grid.theme = previous.theme
        and grid.tier = previous.tier
        and grid.rag = previous.rag

)

select * from final
