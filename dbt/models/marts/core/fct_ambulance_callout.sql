-- Ambulance call-out fact: one row per 999 incident coded as assault or penetrating trauma.
with

callouts as (

    select * from {{ ref('stg_health__ambulance_callouts') }}

),

geography as (

    -- every LSOA code a record may carry (2011 or 2021), with its 2021 LSOA in the area
    select codes.lsoa_code as any_lsoa_code, located.lsoa_code, located.district_code
    from {{ ref('int_lsoa_codes_mapped') }} as codes
    inner join {{ ref('dim_geography') }} as located
        on codes.lsoa21_code = located.lsoa_code

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
        {{ location_status('callouts.lsoa_code', 'geography.lsoa_code') }} as location_status,
        geography.district_code,
        callouts.longitude,
        callouts.latitude,
        callouts._batch_id
    from callouts
    left join geography
        on callouts.lsoa_code = geography.any_lsoa_code

)

select * from final
