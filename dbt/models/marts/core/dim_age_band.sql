-- Age band dimension: one row per broad age band (seed age_bands), with the under-25 and child
-- flags the Serious Violence Duty reports on. Facts join on min_age <= age <= max_age.
with

bands as (

    select * from {{ ref('age_bands') }}

),

final as (

    select
        trim(age_band)                      as age_band,
        cast(min_age as integer)            as min_age,
        cast(max_age as integer)            as max_age,
        cast(sort_order as integer)         as sort_order,
        cast(is_under_25 as boolean)        as is_under_25,
        cast(is_child as boolean)           as is_child
    from bands

)

select * from final
