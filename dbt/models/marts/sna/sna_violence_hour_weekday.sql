-- When violence happens: counts by hour of day (0-23) and ISO day of week (Monday 1 ... Sunday 7)
-- per source, district and period, for the hour x weekday heatmaps. Sources and times as
-- int_violence_events_timed defines them (police: serious violence at the offence time; ED:
-- assault attendances at the assault time, else the arrival time, home district; ambulance:
-- assault call-outs at the call time). Periods: the latest 12 months of each source and each
-- financial year it touches (int_violence_periods_listed). Each district (geography_level
-- district) and the whole partnership (geography_level partnership, district_code NULL: a
-- district's row-level security hides it) so that a source too sparse for district cells still
-- shows its pattern. Long format, one row per cell, so one count column carries the disclosure
-- control of each row's source family (police 1-4 withheld; health 1-7 withheld and the rest
-- rounded to 5), with secondary suppression over the 24 hours of a day and the 7 days of an
-- hour (of each area) and over a cell's districts with the partnership (their total).

with

events as (

    select * from {{ ref('int_violence_events_timed') }}

),

periods as (

    select * from {{ ref('int_violence_periods_listed') }}

),

areas as (

    select 'district' as geography_level, district_code, max(district_name) as district_name
    from {{ ref('dim_geography') }}
    where district_code is not null
    group by district_code

    union all

    select 'partnership', cast(null as text), 'All districts'

),

sources (source, source_name, disclosure_family, source_sort_order) as (

    values
        ('police_force', 'Police-recorded serious violence', 'police', 1),
        ('ed_assault', 'ED assault attendances', 'health', 2),
        ('ambulance', 'Ambulance call-outs to assaults', 'health', 3)

),

days (iso_day_of_week, day_name) as (

    values (1, 'Monday'), (2, 'Tuesday'), (3, 'Wednesday'), (4, 'Thursday'), (5, 'Friday'),
        (6, 'Saturday'), (7, 'Sunday')

),

hours as (

    select generate_series(0, 23) as hour_of_day

),

counted as (

    select
        periods.source,
        periods.period_type,
        periods.period,
        case when grouping(events.district_code) = 1 then 'partnership' else 'district' end
                                                                    as geography_level,
        events.district_code,
        events.iso_day_of_week,
        events.hour_of_day,
        count(*)                                                    as events
    from events
    inner join periods
        on events.source = periods.source
        and events.month_start between periods.period_start and periods.period_end
    group by grouping sets (
        (periods.source, periods.period_type, periods.period, events.district_code,
            events.iso_day_of_week, events.hour_of_day),
        (periods.source, periods.period_type, periods.period, events.iso_day_of_week,
            events.hour_of_day)
    )

),

cells as materialized (

    select
        {{ when_period_columns('periods', 'sources') }},
        areas.geography_level,
        areas.district_code,
        areas.district_name,
        days.iso_day_of_week,
        days.day_name,
        hours.hour_of_day,
        coalesce(counted.events, 0)                                 as events
    from periods
    inner join sources
        on periods.source = sources.source
    cross join areas
    cross join days
    cross join hours
    left join counted
        on periods.source = counted.source
        and periods.period_type = counted.period_type
        and periods.period = counted.period
        and areas.geography_level = counted.geography_level
        and areas.district_code is not distinct from counted.district_code
        and days.iso_day_of_week = counted.iso_day_of_week
        and hours.hour_of_day = counted.hour_of_day

),

{%- set groupings = [
    ['source', 'period_type', 'period', 'geography_level', 'district_code', 'iso_day_of_week'],
    ['source', 'period_type', 'period', 'geography_level', 'district_code', 'hour_of_day'],
    ['source', 'period_type', 'period', 'iso_day_of_week', 'hour_of_day'],
] %}

protected as materialized (

    {{ suppress_small_counts(
        'cells', 'events', groupings=groupings,
        tiebreak=['geography_level', 'district_code', 'iso_day_of_week', 'hour_of_day'],
        family_column='disclosure_family'
    ) }}

),

final as (

    select
        {{ when_period_columns() }},
        geography_level,
        district_code,
        district_name,
        iso_day_of_week,
        day_name,
        iso_day_of_week || ' ' || left(day_name, 3)                 as day_label,
        hour_of_day,
        lpad(hour_of_day::text, 2, '0') || ':00'                    as hour_label,
        {{ published_count('events', 'is_suppressed', family_column='disclosure_family') }}
                                                                    as event_count,
        is_suppressed
    from protected

)

select * from final
