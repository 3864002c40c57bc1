-- Force crime fact: one row per row of the force's crime extract, i.e. per crime, victim and
-- suspect (a crime with two victims is two rows; count crimes with is_first_row_of_crime).
-- Incremental on its load batches (macros/incremental_batches.sql): a build re-reads only the
-- batches whose rows changed since this table last merged.
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='_batch_id',
    on_schema_change='sync_all_columns',
    indexes=[{'columns': ['_batch_id']}, {'columns': ['offence_date']}, {'columns': ['recorded_date']}],
    meta={'incremental_dimensions': ['dim_offence', 'int_lsoa_codes_mapped', 'dim_geography', 'dim_age_band']},
    pre_hook="{{ incremental_delete_changed_batches() }}",
    post_hook="{{ incremental_record_build() }}",
) }}
{%- set batches = incremental_batches(person_columns=['victim_person_key', 'suspect_person_key']) %}
with

crimes as (

    select * from {{ ref('stg_police__force_crimes') }}
    where {{ incremental_batch_filter(batches) }}

),

offences as (

    select * from {{ ref('dim_offence') }} where code_type = 'ho_offence'

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

    select age_band, min_age, max_age from {{ ref('dim_age_band') }}

),

aged as (

    select
        crimes.*,
        -- the suspect's age from the birth year only: may be one year above the true age
        extract(year from crimes.offence_date)::integer - crimes.suspect_birth_year as suspect_age,
        row_number() over (
            partition by crimes.crime_reference
            order by crimes._batch_id, crimes._line_number
        ) = 1 as is_first_row_of_crime
    from crimes

),

final as (

    select
        aged.force_crime_key,
        aged.crime_reference,
        aged.is_first_row_of_crime,
        aged.recorded_date,
        aged.offence_date,
        aged.offence_at,
        'ho_offence:' || aged.ho_offence_code                       as offence_key,
        aged.ho_offence_code,
        -- the official name (the contract admits only codes of the official list)
        coalesce(offences.offence_description, aged.ho_offence_description)
            as ho_offence_description,
        aged.crime_type,
        geography.lsoa_code,
        aged.lsoa_code                                              as source_lsoa_code,
        {{ location_status('aged.lsoa_code', 'geography.lsoa_code') }} as location_status,
        geography.district_code,
        coalesce(offences.is_serious_violence, false)               as is_serious_violence,
        coalesce(offences.is_homicide, false)                       as is_homicide,
        aged.is_weapon,
        aged.is_knife,
        -- possession of an article with a blade or point is a knife offence by its definition
        aged.is_knife or coalesce(offences.is_blade_or_point_possession, false)
            as is_knife_or_sharp_object,
        -- ONS/Home Office: a selected offence (homicide, attempted murder, threats to kill,
        -- assault with injury or intent to cause serious harm, robbery, rape, sexual assault)
        -- that the force flags as involving a knife or sharp instrument
        aged.is_knife and coalesce(offences.is_knife_crime_selected_offence, false)
            as is_knife_enabled_serious_violence,
        coalesce(offences.is_blade_or_point_possession, false)     as is_blade_or_point_possession,
        aged.is_domestic_abuse,
        aged.is_alcohol_related,
        aged.is_drug_related,
        aged.is_county_lines,
        aged.is_child_criminal_exploitation,
        aged.is_child_sexual_exploitation,
        aged.is_cuckooing,
        victims.person_key                                          as victim_person_key,
        aged.victim_sex,
        aged.victim_age,
        victim_band.age_band                                        as victim_age_band,
        coalesce(aged.victim_age < 25, false)                       as is_victim_under_25,
        suspects.person_key                                         as suspect_person_key,
        aged.suspect_pnc_key,
        aged.suspect_sex,
        aged.suspect_age,
        suspect_band.age_band                                       as suspect_age_band,
        aged._batch_id
    from aged
    left join offences
        on 'ho_offence:' || aged.ho_offence_code = offences.offence_key
    left join geography
        on aged.lsoa_code = geography.any_lsoa_code
    left join people as victims
        on victims.identifier_type = 'police_nominal'
        and aged.victim_person_key = victims.identifier_key
    left join people as suspects
        on suspects.identifier_type = 'police_nominal'
        and aged.suspect_person_key = suspects.identifier_key
    left join age_bands as victim_band
        on aged.victim_age >= victim_band.min_age
        and (victim_band.max_age is null or aged.victim_age <= victim_band.max_age)
    left join age_bands as suspect_band
        on aged.suspect_age >= suspect_band.min_age
        and (suspect_band.max_age is null or aged.suspect_age <= suspect_band.max_age)

)

select * from final
