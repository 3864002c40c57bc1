-- The funnel plot's limit curves for sna_violence_district_funnel: the partnership's serious
-- violence rate in the latest 12 months with its 95% and 99.8% control limits at 60 populations
-- spread evenly on a log scale from half the smallest district to one and a half times the
-- largest, for drawing the funnel. No district rows: only the partnership rate (a published
-- total) and populations, so no disclosure control is needed, and no district_code column, so
-- row-level security leaves the curves whole for a district's users.

with

funnel as (

    select * from {{ ref('sna_violence_district_funnel') }}

),

spread as (

    select
        min(population) * 0.5       as smallest,
        max(population) * 1.5       as largest,
        max(months_covered)         as months_covered,
        max(period_start)           as period_start,
        max(period_end)             as period_end,
        -- the partnership rate per person-year, as the funnel model publishes it
        max(partnership_rate_per_1000) / 1000.0 as partnership_rate
    from funnel
    where population > 0

),

curve as (

    select
        spread.*,
        step,
        spread.smallest * power(spread.largest / spread.smallest, step / 59.0) as population
    from spread
    cross join generate_series(0, 59) as step
    where spread.partnership_rate > 0

),

final as (

    select
        period_start,
        period_end,
        cast(step as integer)                                   as curve_point,
        cast(round(population) as bigint)                       as population,
        cast(round(partnership_rate * 1000, 3) as numeric(12, 3)) as partnership_rate_per_1000,
        {%- for bound, z, level in [('lower', 3.0902, '998'), ('lower', 1.96, '95'), ('upper', 1.96, '95'), ('upper', 3.0902, '998')] %}
        cast(round(
            {{ funnel_limit('partnership_rate', 'population * months_covered / 12.0', bound, z) }}, 2
        ) as numeric(12, 2))                                    as {{ bound }}_{{ level }}_limit_per_1000{{ ',' if not loop.last }}
        {%- endfor %}
    from curve

)

select * from final
