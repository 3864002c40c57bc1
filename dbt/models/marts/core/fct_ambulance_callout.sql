-- Ambulance call-out fact: one row per 999 incident coded as assault or penetrating trauma.
-- Incremental on its load batches (macros/incremental_batches.sql): a build re-reads only the
-- batches whose rows changed since this table last merged.
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='_batch_id',
    on_schema_change='sync_all_columns',
    indexes=[{'columns': ['_batch_id']}, {'columns': ['call_date']}],
    meta={'incremental_dimensions': ['int_lsoa_codes_mapped', 'dim_geography']},
    pre_hook="{{ incremental_delete_changed_batches() }}",
    post_hook="{{ incremental_record_build() }}",
) }}
{%- set batches = incremental_batches(person_columns=[]) %}
with

callouts as (

    select * from {{ ref('stg_health__ambulance_callouts') }}
    where {{ incremental_batch_filter(batches) }}

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
