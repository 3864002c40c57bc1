-- The periods the "When" models publish, per source of int_violence_events_timed: the latest 12
-- months of the source (ending with its latest month, as macros/latest_12_months.sql defines
-- it for police.uk, because each partner delivers late) and each financial year (April-March)
-- the source touches. months_covered counts the months of the period inside the source's
-- span (its first to its latest month): a part year is marked by is_part_period, and rates per
-- hour count only the covered months' hours.

{{ config(materialized='table', schema='intermediate') }}

with

source_months as (

    select source, min(month_start) as first_month, max(month_start) as last_month
    from {{ ref('int_violence_events_timed') }}
    group by source

),

years as (

    select distinct
        events.source,
        {{ financial_year_start('events.month_start') }}            as year_start
    from {{ ref('int_violence_events_timed') }} as events

),

periods as (

    select
        source,
        'rolling_12_months'                                         as period_type,
        'Latest 12 months'                                          as period,
        cast(last_month - interval '11 months' as date)             as period_start,
        last_month                                                  as period_end
    from source_months

    union all

    select
        source,
        'financial_year',
        {{ financial_year('year_start') }},
        year_start,
        cast(year_start + interval '11 months' as date)
    from years

),

final as (

    select
        periods.source,
        periods.period_type,
        periods.period,
        periods.period_start,
        periods.period_end,
        -- the months of the period the source covers
        greatest(periods.period_start, source_months.first_month)   as covered_start,
        least(periods.period_end, source_months.last_month)         as covered_end,
        cast(
            (extract(year from age(
                least(periods.period_end, source_months.last_month),
                greatest(periods.period_start, source_months.first_month)
            )) * 12
            + extract(month from age(
                least(periods.period_end, source_months.last_month),
                greatest(periods.period_start, source_months.first_month)
            )) + 1) as integer
        )                                                           as months_covered
    from periods
    inner join source_months
        on periods.source = source_months.source

),

labelled as (

    select
        final.*,
        months_covered < 12                                         as is_part_period,
        case period_type when 'rolling_12_months' then 0 else 1 end as period_sort_order
    from final

)

select * from labelled
