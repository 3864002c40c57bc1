-- Hospital admission fact (admitted patient care, assault): one row per spell. ICD-10 external
-- cause X85-Y09 is assault, X99 assault by sharp object.
with

admissions as (

    select * from {{ ref('stg_health__hospital_admissions') }}

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

final as (

    select
        admissions.admission_key,
        admissions.spell_id,
        admissions.admission_date,
        admissions.admission_method,
        admissions.admission_method like '2%'                         as is_emergency_admission,
        admissions.primary_diagnosis,
        admissions.external_cause,
        coalesce(admissions.external_cause ~ '^(X8[5-9]|X9[0-9]|Y0[0-9])', false) as is_assault,
        coalesce(admissions.external_cause ~ '^X99', false)           as is_sharp_object,
        people.person_key,
        admissions.sex,
        admissions.age_on_admission,
        age_bands.age_band,
        coalesce(age_bands.is_under_25, false)                        as is_under_25,
        geography.lsoa_code                                           as home_lsoa_code,
        admissions.home_lsoa_code                                     as source_home_lsoa_code,
        {{ location_status('admissions.home_lsoa_code', 'geography.lsoa_code') }} as home_location_status,
        geography.district_code                                       as home_district_code,
        admissions._batch_id
    from admissions
    left join geography
        on admissions.home_lsoa_code = geography.any_lsoa_code
    left join people
        on people.identifier_type = 'nhs'
        and admissions.person_key = people.identifier_key
    left join age_bands
        on admissions.age_on_admission >= age_bands.min_age
        and (age_bands.max_age is null or admissions.age_on_admission <= age_bands.max_age)

)

select * from final
