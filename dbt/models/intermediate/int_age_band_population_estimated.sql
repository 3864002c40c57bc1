-- Resident population per district and age band (dim_age_band), estimated from the IoD
-- mid-2015 broad groups (0-15, 16-59, 60+) by spreading each group evenly over its single years
-- of age. A band that reaches past 59 (55-64, 65+) cannot be split without an age limit for the
-- 60+ group, so its population is NULL and rates on it are not published.
with

districts as (

    select
        district_code,
        sum(population_0_15)    as population_0_15,
        sum(population_16_59)   as population_16_59
    from {{ ref('dim_geography') }}
    where district_code is not null
    group by district_code

),

bands as (

    select age_band, min_age, max_age from {{ ref('dim_age_band') }}

),

final as (

    select
        districts.district_code,
        bands.age_band,
        case
            when bands.max_age is not null and bands.max_age <= 59 then cast(round(
                -- years of the band inside 0-15, then inside 16-59
                greatest(0, least(bands.max_age, 15) - bands.min_age + 1)
                    * districts.population_0_15 / 16.0
                + greatest(0, bands.max_age - greatest(bands.min_age, 16) + 1)
                    * districts.population_16_59 / 44.0
            ) as bigint)
        end as population_estimate
    from districts
    cross join bands

)

select * from final
