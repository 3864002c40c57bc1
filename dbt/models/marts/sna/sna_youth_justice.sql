-- Youth justice per financial year (of the outcome date) and the child's home district:
-- first-time entrants (a child's first formal outcome: youth caution, conditional caution or
-- court outcome) per 100,000 residents aged 10-17 (int_population_by_area: ONS mid-year
-- estimate for the financial year's start, or the nearest year), and
-- 12-month proven reoffending as the MoJ measures it: the cohort is the children with a formal
-- outcome in the year, each once, at their first such outcome of the year; a reoffender
-- offended again within 12 months of it. Only children whose 12 months have passed in the data
-- are in a cohort; reoffending_cohort_is_complete says whether that is every child of the year.
-- Each count carries its own disclosure control (and flag).

{%- set groupings = [['financial_year'], ['district_code']] %}
{%- set tiebreak = ['district_code', 'financial_year'] %}

with

outcomes as (

    select
        *,
        {{ financial_year('outcome_date') }}                        as financial_year
    from {{ ref('fct_youth_justice_outcome') }}
    where outcome_date is not null

),

index_outcomes as (

    -- each child's first formal outcome of the financial year
    select distinct on (child_key, financial_year)
        child_key,
        financial_year,
        home_district_code,
        has_full_reoffending_window,
        is_reoffended_within_12_months
    from outcomes
    where is_formal_outcome
        and child_key is not null
    order by child_key, financial_year, outcome_date, offence_date, offence_id

),

years as (

    select
        outcomes.financial_year,
        min(outcomes.outcome_date)                                  as period_start,
        max(outcomes.outcome_date)                                  as period_end,
        coalesce((
            select bool_and(index_outcomes.has_full_reoffending_window)
            from index_outcomes
            where index_outcomes.financial_year = outcomes.financial_year
        ), false)                                                   as reoffending_cohort_is_complete
    from outcomes
    group by outcomes.financial_year

),

population as (

    {{ area_population(ref('int_population_by_area'), 'district', '10-17', 'financial_year') }}

),

districts as (

    select district_code, max(district_name) as district_name
    from {{ ref('dim_geography') }}
    where district_code is not null
    group by district_code

),

entrants as (

    select financial_year, home_district_code as district_code, count(*) as entrants
    from outcomes
    where is_first_time_entrant
        and home_district_code is not null
    group by 1, 2

),

cohorts as (

    select
        financial_year,
        home_district_code                                          as district_code,
        count(*)                                                    as cohort,
        count(*) filter (where is_reoffended_within_12_months)      as reoffenders
    from index_outcomes
    where has_full_reoffending_window
        and home_district_code is not null
    group by 1, 2

),

cells as (

    select
        years.financial_year,
        years.period_start,
        years.period_end,
        years.reoffending_cohort_is_complete,
        districts.district_code,
        districts.district_name,
        population.population                                       as population_10_17,
        population.is_nearest_year_estimate                         as population_is_nearest_year,
        coalesce(entrants.entrants, 0)                              as entrants,
        coalesce(cohorts.cohort, 0)                                 as cohort,
        coalesce(cohorts.reoffenders, 0)                            as reoffenders
    from years
    cross join districts
    left join population
        on districts.district_code = population.area_code
        and years.financial_year = population.period
    left join entrants
        on years.financial_year = entrants.financial_year
        and districts.district_code = entrants.district_code
    left join cohorts
        on years.financial_year = cohorts.financial_year
        and districts.district_code = cohorts.district_code

),

protected as (

    {{ suppress_count_columns(
        'cells', ['entrants', 'cohort', 'reoffenders'], groupings=groupings, tiebreak=tiebreak, family='youth_justice'
    ) }}

),

final as (

    select
        financial_year,
        period_start,
        period_end,
        district_code,
        district_name,
        cast(population_10_17 as bigint)                            as population_10_17,
        population_is_nearest_year,
        {{ published_count('entrants', 'entrants_is_suppressed', family='youth_justice') }} as first_time_entrant_count,
        entrants_is_suppressed                                      as first_time_entrant_count_is_suppressed,
        {{ published_rate_columns(
            'first_time_entrant_rate_per_100k', 'entrants', 'population_10_17', per=100000, decimals=1, precision=10,
            withheld=['entrants_is_suppressed'], family='youth_justice'
        ) }},
        reoffending_cohort_is_complete,
        {{ published_count('cohort', 'cohort_is_suppressed', family='youth_justice') }} as reoffending_cohort_count,
        cohort_is_suppressed                                        as reoffending_cohort_count_is_suppressed,
        {{ published_count('reoffenders', 'reoffenders_is_suppressed', family='youth_justice') }} as reoffender_count,
        reoffenders_is_suppressed                                   as reoffender_count_is_suppressed,
        -- withheld when either count is, else the withheld one could be worked out from it
        {{ published_rate_columns(
            'reoffending_percent', 'reoffenders', 'cohort', per=100, decimals=1, precision=5,
            withheld=['reoffenders_is_suppressed', 'cohort_is_suppressed'], family='youth_justice', method='wilson'
        ) }}
    from protected

)

select * from final
