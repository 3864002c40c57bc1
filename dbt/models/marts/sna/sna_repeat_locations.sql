-- Persistent and new hotspots: the places with violence in the latest month of each source, by
-- what came before, per district. Sources: LSOAs with police.uk violence and sexual offences
-- (fct_police_crime), LSOAs with violence in the force extract (fct_police_force_crime, one per
-- crime) and ED venues (int_ed_venues_normalised, per ED site, filed under the site's district;
-- not at home). With N = var('repeat_location_months') (6), a place active in the latest month is
--   persistent    violence in each of the last N months (the latest included);
--   new           no violence in the N months before the latest;
--   intermittent  the rest;
-- and 'all' counts every place active in the latest month. Per status: the places and the
-- events there in the latest month, with the status's share of the month's events (Wilson).
-- Each source under its own disclosure family (police; health for ED venues), secondary
-- suppression over the statuses of a district (they add up to 'all').
{%- set months = var('repeat_location_months', 6) | int %}
{%- set sources = [
    {'code': 'police_uk', 'name': 'Neighbourhoods (LSOAs), police.uk violence', 'family': 'police'},
    {'code': 'police_force', 'name': 'Neighbourhoods (LSOAs), force-recorded violence', 'family': 'police'},
    {'code': 'ed_venue', 'name': 'Places named by ED assault patients', 'family': 'health'},
] %}

with

sites as (

    {{ ed_site_districts(ref('ed_sites'), ref('dim_geography')) }}

),

events as (

    select 'police_uk' as source_code, lsoa_code as location_key, district_code, month_start
    from {{ ref('fct_police_crime') }}
    where is_violence_and_sexual
        and lsoa_code is not null

    union all

    select 'police_force', lsoa_code, district_code,
        cast(date_trunc('month', offence_date) as date)
    from {{ ref('fct_police_force_crime') }}
    where is_first_row_of_crime
        and crime_type = 'Violence and sexual offences'
        and lsoa_code is not null

    union all

    select 'ed_venue', venues.site_code || ': ' || venues.venue_name, sites.district_code,
        -- the assault's month: arrivals spill into the month after the last one delivered
        cast(date_trunc('month', venues.assault_date) as date)
    from {{ ref('int_ed_venues_normalised') }} as venues
    left join sites
        on venues.site_code = sites.site_code
    where venues.assault_location_type <> 'Home'
        and not venues.is_private_place
        and venues.venue_name is not null

),

source_months as (

    select
        source_code,
        max(month_start)                                                    as latest_month,
        min(month_start)                                                    as first_month
    from events
    group by source_code

),

per_location as (

    select
        events.source_code,
        events.location_key,
        events.district_code,
        count(*) filter (where events.month_start = source_months.latest_month)
                                                                            as latest_month_events,
        count(distinct events.month_start) filter (
            where events.month_start > source_months.latest_month - interval '{{ months }} months'
        )                                                                   as active_months_last_n,
        count(*) filter (
            where events.month_start < source_months.latest_month
            and events.month_start >= source_months.latest_month - interval '{{ months }} months'
        )                                                                   as events_previous_n
    from events
    inner join source_months
        on events.source_code = source_months.source_code
    where events.month_start > source_months.latest_month - interval '{{ months + 1 }} months'
    group by events.source_code, events.location_key, events.district_code

),

classified as (

    select
        source_code,
        district_code,
        latest_month_events,
        case
            when active_months_last_n = {{ months }} then 'persistent'
            when events_previous_n = 0 then 'new'
            else 'intermittent'
        end                                                                 as status
    from per_location
    where latest_month_events > 0

),

statuses (status, status_name, status_sort_order) as (

    values
        ('all', 'All places with violence in the month', 0),
        ('persistent', 'Persistent: violence in each of the last {{ months }} months', 1),
        ('new', 'New: none in the {{ months }} months before', 2),
        ('intermittent', 'Intermittent: the rest', 3)

),

counted as (

    select source_code, district_code, status, count(*) as places, sum(latest_month_events) as events
    from classified
    group by source_code, district_code, status

    union all

    select source_code, district_code, 'all', count(*), sum(latest_month_events)
    from classified
    group by source_code, district_code

),

-- every district of the partnership, and the no-district group (ED sites outside it) where it
-- has events
areas as (

    select source_months.source_code, districts.district_code, districts.district_name
    from source_months
    cross join (
        select district_code, max(district_name) as district_name
        from {{ ref('dim_geography') }}
        where district_code is not null
        group by district_code
    ) as districts

    union all

    select distinct source_code, cast(null as text), cast(null as text)
    from events
    where district_code is null

),

sources (source_code, source_name, source_sort_order, disclosure_family) as (

    values
    {%- for source in sources %}
        ('{{ source.code }}', '{{ source.name }}', {{ loop.index }},
            '{{ source.family }}'){% if not loop.last %},{% endif %}
    {%- endfor %}

),

cells as (

    select
        areas.source_code,
        sources.source_name,
        sources.source_sort_order,
        source_months.latest_month,
        source_months.first_month <= source_months.latest_month - interval '{{ months }} months'
                                                                            as has_full_lookback,
        areas.district_code,
        areas.district_name,
        statuses.status,
        statuses.status_name,
        statuses.status_sort_order,
        coalesce(counted.places, 0)                                         as places,
        coalesce(counted.events, 0)                                         as events
    from areas
    inner join sources
        on areas.source_code = sources.source_code
    inner join source_months
        on areas.source_code = source_months.source_code
    cross join statuses
    left join counted
        on areas.source_code = counted.source_code
        and areas.district_code is not distinct from counted.district_code
        and statuses.status = counted.status

),

{%- for source in sources %}
{#- shares are of the published (rounded) total, so a rounded count never exceeds it -#}
{%- set district_events_published = '(' ~ rounded_count('district_events', family=source.family) ~ ')' %}
{%- set share_withheld = ['events_is_suppressed', 'district_events_is_suppressed', "status = 'all'"] %}

cells_{{ source.code }} as (

    select * from cells where source_code = '{{ source.code }}'

),

protected_{{ source.code }} as (

    {{ suppress_count_columns(
        'cells_' ~ source.code, ['places', 'events'],
        groupings=[['district_code']], tiebreak=['status_sort_order'], family=source.family
    ) }}

),

published_{{ source.code }} as (

    select
        source_code,
        source_name,
        source_sort_order,
        latest_month,
        {{ months }}                                                        as lookback_months,
        has_full_lookback,
        district_code,
        district_name,
        status,
        status_name,
        status_sort_order,
        {{ published_count('places', 'places_is_suppressed', family=source.family) }}
                                                                            as place_count,
        places_is_suppressed                                                as place_count_is_suppressed,
        {{ published_count('events', 'events_is_suppressed', family=source.family) }}
                                                                            as event_count,
        events_is_suppressed                                                as event_count_is_suppressed,
        {{ published_rate_columns(
            'event_share_percent', 'events', district_events_published, method='wilson', per=100,
            decimals=1, precision=5, withheld=share_withheld, family=source.family
        ) }}
    from (
        select
            protected.*,
            max(events) filter (where status = 'all') over (
                partition by district_code
            )                                                               as district_events,
            bool_or(events_is_suppressed) filter (where status = 'all') over (
                partition by district_code
            )                                                               as district_events_is_suppressed
        from protected_{{ source.code }} as protected
    ) as with_totals

),
{%- endfor %}

final as (

    {%- for source in sources %}
    select * from published_{{ source.code }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

)

select * from final
