-- Victims and suspects of serious violence (the partnership's definition, dim_offence) per
-- financial year (of the recording date), district where the offence happened, role, age band
-- and sex, from the force crime extract. A person counts once per crime and role (a crime with
-- two victims counts two victims; a suspect named on two crimes counts twice). Disclosure
-- control over the sets a reader could add up: the age bands of a sex, the sexes of an age band
-- (within a year, district and role) and the districts of a cell.

with

crimes as (

    select * from {{ ref('fct_police_force_crime') }}
    where is_serious_violence
        and district_code is not null

),

districts as (

    select district_code, max(district_name) as district_name
    from {{ ref('dim_geography') }}
    where district_code is not null
    group by district_code

),

age_bands as (

    {{ reporting_age_bands(ref('dim_age_band'), all_ages=false) }}

),

roles (role) as (

    values ('victim'), ('suspect')

),

sexes (sex) as (

    values ('M'), ('F'), ('U')

),

years as (

    select
        {{ financial_year('recorded_date') }}                    as financial_year,
        min(recorded_date)                                          as period_start,
        max(recorded_date)                                          as period_end
    from crimes
    group by 1

),

people as (

    select distinct
        'victim'                                                    as role,
        crime_reference,
        victim_person_key                                           as person_key,
        {{ financial_year('recorded_date') }}                    as financial_year,
        district_code,
        coalesce(victim_age_band, 'Unknown')                        as age_band,
        coalesce(victim_sex, 'U')                                   as sex
    from crimes
    where victim_person_key is not null

    union

    select distinct
        'suspect',
        crime_reference,
        suspect_person_key,
        {{ financial_year('recorded_date') }},
        district_code,
        coalesce(suspect_age_band, 'Unknown'),
        coalesce(suspect_sex, 'U')
    from crimes
    where suspect_person_key is not null

),

counted as (

    select financial_year, district_code, role, age_band, sex, count(*) as people
    from people
    group by financial_year, district_code, role, age_band, sex

),

cells as (

    select
        years.financial_year,
        years.period_start,
        years.period_end,
        districts.district_code,
        districts.district_name,
        roles.role,
        age_bands.age_band,
        age_bands.sort_order                                        as age_band_sort_order,
        sexes.sex,
        coalesce(counted.people, 0)                                 as people,
        sum(coalesce(counted.people, 0)) over (
            partition by years.financial_year, districts.district_code, roles.role
        )                                                           as role_total
    from years
    cross join districts
    cross join roles
    cross join age_bands
    cross join sexes
    left join counted
        on years.financial_year = counted.financial_year
        and districts.district_code = counted.district_code
        and roles.role = counted.role
        and age_bands.age_band = counted.age_band
        and sexes.sex = counted.sex

),

{%- set groupings = [['financial_year', 'district_code', 'role', 'sex'], ['financial_year', 'district_code', 'role', 'age_band'], ['financial_year', 'role', 'age_band', 'sex']] %}
{%- set tiebreak = ['district_code', 'age_band', 'sex'] %}

protected as (

    {{ suppress_small_counts('cells', 'people', groupings=groupings, tiebreak=tiebreak, family='police') }}

),

final as (

    select
        protected.financial_year,
        protected.period_start,
        protected.period_end,
        protected.district_code,
        protected.district_name,
        protected.role,
        protected.age_band,
        protected.age_band_sort_order,
        protected.sex,
        {{ published_count('protected.people', 'protected.is_suppressed', family='police') }} as person_count,
        {{ published_rate_columns(
            'role_share_percent', 'protected.people', 'protected.role_total', per=100, decimals=1, precision=5,
            withheld=['protected.is_suppressed'], family='police', method='wilson'
        ) }},
        population.population                                       as population,
        {{ published_rate_columns(
            'person_rate_per_1000', 'protected.people', 'population.population', per=1000, decimals=2,
            withheld=['protected.is_suppressed'], family='police'
        ) }},
        protected.is_suppressed
    from protected
    left join {{ ref('int_population_by_area') }} as population
        on population.area_type = 'district'
        and population.period_type = 'financial_year'
        and protected.district_code = population.area_code
        and protected.financial_year = population.period
        and protected.age_band = population.age_group

)

select * from final
