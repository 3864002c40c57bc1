-- Home Office Serious Violence Duty measures with their official definitions, for the whole
-- partnership (one row per county) and for each district, for the latest 12 months (the default
-- view) and for each financial year (a part year is marked and its rates annualised):
--   homicide (Home Office codes 1/1, 1/2, 4/1, 4/2, 4/10) and non-domestic homicide;
--   knife or sharp-instrument enabled serious violence (the ONS/Home Office selected offences
--     with the force's knife flag) and, as a separate figure, possession of an article with a
--     blade or point (10D);
--   hospital admissions for assault by a sharp object (emergency admissions, ICD-10 X99 in any
--     diagnosis position, once per spell, by the month the first episode ended).
-- Codes come from the official lists (dim_offence, fct_hospital_admission); each measure but
-- possession (no victim) is also split for victims under 25. Police measures by recorded month,
-- in the district of the offence; admissions in the patient's home district. Long format (one row
-- per measure) so one count column carries the disclosure control and one chart plots them all.
-- change_percent compares with a baseline financial year (var core_measures_baseline_year; null:
-- the earliest year whose source has all twelve months). Whether a change is more than chance:
-- the rate ratio against the baseline year and against the previous 12 months (the 12 months
-- before the period: the previous financial year for a year), with its 95% interval and a
-- significance flag (macros/rate_comparison.sql). The previous 12 months of the rolling period
-- are counted and protected like any period (so no withheld count can be worked out from the
-- ratio) but not published as a row.
{%- set baseline_year = var('core_measures_baseline_year', none) %}

with

geography as (

    select * from {{ ref('dim_geography') }}

),

-- Residents of each district by age group and financial year, from the ONS single-year-of-age
-- mid-year estimates (int_population_by_area): the one place the measures' denominators come
-- from. A period takes the estimate of the financial year its last month falls in (the rolling
-- 12 months too); is_nearest_year_estimate marks a year whose own estimate is not loaded yet.
denominators as (

    select
        area_code,
        case age_group when 'All ages' then 'all_ages' else 'under_25' end as age_group,
        period                                                      as financial_year,
        population,
        is_nearest_year_estimate
    from {{ ref('int_population_by_area') }}
    where area_type = 'district'
        and period_type = 'financial_year'
        and age_group in ('All ages', 'Under 25')

),

districts as (

    select
        district_code,
        max(district_name)                                          as district_name,
        coalesce(max(county_code), 'partnership')                   as county_code,
        coalesce(max(county_name), 'Partnership area')              as county_name
    from geography
    group by district_code

),

measures as (

    select * from (values
        ('homicide',
            'Homicide recorded by the police', 'police_force', 'all_ages', 1, true),
        ('homicide_under_25',
            'Homicide recorded by the police, victims aged under 25', 'police_force', 'under_25', 2, true),
        ('non_domestic_homicide',
            'Non-domestic homicide recorded by the police', 'police_force', 'all_ages', 3, true),
        ('non_domestic_homicide_under_25',
            'Non-domestic homicide recorded by the police, victims aged under 25', 'police_force', 'under_25', 4, true),
        ('knife_enabled_serious_violence',
            'Knife or sharp-instrument enabled serious violence recorded by the police', 'police_force', 'all_ages', 5, false),
        ('knife_enabled_serious_violence_under_25',
            'Knife or sharp-instrument enabled serious violence recorded by the police, victims aged under 25', 'police_force', 'under_25', 6, false),
        ('blade_or_point_possession',
            'Possession of an article with a blade or point recorded by the police', 'police_force', 'all_ages', 7, false),
        ('sharp_object_admissions',
            'Emergency hospital admissions for assault by a sharp object', 'hospital', 'all_ages', 8, false),
        ('sharp_object_admissions_under_25',
            'Emergency hospital admissions for assault by a sharp object, aged under 25', 'hospital', 'under_25', 9, false)
    ) as listed (measure, measure_name, source, population_basis, measure_order, is_per_million)

),

-- the months each source covers (any row at all), so a period's coverage does not depend on
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

-- the latest 12 months of each source (ending with its latest month) and each financial year
periods as (

    select
        source,
        'rolling_12_months'                                 as period_type,
        'Latest 12 months'                                  as period,
        cast(null as text)                                  as financial_year,
        cast(max(month_start) - interval '11 months' as date) as period_start,
        max(month_start)                                    as last_month
    from source_months
    group by source
    union all
    -- the 12 months before the latest 12: compared with, never published as a row
    select
        source,
        'previous_12_months',
        'Previous 12 months',
        cast(null as text),
        cast(max(month_start) - interval '23 months' as date),
        cast(max(month_start) - interval '12 months' as date)
    from source_months
    group by source
    union all
    select distinct
        source,
        'financial_year',
        {{ financial_year('month_start') }},
        {{ financial_year('month_start') }},
        {{ financial_year_start('month_start') }},
        cast({{ financial_year_start('month_start') }} + interval '11 months' as date)
    from source_months

),

period_coverage as (

    select
        periods.*,
        count(source_months.month_start)                    as months_covered
    from periods
    inner join source_months
        on periods.source = source_months.source
        and source_months.month_start between periods.period_start and periods.last_month
    group by periods.source, periods.period_type, periods.period, periods.financial_year,
        periods.period_start, periods.last_month

),

baselines as (

    select
        measures.measure,
        {% if baseline_year %}
        cast('{{ baseline_year }}' as text) as baseline_year
        {% else %}
        (
            select min(period_coverage.financial_year)
            from period_coverage
            where period_coverage.source = measures.source
                and period_coverage.period_type = 'financial_year'
                and period_coverage.months_covered = 12
        ) as baseline_year
        {% endif %}
    from measures

),

-- one row per crime (a crime with two victims is two rows of the fact), under 25 when any of
-- its victims is
crimes as (

    select
        cast(date_trunc('month', recorded_date) as date)    as month_start,
        district_code,
        is_homicide,
        is_domestic_abuse,
        is_knife_enabled_serious_violence,
        is_blade_or_point_possession,
        any_victim_under_25
    from (
        select
            *,
            bool_or(is_victim_under_25) over (partition by crime_reference) as any_victim_under_25
        from {{ ref('fct_police_force_crime') }}
    ) as crime_rows
    where is_first_row_of_crime

),

-- emergency admissions (2x) with X99 in any diagnosis position of any episode, once per spell,
-- in the month the spell's first episode ended
admissions as (

    select
        cast(date_trunc('month', episode_end_date) as date) as month_start,
        home_district_code                                  as district_code,
        is_under_25
    from {{ ref('fct_hospital_admission') }}
    where is_first_episode_of_spell
        and is_emergency_admission
        and spell_is_sharp_object
        and episode_end_date is not null

),

events as (

    select 'homicide' as measure, month_start, district_code from crimes where is_homicide
    union all
    select 'homicide_under_25', month_start, district_code
    from crimes where is_homicide and any_victim_under_25
    union all
    select 'non_domestic_homicide', month_start, district_code
    from crimes where is_homicide and not is_domestic_abuse
    union all
    select 'non_domestic_homicide_under_25', month_start, district_code
    from crimes where is_homicide and not is_domestic_abuse and any_victim_under_25
    union all
    select 'knife_enabled_serious_violence', month_start, district_code
    from crimes where is_knife_enabled_serious_violence
    union all
    select 'knife_enabled_serious_violence_under_25', month_start, district_code
    from crimes where is_knife_enabled_serious_violence and any_victim_under_25
    union all
    select 'blade_or_point_possession', month_start, district_code
    from crimes where is_blade_or_point_possession
    union all
    select 'sharp_object_admissions', month_start, district_code from admissions
    union all
    select 'sharp_object_admissions_under_25', month_start, district_code
    from admissions where is_under_25

),

-- events in a month their source covers (an episode that ended after the latest month delivered
-- waits for the next delivery), per period and district
district_periods as (

    select
        events.measure,
        period_coverage.period,
        events.district_code,
        count(*) as events
    from events
    inner join measures
        on events.measure = measures.measure
    inner join source_months
        on measures.source = source_months.source
        and events.month_start = source_months.month_start
    inner join period_coverage
        on measures.source = period_coverage.source
        and events.month_start between period_coverage.period_start and period_coverage.last_month
    where events.district_code is not null
    group by 1, 2, 3

),

-- every measure x district x period its source covers, so a period without events shows 0
district_grid as (

    select
        measures.measure,
        period_coverage.period_type,
        period_coverage.period,
        period_coverage.financial_year,
        period_coverage.period_start,
        period_coverage.last_month,
        period_coverage.months_covered,
        'district'                                  as geography_level,
        districts.county_code,
        districts.county_name,
        districts.district_code,
        districts.district_name,
        districts.district_code                     as area_code,
        districts.district_name                     as area_name,
        denominators.population,
        coalesce(denominators.is_nearest_year_estimate, false) as population_is_nearest_year,
        coalesce(district_periods.events, 0)        as events
    from measures
    inner join period_coverage
        on measures.source = period_coverage.source
    cross join districts
    left join denominators
        on districts.district_code = denominators.area_code
        and measures.population_basis = denominators.age_group
        and {{ financial_year('period_coverage.last_month') }} = denominators.financial_year
    left join district_periods
        on measures.measure = district_periods.measure
        and period_coverage.period = district_periods.period
        and districts.district_code = district_periods.district_code

),

county_grid as (

    select
        measure,
        period_type,
        period,
        financial_year,
        period_start,
        last_month,
        months_covered,
        'county'            as geography_level,
        county_code,
        county_name,
        cast(null as text)  as district_code,
        cast(null as text)  as district_name,
        county_code         as area_code,
        county_name         as area_name,
        sum(population)     as population,
        bool_or(population_is_nearest_year) as population_is_nearest_year,
        sum(events)         as events
    from district_grid
    group by measure, period_type, period, financial_year, period_start, last_month,
        months_covered, county_code, county_name

),

area_periods as (

    select
        *,
        -- population x years covered: a rate on it is a yearly rate whatever the months covered
        population * months_covered / 12.0 as person_years
    from (
        select * from district_grid
        union all
        select * from county_grid
    ) as areas

),

-- a county's row is the sum of its districts' rows: one group for secondary suppression; each
-- measure under its source family's disclosure rule (hospital admissions: health, 1-7 withheld
-- and rounded to 5; police: 1-4), the family named on the row
protected as (

    {{ suppress_small_counts(
        '(select area_periods.*, case measures.source when \'hospital\' then \'health\' else \'police\' end'
            ~ ' as disclosure_family from area_periods inner join measures'
            ~ ' on area_periods.measure = measures.measure)',
        'events',
        groupings=[['measure', 'period', 'county_code']],
        tiebreak=['geography_level', 'area_code'], family_column='disclosure_family'
    ) }}

),

with_baseline as (

    select
        protected.*,
        baselines.baseline_year,
        baseline.events          as baseline_events,
        baseline.months_covered  as baseline_months,
        baseline.is_suppressed   as baseline_is_suppressed,
        baseline.person_years    as baseline_person_years,
        previous.events          as previous_events,
        previous.is_suppressed   as previous_is_suppressed,
        previous.person_years    as previous_person_years
    from protected
    inner join baselines
        on protected.measure = baselines.measure
    left join protected as baseline
        on protected.measure = baseline.measure
        and protected.area_code = baseline.area_code
        and baseline.period = baselines.baseline_year
    -- the 12 months just before (the previous financial year for a year), whole years only
    left join protected as previous
        on protected.measure = previous.measure
        and protected.area_code = previous.area_code
        and previous.period_type = case protected.period_type
            when 'rolling_12_months' then 'previous_12_months' else 'financial_year' end
        and previous.last_month = cast(protected.period_start - interval '1 month' as date)
        and previous.months_covered = 12
    where protected.period_type <> 'previous_12_months'

),

final as (

    select
        with_baseline.measure,
        measures.measure_name,
        measures.measure_order,
        with_baseline.period_type,
        with_baseline.period,
        with_baseline.financial_year,
        with_baseline.period_start,
        cast(with_baseline.last_month + interval '1 month' - interval '1 day' as date) as period_end,
        cast(with_baseline.months_covered as integer)       as months_covered,
        with_baseline.months_covered < 12                   as is_part_period,
        with_baseline.geography_level,
        with_baseline.area_code,
        with_baseline.area_name,
        with_baseline.county_code,
        with_baseline.county_name,
        with_baseline.district_code,
        with_baseline.district_name,
        measures.population_basis,
        cast(with_baseline.population as bigint)            as population,
        with_baseline.population_is_nearest_year,
        with_baseline.disclosure_family,
        {{ published_count(
            'with_baseline.events', 'with_baseline.is_suppressed',
            family_column='with_baseline.disclosure_family'
        ) }}                                                as event_count,
        {{ published_rate_columns(
            'event_rate_per_100k', 'with_baseline.events', 'with_baseline.person_years', per=100000, decimals=1,
            withheld=['with_baseline.is_suppressed'], family_column='with_baseline.disclosure_family'
        ) }},
        {%- set per_million = dict(
            per=1000000, decimals=1, withheld=['with_baseline.is_suppressed'],
            family_column='with_baseline.disclosure_family'
        ) %}
        case when measures.is_per_million then {{ published_rate(
            'with_baseline.events', 'with_baseline.person_years', **per_million
        ) }} end                                            as event_rate_per_million,
        {%- for bound in ['lower', 'upper'] %}
        case when measures.is_per_million then {{ published_rate_interval(
            'with_baseline.events', 'with_baseline.person_years', bound, **per_million
        ) }} end                                            as event_rate_per_million_{{ bound }}_95,
        {%- endfor %}
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
        end                                                 as change_percent,
        {{ rate_ratio_columns(
            'baseline', 'with_baseline.events', 'with_baseline.person_years',
            'with_baseline.baseline_events', 'with_baseline.baseline_person_years',
            withheld=['with_baseline.is_suppressed', 'with_baseline.baseline_is_suppressed'],
            family_column='with_baseline.disclosure_family'
        ) }},
        {{ rate_ratio_columns(
            'previous_12_months', 'with_baseline.events', 'with_baseline.person_years',
            'with_baseline.previous_events', 'with_baseline.previous_person_years',
            withheld=['with_baseline.is_suppressed', 'with_baseline.previous_is_suppressed'],
            family_column='with_baseline.disclosure_family'
        ) }}
    from with_baseline
    inner join measures
        on with_baseline.measure = measures.measure

)

select * from final
