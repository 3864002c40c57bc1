-- Violence and sexual offences per electoral ward over the latest 12 months of police.uk data,
-- per 1,000 residents, with its 95% interval: the ward choropleth. Counted on the LSOAs the
-- ward lookup puts in the ward (best fit), over the same months as
-- sna_violence_lsoa_latest_12_months. Disclosure control: small counts withheld, and so is the
-- smallest other ward of any district that would otherwise hold a single withheld ward
-- (sna_violence_ward_month protects the months inside each ward's total, and
-- sna_violence_lsoa_latest_12_months the LSOAs inside it).

with

geography as (

    select lsoa_code, ward_code, ward_name, district_code, district_name
    from {{ ref('dim_geography') }}

),

wards as (

    select
        ward_code,
        max(ward_name)      as ward_name,
        max(district_code)  as district_code,
        max(district_name)  as district_name
    from geography
    group by ward_code

),

period as (

    {{ latest_12_months_period(ref('fct_police_crime')) }}

),

population as (

    -- residents of each ward in the year of the period's latest month
    {{ area_population(ref('int_population_by_area'), 'ward') }}

),

violence as (

    select
        geography.ward_code,
        count(*) as events
    from {{ ref('fct_police_crime') }} as crimes
    inner join geography
        on crimes.lsoa_code = geography.lsoa_code
    cross join period
    where crimes.is_violence_and_sexual
        and crimes.month_start between period.period_start and period.period_end
    group by geography.ward_code

),

ward_totals as (

    select
        wards.*,
        population.population,
        population.is_nearest_year_estimate as population_is_nearest_year,
        coalesce(violence.events, 0) as events
    from wards
    cross join period
    left join population
        on wards.ward_code = population.area_code
        and to_char(period.period_end, 'YYYY') = population.period
    left join violence
        on wards.ward_code = violence.ward_code

),

protected as (

    {{ suppress_small_counts(
        'ward_totals', 'events',
        groupings=[['district_code']],
        tiebreak=['ward_code'], family='police'
    ) }}

),

final as (

    select
        period.period_start,
        period.period_end,
        protected.ward_code,
        protected.ward_name,
        protected.district_code,
        protected.district_name,
        cast(protected.population as bigint) as population,
        protected.population_is_nearest_year,
        {{ published_count('protected.events', 'protected.is_suppressed', family='police') }} as violence_count,
        {{ published_rate_columns(
            'violence_rate_per_1000', 'protected.events', 'protected.population', per=1000, decimals=2,
            withheld=['protected.is_suppressed'], family='police'
        ) }},
        protected.is_suppressed
    from protected
    cross join period

)

select * from final
