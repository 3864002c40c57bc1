-- Resident population (both sexes) per area, period and age group, for every rate's denominator.
--   area_type lsoa (all ages only), ward, district, county: 2021 LSOAs of dim_geography and their
--     chain; estimates published on 2011 LSOAs are put on their 2021 LSOA (int_lsoa_codes_mapped).
--   period: each calendar year and each financial year of dim_date; a financial year takes the
--     mid-year estimate of its first year (mid-2023, 30 June 2023, for 2023/24).
--   age groups: 'All ages', 'Under 25' (0-24), '10-17', '10-24' and every dim_age_band band, each the sum
--     of its single years of age (never spread evenly; 90 means 90 and over).
--   estimate: the ONS mid-year estimate (SAPE) for the period's year; where that year is not
--     loaded, the nearest loaded year (ties: the later), flagged is_nearest_year_estimate.
--     With no ONS estimate loaded at all, the IoD 2019 mid-2015 LSOA totals (File 6) give 'All
--     ages' only, flagged likewise.
{{ config(materialized='table', schema='intermediate') }}

with

geography as (

    select * from {{ ref('dim_geography') }}

),

codes as (

    select lsoa_code, lsoa21_code from {{ ref('int_lsoa_codes_mapped') }}

),

sape as (

    select codes.lsoa21_code as lsoa_code, estimates.mid_year, estimates.age, estimates.population
    from {{ ref('stg_reference__lsoa_population_estimates') }} as estimates
    inner join codes
        on estimates.lsoa_code = codes.lsoa_code

),

iod as (

    -- the stand-in when no ONS estimate is loaded: mid-2015 totals, all ages only
    select lsoa_code, 2015 as mid_year, cast(null as integer) as age, population_total as population
    from geography
    where population_total is not null
        and not exists (select 1 from sape)

),

age_groups as (

    select 'All ages' as age_group, 0 as min_age, cast(null as integer) as max_age
    union all
    select 'Under 25', 0, 24
    union all
    -- young people for provision (sna_provision_vs_need)
    select '10-24', 10, 24
    union all
    select age_band, min_age, max_age from {{ ref('dim_age_band') }}
    union all
    -- youth justice's 10-17, also a dim_age_band band: kept once
    select '10-17', 10, 17
    where not exists (select 1 from {{ ref('dim_age_band') }} where age_band = '10-17')

),

lsoa_groups as (

    select
        sape.lsoa_code,
        sape.mid_year,
        age_groups.age_group,
        age_groups.min_age,
        age_groups.max_age,
        'ons_mid_year_estimates' as estimate_source,
        sum(sape.population) as population
    from sape
    inner join age_groups
        on sape.age >= age_groups.min_age
        and (age_groups.max_age is null or sape.age <= age_groups.max_age)
    group by 1, 2, 3, 4, 5
    union all
    select lsoa_code, mid_year, 'All ages', 0, null, 'iod_2019_mid_2015', population
    from iod

),

estimate_years as (

    select distinct mid_year from lsoa_groups

),

periods as (

    select distinct
        'calendar_year'             as period_type,
        cast(calendar_year as text) as period,
        calendar_year               as population_year
    from {{ ref('dim_date') }}
    union
    select distinct
        'financial_year',
        financial_year,
        cast(extract(year from financial_year_start) as integer)
    from {{ ref('dim_date') }}

),

nearest as (

    select distinct on (periods.period_type, periods.period)
        periods.period_type,
        periods.period,
        periods.population_year,
        estimate_years.mid_year as estimate_year
    from periods
    cross join estimate_years
    order by
        periods.period_type,
        periods.period,
        abs(estimate_years.mid_year - periods.population_year),
        estimate_years.mid_year desc

),

located as (

    select
        lsoa_groups.mid_year,
        lsoa_groups.age_group,
        lsoa_groups.min_age,
        lsoa_groups.max_age,
        lsoa_groups.estimate_source,
        lsoa_groups.population,
        geography.lsoa_code,
        geography.lsoa_name,
        geography.ward_code,
        geography.ward_name,
        geography.district_code,
        geography.district_name,
        geography.county_code,
        geography.county_name
    from lsoa_groups
    inner join geography
        on lsoa_groups.lsoa_code = geography.lsoa_code

),

by_area as (

    -- each estimate year summed once per area, before it is spread over the periods using it
    {%- for level in ['lsoa', 'ward', 'district', 'county'] %}
    select
        '{{ level }}'                               as area_type,
        {{ level }}_code                            as area_code,
        max({{ level }}_name)                       as area_name,
        mid_year,
        age_group,
        min_age,
        max_age,
        estimate_source,
        sum(population)                             as population
    from located
    where {{ level }}_code is not null
        {%- if level == 'lsoa' %}
        and age_group = 'All ages'
        {%- endif %}
    group by {{ level }}_code, mid_year, age_group, min_age, max_age, estimate_source
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

final as (

    select
        by_area.area_type,
        by_area.area_code,
        by_area.area_name,
        nearest.period_type,
        nearest.period,
        nearest.population_year,
        nearest.estimate_year,
        nearest.estimate_year <> nearest.population_year    as is_nearest_year_estimate,
        by_area.age_group,
        by_area.min_age,
        by_area.max_age,
        by_area.estimate_source,
        cast(by_area.population as bigint)                  as population
    from nearest
    inner join by_area
        on nearest.estimate_year = by_area.mid_year

)

select * from final
