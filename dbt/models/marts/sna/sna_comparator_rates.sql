-- How the partnership compares: police.uk recorded crime per 1,000 residents over the latest 12
-- months loaded, for every force loaded, the partnership's own force area, each comparator group
-- of seed comparator_groups (without the partnership's force) and England and Wales, with 95%
-- Byar intervals. Every police.uk row counts for the force it falls within, with or without an
-- LSOA. Residents: seed police_force_area_population (ONS mid-year estimates by force area,
-- nearest mid-year to the period's last month), else, for a force whose area is the partnership's
-- own geography, the warehouse's own population (int_population_by_area, counties).
-- Group and England-and-Wales figures add up the forces that have a population, so numerator and
-- denominator always cover the same forces; the forces left out are named.

with

crimes as (

    select force_name, month_start, crime_type from {{ ref('fct_police_crime') }}

),

period as (

    {{ latest_12_months_period(ref('fct_police_crime')) }}

),

in_period as (

    select crimes.force_name, crimes.month_start, crimes.crime_type, period.period_start,
        period.period_end
    from crimes
    cross join period
    where crimes.month_start between period.period_start and period.period_end

),

crime_groups as (

    -- police.uk categories of each published group; 'Violent crime' is the pre-2013 name of
    -- 'Violence and sexual offences'. All crime is every category but anti-social behaviour.
    select * from (values
        ('Violence and sexual offences', 'Violence and sexual offences'),
        ('Violent crime', 'Violence and sexual offences'),
        ('Robbery', 'Robbery'),
        ('Possession of weapons', 'Possession of weapons')
    ) as listed (crime_type, crime_group)

),

group_names as (

    select distinct crime_group from crime_groups
    union all
    select 'All crime'

),

force_months as (

    select force_name, min(period_start) as period_start, min(period_end) as period_end,
        count(distinct month_start) as months_loaded
    from in_period
    group by force_name

),

events as (

    select in_period.force_name, crime_groups.crime_group, count(*) as crimes
    from in_period
    inner join crime_groups
        on in_period.crime_type = crime_groups.crime_type
    group by in_period.force_name, crime_groups.crime_group

    union all

    select force_name, 'All crime', count(*)
    from in_period
    where crime_type <> 'Anti-social behaviour'
    group by force_name

),

partnership_forces as (

    select distinct police_force_area as force_name, county_code
    from {{ ref('dim_geography') }}
    where police_force_area is not null

),

seed_population as (

    -- the mid-year nearest the period's last month (ties: the later)
    select distinct on (force_months.force_name)
        force_months.force_name,
        seeded.population,
        seeded.mid_year <> extract(year from force_months.period_end) as is_nearest_year
    from force_months
    inner join {{ ref('police_force_area_population') }} as seeded
        on force_months.force_name = seeded.force_name
    order by force_months.force_name,
        abs(seeded.mid_year - extract(year from force_months.period_end)), seeded.mid_year desc

),

county_population as (

    {{ area_population(ref('int_population_by_area'), 'county') }}

),

warehouse_population as (

    select
        partnership_forces.force_name,
        sum(county_population.population) as population,
        bool_or(county_population.is_nearest_year_estimate) as is_nearest_year
    from partnership_forces
    inner join force_months
        on partnership_forces.force_name = force_months.force_name
    inner join county_population
        on partnership_forces.county_code = county_population.area_code
        and to_char(force_months.period_end, 'YYYY') = county_population.period
    group by partnership_forces.force_name

),

forces as (

    select
        force_months.force_name,
        force_months.period_start,
        force_months.period_end,
        force_months.months_loaded,
        coalesce(seed_population.population, warehouse_population.population) as population,
        coalesce(seed_population.is_nearest_year, warehouse_population.is_nearest_year)
            as population_is_nearest_year,
        case
            when seed_population.population is not null then 'ONS mid-year estimate (seed)'
            when warehouse_population.population is not null then 'warehouse geography'
        end as population_source,
        -- a force the seed does not list (a synthetic one) takes its country from its geography
        coalesce(
            areas.country,
            case left(partnership.county_code, 1) when 'E' then 'England' when 'W' then 'Wales' end
        ) as country,
        partnership.force_name is not null as is_partnership
    from force_months
    left join seed_population
        on force_months.force_name = seed_population.force_name
    left join warehouse_population
        on force_months.force_name = warehouse_population.force_name
    left join {{ ref('police_force_areas') }} as areas
        on force_months.force_name = areas.force_name
    left join (select distinct on (force_name) force_name, county_code from partnership_forces
               order by force_name, county_code) as partnership
        on force_months.force_name = partnership.force_name

),

force_groups as (

    -- every force in every crime group, zero where it recorded none
    select forces.*, group_names.crime_group, coalesce(events.crimes, 0) as crimes
    from forces
    cross join group_names
    left join events
        on forces.force_name = events.force_name
        and group_names.crime_group = events.crime_group

),

areas as (

    select 'force' as area_type, force_name as area_name, force_name as area_members
    from forces

    union all

    select 'partnership', 'Partnership area', force_name
    from forces
    where is_partnership

    union all

    select 'comparator_group', groups.group_name, forces.force_name
    from {{ ref('comparator_groups') }} as groups
    inner join forces
        on groups.force_name = forces.force_name
    where not forces.is_partnership

    union all

    select 'england_and_wales', 'England and Wales', force_name
    from forces
    where country in ('England', 'Wales')

),

area_figures as (

    select
        areas.area_type,
        areas.area_name,
        force_groups.crime_group,
        min(force_groups.period_start) as period_start,
        max(force_groups.period_end) as period_end,
        max(force_groups.months_loaded) as months_loaded,
        -- a force row keeps its count without a population; an aggregate adds up only the
        -- forces with one, so its rate is a rate
        sum(force_groups.crimes) filter (
            where areas.area_type = 'force' or force_groups.population is not null
        ) as crimes,
        sum(force_groups.population) as population,
        coalesce(bool_or(force_groups.population_is_nearest_year), false)
            as population_is_nearest_year,
        string_agg(distinct force_groups.population_source, '; ') as population_source,
        count(force_groups.population) as forces_included,
        string_agg(force_groups.force_name, ', ' order by force_groups.force_name)
            filter (where force_groups.population is null) as forces_without_population,
        'police.uk' as data_source
    from areas
    inner join force_groups
        on areas.area_members = force_groups.force_name
    group by areas.area_type, areas.area_name, force_groups.crime_group

),

protected as (

    -- police.uk publishes every force-month-category count: the var disclosure_control lists
    -- this model's police.uk cells as publishable_public, so nothing here is withheld, yet the
    -- rule stays in one place
    {{ suppress_small_counts(
        'area_figures', 'crimes',
        groupings=[['area_type', 'crime_group']],
        tiebreak=['area_name'], family='police'
    ) }}

),

final as (

    select
        period_start,
        period_end,
        months_loaded,
        area_type,
        area_name,
        crime_group,
        {{ published_count('crimes', 'is_suppressed', family='police') }} as crimes,
        cast(population as bigint) as population,
        population_is_nearest_year,
        population_source,
        cast(forces_included as integer) as forces_included,
        forces_without_population,
        {{ published_rate_columns(
            'crime_rate_per_1000', 'crimes', 'population', per=1000, decimals=2,
            withheld=['is_suppressed'], family='police'
        ) }},
        data_source,
        is_suppressed
    from protected

)

select * from final
