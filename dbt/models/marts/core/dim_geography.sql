-- Geography dimension: one row per LSOA (2011) in the partnership area, with ward, district and
-- IMD 2019 population denominators.
with

lookup as (

    select * from {{ ref('stg_reference__lsoa_lookup') }}

),

population as (

    select * from {{ ref('stg_reference__population') }}

),

final as (

    select
        lookup.lsoa_code,
        lookup.lsoa_name,
        lookup.ward_code,
        lookup.ward_name,
        lookup.district_code,
        lookup.district_name,
        population.population_total,
        population.population_0_15,
        population.population_16_59,
        population.population_60_plus,
        population.population_working_age
    from lookup
    left join population
        on lookup.lsoa_code = population.lsoa_code

)

select * from final
