-- Ambulance call-outs to assaults (999 incidents coded as assault or penetrating trauma;
-- fct_ambulance_callout) per month and district of the incident, with the rate per 1,000
-- residents of the district in the month's year (ONS mid-year estimate, or the nearest) and its
-- Byar 95% interval: the ambulance trend of the "When violence happens" dashboard. Every month
-- from the source's first to its latest, zero months included. Disclosure control by the NHS
-- rule (health: 1-7 withheld, the rest rounded to 5) with secondary suppression over the
-- districts of a month and the months of a district.

with

callouts as (

    select
        cast(date_trunc('month', call_date) as date)                as month_start,
        district_code,
        is_penetrating_trauma
    from {{ ref('fct_ambulance_callout') }}
    where district_code is not null
        and call_date is not null

),

months as (

    select cast(generate_series(
        (select min(month_start) from callouts),
        (select max(month_start) from callouts),
        interval '1 month'
    ) as date) as month_start

),

districts as (

    {{ district_names(ref('dim_geography')) }}

),

population as (

    {{ area_population(ref('int_population_by_area'), 'district') }}

),

counted as (

    select month_start, district_code, count(*) as callouts
    from callouts
    group by month_start, district_code

),

cells as (

    {{ district_month_cells('counted', 'callouts', 'callouts') }}

),

protected as (

    {{ suppress_small_counts(
        'cells', 'callouts', groupings=[['month_start'], ['district_code']],
        tiebreak=['district_code', 'month_start'], family='health'
    ) }}

),

{%- set rate_args = dict(per=1000, decimals=3, withheld=['is_suppressed'], family='health') %}

final as (

    select
        month_start,
        {{ financial_year('month_start') }}                         as financial_year,
        district_code,
        district_name,
        cast(population as bigint)                                  as population,
        population_is_nearest_year,
        {{ published_count('callouts', 'is_suppressed', family='health') }} as callout_count,
        {{ published_rate_columns('callout_rate_per_1000', 'callouts', 'population', method='byar', **rate_args) }},
        is_suppressed
    from protected

)

select * from final
