-- Funnel plot of serious violence by district (Spiegelhalter 2005; the APHO/PHE method): crimes
-- recorded by the force under the partnership's serious-violence definition in the latest 12
-- months of force data, per 1,000 residents of each district, against the partnership's rate,
-- with 95% and 99.8% control limits at the district's population (macros/funnel_plot.sql) and
-- where the district falls. Also the change against the 12 months before (rate ratio, 95%
-- interval, significance: macros/rate_comparison.sql). The limit curves over a range of
-- populations are in sna_violence_funnel_limits.
-- Disclosure control: a district count of 1 to 4, and the smallest other count of its period
-- (so it cannot be taken from the published partnership total), is withheld with its rate and
-- position; the previous 12 months' counts go through the same rule before a ratio uses them.

with

districts as (

    {{ district_names(ref('dim_geography')) }}

),

crimes as (

    {{ force_crime_months(ref('fct_police_force_crime')) }}

),

source_months as (

    select distinct month_start from crimes

),

-- the latest 12 months of force data and the 12 before them
periods as (

    select
        'latest_12_months'                                      as period_label,
        cast(max(month_start) - interval '11 months' as date)   as period_start,
        max(month_start)                                        as last_month
    from source_months
    union all
    select
        'previous_12_months',
        cast(max(month_start) - interval '23 months' as date),
        cast(max(month_start) - interval '12 months' as date)
    from source_months

),

period_coverage as (

    select
        periods.*,
        count(source_months.month_start) as months_covered
    from periods
    inner join source_months
        on source_months.month_start between periods.period_start and periods.last_month
    group by periods.period_label, periods.period_start, periods.last_month

),

population as (

    select area_code, period as financial_year, population
    from {{ ref('int_population_by_area') }}
    where area_type = 'district'
        and period_type = 'financial_year'
        and age_group = 'All ages'

),

district_periods as (

    select
        period_coverage.period_label,
        period_coverage.period_start,
        period_coverage.last_month,
        period_coverage.months_covered,
        'partnership'                                   as partnership,
        districts.district_code,
        districts.district_name,
        population.population,
        -- population x years covered: a rate on it is a yearly rate whatever the months covered
        population.population * period_coverage.months_covered / 12.0 as person_years,
        count(crimes.month_start)                       as events
    from period_coverage
    cross join districts
    left join population
        on districts.district_code = population.area_code
        and {{ financial_year('period_coverage.last_month') }} = population.financial_year
    left join crimes
        on districts.district_code = crimes.district_code
        and crimes.is_serious_violence
        and crimes.month_start between period_coverage.period_start and period_coverage.last_month
    group by period_coverage.period_label, period_coverage.period_start, period_coverage.last_month,
        period_coverage.months_covered, districts.district_code, districts.district_name,
        population.population

),

protected as (

    {{ suppress_small_counts(
        'district_periods', 'events',
        groupings=[['period_label', 'partnership']],
        tiebreak=['period_label', 'district_code'], family='police'
    ) }}

),

-- the partnership's rate per person-year, from every district (a published total)
partnership as (

    select
        period_label,
        sum(events)                             as events,
        sum(person_years)                       as person_years,
        sum(events) * 1.0 / nullif(sum(person_years), 0) as rate_per_person_year
    from protected
    where person_years is not null
    group by period_label

),

latest as (

    select
        protected.*,
        -- as published (3 decimals per 1,000), so that the limits here and on the curves of
        -- sna_violence_funnel_limits are drawn around the same rate
        round(partnership.rate_per_person_year * 1000, 3) / 1000.0 as partnership_rate,
        partnership.events                      as partnership_events,
        previous.events                         as previous_events,
        previous.is_suppressed                  as previous_is_suppressed,
        case when previous.months_covered = 12 then previous.person_years end as previous_person_years
    from protected
    inner join partnership
        on protected.period_label = partnership.period_label
    left join protected as previous
        on previous.period_label = 'previous_12_months'
        and protected.district_code = previous.district_code
    where protected.period_label = 'latest_12_months'

),

final as (

    select
        period_start,
        cast(last_month + interval '1 month' - interval '1 day' as date) as period_end,
        cast(months_covered as integer)                         as months_covered,
        district_code,
        district_name,
        cast(population as bigint)                              as population,
        {{ published_count('events', 'is_suppressed', family='police') }} as serious_violence_count,
        is_suppressed,
        {{ published_rate_columns(
            'serious_violence_rate_per_1000', 'events', 'person_years', per=1000, decimals=2,
            withheld=['is_suppressed'], family='police'
        ) }},
        cast(round(partnership_rate * 1000, 3) as numeric(12, 3)) as partnership_rate_per_1000,
        {%- for bound, z, level in [('lower', 3.0902, '998'), ('lower', 1.96, '95'), ('upper', 1.96, '95'), ('upper', 3.0902, '998')] %}
        case when person_years > 0 then cast(round(
            {{ funnel_limit('partnership_rate', 'person_years', bound, z) }}, 2
        ) as numeric(12, 2)) end                                as {{ bound }}_{{ level }}_limit_per_1000,
        {%- endfor %}
        case when not is_suppressed and person_years > 0
            then {{ funnel_position('events', 'person_years', 'partnership_rate') }}
        end                                                     as funnel_position,
        {{ rate_ratio_columns(
            'previous_12_months', 'events', 'person_years', 'previous_events', 'previous_person_years',
            withheld=['is_suppressed', 'previous_is_suppressed'], family='police'
        ) }}
    from latest

)

select * from final
