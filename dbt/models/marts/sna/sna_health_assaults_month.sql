-- Assaults seen by health services per month, home district of the patient and age band (with
-- an 'All ages' row per month and district): emergency-department assault attendances (ISTV,
-- by arrival month; home district and age only from the optional identifiable ED feed, so the
-- ED measures appear only with that feed) and hospital admissions for assault (ICD-10 X85-Y09, by admission month),
-- each in all and for a sharp object or knife (ED means of assault 'Sharp object/knife';
-- admissions X99). Long format, one row per measure, so one count column carries the
-- disclosure control. Rates per 1,000 residents of the district in the age band, in the month's
-- year (int_population_by_area: ONS mid-year estimates by single year of age, or the nearest year).

with

events as (

    select
        cast(date_trunc('month', arrival_date) as date)             as month_start,
        home_district_code                                          as district_code,
        coalesce(age_band, 'Unknown')                               as age_band,
        'ed_assault_attendance'                                     as measure_code
    from {{ ref('fct_ed_assault_attendance') }}
    where home_district_code is not null

    union all

    select
        cast(date_trunc('month', arrival_date) as date),
        home_district_code,
        coalesce(age_band, 'Unknown'),
        'ed_sharp_object_attendance'
    from {{ ref('fct_ed_assault_attendance') }}
    where home_district_code is not null
        and is_sharp_object

    union all

    select
        cast(date_trunc('month', admission_date) as date),
        home_district_code,
        coalesce(age_band, 'Unknown'),
        'assault_admission'
    from {{ ref('fct_hospital_admission') }}
    -- once per spell, on its first episode, when any episode has an assault code
    where home_district_code is not null
        and is_first_episode_of_spell
        and spell_is_assault

    union all

    select
        cast(date_trunc('month', admission_date) as date),
        home_district_code,
        coalesce(age_band, 'Unknown'),
        'sharp_object_admission'
    from {{ ref('fct_hospital_admission') }}
    where home_district_code is not null
        and is_first_episode_of_spell
        and spell_is_sharp_object

),

measures (measure_code, measure_name, service, measure_sort_order) as (

    values
        ('ed_assault_attendance', 'ED attendances for assault', 'Emergency department', 1),
        ('ed_sharp_object_attendance', 'ED attendances for assault with a sharp object or knife',
            'Emergency department', 2),
        ('assault_admission', 'Hospital admissions for assault', 'Hospital admission', 3),
        ('sharp_object_admission', 'Hospital admissions for assault by a sharp object',
            'Hospital admission', 4)

),

-- a service's measures only where the service has rows: the ED rows need the optional
-- identifiable ED feed (home district and age; ISTV is anonymised), so without it the ED
-- measures are left out rather than shown as zeros
measures_present as (

    select measures.*
    from measures
    where measures.service in (
        select listed.service
        from measures as listed
        inner join (select distinct measure_code from events) as present
            on listed.measure_code = present.measure_code
    )

),

months as (

    -- every month from the first to the last either service has data for
    select cast(generate_series(
        (select min(month_start) from events),
        (select max(month_start) from events),
        interval '1 month'
    ) as date) as month_start

),

districts as (

    {{ district_names(ref('dim_geography')) }}

),

age_bands as (

    {{ reporting_age_bands(ref('dim_age_band')) }}

),

population as (

    select area_code, period, age_group, population, is_nearest_year_estimate
    from {{ ref('int_population_by_area') }}
    where area_type = 'district'
        and period_type = 'calendar_year'

),

counted as (

    select month_start, district_code, age_band, measure_code, count(*) as events
    from events
    group by grouping sets (
        (month_start, district_code, age_band, measure_code),
        (month_start, district_code, measure_code)
    )

),

cells as materialized (

    select
        months.month_start,
        districts.district_code,
        districts.district_name,
        age_bands.age_band,
        age_bands.sort_order                                        as age_band_sort_order,
        measures.measure_code,
        measures.measure_name,
        measures.service,
        measures.measure_sort_order,
        population.population,
        population.is_nearest_year_estimate                          as population_is_nearest_year,
        coalesce(counted.events, 0)                                 as events
    from months
    cross join districts
    cross join age_bands
    cross join measures_present as measures
    left join population
        on districts.district_code = population.area_code
        and to_char(months.month_start, 'YYYY') = population.period
        and age_bands.age_band = population.age_group
    left join counted
        on months.month_start = counted.month_start
        and districts.district_code = counted.district_code
        and age_bands.age_band = coalesce(counted.age_band, 'All ages')
        and measures.measure_code = counted.measure_code

),

{%- set groupings = [
    ['month_start', 'district_code', 'measure_code'],
    ['month_start', 'age_band', 'measure_code'],
    ['district_code', 'age_band', 'measure_code'],
] %}
{%- set tiebreak = ['district_code', 'month_start', 'age_band'] %}

protected as materialized (

    {{ suppress_small_counts('cells', 'events', groupings=groupings, tiebreak=tiebreak, family='health') }}

),

final as (

    select
        month_start,
        {{ financial_year('month_start') }}                         as financial_year,
        district_code,
        district_name,
        age_band,
        age_band_sort_order,
        measure_code,
        measure_name,
        service,
        measure_sort_order,
        cast(population as bigint)                                  as population,
        population_is_nearest_year,
        {{ published_count('events', 'is_suppressed', family='health') }} as assault_count,
        {{ published_rate_columns(
            'assault_rate_per_1000', 'events', 'population', per=1000, decimals=3, withheld=['is_suppressed'], family='health'
        ) }},
        is_suppressed
    from protected

)

select * from final
