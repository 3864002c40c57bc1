-- Ambulance call-out fact: one row per 999 incident coded as assault or penetrating trauma.
with

callouts as (

    select * from {{ ref('stg_health__ambulance_callouts') }}

),

geography as (

    select lsoa_code, district_code from {{ ref('dim_geography') }}

),

final as (

    select
        callouts.callout_key,
        callouts.incident_id,
        callouts.call_date,
        callouts.call_at,
        callouts.category,
        callouts.chief_complaint,
        callouts.chief_complaint ilike '%penetrating%'
            or callouts.chief_complaint ilike '%stab%'                as is_penetrating_trauma,
        callouts.is_conveyed,
        geography.lsoa_code,
        callouts.lsoa_code                                            as source_lsoa_code,
        geography.district_code,
        callouts.longitude,
        callouts.latitude,
        callouts._batch_id
    from callouts
    left join geography
        on callouts.lsoa_code = geography.lsoa_code

)

select * from final
