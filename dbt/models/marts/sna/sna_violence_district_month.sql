-- Violence and sexual offences per district per month, for partnership boards, with disclosure
-- control (macros/disclosure_control.sql): small counts and the cells that would reveal them
-- by subtraction from a month's or a district's total are withheld (NULL, is_suppressed), and
-- rates on fewer than rate_minimum_events events are withheld (macros/published_rate.sql).

with

districts as (

    {{ district_names(ref('dim_geography')) }}

),

population as (

    -- residents of each district in the month's year (ONS mid-year estimate, or the nearest)
    {{ area_population(ref('int_population_by_area'), 'district') }}

),

months as (

    select distinct month_start from {{ ref('fct_police_crime') }}

),

violence as (

    select
        district_code,
        month_start,
        count(*) as events
    from {{ ref('fct_police_crime') }}
    where is_violence_and_sexual
        and district_code is not null
    group by district_code, month_start

),

district_months as (

    {{ district_month_cells('violence', 'events', 'events') }}

),

protected as (

    {{ suppress_small_counts(
        'district_months', 'events',
        groupings=[['month_start'], ['district_code']],
        tiebreak=['district_code', 'month_start'], family='police'
    ) }}

),

final as (

    select
        month_start,
        {{ financial_year('month_start') }} as financial_year,
        district_code,
        district_name,
        cast(population as bigint) as population,
        population_is_nearest_year,
        {{ published_count('events', 'is_suppressed', family='police') }} as violence_count,
        {{ published_rate_columns(
            'violence_rate_per_1000', 'events', 'population', per=1000, decimals=2, withheld=['is_suppressed'], family='police'
        ) }},
        is_suppressed
    from protected

)

select * from final
