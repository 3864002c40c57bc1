-- Violence and sexual offences per electoral ward per month (police.uk), per 1,000 residents,
-- with the district and an approximate map point (the mean of its LSOAs' points). Same measure
-- as sna_violence_district_month. Disclosure control: small counts withheld, and so is the
-- smallest other cell of any district's month, any ward's months, or any ward's latest 12 months
-- (whose total sna_violence_ward_latest_12_months publishes) or earlier months, that would
-- otherwise hold a single withheld cell.

with

geography as (

    select * from {{ ref('dim_geography') }}

),

wards as (

    select
        geography.ward_code,
        max(geography.ward_name)            as ward_name,
        max(geography.district_code)        as district_code,
        max(geography.district_name)        as district_name,
        avg(centroids.latitude)             as latitude,
        avg(centroids.longitude)            as longitude
    from geography
    left join {{ ref('int_lsoa_centroids') }} as centroids
        on geography.lsoa_code = centroids.lsoa_code
    group by geography.ward_code

),

months as (

    select distinct month_start from {{ ref('fct_police_crime') }}

),

period as (

    -- the latest 12 months, which sna_violence_ward_latest_12_months totals per ward
    {{ latest_12_months_period(ref('fct_police_crime')) }}

),

population as (

    -- residents of each ward in the month's year (ONS mid-year estimate, or the nearest)
    {{ area_population(ref('int_population_by_area'), 'ward') }}

),

violence as (

    select
        geography.ward_code,
        crimes.month_start,
        count(*) as events
    from {{ ref('fct_police_crime') }} as crimes
    inner join geography
        on crimes.lsoa_code = geography.lsoa_code
    where crimes.is_violence_and_sexual
    group by geography.ward_code, crimes.month_start

),

ward_months as (

    select
        months.month_start,
        months.month_start between period.period_start and period.period_end
            as is_latest_12_months,
        wards.*,
        population.population,
        population.is_nearest_year_estimate as population_is_nearest_year,
        coalesce(violence.events, 0) as events
    from wards
    cross join months
    cross join period
    left join population
        on wards.ward_code = population.area_code
        and to_char(months.month_start, 'YYYY') = population.period
    left join violence
        on wards.ward_code = violence.ward_code
        and months.month_start = violence.month_start

),

protected as (

    {{ suppress_small_counts(
        'ward_months', 'events',
        groupings=[
            ['month_start', 'district_code'], ['ward_code'], ['ward_code', 'is_latest_12_months']
        ],
        tiebreak=['ward_code', 'month_start'], family='police'
    ) }}

),

final as (

    select
        month_start,
        {{ financial_year('month_start') }} as financial_year,
        ward_code,
        ward_name,
        district_code,
        district_name,
        cast(round(latitude, 6) as numeric(9, 6))  as latitude,
        cast(round(longitude, 6) as numeric(9, 6)) as longitude,
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
