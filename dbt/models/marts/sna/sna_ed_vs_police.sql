-- Emergency-department assault attendances (ISTV) against police-recorded violence with injury
-- (victims in the force crime extract, offences dim_offence marks violence with injury), per
-- month, district and age band, with an 'All ages' row per month and district: the
-- Cardiff-model comparison of how much violence reaches the ED without reaching the police.
-- ED attendances count by arrival month and the patient's home district, police victims by
-- offence month and the district where the offence happened. Only months both sources cover
-- are shown. The ISTV extract records no "reported to police" answer, so the patient-stated
-- share of unreported assaults cannot be computed; the ratio is the measure.
-- Needs the optional identifiable ED feed (health_ed_attendances_identifiable, its own legal
-- basis): ISTV is anonymised, so the patient's home district and age come only from that feed.
-- Without it the model has no rows (no month has ED data), and no error.
-- Each count carries its own disclosure control (health for ED, police for police).

{%- set groupings = [['month_start', 'district_code'], ['month_start', 'age_band'], ['district_code', 'age_band']] %}

with

ed as (

    select
        cast(date_trunc('month', arrival_date) as date)             as month_start,
        home_district_code                                          as district_code,
        coalesce(age_band, 'Unknown')                               as age_band
    from {{ ref('fct_ed_assault_attendance') }}
    where is_identified
        and home_district_code is not null

),

police as (

    select distinct
        cast(date_trunc('month', crimes.offence_date) as date)      as month_start,
        crimes.district_code,
        coalesce(crimes.victim_age_band, 'Unknown')                 as age_band,
        crimes.crime_reference,
        crimes.victim_person_key
    from {{ ref('fct_police_force_crime') }} as crimes
    inner join {{ ref('dim_offence') }} as offences
        on crimes.offence_key = offences.offence_key
    where offences.is_violence_with_injury
        and crimes.district_code is not null
        and crimes.victim_person_key is not null

),

months as (

    -- the months both sources cover
    select cast(generate_series(
        greatest(
            (select min(month_start) from ed), (select min(month_start) from police)
        ),
        least((select max(month_start) from ed), (select max(month_start) from police)),
        interval '1 month'
    ) as date) as month_start
    -- greatest() and least() skip NULLs: without this, one empty source would set the months
    where exists (select 1 from ed) and exists (select 1 from police)

),

districts as (

    select district_code, max(district_name) as district_name
    from {{ ref('dim_geography') }}
    where district_code is not null
    group by district_code

),

age_bands as (

    {{ reporting_age_bands(ref('dim_age_band')) }}

),

ed_counted as (

    select month_start, district_code, age_band, count(*) as events
    from ed
    group by grouping sets ((month_start, district_code, age_band), (month_start, district_code))

),

police_counted as (

    select month_start, district_code, age_band, count(*) as events
    from police
    group by grouping sets ((month_start, district_code, age_band), (month_start, district_code))

),

cells as (

    select
        months.month_start,
        districts.district_code,
        districts.district_name,
        age_bands.age_band,
        age_bands.sort_order                                        as age_band_sort_order,
        coalesce(ed_counted.events, 0)                              as ed_events,
        coalesce(police_counted.events, 0)                          as police_events
    from months
    cross join districts
    cross join age_bands
    left join ed_counted
        on months.month_start = ed_counted.month_start
        and districts.district_code = ed_counted.district_code
        and age_bands.age_band = coalesce(ed_counted.age_band, 'All ages')
    left join police_counted
        on months.month_start = police_counted.month_start
        and districts.district_code = police_counted.district_code
        and age_bands.age_band = coalesce(police_counted.age_band, 'All ages')

),

protected as (

    {{ suppress_count_columns(
        'cells', ['ed_events', 'police_events'],
        groupings=groupings, tiebreak=['district_code', 'month_start', 'age_band'],
        families={'ed_events': 'health', 'police_events': 'police'}
    ) }}

),

final as (

    select
        month_start,
        {{ financial_year('month_start') }}                         as financial_year,
        district_code,
        district_name,
        age_band,
        age_band_sort_order,
        {{ published_count('ed_events', 'ed_events_is_suppressed', family='health') }} as ed_assault_count,
        ed_events_is_suppressed                                     as ed_assault_count_is_suppressed,
        {{ published_count('police_events', 'police_events_is_suppressed', family='police') }} as police_violence_count,
        police_events_is_suppressed                                 as police_violence_count_is_suppressed,
        -- a ratio of two event counts: the police count must reach the minimum as well
        {{ published_rate_columns(
            'ed_to_police_ratio', 'ed_events', 'police_events', per=1, decimals=2, precision=8,
            withheld=['ed_events_is_suppressed', 'police_events_is_suppressed'],
            denominator_min_events=true, family='health'
        ) }}
    from protected

)

select * from final
