-- Geography dimension: one row per 2021 LSOA of the partnership area, with the 2011 LSOAs it
-- came from, MSOA, ward, district, county and police force area, IMD 2019 rank and decile, and
-- the IoD 2019 (mid-2015) population denominators. The area is every 2021 LSOA that a 2011
-- LSOA of the ward lookup became (all parts of a split, the whole of a merge).
-- The ward lookup, IMD 2019 and IoD 2019 are published on 2011 LSOAs: a 2021 LSOA takes its
-- ward, district, MSOA and IMD from its main 2011 LSOA (the one it is the best fit of, else the
-- one with the most residents in mid-2015, else the lowest code); IoD populations of 2011 LSOAs
-- are added up on their best-fit 2021 LSOA (int_lsoa_codes_mapped), so district totals hold.
with

area_2011 as (

    select * from {{ ref('stg_reference__lsoa_lookup') }}

),

lookup as (

    select * from {{ ref('stg_reference__lsoa11_lsoa21_lookup') }}

),

codes as (

    select * from {{ ref('int_lsoa_codes_mapped') }}

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

pairs as (

    -- (2021 LSOA, 2011 LSOA) for every overlap of an area 2011 LSOA; unlisted ones unchanged
    select lookup.lsoa21_code, lookup.lsoa21_name, area_2011.lsoa_code as lsoa11_code
    from area_2011
    inner join lookup
        on area_2011.lsoa_code = lookup.lsoa11_code
    union all
    select area_2011.lsoa_code, area_2011.lsoa_name, area_2011.lsoa_code
    from area_2011
    where area_2011.lsoa_code not in (select lsoa11_code from lookup)

),

main_parent as (

    select distinct on (pairs.lsoa21_code)
        pairs.lsoa21_code,
        pairs.lsoa21_name,
        area_2011.*
    from pairs
    inner join area_2011
        on pairs.lsoa11_code = area_2011.lsoa_code
    left join codes
        on pairs.lsoa11_code = codes.lsoa_code
    left join population
        on pairs.lsoa11_code = population.lsoa_code
    order by
        pairs.lsoa21_code,
        codes.lsoa21_code = pairs.lsoa21_code desc nulls last,
        population.population_total desc nulls last,
        pairs.lsoa11_code

),

parents as (

    select
        lsoa21_code,
        string_agg(distinct lsoa11_code, ',' order by lsoa11_code) as lsoa_2011_codes
    from pairs
    group by lsoa21_code

),

changes as (

    select lsoa_code, change_indicator from codes where lsoa_vintage = '2021'

),

iod_population as (

    -- IoD 2019 populations of 2011 LSOAs, on their best-fit 2021 LSOA
    select
        codes.lsoa21_code,
        sum(population.population_total)        as population_total,
        sum(population.population_0_15)         as population_0_15,
        sum(population.population_16_59)        as population_16_59,
        sum(population.population_60_plus)      as population_60_plus,
        sum(population.population_working_age)  as population_working_age
    from population
    inner join codes
        on population.lsoa_code = codes.lsoa_code
    group by codes.lsoa21_code

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
    select distinct on (main_parent.district_code)
        main_parent.district_code,
        crimes.force_name
    from {{ ref('stg_police__street_crimes') }} as crimes
    inner join codes
        on crimes.lsoa_code = codes.lsoa_code
    inner join main_parent
        on codes.lsoa21_code = main_parent.lsoa21_code
    where crimes.force_name is not null
    group by main_parent.district_code, crimes.force_name
    order by main_parent.district_code, count(*) desc, crimes.force_name

),

final as (

    select
        main_parent.lsoa21_code                 as lsoa_code,
        main_parent.lsoa21_name                 as lsoa_name,
        parents.lsoa_2011_codes,
        coalesce(changes.change_indicator, 'U') as lsoa_change_indicator,
        msoa.msoa_code,
        msoa.msoa_name,
        main_parent.ward_code,
        main_parent.ward_name,
        main_parent.district_code,
        main_parent.district_name,
        coalesce(counties.county_code, {{ "'" ~ var('default_county_code') ~ "'" if var('default_county_code', none) else 'null' }}) as county_code,
        coalesce(counties.county_name, {{ "'" ~ var('default_county_name') ~ "'" if var('default_county_name', none) else 'null' }}) as county_name,
        coalesce(counties.police_force_area, force_from_crimes.force_name) as police_force_area,
        imd.imd_rank,
        imd.imd_decile,
        iod_population.population_total,
        iod_population.population_0_15,
        iod_population.population_16_59,
        iod_population.population_60_plus,
        iod_population.population_working_age
    from main_parent
    inner join parents
        on main_parent.lsoa21_code = parents.lsoa21_code
    left join changes
        on main_parent.lsoa21_code = changes.lsoa_code
    left join imd
        on main_parent.lsoa_code = imd.lsoa_code
    left join msoa
        on main_parent.lsoa_code = msoa.lsoa_code
    left join iod_population
        on main_parent.lsoa21_code = iod_population.lsoa21_code
    left join counties
        on main_parent.district_code = counties.district_code
    left join force_from_crimes
        on main_parent.district_code = force_from_crimes.district_code

)

select * from final
