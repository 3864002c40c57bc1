-- Geography dimension: one row per LSOA (2011) in the partnership area, with MSOA, ward,
-- district, county and police force area, IMD 2019 rank and decile, and IMD 2019 population
-- denominators.
with

lookup as (

    select * from {{ ref('stg_reference__lsoa_lookup') }}

),

population as (

    select * from {{ ref('stg_reference__population') }}

),

imd as (

    select lsoa_code, imd_rank, imd_decile from {{ ref('stg_reference__imd') }}

),

msoa as (

    -- best fit: one MSOA per LSOA (empty until the postcode lookup is loaded)
    select distinct on (lsoa_code) lsoa_code, msoa_code, msoa_name
    from {{ ref('stg_reference__postcode_lookup') }}
    where lsoa_code is not null and msoa_code is not null
    order by lsoa_code, msoa_code

),

counties as (

    -- the partnership's own district -> county -> police force area mapping (seed)
    select
        upper(trim(district_code))  as district_code,
        upper(trim(county_code))    as county_code,
        trim(county_name)           as county_name,
        trim(police_force_area)     as police_force_area
    from {{ ref('geography_counties') }}

),

force_from_crimes as (

    -- districts the seed does not name: the force whose area most police.uk records fall within
    select distinct on (lookup.district_code)
        lookup.district_code,
        crimes.force_name
    from {{ ref('stg_police__street_crimes') }} as crimes
    inner join lookup
        on crimes.lsoa_code = lookup.lsoa_code
    where crimes.force_name is not null
    group by lookup.district_code, crimes.force_name
    order by lookup.district_code, count(*) desc, crimes.force_name

),

final as (

    select
        lookup.lsoa_code,
        lookup.lsoa_name,
        msoa.msoa_code,
        msoa.msoa_name,
        lookup.ward_code,
        lookup.ward_name,
        lookup.district_code,
        lookup.district_name,
        coalesce(counties.county_code, {{ "'" ~ var('default_county_code') ~ "'" if var('default_county_code', none) else 'null' }}) as county_code,
        coalesce(counties.county_name, {{ "'" ~ var('default_county_name') ~ "'" if var('default_county_name', none) else 'null' }}) as county_name,
        coalesce(counties.police_force_area, force_from_crimes.force_name) as police_force_area,
        imd.imd_rank,
        imd.imd_decile,
        population.population_total,
        population.population_0_15,
        population.population_16_59,
        population.population_60_plus,
        population.population_working_age
    from lookup
    left join population
        on lookup.lsoa_code = population.lsoa_code
    left join imd
        on lookup.lsoa_code = imd.lsoa_code
    left join msoa
        on lookup.lsoa_code = msoa.lsoa_code
    left join counties
        on lookup.district_code = counties.district_code
    left join force_from_crimes
        on lookup.district_code = force_from_crimes.district_code

)

select * from final
