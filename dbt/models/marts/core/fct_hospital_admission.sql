-- Hospital admission fact (admitted patient care, assault): one row per episode, as HES/SUS send
-- them. A diagnosis counts in ANY position: assault is an ICD-10 code of X85-Y09 (seed
-- icd10_assault_codes), assault by a sharp object X99 (seed home_office_measure_codes); the
-- spell-level flags say whether any episode of the spell has them, so measures count each spell
-- once (on its first episode).
-- Incremental on its load batches (macros/incremental_batches.sql): a build re-reads only the
-- batches whose rows changed since this table last merged.
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='_batch_id',
    on_schema_change='sync_all_columns',
    indexes=[{'columns': ['_batch_id']}, {'columns': ['admission_date']}],
    meta={'incremental_dimensions': ['icd10_assault_codes', 'home_office_measure_codes', 'int_lsoa_codes_mapped', 'dim_geography', 'dim_age_band']},
    pre_hook="{{ incremental_delete_changed_batches() }}",
    post_hook="{{ incremental_record_build() }}",
) }}
{%- set batches = incremental_batches(person_columns=['person_key']) %}
with

admissions as (

    select * from {{ ref('stg_health__hospital_admissions') }}
    where {{ incremental_batch_filter(batches) }}

),

assault_codes as (

    select code from {{ ref('icd10_assault_codes') }}

),

sharp_object_codes as (

    select code from {{ ref('home_office_measure_codes') }}
    where measure = 'sharp_object_admissions' and code_type = 'icd10'

),

geography as (

    -- every LSOA code a record may carry (2011 or 2021), with its 2021 LSOA in the area
    select codes.lsoa_code as any_lsoa_code, located.lsoa_code, located.district_code
    from {{ ref('int_lsoa_codes_mapped') }} as codes
    inner join {{ ref('dim_geography') }} as located
        on codes.lsoa21_code = located.lsoa_code

),

people as (

    -- identifiers resolved to persons across sources: the person key is dim_person's
    select identifier_type, identifier_key, person_key from {{ ref('int_person_resolved') }}

),

age_bands as (

    select age_band, min_age, max_age, is_under_25 from {{ ref('dim_age_band') }}

),

diagnosed as (

    select
        admissions.*,
        array_remove(array[diagnosis_01, diagnosis_02, diagnosis_03, diagnosis_04, diagnosis_05, diagnosis_06, diagnosis_07, diagnosis_08, diagnosis_09, diagnosis_10, diagnosis_11, diagnosis_12, diagnosis_13, diagnosis_14, diagnosis_15, diagnosis_16, diagnosis_17, diagnosis_18, diagnosis_19, diagnosis_20], null) as diagnosis_codes
    from admissions

),

-- every diagnosis position as its three-character ICD-10 category
positions as (

    select diagnosed.admission_key, left(codes.code, 3) as category
    from diagnosed
    cross join lateral unnest(diagnosed.diagnosis_codes) as codes (code)

),

episode_flags as (

    select
        positions.admission_key,
        bool_or(assault_codes.code is not null)        as is_assault,
        bool_or(sharp_object_codes.code is not null)   as is_sharp_object
    from positions
    left join assault_codes
        on positions.category = assault_codes.code
    left join sharp_object_codes
        on positions.category = sharp_object_codes.code
    group by positions.admission_key

),

episodes as (

    select
        diagnosed.*,
        coalesce(episode_flags.is_assault, false)       as is_assault,
        coalesce(episode_flags.is_sharp_object, false)  as is_sharp_object
    from diagnosed
    left join episode_flags
        on diagnosed.admission_key = episode_flags.admission_key

),

final as (

    select
        episodes.admission_key,
        episodes.spell_id,
        episodes.episode_number,
        row_number() over (
            partition by episodes.spell_id
            order by episodes.episode_number, episodes._batch_id, episodes._line_number
        ) = 1                                                           as is_first_episode_of_spell,
        episodes.admission_date,
        episodes.episode_end_date,
        episodes.admission_method,
        -- NHS Data Dictionary admission method 2x: emergency
        coalesce(episodes.admission_method like '2%', false)            as is_emergency_admission,
        episodes.diagnosis_01                                           as primary_diagnosis,
        episodes.diagnosis_codes,
        episodes.is_assault,
        episodes.is_sharp_object,
        bool_or(episodes.is_assault) over (partition by episodes.spell_id) as spell_is_assault,
        bool_or(episodes.is_sharp_object) over (partition by episodes.spell_id)
                                                                        as spell_is_sharp_object,
        people.person_key,
        episodes.sex,
        episodes.age_on_admission,
        age_bands.age_band,
        coalesce(age_bands.is_under_25, false)                          as is_under_25,
        geography.lsoa_code                                             as home_lsoa_code,
        episodes.home_lsoa_code                                         as source_home_lsoa_code,
        {{ location_status('episodes.home_lsoa_code', 'geography.lsoa_code') }} as home_location_status,
        geography.district_code                                         as home_district_code,
        episodes._batch_id
    from episodes
    left join geography
        on episodes.home_lsoa_code = geography.any_lsoa_code
    left join people
        on people.identifier_type = 'nhs'
        and episodes.person_key = people.identifier_key
    left join age_bands
        on episodes.age_on_admission >= age_bands.min_age
        and (age_bands.max_age is null or episodes.age_on_admission <= age_bands.max_age)

)

select * from final
