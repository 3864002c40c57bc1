-- Violence and sexual offences per LSOA per month (police.uk), per 1,000 residents, with ward
-- and district and an approximate map point. Same measure as sna_violence_district_month.
-- Disclosure control: small counts withheld, and so is the smallest other cell of any ward's
-- month, or of an LSOA's latest 12 months or its earlier months, that would otherwise hold a
-- single withheld cell (wards nest in districts, so district and partnership totals cannot
-- reveal a cell; sna_violence_lsoa_latest_12_months publishes the LSOA's latest-12 total).

with

geography as (

    select
        lsoa_code,
        lsoa_name,
        ward_code,
        ward_name,
        district_code,
        district_name
    from {{ ref('dim_geography') }}

),

months as (

    select distinct month_start from {{ ref('fct_police_crime') }}

),

period as (

    {{ latest_12_months_period(ref('fct_police_crime')) }}

),

population as (

    -- residents of each LSOA in the month's year (ONS mid-year estimate, or the nearest)
    {{ area_population(ref('int_population_by_area'), 'lsoa') }}

),

violence as (

    select
        lsoa_code,
        month_start,
        count(*) as events
    from {{ ref('fct_police_crime') }}
    where is_violence_and_sexual
        and district_code is not null
    group by lsoa_code, month_start

),

lsoa_months as (

    select
        months.month_start,
        months.month_start between period.period_start and period.period_end
            as is_latest_12_months,
        geography.*,
        population.population,
        population.is_nearest_year_estimate as population_is_nearest_year,
        coalesce(violence.events, 0) as events
    from geography
    cross join months
    cross join period
    left join population
        on geography.lsoa_code = population.area_code
        and to_char(months.month_start, 'YYYY') = population.period
    left join violence
        on geography.lsoa_code = violence.lsoa_code
        and months.month_start = violence.month_start

),

protected as (

    {{ suppress_small_counts(
        'lsoa_months', 'events',
        groupings=[['month_start', 'ward_code'], ['lsoa_code', 'is_latest_12_months']],
        tiebreak=['lsoa_code', 'month_start'], family='police'
    ) }}

),

final as (

    select
        protected.month_start,
        {{ financial_year('protected.month_start') }} as financial_year,
        protected.is_latest_12_months,
        protected.lsoa_code,
        protected.lsoa_name,
        protected.ward_code,
        protected.ward_name,
        protected.district_code,
        protected.district_name,
        centroids.latitude,
        centroids.longitude,
        cast(protected.population as bigint) as population,
        protected.population_is_nearest_year,
        {{ published_count('protected.events', 'protected.is_suppressed', family='police') }} as violence_count,
        {{ published_rate_columns(
            'violence_rate_per_1000', 'protected.events', 'protected.population', per=1000, decimals=2,
            withheld=['protected.is_suppressed'], family='police'
        ) }},
        protected.is_suppressed
    from protected
    left join {{ ref('int_lsoa_centroids') }} as centroids
        on protected.lsoa_code = centroids.lsoa_code

)

select * from final
