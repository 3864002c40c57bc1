-- Home Office Serious Violence Duty core measures per financial year, for the whole partnership
-- (one row per county) and for each district: hospital admissions for assault by a sharp object
-- (ICD-10 X99; under-25s and all ages, by home district), knife or sharp-object enabled serious
-- violence and homicide (force crime extract, by recorded month). Long format (one row per
-- measure) so one count column carries the disclosure control and one chart plots every measure.
-- change_percent compares with a baseline financial year (var core_measures_baseline_year; null:
-- the earliest year whose source has all twelve months).
{%- set baseline_year = var('core_measures_baseline_year', none) %}

with

geography as (

    select * from {{ ref('dim_geography') }}

),

districts as (

    select
        district_code,
        max(district_name)                                          as district_name,
        coalesce(max(county_code), 'partnership')                   as county_code,
        coalesce(max(county_name), 'Partnership area')              as county_name,
        sum(population_total)                                       as population_all_ages,
        -- IoD population gives 0-15 and 16-59 only: ages 16-24 taken as 9/44 of 16-59
        round(sum(population_0_15 + population_16_59 * 9.0 / 44))   as population_under_25
    from geography
    group by district_code

),

measures as (

    select * from (values
        ('sharp_object_admissions_under_25',
            'Hospital admissions for assault by a sharp object, aged under 25', 'hospital', 'under_25', 1),
        ('sharp_object_admissions',
            'Hospital admissions for assault by a sharp object, all ages', 'hospital', 'all_ages', 2),
        ('knife_enabled_serious_violence',
            'Knife or sharp-object enabled serious violence recorded by the police', 'police_force', 'all_ages', 3),
        ('homicide',
            'Homicide recorded by the police', 'police_force', 'all_ages', 4)
    ) as listed (measure, measure_name, source, population_basis, measure_order)

),

-- the months each source covers (any row at all), so a year's coverage does not depend on
-- whether a rare event happened
source_months as (

    select distinct 'hospital' as source, cast(date_trunc('month', admission_date) as date) as month_start
    from {{ ref('fct_hospital_admission') }}
    where admission_date is not null
    union
    select distinct 'police_force', cast(date_trunc('month', recorded_date) as date)
    from {{ ref('fct_police_force_crime') }}
    where recorded_date is not null

),

source_years as (

    select
        source,
        {{ financial_year('month_start') }} as financial_year,
        count(*)                            as months_covered
    from source_months
    group by 1, 2

),

baselines as (

    select
        measures.measure,
        {% if baseline_year %}
        cast('{{ baseline_year }}' as text) as baseline_year
        {% else %}
        (
            select min(source_years.financial_year)
            from source_years
            where source_years.source = measures.source and source_years.months_covered = 12
        ) as baseline_year
        {% endif %}
    from measures

),

events as (

    select
        'sharp_object_admissions_under_25' as measure,
        cast(date_trunc('month', admission_date) as date) as month_start,
        home_district_code as district_code
    from {{ ref('fct_hospital_admission') }}
    where is_sharp_object and is_under_25
    union all
    select
        'sharp_object_admissions',
        cast(date_trunc('month', admission_date) as date),
        home_district_code
    from {{ ref('fct_hospital_admission') }}
    where is_sharp_object
    union all
    select
        'knife_enabled_serious_violence',
        cast(date_trunc('month', recorded_date) as date),
        district_code
    from {{ ref('fct_police_force_crime') }}
    where is_first_row_of_crime and is_serious_violence and is_knife_or_sharp_object
    union all
    select
        'homicide',
        cast(date_trunc('month', crimes.recorded_date) as date),
        crimes.district_code
    from {{ ref('fct_police_force_crime') }} as crimes
    inner join {{ ref('dim_offence') }} as offences
        on crimes.offence_key = offences.offence_key
    where crimes.is_first_row_of_crime and offences.is_homicide

),

district_years as (

    select
        events.measure,
        {{ financial_year('events.month_start') }} as financial_year,
        events.district_code,
        count(*) as events
    from events
    where events.district_code is not null
    group by 1, 2, 3

),

-- every measure x district x financial year its source covers, so a year without events shows 0
district_grid as (

    select
        measures.measure,
        source_years.financial_year,
        source_years.months_covered,
        'district'                                  as geography_level,
        districts.county_code,
        districts.county_name,
        districts.district_code,
        districts.district_name,
        districts.district_code                     as area_code,
        districts.district_name                     as area_name,
        case measures.population_basis
            when 'under_25' then districts.population_under_25
            else districts.population_all_ages
        end                                         as population,
        coalesce(district_years.events, 0)          as events
    from measures
    inner join source_years
        on measures.source = source_years.source
    cross join districts
    left join district_years
        on measures.measure = district_years.measure
        and source_years.financial_year = district_years.financial_year
        and districts.district_code = district_years.district_code

),

county_grid as (

    select
        measure,
        financial_year,
        months_covered,
        'county'            as geography_level,
        county_code,
        county_name,
        cast(null as text)  as district_code,
        cast(null as text)  as district_name,
        county_code         as area_code,
        county_name         as area_name,
        sum(population)     as population,
        sum(events)         as events
    from district_grid
    group by measure, financial_year, months_covered, county_code, county_name

),

area_years as (

    select * from district_grid
    union all
    select * from county_grid

),

-- a county's row is the sum of its districts' rows: one group for secondary suppression; each
-- measure under its source family's disclosure rule (hospital admissions: health, 1-7 withheld
-- and rounded to 5; police: 1-4), the family named on the row
protected as (

    {{ suppress_small_counts(
        '(select area_years.*, case measures.source when \'hospital\' then \'health\' else \'police\' end'
            ~ ' as disclosure_family from area_years inner join measures'
            ~ ' on area_years.measure = measures.measure)',
        'events',
        groupings=[['measure', 'financial_year', 'county_code']],
        tiebreak=['geography_level', 'area_code'], family_column='disclosure_family'
    ) }}

),

with_baseline as (

    select
        protected.*,
        baselines.baseline_year,
        baseline.events          as baseline_events,
        baseline.months_covered  as baseline_months,
        baseline.is_suppressed   as baseline_is_suppressed
    from protected
    inner join baselines
        on protected.measure = baselines.measure
    left join protected as baseline
        on protected.measure = baseline.measure
        and protected.area_code = baseline.area_code
        and baseline.financial_year = baselines.baseline_year

),

final as (

    select
        with_baseline.measure,
        measures.measure_name,
        measures.measure_order,
        with_baseline.financial_year,
        make_date(cast(left(with_baseline.financial_year, 4) as integer), 4, 1) as financial_year_start,
        cast(with_baseline.months_covered as integer)       as months_covered,
        with_baseline.months_covered = 12                   as is_complete_year,
        with_baseline.geography_level,
        with_baseline.area_code,
        with_baseline.area_name,
        with_baseline.county_code,
        with_baseline.county_name,
        with_baseline.district_code,
        with_baseline.district_name,
        measures.population_basis,
        cast(with_baseline.population as bigint)            as population,
        with_baseline.disclosure_family,
        {{ published_count(
            'with_baseline.events', 'with_baseline.is_suppressed',
            family_column='with_baseline.disclosure_family'
        ) }}                                                as event_count,
        {{ published_rate(
            'with_baseline.events', 'with_baseline.population', per=100000, decimals=1,
            withheld=['with_baseline.is_suppressed'], family_column='with_baseline.disclosure_family'
        ) }}                                                as event_rate_per_100k,
        with_baseline.is_suppressed,
        with_baseline.baseline_year,
        {{ published_count(
            'with_baseline.baseline_events', 'with_baseline.baseline_is_suppressed',
            family_column='with_baseline.disclosure_family'
        ) }}                                                as baseline_count,
        coalesce(with_baseline.baseline_is_suppressed, false) as baseline_count_is_suppressed,
        -- average monthly count against the baseline's: the plain percent change for a whole
        -- year, comparable for a part year (months_covered); both counts must be published and
        -- the baseline above zero
        case
            when not with_baseline.is_suppressed
                and not with_baseline.baseline_is_suppressed
                and with_baseline.baseline_events > 0
                then cast(round(
                    ({{ rounded_count('with_baseline.events', family_column='with_baseline.disclosure_family') }}
                        * 1.0 / with_baseline.months_covered)
                    / ({{ rounded_count('with_baseline.baseline_events', family_column='with_baseline.disclosure_family') }}
                        * 1.0 / with_baseline.baseline_months) * 100 - 100,
                    1
                ) as numeric(12, 1))
        end                                                 as change_percent
    from with_baseline
    inner join measures
        on with_baseline.measure = measures.measure

)

select * from final
