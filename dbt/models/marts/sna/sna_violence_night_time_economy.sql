-- Night-time economy: the share of violence that falls in the night-time economy window (var
-- night_time_economy_window, default Friday 20:00 to Saturday 04:00 and Saturday 20:00 to
-- Sunday 04:00; macros/time_windows.sql), per source, period and district, and within each
-- district for its town centres (seed town_centre_lsoas: LSOAs, 2011 or 2021 codes, with the
-- town's name) and the rest of the district. Town-centre rows need the LSOA where the violence
-- happened: police and ambulance only (ISTV records no LSOA; ED rows are whole-district, by home
-- district). Each area has three cells: all hours, the window and the other hours; each area
-- type's cells add up (district = its town centres + the rest). Disclosure control on the cells
-- (each source's family) with secondary suppression over the three windows of an area, the
-- areas of a district and window, and the districts of a window, so that no withheld cell can be
-- recovered by subtraction. The share (window / all hours, percent) carries a Wilson 95%
-- interval; window_share_of_week_percent is the share of the week's hours the window covers,
-- the share violence would have if it were spread evenly over the week.

with

events as (

    select
        events.*,
        {{ in_night_time_window('events.event_at') }}               as is_night_time_economy
    from {{ ref('int_violence_events_timed') }} as events

),

periods as (

    select * from {{ ref('int_violence_periods_listed') }}

),

districts as (

    {{ district_names(ref('dim_geography')) }}

),

-- the partnership's town centres on 2021 LSOAs (a seed code of either vintage), each LSOA in one
town_centre_lsoas as (

    select
        mapped.lsoa21_code                                          as lsoa_code,
        min(geography.district_code)                                as district_code,
        min(seed.town_centre)                                       as town_centre
    from {{ ref('town_centre_lsoas') }} as seed
    inner join {{ ref('int_lsoa_codes_mapped') }} as mapped
        on upper(trim(seed.lsoa_code)) = mapped.lsoa_code
    inner join {{ ref('dim_geography') }} as geography
        on mapped.lsoa21_code = geography.lsoa_code
    group by mapped.lsoa21_code

),

sources (source, source_name, disclosure_family, source_sort_order, has_incident_lsoa) as (

    values
        ('police_force', 'Police-recorded serious violence', 'police', 1, true),
        ('ed_assault', 'ED assault attendances', 'health', 2, false),
        ('ambulance', 'Ambulance call-outs to assaults', 'health', 3, true)

),

-- the areas of each district: the whole district, its town centres and the rest of it
areas as (

    select district_code, 'district' as area_type, district_name as area_name, 1 as area_sort_order,
        false as needs_incident_lsoa
    from districts

    union all

    select distinct district_code, 'town_centre', town_centre || ' town centre', 2, true
    from town_centre_lsoas

    union all

    select distinct district_code, 'rest_of_district', 'Rest of the district', 3, true
    from town_centre_lsoas

),

windows (time_window, time_window_name, window_sort_order) as (

    values
        ('all_hours', 'All hours', 1),
        ('night_time_economy', 'Night-time economy window', 2),
        ('other_hours', 'Other hours', 3)

),

located as (

    select
        events.source,
        events.district_code,
        events.month_start,
        events.is_night_time_economy,
        town_centre_lsoas.town_centre
    from events
    left join town_centre_lsoas
        on events.lsoa_code = town_centre_lsoas.lsoa_code
        and events.district_code = town_centre_lsoas.district_code

),

-- each event counts in its district, and in its town centre or the rest of the district
event_areas as (

    select source, district_code, month_start, is_night_time_economy, 'district' as area_type,
        cast(null as text) as town_centre
    from located

    union all

    select located.source, located.district_code, located.month_start,
        located.is_night_time_economy,
        case when located.town_centre is null then 'rest_of_district' else 'town_centre' end,
        located.town_centre
    from located
    inner join sources
        on located.source = sources.source
    where sources.has_incident_lsoa
        and located.district_code in (select district_code from town_centre_lsoas)

),

counted as (

    select
        periods.source,
        periods.period_type,
        periods.period,
        event_areas.district_code,
        event_areas.area_type,
        event_areas.town_centre,
        count(*)                                                    as all_hours,
        count(*) filter (where event_areas.is_night_time_economy)  as night_time_economy,
        count(*) filter (where not event_areas.is_night_time_economy) as other_hours
    from event_areas
    inner join periods
        on event_areas.source = periods.source
        and event_areas.month_start between periods.period_start and periods.period_end
    group by 1, 2, 3, 4, 5, 6

),

cells as materialized (

    select
        {{ when_period_columns('periods', 'sources') }},
        districts.district_code,
        districts.district_name,
        areas.area_type,
        areas.area_name,
        areas.area_sort_order,
        windows.time_window,
        windows.window_sort_order,
        coalesce(case windows.time_window
            when 'all_hours' then counted.all_hours
            when 'night_time_economy' then counted.night_time_economy
            else counted.other_hours
        end, 0)                                                     as events
    from periods
    inner join sources
        on periods.source = sources.source
    cross join districts
    inner join areas
        on districts.district_code = areas.district_code
    cross join windows
    left join counted
        on periods.source = counted.source
        and periods.period_type = counted.period_type
        and periods.period = counted.period
        and districts.district_code = counted.district_code
        and areas.area_type = counted.area_type
        and areas.area_name = case counted.area_type
            when 'district' then districts.district_name
            when 'town_centre' then counted.town_centre || ' town centre'
            else 'Rest of the district'
        end
    where sources.has_incident_lsoa or not areas.needs_incident_lsoa

),

{%- set groupings = [
    ['source', 'period_type', 'period', 'district_code', 'area_type', 'area_name'],
    ['source', 'period_type', 'period', 'district_code', 'time_window'],
    ['source', 'period_type', 'period', 'area_type', 'time_window'],
] %}

protected as materialized (

    {{ suppress_small_counts(
        'cells', 'events', groupings=groupings,
        tiebreak=['district_code', 'area_sort_order', 'area_name', 'window_sort_order'],
        family_column='disclosure_family'
    ) }}

),

-- one row per area: its three cells side by side
areas_published as (

    select
        source, source_name, source_sort_order, disclosure_family, period_type, period,
        period_sort_order, period_start, period_end, months_covered, is_part_period,
        district_code, district_name, area_type, area_name, area_sort_order,
        max(events) filter (where time_window = 'all_hours')                  as all_events,
        max(events) filter (where time_window = 'night_time_economy')         as window_events,
        max(events) filter (where time_window = 'other_hours')                as other_events,
        bool_or(is_suppressed) filter (where time_window = 'all_hours')       as all_is_suppressed,
        bool_or(is_suppressed) filter (where time_window = 'night_time_economy') as window_is_suppressed,
        bool_or(is_suppressed) filter (where time_window = 'other_hours')     as other_is_suppressed
    from protected
    group by source, source_name, source_sort_order, disclosure_family, period_type, period,
        period_sort_order, period_start, period_end, months_covered, is_part_period,
        district_code, district_name, area_type, area_name, area_sort_order

),

{%- set share_args = dict(
    per=100, decimals=1, precision=5,
    withheld=['window_is_suppressed', 'all_is_suppressed'], family_column='disclosure_family'
) %}

-- the share's denominator is the all-hours count rounded as the counts are (NHS: to 5):
-- rounding is monotonic, so the rounded window count never exceeds it
shares_on_published as (

    select
        areas_published.*,
        {{ rounded_count('all_events', family_column='disclosure_family') }} as all_events_published
    from areas_published

),

final as (

    select
        {{ when_period_columns() }},
        district_code,
        district_name,
        area_type,
        area_name,
        area_sort_order,
        {{ night_time_window_label() }}                             as night_time_window,
        {{ published_count('all_events', 'all_is_suppressed', family_column='disclosure_family') }}
                                                                    as all_hours_count,
        {{ published_count('window_events', 'window_is_suppressed', family_column='disclosure_family') }}
                                                                    as night_time_economy_count,
        {{ published_count('other_events', 'other_is_suppressed', family_column='disclosure_family') }}
                                                                    as other_hours_count,
        {{ published_rate_columns(
            'night_time_economy_share_percent', 'window_events', 'all_events_published', method='wilson',
            **share_args
        ) }},
        cast(round({{ night_time_window_hours_per_week() }} * 100.0 / 168, 1) as numeric(5, 1))
                                                                    as window_share_of_week_percent,
        all_is_suppressed or window_is_suppressed or other_is_suppressed as is_suppressed
    from shares_on_published

)

select * from final
