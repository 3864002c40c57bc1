-- Police crime fact: one row per published police.uk street-level crime or ASB record.
-- Incremental on its load batches (macros/incremental_batches.sql): a build re-reads only the
-- batches whose rows changed since this table last merged.
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='_batch_id',
    on_schema_change='sync_all_columns',
    indexes=[{'columns': ['_batch_id']}, {'columns': ['month_start']}, {'columns': ['district_code', 'month_start']}],
    meta={'incremental_dimensions': ['int_lsoa_codes_mapped', 'dim_geography', 'dim_offence']},
    pre_hook="{{ incremental_delete_changed_batches() }}",
    post_hook="{{ incremental_record_build() }}",
) }}
{%- set batches = incremental_batches(person_columns=[]) %}
with

crimes as (

    select * from {{ ref('stg_police__street_crimes') }}
    where {{ incremental_batch_filter(batches) }}

),

geography as (

    -- every LSOA code a record may carry (2011 or 2021), with its 2021 LSOA in the area
    select codes.lsoa_code as any_lsoa_code, located.lsoa_code, located.district_code
    from {{ ref('int_lsoa_codes_mapped') }} as codes
    inner join {{ ref('dim_geography') }} as located
        on codes.lsoa21_code = located.lsoa_code

),

offences as (

    select offence_key from {{ ref('dim_offence') }} where code_type = 'police_uk'

),

final as (

    select
        crimes.crime_key,
        crimes.crime_id,
        crimes.force_name,
        crimes.reported_by,
        crimes.month_start,
        crimes.crime_type,
        crimes.last_outcome_category,
        geography.lsoa_code,
        crimes.lsoa_code                                            as source_lsoa_code,
        {{ location_status('crimes.lsoa_code', 'geography.lsoa_code') }} as location_status,
        crimes.lsoa_name,
        crimes.longitude,
        crimes.latitude,
        crimes.location,
        crimes.context,
        geography.district_code,
        crimes.crime_type in ('Violence and sexual offences', 'Violent crime')
            as is_violence_and_sexual,
        -- NULL for a crime type dim_offence does not list (accepted_values names it)
        offences.offence_key,
        crimes._batch_id
    from crimes
    left join geography
        on crimes.lsoa_code = geography.any_lsoa_code
    left join offences
        on 'police_uk:' || crimes.crime_type = offences.offence_key

)

select * from final
