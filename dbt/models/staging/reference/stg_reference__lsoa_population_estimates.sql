-- ONS mid-year population estimates by LSOA (SAPE), unpivoted: one row per LSOA, mid-year,
-- sex and single year of age (90 is 90 and over). The LSOA code is as published (2021, or 2011
-- in estimates published on 2011 LSOAs).
with

source as (

    select * from {{ source('raw', 'ons__lsoa_population_estimates') }}

),

renamed as (

    select
        upper(trim(source.lsoa_code))       as lsoa_code,
        trim(source.lsoa_name)              as lsoa_name,
        upper(trim(source.district_code))   as district_code,
        cast(source.mid_year as integer)    as mid_year,
        ages.sex,
        ages.age,
        cast(ages.population as integer)    as population,
        cast(source._batch_id as bigint)    as _batch_id

    from source
    cross join lateral (
        values
        {%- for sex in ['F', 'M'] %}{% set outer = loop %}{% for age in range(91) %}
            ('{{ sex }}', {{ age }}, source.{{ sex | lower }}{{ age }}){{ ',' if not (outer.last and loop.last) }}
        {%- endfor %}{% endfor %}
    ) as ages (sex, age, population)

)

select * from renamed
