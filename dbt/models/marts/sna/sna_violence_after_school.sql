-- Under-18 violence in the after-school hours of school days against all other times, per
-- source, period and district. Under 18: any victim or suspect of the crime under 18 (police
-- serious violence) or the patient under 18 (ED assault attendances, identified through the
-- optional identifiable feed); ambulance call-outs record no age and are left out. School days:
-- term-time weekdays outside half terms (seed school_term_dates through school_days() and
-- school_terms(), macros/time_windows.sql); after-school hours: var after_school_window (default
-- 15:00-19:00). Two time bands per area: after_school and other_times (every other hour of the
-- period, school-day mornings, evenings, weekends and holidays included).
-- Rates per 1,000 hours of exposure: the band's events / the hours the band spans in the months
-- the source covers (after school: school days x the window's hours; other times: the rest),
-- so a band that is 14% of the hours and holds 30% of the events has twice the hourly rate.
-- Byar 95% interval on each rate; share_of_events_percent (the band's share of the under-18
-- events, Wilson interval) set against share_of_hours_percent (its share of the hours, the share
-- an even spread would give). Rates and shares are withheld (NULL) for a period the term-date
-- seed does not fully cover (is_term_calendar_complete false): the exposure would be wrong.
-- Disclosure control on the counts (police 1-4; health 1-7, rounded to 5) with secondary
-- suppression over the two bands of a district and the districts of a band.

with

events as (

    select * from {{ ref('int_violence_events_timed') }}
    where is_under_18
        and source in ('police_force', 'ed_assault')

),

periods as (

    select
        periods.*,
        cast(periods.covered_end + interval '1 month' - interval '1 day' as date) as covered_last_day
    from {{ ref('int_violence_periods_listed') }} as periods
    where periods.source in ('police_force', 'ed_assault')

),

school_days as (

    {{ school_days(ref('school_term_dates'), "date '1900-01-01'", "date '2999-12-31'") }}

),

-- academic years (September to August) the term-date seed lists
calendar_years as (

    select distinct academic_year from {{ ref('school_term_dates') }}

),

exposure as (

    select
        periods.source,
        periods.period_type,
        periods.period,
        (periods.covered_last_day - periods.covered_start + 1) * 24.0 as period_hours,
        (
            select count(*) from school_days
            where school_days.school_day between periods.covered_start and periods.covered_last_day
        ) * {{ after_school_hours_per_day() }}                      as after_school_hours,
        not exists (
            select 1
            from generate_series(periods.covered_start, periods.covered_last_day, interval '1 month')
                as months (month_start)
            where {{ academic_year('months.month_start') }} not in (select academic_year from calendar_years)
        )                                                           as is_term_calendar_complete
    from periods

),

districts as (

    {{ district_names(ref('dim_geography')) }}

),

sources (source, source_name, disclosure_family, source_sort_order) as (

    values
        ('police_force', 'Police-recorded serious violence, victim or suspect under 18', 'police', 1),
        ('ed_assault', 'ED assault attendances, patient under 18', 'health', 2)

),

bands (time_band, time_band_name, band_sort_order) as (

    values ('after_school', 'After school on school days', 1), ('other_times', 'All other times', 2)

),

classified as (

    select
        events.source,
        events.district_code,
        events.month_start,
        case
            when school_days.school_day is not null and {{ in_after_school_window('events.event_at') }}
                then 'after_school'
            else 'other_times'
        end                                                         as time_band
    from events
    left join school_days
        on events.event_date = school_days.school_day

),

counted as (

    select periods.source, periods.period_type, periods.period, classified.district_code,
        classified.time_band, count(*) as events
    from classified
    inner join periods
        on classified.source = periods.source
        and classified.month_start between periods.covered_start and periods.covered_end
    group by 1, 2, 3, 4, 5

),

cells as materialized (

    select
        {{ when_period_columns('periods', 'sources') }},
        exposure.is_term_calendar_complete,
        districts.district_code,
        districts.district_name,
        bands.time_band,
        bands.time_band_name,
        bands.band_sort_order,
        case bands.time_band
            when 'after_school' then exposure.after_school_hours
            else exposure.period_hours - exposure.after_school_hours
        end                                                         as exposure_hours,
        exposure.period_hours,
        coalesce(counted.events, 0)                                 as events
    from periods
    inner join sources
        on periods.source = sources.source
    inner join exposure
        on periods.source = exposure.source
        and periods.period_type = exposure.period_type
        and periods.period = exposure.period
    cross join districts
    cross join bands
    left join counted
        on periods.source = counted.source
        and periods.period_type = counted.period_type
        and periods.period = counted.period
        and districts.district_code = counted.district_code
        and bands.time_band = counted.time_band

),

with_totals as (

    select
        cells.*,
        sum(events) over (partition by source, period_type, period, district_code) as area_events
    from cells

),

{%- set groupings = [
    ['source', 'period_type', 'period', 'district_code'],
    ['source', 'period_type', 'period', 'time_band'],
] %}

protected as materialized (

    {{ suppress_small_counts(
        'with_totals', 'events', groupings=groupings,
        tiebreak=['district_code', 'band_sort_order'], family_column='disclosure_family'
    ) }}

),

{%- set withheld = ['is_suppressed', '(is_term_calendar_complete is distinct from true)'] %}
{%- set rate_args = dict(per=1000, decimals=2, withheld=withheld, family_column='disclosure_family') %}
{%- set share_args = dict(per=100, decimals=1, precision=5, withheld=withheld, family_column='disclosure_family') %}

-- a share's denominator is the area's total rounded as the counts are (NHS: to the nearest 5):
-- rounding is monotonic, so the rounded band count never exceeds it (a share above 100% would
-- break the Wilson interval) and the share is that of the published figures
shares_on_published as (

    select
        protected.*,
        {{ rounded_count('area_events', family_column='disclosure_family') }} as area_events_published
    from protected

),

final as (

    select
        {{ when_period_columns() }},
        is_term_calendar_complete,
        district_code,
        district_name,
        time_band,
        time_band_name,
        band_sort_order,
        cast(exposure_hours as numeric(12, 1))                      as exposure_hours,
        {{ published_count('events', 'is_suppressed', family_column='disclosure_family') }}
                                                                    as event_count,
        {{ published_rate_columns('rate_per_1000_hours', 'events', 'exposure_hours', method='byar', **rate_args) }},
        {{ published_rate_columns(
            'share_of_events_percent', 'events', 'area_events_published', method='wilson', **share_args
        ) }},
        case when is_term_calendar_complete
            then cast(round(exposure_hours * 100.0 / nullif(period_hours, 0), 1) as numeric(5, 1))
        end                                                         as share_of_hours_percent,
        is_suppressed
    from shares_on_published

)

select * from final
